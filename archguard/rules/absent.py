"""The ``absent`` rule (implicit, ``[drift] absent``), and the contract's declared dependencies."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from archguard.analysis.graph import SiteFilter, component_graph
from archguard.analysis.resolve import EXTERNAL
from archguard.contract.models import AllowedRule as AllowedConfig
from archguard.contract.models import Contract, rule_display_name
from archguard.contract.models import LayersRule as LayersConfig
from archguard.contract.selectors import expand_all
from archguard.contract.validate import allowed_constraints, layer_components, parse_layer
from archguard.findings import Finding
from archguard.rules.base import Rule, RuleContext


@dataclass(frozen=True, slots=True)
class Declared:
    """A component dependency the contract declares (``allowed``) or permits (``layers``)."""

    source: str
    target: str
    rule_name: str
    key: str  # where in the contract: "rules[2].allow.api"
    explicit: bool  # both components named in an ``allowed`` rule (a layer or a tag only permits)


def declared_dependencies(contract: Contract, *, explicit_only: bool = False) -> list[Declared]:
    """Every component -> component dependency the contract declares or permits, in contract order
    (tags expanded to their components; each pair once per rule). ``explicit_only``: leave out
    what layers permit (every pair of a layer and a lower one: quadratic in the components)."""
    components = contract.components
    declared: dict[tuple[str, str, str], Declared] = {}

    def add(source: str, target: str, name: str, key: str, explicit: bool) -> None:
        known = declared.get((source, target, name))
        if source != target and (known is None or (explicit and not known.explicit)):
            declared[(source, target, name)] = Declared(source, target, name, key, explicit)

    for index, config in enumerate(contract.rules):
        name = rule_display_name(config, index)
        if isinstance(config, AllowedConfig):
            for key, source, targets in allowed_constraints(config):
                internal = [t for t in targets if not t.startswith(EXTERNAL)]
                for component in expand_all([source], components):
                    for entry in internal:
                        for target in expand_all([entry], components):
                            # Named one by one, a dependency is declared; through a tag, only permitted.
                            add(component, target, name, f"rules[{index}].{key}", source in components and entry in components)
        elif isinstance(config, LayersConfig) and not explicit_only:
            layers = [layer_components(parse_layer(entry, components), components) for entry in config.layers]
            independent = [parse_layer(entry, components).independent for entry in config.layers]
            for position, upper in enumerate(layers):
                for source in upper:
                    if not independent[position]:
                        for sibling in upper:
                            add(source, sibling, name, f"rules[{index}].layers[{position}]", False)
                    for offset, lower in enumerate(layers[position + 1 :], start=position + 1):
                        for target in lower:
                            add(source, target, name, f"rules[{index}].layers[{offset}]", False)
    return list(declared.values())


class AbsentRule(Rule):
    """A dependency listed in an ``allowed`` rule that no code uses any more.

    Its level is ``[drift] absent`` (default ``"warning"``).

    Why: the contract is the architecture's documentation; an allowed dependency nobody uses
    is stale, and it silently permits the next import that brings it back.
    Fix: remove the component from the rule's allow list (or set ``[drift] absent = "off"``
    if allow lists are meant to be permissive).
    Example:
    [[rules]]
    kind = "allowed"
    [rules.allow]
    api = ["orders", "billing"]
    orders = ["domain", "billing"]
    billing = ["domain", "infra"]
    """

    kind = "absent"
    implicit = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        present = component_graph(ctx.graph.view(SiteFilter(exclude_main=ctx.excludes_main(None))), ctx.components.component_of)
        for declared in declared_dependencies(ctx.contract, explicit_only=True):
            if not declared.explicit or present.has_edge(declared.source, declared.target):
                continue
            action = f"remove {declared.target!r} from {declared.key} if the dependency is gone for good"
            yield Finding(
                rule=self.kind,
                rule_name=self.name,
                kind="absent",
                severity=self.severity,
                message=(
                    f"{declared.source} may depend on {declared.target} ({declared.rule_name}, {declared.key}), "
                    "but no code does: the contract is stale"
                ),
                importer=declared.source,
                imported=declared.target,
                remedy=action,
                fix=self.remedy("fix-contract", action, reason="an allowed dependency no code uses documents nothing and permits the next one"),
                identity=(declared.rule_name, declared.source, declared.target),
            )
