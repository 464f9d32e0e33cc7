"""The agent report: a compact, numbered, imperative list to paste back to a coding agent.

One item per cause: an import statement that breaks several rules is one item that names
every rule it breaks (:mod:`archguard.findings.sites`). Each item says where (``path:line``,
relative to the repository), what to write or do instead (the exact statement when the remedy
has one) and which rules it satisfies, with their reasons; it never repeats the finding's
message back. Errors come first, then warnings, each in file order; with ``check --diff``,
the findings on lines the change added come before those it caused elsewhere (marked
``unlocated``); suppressed findings are left out.
"""

from __future__ import annotations

from archguard.engine.pipeline import CheckResult
from archguard.findings import SEVERITY_ORDER, Finding
from archguard.findings.sites import SiteGroup, group_by_site
from archguard.report import ReportOptions
from archguard.report.escape import terminal
from archguard.report.summary import contract_path, hop_text, plural


def _where(finding: Finding, options: ReportOptions, result: CheckResult) -> str:
    path = options.repository_path(finding.path) if finding.path else options.repository_path(contract_path(result))
    return f"{path}:{finding.line}" if finding.line else path


def _rule(finding: Finding) -> str:
    label = f"rule {finding.rule}"
    if finding.rule_name != finding.rule and not finding.rule_name.startswith(finding.rule + "#"):
        label += f' "{finding.rule_name}"'
    return label


def _sentence(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].upper() + text[1:] if text else text


def _why(finding: Finding) -> str:
    reason = finding.structured_remedy.reason
    return f"{_rule(finding)}: {reason}" if reason else _rule(finding)


def _action(group: SiteGroup) -> str:
    """What to do, as an imperative sentence; for a finding without a remedy of its own, the
    finding itself is what to review (said once)."""
    remedy = group.remedy()
    if remedy.kind == "review" and not group.first.remedy:
        return f"Review this: {group.first.message.rstrip('.')}"
    return _sentence(remedy.action)


def item(group: SiteGroup, options: ReportOptions, result: CheckResult) -> str:
    """One cause as one imperative line (without its number)."""
    first = group.first
    where = _where(first, options, result)
    remedy = group.remedy()
    reasons = "; ".join(dict.fromkeys(_why(f) for f in group.findings))
    breaks = f"it breaks {plural(len(group.rule_titles()), 'rule')}: {reasons}" if group.several else reasons
    if remedy.edit is not None:
        return f"In {where} replace `{remedy.edit.old}` with `{remedy.edit.new}` ({breaks})."
    subject = f" (`{first.import_text}`)" if first.import_text else ""
    text = f"In {where}{subject}: {_action(group)}"
    chains = [f for f in group.findings if f.chain]
    if chains:
        text += ". Imports: " + " | ".join("; ".join(hop_text(hop, options.path_prefix) for hop in f.chain) for f in chains)
    return f"{text} ({breaks})."


def render(result: CheckResult, options: ReportOptions) -> str:
    findings = sorted(result.findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.path or "", f.line, f.column, f.rule, f.message))
    contract = options.repository_path(contract_path(result))
    if not findings:
        return f"archguard: the code keeps to the architecture contract ({contract}); nothing to fix.\n"
    groups = group_by_site(findings)
    # Stable: file order within each level; what the change wrote before what it caused elsewhere.
    groups.sort(key=lambda g: (SEVERITY_ORDER[g.severity], all(dict(f.details).get("unlocated") for f in g.findings)))
    errors = sum(1 for f in findings if f.severity == "error")
    what = f"{plural(errors, 'error')}" + (f" and {plural(len(findings) - errors, 'warning')}" if len(findings) > errors else "")
    places = f" in {plural(len(groups), 'place')}" if len(groups) < len(findings) else ""
    lines = [f"archguard found {what}{places} against the architecture contract {contract}. Fix them in order:", ""]
    for number, group in enumerate(groups, 1):
        prefix = "" if group.severity == "error" else "(warning) "
        lines.append(f"{number}. {prefix}{terminal(item(group, options, result))}")
    lines += ["", "Then run `archguard check --format agent` again; do not silence a finding unless the contract owner agrees."]
    return "\n".join(lines) + "\n"
