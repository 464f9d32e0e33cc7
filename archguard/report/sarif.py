"""SARIF 2.1.0 for code-scanning hosts (GitHub code scanning, Azure DevOps, IDE viewers).

One rule descriptor per archguard rule kind, with the rule's own documentation as help; one
result per finding, located relative to the repository root (``uriBaseId`` ``%SRCROOT%``),
with archguard's fingerprint as ``partialFingerprints``, the import statement it is about as
the ``site`` property (shared by the results of every rule that one import breaks) so the host tracks a finding across
commits, a related location for each hop of an indirect chain or cycle, ``fixes`` (the import
statement's region and the statement to write instead) where the remedy has an exact edit,
the structured remedy in the result's properties, and suppressed findings as results carrying
their suppression.
"""

from __future__ import annotations

import json
from collections import Counter
from typing import Any
from urllib.parse import quote

from archguard import __version__
from archguard.engine.dialects import all_rule_types
from archguard.engine.pipeline import CheckResult
from archguard.engine.suppress import RUN_FINDING_DOCS
from archguard.findings import Edit, Finding, Hop, Related, Suppression
from archguard.report import DOCS_URL, RULES_URL, ReportOptions
from archguard.report.summary import contract_path, repository_path
from archguard.rules.base import RuleDoc

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "archguard/v1"

def rule_docs(result: CheckResult) -> list[RuleDoc]:
    """Every rule kind's documentation: the registry's rules, the run's own findings, then any
    kind a finding names that neither knows (sorted)."""
    docs = [rule.doc() for rule in all_rule_types()] + list(RUN_FINDING_DOCS)
    known = {doc.kind for doc in docs}
    seen = sorted({f.rule for f in result.findings} | {s.finding.rule for s in result.suppressed})
    docs += [RuleDoc(kind=kind, summary=f"archguard '{kind}' findings.", why="", fix="", example="") for kind in seen if kind not in known]
    return docs


def _pascal(kind: str) -> str:
    return "".join(part.capitalize() for part in kind.replace("_", "-").split("-"))


def _help_text(doc: RuleDoc) -> str:
    parts = [doc.summary]
    if doc.why:
        parts.append(f"Why: {doc.why}")
    if doc.fix:
        parts.append(f"Fix: {doc.fix}")
    if doc.example:
        parts.append(f"Example:\n{doc.example}")
    return "\n\n".join(parts)


def rule_descriptor(doc: RuleDoc) -> dict[str, Any]:
    full = f"{doc.summary} {doc.why[:1].upper()}{doc.why[1:]}".strip()
    return {
        "id": doc.kind,
        "name": _pascal(doc.kind),
        "shortDescription": {"text": doc.summary},
        "fullDescription": {"text": full},
        "help": {"text": _help_text(doc), "markdown": doc.markdown},
        "helpUri": RULES_URL,
        "defaultConfiguration": {"level": "error"},
        "properties": {"tags": ["architecture", "maintainability"]},
    }


def _artifact(path: str) -> dict[str, Any]:
    return {"uri": quote(path), "uriBaseId": SRCROOT}


def _region(line: int, column: int, end_line: int) -> dict[str, Any]:
    region: dict[str, Any] = {"startLine": line}
    if column:
        region["startColumn"] = column
    if end_line and end_line >= line:
        region["endLine"] = end_line
    return region


def _location(finding: Finding, result: CheckResult, options: ReportOptions) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": _artifact(repository_path(finding, result, options.path_prefix))}
    if finding.path and finding.line:
        physical["region"] = _region(finding.line, finding.column, finding.end_line)
    return {"physicalLocation": physical}


def _hop_location(index: int, hop: Hop, options: ReportOptions) -> dict[str, Any]:
    location: dict[str, Any] = {"id": index, "message": {"text": f"{hop.importer} -> {hop.imported}: {hop.text}"}}
    if hop.path:
        physical: dict[str, Any] = {"artifactLocation": _artifact(options.repository_path(hop.path))}
        if hop.line:
            physical["region"] = _region(hop.line, hop.column, hop.line)
        location["physicalLocation"] = physical
    return location


