"""`archguard init`: the inferred contract validates, passes `check`, and describes the graph."""

from __future__ import annotations

import json
import shutil
import tomllib
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from archguard.advice.infer import FROZEN_REASON, InitOptions, component_key, component_names, infer
from archguard.analysis.mapping import build_component_map
from archguard.contract.loading import load_contract
from archguard.contract.validate import parse_layer
from archguard.engine.pipeline import CheckResult
from tests.helpers import REPO, run_check, run_cli, write_tree


def copy_example(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(REPO / "examples" / name, target, ignore=shutil.ignore_patterns("archguard.toml", ".archguard_cache"))
    return target


def component_edges(root: Path) -> dict[tuple[str, str], int]:
    """Component -> component edges (import counts) of the project, under its contract."""
    result = run_check(root)
    graph = result.analysis.graph.graph
    owner = result.analysis.components.component_of
    edges: dict[tuple[str, str], int] = {}
    for importer, imported, sites in graph.edges(data="sites"):
        source, target = owner.get(importer), owner.get(imported)
        if source and target and source != target:
            edges[(source, target)] = edges.get((source, target), 0) + len(sites)
    return edges


def layers_of(contract_text: str) -> list[list[str]]:
    rules = tomllib.loads(contract_text).get("rules", [])
    layers = next((rule["layers"] for rule in rules if rule["kind"] == "layers"), [])
    return [list(parse_layer(entry).components) for entry in layers]


def test_init_on_the_clean_shop_infers_its_layers_and_public_interfaces(tmp_path: Path) -> None:
    root = copy_example("shop", tmp_path)
    completed = run_cli("init", cwd=root)
    assert completed.returncode == 0, completed.stderr
    assert "wrote archguard.toml" in completed.stderr
    text = (root / "archguard.toml").read_text(encoding="utf-8")
    contract = load_contract(root / "archguard.toml").contract
    assert {name: c.modules for name, c in contract.components.items()} == {
        "api": ["shop.api"],
        "billing": ["shop.billing"],
        "domain": ["shop.domain"],
        "infra": ["shop.infra"],
        "orders": ["shop.orders"],
        "shop": ["shop:*"],
    }
    assert contract.components["billing"].public == ["shop.billing.api"]
    assert contract.components["orders"].public == ["shop.orders.service"]
    assert contract.components["domain"].public == []  # imported through 2 of its 3 modules: not "a few"
    assert layers_of(text) == [["api"], ["orders"], ["billing"], ["domain", "infra"]]
    allowed = next(rule for rule in contract.rules if rule.kind == "allowed")
    assert allowed.allow == {
        "api": ["billing", "domain", "orders"],
        "billing": ["domain", "infra"],
        "domain": [],
        "infra": [],
        "orders": ["billing", "domain", "infra"],
        "shop": [],
    }
    assert "Cycles" not in text and "[[ignore]]" not in text
    assert run_check(root).exit_code == 0
    assert run_cli("check", cwd=root).returncode == 0


def test_init_on_the_agent_change_reports_the_cycle_and_freezes_what_closes_it(tmp_path: Path) -> None:
    root = copy_example("shop-agent-change", tmp_path)
    completed = run_cli("init", cwd=root)
    assert completed.returncode == 0, completed.stderr
    text = (root / "archguard.toml").read_text(encoding="utf-8")
    assert "#   cycle 1: api, billing, domain, orders" in text
    assert "#     domain -> api: 1 import" in text
    assert "#       src/shop/domain/pricing.py:12  from shop.api.views import format_price  (lazy)" in text
    # The layering leaves out the one import that closes the cycle, and freezes it.
    assert layers_of(text) == [["api"], ["orders"], ["billing", "reports"], ["domain", "infra"]]
    contract = load_contract(root / "archguard.toml").contract
    frozen = sorted((entry.import_, entry.rule, entry.reason) for entry in contract.ignore)
    assert frozen == [
        ("shop.domain.** -> shop.api.**", "no-new-cycles", FROZEN_REASON),
        ("shop.domain.pricing -> shop.api.views", "inferred-layers", FROZEN_REASON),
    ]
    result = run_check(root)
    assert not [f for f in result.findings if f.rule == "stale-ignore"]  # every frozen entry is used
    # The copied summary (a clone, not an import) is frozen in the baseline file that check reads.
    assert_errors_are_the_baselined_clones(root, result)
    assert run_cli("check", cwd=root).returncode == 0
    assert "2 clone findings frozen in" in completed.stderr


def test_group_cycles_keeps_each_cycle_in_one_layer(tmp_path: Path) -> None:
    root = copy_example("shop-agent-change", tmp_path)
    completed = run_cli("init", "--group-cycles", cwd=root)
    assert completed.returncode == 0, completed.stderr
    text = (root / "archguard.toml").read_text(encoding="utf-8")
    assert layers_of(text) == [["reports"], ["api", "billing", "domain", "orders"], ["infra"]]
    contract = load_contract(root / "archguard.toml").contract
    assert [(e.import_, e.rule) for e in contract.ignore] == [("shop.domain.** -> shop.api.**", "no-new-cycles")]
    assert_errors_are_the_baselined_clones(root, run_check(root))
    assert run_cli("check", cwd=root).returncode == 0


def assert_errors_are_the_baselined_clones(root: Path, result: CheckResult) -> None:
    baseline = json.loads((root / "archguard-baseline.json").read_text(encoding="utf-8"))
    assert sorted(f.fingerprint for f in result.errors) == sorted(entry["fingerprint"] for entry in baseline["findings"])
    assert {(f.rule, f.path) for f in result.errors} == {
        ("duplication", "src/shop/domain/pricing.py"),
        ("duplication", "src/shop/reports/export.py"),
    }


def test_init_never_overwrites_a_contract_without_force(tmp_path: Path) -> None:
    root = copy_example("shop", tmp_path)
    (root / "archguard.toml").write_text("# mine\n", encoding="utf-8")
    refused = run_cli("init", cwd=root)
    assert refused.returncode == 2
    assert "already exists" in refused.stderr and "--force" in refused.stderr
    assert (root / "archguard.toml").read_text(encoding="utf-8") == "# mine\n"
    printed = run_cli("init", "--stdout", cwd=root)
    assert printed.returncode == 0
    assert "[components]" in printed.stdout
    assert (root / "archguard.toml").read_text(encoding="utf-8") == "# mine\n"
    forced = run_cli("init", "--force", cwd=root)
    assert forced.returncode == 0, forced.stderr
    assert (root / "archguard.toml").read_text(encoding="utf-8") == printed.stdout


def test_init_refuses_when_pyproject_already_holds_a_contract(tmp_path: Path) -> None:
    root = copy_example("shop", tmp_path)
    (root / "pyproject.toml").write_text('[tool.archguard]\n[tool.archguard.project]\nroots = ["src"]\n', encoding="utf-8")
    refused = run_cli("init", cwd=root)
    assert refused.returncode == 2
    assert "tool.archguard" in refused.stderr
    assert not (root / "archguard.toml").exists()


def test_init_output_elsewhere_points_back_at_the_project_root(tmp_path: Path) -> None:
    root = copy_example("shop", tmp_path)
    completed = run_cli("init", "--output", "contracts/archguard.toml", cwd=root)
    assert completed.returncode == 0, completed.stderr
    assert 'root = ".."' in (root / "contracts" / "archguard.toml").read_text(encoding="utf-8")
    assert run_cli("check", "--config", "contracts/archguard.toml", cwd=root).returncode == 0


def test_init_is_deterministic(tmp_path: Path) -> None:
    root = copy_example("shop-agent-change", tmp_path)
    first = run_cli("init", "--stdout", "--no-cache", cwd=root).stdout
    second = run_cli("init", "--stdout", cwd=root).stdout
    assert first == second and first


def test_files_archguard_cannot_parse_are_excluded_with_their_reason(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "project",
        {
            "app/__init__.py": "",
            "app/web/__init__.py": "from app.core import run\n",
            "app/core/__init__.py": "def run(): ...\n",
            "app/core/broken.py": "def broken(:\n",
        },
    )
    result = infer(root)
    assert result.inference.excluded[0][0] == "app/core/broken.py"
    assert 'exclude = [\n    "app/core/broken.py",  # syntax error' in result.text
    assert result.check.exit_code == 0
    (root / "archguard.toml").write_text(result.text, encoding="utf-8")
    assert run_check(root).exit_code == 0


def test_depth_two_nests_components_under_a_package_module(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "project",
        {
            "app/__init__.py": "",
            "app/db/__init__.py": "from app.db.models import Model\n",
            "app/db/models/__init__.py": "from app.db.backends.sql import execute\nclass Model: ...\n",
            "app/db/backends/__init__.py": "",
            "app/db/backends/sql.py": "def execute(): ...\n",
            "app/web/__init__.py": "",
            "app/web/models.py": "from app.db import Model\n",
            "app/utils.py": "",
        },
    )
    result = infer(root, InitOptions(depth=2))
    patterns = {c.name: c.patterns for c in result.inference.components}
    assert patterns == {
        "app": ("app:*",),
        "db": ("app.db:*",),
        "backends": ("app.db.backends",),
        "db_models": ("app.db.models",),
        "web": ("app.web:*",),
        "web_models": ("app.web.models",),
        "utils": ("app.utils",),
    }
    assert result.check.exit_code == 0
    mapping = build_component_map(result.contract.components, result.check.analysis.paths)
    assert mapping.unmapped == ()


def test_component_keys_and_names() -> None:
    assert component_key("shop.billing.api", ["shop"], 1) == "shop.billing"
    assert component_key("shop", ["shop"], 1) == "shop"
    assert component_key("shop.billing.api", ["shop"], 0) == "shop"
    assert component_key("ns.pkg.sub.mod", ["ns.pkg"], 1) == "ns.pkg.sub"
    assert component_names(["a.models", "b.models", "a.views"]) == {"a.models": "a_models", "b.models": "b_models", "a.views": "views"}


# -- property: init on random package graphs -------------------------------------------------

names = st.sampled_from(["alpha", "beta", "gamma", "delta", "omega", "core", "web"])


@st.composite
def package_graphs(draw: st.DrawFn) -> tuple[dict[str, str], list[tuple[str, str, bool]]]:
    """A package ``pkg`` with a few subpackages (some nested) and random imports between modules."""
    subpackages = draw(st.lists(names, min_size=1, max_size=5, unique=True))
    modules = ["pkg"]
    for sub in subpackages:
        modules.append(f"pkg.{sub}")
        for leaf in draw(st.lists(st.sampled_from(["api", "impl", "models"]), max_size=2, unique=True)):
            modules.append(f"pkg.{sub}.{leaf}")
    imports = draw(
        st.lists(st.tuples(st.sampled_from(modules), st.sampled_from(modules), st.booleans()), max_size=14)
    )
    return {m: m for m in modules}, [(a, b, lazy) for a, b, lazy in imports if a != b]


def write_package(root: Path, modules: dict[str, str], imports: list[tuple[str, str, bool]]) -> None:
    files: dict[str, str] = {}
    packages = {m.rpartition(".")[0] for m in modules if "." in m}
    for module in modules:
        path = "/".join(module.split(".")) + ("/__init__.py" if module in packages or module.count(".") < 2 else ".py")
        lines = []
        for importer, imported, lazy in imports:
            if importer == module:
                lines.append(f"def load():\n    import {imported}\n" if lazy else f"import {imported}\n")
        files[path] = "".join(lines)
    write_tree(root, files)


@settings(max_examples=25)
@given(package_graphs(), st.booleans(), st.sampled_from([0, 1, 2]))
def test_init_on_random_package_graphs_passes_check_and_layers_respect_the_graph(
    tmp_path_factory: pytest.TempPathFactory, graph: tuple[dict[str, str], list[tuple[str, str, bool]]], group_cycles: bool, depth: int
) -> None:
    modules, imports = graph
    root = tmp_path_factory.mktemp("random")
    write_package(root, modules, imports)
    result = infer(root, InitOptions(group_cycles=group_cycles, depth=depth), None)
    assert result.check.exit_code == 0, [f.message for f in result.check.errors]
    assert not [f for f in result.check.findings if f.rule == "stale-ignore"]
    (root / "archguard.toml").write_text(result.text, encoding="utf-8")
    loaded = load_contract(root / "archguard.toml")  # validates
    assert run_check(root).exit_code == 0

    edges = component_edges(root)
    graph_of = nx.DiGraph(list(edges))
    layering = result.inference.layering
    position = {c: i for i, layer in enumerate(layers_of(result.text)) for c in layer}
    cut = set(layering.cut)
    for source, target in edges:
        if source in position and target in position and (group_cycles or (source, target) not in cut):
            assert position[source] <= position[target], (source, target)
    cyclic = [sorted(c) for c in nx.strongly_connected_components(graph_of) if len(c) > 1]
    event(f"component cycles: {len(cyclic)}, frozen entries: {bool(result.inference.frozen)}")
    assert sorted(list(c) for c in layering.cycles) == sorted(cyclic)
    for number, members in enumerate(sorted(cyclic), start=1):
        assert f"#   cycle {number}: {', '.join(members)}" in result.text
    assert loaded.contract.components


def test_init_without_any_package_is_a_usage_error_naming_the_option(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("no python here\n")
    completed = run_cli("init", cwd=tmp_path)
    assert completed.returncode == 2
    assert "--package" in completed.stderr
    assert not (tmp_path / "archguard.toml").exists()


def test_init_with_explicit_packages_and_source_roots_writes_them(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path / "project",
        {
            "lib/app/__init__.py": "",
            "lib/app/web/__init__.py": "from app.core import run\n",
            "lib/app/core/__init__.py": "def run(): ...\n",
            "lib/other/__init__.py": "import app\n",
        },
    )
    completed = run_cli("init", "--source-root", "lib", "--package", "app", cwd=root)
    assert completed.returncode == 0, completed.stderr
    contract = load_contract(root / "archguard.toml").contract
    assert contract.project.roots == ["lib"] and contract.project.packages == ["app"]
    assert sorted(contract.components) == ["app", "core", "web"]
    assert run_check(root).exit_code == 0
