"""import-linter ``layers`` contracts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import pairwise

from archguard.findings import Finding, Remedy
from archguard.importlinter.config import LayersContract
from archguard.importlinter.contracts.common import ImportLinterRule, is_in_package
from archguard.importlinter.contracts.graph import ContractGraph
from archguard.rules.base import RuleContext


@dataclass(frozen=True)
class Level:
    """One layer, with its modules resolved to names in the graph."""

    modules: tuple[str, ...]
    independent: bool
    text: str


@dataclass(frozen=True)
class Route:
    """How a lower layer reaches a higher one: directly (no middle) or through ``middle``."""

    heads: tuple[str, ...]  # modules of the lower layer that import middle[0] (or the tail)
    middle: tuple[str, ...]
    tails: tuple[str, ...]  # modules of the higher layer that middle[-1] (or the head) imports


@dataclass(frozen=True)
class Dependency:
    """A pair of layer modules that must not import, and the routes by which one does."""

    importer: str  # the layer module that must not import...
    imported: str  # ...this one
    routes: tuple[Route, ...]
    sibling: bool  # both in one layer of independent siblings


def illegal_pairs(levels: Sequence[Level]) -> list[tuple[str, str, bool]]:
    """(importer, imported, siblings) for every pair of layer modules that must not import."""
    pairs: set[tuple[str, str, bool]] = set()
    for index, level in enumerate(levels):
        for module in level.modules:
            for lower in levels[index + 1 :]:
                for lower_module in lower.modules:
                    pairs.add((lower_module, module, False))
            if level.independent:
                for sibling in level.modules:
                    if sibling != module:
                        pairs.add((module, sibling, True))
    return sorted(pairs)


def find_layer_dependencies(
    graph: ContractGraph, levels: Sequence[Level], through: frozenset[tuple[str, str]] | None = None
) -> list[Dependency]:
    """Illegal dependencies between layers (import-linter's ``find_illegal_dependencies_for_layers``).

    For each pair, chains are taken shortest first and each found chain's imports are removed
    from the search, until none is left; chains may not pass through any other layer. A chain
    of one import is a direct route; a longer one is summarised by its middle, with every
    lower-layer module importing the middle's start (heads) and every higher-layer module the
    middle's end imports (tails).

    ``through``: imports (import-linter names) that are new in this graph; pairs whose search
    can take none of them are left out (their chains are those of the graph without them).
    A search takes an import ``u -> v`` only from a module it expands (a source, or a module
    that is neither excluded nor a target) to one that is a target or can be expanded.
    """
    everything: set[str] = set()
    for level in levels:
        for module in level.modules:
            everything.update(graph.with_descendants(module))
    dependencies = []
    for importer, imported, sibling in illegal_pairs(levels):
        sources = graph.with_descendants(importer)
        targets = set(graph.with_descendants(imported))
        excluded_modules = everything - set(sources) - targets
        if through is not None and not _can_take(through, set(sources), targets, excluded_modules):
            continue
        excluded_imports: set[tuple[str, str]] = set()
        direct: list[tuple[str, str]] = []
        middles: list[tuple[str, ...]] = []
        while True:
            chain = graph.shortest_chain(sources, targets, excluded_modules, excluded_imports)
            if chain is None:
                break
            excluded_imports.update(pairwise(chain))
            if len(chain) == 2:
                direct.append((chain[0], chain[1]))
            else:
                middles.append(tuple(chain[1:-1]))
        if not direct and not middles:
            continue
        routes = [Route((head,), (), (tail,)) for head, tail in sorted(direct)]
        for middle in middles:
            heads = tuple(s for s in sources if graph.has_import(s, middle[0]))
            tails = tuple(sorted(t for t in targets if graph.has_import(middle[-1], t)))
            routes.append(Route(heads, middle, tails))
        dependencies.append(Dependency(importer, imported, tuple(routes), sibling))
    return dependencies


def _can_take(imports: Iterable[tuple[str, str]], sources: set[str], targets: set[str], excluded: set[str]) -> bool:
    """Whether the search of one pair (:meth:`ContractGraph.shortest_chain`) can follow one of ``imports``."""
    return any(
        (u in sources or (u not in excluded and u not in targets)) and (v in targets or (v not in sources and v not in excluded)) for u, v in imports
    )


class LayersMixin(ImportLinterRule):
    """Findings for layer dependencies (shared by ``layers`` and ``independence``)."""

    # Imports new to the graph this check runs on (the dynamic-import rule's): only the pairs
    # whose chains may go through one of them are searched (None: every pair).
    through: frozenset[tuple[str, str]] | None = None

    def dependency_findings(self, graph: ContractGraph, dependencies: Iterable[Dependency]) -> Iterator[Finding]:
        for dependency in dependencies:
            relation = self.relation(dependency)
            pair = (("pair", f"{dependency.importer} -> {dependency.imported}"),)
            fix = self.layer_fix(dependency)
            for route in dependency.routes:
                rule = f"{dependency.importer} is not allowed to import {dependency.imported}{relation}"
                if not route.middle:
                    head, tail = route.heads[0], route.tails[0]
                    message = f"{head} imports {tail}: {rule}"
                    yield from self.direct_findings(graph, head, tail, message, details=pair, identity_extra=pair[0][1:], fix=fix)
                    continue
                chain = [route.heads[0], *route.middle, route.tails[0]]
                details: list[tuple[str, str]] = list(pair)
                message = f"{chain[0]} depends on {chain[-1]} through {' -> '.join(route.middle)}: {rule}"
                if len(route.heads) > 1:
                    # Each other importer with the file and line of its import, so each can be found.
                    others = [f"{head} ({self.where(graph, head, route.middle[0])})" for head in route.heads[1:]]
                    details.append(("also_from", ", ".join(route.heads[1:])))
                    message += f" (also imported from {', '.join(others)})"
                if len(route.tails) > 1:
                    reached = [f"{tail} ({self.where(graph, route.middle[-1], tail)})" for tail in route.tails[1:]]
                    details.append(("also_to", ", ".join(route.tails[1:])))
                    message += f" (also reaching {', '.join(reached)})"
                yield self.chain_finding(graph, chain, message, details=tuple(details), identity_extra=pair[0][1:], fix=fix)

    def relation(self, dependency: Dependency) -> str:
        return ""

    def layer_fix(self, dependency: Dependency) -> Remedy:
        """Where the code should go: down into (or below) the importing layer, or out of both siblings."""
        importer, imported = dependency.importer, dependency.imported
        if dependency.sibling:
            action = (
                f"{importer} and {imported} must stay independent: move the code both need into a module below "
                f"them (a lower layer) and import it from there, or invert the dependency with an interface"
            )
            return self.remedy("move-shared-code-down", action, reason=f"{importer} and {imported} are independent")
        action = (
            f"move what {importer} needs from {imported} down into {importer} or a layer below it, "
            f"or invert the dependency with an interface declared in {importer}"
        )
        return self.remedy("invert-dependency", action, reason=f"{importer} sits below {imported}")


class ImportLinterLayersRule(LayersMixin):
    """import-linter layers contract: higher layers may import lower ones, never the reverse.

    Layers are listed from the top down, one per line; ``a | b`` siblings are independent,
    ``a : b`` siblings may import each other, ``(a)`` is optional. With ``containers``, the layers
    are module names relative to each container.

    Why: the contract declares the dependency direction of the listed modules (and, with
    containers, of the same layers inside each container); chains of imports through modules
    outside the layers count too. Siblings written "a | b" must not import each other.
    Fix: move what the lower layer needs down, or invert the dependency with an interface.
    Example:
    [importlinter:contract:layers]
    name = Layers
    type = layers
    layers =
        shop.api
        shop.orders | shop.billing
        shop.domain
    Breaks:
    # shop/domain/model.py
    def price_label(order):
        from shop.api.views import format_price
        return format_price(order.total)
    """

    kind = "importlinter-layers"
    contract_type = "layers"
    contract: LayersContract

    def relation(self, dependency: Dependency) -> str:
        return " (independent siblings)" if dependency.sibling else " (a higher layer)"

    def check_contract(self, ctx: RuleContext, graph: ContractGraph) -> Iterable[Finding]:
        contract = self.contract
        containers = sorted(self.expand(graph, contract.containers, "containers"))
        modules = [m for layer in contract.layers for m in layer.modules]
        if containers:
            for container in containers:
                if not any(is_in_package(container, root) for root in self.session.root_packages):
                    roots = ", ".join(self.session.root_packages)
                    raise self.error(
                        "containers", f"invalid container {container!r}: a container must be a root package ({roots}) or inside one"
                    )
                for module in modules:
                    name = f"{container}.{module.name}"
                    if not module.optional and name not in graph.modules:
                        raise self.error("layers", f"missing layer in container {container!r}: module {name} does not exist")
                if container not in graph.modules:
                    raise self.error("containers", f"container {container!r} does not exist")
        else:
            for module in modules:
                if not module.optional and module.name not in graph.modules:
                    raise self.error("layers", f"missing layer {module.name!r}: module {module.name} does not exist")

        findings: list[Finding] = []
        if contract.exhaustive:
            declared = {m.name for m in modules} | set(contract.exhaustive_ignores)
            for container in containers:
                for child in graph.children(container):
                    if child.rpartition(".")[2] not in declared:
                        findings.append(self.undeclared_finding(ctx, container, child))

        scopes: list[str | None] = [*containers] or [None]
        for scope in scopes:
            levels = []
            for layer in contract.layers:
                names = [f"{scope}.{m.name}" if scope else m.name for m in layer.modules]
                levels.append(Level(tuple(sorted(n for n in names if n in graph.modules)), layer.independent, layer.text))
            findings.extend(self.dependency_findings(graph, find_layer_dependencies(graph, levels, self.through)))
        return findings

    def undeclared_finding(self, ctx: RuleContext, container: str, module: str) -> Finding:
        path = ctx.paths.get(module)
        return Finding(
            rule=self.kind,
            rule_name=self.name,
            kind="undeclared",
            severity=self.severity,
            message=f"{module} is not listed as a layer (the contract is exhaustive: every child of {container} must be a layer)",
            path=path,
            line=1 if path else 0,
            column=1 if path else 0,
            end_line=1 if path else 0,
            importer=module,
            remedy=self.description or "add it to the layers, or to exhaustive_ignores",
            identity=("undeclared", module),
        )
