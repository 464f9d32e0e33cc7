"""``archguard explain``: why one dependency is or is not allowed, and where the code has it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from archguard.cli.common import EXIT_FINDINGS, config_option, handle_errors, resolve_contract, run_options
from archguard.engine.pipeline import RunOptions, check


@click.command("explain")
@click.argument("source")
@click.argument("target")
@config_option
@run_options
@click.option(
    "--format", "-f", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True, help="Output format."
)
@click.option("--chains", "max_chains", type=click.IntRange(min=0), default=5, show_default=True, help="Indirect chains to show.")
@click.option("--debug", is_flag=True, help="Show a traceback for internal errors.")
@handle_errors
def explain_command(
    source: str,
    target: str,
    config_path: Path | None,
    jobs: int | None,
    no_cache: bool,
    cache_dir: Path | None,
    output_format: str,
    max_chains: int,
    debug: bool,
) -> None:
    """May SOURCE depend on TARGET, under which rules, and does it today?

    SOURCE and TARGET are component names, modules (a package means everything under it;
    'module:NAME' when a module shares a component's name) or, for TARGET, 'external:NAME'.
    Lists each rule's decision with its rationale, then every import from SOURCE into
    TARGET and the shortest indirect chains, with file:line and what decides each one.
    Exit code 0 when the contract allows the dependency, 1 when a rule forbids it.

    \b
    Example:
      archguard explain domain infra
      archguard explain shop.api.views shop.billing.ledger --format json
    """
    from archguard.advice.explain import explain, render_json, render_text
    from archguard.report.escape import terminal_block

    loaded = resolve_contract(config_path)
    result = check(loaded, RunOptions(jobs=jobs, use_cache=not no_cache, cache_dir=cache_dir))
    explanation = explain(result, source, target, max_chains=max_chains)
    click.echo(render_json(explanation) if output_format == "json" else terminal_block(render_text(explanation)), nl=False)
    sys.exit(0 if explanation.allowed else EXIT_FINDINGS)
