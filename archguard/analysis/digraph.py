"""A small directed graph: the part of networkx's ``DiGraph`` that a check uses.

Importing networkx costs 0.15-0.25 s, more than a warm check does with everything else (it is
the largest import of a check where one file changed). A check only needs adjacency with
attributes and two algorithms (strongly connected components, reachability), so the module
and component graphs are this class, with networkx's API and iteration order (nodes and
edges in insertion order). Commands that need more of networkx (``init``'s layering, the
pictures) convert with :func:`to_networkx`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import networkx as nx

Node = Hashable
Attributes = dict[str, Any]


class NodeView:
    """``graph.nodes``: iterate, test membership, ``nodes[n]``, ``nodes.get(n)``, ``nodes(data=...)``."""

    __slots__ = ("_nodes",)

    def __init__(self, nodes: dict[Any, Attributes]) -> None:
        self._nodes = nodes

    def __iter__(self) -> Iterator[Any]:
        return iter(self._nodes)

    def __len__(self) -> int:
        return len(self._nodes)

    def __contains__(self, node: object) -> bool:
        return node in self._nodes

    def __getitem__(self, node: Any) -> Attributes:
        return self._nodes[node]

    def get(self, node: Any, default: Attributes | None = None) -> Attributes | None:
        return self._nodes.get(node, default)

    def __call__(self, data: bool | str = False, default: Any = None) -> Iterator[Any]:
        if data is False:
            return iter(self._nodes)
        if data is True:
            return iter(self._nodes.items())
        return ((node, attributes.get(data, default)) for node, attributes in self._nodes.items())


class EdgeView:
    """``graph.edges``: iterate ``(u, v)``, ``edges[u, v]`` for the attributes, ``edges(data=...)``."""

    __slots__ = ("_succ",)

    def __init__(self, succ: dict[Any, dict[Any, Attributes]]) -> None:
        self._succ = succ

    def __iter__(self) -> Iterator[tuple[Any, Any]]:
        return ((u, v) for u, targets in self._succ.items() for v in targets)

    def __len__(self) -> int:
        return sum(len(targets) for targets in self._succ.values())

    def __contains__(self, edge: object) -> bool:
        if not isinstance(edge, tuple) or len(edge) != 2:
            return False
        u, v = edge
        return v in self._succ.get(u, {})

    def __getitem__(self, edge: tuple[Any, Any]) -> Attributes:
        u, v = edge
        return self._succ[u][v]

    def __call__(self, data: bool | str = False, default: Any = None) -> Iterator[Any]:
        if data is False:
            return iter(self)
        if data is True:
            return ((u, v, attributes) for u, targets in self._succ.items() for v, attributes in targets.items())
        return ((u, v, attributes.get(data, default)) for u, targets in self._succ.items() for v, attributes in targets.items())


class DiGraph:
    """Directed graph with node and edge attributes (networkx's ``DiGraph`` API, in part)."""

    def __init__(self, edges: Iterable[tuple[Any, ...]] = ()) -> None:
        self._node: dict[Any, Attributes] = {}
        self._succ: dict[Any, dict[Any, Attributes]] = {}
        self._pred: dict[Any, dict[Any, Attributes]] = {}
        self.add_edges_from(edges)

    # -- building -----------------------------------------------------------------------
    def add_node(self, node: Any, **attributes: Any) -> None:
        if node not in self._node:
            self._node[node] = {}
            self._succ[node] = {}
            self._pred[node] = {}
        self._node[node].update(attributes)

    def add_nodes_from(self, nodes: Iterable[Any]) -> None:
        for item in nodes:
            if isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], dict):
                self.add_node(item[0], **item[1])
            else:
                self.add_node(item)

    def add_edge(self, u: Any, v: Any, **attributes: Any) -> None:
        for node in (u, v):
            if node not in self._node:
                self.add_node(node)
        data = self._succ[u].get(v)
        if data is None:
            data = self._succ[u][v] = self._pred[v][u] = {}
        data.update(attributes)

    def add_edges_from(self, edges: Iterable[tuple[Any, ...]]) -> None:
        for edge in edges:
            if len(edge) == 3:
                self.add_edge(edge[0], edge[1], **edge[2])
            else:
                self.add_edge(edge[0], edge[1])

    def remove_node(self, node: Any) -> None:
        for successor in self._succ.pop(node):
            del self._pred[successor][node]
        for predecessor in self._pred.pop(node):
            del self._succ[predecessor][node]
        del self._node[node]

    def remove_nodes_from(self, nodes: Iterable[Any]) -> None:
        for node in list(nodes):
            if node in self._node:
                self.remove_node(node)

    def remove_edge(self, u: Any, v: Any) -> None:
        del self._succ[u][v]
        del self._pred[v][u]

    def sort_neighbours(self, nodes: Iterable[Any]) -> None:
        """Put the successors and predecessors of ``nodes`` in sorted order (the order a graph
        built from sorted edges has)."""
        for node in nodes:
            if node in self._node:
                self._succ[node] = dict(sorted(self._succ[node].items()))
                self._pred[node] = dict(sorted(self._pred[node].items()))

    def copy(self) -> DiGraph:
        """A new graph with the same nodes and edges, and copies of their attribute dicts."""
        # (what add_nodes_from and add_edges_from in this graph's order build, without their calls per item)
        copied = DiGraph()
        copied._node = {node: dict(attributes) for node, attributes in self._node.items()}
        successors: dict[Any, dict[Any, Attributes]] = {node: {} for node in self._node}
        predecessors: dict[Any, dict[Any, Attributes]] = {node: {} for node in self._node}
        for u, targets in self._succ.items():
            out = successors[u]
            for v, attributes in targets.items():
                out[v] = predecessors[v][u] = dict(attributes)
        copied._succ, copied._pred = successors, predecessors
        return copied

    # -- reading ------------------------------------------------------------------------
    @property
    def nodes(self) -> NodeView:
        return NodeView(self._node)

    @property
    def edges(self) -> EdgeView:
        return EdgeView(self._succ)

    def __contains__(self, node: object) -> bool:
        return node in self._node

    def __iter__(self) -> Iterator[Any]:
        return iter(self._node)

    def __len__(self) -> int:
        return len(self._node)

    def has_node(self, node: Any) -> bool:
        return node in self._node

    def has_edge(self, u: Any, v: Any) -> bool:
        return v in self._succ.get(u, ())

    def successors(self, node: Any) -> Iterator[Any]:
        return iter(self._succ[node])

    def predecessors(self, node: Any) -> Iterator[Any]:
        return iter(self._pred[node])

    def in_degree(self, node: Any) -> int:
        return len(self._pred[node])

    def out_degree(self, node: Any) -> int:
        return len(self._succ[node])

    def number_of_nodes(self) -> int:
        return len(self._node)

    def number_of_edges(self) -> int:
        return len(self.edges)


