"""The ``private`` rule: modules a component marks private stay inside their package."""

from __future__ import annotations

from collections.abc import Iterator
from fnmatch import fnmatchcase

from archguard.analysis.resolve import ImportSite
from archguard.contract.patterns import ModulePattern
from archguard.findings import Finding, Remedy, site_finding
from archguard.rules.base import Rule, RuleContext
from archguard.rules.boundaries import BoundariesRule


def private_scope(module: str, patterns: list[str]) -> str | None:
    """The package a private module belongs to (None: the module is not private).

    A pattern without a dot is matched against each name of the module (``_*`` marks
    ``shop.billing._ledger`` private to ``shop.billing``, and everything below it too); a dotted
    pattern names private modules themselves (``shop.billing.internal``, ``shop.*.impl``).
    Dunder names (``__init__``, ``__main__``) are never private.
    """
    parts = module.split(".")
    for index in range(1, len(parts)):
        name = parts[index]
        if name.startswith("__") and name.endswith("__"):
            continue
        prefix = ".".join(parts[: index + 1])
        for pattern in patterns:
            if "." in pattern:
                if ModulePattern.parse(pattern).matches_exactly(prefix):
                    return ".".join(parts[:index])
            elif fnmatchcase(name, pattern):
                return ".".join(parts[:index])
    return None


class PrivateRule(Rule):
    """A private module is imported from outside its package.

    A component lists name patterns in `private` (`"_*"`: every module whose name starts with
    an underscore). Such a module belongs to its parent package: only modules inside that
    package may import it. Imports that reach it through the package's own `__init__` (a
    re-export) are the package's public interface, and fine.
    Why: an underscore says "implementation detail"; an outside import couples the importer to
    code the package's owners may change or remove at any time.
    Fix: import the name from the package's public module (its `__init__`, or the component's
    `public` modules) instead; export it there first if it is missing.
    Example:
    [components]
    billing = { modules = ["shop.billing"], public = ["shop.billing.api"], private = ["_*"] }
    Breaks:
    # shop/billing/_rates.py
    VAT = 0.2
    # shop/orders/service.py
    from shop.domain import model
    from shop.billing._rates import VAT
    """

    kind = "private"
    implicit = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        view = ctx.view_for(self)
        for component, config in ctx.contract.components.items():
            if not config.private:
                continue
            public = [ModulePattern.parse(p).literal for p in config.public if ModulePattern.parse(p).is_literal]
            for module in sorted(ctx.modules_of(component)):
                scope = private_scope(module, config.private)
                if scope is None or module not in view:
                    continue
                for importer in sorted(view.predecessors(module)):
                    if importer == scope or importer.startswith(scope + "."):
                        continue
                    for site in view.edges[importer, module]["sites"]:
                        if site.via:
                            continue  # through the package's __init__: its public interface
                        yield site_finding(
                            rule=self.kind,
                            rule_name=self.name,
                            kind="private-import",
                            severity=self.severity,
                            message=f"{importer} imports {module}, a private module of {scope} (only {scope} and its modules may import it)",
                            site=site,
                            fix=self._public(ctx, site, scope, public),
                        )

    def _public(self, ctx: RuleContext, site: ImportSite, scope: str, public: list[str]) -> Remedy:
        """The public module to import from instead: one that binds the same names to the same objects."""
        reason = f"{site.imported} is private to {scope}"
        symbols = tuple(s for s in site.symbols if s != "*")
        names = ctx.names
        wanted = {name: (names.origin(site.imported, name, packages_only=False) or (site.imported, ()))[0] for name in symbols}
        for candidate in (scope, *public):
            if candidate not in ctx.paths or candidate.startswith(site.imported):
                continue
            if symbols and all(
                names.defines(candidate, name) and (names.origin(candidate, name, packages_only=False) or (candidate, ()))[0] == wanted[name]
                for name in symbols
            ):
                return self.remedy(
                    "use-public-api",
                    f"import {', '.join(symbols)} from {candidate}",
                    reason=reason,
                    edit=BoundariesRule._edit(ctx, site, candidate),
                )
        listed = ", ".join(symbols) or "what you need"
        action = f"import {listed} from {scope}, the package's public module, instead of its private module {site.imported} (export it there first)"
        return self.remedy("use-public-api", action, reason=reason)
