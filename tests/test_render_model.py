"""The picture model: what each drawing shows, from real fake projects."""

from __future__ import annotations

from pathlib import Path

import pytest

from archguard.base.errors import UsageError
from archguard.render.model import (
    UNMAPPED,
    EdgeDelta,
    apply_delta,
    collapse_units,
    component_picture,
    drop_implied_edges,
    module_picture,
    picture_delta,
)
from tests.helpers import REPO, make_project, run_check

LAYERED = """
    [project]
    packages = ["app"]

    [components]
    web = { modules = ["app.web"] }
    service = { modules = ["app.service"] }
    core = { modules = ["app.core"] }
    infra = { modules = ["app.infra"] }

    [[rules]]
    kind = "layers"
    name = "layering"
    layers = ["web", "service", "core"]

    [[rules]]
    kind = "allowed"
    name = "whitelist"
    [rules.allow]
    web = ["service", "core"]
    service = ["core", "infra"]
    core = []

    [[rules]]
    kind = "forbidden"
    name = "pure core"
    from = ["core"]
    to = ["infra"]
"""

FILES = {
    "app/__init__.py": "",
    "app/web/__init__.py": "",
    "app/web/views.py": "from app.service import orders\nfrom app.service import billing\n",
    "app/service/__init__.py": "",
    "app/service/orders.py": "from app.core import model\n",
    "app/service/billing.py": "import app.core.model\n",
    "app/core/__init__.py": "",
    "app/core/model.py": "from app.web import views\nimport requests\n",
    "app/infra/__init__.py": "",
    "app/infra/db.py": "",
    "app/legacy.py": "from app.core import model\n",
}


@pytest.fixture
def layered(tmp_path: Path):  # type: ignore[no-untyped-def]
    make_project(tmp_path, FILES, LAYERED)
    return run_check(tmp_path)


def test_components_are_grouped_by_layer_top_layer_first(layered) -> None:  # type: ignore[no-untyped-def]
    picture = component_picture(layered)
    groups = {g.key: g for g in picture.groups}
    rank = {n.name: groups[n.group].rank if n.group else None for n in picture.nodes}
    assert rank == {"web": 0, "service": 1, "core": 2, "infra": None, UNMAPPED: None}
    assert picture.layer_rule == "layering"


def test_upward_edge_is_a_violation_with_its_sites_and_rules(layered) -> None:  # type: ignore[no-untyped-def]
    edge = component_picture(layered).edge("core", "web")
    assert edge is not None and edge.sites == 1 and edge.violation
    assert {(h.rule_name, h.count, h.kind) for h in edge.violations} == {("layering", 1, "direct"), ("whitelist", 1, "direct")}


def test_allowed_edge_counts_every_import_site(layered) -> None:  # type: ignore[no-untyped-def]
    edge = component_picture(layered).edge("service", "core")
    assert edge is not None and edge.sites == 2 and not edge.hits and edge.declared


def test_declared_dependency_without_imports_is_unused(layered) -> None:  # type: ignore[no-untyped-def]
    picture = component_picture(layered)
    unused = {(e.source, e.target) for e in picture.edges if e.unused}
    assert unused == {("service", "infra"), ("web", "core")}


def test_indirect_violation_is_an_end_to_end_edge_without_imports(tmp_path: Path) -> None:
    files = {**FILES, "app/core/model.py": "from app.service import orders\n", "app/service/orders.py": "from app.infra import db\n"}
    result = run_check(make_project(tmp_path, files, LAYERED))
    edge = component_picture(result).edge("core", "infra")
    assert edge is not None and edge.sites == 0 and edge.indirect_only
    assert [(h.rule_name, h.kind) for h in edge.violations] == [("pure core", "indirect")]


def test_cycle_edges_are_marked(layered) -> None:  # type: ignore[no-untyped-def]
    picture = component_picture(layered)
    assert picture.cycles == (("core", "service", "web"),)
    marked = {(e.source, e.target) for e in picture.edges if e.cycle}
    # One shortest cycle through the first member, the one the acyclic rule would report.
    assert marked == {("core", "web"), ("web", "service"), ("service", "core")}


def test_unmapped_modules_are_one_node_with_their_edges(layered) -> None:  # type: ignore[no-untyped-def]
    picture = component_picture(layered)
    node = picture.node(UNMAPPED)
    assert node is not None and node.modules == ("app", "app.legacy")
    assert picture.edge(UNMAPPED, "core") is not None


def test_externals_are_optional_but_flagged_ones_always_shown(tmp_path: Path) -> None:
    contract = LAYERED.replace('to = ["infra"]', 'to = ["infra", "external:requests"]')
    result = run_check(make_project(tmp_path, {**FILES, "app/web/views.py": "import click\n"}, contract))
    without = component_picture(result)
    assert [n.name for n in without.nodes if n.kind == "external"] == ["external:requests"]
    assert without.edge("core", "external:requests").violation  # type: ignore[union-attr]
    with_all = component_picture(result, externals=True)
    assert [n.name for n in with_all.nodes if n.kind == "external"] == ["external:click", "external:requests"]


