"""`archguard explain`: golden outputs, and agreement with `archguard check`."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from archguard.advice.explain import explain
from tests.helpers import REPO, make_project, run_check, run_cli

GOLDEN = REPO / "tests" / "golden" / "explain"
UPDATE = os.environ.get("ARCHGUARD_UPDATE_GOLDEN") == "1"


def copy_example(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(REPO / "examples" / name, target, ignore=shutil.ignore_patterns(".archguard_cache"))
    return target


def assert_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs (ARCHGUARD_UPDATE_GOLDEN=1 regenerates it on purpose)"


CASES = [
    # (golden file, example, source, target, exit code)
    ("allowed.txt", "shop", "api", "billing", 0),
    ("forbidden-direct.txt", "shop-agent-change", "domain", "api", 1),
    ("forbidden-indirect.txt", "shop-agent-change", "domain", "infra", 1),
    ("boundary-module.txt", "shop-agent-change", "shop.api.views", "shop.billing.ledger", 1),
]


@pytest.mark.parametrize(("golden", "example", "source", "target", "code"), CASES, ids=[case[0] for case in CASES])
def test_explain_golden_output(tmp_path: Path, golden: str, example: str, source: str, target: str, code: int) -> None:
    root = copy_example(example, tmp_path)
    completed = run_cli("explain", source, target, cwd=root)
    assert completed.returncode == code, completed.stderr
    assert_golden(golden, completed.stdout)


def test_explain_json_names_every_rule_and_site(tmp_path: Path) -> None:
    root = copy_example("shop-agent-change", tmp_path)
    completed = run_cli("explain", "domain", "api", "--format", "json", cwd=root)
    assert completed.returncode == 1
    data = json.loads(completed.stdout)
    assert data["schema"] == "archguard-explain/1"
    assert data["verdict"] == "forbidden"
    assert {(r["rule"], r["decision"]) for r in data["rules"]} == {
        ("Clean layering", "forbids"),
        ("allowed#3", "forbids"),
        ("acyclic#5", "forbids"),
    }
    (site,) = data["today"]["direct"]
    assert site["hops"][0]["path"] == "src/shop/domain/pricing.py" and site["hops"][0]["line"] == 12
    assert {r["rule"] for r in site["rulings"] if r["verdict"] == "reported"} == {"Clean layering", "allowed#3"}


def test_explain_agrees_with_check_on_every_reported_site(tmp_path: Path) -> None:
    """Every import finding of `check` shows up as 'reported' in the explanation of its edge."""
    root = copy_example("shop-agent-change", tmp_path)
    result = run_check(root)
    for finding in result.findings:
        if not finding.importer or not finding.imported or finding.rule in ("acyclic", "unmapped"):
            continue
        explanation = explain(result, f"module:{finding.importer}", finding.imported)
        reported = [
            ruling
            for dependency in (*explanation.direct, *explanation.chains)
            for ruling in dependency.rulings
            if ruling.verdict == "reported" and ruling.rule == finding.rule_name and ruling.detail == finding.message
        ]
        assert reported, finding.message
        assert not explanation.allowed


def test_pragmas_ignores_and_filters_are_named_as_what_decides(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "src/app/__init__.py": "",
            "src/app/web.py": "",
            "src/app/core.py": """
                from typing import TYPE_CHECKING
                from app.web import render  # archguard: ignore[upward] kept for the demo
                if TYPE_CHECKING:
                    from app.web import View
                import app.web
            """,
        },
        """
        [project]
        roots = ["src"]
        [components]
        web = { modules = ["app.web"] }
        core = { modules = ["app.core"] }
        app = { modules = ["app:*"] }
        [[rules]]
        kind = "layers"
        name = "upward"
        layers = ["web", "core"]
        exclude_type_checking = true
        [[ignore]]
        import = "app.core -> app.web"
        rule = "nothing-else"
        reason = "never applies"
        [[rules]]
        kind = "forbidden"
        name = "nothing-else"
        from = ["core"]
        to = ["web"]
        """,
    )
    result = run_check(root)
    explanation = explain(result, "core", "web")
    rulings = {(d.hops[0].line, r.verdict, r.rule) for d in explanation.direct for r in d.rulings}
    assert (2, "suppressed", "upward") in rulings
    assert (4, "not-counted", "upward") in rulings
    assert (5, "reported", "upward") in rulings
    assert {(line, "ignored", "nothing-else") for line in (2, 4, 5)} <= rulings
    assert not explanation.allowed


def test_unknown_names_are_a_usage_error_with_a_suggestion(tmp_path: Path) -> None:
    root = copy_example("shop", tmp_path)
    completed = run_cli("explain", "domian", "api", cwd=root)
    assert completed.returncode == 2
    assert "did you mean 'domain'" in completed.stderr
    overlapping = run_cli("explain", "shop.billing", "shop.billing.api", cwd=root)
    assert overlapping.returncode == 2 and "overlap" in overlapping.stderr


def test_every_rule_kind_gives_its_decision(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "src/app/__init__.py": "",
            "src/app/orders.py": "import requests\nfrom app.billing import pay\n",
            "src/app/billing.py": "def pay(): ...\n",
            "src/app/core.py": "",
        },
        """
        [project]
        roots = ["src"]
        [components]
        orders = { modules = ["app.orders"] }
        billing = { modules = ["app.billing"] }
        core = { modules = ["app.core"] }
        app = { modules = ["app:*"] }
        [[rules]]
        kind = "independent"
        name = "apart"
        components = ["orders", "billing"]
        [[rules]]
        kind = "forbidden"
        name = "no http"
        from = ["orders"]
        to = ["external:requests"]
        severity = "warning"
        [[rules]]
        kind = "allowed"
        name = "whitelist"
        include_external = true
        [rules.allow]
        orders = ["billing", "external:requests"]
        """,
    )
    result = run_check(root)
    decisions = {o.rule: o.decision for o in explain(result, "orders", "billing").opinions}
    assert decisions == {"apart": "forbids", "whitelist": "allows"}
    external = explain(result, "orders", "external:requests")
    assert {o.rule: o.decision for o in external.opinions} == {"no http": "forbids", "whitelist": "allows"}
    assert [o.severity for o in external.opinions if o.rule == "no http"] == ["warning"]
    (site,) = external.direct
    assert [(r.verdict, r.rule) for r in site.rulings] == [("reported", "no http")]
    reverse = explain(result, "billing", "orders")
    assert {o.rule: o.decision for o in reverse.opinions} == {"apart": "forbids"}
    assert ("whitelist", "allowed", "billing is not listed (unconstrained)") in reverse.silent
    assert not reverse.direct and not reverse.chains


def test_a_dependency_the_layers_allow_on_a_cycle_elsewhere_names_the_cycle_and_the_import_that_closes_it(tmp_path: Path) -> None:
    root = copy_example("shop-agent-change", tmp_path)
    completed = run_cli("explain", "orders", "billing", cwd=root)
    assert completed.returncode == 0, completed.stdout + completed.stderr  # allowed: the cycle is the problem, not this import
    assert "No: forbidden" not in completed.stdout
    assert (
        "May orders depend on billing? Yes, through public modules only (Clean layering allows it), but it lies on a cycle: "
        "the import that closes the cycle is the problem."
    ) in completed.stdout
    assert (
        "  ! acyclic#5 (acyclic) on a cycle: orders -> billing is allowed by Clean layering; it lies on the cycle "
        "orders -> billing -> domain -> api -> orders, and domain -> api closes it (Clean layering forbids it: domain (layer 4) "
        "is below api (layer 1)), at src/shop/domain/pricing.py:12 `from shop.api.views import format_price`: resolve that import, not this one"
    ) in completed.stdout
    data = json.loads(run_cli("explain", "orders", "billing", "--format", "json", cwd=root).stdout)
    assert data["verdict"] == "allowed"
    (acyclic,) = [r for r in data["rules"] if r["kind"] == "acyclic"]
    assert acyclic["decision"] == "on-cycle"
    assert acyclic["cycle"] == ["orders", "billing", "domain", "api", "orders"]
    assert [(h["importer"], h["imported"], h["line"]) for h in acyclic["closing_imports"]] == [("shop.domain.pricing", "shop.api.views", 12)]
    # The import that closes the cycle is still forbidden, by the layers and by the acyclic rule.
    closing = run_cli("explain", "domain", "api", cwd=root)
    assert closing.returncode == 1 and "acyclic#5 (acyclic) forbids" in closing.stdout


def test_without_a_layers_rule_the_acyclic_rule_still_forbids_what_closes_a_cycle(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {"app/__init__.py": "", "app/a.py": "import app.b\n", "app/b.py": "import app.a\n"},
        '[components]\na = { modules = ["app.a"] }\nb = { modules = ["app.b"] }\nroot = { modules = ["app:*"] }\n'
        '[[rules]]\nkind = "acyclic"\n',
    )
    completed = run_cli("explain", "a", "b", cwd=root)
    assert completed.returncode == 1
    assert "No: forbidden by 1 rule." in completed.stdout and "acyclic#1 (acyclic) forbids: b -> a exists" in completed.stdout
