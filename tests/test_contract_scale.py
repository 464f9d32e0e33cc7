"""Contracts that scale (issue 19): what was made linear still gives the same answers.

The independent rule once walked every ordered pair of its components; ``locate_key`` once
re-scanned the contract text for every finding. Both are now one pass plus lookups; each is
held here to the straightforward algorithm it replaced (kept in this file as the oracle).
Their speed is measured in benchmarks/contract_scale.py, never here.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archguard.analysis.graph import direct_edges, indirect_chains
from archguard.contract.loading import load_contract, locate_key
from archguard.engine.pipeline import RunOptions, analyze, packages_outside_roots
from archguard.rules.base import RuleContext
from archguard.rules.independent import IndependentRule
from tests.helpers import REPO, make_project

# --- locate_key: an index, the same lines as the scan -----------------------------------------------

_HEADER = re.compile(r"^\s*\[(\[)?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")


def _split_key(key: str) -> list[str]:
    return [p for p in re.findall(r'\[\d+\]|"[^"]*"|[^.\[\]"]+', key) if p]


def scanned_line(source: str, key: str) -> int | None:
    """The scan ``locate_key`` was before it used an index (the oracle)."""
    if not source:
        return None
    parts = _split_key(key)
    if not parts:
        return None
    lines = source.splitlines()
    tables: list[tuple[str, int]] = []
    counts: dict[str, int] = {}
    for number, line in enumerate(lines):
        match = _HEADER.match(line)
        if match:
            name = re.sub(r"\s*\.\s*", ".", match.group(2)).replace('"', "")
            if match.group(1):
                counts[name] = counts.get(name, -1) + 1
                name = f"{name}[{counts[name]}]"
            tables.append((name, number))
    best: tuple[int, int, int] | None = None
    for index, (name, start) in enumerate(tables):
        table_parts = _split_key(name)
        if parts[: len(table_parts)] == table_parts:
            end = tables[index + 1][1] if index + 1 < len(tables) else len(lines)
            if best is None or len(table_parts) > best[0]:
                best = (len(table_parts), start, end)
    if best is None:
        consumed, start, end = 0, -1, (tables[0][1] if tables else len(lines))
    else:
        consumed, start, end = best
    remaining = [p for p in parts[consumed:] if not p.startswith("[")]
    if not remaining:
        return start + 1 if start >= 0 else None
    for depth in range(len(remaining), 0, -1):
        wanted = ".".join(remaining[:depth])
        pattern = re.compile(rf"^\s*\"?{re.escape(wanted)}\"?\s*=")
        for number in range(start + 1, end):
            if pattern.match(lines[number]):
                return number + 1
    for number in range(start + 1, end):
        if re.search(rf"(^|[\s{{,]){re.escape(remaining[-1])}\s*=", lines[number]):
            return number + 1
    return start + 1 if start >= 0 else None


def key_paths(value: Any, prefix: str = "") -> Iterator[str]:
    """Every key path of a TOML document, as archguard writes them (``rules[2].layers[0]``)."""
    if isinstance(value, dict):
        for key, item in value.items():
            name = key if re.match(r"^[A-Za-z0-9_-]+$", key) else f'"{key}"'
            path = f"{prefix}.{name}" if prefix else name
            yield path
            yield from key_paths(item, path)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            path = f"{prefix}[{index}]"
            yield path
            yield from key_paths(item, path)


CONTRACTS = [*sorted(REPO.glob("examples/**/archguard.toml")), REPO / "contracts" / "archguard.toml"]


def test_every_key_of_the_shipped_contracts_is_located_as_the_scan_located_it() -> None:
    checked = 0
    for path in CONTRACTS:
        source = path.read_text(encoding="utf-8")
        for key in [*key_paths(tomllib.loads(source)), "nowhere", "rules[99].x", "project.missing"]:
            assert locate_key(source, key) == scanned_line(source, key), (path.name, key)
            checked += 1
    assert checked > 100


toml_lines = st.sampled_from(
    [
        "[project]", "[components]", "[[rules]]", "[rules.allow]", "[drift]", '[tool.archguard]', "[[ignore]]",
        'roots = ["src"]', 'kind = "layers"', 'layers = ["a", "b"]', 'api = { modules = ["shop.api"] }',
        'a.b = 1', '"quoted key" = 2', 'allow = { api = ["x"], core = [] }', "  modules = [", '    "x",', "  ]",
        "# comment = 1", "", 'name = "x = y"', "orders=[]",
    ]
)
keys = st.sampled_from(
    [
        "project.roots", "project", "components.api", "components.api.modules", "rules[0].kind", "rules[1].layers[0]",
        "rules[0].allow.api", "rules[2].allow", "drift", "a.b", "a", '"quoted key"', "ignore[0]", "tool.archguard.project.roots",
        "allow.core", "orders", "name", "x",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(toml_lines, max_size=25), keys)
def test_locating_a_key_in_any_text_agrees_with_the_scan(lines: list[str], key: str) -> None:
    source = "\n".join(lines) + "\n"
    assert locate_key(source, key) == scanned_line(source, key)


# --- the independent rule: one pass over the edges, the same findings as every pair ----------------------

class PairwiseIndependentRule(IndependentRule):
    """The rule as it was: every ordered pair of components (the oracle)."""

    def check(self, ctx: RuleContext) -> Iterator[Any]:
        view = ctx.view_for(self)
        components = ctx.expand(self.config.components)
        members = {c: set(ctx.modules_of(c)) for c in components}
        everyone = set().union(*members.values())
        for source in components:
            for target in components:
                if source == target:
                    continue
                for importer, imported in direct_edges(view, members[source], members[target]):
                    for site in view.edges[importer, imported]["sites"]:
                        yield ("direct", source, target, importer, imported, site.line)
                if not self.config.allow_indirect:
                    for chain in indirect_chains(view, members[source], members[target], barrier=everyone):
                        yield ("indirect", source, target, tuple(chain))


def _described(findings: list[Any]) -> list[tuple[Any, ...]]:
    described = []
    for finding in findings:
        if finding.kind == "direct":
            source_target = re.search(r": (\S+) and (\S+) must be independent$", finding.message)
            assert source_target is not None
            described.append(("direct", *source_target.groups(), finding.importer, finding.imported, finding.line))
        else:
            source_target = re.search(r": (\S+) and (\S+) must be independent$", finding.message)
            assert source_target is not None
            chain = (finding.chain[0].importer, *(hop.imported for hop in finding.chain))
            described.append(("indirect", *source_target.groups(), chain))
    return described


COMPONENT_NAMES = ["a", "b", "c", "d"]
MODULES = [f"shop.{c}.m{i}" for c in COMPONENT_NAMES for i in range(2)] + ["shop.free.x", "shop.free.y", "shop.free.z"]


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    st.lists(st.tuples(st.sampled_from(MODULES), st.sampled_from(MODULES)), max_size=25),
    st.lists(st.sampled_from(COMPONENT_NAMES), min_size=2, max_size=4, unique=True),
    st.booleans(),
)
def test_the_independent_rule_finds_what_the_pairwise_walk_found(edges: list[tuple[str, str]], listed: list[str], allow_indirect: bool) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        files: dict[str, str | bytes] = {"shop/__init__.py": "", "shop/free/__init__.py": ""}
        for name in COMPONENT_NAMES:
            files[f"shop/{name}/__init__.py"] = ""
        imports: dict[str, list[str]] = {m: [] for m in MODULES}
        for importer, imported in edges:
            if importer != imported:
                imports[importer].append(f"import {imported}")
        for module, lines in imports.items():
            files[module.replace(".", "/") + ".py"] = "\n".join(lines) + "\n"
        components = "\n".join(f'{c} = {{ modules = ["shop.{c}"] }}' for c in COMPONENT_NAMES)
        rule = f'[[rules]]\nkind = "independent"\ncomponents = {listed!r}\nallow_indirect = {str(allow_indirect).lower()}\n'.replace("'", '"')
        root = make_project(Path(folder), files, f'[project]\npackages = ["shop"]\n[components]\n{components}\n{rule}')
        loaded = load_contract(root / "archguard.toml")
        analysis = analyze(loaded, RunOptions(jobs=1, use_cache=False))
        ctx = RuleContext(
            contract=loaded.contract,
            graph=analysis.graph,
            components=analysis.components,
            facts=analysis.facts,
            paths=analysis.paths,
            loaded=loaded,
            elsewhere=packages_outside_roots(analysis),
        )
        config = loaded.contract.rules[0]
        expected = list(PairwiseIndependentRule(config, 0).check(ctx))
        found = _described(list(IndependentRule(config, 0).check(ctx)))
        assert found == expected
