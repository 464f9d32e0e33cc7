"""``archguard dupes``: the clone groups of the tree, largest first."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from archguard.report.escape import terminal_block

if TYPE_CHECKING:
    from archguard.analysis.clones import CloneReport
    from archguard.contract.loading import LoadedContract
    from archguard.engine.pipeline import Analysis

from archguard.cli.common import config_option, emit, handle_errors, output_options, resolve_contract, run_options, use_color


@click.command("dupes")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@config_option
@run_options
@output_options
@click.option("--format", "-f", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Report format.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to this file instead of stdout.")
@click.option("--min-lines", type=click.IntRange(min=1), help="Smallest clone, in lines (default: [duplication] min_lines).")
@click.option("--min-tokens", type=click.IntRange(min=1), help="Smallest clone, in tokens (default: [duplication] min_tokens).")
@click.option("--similarity", type=click.FloatRange(0.0, 1.0), help="Near-miss threshold; 1.0 finds exact and renamed clones only.")
@click.option("--include-tests", is_flag=True, default=None, help="Also look for clones in test files.")
@click.option(
    "--no-contract", is_flag=True, help="Ignore any contract: analyse PATHS (default: .) with the default settings and no components."
)
@handle_errors
def dupes_command(
    paths: tuple[Path, ...],
    config_path: Path | None,
    jobs: int | None,
    no_cache: bool,
    cache_dir: Path | None,
    color: str,
    quiet: bool,
    verbose: bool,
    debug: bool,
    output_format: str,
    output: Path | None,
    min_lines: int | None,
    min_tokens: int | None,
    similarity: float | None,
    include_tests: bool | None,
    no_contract: bool,
) -> None:
    """List duplicated code in PATHS: clone groups, largest first, cross-component groups on top.

    With a contract (--config, or found from the working directory), its settings and
    components apply, and PATHS (if any) keep the groups with a copy under them. Without one
    (none found, PATHS outside its project or holding none of the files it analyses, or
    --no-contract), every Python file under PATHS
    (default: the working directory) is analysed with the default settings and no
    components, as any clone detector would.

    Each group shows every location (file:line range, function or class), its size in lines
    and tokens, the clone type (exact, renamed, near-miss with its similarity) and whether it
    crosses a component boundary. Exit 1 when a group is at error level ([duplication]
    cross_component / within_component).

    \b
    Example:
      archguard dupes
      archguard dupes src/ scripts/ --min-lines 8
      archguard dupes --min-lines 10 --similarity 0.9 --format json -o dupes.json
    """
    from archguard.base import timeline
    from archguard.base.errors import NoContractError, UsageError
    from archguard.engine.no_contract import contract_for_paths
    from archguard.engine.pipeline import RunOptions, analyze
    from archguard.report import ReportOptions
    from archguard.report.dupes import error_groups, render_json, render_text
    from archguard.rules.duplication import cached_clone_report

    timeline.begin_run()
    if no_contract and config_path is not None:
        raise UsageError("--no-contract and --config exclude each other")
    loaded: LoadedContract | None = None
    within = [path.resolve() for path in paths]
    reason = "--no-contract"
    if not no_contract:
        try:
            loaded = resolve_contract(config_path, cached=not no_cache, cache_dir=cache_dir)
        except NoContractError:
            reason = "no contract found"
    if loaded is not None and config_path is None and not all(_inside(path, loaded.root.resolve()) for path in within):
        # paths outside the project the contract found describes: it does not apply
        reason, loaded = f"{', '.join(map(str, paths))} outside the project of {loaded.display_path}", None
    of_paths = loaded is None
    if loaded is None:
        # files given: the groups with a copy in them (an __init__.py brings its whole package in)
        loaded, within = contract_for_paths(paths, reason=reason), [path for path in within if path.is_file()]
    if loaded.notice and not quiet:
        click.echo(terminal_block(f"archguard: {loaded.notice}"), err=True)
    overrides: dict[str, Any] = {
        name: value
        for name, value in (("min_lines", min_lines), ("min_tokens", min_tokens), ("similarity", similarity), ("include_tests", include_tests))
        if value is not None
    }
    options = RunOptions(jobs=jobs, use_cache=not no_cache, cache_dir=cache_dir, clones=True)
    analysis = analyze(loaded, options)
    if paths and not of_paths and not any(_under_any(loaded.root / path, within) for path in analysis.paths.values()):
        # PATHS inside the project, but the contract analyses none of their files (a folder
        # outside its roots, such as a vendored or scratch checkout): analyse PATHS themselves.
        reason = f"the contract {loaded.display_path} analyses no file under {', '.join(map(str, paths))}"
        loaded, within = contract_for_paths(paths, reason=reason), [path for path in within if path.is_file()]
        if loaded.notice and not quiet:
            click.echo(terminal_block(f"archguard: {loaded.notice}"), err=True)
        analysis = analyze(loaded, options)
    config = loaded.contract.duplication.model_copy(update=overrides)
    if not quiet:
        for warning in skipped_files(analysis):
            click.echo(terminal_block(f"archguard: warning: {warning}"), err=True)
    with timeline.phase("copies search"):
        report = cached_clone_report(analysis.facts, analysis.paths, analysis.components.component_of, config, analysis.cache_dir)
    if within:
        report = groups_under(report, loaded.root, within)
    with timeline.phase("reports"):
        if output_format == "json":
            text = render_json(report, config, loaded.display_path)
        else:
            text = render_text(report, config, loaded.display_path, ReportOptions(color=use_color(color) and output is None, verbose=verbose))
        emit(text, output)
    if verbose:
        click.echo(f"archguard: time: {timeline.describe()}", err=True)
    sys.exit(1 if error_groups(report, config) else 0)


def skipped_files(analysis: Analysis) -> list[str]:
    """The files the search could not read, each with why: a skipped file is said, never silent
    (a FIFO, a symlink out of the project, a file that does not parse)."""
    skipped = [f"{problem.relpath}: {problem.message} (not searched for copies)" for problem in analysis.discovery.problems]
    for module, facts in sorted(analysis.facts.items(), key=lambda item: analysis.paths.get(item[0], item[0])):
        if facts.problem is not None:
            where = f"{analysis.paths.get(module, module)}:{facts.problem.line}"
            skipped.append(f"{where}: {facts.problem.message} (not searched for copies)")
    return skipped


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _under_any(path: Path, places: list[Path]) -> bool:
    resolved = path.resolve()
    return any(_inside(resolved, place) for place in places)


def groups_under(report: CloneReport, root: Path, folders: list[Path]) -> CloneReport:
    """The groups with at least one copy under one of ``folders`` (or in one of those files)."""

    def under(relpath: str) -> bool:
        path = (root / relpath).resolve()
        return any(_inside(path, folder) for folder in folders)

    return replace(report, groups=tuple(g for g in report.groups if any(under(u.path) for u in g.units)))
