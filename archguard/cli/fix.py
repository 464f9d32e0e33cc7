"""``archguard fix``: rewrite the violations that have a mechanical remedy (dry run by default)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from archguard.cli.common import EXIT_FINDINGS, config_option, handle_errors, resolve_contract, run_options
from archguard.engine.pipeline import RunOptions, check


@click.command("fix")
@config_option
@run_options
@click.option("--apply", "apply_changes", is_flag=True, help="Write the changes (default: print them as a unified diff).")
@click.option("--quiet", "-q", is_flag=True, help="No summary on stderr.")
@click.option("--debug", is_flag=True, help="Show a traceback for internal errors.")
@handle_errors
def fix_command(
    config_path: Path | None,
    jobs: int | None,
    no_cache: bool,
    cache_dir: Path | None,
    apply_changes: bool,
    quiet: bool,
    debug: bool,
) -> None:
    """Fix the violations that have a mechanical remedy, as libcst codemods.

    Today: a `boundaries` violation `from pkg.internal import Name` becomes `from pkg.api
    import Name` when the component's public module re-exports that very Name. Only the
    module of that statement changes; every other byte of the file is kept. A fix is offered
    only when the rewritten file parses and `archguard check` on it reports the same findings
    minus the fixed ones. Prints a unified diff; --apply writes the files.
    Exit code: dry run 1 when there is something to fix, else 0; --apply 0 once written.

    \b
    Example:
      archguard fix            # show the diff
      archguard fix --apply    # write it
    """
    from archguard.advice.fix import apply, plan_fixes
    from archguard.report.escape import terminal_block

    loaded = resolve_contract(config_path)
    result = check(loaded, RunOptions(jobs=jobs, use_cache=not no_cache, cache_dir=cache_dir))
    plan = plan_fixes(result)
    rewrites = plan.rewrites
    if apply_changes:
        apply(plan, loaded.root)
    else:
        click.echo(terminal_block(plan.diff()), nl=False)
    if not quiet:
        files = len(plan.files)
        state = "rewritten" if apply_changes else "to rewrite (dry run: --apply writes them)"
        lines = [f"archguard fix: {len(rewrites)} import{'s' * (len(rewrites) != 1)} in {files} file{'s' * (files != 1)} {state}"]
        lines += [f"  {r.path}:{r.line}  {r.before}  ->  {r.after}" for r in rewrites]
        if plan.skipped:
            lines.append(f"not fixed ({len(plan.skipped)}):")
            lines += [f"  {s.finding.path}:{s.finding.line}  {s.finding.import_text}: {s.reason}" for s in plan.skipped]
        if plan.unfixable:
            count = len(plan.unfixable)
            have = "have" if count != 1 else "has"
            lines.append(f"{count} other finding{'s' * (count != 1)} {have} no mechanical fix (`archguard check -v` shows their remedies)")
        click.echo(terminal_block("\n".join(lines)), err=True)
    sys.exit(EXIT_FINDINGS if rewrites and not apply_changes else 0)
