"""A Markdown report, concise enough for a pull-request comment or a CI job summary.

The report is a sequence of sections, each a pure function of the result returning its lines
(nothing when it has nothing to say): the verdict, the rules with their counts, the findings as
a table (linked to their lines when ``ReportOptions.source_url`` is known; past ``OPEN_ROWS``
rows the rest is collapsed in ``<details>``), then the suppressed findings, collapsed. A new
section (such as the architecture delta of ``check --diff``) is one more function in
``SECTIONS``.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from archguard.engine.pipeline import CheckResult
from archguard.findings import Finding, Hop
from archguard.findings.sites import SiteGroup, group_by_site, in_file_order
from archguard.report import ReportOptions
from archguard.report.escape import terminal
from archguard.report.summary import checked, contract_path, plural, rule_rows, verdict
from archguard.rules.duplication import is_within_component_clone

OPEN_ROWS = 10  # findings shown before the rest is collapsed

_MARKDOWN_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_[]|~"} | {"<": "&lt;", "&": "&amp;", "\n": "<br>", "\r": ""})


def text(value: str) -> str:
    """Plain text made safe for Markdown, table cells included."""
    return terminal(value.translate(_MARKDOWN_SPECIAL))


def code(value: str) -> str:
    """An inline code span, safe in a table cell."""
    value = terminal(value.replace("\n", " ").replace("|", "\\|"))
    fence = "``" if "`" in value else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{value}{pad}{fence}"


def _link(label: str, path: str | None, line: int, options: ReportOptions) -> str:
    if not path or not options.source_url:
        return label
    url = f"{options.source_url.rstrip('/')}/{quote(options.repository_path(path))}"
    if line:
        url += f"#L{line}"
    return f"[{label}]({url})"


def _where(finding: Finding, options: ReportOptions) -> str:
    if not finding.path:
        return "–"
    path = options.repository_path(finding.path)
    label = code(f"{path}:{finding.line}" if finding.line else path)
    return _link(label, finding.path, finding.line, options)


def _hop(hop: Hop, options: ReportOptions) -> str:
    label = code(f"{hop.importer} -> {hop.imported}")
    return _link(label, hop.path, hop.line, options)


def _cell(finding: Finding, options: ReportOptions) -> str:
    parts = [text(finding.message)]
    if finding.chain:
        parts.append("via " + " → ".join(_hop(hop, options) for hop in finding.chain))
    elif finding.import_text:
        parts.append(code(finding.import_text))
    return "<br>".join(parts)


def _group_cell(group: SiteGroup, options: ReportOptions) -> str:
    if not group.several:
        return _cell(group.first, options)
    parts = [code(group.import_text or "")]
    for finding in group.findings:
        part = f"**{text(finding.rule_name)}**: {text(finding.message)}"
        if finding.chain:
            part += " via " + " → ".join(_hop(hop, options) for hop in finding.chain)
        parts.append(part)
    return "<br>".join(parts)


def _rows(groups: list[SiteGroup], options: ReportOptions) -> list[str]:
    """One row per cause: an import that breaks several rules is one row naming each."""
    rows = ["| | where | rule | finding |", "| --- | --- | --- | --- |"]
    for group in groups:
        mark = "❌" if group.severity == "error" else "⚠️"
        rules = "<br>".join(dict.fromkeys(text(f.rule_name) for f in group.findings))
        rows.append(f"| {mark} | {_where(group.first, options)} | {rules} | {_group_cell(group, options)} |")
    return rows


def heading(result: CheckResult, options: ReportOptions) -> list[str]:
    stats = result.analysis.stats
    mark = "❌" if result.errors else "✅"
    contract = code(options.repository_path(contract_path(result)))
    return [
        f"### {mark} archguard: {text(verdict(result)[2:])}",
        "",
        f"{contract} · {plural(stats.files, 'file')} · {plural(stats.imports, 'import')} · {checked(result)}",
    ]


def rules_table(result: CheckResult, options: ReportOptions) -> list[str]:
    rows = rule_rows(result)
    hit = [row for row in rows if row.findings or row.suppressed]
    passed = [row for row in rows if not (row.findings or row.suppressed)]
    lines = []
    if hit:
        lines += ["| rule | kind | errors | warnings | suppressed |", "| --- | --- | ---: | ---: | ---: |"]
        for row in hit:
            mark = "❌" if row.errors else ("⚠️" if row.warnings else "✅")
            lines.append(f"| {mark} {text(row.name)} | {text(row.kind)} | {row.errors} | {row.warnings} | {row.suppressed} |")
    if passed:
        names = ", ".join(text(row.name) for row in passed)
        lines += [*([""] if lines else []), f"✅ {plural(len(passed), 'rule')} passed: {names}"]
    return lines


def findings_table(result: CheckResult, options: ReportOptions) -> list[str]:
    """The findings, the first rows open; clone groups within one component (warnings) are
    counted on one line unless ``clone_detail`` asks for each (``check --all-clones``)."""
    findings = list(result.findings)
    counted = 0
    if not options.clone_detail:
        kept = [f for f in findings if not (f.severity == "warning" and is_within_component_clone(f))]
        counted, findings = len(findings) - len(kept), kept
    groups = group_by_site(in_file_order(findings))
    lines = _rows(groups[:OPEN_ROWS], options) if groups else []
    rest = groups[OPEN_ROWS:]
    if rest:
        count = sum(len(group.findings) for group in rest)
        lines += ["", "<details>", f"<summary>{plural(count, 'more finding')}</summary>", "", *_rows(rest, options), "", "</details>"]
    if counted:
        lines += [*([""] if lines else []), f"⚠️ {plural(counted, 'clone group')} within components (warnings): `archguard dupes` lists them"]
    return lines


def suppressed_list(result: CheckResult, options: ReportOptions) -> list[str]:
    if not result.suppressed:
        return []
    lines = ["<details>", f"<summary>{len(result.suppressed):,} suppressed</summary>", ""]
    for suppression in result.suppressed:
        finding = suppression.finding
        reason = f": {text(suppression.reason)}" if suppression.reason else ""
        where = _where(finding, options)
        lines.append(f"- {where} {text(finding.rule_name)}: {text(finding.message)} ({text(suppression.source)}{reason})")
    return [*lines, "", "</details>"]


Section = Callable[[CheckResult, ReportOptions], list[str]]
SECTIONS: tuple[Section, ...] = (heading, rules_table, findings_table, suppressed_list)


def render(result: CheckResult, options: ReportOptions) -> str:
    blocks = [lines for section in SECTIONS if (lines := section(result, options))]
    return "\n\n".join("\n".join(block) for block in blocks) + "\n"
