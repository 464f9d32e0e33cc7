"""The ``allowed`` rule."""

from __future__ import annotations

from collections.abc import Iterator

from archguard.findings import Finding, site_finding
from archguard.resolve import EXTERNAL
from archguard.rules.base import Rule, RuleContext


class AllowedRule(Rule):
    """Components may depend only on the components listed for them.

    Why: a whitelist makes every new dependency between components a deliberate, reviewed
    decision instead of something that creeps in with a convenient import.
    Fix: remove the import, or, if the dependency is intended, add it to the contract's
    allow list in the same change so reviewers see it.
    Example:
    [[rules]]
    kind = "allowed"
    [rules.allow]
    api = ["orders", "billing"]
    orders = ["domain"]
    domain = []
    """

    kind = "allowed"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        view = ctx.view_for(self)
        allow: dict[str, list[str]] = self.config.allow
        for importer, imported in sorted(view.edges()):
            source = ctx.component_of(importer)
            if source is None or source not in allow:
                continue
            if imported.startswith(EXTERNAL):
                if not self.config.include_external or ctx.is_stdlib(imported):
                    continue
                target: str | None = imported
            else:
                target = ctx.component_of(imported)
            if target is None or target == source or target in allow[source]:
                continue
            listed = ", ".join(allow[source]) or "nothing"
            for site in view.edges[importer, imported]["sites"]:
                yield site_finding(
                    rule=self.kind,
                    rule_name=self.name,
                    kind="not-allowed",
                    severity=self.severity,
                    message=f"{importer} imports {imported}: {source} may depend on {listed}, not on {target}",
                    site=site,
                    remedy=f"remove the import, or if {source} should depend on {target}, add {target!r} to allow.{source} in the contract",
                )
