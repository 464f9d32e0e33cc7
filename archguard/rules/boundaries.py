"""The ``boundaries`` rule."""

from __future__ import annotations

from collections.abc import Iterator

from archguard.contract.patterns import ModulePattern
from archguard.extract.facts import FileFacts
from archguard.findings import Finding, site_finding
from archguard.rules.base import Rule, RuleContext


def is_public(module: str, public: list[ModulePattern]) -> bool:
    for pattern in public:
        if pattern.exact:
            if module == pattern.literal:
                return True
        elif pattern.covers(module):
            return True
    return False


class BoundariesRule(Rule):
    """Outsiders may import only a component's public modules.

    Why: a service's internals are free to change; code that reaches into them breaks
    whenever the service is refactored, and the service can no longer be split out.
    Fix: import what you need from the component's public interface; if it is missing
    there, export it from the public module instead of importing the internal one.
    Example:
    [components]
    billing = { modules = ["shop.billing"], public = ["shop.billing.api"] }

    [[rules]]
    kind = "boundaries"
    components = ["billing"]
    """

    kind = "boundaries"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        view = ctx.view_for(self)
        for component in self.config.components:
            members = set(ctx.modules_of(component))
            public = [ModulePattern.parse(p) for p in ctx.contract.components[component].public]
            public_text = ", ".join(p.literal + (":" + ",".join(p.names) if p.exact else "") for p in public) or "nothing"
            for imported in sorted(members):
                if imported not in view or is_public(imported, public):
                    continue
                for importer in sorted(view.predecessors(imported)):
                    if importer in members:
                        continue
                    for site in view.edges[importer, imported]["sites"]:
                        yield site_finding(
                            rule=self.kind,
                            rule_name=self.name,
                            kind="internal-import",
                            severity=self.severity,
                            message=(
                                f"{importer} imports {imported}, an internal module of {component} "
                                f"(public: {public_text})"
                            ),
                            site=site,
                            remedy=self._remedy(component, public, site.names, ctx),
                        )

    @staticmethod
    def _remedy(component: str, public: list[ModulePattern], names: tuple[str, ...], ctx: RuleContext) -> str:
        modules = [p.literal for p in public if p.is_literal]
        wanted = [n for n in names if n != "*"]
        if wanted and modules:
            # Name the public module only when it really binds every name (its module-level facts say so).
            exporting = [m for m in modules if m in ctx.facts and all(binds(ctx.facts[m], n) for n in wanted)]
            what = ", ".join(wanted)
            if exporting:
                return f"import {what} from {exporting[0]} instead"
            if len(modules) == 1:
                return f"{modules[0]} does not export {what}: export it there, then import it from {modules[0]}"
            listed = ", ".join(modules)
            return f"none of {component}'s public modules ({listed}) exports {what}: export it from one, then import it from there"
        if public:
            return f"use {component}'s public interface ({', '.join(p.text for p in public)}) instead"
        return f"{component} declares no public modules: add the module to its 'public' list if outsiders may use it"


def binds(facts: FileFacts, name: str) -> bool:
    """Whether a module binds ``name`` at module level (so ``from module import name`` works)."""
    return name in facts.defined_names or (facts.all_names is not None and name in facts.all_names)
