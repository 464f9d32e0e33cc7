"""``archguard baseline``: accept the current findings, so that the gate fails only on new ones."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from archguard.base.errors import UsageError
from archguard.cli.common import config_option, handle_errors, resolve_contract, run_options
from archguard.engine.pipeline import RunOptions, check


@click.command("baseline")
@config_option
@run_options
@click.option("--prune", is_flag=True, help="Only drop entries that no longer occur (add nothing).")
@click.option(
    "--file",
    "baseline_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Baseline file (default: [project] baseline of the contract, archguard-baseline.json).",
)
@click.option("--debug", is_flag=True, help="Show a traceback for internal errors.")
@handle_errors
def baseline_command(
    config_path: Path | None,
    jobs: int | None,
    no_cache: bool,
    cache_dir: Path | None,
    prune: bool,
    baseline_file: Path | None,
    debug: bool,
) -> None:
    """Write every current finding to the baseline file (JSON, sorted, one entry per finding).

    `archguard check` then fails only on findings that are not in it, and lists entries that
    no longer occur. Findings are matched by fingerprint (never by line number) and by count.

    \b
    Example:
      archguard baseline            # accept today's findings
      archguard baseline --prune    # drop entries that were fixed since
    """
    from archguard.gate import baseline

    loaded = resolve_contract(config_path)
    path = baseline.baseline_path(loaded, baseline_file)
    shown = baseline.display(path, loaded)
    inside = baseline.confinement(loaded, baseline_file)
    result = check(loaded, RunOptions(jobs=jobs, use_cache=not no_cache, cache_dir=cache_dir))
    if prune:
        entries = baseline.load(path, shown, inside)
        if entries is None:
            raise UsageError(f"no baseline to prune: {shown} does not exist (write one with `archguard baseline`)")
        kept = baseline.pruned(result, entries)
        baseline.write(path, kept, inside)
        dropped = len(entries) - len(kept)
        what = "entry that no longer occurs" if dropped == 1 else "entries that no longer occur"
        click.echo(f"pruned {shown}: dropped {dropped} {what}, {len(kept)} kept")
    else:
        entries = baseline.entries_of(result.findings)
        baseline.write(path, entries, inside)
        click.echo(f"wrote {len(entries)} finding{'s' * (len(entries) != 1)} to {shown}")
    sys.exit(0)
