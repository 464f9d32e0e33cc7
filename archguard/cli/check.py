"""``archguard check``: the gate."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from archguard.cli.common import config_option, emit, handle_errors, output_options, resolve_contract, run_options, use_color
from archguard.engine import RunOptions, check
from archguard.errors import UsageError


@click.command("check")
@config_option
@run_options
@output_options
@click.option("--format", "-f", "output_format", default="text", show_default=True, help="Report format: text or json.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to this file instead of stdout.")
@handle_errors
def check_command(
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
) -> None:
    """Check the code against the contract; exit 1 on findings at error level.

    \b
    Example:
      archguard check
      archguard check --config contracts/archguard.toml --format json -o report.json
    """
    from archguard.report import ReportOptions, reporters

    available = reporters()
    if output_format not in available:
        raise UsageError(f"unknown format {output_format!r}; expected one of: {', '.join(available)}")
    loaded = resolve_contract(config_path)
    progress = _progress_printer() if not quiet and sys.stderr.isatty() else None
    result = check(loaded, RunOptions(jobs=jobs, use_cache=not no_cache, cache_dir=cache_dir, progress=progress))
    if progress is not None:
        progress(-1, -1)
    options = ReportOptions(color=use_color(color) and output is None, verbose=verbose)
    text = available[output_format](result, options)
    emit(text, output)
    if not quiet:
        stats = result.analysis.stats
        click.echo(
            f"checked {stats.files} files ({stats.cached} cached, {stats.parsed} parsed) in {stats.seconds:.2f} s",
            err=True,
        )
    sys.exit(result.exit_code)


def _progress_printer() -> Any:
    """A progress bar on stderr for long extractions (terminals only)."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if done < 0:
            if "progress" in state:
                state["progress"].stop()
            return
        if "progress" not in state:
            if total < 200:
                return
            progress = Progress(TextColumn("parsing"), BarColumn(), MofNCompleteColumn(), transient=True, console=Console(stderr=True))
            progress.start()
            state["progress"] = progress
            state["task"] = progress.add_task("parse", total=total)
        state["progress"].update(state["task"], completed=done)

    return update
