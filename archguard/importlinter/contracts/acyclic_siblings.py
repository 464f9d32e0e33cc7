"""import-linter ``acyclic_siblings`` contracts."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from archguard.findings import Finding, Hop
from archguard.importlinter.config import AcyclicSiblingsContract
from archguard.importlinter.contracts.common import ImportLinterRule
from archguard.importlinter.contracts.graph import ContractGraph
from archguard.rules.base import RuleContext


@dataclass(frozen=True)
class SiblingDependency:
    """The children ``downstream -> upstream`` of a package, and the imports behind it."""

    downstream: str
    upstream: str
    imports: tuple[tuple[str, str], ...]  # module-level imports that make it


def sibling_graph(graph: ContractGraph, package: str) -> tuple[list[str], dict[tuple[str, str], list[tuple[str, str]]]]:
    """The package's children and, per (child, other child), the imports from one into the other."""
    children = sorted(graph.children(package))
    owner: dict[str, str] = {}
    for child in children:
        for module in graph.with_descendants(child):
            owner[module] = child
    edges: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for child in children:
        for module in graph.with_descendants(child):
            for imported in graph.imports_of(module):
                target = owner.get(imported)
                if target is not None and target != child:
                    edges.setdefault((child, target), []).append((module, imported))
    return children, edges


def cycle_breakers(children: list[str], edges: dict[tuple[str, str], list[tuple[str, str]]]) -> list[tuple[str, str]]:
    """Sibling dependencies whose removal makes the children acyclic (grimp's ``nominate_cycle_breakers``).

    Orders the children (Eades-Lin-Smyth): sources first, sinks last, and in between the child
    with the highest weighted out-degree minus in-degree (ties: the first name); every dependency
    that points backwards in that order is a cycle breaker. Weights are import counts. Returns
    nothing when the children have no cycle.
    """
    if len(children) < 2:
        return []
    weight = {pair: len(imports) for pair, imports in edges.items()}
    outgoing: dict[str, set[str]] = {c: set() for c in children}
    incoming: dict[str, set[str]] = {c: set() for c in children}
    for a, b in edges:
        outgoing[a].add(b)
        incoming[b].add(a)

    def remove(node: str) -> None:
        for target in outgoing.pop(node):
            incoming[target].discard(node)
        for source in incoming.pop(node):
            outgoing[source].discard(node)

    sources: list[str] = []
    while current := [c for c in outgoing if not incoming[c]]:
        sources.extend(current)
        for node in current:
            remove(node)
    sinks: list[str] = []
    while current := [c for c in outgoing if not outgoing[c]]:
        for node in current:
            remove(node)
        sinks = current + sinks
    middle: list[str] = []
    while outgoing:
        best = min(
            outgoing,
            key=lambda c: (sum(weight[(s, c)] for s in incoming[c]) - sum(weight[(c, t)] for t in outgoing[c]), c),
        )
        middle.append(best)
        remove(best)
    position = {child: index for index, child in enumerate(sources + middle + sinks)}
    return sorted(pair for pair in edges if position[pair[1]] < position[pair[0]])


def shortest_cycle_through(edges: Iterable[tuple[str, str]], first: tuple[str, str]) -> list[str]:
    """The shortest cycle that starts with the dependency ``first`` (children names)."""
    successors: dict[str, list[str]] = {}
    for a, b in sorted(edges):
        successors.setdefault(a, []).append(b)
    start, second = first
    parents: dict[str, str | None] = {second: None}
    queue: deque[str] = deque([second])
    while queue:
        node = queue.popleft()
        for successor in successors.get(node, []):
            if successor == start:
                path = [node]
                while parents[path[-1]] is not None:
                    path.append(parents[path[-1]])  # type: ignore[arg-type]
                return [start, *reversed(path), start]
            if successor not in parents:
                parents[successor] = node
                queue.append(successor)
    return [start, second, start]