def test_delta_marks_added_and_removed_edges(layered) -> None:  # type: ignore[no-untyped-def]
    delta = EdgeDelta(added={("core", "web"): 1, ("service", "core"): 2}, removed={("web", "infra"): 3, ("nowhere", "core"): 1})
    picture = apply_delta(component_picture(layered), delta)
    added = {(e.source, e.target): e for e in picture.edges if e.change == "added"}
    assert set(added) == {("core", "web"), ("service", "core")}
    assert added["core", "web"].violation and added["core", "web"].change_sites == 1
    removed = [e for e in picture.edges if e.change == "removed"]
    assert [(e.source, e.target, e.sites, e.change_sites) for e in removed] == [("web", "infra", 0, 3)]


def test_delta_between_two_trees_feeds_the_overlay() -> None:
    base = component_picture(run_check(REPO / "examples" / "shop"))
    head = component_picture(run_check(REPO / "examples" / "shop-agent-change"))
    delta = picture_delta(base, head)
    assert delta.added == {("domain", "api"): 1, (UNMAPPED, "domain"): 1}
    assert dict(delta.removed) == {}
    reverse = picture_delta(head, base)
    assert reverse.removed == {("domain", "api"): 1, (UNMAPPED, "domain"): 1}
    overlay = apply_delta(base, reverse)
    assert [(e.source, e.target, e.change) for e in overlay.edges if e.change] == [("domain", "api", "removed")]


def test_dropping_implied_edges_keeps_who_reaches_whom(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        **{f"app/c{i}/__init__.py": "".join(f"import app.c{j}\n" for j in range(i + 1, 6)) for i in range(6)},
    }
    components = "\n".join(f'c{i} = {{ modules = ["app.c{i}"] }}' for i in range(6))
    result = run_check(
        make_project(tmp_path, files, f'[project]\npackages = ["app"]\n[components]\nroot = {{ modules = ["app:*"] }}\n{components}\n')
    )
    full = component_picture(result)
    assert len(full.edges) == 15
    reduced = drop_implied_edges(full)
    assert sorted((e.source, e.target) for e in reduced.edges) == [(f"c{i}", f"c{i + 1}") for i in range(5)]
    assert reduced.notes == ("5 of 15 allowed dependencies drawn; the other 10 follow from them",)


def test_component_drill_down_shows_modules_and_edges_leaving(layered) -> None:  # type: ignore[no-untyped-def]
    picture = module_picture(layered, component="service")
    inside = sorted(n.name for n in picture.nodes if n.kind == "module")
    outside = sorted(n.name for n in picture.nodes if n.kind == "outside")
    assert inside == ["app.service", "app.service.billing", "app.service.orders"]
    assert outside == ["core"]
    assert {(e.source, e.target) for e in picture.edges} == {("app.service.orders", "core"), ("app.service.billing", "core")}


def test_package_drill_down_and_focus(layered) -> None:  # type: ignore[no-untyped-def]
    package = module_picture(layered, package="app.core")
    assert sorted(n.name for n in package.nodes if n.kind == "module") == ["app.core", "app.core.model"]
    violating = [e for e in package.edges if e.violation]
    assert [(e.source, e.target) for e in violating] == [("app.core.model", "web")]
    focus = module_picture(layered, focus="app.core.model", depth=1)
    assert sorted(n.name for n in focus.nodes) == [
        "app.core.model",
        "app.legacy",
        "app.service.billing",
        "app.service.orders",
        "app.web.views",
    ]
    deeper = module_picture(layered, focus="app.core.model", depth=2)
    assert "app.service.orders" in {n.name for n in deeper.nodes} and len(deeper.nodes) >= len(focus.nodes)


def test_unknown_names_are_usage_errors_with_suggestions(layered) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(UsageError, match="did you mean service"):
        module_picture(layered, component="servce")
    with pytest.raises(UsageError, match="unknown module"):
        module_picture(layered, focus="app.nothing")
    with pytest.raises(UsageError, match="unknown layers rule"):
        component_picture(layered, layers_rule="nope")


def test_large_selections_collapse_deep_subpackages() -> None:
    modules = [f"pkg.sub{i}.mod{j}" for i in range(5) for j in range(20)] + ["pkg", "pkg.top"]
    units = collapse_units(modules, "pkg", max_nodes=10)
    assert sorted(set(units.values())) == ["pkg", "pkg.sub0", "pkg.sub1", "pkg.sub2", "pkg.sub3", "pkg.sub4", "pkg.top"]
    assert collapse_units(modules, "pkg", max_nodes=None)["pkg.sub1.mod3"] == "pkg.sub1.mod3"


def test_example_shop_picture_tells_the_agent_change_story() -> None:
    result = run_check(REPO / "examples" / "shop-agent-change")
    picture = component_picture(result)
    violating = {(e.source, e.target) for e in picture.edges if e.violation}
    assert violating == {("api", "billing"), ("domain", "api"), ("domain", "infra")}
