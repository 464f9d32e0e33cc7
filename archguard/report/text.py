"""The terminal report (rich): one entry per cause, readable in a terminal and a CI log.

Findings are listed in file order, one entry per import statement: an import that breaks
several rules is one entry that lists each rule (:mod:`archguard.findings.sites`). Clone
groups within one component that are warnings are counted on one line unless
``clone_detail`` asks for each. ``quiet`` prints the errors alone; ``verbose`` adds each
finding's remedy and the rules that passed. The last line is a one-line summary (``✗ 3 errors in 2 rules · 1,204 files``); the wall
time and cache counts join it only when ``timing`` is set (the CLI sets it on a terminal), so
captured output stays byte-identical across runs.
"""

from __future__ import annotations

from io import StringIO
from typing import TYPE_CHECKING

from archguard.engine.pipeline import CheckResult
from archguard.findings import Finding
from archguard.findings.sites import SiteGroup, group_by_site, in_file_order, rule_title
from archguard.report import ReportOptions
from archguard.report.escape import terminal
from archguard.report.gate_text import print_baseline, print_diff_header, print_diff_sections
from archguard.report.summary import checked, location, plural, rule_rows, verdict
from archguard.rules.base import Rule
from archguard.rules.duplication import is_within_component_clone

if TYPE_CHECKING:
    from rich.console import Console


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


Segment = str | tuple[str, str]  # plain text, or (text, rich style)


class _Lines:
    """Collects lines of styled segments.

    Without colour the text is joined directly; with colour rich renders it in one call.
    (rich costs about a millisecond per printed line, which a report of thousands of findings
    in a CI log would pay for nothing.)
    """

    def __init__(self) -> None:
        self.lines: list[tuple[Segment, ...]] = []

    def print(self, *segments: Segment) -> None:
        # Every segment may hold names from the analysed tree: no control character gets through
        # (one check of the whole line first: most lines have nothing to escape).
        if not "".join(s if isinstance(s, str) else s[0] for s in segments).isprintable():
            segments = tuple(terminal(s) if isinstance(s, str) else (terminal(s[0]), s[1]) for s in segments)
        self.lines.append(segments)

    def plain(self) -> str:
        return "".join("".join(s if isinstance(s, str) else s[0] for s in line) + "\n" for line in self.lines)

    def styled(self, options: ReportOptions) -> str:
        from rich.console import Console
        from rich.text import Text

        text = Text()
        for line in self.lines:
            for segment in line:
                if isinstance(segment, str):
                    text.append(segment)
                else:
                    text.append(segment[0], style=segment[1])
            text.append("\n")
        buffer = StringIO()
        console = Console(
            file=buffer,
            force_terminal=True,
            color_system="standard",
            width=options.width,
            highlight=False,
            soft_wrap=True,
            emoji=False,
        )
        console.print(text, end="")
        return buffer.getvalue()


Lines = _Lines  # the collector, for the other text reports (archguard.report.gate_text)


def text_console(buffer: StringIO, options: ReportOptions) -> Console:
    """A rich console writing plain or coloured text into ``buffer``, for short reports written with rich markup."""
    from rich.console import Console

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


def shown_findings(result: CheckResult, options: ReportOptions) -> tuple[list[Finding], list[Finding]]:
    """(findings listed one by one, within-component clone warnings only counted). With
    ``quiet``, only errors are listed."""
    listed, summarised = list(result.findings), []
    if not options.clone_detail:
        summarised = [f for f in listed if f.severity == "warning" and is_within_component_clone(f)]
        listed = [f for f in listed if not (f.severity == "warning" and is_within_component_clone(f))]
    if options.quiet:
        listed = [f for f in listed if f.severity == "error"]
    return listed, summarised


def _print_details(console: _Lines, finding: Finding, indent: str, with_import: bool) -> None:
    if finding.import_text and not finding.chain and with_import:
        console.print(indent, (finding.import_text, "dim"))
    if finding.chain:
        width = max(len(f"{hop.importer} -> {hop.imported}") for hop in finding.chain)
        for hop in finding.chain:
            link = f"{hop.importer} -> {hop.imported}".ljust(width)
            where = f"{hop.path}:{hop.line}" if hop.path else ""
            console.print(indent, link, "  ", (where, "cyan"), "  ", (hop.text, "dim"))


