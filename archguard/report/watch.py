"""What changed between two runs of ``archguard check --watch``: new and resolved findings.

Findings are matched by fingerprint and count (as baselines and diff mode match them), so a
line shift or an unrelated edit changes nothing. Two formats: ``text`` (one ``+``/``-`` line
per finding, with the remedy under each new one) and ``agent`` (the new findings as the agent
report's numbered imperative items, then the resolved ones named once).
"""

from __future__ import annotations

from dataclasses import dataclass

from archguard.engine.pipeline import CheckResult
from archguard.findings import SEVERITY_ORDER, Finding
from archguard.findings.matching import match_findings
from archguard.findings.sites import group_by_site
from archguard.report import ReportOptions
from archguard.report.agent import item
from archguard.report.escape import terminal
from archguard.report.summary import location, plural

WATCH_FORMATS = ("text", "agent")


@dataclass(frozen=True)
class Changes:
    new: list[Finding]
    resolved: list[Finding]


def changes(before: list[Finding], after: list[Finding]) -> Changes:
    """The findings of ``after`` that ``before`` did not have, and those of ``before`` that are gone."""
    match = match_findings(after, [f.fingerprint for f in before])
    return Changes(new=_ordered(match.new), resolved=_ordered([before[i] for i in match.gone]))


def _ordered(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.path or "", f.line, f.column, f.rule, f.message))


def _totals(result: CheckResult) -> str:
    errors = len(result.errors)
    warnings = len(result.warnings)
    text = plural(errors, "error")
    if warnings:
        text += f", {plural(warnings, 'warning')}"
    return text


def render(found: Changes, result: CheckResult, options: ReportOptions, output_format: str) -> str:
    """The report of one re-run (``output_format``: one of :data:`WATCH_FORMATS`)."""
    if output_format == "agent":
        return _agent(found, result, options)
    return _text(found, result, options)


def _text(found: Changes, result: CheckResult, options: ReportOptions) -> str:
    head = f"archguard: {len(found.new)} new, {len(found.resolved)} resolved (now {_totals(result)})"
    lines = [head]
    for finding in found.new:
        lines.append(f"  + {location(finding, options.path_prefix)} {finding.severity} {finding.rule} · {finding.rule_name}: {finding.message}")
        remedy = finding.structured_remedy.action
        if remedy:
            lines.append(f"      remedy: {remedy}")
    for finding in found.resolved:
        lines.append(f"  - {location(finding, options.path_prefix)} {finding.rule} · {finding.rule_name}: {finding.message}")
    return "\n".join(terminal(line) for line in lines) + "\n"


def _agent(found: Changes, result: CheckResult, options: ReportOptions) -> str:
    if not found.new and not found.resolved:
        return f"archguard: nothing changed since the last check ({_totals(result)}).\n"
    lines: list[str] = []
    if found.new:
        groups = group_by_site(found.new)
        lines.append(f"archguard: your last edit added {plural(len(found.new), 'finding')}. Fix them in order:")
        for number, group in enumerate(groups, 1):
            prefix = "" if group.severity == "error" else "(warning) "
            lines.append(f"{number}. {prefix}{terminal(item(group, options, result))}")
    if found.resolved:
        places = ", ".join(dict.fromkeys(terminal(location(f, options.path_prefix)) for f in found.resolved))
        lines.append(f"Resolved since the last check: {plural(len(found.resolved), 'finding')} ({places}).")
    lines.append(f"Now: {_totals(result)} in all.")
    return "\n".join(lines) + "\n"
