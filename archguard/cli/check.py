"""``archguard check``: the gate."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from archguard.cli.common import config_option, handle_errors, output_options, progress_bar, resolve_contract, run_options
from archguard.cli.outputs import FORMATS_HELP, emit_reports, parse_outputs, report_options
from archguard.engine import RunOptions, check
from archguard.errors import UsageError


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
) -> None:
    """Check the code against the contract; exit 1 on findings at error level.

    \b
    Example:
      archguard check
      archguard check --format github --output sarif=archguard.sarif
      archguard check -q --format json -o report.json
      archguard check --config .importlinter --contract layers
    """
    from archguard.report import reporters

    if quiet and verbose:
        raise UsageError("--quiet and --verbose exclude each other")
    targets = parse_outputs(output_format, outputs, reporters())
    loaded = resolve_contract(config_path, contract_ids)
    if loaded.notice and not quiet:
        click.echo(f"archguard: {loaded.notice}", err=True)
    progress = progress_bar(not quiet)
    try:
        result = check(loaded, RunOptions(jobs=jobs, use_cache=not no_cache, cache_dir=cache_dir, progress=progress))
    finally:
        if progress is not None:
            progress(-1, -1)
    timed = emit_reports(result, targets, report_options(result, quiet=quiet, verbose=verbose), color)
    if not quiet and not timed:
        stats = result.analysis.stats
        click.echo(
            f"archguard: {stats.files:,} files ({stats.cached:,} cached, {stats.parsed:,} parsed) in {stats.seconds:.2f} s",
            err=True,
        )
    sys.exit(result.exit_code)