def _print_entry(console: _Lines, group: SiteGroup, verbose: bool) -> None:
    """One cause: a finding, or an import statement with every rule it breaks."""
    first = group.first
    style = "red" if group.severity == "error" else "yellow"
    if not group.several:
        console.print("  ", (location(first), "cyan"), " ", (first.severity, style), " ", (rule_title(first), "bold"), ": ", first.message)
        _print_details(console, first, "      ", with_import=True)
    else:
        console.print("  ", (location(first), "cyan"), " ", (group.severity, style), " ", (group.import_text or "", "dim"), f" {group.summary()}")
        for finding in group.findings:
            level = "" if finding.severity == group.severity else f"({finding.severity}) "
            console.print("      ", level, (rule_title(finding), "bold"), ": ", finding.message)
            _print_details(console, finding, "          ", with_import=False)
    remedy = group.remedy()
    if verbose and (first.remedy or remedy.kind != "review"):
        console.print("      ", ("fix:", "green"), " ", remedy.action)


def render(result: CheckResult, options: ReportOptions) -> str:
    console = _Lines()
    _render(result, options, console)
    return finish(console, options)


def finish(console: _Lines, options: ReportOptions) -> str:
    """The collected lines as text: styled with colour, joined directly without."""
    if not console.lines:
        return ""
    return console.styled(options) if options.color else console.plain()


def _render(result: CheckResult, options: ReportOptions, console: _Lines) -> None:
    analysis = result.analysis
    stats = analysis.stats
    contracts = [rule for rule in result.rules if rule.reports_verdict]
    if not options.quiet:
        source = analysis.loaded.notice or analysis.loaded.display_path
        console.print(("archguard", "bold"), f" · {source} · {plural(stats.files, 'file')}, {plural(stats.imports, 'import')}, {checked(result)}")
        if contracts:
            _print_verdicts(console, result, contracts)
        if result.diff is not None:
            print_diff_header(console, result.diff)
    listed, summarised = shown_findings(result, options)
    if result.findings and not options.quiet:
        console.print()
        console.print(("findings", "bold"), f" ({_counts(result.findings)})")
    for group in group_by_site(in_file_order(listed)):
        _print_entry(console, group, options.verbose)
    if options.quiet:
        return
    if summarised:
        console.print(
            "  ", (plural(len(summarised), "clone group"), "yellow"),
            " within components (warnings): `archguard dupes` lists them; `archguard check --all-clones` lists them here",
        )
    if result.suppressed:
        console.print()
        console.print(("suppressed", "bold"), f" ({len(result.suppressed)})")
        for suppression in result.suppressed:
            finding = suppression.finding
            reason = f": {suppression.reason}" if suppression.reason else ""
            console.print(
                "  ", (location(finding), "cyan"), " ", (finding.rule_name, "dim"), f" {finding.message} ",
                (f"({suppression.source}{reason})", "dim"),
            )
    if options.verbose:
        passed = [row for row in rule_rows(result) if row.findings == 0]
        if passed:
            console.print()
            console.print(("passed", "bold"), f" ({len(passed)})")
            for row in passed:
                title = row.kind if row.kind == row.name else f"{row.kind} · {row.name}"
                console.print("  ", ("✓", "green"), f" {title}")
    if result.diff is not None:
        print_diff_sections(console, result.diff)
    if result.baseline is not None:
        print_baseline(console, result.baseline)
    console.print()
    style = "bold red" if result.errors else "bold green"
    head, _, rest = summary_line(result, options.timing).partition(" · ")
    console.print((head, style), f" · {rest}")


def _print_verdicts(console: _Lines, result: CheckResult, contracts: list[Rule]) -> None:
    """KEPT or BROKEN for each contract (import-linter's summary)."""
    console.print()
    broken = 0
    for rule in contracts:
        findings = [f for f in result.findings if f.rule_name == rule.name and f.rule == rule.kind]
        errors = sum(1 for f in findings if f.severity == "error")
        ignored = getattr(rule, "ignored_import_count", 0)
        notes = [
            plural(ignored, "ignored import") if ignored else "",
            plural(errors, "error") if errors else "",
            plural(len(findings) - errors, "warning") if len(findings) > errors else "",
        ]
        suffix = ", ".join(note for note in notes if note)
        verdict_text = ("BROKEN", "bold red") if errors else ("KEPT", "bold green")
        broken += bool(errors)
        console.print(f"  {rule.name} ", verdict_text, f" ({suffix})" if suffix else "")
        if errors and rule.description:
            for line in rule.description.strip().splitlines():
                console.print("      ", (line, "dim"))
    console.print(f"Contracts: {len(contracts) - broken} kept, {broken} broken.")
