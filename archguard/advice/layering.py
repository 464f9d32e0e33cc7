"""Layers from a dependency graph: its cycles, the imports that close them, and an order.

Given a graph whose edges point from importer to imported (weighted by how many imports
make each edge), :func:`infer_layers` answers the questions ``archguard init`` asks:

- which nodes form cycles (the strongly connected components of two or more nodes);
- which edges to *cut* so that the rest is acyclic, choosing the lightest set it can (a
  minimum feedback arc set: exact for cycles of up to ``EXACT_LIMIT`` nodes, a greedy order
  improved by local moves beyond that); these are the imports to resolve;
- layers from top to bottom, each node as high as its longest chain of dependencies needs:
  a node that depends on nothing sits in the bottom layer, every other node one layer above
  the highest layer it depends on. With ``group_cycles`` the cycles are kept whole (each
  strongly connected component is one node of the condensation, its members share a layer);
  without it the cut edges are left out and every node gets its own place.

Everything is deterministic: nodes are visited in sorted order and ties go to the smallest name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import networkx as nx

from archguard.analysis.digraph import DiGraph, to_networkx

EXACT_LIMIT = 14  # cycles of up to this many nodes get a provably minimum cut (2^n states, ~0.1 s at 14)


@dataclass(frozen=True)
class Layering:
    layers: tuple[tuple[str, ...], ...]  # top to bottom; nodes sorted inside each layer
    cycles: tuple[tuple[str, ...], ...]  # strongly connected components of 2+ nodes, sorted
    cut: tuple[tuple[str, str], ...]  # the edges to remove for an acyclic graph, sorted
    unlayered: tuple[str, ...]  # nodes without any edge: nothing to say about their place

    def layer_of(self, node: str) -> int | None:
        for index, layer in enumerate(self.layers):
            if node in layer:
                return index
        return None


def order_cost(order: list[str], weights: Mapping[tuple[str, str], int]) -> int:
    """The weight of the edges that point upward (importer below the imported) in ``order``."""
    position = {node: index for index, node in enumerate(order)}
    return sum(weight for (source, target), weight in weights.items() if position[source] > position[target])


def feedback_order(nodes: Iterable[str], weights: Mapping[tuple[str, str], int]) -> list[str]:
    """An order of ``nodes`` (top first) whose upward edges weigh as little as possible."""
    ordered = sorted(set(nodes))
    inner = {edge: weight for edge, weight in weights.items() if edge[0] in ordered and edge[1] in ordered and edge[0] != edge[1]}
    if len(ordered) <= EXACT_LIMIT:
        return _exact_order(ordered, inner)
    return _improve(_greedy_order(ordered, inner), inner)


def _exact_order(nodes: list[str], weights: Mapping[tuple[str, str], int]) -> list[str]:
    """Dynamic programming over subsets: the best order of every set of top nodes."""
    count = len(nodes)
    index = {node: i for i, node in enumerate(nodes)}
    upward = [[0] * count for _ in range(count)]  # upward[v][u]: weight of v -> u
    for (source, target), weight in weights.items():
        upward[index[source]][index[target]] += weight
    full = 1 << count
    best = [0] + [-1] * (full - 1)
    choice = [-1] * full
    # into[v][s]: weight of v's edges into the nodes of set s (computed from s minus its lowest node)
    into = [[0] * full for _ in range(count)]
    for subset in range(1, full):
        low = (subset & -subset).bit_length() - 1
        rest = subset & (subset - 1)
        for v in range(count):
            into[v][subset] = into[v][rest] + upward[v][low]
    for subset in range(full):
        base = best[subset]
        if base < 0:
            continue
        for v in range(count):
            if subset >> v & 1:
                continue
            cost = base + into[v][subset]  # v placed below every node of subset
            bigger = subset | (1 << v)
            if best[bigger] < 0 or cost < best[bigger]:
                best[bigger] = cost
                choice[bigger] = v
    order: list[str] = []
    subset = full - 1
    while subset:
        v = choice[subset]
        order.append(nodes[v])
        subset &= ~(1 << v)
    return order[::-1]


def _greedy_order(nodes: list[str], weights: Mapping[tuple[str, str], int]) -> list[str]:
    """Eades, Lin and Smyth's heuristic, weighted: peel sinks and sources, else the most outgoing node."""
    out_weight = dict.fromkeys(nodes, 0)
    in_weight = dict.fromkeys(nodes, 0)
    successors: dict[str, dict[str, int]] = {node: {} for node in nodes}
    predecessors: dict[str, dict[str, int]] = {node: {} for node in nodes}
    for (source, target), weight in weights.items():
        out_weight[source] += weight
        in_weight[target] += weight
        successors[source][target] = weight
        predecessors[target][source] = weight
    remaining = set(nodes)
    top: list[str] = []
    bottom: list[str] = []

    def remove(node: str) -> None:
        remaining.discard(node)
        for target, weight in successors[node].items():
            in_weight[target] -= weight
        for source, weight in predecessors[node].items():
            out_weight[source] -= weight

    while remaining:
        changed = True
        while changed:
            changed = False
            for node in sorted(n for n in remaining if out_weight[n] == 0):
                bottom.append(node)
                remove(node)
                changed = True
            for node in sorted(n for n in remaining if in_weight[n] == 0):
                top.append(node)
                remove(node)
                changed = True
        if remaining:
            node = min(remaining, key=lambda n: (in_weight[n] - out_weight[n], n))
            top.append(node)
            remove(node)
    return top + bottom[::-1]


