"""``archguard init``: infer a starter contract from the code as it is."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from archguard.base.errors import UsageError
from archguard.base.fileio import write_atomic
from archguard.cli.common import EXIT_FINDINGS, handle_errors, run_options
from archguard.contract.loading import find_contract
from archguard.engine.pipeline import RunOptions


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False, exists=True, path_type=Path), default=".")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the contract (default: DIRECTORY/archguard.toml).",
)
@click.option("--stdout", "to_stdout", is_flag=True, help="Print the contract instead of writing a file.")
@click.option("--force", is_flag=True, help="Overwrite an existing contract.")
@click.option(
    "--depth",
    type=click.IntRange(min=0),
    default=1,
    show_default=True,
    help="Components this many package levels below each top-level package.",
)
@click.option(
    "--group-cycles",
    is_flag=True,
    help="Keep each cycle of components whole in one layer, instead of leaving out the fewest imports that close it.",
)
@click.option(
    "--root",
    "--source-root",
    "source_roots",
    multiple=True,
    help="Folder holding the top-level packages (repeatable; default: the build configuration's, src/, lib/, PYTHONPATH's, or DIRECTORY).",
)
@click.option("--package", "packages", multiple=True, help="Top-level package to analyse (repeatable; default: every package found).")
@run_options
@click.option("--debug", is_flag=True, help="Show a traceback for internal errors.")
@handle_errors
def init_command(
    directory: Path,
    output: Path | None,
    to_stdout: bool,
    force: bool,
    depth: int,
    group_cycles: bool,
    source_roots: tuple[str, ...],
    packages: tuple[str, ...],
    jobs: int | None,
    no_cache: bool,
    cache_dir: Path | None,
    debug: bool,
) -> None:
    """Infer a starter contract from the code as it is and write archguard.toml.

    Components come from the package structure (--depth), layers from the component graph
    (the imports that close cycles are listed and left out), an `allowed` rule lists today's
    dependencies, `public` modules are suggested where a component is imported through a few
    modules only, and what today's code already breaks is frozen, so `archguard check`
    passes right after. Never overwrites a contract without --force.

    \b
    Example:
      archguard init                      # writes ./archguard.toml
      archguard init --depth 2 --stdout   # finer components, printed
    """
    from archguard.advice.infer import InitOptions, counts_for_layering, infer

    target = output if output is not None else directory / "archguard.toml"
    if not to_stdout and not force:
        _refuse_overwrite(directory, target, default_target=output is None)
    options = InitOptions(
        depth=depth,
        group_cycles=group_cycles,
        roots=source_roots or None,
        packages=packages or None,
        contract_dir=directory if to_stdout else target.parent,
    )
    result = infer(directory, options, RunOptions(jobs=jobs, use_cache=not no_cache, cache_dir=cache_dir))
    baseline_file = target.parent / result.contract.project.baseline
    if result.baselined and not to_stdout and baseline_file.exists() and not force:
        raise UsageError(f"{baseline_file} already exists; pass --force to overwrite it (init freezes today's duplicated code there)")
    if to_stdout:
        click.echo(result.text, nl=False)
    else:
        _write(target, result.text)
        if result.baselined:
            from archguard.gate import baseline

            baseline.write(baseline_file, baseline.entries_of(result.baselined), target.parent)
    inference = result.inference
    layering = inference.layering
    cut = sum(sum(1 for s in d.sites if counts_for_layering(s)) for d in inference.dependencies if (d.source, d.target) in set(layering.cut))
    public = sum(1 for c in inference.components if c.public)
    lines = [
        f"archguard init: {'printed the contract' if to_stdout else f'wrote {target}'}",
        f"  {len(inference.components)} components (depth {depth}), {len(layering.layers)} layers, "
        f"{len(layering.cycles)} cycle{'s' * (len(layering.cycles) != 1)}"
        + (f" (closed by {cut} import{'s' * (cut != 1)})" if layering.cycles else "")
        + f", {public} public interface{'s' * (public != 1)}",
    ]
    if result.frozen_findings:
        lines.append(f"  {len(result.frozen_findings)} findings of today's code frozen as {len(inference.frozen)} [[ignore]] entries")
    if result.baselined:
        count = len(result.baselined)
        if to_stdout:
            lines.append(f"  {count} clone finding{'s' * (count != 1)} to freeze: save the contract, then run `archguard baseline`")
        else:
            lines.append(f"  {count} clone finding{'s' * (count != 1)} frozen in {baseline_file}")
    if inference.left_out:
        shown = ", ".join(f"{item.path} ({item.why.split(';')[0]})" for item in inference.left_out[:6])
        more = f" and {len(inference.left_out) - 6} more" if len(inference.left_out) > 6 else ""
        lines.append(f"  left out (not the library): {shown}{more}; see the comments in [project]")
    if inference.excluded:
        count = len(inference.excluded)
        lines.append(f"  {count} file{'s' * (count != 1)} excluded: archguard cannot analyse them (see [project] exclude)")
    if result.check.errors:
        lines.append(f"  warning: `archguard check` reports {len(result.check.errors)} errors on this contract (a bug: please report it)")
    else:
        lines.append("  next: review it, then run `archguard check` (it passes on today's code)")
    click.echo("\n".join(lines), err=True)
    sys.exit(EXIT_FINDINGS if result.check.errors else 0)


def _refuse_overwrite(directory: Path, target: Path, *, default_target: bool) -> None:
    if target.exists():
        raise UsageError(f"{target} already exists; pass --force to overwrite it, or --stdout to print the inferred contract")
    if default_target:
        found = find_contract(directory)
        if found is not None and found[0].resolve().parent in (directory.resolve(), (directory / "contracts").resolve()):
            where = f"[{found[1]}] in {found[0]}" if found[1] else str(found[0])
            raise UsageError(
                f"a contract already exists ({where}); pass --force to write {target} anyway, or --stdout to print the inferred contract"
            )


def _write(path: Path, text: str) -> None:
    """Write atomically: the file is either the old one or the new one, never half written."""
    try:
        write_atomic(path, text.encode("utf-8"))
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror}") from None
