"""JUnit XML for test-report viewers (GitLab merge requests, Jenkins, Azure Pipelines).

One test suite for the contract. Each cause at error level is a failed test case: a finding,
or an import statement with every rule it breaks in one ``<failure>``
(:mod:`archguard.findings.sites`), so one bad import is one failure, not one per rule. Every
rule without an error is a passed test case; its warnings and suppressed findings are listed
in its ``<system-out>``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from archguard.engine.pipeline import CheckResult
from archguard.findings import Finding
from archguard.findings.sites import group_by_site, in_file_order, rule_title
from archguard.report import ReportOptions
from archguard.report.escape import terminal
from archguard.report.summary import contract_path, hop_text, location, rule_rows

# Characters that XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _clean(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _attribute(text: str) -> str:
    """An attribute value from the tree or the contract (a rule's name, a path): control
    characters shown as escapes, as in the text report."""
    return _clean(terminal(text))


def _finding_text(finding: Finding, prefix: str) -> str:
    lines = [f"{location(finding, prefix)} {finding.severity} {finding.message}"]
    if finding.chain:
        lines += [f"    {hop_text(hop, prefix)}" for hop in finding.chain]
    elif finding.import_text:
        lines.append(f"    {finding.import_text}")
    if finding.remedy:
        lines.append(f"    fix: {finding.remedy}")
    return "\n".join(terminal(line) for line in lines)  # a name's newline never starts a line of its own


def render(result: CheckResult, options: ReportOptions) -> str:
    prefix = options.path_prefix
    rows = [row for row in rule_rows(result) if row.passed]
    failing = [group for group in group_by_site(in_file_order(result.findings)) if group.severity == "error"]
    total = len(rows) + len(failing)
    counts = {"tests": str(total), "failures": str(len(failing)), "errors": "0", "skipped": "0", "time": "0"}
    contract = options.repository_path(contract_path(result))
    suites = ET.Element("testsuites", {"name": "archguard", **counts})
    suite = ET.SubElement(suites, "testsuite", {"name": _attribute(f"archguard: {contract}"), **counts})
    for group in failing:
        first = group.first
        errors = [f for f in group.findings if f.severity == "error"]
        subject = group.import_text if group.several else first.message
        name = _attribute(f"{location(first, prefix)} {subject}")
        case = ET.SubElement(suite, "testcase", {"classname": _attribute(f"archguard.{errors[0].rule}"), "name": name, "time": "0"})
        if first.path:
            case.set("file", _attribute(prefix + first.path))
            if first.line:
                case.set("line", str(first.line))
        titles = group.rule_titles()
        message = f"{group.summary()}: {', '.join(titles)}" if group.several else f"{rule_title(first)}: {first.message}"
        failure = ET.SubElement(case, "failure", {"type": _attribute(", ".join(dict.fromkeys(f.rule for f in errors))), "message": _attribute(message)})
        failure.text = _clean("\n\n".join(f"{terminal(rule_title(f))}: {_finding_text(f, prefix)}" for f in group.findings) + "\n")
    reported = {id(f) for group in failing for f in group.findings}  # each finding in one case only
    for row in rows:
        findings = [f for f in result.findings if f.rule_name == row.name and id(f) not in reported]
        case = ET.SubElement(suite, "testcase", {"classname": _attribute(f"archguard.{row.kind}"), "name": _attribute(row.name), "time": "0"})
        notes = [_finding_text(f, prefix) for f in findings if f.severity != "error"]
        notes += [
            f"suppressed ({s.source}{': ' + s.reason if s.reason else ''}): {_finding_text(s.finding, prefix)}"
            for s in result.suppressed
            if s.finding.rule_name == row.name
        ]
        if notes:
            ET.SubElement(case, "system-out").text = _clean("\n\n".join(notes) + "\n")
    ET.indent(suites)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
