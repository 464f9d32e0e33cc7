"""The JSON report: archguard's stable, versioned machine-readable output.

Schema ``archguard-report/1`` (documented in docs/ci.md). Fields are only ever added within
one schema version; a change of meaning bumps the version.
"""

from __future__ import annotations

import json
from typing import Any

from archguard import __version__
from archguard.engine.pipeline import CheckResult
from archguard.report.summary import rule_rows

SCHEMA = "archguard-report/1"


def report_data(result: CheckResult) -> dict[str, Any]:
    analysis = result.analysis
    rules = [
        {
            "name": row.name,
            "kind": row.kind,
            "severity": row.severity,
            "findings": row.findings,
            "errors": row.errors,
            "warnings": row.warnings,
            "suppressed": row.suppressed,
        }
        for row in rule_rows(result)
    ]
    broken = {f.rule_name for f in result.errors}
    contracts = {rule.name for rule in result.rules if rule.reports_verdict}  # import-linter contracts
    for entry in rules:
        if entry["name"] in contracts:
            entry["verdict"] = "broken" if entry["name"] in broken else "kept"
    return {
        "schema": SCHEMA,
        "archguard": __version__,
        "contract": analysis.loaded.relpath,
        "summary": {
            "verdict": "fail" if result.errors else "pass",
            "errors": len(result.errors),
            "warnings": len(result.warnings),
            "suppressed": len(result.suppressed),
            "files": analysis.stats.files,
            "modules": analysis.stats.modules,
            "imports": analysis.stats.imports,
        },
        "rules": rules,
        "findings": [f.to_json() for f in result.findings],
        "suppressed": [
            {"finding": s.finding.to_json(), "source": s.source, "reason": s.reason} for s in result.suppressed
        ],
        **({"diff": result.diff.to_json()} if result.diff is not None else {}),
        **({"baseline": result.baseline.to_json()} if result.baseline is not None else {}),
    }


def render(result: CheckResult, options: object = None) -> str:
    return json.dumps(report_data(result), indent=2, sort_keys=False, ensure_ascii=False) + "\n"
