"""The ``allowed`` rule."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from archguard.analysis.resolve import ImportSite
from archguard.contract.selectors import EXTERNAL, ExternalTarget
from archguard.contract.validate import allowed_constraints
from archguard.findings import Finding, site_finding
from archguard.rules.base import Rule, RuleContext


@dataclass(frozen=True)
class Constraint:
    """Components (named directly or by a tag) and what they may depend on."""

    key: str  # where it is written: "allow.orders", "allow.\"type:domain\"", "from"
    source: str  # the entry as written: a component or a tag
    sources: frozenset[str]  # the components it names
    targets: tuple[str, ...]  # the allowed entries as written
    allowed: frozenset[str]  # the components they name
    externals: tuple[ExternalTarget, ...]

    def allows_site(self, site: ImportSite) -> bool:
        return any(target.matches(site.requested) for target in self.externals)


class AllowedRule(Rule):
    """Components may depend only on the components listed for them.

    ``allow`` maps each component to the components it may import directly; a component the
    table does not name is not restricted. ``from``/``to`` say the same for components or tags
    (``type:domain``). Third-party packages must be listed too with ``include_external = true``.

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
    billing = ["domain", "infra"]
    domain = []
    Breaks:
    # shop/orders/service.py
    from shop.domain import model
    from shop.infra.db import execute
    """

    kind = "allowed"

    def constraints(self, ctx: RuleContext) -> list[Constraint]:
        result = []
        for key, source, targets in allowed_constraints(self.config):
            internal = [t for t in targets if not t.startswith(EXTERNAL)]
            result.append(
                Constraint(
                    key=key,
                    source=source,
                    sources=frozenset(ctx.expand([source])),
                    targets=tuple(targets),
                    allowed=frozenset(ctx.expand(internal)),
                    externals=tuple(ExternalTarget.parse(t) for t in targets if t.startswith(EXTERNAL)),
                )
            )
        return result

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        view = ctx.view_for(self)
        constraints: dict[str, list[Constraint]] = {}  # source component -> its constraints, in contract order
        for constraint in self.constraints(ctx):
            for component in constraint.sources:
                constraints.setdefault(component, []).append(constraint)
        for importer, imported in sorted(view.edges()):
            source = ctx.component_of(importer)
            if source is None:
                continue
            external = imported.startswith(EXTERNAL)
            if external and (not self.config.include_external or ctx.is_stdlib(imported)):
                continue
            target = imported if external else ctx.component_of(imported)
            if target is None or target == source:
                continue
            for constraint in constraints.get(source, ()):
                if not external and target in constraint.allowed:
                    continue
                for site in view.edges[importer, imported]["sites"]:
                    # "external:django.db" allows imports of django.db and its submodules only.
                    if external and constraint.allows_site(site):
                        continue
                    yield self._finding(constraint, source, target, site)

    def _finding(self, constraint: Constraint, source: str, target: str, site: ImportSite) -> Finding:
        listed = ", ".join(constraint.targets) or "nothing"
        who = source if constraint.source == source else f"{source} ({constraint.source})"
        shown = f"external:{site.requested}" if target.startswith(EXTERNAL) else target
        where = f"{constraint.key}" if constraint.key != "from" else "'to'"
        return site_finding(
            rule=self.kind,
            rule_name=self.name,
            kind="not-allowed",
            severity=self.severity,
            message=f"{site.importer} imports {site.imported}: {who} may depend on {listed}, not on {shown}",
            site=site,
            fix=self.remedy(
                "remove-import",
                f"remove the import, or if {source} should depend on {shown}, add {shown!r} to {where} in the contract",
                reason=f"{who} may depend only on {listed}" if constraint.targets else f"{who} may depend on no other component",
            ),
        )
