"""What archguard checks beyond import-linter's sight, for an import-linter configuration.

lint-imports reads import statements only, and checks only the modules its contracts name.
An agent that must get around a contract writes what it cannot see: an
``importlib.import_module("pkg.db")`` call, or a new module no contract names. These rules
report them next to the contracts' own verdicts, which they never change: in a whole-tree
check they are warnings (the exit code stays lint-imports'); in ``check --diff`` a change's new
ones are at the level ``[tool.archguard]`` sets (:class:`archguard.contract.models.ImportLinterCompanion`,
default error), through :attr:`archguard.rules.base.Rule.gate_level`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from itertools import repeat

from archguard.analysis.graph import ModuleGraph
from archguard.analysis.resolve import ImportSite
from archguard.findings import Finding, Severity
from archguard.importlinter.config import (
    AcyclicSiblingsContract,
    ContractBase,
    ForbiddenContract,
    IndependenceContract,
    LayersContract,
    ModuleExpression,
    PrivateModulesContract,
    ProtectedContract,
    SessionOptions,
)
from archguard.importlinter.contracts.common import ImportLinterRule
from archguard.importlinter.contracts.graph import il_name
from archguard.importlinter.contracts.layers import LayersMixin
from archguard.importlinter.resolve import ImportLinterResolver
from archguard.rules.base import Rule, RuleContext


def _is_dynamic(text: str | None) -> bool:
    return bool(text) and (text or "").startswith("import_module(")


class DynamicImportRule(Rule):
    """A dynamic import (``importlib.import_module("x")`` / ``__import__("x")`` with a literal) breaks an import-linter contract.

    lint-imports reads import statements only: an import made with a call is invisible to it,
    so a contract that forbids `pkg.db` is kept while the code loads `pkg.db` anyway. archguard
    resolves such calls like import-linter resolves statements and checks every contract again
    with them; each finding names the contract it breaks.
    Why: a dynamic import is still a dependency: it runs the module and couples the code to it.
    It is the easiest way around a contract, and nothing else would report it.
    Fix: do what the contract's own finding would ask (import through the allowed module, move
    the code to the right layer); a plugin loader that must load modules by name belongs in a
    module the contract allows to do so.
    Example:
    [importlinter:contract:pure-domain]
    name = Pure domain
    type = forbidden
    source_modules = shop.domain
    forbidden_modules = shop.infra

    [archguard]
    dynamic = error
    Breaks:
    # shop/domain/model.py
    import importlib

    db = importlib.import_module("shop.infra.db")
    """

    kind = "importlinter-dynamic"
    implicit = True

    def __init__(self, contracts: Sequence[ImportLinterRule], session: SessionOptions, *, gate_level: Severity) -> None:
        super().__init__(None, name="dynamic imports", severity="warning")
        self.contracts = list(contracts)
        self.session = session
        self.gate_level = gate_level

    def dynamic_sites(self, ctx: RuleContext) -> list[ImportSite]:
        """Every dynamic import with a literal, resolved the way import-linter resolves an ``import`` statement."""
        namespaces = [n for n, data in ctx.graph.graph.nodes(data=True) if data.get("path") is None and not data.get("external")]
        resolver = ImportLinterResolver(ctx.paths, namespaces, self.session.root_packages, include_external=self.session.include_external_packages)
        sites = []
        for module, facts in ctx.facts.items():
            path = ctx.paths[module]
            for raw in facts.imports:
                if raw.dynamic:
                    sites.extend(resolver.resolve(raw, module, path.endswith("__init__.py"), path, dynamic=True))
        return sites

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        sites = self.dynamic_sites(ctx)
        if all(ctx.graph.graph.has_edge(site.importer, site.imported) for site in sites):
            # No dynamic import adds a dependency: the contracts see the same module pairs with
            # or without them, so nothing is broken only through one (every contract would be
            # checked twice for nothing).
            return
        with_dynamic = replace(ctx, graph=with_sites(ctx.graph, sites))
        new = frozenset((il_name(s.importer), il_name(s.imported)) for s in sites if not ctx.graph.graph.has_edge(s.importer, s.imported))
        for contract in self.contracts:
            # Fresh instances: a check records counts on the rule (ignored imports) that reports read.
            again = type(contract)(contract.contract, contract.index, session=self.session, name=contract.name)
            if isinstance(again, LayersMixin):
                # Only chains through a new import can be new: a pair no search of which can take
                # one has the chains the contract's own check found (Django: no pair, of 100).
                again.through = new
            through = [
                f for f in again.check(with_dynamic) if _is_dynamic(f.import_text) or any(_is_dynamic(hop.text) for hop in f.chain)
            ]
            if not through:
                continue  # (the usual case: checked once more, not twice)
            if contract.own_findings is not None and contract.own_findings[0] is ctx:
                found: Iterable[Finding] = contract.own_findings[1]  # (the contract's own check in this evaluation)
            else:
                found = type(contract)(contract.contract, contract.index, session=self.session, name=contract.name).check(ctx)
            broken = {(f.importer, f.imported) for f in found}
            for finding in through:
                if (finding.importer, finding.imported) in broken:
                    continue
                yield replace(
                    finding,
                    rule=self.kind,
                    rule_name=self.name,
                    severity=self.severity,
                    message=f"{finding.message}, through a dynamic import lint-imports does not see (contract {contract.name!r})",
                    identity=(contract.name, *finding.identity),
                )


def uncovered_modules(modules: Iterable[str], named: set[str]) -> list[str]:
    """The modules (sorted) that are not named, below no named package and above no named module."""
    # Every package above a named module is covered: one pass over the names, not a scan of
    # every name for each module.
    above_named = {".".join(parts[:i]) for parts in map(str.split, named, repeat(".")) for i in range(1, len(parts))}
    uncovered: list[str] = []
    for module in sorted(modules):
        if module in above_named:
            continue
        parts = module.split(".")
        if not any(".".join(parts[:i]) in named for i in range(1, len(parts) + 1)):
            uncovered.append(module)
    return uncovered


def with_sites(graph: ModuleGraph, sites: Sequence[ImportSite]) -> ModuleGraph:
    """A copy of ``graph`` with ``sites`` added (the edges out of their importers built again;
    every other edge, node and attribute as it is: a third of the time of a new graph on Django)."""
    importers = {site.importer for site in sites}
    kept = [s for importer in importers for imported in graph.graph.successors(importer) for s in graph.sites(importer, imported)]
    return graph.copy().replace_sites(importers, [*kept, *sites])


def named_expressions(contract: ContractBase) -> list[ModuleExpression]:
    """The module expressions a contract names: what it checks (with what is under them)."""
    if isinstance(contract, LayersContract):
        if contract.containers:
            return list(contract.containers)
        # (a layer module's name is a valid expression: built without running, or building, a validator)
        return [ModuleExpression.model_construct(text=module.name) for layer in contract.layers for module in layer.modules]
    if isinstance(contract, ForbiddenContract):
        return [*contract.source_modules, *contract.forbidden_modules]
    if isinstance(contract, IndependenceContract):
        return list(contract.modules)
    if isinstance(contract, ProtectedContract):
        return [*contract.protected_modules, *contract.allowed_importers]
    if isinstance(contract, PrivateModulesContract):
        return list(contract.packages_with_private_modules or ())
    if isinstance(contract, AcyclicSiblingsContract):
        return list(contract.ancestors)
    return []


class UncoveredModuleRule(Rule):
    """A module that no import-linter contract names: lint-imports checks nothing about it.

    A module is covered when a contract names it, a package above it, or a module inside it
    (a package's `__init__` holds what is below it): a layer, a container, a source or forbidden
    module, an independent module, a protected module or allowed importer, an ancestor of
    acyclic_siblings. `private_modules` without packages covers everything.
    Why: code outside every contract is outside every rule; a new top-level package is where a
    change can put anything.
    Fix: name it in a contract (a layer, or a container that holds it), or move the code into a
    package that one covers.
    Example:
    [importlinter:contract:layers]
    name = Layers
    type = layers
    layers =
        shop.api
        shop.orders | shop.billing
        shop.domain | shop.infra

    [archguard]
    uncovered = error
    Breaks:
    # shop/reports/__init__.py
    # shop/reports/export.py
    from shop.orders import service
    """

    kind = "importlinter-uncovered"
    implicit = True

    def __init__(self, contracts: Sequence[ContractBase], *, gate_level: Severity) -> None:
        super().__init__(None, name="uncovered modules", severity="warning")
        self.contracts = list(contracts)
        self.gate_level = gate_level

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        expressions = [e for contract in self.contracts for e in named_expressions(contract)]
        if any(isinstance(c, PrivateModulesContract) and not c.packages_with_private_modules for c in self.contracts):
            return  # a private_modules contract of the whole configuration covers every module
        # A literal names one module: a set lookup each, not a test of every module.
        literal = {e.text for e in expressions if not e.has_wildcard}
        patterns = [e for e in expressions if e.has_wildcard]
        named = {m for m in ctx.paths if m in literal or any(e.matches(m) for e in patterns)}
        uncovered = uncovered_modules(ctx.paths, named)
        # One finding per uncovered package: when a package is uncovered, so is everything below
        # it (a contract naming something below would cover it), so its highest uncovered
        # ancestor stands for the whole subtree (Django with the benchmark configuration: 185 uncovered modules, 5 findings).
        outside = set(uncovered)
        groups: dict[str, list[str]] = {}
        for module in uncovered:
            parts = module.split(".")
            top = next(a for a in (".".join(parts[:i]) for i in range(1, len(parts) + 1)) if a in outside)
            groups.setdefault(top, []).append(module)
        for top, members in groups.items():
            action = f"name {top} in a contract (a layer, a container, a module list), or move the code into a package one covers"
            if len(members) == 1:
                message = f"{top} is in no import-linter contract: lint-imports checks nothing about it"
            else:
                below = len(members) - 1
                message = (
                    f"{top} and the {below} module{'s' * (below != 1)} below it are in no import-linter contract:"
                    " lint-imports checks nothing about them"
                )
            yield Finding(
                rule=self.kind,
                rule_name=self.name,
                kind="uncovered",
                severity=self.severity,
                message=message,
                path=ctx.paths[top],
                line=1,
                column=1,
                end_line=1,
                importer=top,
                remedy=action,
                fix=self.remedy("add-to-contract", action, reason="code outside every contract is outside every rule"),
                identity=(top,),
            )
