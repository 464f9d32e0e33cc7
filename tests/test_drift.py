"""The reflexion model (declared vs actual), coupling metrics, the absent rule, `archguard report`."""

from __future__ import annotations

import json
from pathlib import Path

from archguard.contract.loading import load_contract
from archguard.engine.pipeline import RunOptions, check
from archguard.gate.drift import architecture_report, coupling, reflexion
from archguard.render.html import reflexion_of, render_html
from archguard.report import ReportOptions
from archguard.report.architecture import render_text
from tests.helpers import REPO, make_project, run_check, run_cli

EXAMPLES = REPO / "examples"


def example(name: str):  # type: ignore[no-untyped-def]
    return check(load_contract(EXAMPLES / name / "archguard.toml"), RunOptions(jobs=1, use_cache=False))


def pairs(dependencies) -> dict[tuple[str, str], object]:  # type: ignore[no-untyped-def]
    return {(d.source, d.target): d for d in dependencies}


def test_clean_shop_converges() -> None:
    model = reflexion(example("shop"))
    assert set(pairs(model.convergences)) == {
        ("api", "billing"),
        ("api", "domain"),
        ("api", "orders"),
        ("billing", "domain"),
        ("billing", "infra"),
        ("orders", "billing"),
        ("orders", "domain"),
        ("orders", "infra"),
    }
    api_orders = pairs(model.convergences)[("api", "orders")]
    assert (api_orders.sites, api_orders.declared_by, api_orders.violations) == (1, ("Clean layering", "allowed#3"), 0)  # type: ignore[attr-defined]
    assert model.divergences == ()
    assert model.absences == ()
    assert model.unconstrained == ()
    assert model.unmapped == ()
    assert (model.absent_level, model.unmapped_level) == ("warning", "error")


def test_agent_change_diverges_and_leaves_code_unmapped() -> None:
    model = reflexion(example("shop-agent-change"))
    divergent = pairs(model.divergences)
    assert set(divergent) == {("api", "billing"), ("api", "domain"), ("domain", "api"), ("domain", "infra")}
    upward = divergent[("domain", "api")]
    assert (upward.sites, upward.violations, upward.rules, upward.indirect) == (  # type: ignore[attr-defined]
        1,
        3,
        ("Clean layering", "acyclic#5", "allowed#3"),
        False,
    )
    assert divergent[("domain", "infra")].indirect is True  # type: ignore[attr-defined]  # only through a chain
    assert divergent[("api", "billing")].rules == ("Service boundaries",)  # type: ignore[attr-defined]
    # The boundary violation sits on a declared dependency: convergent and divergent at once.
    assert pairs(model.convergences)[("api", "billing")].violations == 1  # type: ignore[attr-defined]
    assert [(u.module, u.path) for u in model.unmapped] == [
        ("shop.reports", "src/shop/reports/__init__.py"),
        ("shop.reports.export", "src/shop/reports/export.py"),
    ]


COUPLED = """
[project]
packages = ["app"]

[components]
root = { modules = ["app:*"] }
web  = { modules = ["app.web"] }
core = { modules = ["app.core"] }
db   = { modules = ["app.db"] }

[[rules]]
kind = "allowed"
[rules.allow]
web = ["core", "db"]
core = ["db"]

[drift]
absent = "error"
"""

COUPLED_FILES = {
    "app/__init__.py": "",
    "app/web/__init__.py": "",
    "app/web/a.py": "from app.core import x\nimport requests\n",
    "app/web/b.py": "from app.core import y\nfrom app.core import x\n",
    "app/core/__init__.py": "",
    "app/core/x.py": "",
    "app/core/y.py": "from app.core import x\n",
    "app/db/__init__.py": "",
    "app/db/store.py": "from app.core import y\n",
}


def test_coupling_counts_components_and_import_sites(tmp_path: Path) -> None:
    result = run_check(make_project(tmp_path, COUPLED_FILES, COUPLED))
    metrics = {c.component: c for c in coupling(result.analysis)}
    # core is imported by web (3 import sites) and db (1); it imports nothing outside itself.
    core, web, db = metrics["core"], metrics["web"], metrics["db"]
    assert (core.fan_in, core.fan_out, core.instability, core.imports_in, core.imports_out) == (2, 0, 0.0, 4, 0)
    assert (web.fan_in, web.fan_out, web.instability, web.imports_out) == (0, 1, 1.0, 3)
    assert (db.fan_in, db.fan_out, db.instability, db.imports_out) == (0, 1, 1.0, 1)
    assert metrics["root"].instability is None
    assert [c.component for c in coupling(result.analysis)] == ["root", "web", "core", "db"]


