"""The terminal report (rich): findings grouped by rule, readable in a terminal and a CI log."""

from __future__ import annotations

from io import StringIO
from itertools import groupby

from rich.console import Console
from rich.markup import escape

from archguard.engine import CheckResult
from archguard.findings import Finding
from archguard.report import ReportOptions


def _location(finding: Finding) -> str:
    if not finding.path:
        return "-"
    if finding.line:
        return f"{finding.path}:{finding.line}:{finding.column or 1}"
    return finding.path


def text_console(buffer: StringIO, options: ReportOptions) -> Console:
    """A rich console that writes plain or coloured text into ``buffer`` (every text report uses it)."""
    return Console(
        file=buffer,
        force_terminal=options.color,
        no_color=not options.color,
        color_system="standard" if options.color else None,
        width=options.width,
        highlight=False,
        soft_wrap=True,
        emoji=False,
    )


def render(result: CheckResult, options: ReportOptions) -> str:
    buffer = StringIO()
    console = text_console(buffer, options)
    analysis = result.analysis
    stats = analysis.stats
    console.print(
        f"[bold]archguard[/] · {escape(analysis.loaded.display_path)} · "
        f"{stats.files} files, {stats.imports} imports, {len(result.rules)} rules"
    )
    for (rule, rule_name), group in groupby(result.findings, key=lambda f: (f.rule, f.rule_name)):
        items = list(group)
        errors = sum(1 for f in items if f.severity == "error")
        warnings = len(items) - errors
        counts = ", ".join(
            part for part in (f"{errors} error{'s' * (errors != 1)}" if errors else "", f"{warnings} warning{'s' * (warnings != 1)}" if warnings else "") if part
        )
        title = rule if rule == rule_name else f"{rule} · {rule_name}"
        console.print()
        console.print(f"[bold]{escape(title)}[/] ({counts})")
        for finding in items:
            style = "red" if finding.severity == "error" else "yellow"
            console.print(f"  [cyan]{escape(_location(finding))}[/] [{style}]{finding.severity}[/] {escape(finding.message)}")
            if finding.import_text and not finding.chain:
                console.print(f"      [dim]{escape(finding.import_text)}[/]")
            if finding.chain:
                width = max(len(f"{hop.importer} -> {hop.imported}") for hop in finding.chain)
                for hop in finding.chain:
                    link = f"{hop.importer} -> {hop.imported}".ljust(width)
                    where = f"{hop.path}:{hop.line}" if hop.path else ""
                    console.print(f"      {escape(link)}  [cyan]{escape(where)}[/]  [dim]{escape(hop.text)}[/]")
            if finding.remedy and options.verbose:
                console.print(f"      [green]fix:[/] {escape(finding.remedy)}")
    if result.suppressed:
        console.print()
        console.print(f"[bold]suppressed[/] ({len(result.suppressed)})")
        for suppression in result.suppressed:
            finding = suppression.finding
            reason = f": {suppression.reason}" if suppression.reason else ""
            console.print(
                f"  [cyan]{escape(_location(finding))}[/] [dim]{escape(finding.rule_name)}[/] {escape(finding.message)} "
                f"[dim]({escape(suppression.source)}{escape(reason)})[/]"
            )
    console.print()
    errors, warnings = len(result.errors), len(result.warnings)
    rules_hit = len({f.rule_name for f in result.errors})
    if errors:
        console.print(
            f"[bold red]✗ {errors} error{'s' * (errors != 1)}[/] in {rules_hit} rule{'s' * (rules_hit != 1)}"
            + (f", {warnings} warning{'s' * (warnings != 1)}" if warnings else "")
            + (f", {len(result.suppressed)} suppressed" if result.suppressed else "")
        )
    else:
        console.print(
            "[bold green]✓ no errors[/]"
            + (f", {warnings} warning{'s' * (warnings != 1)}" if warnings else "")
            + (f", {len(result.suppressed)} suppressed" if result.suppressed else "")
        )
    return buffer.getvalue()
