"""The ``independent`` rule."""

from __future__ import annotations

from collections.abc import Iterator

from archguard.analysis.graph import ReverseSearch, chains_from
from archguard.findings import Finding, site_finding
from archguard.rules.base import Rule, RuleContext


class IndependentRule(Rule):
    """Components that must not depend on each other, in any direction.

    Why: independent services can be changed, deployed, tested and owned separately; one
    import between them couples their release cycles.
    Fix: move the shared code to a lower component both may use, or communicate through
    an event or an interface owned by neither.
    Example:
    [[rules]]
    kind = "independent"
    components = ["orders", "billing"]
    Breaks:
    # shop/orders/service.py
    from shop.domain import model
    from shop.billing.api import Invoice
    """

    kind = "independent"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        # Linear in edges plus components: every pair of components is never visited; the
        # edges are grouped by (source component, target component) in one pass, and the
        # chains into each component come from one reverse search per component that has an
        # outsider predecessor (the search's intermediates are never members of any of the
        # rule's components, so it is the same search whichever component the chain starts in).
        view = ctx.view_for(self)
        components = ctx.expand(self.config.components)
        member_of = {module: component for component in components for module in ctx.modules_of(component)}
        members = {c: set(ctx.modules_of(c)) for c in components}
        everyone = set(member_of)
        order = {component: position for position, component in enumerate(components)}
        direct: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for importer in sorted(everyone):
            if importer not in view:
                continue
            source = member_of[importer]
            for imported in view.successors(importer):
                target = member_of.get(imported)
                if target is not None and target != source:
                    direct.setdefault((source, target), []).append((importer, imported))
        indirect: dict[tuple[str, str], list[list[str]]] = {}
        if not self.config.allow_indirect:
            for target in components:
                search = ReverseSearch(view, members[target], everyone)
                # The members of other components one step before a node the search reached.
                heads = {p for node in search.reached for p in view.predecessors(node) if p in everyone and member_of[p] != target}
                for source in sorted({member_of[p] for p in heads}, key=order.__getitem__):
                    chains = chains_from(view, members[source] & heads, search)
                    if chains:
                        indirect[source, target] = chains
        for source, target in sorted(direct.keys() | indirect.keys(), key=lambda pair: (order[pair[0]], order[pair[1]])):
            action = f"{source} and {target} must stay independent: move the shared code to a component both may use"
            remedy = self.remedy("move-shared-code-down", action, reason=f"{source} and {target} must be independent")
            for importer, imported in direct.get((source, target), ()):
                for site in view.edges[importer, imported]["sites"]:
                    yield site_finding(
                        rule=self.kind,
                        rule_name=self.name,
                        kind="direct",
                        severity=self.severity,
                        message=f"{importer} imports {imported}: {source} and {target} must be independent",
                        site=site,
                        fix=remedy,
                    )
            for chain in indirect.get((source, target), ()):
                yield site_finding(
                    rule=self.kind,
                    rule_name=self.name,
                    kind="indirect",
                    severity=self.severity,
                    message=f"{chain[0]} depends on {chain[-1]} through {' -> '.join(chain[1:-1])}: {source} and {target} must be independent",
                    site=ctx.first_site(view, chain[0], chain[1]),
                    chain=ctx.hops(view, chain),
                    imported=chain[-1],
                    fix=remedy,
                    identity_extra=(chain[1],),
                )
