"""JUnit XML for test-report viewers (GitLab merge requests, Jenkins, Azure Pipelines).

One test suite for the contract and one test case per rule of the run: a rule with findings
at error level fails, with one ``<failure>`` whose text lists every finding (location,
message, chain) so that viewers that show one failure per case still show them all. Warnings
and suppressed findings do not fail a case; they are listed in its ``<system-out>``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

from archguard.engine.pipeline import CheckResult
from archguard.findings import Finding
from archguard.report import ReportOptions
from archguard.report.escape import terminal
from archguard.report.summary import contract_path, hop_text, location, plural, rule_rows

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
    rows = rule_rows(result)
    failures = sum(1 for row in rows if not row.passed)
    counts = {"tests": str(len(rows)), "failures": str(failures), "errors": "0", "skipped": "0", "time": "0"}
    contract = options.repository_path(contract_path(result))
    suites = ET.Element("testsuites", {"name": "archguard", **counts})
    suite = ET.SubElement(suites, "testsuite", {"name": _attribute(f"archguard: {contract}"), **counts})
    for row in rows:
        findings = [f for f in result.findings if f.rule_name == row.name]
        case = ET.SubElement(suite, "testcase", {"classname": _attribute(f"archguard.{row.kind}"), "name": _attribute(row.name), "time": "0"})
        errors = [f for f in findings if f.severity == "error"]
        if errors:
            first = errors[0]
            if first.path:
                case.set("file", _attribute(prefix + first.path))
                if first.line:
                    case.set("line", str(first.line))
            message = f"{plural(len(errors), 'error')}: {first.message}"
            failure = ET.SubElement(case, "failure", {"type": _attribute(row.kind), "message": _attribute(message)})
            failure.text = _clean("\n\n".join(_finding_text(f, prefix) for f in errors) + "\n")
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
