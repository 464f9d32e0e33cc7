"""The ``boundaries`` rule, and what a component's public interface lets outsiders import."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from archguard.analysis.resolve import ImportSite, NameIndex
from archguard.contract.patterns import ModulePattern
from archguard.findings import Edit, Finding, Remedy, site_finding
from archguard.rules.base import Rule, RuleContext


def is_public(module: str, public: list[ModulePattern]) -> bool:
    """Whether outsiders may import ``module`` at all (names aside): a module pattern covers it,
    or a ``module:names`` entry names it."""
    for pattern in public:
        if pattern.exact:
            if module == pattern.literal:
                return True
        elif pattern.covers(module):
            return True
    return False


@dataclass(frozen=True)
class PublicApi:
    """A component's ``public`` entries: module patterns (the modules and everything below
    them) and ``module:names`` entries (that module alone, and only those names; ``:*`` for
    what the module exports: its literal ``__all__``, else its public names)."""

    component: str
    patterns: tuple[ModulePattern, ...]

    @property
    def text(self) -> str:
        return ", ".join(p.text for p in self.patterns) or "nothing"

    def covers_module(self, module: str) -> bool:
        return any(not p.exact and p.covers(module) for p in self.patterns)

    def allowed_names(self, module: str, names: NameIndex) -> frozenset[str] | None:
        """The names outsiders may take from ``module`` by its ``module:names`` entries (None when
        no such entry names it)."""
        allowed: set[str] | None = None
        for pattern in self.patterns:
            if pattern.exact and pattern.literal == module:
                allowed = allowed if allowed is not None else set()
                for name in pattern.names:
                    allowed |= names.exports(module) if name == "*" else {name}
        return frozenset(allowed) if allowed is not None else None

    def refused(self, module: str, symbols: tuple[str, ...], names: NameIndex) -> tuple[str, ...] | None:
        """None when outsiders may import ``symbols`` from ``module``; else the names refused,
        or () when the module itself is not public."""
        if self.covers_module(module):
            return None
        allowed = self.allowed_names(module, names)
        if allowed is None:
            return ()
        refused = tuple(symbol for symbol in symbols if symbol != "*" and symbol not in allowed)
        return refused or None

    def offers(self, module: str, name: str, names: NameIndex) -> bool:
        """True when outsiders may import ``name`` from ``module`` and the module binds it."""
        if not names.defines(module, name):
            return False
        allowed = self.allowed_names(module, names)
        return self.covers_module(module) or (allowed is not None and name in allowed)

    @property
    def modules(self) -> tuple[str, ...]:
        """The public modules named literally, in contract order."""
        return tuple(dict.fromkeys(p.literal for p in self.patterns if p.is_literal))


def public_source(api: PublicApi, name: str, origin: str, entry: str, ctx: RuleContext) -> str | None:
    """A public module that offers ``name`` bound to the same object as ``origin``'s ``name``
    (it re-exports it, directly or through other modules), other than ``entry``."""
    names = ctx.names
    wanted = names.origin(origin, name, packages_only=False)
    wanted_module = wanted[0] if wanted else origin
    for module in api.modules:
        if module == entry or module not in ctx.paths or not api.offers(module, name, names):
            continue
        found = names.origin(module, name, packages_only=False)
        if found is not None and found[0] == wanted_module:
            return module
    return None


class BoundariesRule(Rule):
    """Outsiders may import only a component's public interface.

    A component's ``public`` list names the modules (``shop.billing.api``) or the names of a
    module (``shop.billing.api:Invoice,total``; ``shop.billing.api:*`` for what it exports) that
    other components may import; everything else in the component is internal.

    Why: a service's internals are free to change; code that reaches into them breaks
    whenever the service is refactored, and the service can no longer be split out.
    Fix: import what you need from the component's public interface; if it is missing
    there, export it from the public module instead of importing the internal one.
    Example:
    [[rules]]
    kind = "boundaries"
    name = "Service boundaries"
    components = ["orders", "billing"]
    Breaks:
    # shop/api/views.py
    from shop.orders import service
    from shop.billing.ledger import Ledger
    """

    kind = "boundaries"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        view = ctx.view_for(self)
        for component in ctx.expand(self.config.components):
            members = set(ctx.modules_of(component))
            api = PublicApi(component, tuple(ModulePattern.parse(p) for p in ctx.contract.components[component].public))
            for imported in sorted(members):
                if imported not in view:
                    continue
                for importer in sorted(view.predecessors(imported)):
                    if importer in members:
                        continue
                    for site in view.edges[importer, imported]["sites"]:
                        finding = self._check_site(ctx, api, members, site)
                        if finding is not None:
                            yield finding

    def _check_site(self, ctx: RuleContext, api: PublicApi, members: set[str], site: ImportSite) -> Finding | None:
        # The first module of the component the import reaches: the one it names, or, when an
        # outside package's __init__ re-exported the names, the member it re-exported them from.
        entry = next(module for module in (*site.via, site.imported) if module in members)
        refused = api.refused(entry, site.symbols, ctx.names)
        if refused is None:
            return None
        component = api.component
        if refused:
            listed = ", ".join(refused)
            return site_finding(
                rule=self.kind,
                rule_name=self.name,
                kind="unexported-name",
                severity=self.severity,
                message=f"{site.importer} imports {listed} from {entry}, which {component}'s public interface does not export (public: {api.text})",
                site=site,
                fix=self.remedy(
                    "export-from-public-api",
                    f"use only what {entry} exports; if outsiders may use {listed}, export it from {entry} first",
                    reason=f"{entry} does not export {listed}",
                ),
            )
        return site_finding(
            rule=self.kind,
            rule_name=self.name,
            kind="internal-import",
            severity=self.severity,
            message=f"{site.importer} imports {site.imported}, an internal module of {component} (public: {api.text})",
            site=site,
            fix=self._use_public_api(ctx, api, entry, site),
        )

    def _use_public_api(self, ctx: RuleContext, api: PublicApi, entry: str, site: ImportSite) -> Remedy:
        reason = f"{api.component}'s internals are private"
        symbols = tuple(s for s in site.symbols if s != "*")
        sources = {name: public_source(api, name, site.imported, entry, ctx) for name in symbols}
        found = {source for source in sources.values() if source is not None}
        if symbols and len(found) == 1 and None not in sources.values():
            (module,) = found
            return self.remedy(
                "use-public-api",
                f"import {', '.join(symbols)} from {module}",
                reason=reason,
                edit=self._edit(ctx, site, module),
            )
        modules = api.modules
        if len(modules) == 1:
            missing = [name for name in symbols if not ctx.names.defines(modules[0], name)]
            if missing:
                listed = ", ".join(missing)
                action = f"{modules[0]} does not export {listed}: export it there, then import it from {modules[0]}"
            elif symbols:
                action = f"import {', '.join(symbols)} from {modules[0]} instead (export it there if it is missing)"
            else:
                action = f"use {api.component}'s public interface {modules[0]} instead"
        elif modules:
            action = f"use {api.component}'s public interface ({', '.join(modules)}) instead"
        else:
            action = f"{api.component} declares no public modules: add the module to its 'public' list if outsiders may use it"
        return self.remedy("use-public-api", action, reason=reason)

    @staticmethod
    def _edit(ctx: RuleContext, site: ImportSite, module: str) -> Edit | None:
        """The whole import statement rewritten to take the same names from ``module``, when
        every name of the statement is this site's (and so available there)."""
        raw = ctx.raw_import(site)
        if raw is None or not raw.names or "*" in raw.names or raw.end_column <= 0 or set(raw.names) != set(site.names):
            return None
        asnames = raw.asnames or (None,) * len(raw.names)
        names = ", ".join(name + (f" as {asname}" if asname else "") for name, asname in zip(raw.names, asnames, strict=False))
        return Edit(
            path=site.path,
            line=raw.line,
            column=raw.column,
            end_line=raw.end_line,
            end_column=raw.end_column,
            old=f"from {'.' * raw.level}{raw.module} import {names}",
            new=f"from {module} import {names}",
        )
