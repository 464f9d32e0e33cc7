"""Remedies an agent (or a person) can act on: structured in JSON and SARIF, and the agent format."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from archguard.findings import REMEDY_KINDS
from archguard.report import ReportOptions, reporters
from archguard.report.agent import render as render_agent
from tests.helpers import REPO, make_project, run_check, run_cli
from tests.reporting import make_rich_project
from tests.test_public_api import BILLING, contract

SARIF_SCHEMA = json.loads((Path(__file__).parent / "sarif" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def billing_project(tmp_path: Path, views: str) -> Path:
    return make_project(tmp_path, {**BILLING, "shop/api/views.py": views}, contract('["shop.billing.api:*"]'))


def test_every_finding_of_every_rule_carries_a_structured_remedy(tmp_path: Path) -> None:
    result = run_check(make_rich_project(tmp_path / "rich"))
    stale = '\n[[ignore]]\nimport = "x -> y"\nreason = "gone"\n'
    files = {**BILLING, "shop/api/views.py": "from shop.billing.models import Invoice\n"}
    extra = run_check(make_project(tmp_path / "more", files, contract('["shop.billing.api:*"]') + stale))
    findings = result.findings + extra.findings
    assert {f.rule for f in findings} >= {"layers", "forbidden", "parse-error", "pragma", "stale-ignore", "unmapped", "boundaries"}
    for finding in findings:
        remedy = finding.structured_remedy
        assert remedy.kind in REMEDY_KINDS and remedy.kind != "review", finding
        assert remedy.action == finding.remedy
        assert remedy.reason
    rationale = {f.rule: f.structured_remedy.rationale for f in findings}
    assert rationale["layers"].startswith("an upward import couples the stable core")


def test_the_agent_format_says_what_to_write_instead(tmp_path: Path) -> None:
    result = run_check(billing_project(tmp_path, "from shop.billing.models import Invoice\n"))
    assert render_agent(result, ReportOptions()) == (
        "archguard found 1 error against the architecture contract archguard.toml. Fix them in order:\n"
        "\n"
        "1. In shop/api/views.py:1 replace `from shop.billing.models import Invoice` with `from shop.billing.api import Invoice`"
        " (rule boundaries: billing's internals are private).\n"
        "\n"
        "Then run `archguard check --format agent` again; do not silence a finding unless the contract owner agrees.\n"
    )


def test_the_agent_format_of_a_clean_run_is_one_line(tmp_path: Path) -> None:
    proc = run_cli("check", "--no-cache", "--format", "agent", cwd=REPO / "examples" / "shop")
    assert proc.returncode == 0
    assert proc.stdout == "archguard: the code keeps to the architecture contract (examples/shop/archguard.toml); nothing to fix.\n"


def test_the_agent_format_lists_errors_before_warnings_in_file_order(tmp_path: Path) -> None:
    text = reporters()["agent"](run_check(make_rich_project(tmp_path)), ReportOptions())
    items = [line for line in text.splitlines() if line[:1].isdigit()]
    assert [line.split(". ", 1)[0] for line in items] == [str(n) for n in range(1, len(items) + 1)]
    warnings = [i for i, line in enumerate(items) if "(warning)" in line]
    assert warnings and warnings == list(range(len(items) - len(warnings), len(items)))
    assert "do not silence a finding" in text


def test_applying_the_sarif_fix_gives_code_that_passes(tmp_path: Path) -> None:
    views = "import os\n\ndef view():\n    from shop.billing.models import (\n        Invoice as Bill,\n    )  # keep\n    return Bill\n"
    project = billing_project(tmp_path, views)
    proc = run_cli("check", "--no-cache", "--format", "sarif", cwd=project)
    assert proc.returncode == 1
    sarif = json.loads(proc.stdout)
    assert not list(jsonschema.Draft4Validator(SARIF_SCHEMA).iter_errors(sarif))
    (result,) = sarif["runs"][0]["results"]
    (fix,) = result["fixes"]
    assert fix["description"]["text"] == "import Invoice from shop.billing.api"
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"] == {"uri": "shop/api/views.py", "uriBaseId": "%SRCROOT%"}
    (replacement,) = change["replacements"]
    region = replacement["deletedRegion"]
    assert region == {"startLine": 4, "startColumn": 5, "endLine": 6, "endColumn": 6}
    # Apply the replacement the way a SARIF viewer does (1-based lines, end column exclusive).
    path = project / "shop/api/views.py"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    text = "".join(lines)
    start = offsets[region["startLine"] - 1] + region["startColumn"] - 1
    end = offsets[region["endLine"] - 1] + region["endColumn"] - 1
    path.write_text(text[:start] + replacement["insertedContent"]["text"] + text[end:], encoding="utf-8")
    assert "    from shop.billing.api import Invoice as Bill  # keep\n" in path.read_text(encoding="utf-8")
    assert run_cli("check", "--no-cache", cwd=project).returncode == 0
    assert result["properties"]["fix"]["kind"] == "use-public-api"


def test_json_findings_carry_the_remedy_and_the_edit(tmp_path: Path) -> None:
    project = billing_project(tmp_path, "from shop import Invoice\n")
    (project / "shop/__init__.py").write_text("from shop.billing.models import Invoice  # archguard: ignore[boundaries] tested\n")
    proc = run_cli("check", "--no-cache", "--format", "json", cwd=project)
    (finding,) = json.loads(proc.stdout)["findings"]
    assert finding["via"] == ["shop"]
    assert finding["remedy"] == "import Invoice from shop.billing.api"
    assert finding["fix"] == {
        "kind": "use-public-api",
        "action": "import Invoice from shop.billing.api",
        "reason": "billing's internals are private",
        "rationale": (
            "a service's internals are free to change; code that reaches into them breaks whenever the service is refactored, "
            "and the service can no longer be split out."
        ),
        "replace": {
            "path": "shop/api/views.py",
            "line": 1,
            "column": 1,
            "end_line": 1,
            "end_column": 25,
            "old": "from shop import Invoice",
            "new": "from shop.billing.api import Invoice",
        },
    }


def test_a_rule_description_is_the_reason(tmp_path: Path) -> None:
    rules = contract('["shop.billing.api:*"]').replace('kind = "boundaries"', 'kind = "boundaries"\ndescription = "billing is sold separately"')
    result = run_check(make_project(tmp_path, {**BILLING, "shop/api/views.py": "from shop.billing.models import Invoice\n"}, rules))
    assert result.findings[0].structured_remedy.reason == "billing is sold separately"
