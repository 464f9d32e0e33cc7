"""The small directed graph behaves as networkx's DiGraph where a check uses it (networkx is the oracle)."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from archguard.analysis.digraph import DiGraph, has_path, strongly_connected_components, to_networkx

edges_strategy = st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), max_size=40)


@given(edges_strategy, st.lists(st.integers(0, 14), max_size=5))
@settings(max_examples=200)
def test_components_reachability_and_order_match_networkx(edges: list[tuple[int, int]], lonely: list[int]) -> None:
    ours, theirs = DiGraph(), nx.DiGraph()
    for graph in (ours, theirs):
        graph.add_nodes_from((node, {"kind": node % 3}) for node in lonely)
        graph.add_edges_from((u, v, {"weight": u + v}) for u, v in edges)
    assert list(ours.nodes) == list(theirs.nodes)
    assert list(ours.edges(data="weight")) == list(theirs.edges(data="weight"))
    assert list(ours.nodes(data="kind")) == list(theirs.nodes(data="kind"))
    assert sorted(map(sorted, strongly_connected_components(ours))) == sorted(map(sorted, nx.strongly_connected_components(theirs)))
    for source in list(theirs.nodes)[:6]:
        assert sorted(ours.successors(source)) == sorted(theirs.successors(source))
        assert ours.in_degree(source) == theirs.in_degree(source)
        for target in list(theirs.nodes)[:6]:
            assert has_path(ours, source, target) == nx.has_path(theirs, source, target)
    converted = to_networkx(ours)
    assert nx.utils.graphs_equal(converted, theirs)


def test_copies_and_removals_leave_the_original_alone() -> None:
    graph = DiGraph([("a", "b", {"sites": (1,)}), ("b", "c"), ("c", "a")])
    graph.add_node("lonely", external=True)
    trimmed = graph.copy()
    trimmed.remove_nodes_from(["lonely", "b", "missing"])
    assert list(trimmed.edges()) == [("c", "a")] and "b" not in trimmed
    assert list(graph.edges()) == [("a", "b"), ("b", "c"), ("c", "a")] and graph.nodes["lonely"] == {"external": True}
    assert graph.edges["a", "b"]["sites"] == (1,) and graph.has_edge("a", "b") and not graph.has_edge("b", "a")
    assert [sorted(c) for c in strongly_connected_components(graph) if len(c) > 1] == [["a", "b", "c"]]


@given(edges_strategy, st.lists(st.integers(0, 14), max_size=5), st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), max_size=6))
@settings(max_examples=200)
def test_a_copy_is_the_graph_built_again_in_its_order(edges: list[tuple[int, int]], lonely: list[int], removed: list[tuple[int, int]]) -> None:
    graph = DiGraph()
    graph.add_nodes_from((node, {"kind": node % 3}) for node in lonely)
    graph.add_edges_from((u, v, {"sites": [u, v]}) for u, v in edges)
    for u, v in removed:  # (removals leave predecessor orders that are not the successors' order)
        if graph.has_edge(u, v):
            graph.remove_edge(u, v)
    rebuilt = DiGraph()
    rebuilt.add_nodes_from((node, dict(attributes)) for node, attributes in graph.nodes(data=True))
    rebuilt.add_edges_from((u, v, dict(attributes)) for u, v, attributes in graph.edges(data=True))
    copied = graph.copy()
    assert list(copied.nodes(data=True)) == list(rebuilt.nodes(data=True))
    assert list(copied.edges(data=True)) == list(rebuilt.edges(data=True))
    for node in graph.nodes:
        assert list(copied.predecessors(node)) == list(rebuilt.predecessors(node))
        assert list(copied.successors(node)) == list(graph.successors(node))
    for u, v in list(copied.edges()):
        assert copied.edges[u, v] is not graph.edges[u, v] and copied._pred[v][u] is copied.edges[u, v]
        copied.edges[u, v]["sites"] = None
        assert graph.edges[u, v]["sites"] == [u, v]
    for node in graph.nodes:
        assert copied.nodes[node] is not graph.nodes[node]
