"""The dependency graph: modules, external packages, and the import sites on edges.

Nodes are analysed modules (with their component) and ``external:<name>`` packages. An edge
``a -> b`` carries every import site of ``a`` that depends on ``b``. Rules look at filtered
views (leaving out type-checking-only, dynamic, lazy or ``__main__``-block imports, or
acknowledged ignores);
views are built once per filter and cached.

Chain search is deterministic: nodes and edges are inserted in sorted order, so breadth-first
searches visit them in the same order on every run.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from archguard.analysis.digraph import DiGraph
from archguard.analysis.resolve import EXTERNAL, ImportSite


@dataclass(frozen=True)
class SiteFilter:
    """Which import sites count for a rule."""

    exclude_type_checking: bool = False
    exclude_dynamic: bool = False
    exclude_lazy: bool = False
    exclude_main: bool = False
    removed_edges: frozenset[tuple[str, str]] = frozenset()
    # (importer, package) pairs: sites re-exported through that package's __init__ are left out
    removed_via: frozenset[tuple[str, str]] = frozenset()
    # (external node, dotted module) pairs: on edges into such a node only imports of one of
    # its modules count ("external:django.db" keeps "import django.db.models", not "import django.http")
    partial_externals: frozenset[tuple[str, str]] = frozenset()

    def accepts(self, site: ImportSite) -> bool:
        return not (
            (self.exclude_type_checking and site.type_checking)
            or (self.exclude_dynamic and site.dynamic)
            or (self.exclude_lazy and site.lazy)
            or (self.exclude_main and site.main)
            or (self.removed_via and any((site.importer, package) in self.removed_via for package in site.via))
            or (self.partial_externals and not self._external_kept(site))
        )

    def _external_kept(self, site: ImportSite) -> bool:
        modules = [module for node, module in self.partial_externals if node == site.imported]
        if not modules:
            return True
        return any(site.requested == module or site.requested.startswith(module + ".") for module in modules)


ALL_SITES = SiteFilter()


class ModuleGraph:
    """Module-level dependency graph with import sites on its edges."""

    def __init__(
        self,
        modules: Mapping[str, str],
        sites: Iterable[ImportSite],
        component_of: Mapping[str, str | None] | None = None,
    ) -> None:
        """``modules``: module -> file path (relative); ``sites``: every resolved import."""
        graph: DiGraph = DiGraph()
        component_of = component_of or {}
        graph.add_nodes_from(
            (module, {"path": modules[module], "component": component_of.get(module), "external": False}) for module in sorted(modules)
        )
        by_edge: dict[tuple[str, str], list[ImportSite]] = {}
        for site in sites:
            by_edge.setdefault((site.importer, site.imported), []).append(site)
        edges = []
        for (importer, imported), edge_sites in sorted(by_edge.items()):
            if len(edge_sites) > 1:
                edge_sites.sort(key=lambda s: (s.line, s.column, s.text))
            edges.append((importer, imported, {"sites": tuple(edge_sites)}))
        # In one call (much faster than an add_edge each); a node it adds (an imported module
        # that is not analysed) comes in where its first edge is, and gets its attributes here.
        graph.add_edges_from(edges)
        for node, data in graph.nodes(data=True):
            if not data:
                data.update(path=None, component=None, external=node.startswith(EXTERNAL))
        self.graph = graph
        self._views: dict[SiteFilter, DiGraph] = {ALL_SITES: graph}

    def replace_sites(self, importers: Iterable[str], sites: Iterable[ImportSite]) -> ModuleGraph:
        """The graph where the edges out of ``importers`` are those of ``sites`` (their import
        sites, resolved again), built by changing this graph (and its cached views) in place:
        this object must not be used afterwards (results cached by whoever keyed them on it
        describe the old edges). An edge that stays keeps its place; edges and nodes keep the
        order a new graph would give them; external modules no edge reaches any more are
        dropped. The language server updates its graph this way after an edit."""
        changed = set(importers)
        grouped: dict[str, dict[str, list[ImportSite]]] = {importer: {} for importer in changed}
        for site in sites:
            grouped.setdefault(site.importer, {}).setdefault(site.imported, []).append(site)
        edges: dict[str, dict[str, tuple[ImportSite, ...]]] = {}
        for importer, targets in grouped.items():
            for group in targets.values():
                if len(group) > 1:
                    group.sort(key=lambda s: (s.line, s.column, s.text))
            edges[importer] = {imported: tuple(group) for imported, group in sorted(targets.items())}
        graph = self.graph
        touched = _replace_out_edges(graph, edges)
        added = [node for node in touched if not graph.nodes[node]]
        for node in added:
            graph.nodes[node].update(path=None, component=None, external=node.startswith(EXTERNAL))
        orphans = [node for node in touched if graph.nodes[node].get("external") and graph.in_degree(node) == 0 and graph.out_degree(node) == 0]
        graph.remove_nodes_from(orphans)
        views: dict[SiteFilter, DiGraph] = {ALL_SITES: graph}
        for site_filter, view in self._views.items():
            if site_filter == ALL_SITES:
                continue
            for node in added:
                if node in graph:
                    view.add_node(node, **graph.nodes[node])
            view.remove_nodes_from(orphans)
            kept_edges: dict[str, dict[str, tuple[ImportSite, ...]]] = {}
            for importer, out_edges in edges.items():
                kept_edges[importer] = {}
                for imported, out_sites in out_edges.items():
                    if (importer, imported) in site_filter.removed_edges:
                        continue
                    kept = tuple(s for s in out_sites if site_filter.accepts(s))
                    if kept:
                        kept_edges[importer][imported] = kept
            _replace_out_edges(view, kept_edges)
            views[site_filter] = view
        changed_graph = ModuleGraph.__new__(ModuleGraph)
        changed_graph.graph = graph
        changed_graph._views = views
        self._views = {}
        return changed_graph

    def copy(self) -> ModuleGraph:
        """Another graph with the same nodes, edges and sites (to change without changing this one)."""
        copied = ModuleGraph.__new__(ModuleGraph)
        copied.graph = self.graph.copy()
        copied._views = {ALL_SITES: copied.graph}
        return copied

    # -- basic queries -------------------------------------------------------------------
    @property
    def modules(self) -> list[str]:
        return [n for n, external in self.graph.nodes(data="external") if not external]

    @property
    def externals(self) -> list[str]:
        return [n for n, external in self.graph.nodes(data="external") if external]

    def path_of(self, module: str) -> str | None:
        data = self.graph.nodes.get(module)
        return data.get("path") if data else None

    def sites(self, importer: str, imported: str, view: DiGraph | None = None) -> tuple[ImportSite, ...]:
        graph = view if view is not None else self.graph
        if not graph.has_edge(importer, imported):
            return ()
        return graph.edges[importer, imported]["sites"]  # type: ignore[no-any-return]

    def all_sites(self) -> Iterable[ImportSite]:
        for _a, _b, sites in self.graph.edges(data="sites"):
            yield from sites

    def dependency_pairs(self) -> set[tuple[str, str]]:
        """Every (importer, imported) edge, plus (importer, package) for each package whose
        __init__ an import went through: what [[ignore]] entries are matched against."""
        pairs: set[tuple[str, str]] = set(self.graph.edges())
        for importer, _imported, sites in self.graph.edges(data="sites"):
            for site in sites:
                pairs.update((importer, package) for package in site.via)
        return pairs

    def view(self, site_filter: SiteFilter) -> DiGraph:
        """The graph with only the import sites the filter accepts (cached per filter)."""
        cached = self._views.get(site_filter)
        if cached is not None:
            return cached
        view: DiGraph = DiGraph()
        view.add_nodes_from(self.graph.nodes(data=True))
        removed = site_filter.removed_edges
        for importer, imported, sites in self.graph.edges(data="sites"):
            if (importer, imported) in removed:
                continue
            kept = tuple(s for s in sites if site_filter.accepts(s))
            if kept:
                view.add_edge(importer, imported, sites=kept)
        self._views[site_filter] = view
        return view


def _replace_out_edges(graph: DiGraph, edges: dict[str, dict[str, tuple[ImportSite, ...]]]) -> set[str]:
    """Make each importer's out-edges those of ``edges`` (imported -> sites), touching as little
    as possible: an edge that stays only gets its sites; new edges are put in sorted place.
    Returns the imported modules whose edges changed (new nodes among them have no attributes)."""
    touched: set[str] = set()
    resort: set[str] = set()
    for importer, targets in edges.items():
        if importer not in graph:
            graph.add_node(importer)
        for imported in [v for v in graph.successors(importer) if v not in targets]:
            graph.remove_edge(importer, imported)
            touched.add(imported)
        for imported, edge_sites in targets.items():
            if graph.has_edge(importer, imported):
                graph.edges[importer, imported]["sites"] = edge_sites
            else:
                graph.add_edge(importer, imported, sites=edge_sites)
                touched.add(imported)
                resort.update((importer, imported))
    graph.sort_neighbours(resort)
    return touched


def direct_edges(view: DiGraph, sources: Iterable[str], targets: set[str]) -> list[tuple[str, str]]:
    """Edges from any source straight into a target, in a stable order."""
    edges = []
    for source in sorted(set(sources)):
        if source not in view:
            continue
        for successor in view.successors(source):
            if successor in targets:
                edges.append((source, successor))
    return edges


def indirect_chains(
    view: DiGraph,
    sources: Iterable[str],
    targets: set[str],
    barrier: set[str] | frozenset[str] = frozenset(),
) -> list[list[str]]:
    """Shortest chains ``source -> m -> ... -> target`` of two or more hops.

    One chain per *head edge* ``source -> m`` that leads to a target; intermediates are
    never sources, targets or in ``barrier``. Linear in the size of the graph: one reverse
    breadth-first search from all targets, then one step from each source.
    """
    source_set = set(sources)
    blocked = source_set | targets | set(barrier)
    return chains_from(view, source_set, ReverseSearch(view, targets, blocked))


class ReverseSearch:
    """The breadth-first search backwards from ``targets`` through nodes not ``blocked``: for
    each node reached, its distance to the nearest target and the next hop towards it. One
    search serves every set of sources whose members are all blocked (see :func:`chains_from`)."""

    def __init__(self, view: DiGraph, targets: set[str], blocked: set[str] | frozenset[str]) -> None:
        self.targets = targets
        self.blocked = blocked
        self.next_hop: dict[str, str] = {}
        self.distance: dict[str, int] = {}
        queue: deque[str] = deque()
        for target in sorted(targets):
            if target in view:
                self.distance[target] = 0
                queue.append(target)
        while queue:
            node = queue.popleft()
            for predecessor in view.predecessors(node):
                if predecessor in self.distance or predecessor in blocked:
                    continue
                self.distance[predecessor] = self.distance[node] + 1
                self.next_hop[predecessor] = node
                queue.append(predecessor)

    @property
    def reached(self) -> list[str]:
        """The intermediate nodes the search reached (not the targets)."""
        return list(self.next_hop)


def chains_from(view: DiGraph, sources: Iterable[str], search: ReverseSearch) -> list[list[str]]:
    """The chains of :func:`indirect_chains` from ``sources`` (all of them blocked in ``search``)."""
    chains: list[list[str]] = []
    for source in sorted(set(sources)):
        if source not in view:
            continue
        for head in view.successors(source):
            if head in search.blocked or head not in search.distance:
                continue
            chain = [source, head]
            while chain[-1] not in search.targets:
                chain.append(search.next_hop[chain[-1]])
            chains.append(chain)
    return chains


def shortest_chain(view: DiGraph, source: str, target: str, allowed: Callable[[str], bool] | None = None) -> list[str] | None:
    """The shortest chain from one module to another (None if there is none)."""
    if source not in view or target not in view:
        return None
    parents: dict[str, str | None] = {source: None}
    queue: deque[str] = deque([source])
    while queue:
        node = queue.popleft()
        for successor in view.successors(node):
            if successor in parents:
                continue
            if successor != target and allowed is not None and not allowed(successor):
                continue
            parents[successor] = node
            if successor == target:
                chain = [target]
                while parents[chain[-1]] is not None:
                    chain.append(parents[chain[-1]])  # type: ignore[arg-type]
                return chain[::-1]
            queue.append(successor)
    return None


def component_graph(view: DiGraph, component_of: Mapping[str, str | None], *, include_external: bool = False) -> DiGraph:
    """Components as nodes; an edge X -> Y carries every module edge from X into Y."""
    graph: DiGraph = DiGraph()
    for component in sorted({c for c in component_of.values() if c is not None}):
        graph.add_node(component)
    for importer, imported in view.edges():
        source = component_of.get(importer)
        if source is None:
            continue
        target = component_of.get(imported)
        if target is None and include_external and imported.startswith(EXTERNAL):
            target = imported
        if target is None or target == source:
            continue
        if graph.has_edge(source, target):
            graph.edges[source, target]["edges"].append((importer, imported))
        else:
            graph.add_edge(source, target, edges=[(importer, imported)])
    return graph


def component_edge_counts(graph: DiGraph, component_of: Mapping[str, str | None]) -> dict[tuple[str, str], tuple[int, int]]:
    """(source, target) -> (import sites, module edges) for every component dependency in
    ``graph`` (a module graph whose edges carry their ``sites``), in name order."""
    edges: dict[tuple[str, str], tuple[int, int]] = {}
    for source, target, data in component_graph(graph, component_of).edges(data=True):
        module_edges = data["edges"]
        edges[(source, target)] = (sum(len(graph.edges[a, b]["sites"]) for a, b in module_edges), len(module_edges))
    return dict(sorted(edges.items()))
