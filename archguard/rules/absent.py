"""The ``absent`` rule (implicit, ``[drift] absent``), and the contract's declared dependencies."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from archguard.contract.models import AllowedRule as AllowedConfig
from archguard.contract.models import Contract, rule_display_name
from archguard.contract.models import LayersRule as LayersConfig
from archguard.contract.validate import parse_layer
from archguard.findings import Finding
from archguard.graph import component_graph
from archguard.resolve import EXTERNAL
from archguard.rules.base import Rule, RuleContext


@dataclass(frozen=True, slots=True)
class Declared:
    """A component dependency the contract declares (``allowed``) or permits (``layers``)."""

    source: str
    target: str
    rule_name: str
    key: str  # where in the contract: "rules[2].allow.api"
    explicit: bool  # listed one by one in an ``allowed`` rule (a layer only permits)


def declared_dependencies(contract: Contract) -> list[Declared]:
    """Every component -> component dependency the contract declares or permits, in contract order."""
    declared: list[Declared] = []
    for index, config in enumerate(contract.rules):
        name = rule_display_name(config, index)
        if isinstance(config, AllowedConfig):
            for source, targets in config.allow.items():
                for target in targets:
                    if not target.startswith(EXTERNAL) and target != source:
                        declared.append(Declared(source, target, name, f"rules[{index}].allow.{source}", True))
        elif isinstance(config, LayersConfig):
            layers = [parse_layer(entry) for entry in config.layers]
            for position, upper in enumerate(layers):
                for source in upper.components:
                    if not upper.independent:
                        for sibling in upper.components:
                            if sibling != source:
                                declared.append(Declared(source, sibling, name, f"rules[{index}].layers[{position}]", False))
                    for offset, lower in enumerate(layers[position + 1 :], start=position + 1):
                        for target in lower.components:
                            declared.append(Declared(source, target, name, f"rules[{index}].layers[{offset}]", False))
    return declared


class AbsentRule(Rule):
    """A dependency listed in an ``allowed`` rule that no code uses any more.

    Why: the contract is the architecture's documentation; an allowed dependency nobody uses
    is stale, and it silently permits the next import that brings it back.
    Fix: remove the component from the rule's allow list (or set ``[drift] absent = "off"``
    if allow lists are meant to be permissive).
    """

    kind = "absent"
    implicit = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        present = component_graph(ctx.graph.graph, ctx.components.component_of)
        for declared in declared_dependencies(ctx.contract):
            if not declared.explicit or present.has_edge(declared.source, declared.target):
                continue
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
                remedy=f"remove {declared.target!r} from {declared.key} if the dependency is gone for good",
                identity=(declared.rule_name, declared.source, declared.target),
            )
