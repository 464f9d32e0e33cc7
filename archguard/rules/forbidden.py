"""The ``forbidden`` rule."""

from __future__ import annotations

from collections.abc import Iterator

from archguard.analysis.graph import direct_edges, indirect_chains
from archguard.analysis.resolve import ImportSite
from archguard.contract.selectors import EXTERNAL, ExternalTarget, partial_external_nodes
from archguard.findings import Finding, Remedy, site_finding
from archguard.rules.base import Rule, RuleContext


class ForbiddenRule(Rule):
    """Some modules must never depend on others, or on a third-party package.

    ``from`` and ``to`` take components, tags, module patterns and ``external:NAME`` packages
    (``external:django.db``, ``external:stdlib:subprocess``). Chains of imports through other
    modules count unless ``allow_indirect = true``.

    Why: a domain that imports the web framework or the ORM can no longer be tested or
    reused without them, and infrastructure decisions leak into business rules.
    Fix: depend on an interface owned by the importing side and inject the implementation,
    or move the code that needs the forbidden module out to the layer that owns it.
    Example:
    [[rules]]
    kind = "forbidden"
    name = "Pure domain"
    from = ["domain"]
    to = ["infra", "external:requests", "external:stdlib:subprocess"]
    Breaks:
    # shop/domain/model.py
    from shop.billing.api import Invoice
    """

    kind = "forbidden"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        externals = [ExternalTarget.parse(entry) for entry in self.config.to if entry.startswith(EXTERNAL)]
        view = ctx.view_for(self, partial_external_nodes(externals, ctx.graph.externals))
        selected = {entry: ctx.select(entry, view) for entry in self.config.to}
        targets: set[str] = set().union(*selected.values())
        sources: set[str] = set()
        for entry in self.config.from_:
            sources |= ctx.select(entry, view)
        sources -= targets
        names = ", ".join(self.config.to)
        origin = ", ".join(self.config.from_)

        def remedy(target: str, site: ImportSite) -> Remedy:
            entry = next((e for e, nodes in selected.items() if target in nodes), names)
            what = site.requested if target.startswith(EXTERNAL) else target
            return self.remedy(
                "invert-dependency",
                f"remove the dependency on {what}: depend on an interface you own and inject the implementation",
                reason=f"{origin} must not depend on {entry}",
            )

        for importer, imported in direct_edges(view, sources, targets):
            for site in view.edges[importer, imported]["sites"]:
                shown = f"{site.requested} ({imported})" if site.external and site.requested != imported[len(EXTERNAL) :] else imported
                yield site_finding(
                    rule=self.kind,
                    rule_name=self.name,
                    kind="direct",
                    severity=self.severity,
                    message=f"{importer} imports {shown}, which is forbidden ({origin} must not depend on {names})",
                    site=site,
                    fix=remedy(imported, site),
                )
        if self.config.allow_indirect:
            return
        for chain in indirect_chains(view, sources, targets):
            head = ctx.first_site(view, chain[0], chain[1])
            last = ctx.first_site(view, chain[-2], chain[-1])
            end = last.requested if last.external else chain[-1]
            yield site_finding(
                rule=self.kind,
                rule_name=self.name,
                kind="indirect",
                severity=self.severity,
                message=f"{chain[0]} depends on {end} through {' -> '.join(chain[1:-1])}, which is forbidden ({origin} must not depend on {names})",
                site=head,
                chain=ctx.hops(view, chain),
                imported=chain[-1],
                fix=remedy(chain[-1], last),
                identity_extra=(chain[1],),
            )