def _improve(order: list[str], weights: Mapping[tuple[str, str], int], passes: int = 50) -> list[str]:
    """Move single nodes to their best position while that lowers the cost."""
    out_edges: dict[str, dict[str, int]] = {node: {} for node in order}
    in_edges: dict[str, dict[str, int]] = {node: {} for node in order}
    for (source, target), weight in weights.items():
        out_edges[source][target] = weight
        in_edges[target][source] = weight
    order = list(order)
    for _ in range(passes):
        improved = False
        for node in sorted(order):
            current = order.index(node)
            rest = order[:current] + order[current + 1 :]
            # cost(q): v inserted before rest[q]: its out-edges to nodes above and in-edges from nodes below are cut
            cost = sum(in_edges[node].values())
            best_cost, best_at = cost, 0
            current_cost = None
            for q in range(len(rest) + 1):
                if q == current:
                    current_cost = cost
                if cost < best_cost:
                    best_cost, best_at = cost, q
                if q < len(rest):
                    passed = rest[q]
                    cost += out_edges[node].get(passed, 0) - in_edges[node].get(passed, 0)
            if current_cost is not None and best_cost < current_cost:
                rest.insert(best_at, node)
                order = rest
                improved = True
        if not improved:
            break
    return order


def _heights(graph: nx.DiGraph) -> dict[str, int]:
    """Longest chain of successors below each node of a DAG (0 for a node that depends on nothing)."""
    heights: dict[str, int] = {}
    for node in reversed(list(nx.lexicographical_topological_sort(graph))):
        heights[node] = 1 + max((heights[s] for s in graph.successors(node)), default=-1)
    return heights


def infer_layers(graph: nx.DiGraph | DiGraph, weights: Mapping[tuple[str, str], int] | None = None, *, group_cycles: bool = False) -> Layering:
    """Cycles, cut edges and layers of ``graph`` (see the module docstring)."""
    graph = to_networkx(graph)
    weights = {edge: (weights or {}).get(edge, 1) for edge in graph.edges()}
    cycles = sorted(tuple(sorted(c)) for c in nx.strongly_connected_components(graph) if len(c) > 1)
    cut: list[tuple[str, str]] = []
    for members in cycles:
        order = feedback_order(members, weights)
        position = {node: i for i, node in enumerate(order)}
        cut.extend(
            (source, target)
            for source, target in graph.subgraph(members).edges()
            if position[source] > position[target]
        )
    cut.sort()
    unlayered = tuple(sorted(n for n in graph.nodes() if graph.degree(n) == 0))
    connected = [n for n in graph.nodes() if graph.degree(n) > 0]
    by_height: dict[int, list[str]] = {}
    if group_cycles:
        condensed = nx.condensation(graph.subgraph(connected))
        heights = _heights(nx.relabel_nodes(condensed, {i: str(i) for i in condensed.nodes()}))
        for node, member in condensed.graph["mapping"].items():
            by_height.setdefault(heights[str(member)], []).append(node)
    else:
        acyclic = nx.DiGraph()
        acyclic.add_nodes_from(connected)
        removed = set(cut)
        acyclic.add_edges_from(edge for edge in graph.edges() if edge not in removed)
        for node, height in _heights(acyclic).items():
            by_height.setdefault(height, []).append(node)
    layers = tuple(tuple(sorted(by_height[h])) for h in sorted(by_height, reverse=True))
    return Layering(layers=layers, cycles=tuple(cycles), cut=tuple(cut), unlayered=unlayered)
