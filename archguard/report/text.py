"""The terminal report (rich): findings grouped by rule, readable in a terminal and a CI log.

``quiet`` prints the findings alone; ``verbose`` adds each finding's remedy and the rules that
passed. The last line is a one-line summary (``✗ 3 errors in 2 rules · 1,204 files``); the wall
time and cache counts join it only when ``timing`` is set (the CLI sets it on a terminal), so
captured output stays byte-identical across runs.
"""

from __future__ import annotations

from io import StringIO
from itertools import groupby

from rich.console import Console
from rich.markup import escape

from archguard.engine import CheckResult
from archguard.findings import Finding
from archguard.report import ReportOptions
from archguard.report.summary import location, plural, rule_rows, verdict


def summary_line(result: CheckResult, timing: bool) -> str:
    """The last line: verdict, size of the tree and, when asked, the time taken (plain text)."""
    stats = result.analysis.stats
    parts = [verdict(result), plural(stats.files, "file")]
    if timing:
        parts.append(f"{stats.seconds:.1f} s ({stats.cached:,} cached)")
    return " · ".join(parts)


def _counts(items: list[Finding]) -> str:
    errors = sum(1 for f in items if f.severity == "error")
    warnings = len(items) - errors
    return ", ".join(part for part in (plural(errors, "error") if errors else "", plural(warnings, "warning") if warnings else "") if part)


class _Lines:
    """Collects markup lines; rich renders them in one call (one call per line costs ~1 ms)."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def print(self, line: str = "") -> None:
        self.lines.append(line)


def _print_finding(console: _Lines, finding: Finding, verbose: bool) -> None:
    style = "red" if finding.severity == "error" else "yellow"
    console.print(f"  [cyan]{escape(location(finding))}[/] [{style}]{finding.severity}[/] {escape(finding.message)}")
    if finding.import_text and not finding.chain:
        console.print(f"      [dim]{escape(finding.import_text)}[/]")
    if finding.chain:
        width = max(len(f"{hop.importer} -> {hop.imported}") for hop in finding.chain)
        for hop in finding.chain:
            link = f"{hop.importer} -> {hop.imported}".ljust(width)
            where = f"{hop.path}:{hop.line}" if hop.path else ""
            console.print(f"      {escape(link)}  [cyan]{escape(where)}[/]  [dim]{escape(hop.text)}[/]")
    if finding.remedy and verbose:
        console.print(f"      [green]fix:[/] {escape(finding.remedy)}")


def render(result: CheckResult, options: ReportOptions) -> str:
    console = _Lines()
    _render(result, options, console)
    buffer = StringIO()
    rich_console = Console(
        file=buffer,
        force_terminal=options.color,
        no_color=not options.color,
        color_system="standard" if options.color else None,
        width=options.width,
        highlight=False,
        soft_wrap=True,
        emoji=False,
    )
    if console.lines:
        rich_console.print("\n".join(console.lines))
    return buffer.getvalue()


def _render(result: CheckResult, options: ReportOptions, console: _Lines) -> None:
    analysis = result.analysis
    stats = analysis.stats
    if not options.quiet:
        console.print(
            f"[bold]archguard[/] · {escape(analysis.loaded.display_path)} · "
            f"{plural(stats.files, 'file')}, {plural(stats.imports, 'import')}, {plural(len(result.rules), 'rule')}"
        )
    first = options.quiet
    for (rule, rule_name), group in groupby(result.findings, key=lambda f: (f.rule, f.rule_name)):
        items = list(group)
        title = rule if rule == rule_name else f"{rule} · {rule_name}"
        if not first:
            console.print()
        first = False
        console.print(f"[bold]{escape(title)}[/] ({_counts(items)})")
        for finding in items:
            _print_finding(console, finding, options.verbose)
    if options.quiet:
        return
    if result.suppressed:
        console.print()
        console.print(f"[bold]suppressed[/] ({len(result.suppressed)})")
        for suppression in result.suppressed:
            finding = suppression.finding
            reason = f": {suppression.reason}" if suppression.reason else ""
            console.print(
                f"  [cyan]{escape(location(finding))}[/] [dim]{escape(finding.rule_name)}[/] {escape(finding.message)} "
                f"[dim]({escape(suppression.source)}{escape(reason)})[/]"
            )
    if options.verbose:
        passed = [row for row in rule_rows(result) if row.findings == 0]
        if passed:
            console.print()
            console.print(f"[bold]passed[/] ({len(passed)})")
            for row in passed:
                title = row.kind if row.kind == row.name else f"{row.kind} · {row.name}"
                console.print(f"  [green]✓[/] {escape(title)}")
    console.print()
    style = "bold red" if result.errors else "bold green"
    head, _, rest = summary_line(result, options.timing).partition(" · ")
    console.print(f"[{style}]{escape(head)}[/] · {escape(rest)}")
