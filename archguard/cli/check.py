"""``archguard check``: the gate."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from archguard.base import timeline
from archguard.base.errors import UsageError
from archguard.base.timeline import phase
from archguard.cli.common import (
    apply_baseline,
    baseline_options,
    config_option,
    handle_errors,
    output_options,
    progress_bar,
    resolve_contract,
    run_options,
)
from archguard.cli.outputs import FORMATS_HELP, emit_reports, parse_outputs, report_options
from archguard.contract.loading import LoadedContract
from archguard.engine.dialects import replayable
from archguard.engine.pipeline import CheckResult, RunOptions, Stats, check
from archguard.report.escape import terminal_block

# Said after the run's statistics when the rules did not run (archguard.engine.recall).
RECALLED = " (findings recalled: the same facts and contract as an earlier run)"


@click.command("check")
@config_option
@run_options
@output_options
@click.option("--format", "-f", "output_format", default="text", show_default=True, help=f"Report format on stdout: {FORMATS_HELP}.")
@click.option(
    "--output",
    "-o",
    "outputs",
    multiple=True,
    metavar="FORMAT=PATH",
    help="Also write a report in FORMAT to PATH (repeatable). A bare PATH writes the --format report there instead of stdout.",
)
@click.option(
    "--contract",
    "contract_ids",
    multiple=True,
    metavar="ID",
    help="Only check the import-linter contract with this id (repeatable), like lint-imports --contract.",
)
@click.option(
    "--diff",
    "base",
    metavar="BASE",
    help="Report only what the change since git revision BASE introduced (BASE... for the merge base); BASE is read from git, nothing is checked out.",
)
@click.option(
    "--paths",
    "paths_from",
    type=click.Choice(["repository", "project"]),
    default="repository",
    show_default=True,
    help=(
        "What paths are relative to in the SARIF, GitHub, JUnit, Markdown and agent reports (locations and messages "
        "alike): the git repository's root, or the project root (text and JSON always use the project root)."
    ),
)
@click.option(
    "--all-clones",
    is_flag=True,
    help="List every clone group within one component (warnings) in the text and Markdown reports, instead of one line that counts them.",
)
@baseline_options
@click.option(
    "--watch",
    is_flag=True,
    help="Check again on every save and print the new and resolved findings since the last check (text and agent formats); Ctrl-C stops, exit 0.",
)
@handle_errors
def check_command(
    config_path: Path | None,
    contract_ids: tuple[str, ...],
    jobs: int | None,
    no_cache: bool,
    cache_dir: Path | None,
    color: str,
    quiet: bool,
    verbose: bool,
    debug: bool,
    output_format: str,
    outputs: tuple[str, ...],
    base: str | None,
    paths_from: str,
    all_clones: bool,
    baseline_file: Path | None,
    no_baseline: bool,
    watch: bool,
) -> None:
    """Check the code against the contract; exit 1 on findings at error level.

    \b
    Example:
      archguard check
      archguard check --format github --output sarif=archguard.sarif
      archguard check -q --format json -o report.json
      archguard check --config .importlinter --contract layers
      archguard check --diff origin/main      # only what this change introduced
      archguard check --watch --format agent  # again on every save: what changed
    """
    from archguard.report import reporters

    timeline.begin_run()
    if quiet and verbose:
        raise UsageError("--quiet and --verbose exclude each other")
    targets = parse_outputs(output_format, outputs, reporters())

    def run_once(show_progress: bool) -> tuple[LoadedContract, CheckResult, Stats | None, Path | None]:
        loaded = resolve_contract(config_path, contract_ids, cached=not no_cache, cache_dir=cache_dir)
        if loaded.notice and not quiet:
            click.echo(terminal_block(f"archguard: {loaded.notice}"), err=True)
        progress = progress_bar(show_progress)
        base_stats: Stats | None = None
        comparison = None
        try:
            run = RunOptions(jobs=jobs, use_cache=not no_cache, cache_dir=cache_dir, progress=progress)
            if base is not None:
                from archguard.gate.delta import compare_revisions

                comparison = compare_revisions(loaded, base, None, run)
                result = comparison.gate_result()
                base_stats = comparison.base.analysis.stats
                for note in comparison.notes:
                    click.echo(terminal_block(f"archguard: note: {note}"), err=True)
            else:
                result = check(loaded, run)
        finally:
            if progress is not None:
                progress(-1, -1)
        baseline_used: Path | None = None
        if not no_baseline:
            result, baseline_used = apply_baseline(result, loaded, baseline_file, comparison)
        return loaded, result, base_stats, baseline_used

    if watch:
        from archguard.cli.watch import watch_checks

        if outputs:
            raise UsageError("--watch prints to the terminal only; --output cannot be combined with it")
        sys.exit(watch_checks(lambda: run_once(False)[1], output_format, color, quiet=quiet, verbose=verbose))
    loaded, result, base_stats, baseline_used = run_once(not quiet)
    written: list[tuple[Path | None, str]] = []
    options = report_options(result, quiet=quiet, verbose=verbose, clone_detail=all_clones, repository_paths=paths_from == "repository")
    with phase("reports"):
        timed = emit_reports(result, targets, options, color, written)
    if base is None and replayable(loaded) and not no_cache:
        _record_for_replay(loaded, result, baseline_used, written, quiet)
    if not quiet and not timed:
        stats = result.analysis.stats
        click.echo(
            f"archguard: {stats.files:,} files ({stats.cached:,} cached, {stats.parsed:,} parsed) in {stats.seconds:.2f} s"
            + (RECALLED if stats.recalled else ""),
            err=True,
        )
    if not quiet and base_stats is not None:
        click.echo(
            f"archguard: base {base_stats.files:,} files ({base_stats.reused:,} unchanged, {base_stats.cached:,} cached, "
            f"{base_stats.parsed:,} parsed) in {base_stats.seconds:.2f} s" + (RECALLED if base_stats.recalled else ""),
            err=True,
        )
    if verbose:
        click.echo(f"archguard: time: {timeline.describe()}", err=True)
    sys.exit(result.exit_code)


def _record_for_replay(
    loaded: LoadedContract, result: CheckResult, baseline_used: Path | None, written: list[tuple[Path | None, str]], quiet: bool
) -> None:
    """Keep this run's inputs and reports so that the next identical command can replay them."""
    from archguard.cli import replay

    if sys.argv[1:2] != ["check"]:
        return  # not the console command line (a test runner, an embedding program)
    invocation = replay.prepare(sys.argv[2:])
    if invocation is None or invocation.contract != loaded.path.resolve():
        return
    analysis = result.analysis
    replay.record(
        invocation,
        project=loaded.contract.project,
        root=loaded.root,
        discovery=analysis.discovery,
        digests=analysis.stats.digests,
        baseline_path=baseline_used,
        outputs=written,
        stderr=[f"archguard: {loaded.notice}"] if loaded.notice and not quiet else [],
        quiet=quiet,
        exit_code=result.exit_code,
    )
