"""Module patterns and component mapping."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from archguard.analysis.mapping import build_component_map
from archguard.contract.models import ComponentConfig
from archguard.contract.patterns import ModulePattern, PatternError, glob_to_regex


@pytest.mark.parametrize(
    ("pattern", "module", "depth"),
    [
        ("shop.orders", "shop.orders", 2),
        ("shop.orders", "shop.orders.service.x", 2),
        ("shop.orders", "shop.ordersx", None),
        ("shop.orders", "shop", None),
        ("shop.*", "shop.orders", 2),
        ("shop.*", "shop", None),
        ("shop.*.models", "shop.orders.models.x", 3),
        ("shop.*.models", "shop.models", None),
        ("shop.**.models", "shop.models", 2),
        ("shop.**.models", "shop.a.b.models", 4),
        ("shop.**", "shop", 1),
        ("shop.test_*", "shop.test_api.x", 2),
        ("shop:*", "shop", 1),
        ("shop:*", "shop.orders", None),
    ],
)
def test_match_depth(pattern: str, module: str, depth: int | None) -> None:
    assert ModulePattern.parse(pattern).match_depth(module) == depth


@pytest.mark.parametrize("text", ["", "  ", "shop..orders", "shop.", "shop/orders", "shop:", "shop.*:x"])
def test_malformed_patterns_are_rejected(text: str) -> None:
    with pytest.raises(PatternError):
        ModulePattern.parse(text)


names = st.lists(st.sampled_from(["a", "b", "c", "ab"]), min_size=1, max_size=5).map(".".join)


@given(names, names)
def test_a_literal_pattern_covers_exactly_itself_and_its_descendants(pattern: str, module: str) -> None:
    covered = ModulePattern.parse(pattern).covers(module)
    assert covered == (module == pattern or module.startswith(pattern + "."))


@given(names, names)
def test_double_star_suffix_covers_the_same_as_the_prefix(pattern: str, module: str) -> None:
    assert ModulePattern.parse(pattern + ".**").covers(module) == ModulePattern.parse(pattern).covers(module)


def test_most_specific_component_wins() -> None:
    components = {
        "shop": ComponentConfig(modules=["shop"]),
        "orders": ComponentConfig(modules=["shop.orders"]),
        "models": ComponentConfig(modules=["shop.*.models"]),
        "root": ComponentConfig(modules=["tools:*"]),
    }
    mapping = build_component_map(
        components, ["shop", "shop.orders", "shop.orders.models", "shop.orders.models.x", "shop.billing", "tools", "tools.x"]
    )
    assert dict(mapping.component_of) == {
        "shop": "shop",
        "shop.orders": "orders",
        "shop.orders.models": "models",
        "shop.orders.models.x": "models",
        "shop.billing": "shop",
        "tools": "root",
        "tools.x": None,
    }
    assert mapping.unmapped == ("tools.x",)
    assert mapping.modules_of["orders"] == ("shop.orders",)


@pytest.mark.parametrize(
    ("glob", "path", "matches"),
    [
        ("**/migrations/**", "src/shop/migrations/0001.py", True),
        ("**/migrations/**", "migrations/0001.py", True),
        ("**/migrations/**", "src/shop/migrations_x/a.py", False),
        ("src/*.py", "src/a.py", True),
        ("src/*.py", "src/a/b.py", False),
        ("src/shop/legacy", "src/shop/legacy", True),
    ],
)
def test_path_globs(glob: str, path: str, matches: bool) -> None:
    assert bool(glob_to_regex(glob).match(path)) == matches


def _component_of_by_split(components: dict[str, ComponentConfig], modules: list[str]) -> dict[str, str | None]:
    """build_component_map's literal prefixes as first written: every prefix joined from the parts."""
    literal: dict[str, list[tuple[int, ModulePattern, str]]] = {}
    wildcard: list[tuple[int, ModulePattern, str]] = []
    for order, (name, component) in enumerate(components.items()):
        for text in component.modules:
            pattern = ModulePattern.parse(text)
            (literal.setdefault(pattern.literal, []) if pattern.is_literal else wildcard).append((order, pattern, name))
    found: dict[str, str | None] = {}
    for module in sorted(modules):
        best: tuple[int, int, int] | None = None
        best_name: str | None = None
        parts = module.split(".")
        for depth in range(len(parts), 0, -1):
            for order, pattern, name in literal.get(".".join(parts[:depth]), ()):
                if pattern.exact and depth != len(parts):
                    continue
                key = (depth, pattern.literal_count, -order)
                if best is None or key > best:
                    best, best_name = key, name
            if best is not None:
                break
        for order, pattern, name in wildcard:
            depth_matched = pattern.match_depth(module)
            if depth_matched is not None and (best is None or (depth_matched, pattern.literal_count, -order) > best):
                best, best_name = (depth_matched, pattern.literal_count, -order), name
        found[module] = best_name
    return found


_dotted = st.lists(st.sampled_from(["a", "b", "c"]), min_size=1, max_size=4).map(".".join)


@given(
    st.lists(st.lists(st.one_of(_dotted, _dotted.map(lambda m: m + ":*"), _dotted.map(lambda m: m + ".*")), min_size=1, max_size=3), max_size=4),
    st.lists(_dotted, max_size=20),
)
def test_components_by_longest_literal_prefix_as_joined_from_parts(patterns: list[list[str]], modules: list[str]) -> None:
    components = {f"c{i}": ComponentConfig.model_construct(modules=texts) for i, texts in enumerate(patterns)}
    assert dict(build_component_map(components, modules).component_of) == _component_of_by_split(components, modules)
