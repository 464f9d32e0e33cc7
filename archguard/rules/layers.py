"""The ``layers`` rule."""

from __future__ import annotations

from collections.abc import Iterator

from archguard.analysis.digraph import DiGraph
from archguard.analysis.graph import direct_edges, indirect_chains
from archguard.contract.validate import Layer, layer_components, parse_layer
from archguard.findings import Finding, Remedy, site_finding
from archguard.rules.base import Rule, RuleContext


class LayersRule(Rule):
    """Higher layers may depend on lower ones, never the reverse.

    Layers are listed from the top down; a component may import any component in a lower layer.
    "a | b" puts independent siblings in one layer (they must not import each other), "a : b"
    siblings that may import each other. A chain of imports through other modules counts too
    unless the rule says ``allow_indirect = true``: the finding then shows the whole chain.

    Why: an upward import couples the stable core to the volatile edges: a change in the
    web layer can then break the domain, and the domain can no longer be reused or tested
    on its own. Independent siblings ("a | b") must not know each other at all.
    Fix: move the shared code down into the lower layer, or invert the dependency: declare
    an interface (a Protocol or an abstract class) in the lower layer and implement it above.
    Example:
    [[rules]]
    kind = "layers"
    name = "Clean layering"
    layers = ["api", "orders | billing", "domain | infra"]
    Breaks:
    # shop/domain/model.py
    def price_label(order):
        from shop.api.views import format_price
        return format_price(order.total)
    """

    kind = "layers"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        view = ctx.view_for(self)
        components = ctx.contract.components
        layers = [parse_layer(entry, components) for entry in self.config.layers]
        layers = [Layer(layer_components(layer, components), layer.independent) for layer in layers]
        layer_modules: list[set[str]] = []
        for layer in layers:
            modules: set[str] = set()
            for component in layer.components:
                modules.update(ctx.modules_of(component))
            layer_modules.append(modules)
        layered = set().union(*layer_modules)
        indirect = not self.config.allow_indirect

        # Upward dependencies: from each layer into any layer above it.
        for lower in range(len(layers) - 1, 0, -1):
            sources = layer_modules[lower]
            targets = set().union(*layer_modules[:lower])
            yield from self._violations(ctx, view, sources, targets, layered, indirect, "higher layer")
        # Independent siblings inside one layer.
        for layer in layers:
            if not layer.independent:
                continue
            for source in layer.components:
                for target in layer.components:
                    if source != target:
                        yield from self._violations(
                            ctx, view, set(ctx.modules_of(source)), set(ctx.modules_of(target)), layered, indirect, "independent sibling"
                        )

    def _violations(
        self,
        ctx: RuleContext,
        view: DiGraph,
        sources: set[str],
        targets: set[str],
        layered: set[str],
        indirect: bool,
        relation: str,
    ) -> Iterator[Finding]:
        for importer, imported in direct_edges(view, sources, targets):
            source_component = ctx.component_of(importer)
            target_component = ctx.component_of(imported)
            for site in view.edges[importer, imported]["sites"]:
                yield site_finding(
                    rule=self.kind,
                    rule_name=self.name,
                    kind="direct",
                    severity=self.severity,
                    message=(
                        f"{importer} imports {imported}: {source_component} must not depend on "
                        f"{target_component}, {'a ' + relation if relation == 'higher layer' else 'an ' + relation}"
                    ),
                    site=site,
                    fix=self._remedy(source_component, target_component, relation),
                )
        if not indirect:
            return
        for chain in indirect_chains(view, sources, targets, barrier=layered):
            hops = ctx.hops(view, chain)
            head = ctx.first_site(view, chain[0], chain[1])
            source_component = ctx.component_of(chain[0])
            target_component = ctx.component_of(chain[-1])
            via = " -> ".join(chain[1:-1])
            yield site_finding(
                rule=self.kind,
                rule_name=self.name,
                kind="indirect",
                severity=self.severity,
                message=(
                    f"{chain[0]} depends on {chain[-1]} through {via}: {source_component} must not depend on "
                    f"{target_component}, {'a ' + relation if relation == 'higher layer' else 'an ' + relation}"
                ),
                site=head,
                chain=hops,
                imported=chain[-1],
                fix=self._remedy(source_component, target_component, relation),
                identity_extra=(chain[1],),
            )

    def _remedy(self, source: str | None, target: str | None, relation: str) -> Remedy:
        if relation == "higher layer":
            action = (
                f"move what {source} needs from {target} down into {source} or a lower layer, "
                f"or invert the dependency with an interface declared in {source}"
            )
            return self.remedy("invert-dependency", action, reason=f"{source} sits below {target}")
        action = f"{source} and {target} must stay independent: move the shared code into a lower layer both may use"
        return self.remedy("move-shared-code-down", action, reason=f"{source} and {target} share a layer and must stay independent")