def _related_location(index: int, place: Related, options: ReportOptions) -> dict[str, Any]:
    """Another copy of a clone: its file and lines."""
    region = {"startLine": place.line, "startColumn": 1, "endLine": max(place.line, place.end_line)}
    return {
        "id": index,
        "message": {"text": place.label},
        "physicalLocation": {"artifactLocation": _artifact(options.repository_path(place.path)), "region": region},
    }


def _fix(description: str, edit: Edit, options: ReportOptions) -> dict[str, Any]:
    """A SARIF fix: the import statement's exact region replaced by the statement to write."""
    region = {"startLine": edit.line, "startColumn": edit.column, "endLine": edit.end_line, "endColumn": edit.end_column}
    return {
        "description": {"text": description},
        "artifactChanges": [
            {
                "artifactLocation": _artifact(options.repository_path(edit.path)),
                "replacements": [{"deletedRegion": region, "insertedContent": {"text": edit.new}}],
            }
        ],
    }


def _message(finding: Finding) -> str:
    text = finding.message
    if finding.chain:
        # "[text](id)" links point at the related locations, one per hop.
        links = ", ".join(f"[{hop.importer} -> {hop.imported}]({index})" for index, hop in enumerate(finding.chain, 1))
        text += f". Chain: {links}"
    if finding.remedy:
        text += f". Fix: {finding.remedy}"
    return text


def _result(
    finding: Finding,
    rule_index: dict[str, int],
    occurrence: int,
    result: CheckResult,
    options: ReportOptions,
    suppression: Suppression | None = None,
) -> dict[str, Any]:
    fingerprint = finding.fingerprint if occurrence == 1 else f"{finding.fingerprint}:{occurrence}"
    data: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index[finding.rule],
        "level": finding.severity,
        "message": {"text": _message(finding)},
        "locations": [_location(finding, result, options)],
        "partialFingerprints": {FINGERPRINT_KEY: fingerprint},
    }
    if finding.chain:
        data["relatedLocations"] = [_hop_location(index, hop, options) for index, hop in enumerate(finding.chain, 1)]
    elif finding.related:
        data["relatedLocations"] = [_related_location(index, place, options) for index, place in enumerate(finding.related, 1)]
    remedy = finding.structured_remedy
    if remedy.edit is not None:
        data["fixes"] = [_fix(remedy.action, remedy.edit, options)]
    if suppression is not None:
        in_source = suppression.source.startswith("pragma")
        entry: dict[str, Any] = {"kind": "inSource" if in_source else "external", "status": "accepted"}
        if suppression.reason:
            entry["justification"] = suppression.reason
        data["suppressions"] = [entry]
    properties: dict[str, Any] = {"rule": finding.rule_name, "kind": finding.kind}
    if finding.site:
        properties["site"] = finding.site  # shared by the results of several rules about one import
    for key, value in (("importer", finding.importer), ("imported", finding.imported), ("import", finding.import_text)):
        if value:
            properties[key] = value
    properties["fix"] = remedy.to_json()
    if suppression is not None:
        properties["suppressedBy"] = suppression.source
    data["properties"] = properties
    return data


def report_data(result: CheckResult, options: ReportOptions) -> dict[str, Any]:
    docs = rule_docs(result)
    rule_index = {doc.kind: index for index, doc in enumerate(docs)}
    occurrences: Counter[str] = Counter()

    def numbered(finding: Finding) -> int:
        occurrences[finding.fingerprint] += 1
        return occurrences[finding.fingerprint]

    results = [_result(f, rule_index, numbered(f), result, options) for f in result.findings]
    results += [_result(s.finding, rule_index, numbered(s.finding), result, options, s) for s in result.suppressed]
    return {
        "$schema": SCHEMA_URI,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "archguard",
                        "semanticVersion": __version__,
                        "version": __version__,
                        "informationUri": DOCS_URL,
                        "rules": [rule_descriptor(doc) for doc in docs],
                    }
                },
                "invocations": [{"executionSuccessful": True}],
                "columnKind": "unicodeCodePoints",
                "results": results,
                "properties": {"contract": options.repository_path(contract_path(result))},
            }
        ],
    }


def render(result: CheckResult, options: ReportOptions) -> str:
    return json.dumps(report_data(result, options), indent=2, ensure_ascii=False) + "\n"
