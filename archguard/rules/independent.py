"""The ``independent`` rule."""

from __future__ import annotations

from collections.abc import Iterator

from archguard.analysis.graph import direct_edges, indirect_chains
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
        view = ctx.view_for(self)
        components = ctx.expand(self.config.components)
        members = {c: set(ctx.modules_of(c)) for c in components}
        everyone = set().union(*members.values())
        for source in components:
            for target in components:
                if source == target:
                    continue
                action = f"{source} and {target} must stay independent: move the shared code to a component both may use"
                remedy = self.remedy("move-shared-code-down", action, reason=f"{source} and {target} must be independent")
                for importer, imported in direct_edges(view, members[source], members[target]):
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
                if self.config.allow_indirect:
                    continue
                for chain in indirect_chains(view, members[source], members[target], barrier=everyone):
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
