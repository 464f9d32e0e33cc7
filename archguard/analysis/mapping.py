"""Modules -> components: a module belongs to the most specific component that matches.

Specificity: the pattern that matches the longest prefix of the module wins; between equal
prefixes, the pattern with more literal names wins; a remaining tie goes to the component
declared first. Literal patterns are looked up by prefix in a dict (O(depth) per module), so
mapping stays linear in the number of modules.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from archguard.contract.models import ComponentConfig
from archguard.contract.patterns import ModulePattern


@dataclass(frozen=True)
class ComponentMap:
    """Which component each analysed module belongs to, and each component's modules."""

    component_of: Mapping[str, str | None]  # every analysed module -> component (None: unmapped)
    modules_of: Mapping[str, tuple[str, ...]]  # component -> its modules, sorted
    order: tuple[str, ...]  # component names in declaration order

    @property
    def unmapped(self) -> tuple[str, ...]:
        return tuple(sorted(m for m, c in self.component_of.items() if c is None))


def build_component_map(components: Mapping[str, ComponentConfig], modules: Iterable[str]) -> ComponentMap:
    literal: dict[str, list[tuple[int, ModulePattern, str]]] = {}
    wildcard: list[tuple[int, ModulePattern, str]] = []
    for order, (name, component) in enumerate(components.items()):
        for text in component.modules:
            pattern = ModulePattern.parse(text)
            entry = (order, pattern, name)
            if pattern.is_literal:
                literal.setdefault(pattern.literal, []).append(entry)
            else:
                wildcard.append(entry)

    component_of: dict[str, str | None] = {}
    members: dict[str, list[str]] = {name: [] for name in components}
    for module in sorted(modules):
        best: tuple[int, int, int] | None = None  # (depth, literal names, -order)
        best_name: str | None = None
        full = depth = module.count(".") + 1
        prefix = module
        while depth:  # the module, then each package above it (longest prefix first)
            for order, pattern, name in literal.get(prefix, ()):
                if pattern.exact and depth != full:
                    continue  # "shop:*" is the module shop alone
                key = (depth, pattern.literal_count, -order)
                if best is None or key > best:
                    best, best_name = key, name
            if best is not None:
                break  # longer literal prefixes were tried first
            depth -= 1
            prefix = prefix[: prefix.rfind(".")] if depth else prefix
        for order, pattern, name in wildcard:
            depth_matched = pattern.match_depth(module)
            if depth_matched is None:
                continue
            key = (depth_matched, pattern.literal_count, -order)
            if best is None or key > best:
                best, best_name = key, name
        component_of[module] = best_name
        if best_name is not None:
            members[best_name].append(module)
    return ComponentMap(
        component_of=component_of,
        modules_of={name: tuple(mods) for name, mods in members.items()},
        order=tuple(components),
    )