def test_absent_dependencies_are_findings_at_the_drift_level(tmp_path: Path) -> None:
    root = make_project(tmp_path, COUPLED_FILES, COUPLED)
    result = run_check(root)
    absent = [f for f in result.findings if f.rule == "absent"]
    assert sorted((f.importer, f.imported, f.severity) for f in absent) == [("core", "db", "error"), ("web", "db", "error")]
    assert "web may depend on db (allowed#1, rules[0].allow.web), but no code does: the contract is stale" in {f.message for f in absent}
    # db -> core is used but not allowed (db has no allow entry: unconstrained).
    model = reflexion(result)
    assert [(d.source, d.target) for d in model.unconstrained] == [("db", "core")]
    assert result.exit_code == 1
    (root / "archguard.toml").write_text(COUPLED.replace('absent = "error"', 'absent = "off"\nunmapped = "off"'))
    quiet = run_check(root)
    assert [f for f in quiet.findings if f.rule == "absent"] == []
    assert reflexion(quiet).absences == ()


def test_report_text_shows_the_reflexion_model_and_coupling() -> None:
    text = render_text(architecture_report(example("shop-agent-change")), ReportOptions())
    assert "divergences: present, not allowed (4)" in text
    assert "domain -> api    3 violations (Clean layering, acyclic#5, allowed#3)" in text
    assert "domain -> infra  1 violation (Pure domain), through other modules" in text
    assert "absences: declared, unused (contract is stale; warning): none" in text
    assert "unmapped modules (2, error)" in text
    assert "✗ 8 errors, 0 warnings; 8 convergent, 4 divergent, 0 absent, 2 unmapped" in text  # one finding per clone group


def test_report_cli_json_and_text(tmp_path: Path) -> None:
    root = make_project(tmp_path, COUPLED_FILES, COUPLED)
    result = run_cli("report", "--format", "json", "--no-cache", cwd=root)
    assert result.returncode == 0, result.stderr  # a report, not a gate: 0 despite the errors
    data = json.loads(result.stdout)
    assert data["schema"] == "archguard-architecture/1"
    assert (data["summary"]["absences"], data["summary"]["divergences"], data["summary"]["errors"]) == (2, 0, 2)
    assert data["reflexion"]["absences"][0] == {
        "source": "core",
        "target": "db",
        "sites": 0,
        "modules": 0,
        "declared_by": ["allowed#1"],
        "violations": 0,
        "rules": [],
        "indirect": False,
    }
    assert data["reflexion"]["convergences"][0]["source"] == "web" and data["reflexion"]["convergences"][0]["sites"] == 3
    assert data["coupling"][2] == {
        "component": "core", "modules": 3, "fan_in": 2, "fan_out": 0, "instability": 0.0, "imports_in": 4, "imports_out": 0,
    }
    text = render_text(architecture_report(run_check(root)), ReportOptions())
    assert "absences: declared, unused (contract is stale; error) (2)" in text
    assert "core -> db  declared by allowed#1" in text
    assert "unconstrained: present, no rule covers them (1)\n  db -> core  1 import site" in text
    bad = run_cli("report", "--format", "xml", cwd=root)
    assert bad.returncode == 2 and "unknown format 'xml'" in bad.stderr


def test_the_html_report_shows_the_reflexion_model() -> None:
    result = example("shop-agent-change")
    page = render_html(result, svg="<svg></svg>", reflexion=reflexion_of(result))
    assert 'id="reflexion-divergent"' in page and 'id="reflexion-unmapped"' in page
    divergent = page.split('id="reflexion-divergent"')[1].split("</div>")[0]
    assert "domain" in divergent and "infra" in divergent
    assert "shop.reports.export" in page.split('id="reflexion-unmapped"')[1]


def test_dependencies_permitted_through_tags_are_never_absent(tmp_path: Path) -> None:
    contract = COUPLED.replace(
        'web  = { modules = ["app.web"] }', 'web  = { modules = ["app.web"], tags = ["layer:edge"] }'
    ).replace('db   = { modules = ["app.db"] }', 'db   = { modules = ["app.db"], tags = ["layer:edge"] }').replace(
        'core = ["db"]', 'core = ["db", "layer:edge"]'
    )
    result = run_check(make_project(tmp_path, COUPLED_FILES, contract))
    absent = sorted((f.importer, f.imported, f.message.split("(")[1].split(")")[0]) for f in result.findings if f.rule == "absent")
    # core -> db is named (and unused): absent; core -> web only through the tag: permitted, not declared.
    assert absent == [("core", "db", "allowed#1, rules[0].allow.core"), ("web", "db", "allowed#1, rules[0].allow.web")]
