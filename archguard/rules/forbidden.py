"""The ``forbidden`` rule."""

from __future__ import annotations

from collections.abc import Iterator

from archguard.findings import Finding, site_finding
from archguard.graph import direct_edges, indirect_chains
from archguard.rules.base import Rule, RuleContext


class ForbiddenRule(Rule):
    """Some modules must never depend on others, or on a third-party package.

    Why: a domain that imports the web framework or the ORM can no longer be tested or
    reused without them, and infrastructure decisions leak into business rules.
    Fix: depend on an interface owned by the importing side and inject the implementation,
    or move the code that needs the forbidden module out to the layer that owns it.
    Example:
    [[rules]]
    kind = "forbidden"
    from = ["domain"]
    to = ["infra", "external:django"]
    """

    kind = "forbidden"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        view = ctx.view_for(self)
        targets: set[str] = set()
        for entry in self.config.to:
            targets |= ctx.select(entry, view)
        sources: set[str] = set()
        for entry in self.config.from_:
            sources |= ctx.select(entry, view)
        sources -= targets
        names = ", ".join(self.config.to)
        for importer, imported in direct_edges(view, sources, targets):
            for site in view.edges[importer, imported]["sites"]:
                yield site_finding(
                    rule=self.kind,
                    rule_name=self.name,
                    kind="direct",
                    severity=self.severity,
                    message=f"{importer} imports {imported}, which is forbidden ({', '.join(self.config.from_)} must not depend on {names})",
                    site=site,
                    remedy=self._remedy(imported),
                )
        if self.config.allow_indirect:
            return
        for chain in indirect_chains(view, sources, targets):
            head = ctx.first_site(view, chain[0], chain[1])
            yield site_finding(
                rule=self.kind,
                rule_name=self.name,
                kind="indirect",
                severity=self.severity,
                message=(
                    f"{chain[0]} depends on {chain[-1]} through {' -> '.join(chain[1:-1])}, which is forbidden "
                    f"({', '.join(self.config.from_)} must not depend on {names})"
                ),
                site=head,
                chain=ctx.hops(view, chain),
                imported=chain[-1],
                remedy=self._remedy(chain[-1]),
                identity_extra=(chain[1],),
            )

    @staticmethod
    def _remedy(target: str) -> str:
        return f"remove the dependency on {target}: depend on an interface you own and inject the implementation"
