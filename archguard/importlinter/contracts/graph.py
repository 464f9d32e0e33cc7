"""The module graph as one import-linter contract sees it, with import-linter's vocabulary.

import-linter names an external package by its top-level name (``django``) where archguard's
graph says ``external:django``; it checks each contract on its own copy of the graph with
that contract's ``ignore_imports`` removed (and with type-checking imports removed when the
session says so). :class:`ContractGraph` is that copy: adjacency by import-linter names,
sorted for determinism, plus the module hierarchy (children, descendants) and the import
sites behind every edge, so findings can point at ``file:line``.
"""

from __future__ import annotations

import bisect
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import pairwise

from archguard.analysis.digraph import DiGraph
from archguard.analysis.graph import ModuleGraph, SiteFilter
from archguard.analysis.resolve import EXTERNAL, ImportSite
from archguard.importlinter.config import ImportExpression, ModuleExpression


def il_name(node: str) -> str:
    """archguard node -> import-linter module name."""
    return node[len(EXTERNAL) :] if node.startswith(EXTERNAL) else node


def session_view(graph: ModuleGraph, exclude_type_checking: bool) -> DiGraph:
    """The graph import-linter builds: type-checking imports left out when the session says so,
    and an external package only present when something (still) imports it."""
    view = graph.view(SiteFilter(exclude_type_checking=exclude_type_checking))
    orphans = [n for n, external in view.nodes(data="external") if external and not view.in_degree(n)]
    if not orphans:
        return view
    trimmed: DiGraph = view.copy()
    trimmed.remove_nodes_from(orphans)
    return trimmed


