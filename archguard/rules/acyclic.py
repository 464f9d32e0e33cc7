"""The ``acyclic`` rule."""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from itertools import pairwise

from archguard.analysis.digraph import DiGraph, strongly_connected_components
from archguard.analysis.graph import component_graph
from archguard.findings import Finding, Hop
from archguard.rules.base import Rule, RuleContext


def shortest_cycle(graph: DiGraph, start: str, members: set[str]) -> list[str]:
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

    ``scope = "components"`` looks for cycles in the component graph; a package name
    (``scope = "shop.orders"``) for cycles among that package's direct children. Each tangle is
    reported once, at the import that closes its shortest cycle.

    Why: components in a cycle can only be understood, tested and released together; a
    cycle is usually the first sign that a boundary has dissolved.
    Fix: find the import that closes the cycle (shown first) and invert it: move the shared
    code down, or depend on an interface instead of the concrete module.
    Example:
    [[rules]]
    kind = "acyclic"
    scope = "components"
    Breaks:
    # shop/domain/model.py
    from shop.orders.service import place_order
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
        for members in sorted(sorted(c) for c in strongly_connected_components(graph) if len(c) > 1):
            cycle = shortest_cycle(graph, members[0], set(members))
            hops = []
            # The hop to break: the fewest imports, then the least used target (likely the upward one).
            weakest: tuple[int, str, str, Hop] | None = None
            best_key: tuple[int, int] | None = None
            for source, target in pairwise(cycle):
                importer, imported = sorted(graph.edges[source, target]["edges"])[0]
                hops.append(Hop.from_site(ctx.first_site(view, importer, imported)))
                count = sum(len(view.edges[edge]["sites"]) for edge in graph.edges[source, target]["edges"])
                key = (count, graph.in_degree(target))
                if best_key is None or key < best_key:
                    best_key, weakest = key, (count, source, target, hops[-1])
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
                remedy=self._remedy(weakest),
                fix=self.remedy("break-cycle", self._remedy(weakest), reason=f"{what} must not import each other in a cycle"),
                identity=("cycle", scope, *members),
            )

    @staticmethod
    def _remedy(weakest: tuple[int, str, str, Hop] | None) -> str:
        if weakest is None:
            return "break the cycle at one import: move the shared code down, or depend on an interface instead"
        count, source, target, hop = weakest
        where = f"{hop.path}:{hop.line}" if hop.path else hop.importer
        imports = f"{count} import{'s' * (count != 1)}, {'e.g. ' if count > 1 else ''}{where}"
        return f"break the cycle where it is thinnest, {source} -> {target} ({imports}): move the shared code down, or invert the import"