class ImportLinterAcyclicSiblingsRule(ImportLinterRule):
    """import-linter acyclic_siblings contract: no dependency cycles between the children of a package.

    Why: siblings that depend on each other in a cycle can only be understood and changed
    together; the check repeats in every sub-package down to the given depth.
    Fix: remove the listed dependencies (the fewest whose removal makes the package acyclic),
    usually by moving the shared code down or inverting one import.
    Example:
    [importlinter:contract:acyclic]
    name = No cycles between siblings
    type = acyclic_siblings
    ancestors = shop
    Breaks:
    # shop/domain/model.py
    from shop.orders.service import place_order
    """

    kind = "importlinter-acyclic-siblings"
    contract_type = "acyclic_siblings"
    contract: AcyclicSiblingsContract

    def prepare(self, graph: ContractGraph) -> None:
        self.ancestors = sorted(self.expand(graph, self.contract.ancestors, "ancestors", must_exist=True))
        self.skipped = self.expand(graph, self.contract.skip_descendants, "skip_descendants", must_exist=True)

    def check_contract(self, ctx: RuleContext, graph: ContractGraph) -> Iterable[Finding]:
        findings: list[Finding] = []
        self.checked: set[str] = set()  # a package reached twice (two ancestors) is reported once
        for ancestor in self.ancestors:
            findings.extend(self.check_package(graph, ancestor, self.contract.depth))
        return findings

    def check_package(self, graph: ContractGraph, package: str, depth: int) -> list[Finding]:
        if package in graph.squashed:
            raise self.error("ancestors", f"{package!r} is an external package: it has no children to check")
        children = graph.children(package)
        if not children:
            return []
        findings: list[Finding] = []
        if len(children) >= 2 and package not in self.checked:
            self.checked.add(package)
            names, edges = sibling_graph(graph, package)
            breakers = cycle_breakers(names, edges)
            for downstream, upstream in breakers:
                findings.append(self.cycle_finding(graph, package, edges, (downstream, upstream), len(breakers)))
        if depth:
            for child in sorted(set(children) - self.skipped):
                findings.extend(self.check_package(graph, child, depth - 1))
        return findings

    def cycle_finding(
        self,
        graph: ContractGraph,
        package: str,
        edges: dict[tuple[str, str], list[tuple[str, str]]],
        dependency: tuple[str, str],
        breaker_count: int,
    ) -> Finding:
        imports = sorted(edges[dependency])
        cycle = shortest_cycle_through(edges, dependency)
        hops = []
        for a, b in pairwise(cycle):
            importer, imported = sorted(edges[(a, b)])[0]
            hops.append(Hop.from_site(graph.sites(importer, imported)[0]))
        first = graph.sites(*imports[0])[0]

        def short(name: str) -> str:
            return "." + name.rpartition(".")[2]

        count = len(imports)
        plural = "dependency" if breaker_count == 1 else "dependencies"
        message = (
            f"no cycles are allowed in {package}: {short(dependency[0])} -> {short(dependency[1])} "
            f"({count} import{'s' * (count != 1)}) closes the cycle {' -> '.join(short(c) for c in cycle)}; "
            f"removing {breaker_count} {plural} makes {package} acyclic"
        )
        return Finding(
            rule=self.kind,
            rule_name=self.name,
            kind="cycle",
            severity=self.severity,
            message=message,
            path=first.path,
            line=first.line,
            column=first.column,
            end_line=first.end_line,
            importer=dependency[0],
            imported=dependency[1],
            import_text=first.text,
            chain=tuple(hops),
            remedy=self.description
            or f"remove the imports from {dependency[0]} into {dependency[1]} (move the shared code down, or invert the dependency)",
            fix=self.remedy(
                "break-cycle",
                f"break the cycle at {dependency[0]} -> {dependency[1]}: move the code it needs down, or invert the dependency",
                reason=f"the children of {package} must not import each other in a cycle",
            ),
            identity=("cycle", package, *dependency),
            details=(("package", package), ("imports", ", ".join(f"{a} -> {b}" for a, b in imports))),
        )