@dataclass
class ContractGraph:
    """Adjacency over import-linter names; edges can be removed (ignored imports)."""

    view: DiGraph
    modules: frozenset[str]
    squashed: frozenset[str]  # external packages: no children, no descendants
    successors: dict[str, set[str]]
    predecessors: dict[str, set[str]]
    node_of: dict[str, str]
    _sorted_names: list[str] = field(default_factory=list)
    _sorted_imports: dict[str, list[str]] = field(default_factory=dict)  # module -> imports_of
    _sorted_importers: dict[str, list[str]] = field(default_factory=dict)  # module -> importers_of

    @classmethod
    def from_view(cls, view: DiGraph) -> ContractGraph:
        node_of: dict[str, str] = {}
        name_of: dict[str, str] = {}
        squashed: set[str] = set()
        for node, external in view.nodes(data="external"):
            name = il_name(node)
            node_of[name] = node
            name_of[node] = name
            if external:
                squashed.add(name)
        successors: dict[str, set[str]] = {name: set() for name in node_of}
        predecessors: dict[str, set[str]] = {name: set() for name in node_of}
        for importer in view.nodes:  # (each node's name looked up once, not per edge)
            a = name_of[importer]
            out = successors[a]
            for imported in view.successors(importer):
                b = name_of[imported]
                out.add(b)
                predecessors[b].add(a)
        return cls(
            view=view,
            modules=frozenset(node_of),
            squashed=frozenset(squashed),
            successors=successors,
            predecessors=predecessors,
            node_of=node_of,
            _sorted_names=sorted(node_of),
        )

    @staticmethod
    def tie_order(names: Iterable[str]) -> list[str]:
        """How equally short chains are told apart: searches visit modules in this order.

        Sorted names make archguard deterministic (import-linter's order depends on hashing);
        the differential tests replace it to explore import-linter's possible answers.
        """
        return sorted(names)

    def copy(self) -> ContractGraph:
        """A copy whose imports can be removed without touching this graph."""
        return ContractGraph(
            view=self.view,
            modules=self.modules,
            squashed=self.squashed,
            successors={name: set(targets) for name, targets in self.successors.items()},
            predecessors={name: set(sources) for name, sources in self.predecessors.items()},
            node_of=self.node_of,
            _sorted_names=self._sorted_names,
        )

    # -- imports ----------------------------------------------------------------------------
    def has_import(self, importer: str, imported: str) -> bool:
        return imported in self.successors.get(importer, ())

    def imports_of(self, module: str) -> list[str]:
        """Modules ``module`` imports directly, in tie order (sorted)."""
        cached = self._sorted_imports.get(module)
        if cached is None:
            cached = self._sorted_imports[module] = self.tie_order(self.successors.get(module, ()))
        return cached

    def importers_of(self, module: str) -> list[str]:
        """Modules that import ``module`` directly, sorted."""
        cached = self._sorted_importers.get(module)
        if cached is None:
            cached = self._sorted_importers[module] = sorted(self.predecessors.get(module, ()))
        return cached

    def edges(self) -> Iterable[tuple[str, str]]:
        for importer in self._sorted_names:
            for imported in self.imports_of(importer):
                yield importer, imported

    def remove_import(self, importer: str, imported: str) -> None:
        self.successors[importer].discard(imported)
        self.predecessors[imported].discard(importer)
        self._sorted_imports.pop(importer, None)
        self._sorted_importers.pop(imported, None)

    def sites(self, importer: str, imported: str) -> tuple[ImportSite, ...]:
        a, b = self.node_of[importer], self.node_of[imported]
        if not self.view.has_edge(a, b):
            return ()
        return self.view.edges[a, b]["sites"]  # type: ignore[no-any-return]

    def line_numbers(self, importer: str, imported: str) -> tuple[int, ...]:
        return tuple(sorted({site.line for site in self.sites(importer, imported)}))

    # -- hierarchy ----------------------------------------------------------------------------
    def descendants(self, module: str) -> list[str]:
        if module in self.squashed:
            return []
        prefix = module + "."
        names = self._sorted_names
        start = bisect.bisect_left(names, prefix)
        end = bisect.bisect_left(names, module + "/")  # "/" sorts right after "."
        return [n for n in names[start:end] if n.startswith(prefix)]

    def children(self, module: str) -> list[str]:
        depth = module.count(".") + 1
        return [n for n in self.descendants(module) if n.count(".") == depth]

    def with_descendants(self, module: str) -> list[str]:
        return [module, *self.descendants(module)]

    def matching(self, expression: ModuleExpression) -> list[str]:
        """Modules an expression names (a literal names itself, whether or not it exists)."""
        if not expression.has_wildcard:
            return [expression.text]
        regex = expression.regex()
        return [name for name in self._sorted_names if regex.fullmatch(name)]

    def matching_imports(self, expression: ImportExpression) -> list[tuple[str, str]]:
        importer, imported = expression.importer, expression.imported
        if not importer.has_wildcard and not imported.has_wildcard:
            return [(importer.text, imported.text)] if self.has_import(importer.text, imported.text) else []
        if not importer.has_wildcard:
            return [(importer.text, b) for b in self.imports_of(importer.text) if imported.matches(b)]
        return [(a, b) for a, b in self.edges() if importer.matches(a) and imported.matches(b)]

    # -- chains --------------------------------------------------------------------------------
    def shortest_chain(
        self,
        sources: Sequence[str],
        targets: set[str] | frozenset[str],
        excluded_modules: set[str] | frozenset[str] = frozenset(),
        excluded_imports: set[tuple[str, str]] | frozenset[tuple[str, str]] = frozenset(),
    ) -> list[str] | None:
        """A shortest chain of imports from any source to any target.

        Intermediate modules are never in ``excluded_modules`` (nor sources or targets), and no
        step is in ``excluded_imports``. Breadth-first from every source at once, neighbours in
        name order: among equally short chains the result is deterministic (import-linter picks
        one of them in an order that depends on hashing).
        """
        parents: dict[str, str | None] = {}
        queue: deque[str] = deque()
        for source in self.tie_order(sources):
            if source not in parents:
                parents[source] = None
                queue.append(source)
        # (the loop reads locals: it visits every edge from the sources, 16,000 a check on Django;
        # every source is in parents from the start, so a source is never visited twice)
        imports_of, popleft, append = self.imports_of, queue.popleft, queue.append
        while queue:
            node = popleft()
            for successor in imports_of(node):
                if excluded_imports and (node, successor) in excluded_imports:
                    continue
                if successor in targets:
                    chain = [successor, node]
                    while parents[chain[-1]] is not None:
                        chain.append(parents[chain[-1]])  # type: ignore[arg-type]
                    return chain[::-1]
                if successor in parents or successor in excluded_modules:
                    continue
                parents[successor] = node
                append(successor)
        return None

    def pop_shortest_chains(
        self, sources: Sequence[str], targets: set[str] | frozenset[str], excluded_modules: set[str] | frozenset[str] = frozenset()
    ) -> list[list[str]]:
        """Chains from sources to targets, shortest first, each using imports no earlier chain used.

        import-linter's way of listing the routes of an illegal dependency: find a shortest
        chain, set its imports aside, repeat until there is none. Direct imports come first
        (they are the shortest chains).
        """
        used: set[tuple[str, str]] = set()
        chains = []
        while (chain := self.shortest_chain(sources, targets, excluded_modules, used)) is not None:
            used.update(pairwise(chain))
            chains.append(chain)
        return chains
