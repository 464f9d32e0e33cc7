"""``archguard diff``: the architecture delta between two git revisions (a report, never a gate)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from archguard.cli.common import choose_format, config_option, emit, handle_errors, output_options, resolve_contract, run_options, use_color
from archguard.engine.pipeline import RunOptions


@click.command("diff")
@click.argument("base")
@click.argument("head", required=False)
@config_option
@run_options
@output_options
@click.option("--format", "-f", "output_format", default="text", show_default=True, help="Report format: text or json.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to this file instead of stdout.")
@handle_errors
def diff_command(
    base: str,
    head: str | None,
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
    """What the change from BASE to HEAD did to the architecture (HEAD: default the working tree).

    New and resolved findings, files that moved, component dependencies added and removed
    with their import-site counts, and each component's coupling (fan-in, fan-out,
    instability) before and after. Both revisions are read from git; nothing is checked out.
    Exit 0 whatever the findings (use `archguard check --diff` to gate).

    \b
    Example:
      archguard diff origin/main            # the working tree against origin/main
      archguard diff v1.0 v2.0 --format json
    """
    from archguard.gate.delta import compare_revisions
    from archguard.report import ReportOptions
    from archguard.report.delta_report import FORMATS

    render = choose_format(output_format, FORMATS)
    loaded = resolve_contract(config_path)
    comparison = compare_revisions(loaded, base, head, RunOptions(jobs=jobs, use_cache=not no_cache, cache_dir=cache_dir))
    emit(render(comparison, ReportOptions(color=use_color(color) and output is None, verbose=verbose)), output)
    sys.exit(0)
