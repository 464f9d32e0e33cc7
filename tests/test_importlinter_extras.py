"""The checks archguard adds to an import-linter configuration: their building blocks held to
the plain computation they replace (a new graph; a scan of every name for each module)."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from archguard.analysis.digraph import DiGraph
from archguard.analysis.graph import ModuleGraph
from archguard.analysis.resolve import ImportSite
from archguard.importlinter.contracts.extras import uncovered_modules, with_sites
from archguard.importlinter.contracts.graph import ContractGraph
from archguard.importlinter.contracts.layers import Level, find_layer_dependencies


def site(importer: str, imported: str, line: int, *, dynamic: bool = False) -> ImportSite:
    path = importer.replace(".", "/") + ".py"
    text = f"importlib.import_module({imported!r})" if dynamic else f"import {imported}"
    return ImportSite(importer, imported, path, line, 1, line, text, imported, dynamic=dynamic)


MODULES = {m: m.replace(".", "/") + ".py" for m in ("pkg", "pkg.a", "pkg.b", "pkg.c", "pkg.d.e")}
STATIC = [
    site("pkg.a", "pkg.b", 1),
    site("pkg.a", "pkg.c", 2),
    site("pkg.b", "pkg.c", 1),
    site("pkg.c", "external:requests", 1),
    site("pkg.d.e", "pkg.a", 3),
]


def rebuilt(sites: list[ImportSite]) -> ModuleGraph:
    """What the dynamic-import rule built before: a new graph from every site, plus the nodes of the old one."""
    old = ModuleGraph(MODULES, STATIC, {"pkg.a": "a"})
    old.graph.add_node("pkg.d", path=None, component=None, external=False)  # a folder without a file
    graph = ModuleGraph(MODULES, [*old.all_sites(), *sites], {"pkg.a": "a"})
    for node, data in old.graph.nodes(data=True):
        if node not in graph.graph:
            graph.graph.add_node(node, **data)
    return graph


def test_a_graph_with_dynamic_sites_added_is_the_graph_built_anew_with_them() -> None:
    dynamic = [
        site("pkg.b", "pkg.a", 7, dynamic=True),  # a new edge
        site("pkg.a", "pkg.c", 9, dynamic=True),  # an edge that exists: one more site on it
        site("pkg.c", "pkg.gone", 4, dynamic=True),  # a module the graph does not have
        site("pkg.c", "external:yaml", 5, dynamic=True),
    ]
    graph = ModuleGraph(MODULES, STATIC, {"pkg.a": "a"})
    graph.graph.add_node("pkg.d", path=None, component=None, external=False)
    before = (list(graph.graph.nodes(data=True)), list(graph.graph.edges(data=True)))
    added = with_sites(graph, dynamic)
    expected = rebuilt(dynamic)
    assert sorted(added.graph.nodes(data=True)) == sorted(expected.graph.nodes(data=True))
    assert list(added.graph.edges(data=True)) == list(expected.graph.edges(data=True))
    assert added.graph.edges["pkg.a", "pkg.c"]["sites"] == (STATIC[1], dynamic[1])
    # the graph the contracts already checked is left as it was
    assert (list(graph.graph.nodes(data=True)), list(graph.graph.edges(data=True))) == before


def covered_by_scan(module: str, named: set[str]) -> bool:
    parts = module.split(".")
    ancestors = {".".join(parts[:i]) for i in range(1, len(parts) + 1)}
    return bool(ancestors & named) or any(name.startswith(module + ".") for name in named)


NAMES = st.lists(st.sampled_from(["a", "b", "ab", "c"]), min_size=1, max_size=4).map(".".join)


@settings(max_examples=300, deadline=None)
@given(st.sets(NAMES, max_size=25), st.data())
def test_uncovered_modules_are_those_a_scan_of_every_name_finds(modules: set[str], data: st.DataObject) -> None:
    named = data.draw(st.sets(st.sampled_from(sorted(modules)), max_size=len(modules))) if modules else set()
    assert uncovered_modules(modules, named) == sorted(m for m in modules if not covered_by_scan(m, named))


def test_a_prefix_that_is_not_a_package_does_not_cover() -> None:
    # "pkg.ab" is not below "pkg.a"; "pkg" is above "pkg.a.x" (named), so it is covered
    assert uncovered_modules(["pkg", "pkg.a", "pkg.ab", "pkg.a.x"], {"pkg.a.x"}) == ["pkg.ab"]


# -- layer pairs whose search cannot take a new import -------------------------------------

LAYER_NAMES = ["p.a", "p.b", "p.c", "p.d", "p.a.x"]  # (p.a.x inside p.a: a search whose sources and targets overlap)
ALL_NAMES = [*LAYER_NAMES, "p.b.y", "p.m", "p.n", "ext"]
IMPORTS = st.lists(st.tuples(st.sampled_from(ALL_NAMES), st.sampled_from(ALL_NAMES)).filter(lambda e: e[0] != e[1]), max_size=18)


def contract_graph(edges: list[tuple[str, str]]) -> ContractGraph:
    view = DiGraph()
    for name in ALL_NAMES:
        view.add_node(name, path=None if name == "ext" else name, component=None, external=name == "ext")
    for importer, imported in edges:
        view.add_edge(importer, imported, sites=())
    return ContractGraph.from_view(view)


@settings(max_examples=400, deadline=None)
@example(old=[], new=[("p.a", "p.a.x")], layers=["p.b", "p.a.x", "p.a"], siblings=False)  # a target that is also a source
@given(IMPORTS, IMPORTS, st.lists(st.sampled_from(LAYER_NAMES), min_size=2, max_size=4, unique=True), st.booleans())
def test_pairs_left_out_for_new_imports_have_the_chains_of_the_graph_without_them(
    old: list[tuple[str, str]], new: list[tuple[str, str]], layers: list[str], siblings: bool
) -> None:
    # (the last two layers are independent siblings when `siblings`)
    levels = [Level((name,), False, name) for name in layers[:-2]]
    if siblings:
        levels.append(Level(tuple(sorted(layers[-2:])), True, " | ".join(layers[-2:])))
    else:
        levels += [Level((name,), False, name) for name in layers[-2:]]
    added = sorted(set(new) - set(old))
    plain = find_layer_dependencies(contract_graph(old), levels)
    full = find_layer_dependencies(contract_graph(old + added), levels)
    fast = find_layer_dependencies(contract_graph(old + added), levels, frozenset(added))
    assert all(dependency in full for dependency in fast)
    # what the searches left out found nothing the graph without the new imports did not
    assert [d for d in full if d not in fast] == [d for d in full if d not in fast and d in plain]


def test_the_dynamic_check_compares_with_the_contract_s_own_findings_without_checking_it_again(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from archguard.engine.dialects import dialect_of, load_config
    from archguard.engine.pipeline import RunOptions, analyze, evaluate
    from archguard.importlinter.contracts.extras import DynamicImportRule
    from archguard.importlinter.contracts.forbidden import ImportLinterForbiddenRule
    from archguard.rules.base import RuleContext
    from tests.helpers import write_tree

    write_tree(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/infra.py": "",
            "shop/domain/__init__.py": "",
            "shop/domain/model.py": "import shop.infra\n",  # broken without a dynamic import
            "shop/domain/rules.py": "import importlib\n\nimportlib.import_module('shop.infra')\n",  # broken through one
            "shop/domain/more.py": "import importlib\nimport shop.infra\n\nimportlib.import_module('shop.infra')\n",  # both
        },
    )
    (tmp_path / ".importlinter").write_text(
        "[importlinter]\nroot_package = shop\n\n[importlinter:contract:low]\nname = low\ntype = forbidden\n"
        "source_modules =\n    shop.domain.model\n    shop.domain.rules\n    shop.domain.more\nforbidden_modules =\n    shop.infra\n"
        "\n[archguard]\ncopies = off\ndynamic = warning\n"
    )
    calls = []
    original = ImportLinterForbiddenRule.check_contract

    def counted(self, ctx, graph):  # type: ignore[no-untyped-def]
        calls.append(self)
        return original(self, ctx, graph)

    monkeypatch.setattr(ImportLinterForbiddenRule, "check_contract", counted)
    loaded = load_config(tmp_path / ".importlinter")
    result = evaluate(analyze(loaded, RunOptions(jobs=1, use_cache=False)))
    dynamic = [(f.importer, f.imported) for f in result.findings if f.rule == "importlinter-dynamic"]
    assert dynamic == [("shop.domain.rules", "shop.infra")]  # (more's pair is broken by its import statement)
    assert len(calls) == 2  # the contract's own check and the one with the dynamic imports: not a third

    # A dynamic check in a context the contract did not check (the language server keeps a
    # contract's findings between runs) checks the contract itself, with the same answer.
    analysis = analyze(loaded, RunOptions(jobs=1, use_cache=False))
    rules = dialect_of(loaded).build_rules(loaded)
    (rule,) = [r for r in rules if isinstance(r, DynamicImportRule)]
    ctx = RuleContext(contract=loaded.contract, graph=analysis.graph, components=analysis.components, facts=analysis.facts, paths=analysis.paths, loaded=loaded)
    calls.clear()
    assert [(f.importer, f.imported) for f in rule.check(ctx)] == dynamic
    assert len(calls) == 2
