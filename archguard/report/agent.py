"""The agent report: a compact, numbered, imperative list to paste back to a coding agent.

Each item says where (``path:line``, relative to the repository), what to do (the exact
statement to write instead when the remedy has one) and why (the rule and its reason), in
one line: an agent can act on it without reading archguard's documentation. Errors come
first, then warnings, each in file order; suppressed findings are left out.
"""

from __future__ import annotations

from archguard.engine.pipeline import CheckResult
from archguard.findings import SEVERITY_ORDER, Finding
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


def item(finding: Finding, options: ReportOptions, result: CheckResult) -> str:
    """One finding as one imperative line (without its number)."""
    remedy = finding.structured_remedy
    where = _where(finding, options, result)
    why = f"{_rule(finding)}: {remedy.reason}" if remedy.reason else _rule(finding)
    if remedy.edit is not None:
        return f"In {where} replace `{remedy.edit.old}` with `{remedy.edit.new}` ({why})."
    subject = f" (`{finding.import_text}`)" if finding.import_text and not finding.chain else ""
    text = f"In {where}{subject}: {_sentence(remedy.action)}. Found: {finding.message.rstrip('.')}"
    if finding.chain:
        text += "; imports: " + "; ".join(hop_text(hop, options.path_prefix) for hop in finding.chain)
    return f"{text} ({why})."


def render(result: CheckResult, options: ReportOptions) -> str:
    findings = sorted(result.findings, key=lambda f: (SEVERITY_ORDER[f.severity], f.path or "", f.line, f.column, f.rule, f.message))
    contract = options.repository_path(contract_path(result))
    if not findings:
        return f"archguard: the code keeps to the architecture contract ({contract}); nothing to fix.\n"
    errors = sum(1 for f in findings if f.severity == "error")
    head = f"archguard found {plural(errors, 'error')}" + (f" and {plural(len(findings) - errors, 'warning')}" if len(findings) > errors else "")
    lines = [f"{head} against the architecture contract {contract}. Fix them in order:", ""]
    for number, finding in enumerate(findings, 1):
        prefix = "" if finding.severity == "error" else "(warning) "
        lines.append(f"{number}. {prefix}{terminal(item(finding, options, result))}")
    lines += ["", "Then run `archguard check --format agent` again; do not silence a finding unless the contract owner agrees."]
    return "\n".join(lines) + "\n"