def strongly_connected_components(graph: DiGraph) -> Iterator[set[Any]]:
    """The strongly connected components (Tarjan's algorithm, without recursion)."""
    index: dict[Any, int] = {}
    low: dict[Any, int] = {}
    on_stack: set[Any] = set()
    stack: list[Any] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        work: list[tuple[Any, Iterator[Any]]] = [(root, graph.successors(root))]
        while work:
            node, successors = work[-1]
            advanced = False
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = counter
                    counter += 1
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, graph.successors(successor)))
                    advanced = True
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component: set[Any] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                yield component


def has_path(graph: DiGraph, source: Any, target: Any) -> bool:
    """Whether ``target`` can be reached from ``source`` (breadth-first)."""
    if source == target:
        return source in graph
    seen = {source}
    queue: deque[Any] = deque([source])
    while queue:
        for successor in graph.successors(queue.popleft()):
            if successor == target:
                return True
            if successor not in seen:
                seen.add(successor)
                queue.append(successor)
    return False


def to_networkx(graph: DiGraph | nx.DiGraph) -> nx.DiGraph:
    """The same graph as a networkx ``DiGraph`` (for its algorithms); a networkx graph as is."""
    import networkx as nx

    if isinstance(graph, nx.DiGraph):
        return graph
    converted = nx.DiGraph()
    converted.add_nodes_from(graph.nodes(data=True))
    converted.add_edges_from(graph.edges(data=True))
    return converted
