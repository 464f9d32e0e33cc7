"""``archguard report``: the architecture as declared and as found (a report, never a gate)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from archguard.cli.common import (
    apply_baseline,
    baseline_options,
    choose_format,
    config_option,
    emit,
    handle_errors,
    output_options,
    resolve_contract,
    run_options,
    use_color,
)
from archguard.engine.pipeline import RunOptions, check


@click.command("report")
@config_option
@run_options
@output_options
@click.option("--format", "-f", "output_format", default="text", show_default=True, help="Report format: text or json.")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to this file instead of stdout.")
@baseline_options
@handle_errors
def report_command(
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
    baseline_file: Path | None,
    no_baseline: bool,
) -> None:
    """The architecture report: components, the reflexion model, coupling and findings.

    Convergences (declared dependencies the code has, with import-site counts), divergences
    (dependencies the contract does not allow: the violations), absences (declared
    dependencies no code uses: the contract is stale), unconstrained dependencies, unmapped
    modules, and each component's fan-in, fan-out and instability. Findings the baseline
    accepts are listed as accepted, as `archguard check` counts them (--baseline FILE,
    --no-baseline). Exit 0 whatever the findings (use `archguard check` to gate).

    \b
    Example:
      archguard report
      archguard report --format json -o architecture.json
    """
    from archguard.gate.drift import architecture_report
    from archguard.report import ReportOptions
    from archguard.report.architecture import FORMATS

    render = choose_format(output_format, FORMATS)
    loaded = resolve_contract(config_path)
    result = check(loaded, RunOptions(jobs=jobs, use_cache=not no_cache, cache_dir=cache_dir))
    if not no_baseline:
        result, _ = apply_baseline(result, loaded, baseline_file)
    emit(render(architecture_report(result), ReportOptions(color=use_color(color) and output is None, verbose=verbose)), output)
    sys.exit(0)
