"""The ``acyclic`` rule."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from itertools import pairwise

import networkx as nx

from archguard.findings import Finding, Hop
from archguard.graph import component_graph
from archguard.rules.base import Rule, RuleContext


def shortest_cycle(graph: nx.DiGraph, start: str, members: set[str]) -> list[str]:
    """The shortest cycle through ``start`` inside one strongly connected component."""
    parents: dict[str, str] = {}
    queue: deque[str] = deque([start])
    seen = {start}
    while queue:
        node = queue.popleft()
        for successor in sorted(graph.successors(node)):
            if successor not in members:
                continue
            if successor == start:
                cycle = [node]
                while cycle[-1] != start:
                    cycle.append(parents[cycle[-1]])
                cycle.reverse()
                return [*cycle, start]
            if successor not in seen:
                seen.add(successor)
                parents[successor] = node
                queue.append(successor)
    return [start, start]  # unreachable for a real strongly connected component


REMEDY = "break the cycle at one import: move the shared code down, or depend on an interface instead"


class AcyclicRule(Rule):
    """No import cycles between components, or among the children of a package.

    Why: components in a cycle can only be understood, tested and released together; a
    cycle is usually the first sign that a boundary has dissolved.
    Fix: find the import that closes the cycle (shown first) and invert it: move the shared
    code down, or depend on an interface instead of the concrete module.
    Example:
    [[rules]]
    kind = "acyclic"
    scope = "components"
    """

    kind = "acyclic"

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        view = ctx.view_for(self)
        scope = self.config.scope
        if scope == "components":
            owner = dict(ctx.components.component_of)
            what = "components"
        else:
            prefix = scope + "."
            owner = {}
            for module in ctx.paths:
                if module.startswith(prefix):
                    owner[module] = prefix + module[len(prefix) :].split(".")[0]
            what = f"children of {scope}"
        graph = component_graph(view, owner)
        for members in sorted(sorted(c) for c in nx.strongly_connected_components(graph) if len(c) > 1):
            cycle = shortest_cycle(graph, members[0], set(members))
            hops = []
            for source, target in pairwise(cycle):
                importer, imported = sorted(graph.edges[source, target]["edges"])[0]
                hops.append(Hop.from_site(ctx.first_site(view, importer, imported)))
            first = hops[0]
            others = [m for m in members if m not in cycle]
            message = f"import cycle between {what}: {' -> '.join(cycle)}"
            if others:
                message += f" (the cycle also involves {', '.join(others)})"
            yield Finding(
                rule=self.kind,
                rule_name=self.name,
                kind="cycle",
                severity=self.severity,
                message=message,
                path=first.path,
                line=first.line,
                column=first.column,
                end_line=first.line,
                importer=first.importer,
                imported=first.imported,
                import_text=first.text,
                chain=tuple(hops),
                remedy=REMEDY,
                fix=self.remedy("break-cycle", REMEDY, reason=f"{what} must not import each other in a cycle"),
                identity=("cycle", scope, *members),
            )
