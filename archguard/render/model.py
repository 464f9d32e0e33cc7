"""What a drawing shows, independent of how it is drawn: nodes, groups and styled edges.

A :class:`Picture` is built from a check result (the actual graph, the contract and the
findings) and read by every drawing (graphviz, mermaid, the HTML report). It is plain data:
the edge between two nodes carries its import sites, the rules it breaks, whether a
contract declares it, whether it lies on a cycle and, for a diff overlay, whether a change
added or removed it.

Levels:
- :func:`component_picture`: one node per component, grouped and ranked by the layers of
  the contract's ``layers`` rule (top layer first), unmapped modules in one node, external
  packages in their own group (optional; always shown when a rule flags them);
- :func:`module_picture`: the modules of one component or package with the edges that leave
  it (other components are one node each), or the neighbourhood of one module (``focus``).
"""

from __future__ import annotations

import difflib
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Literal

import networkx as nx

from archguard.analysis.resolve import EXTERNAL, STDLIB
from archguard.base.errors import UsageError
from archguard.contract.models import AllowedRule, LayersRule, rule_display_name
from archguard.contract.validate import parse_layer
from archguard.engine.pipeline import CheckResult
from archguard.findings import Finding
from archguard.rules.acyclic import shortest_cycle

UNMAPPED = "(unmapped)"
EXTERNAL_GROUP = "external"
NODE_FINDING_RULES = frozenset({"unmapped", "parse-error", "discovery"})

NodeKind = Literal["component", "module", "package", "outside", "external", "unmapped"]
Change = Literal["added", "removed"]


HitKind = Literal["direct", "indirect", "cycle"]


@dataclass(frozen=True, slots=True)
class RuleHit:
    """A rule that flags an edge, and how many findings say so.

    ``direct``: imports on this edge break the rule; ``indirect``: a chain of imports through
    other modules does; ``cycle``: the edge is a hop of an import cycle the rule reports.
    """

    rule_name: str
    count: int
    kind: HitKind = "direct"


@dataclass(frozen=True, slots=True)
class Node:
    name: str  # component, module, "external:requests" or UNMAPPED
    label: str
    kind: NodeKind
    group: str | None = None  # key of the Group it is drawn in
    modules: tuple[str, ...] = ()  # the modules it stands for
    description: str | None = None
    findings: int = 0  # findings located in its modules (all rules)


@dataclass(frozen=True, slots=True)
class Group:
    key: str
    label: str
    rank: int | None = None  # layers: 0 is the top layer
    independent: bool = False  # "a | b": siblings that must not import each other


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    sites: int  # import sites from source into target (0: no import in the code)
    hits: tuple[RuleHit, ...] = ()
    declared: bool = False  # listed in an `allowed` rule
    cycle: bool = False
    change: Change | None = None
    change_sites: int = 0  # import sites the change added or removed

    @property
    def violations(self) -> tuple[RuleHit, ...]:
        """The rules this edge's imports (or chains) break; cycle hops are marked apart."""
        return tuple(hit for hit in self.hits if hit.kind != "cycle")

    @property
    def violation(self) -> bool:
        return bool(self.violations)

    @property
    def unused(self) -> bool:
        """Declared in the contract but not in the code: the contract is stale here."""
        return self.declared and self.sites == 0 and not self.hits and self.change != "removed"

    @property
    def indirect_only(self) -> bool:
        return self.sites == 0 and self.violation and all(hit.kind == "indirect" for hit in self.violations)


@dataclass(frozen=True)
class Picture:
    level: Literal["component", "module"]
    title: str
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    groups: tuple[Group, ...] = ()
    cycles: tuple[tuple[str, ...], ...] = ()
    layer_rule: str | None = None
    notes: tuple[str, ...] = field(default=())

    def node(self, name: str) -> Node | None:
        return next((node for node in self.nodes if node.name == name), None)

    def edge(self, source: str, target: str) -> Edge | None:
        return next((e for e in self.edges if e.source == source and e.target == target), None)


@dataclass(frozen=True)
class EdgeDelta:
    """What a change did to the component graph: ``(source, target) -> import sites``.

    ``added``: edges the change created (or import sites it added to an edge the base had
    none of); ``removed``: edges the change deleted entirely. Produced by the drift
    comparison of two revisions; any source of the same shape works.
    """

    added: Mapping[tuple[str, str], int] = field(default_factory=dict)
    removed: Mapping[tuple[str, str], int] = field(default_factory=dict)


# -- shared plumbing ------------------------------------------------------------------------


def _third_party(node: str) -> bool:
    return node.startswith(EXTERNAL) and node[len(EXTERNAL) :] not in STDLIB


def _flagged_externals(findings: Iterable[Finding]) -> set[str]:
    return {f.imported for f in findings if f.imported and f.imported.startswith(EXTERNAL) and f.rule not in NODE_FINDING_RULES}


def _edge_sites(result: CheckResult, node_of: Callable[[str], str | None]) -> Counter[tuple[str, str]]:
    """Import sites between picture nodes, from the full module graph (every import counts)."""
    sites: Counter[tuple[str, str]] = Counter()
    for importer, imported, edge_sites in result.analysis.graph.graph.edges(data="sites"):
        source, target = node_of(importer), node_of(imported)
        if source is not None and target is not None and source != target:
            sites[source, target] += len(edge_sites)
    return sites


def _edge_hits(
    findings: Iterable[Finding], node_of: Callable[[str], str | None], *, chains_as_hops: bool
) -> dict[tuple[str, str], Counter[tuple[str, HitKind]]]:
    """Which rules flag each picture edge: ``edge -> Counter((rule name, hit kind))``.

    A reported cycle marks every hop of the cycle. An indirect violation (a chain) marks
    either its end-to-end edge (component level: "domain reaches infra") or each hop of the
    chain (module level, where the hops are what a reader must find).
    """
    hits: dict[tuple[str, str], Counter[tuple[str, HitKind]]] = {}

    def add(importer: str | None, imported: str | None, rule_name: str, kind: HitKind) -> None:
        if importer is None or imported is None:
            return
        source, target = node_of(importer), node_of(imported)
        if source is None or target is None or source == target:
            return
        hits.setdefault((source, target), Counter())[rule_name, kind] += 1

    for finding in findings:
        if finding.rule in NODE_FINDING_RULES or finding.importer is None:
            continue
        if finding.kind == "cycle":
            for hop in finding.chain:
                add(hop.importer, hop.imported, finding.rule_name, "cycle")
        elif finding.chain and chains_as_hops:
            for hop in finding.chain:
                add(hop.importer, hop.imported, finding.rule_name, "indirect")
        elif finding.chain:
            add(finding.importer, finding.imported, finding.rule_name, "indirect")
        else:
            add(finding.importer, finding.imported, finding.rule_name, "direct")
    return hits


def _node_findings(findings: Iterable[Finding], node_of: Callable[[str], str | None]) -> Counter[str]:
    counts: Counter[str] = Counter()
    for finding in findings:
        if finding.importer is not None:
            node = node_of(finding.importer)
            if node is not None:
                counts[node] += 1
    return counts


def _cycle_sets(nodes: Iterable[str], edges: Iterable[tuple[str, str]]) -> list[tuple[str, ...]]:
    graph: nx.DiGraph = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from(edges)
    return sorted(tuple(sorted(members)) for members in nx.strongly_connected_components(graph) if len(members) > 1)


def _cycle_edges(cycles: Iterable[tuple[str, ...]], edges: Iterable[tuple[str, str]]) -> set[tuple[str, str]]:
    """The edges of one shortest cycle per strongly connected set, the one ``acyclic`` reports.

    Every edge inside such a set lies on some cycle; marking them all would paint a tangled
    codebase purple. One short cycle per set says the same thing and shows where to cut.
    """
    graph: nx.DiGraph = nx.DiGraph()
    graph.add_edges_from(edges)
    marked: set[tuple[str, str]] = set()
    for members in cycles:
        cycle = shortest_cycle(graph, members[0], set(members))
        marked.update(pairwise(cycle))
    return marked


def _make_edges(
    sites: Mapping[tuple[str, str], int],
    hits: Mapping[tuple[str, str], Counter[tuple[str, HitKind]]],
    declared: set[tuple[str, str]],
    cycle_edges: set[tuple[str, str]],
    keep: Callable[[str, str], bool] = lambda _s, _t: True,
) -> tuple[Edge, ...]:
    edges = []
    for source, target in sorted(set(sites) | set(hits) | declared):
        if not keep(source, target):
            continue
        rule_hits = tuple(
            RuleHit(rule_name, count, kind) for (rule_name, kind), count in sorted(hits.get((source, target), Counter()).items())
        )
        in_cycle = (source, target) in cycle_edges or any(kind == "cycle" for (_name, kind) in hits.get((source, target), ()))
        edges.append(
            Edge(
                source=source,
                target=target,
                sites=sites.get((source, target), 0),
                hits=rule_hits,
                declared=(source, target) in declared,
                cycle=in_cycle,
            )
        )
    return tuple(edges)


def _suggest(name: str, choices: Iterable[str], what: str) -> UsageError:
    close = difflib.get_close_matches(name, sorted(choices), n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return UsageError(f"unknown {what} {name!r}{hint}")


# -- component level ------------------------------------------------------------------------


def layers_of(result: CheckResult, rule_name: str | None = None) -> tuple[LayersRule | None, str | None]:
    """The layers rule that ranks the picture: the one named, else the contract's first."""
    contract = result.analysis.loaded.contract
    candidates = [(index, rule) for index, rule in enumerate(contract.rules) if isinstance(rule, LayersRule)]
    if rule_name is not None:
        for index, rule in candidates:
            if rule_display_name(rule, index) == rule_name:
                return rule, rule_name
        raise _suggest(rule_name, [rule_display_name(r, i) for i, r in candidates], "layers rule")
    if not candidates:
        return None, None
    index, rule = candidates[0]
    return rule, rule_display_name(rule, index)


def component_picture(result: CheckResult, *, externals: bool = False, layers_rule: str | None = None) -> Picture:
    """One node per component (plus unmapped modules and, optionally, external packages)."""
    analysis = result.analysis
    contract = analysis.loaded.contract
    component_of = analysis.components.component_of
    flagged = _flagged_externals(result.findings)

    def node_of(module: str) -> str | None:
        if module in component_of:
            return component_of[module] or UNMAPPED
        if module in flagged or (externals and _third_party(module)):
            return module
        return None

    rule, rule_name = layers_of(result, layers_rule)
    groups: list[Group] = []
    group_of: dict[str, str] = {}
    if rule is not None:
        for rank, entry in enumerate(rule.layers):
            layer = parse_layer(entry)
            key = f"layer{rank + 1}"
            groups.append(Group(key=key, label=f"layer {rank + 1}", rank=rank, independent=layer.independent))
            for component in layer.components:
                group_of[component] = key

    sites = _edge_sites(result, node_of)
    hits = _edge_hits(result.findings, node_of, chains_as_hops=False)
    declared: set[tuple[str, str]] = set()
    for allowed in contract.rules:
        if isinstance(allowed, AllowedRule):
            for source, targets in allowed.allow.items():
                for target in targets:
                    if not target.startswith(EXTERNAL) or target in flagged or (externals and _third_party(target)):
                        declared.add((source, target))

    finding_counts = _node_findings(result.findings, node_of)
    nodes: list[Node] = []
    for name in analysis.components.order:
        config = contract.components[name]
        modules = analysis.components.modules_of.get(name, ())
        nodes.append(
            Node(
                name=name,
                label=name,
                kind="component",
                group=group_of.get(name),
                modules=modules,
                description=config.description,
                findings=finding_counts.get(name, 0),
            )
        )
    unmapped = analysis.components.unmapped
    if unmapped:
        nodes.append(Node(name=UNMAPPED, label="unmapped", kind="unmapped", modules=unmapped, findings=finding_counts.get(UNMAPPED, 0)))
    external_names = sorted({t for _s, t in [*sites, *hits, *declared] if t.startswith(EXTERNAL)})
    if external_names:
        groups.append(Group(key=EXTERNAL_GROUP, label="external packages"))
        nodes.extend(Node(name=n, label=n[len(EXTERNAL) :], kind="external", group=EXTERNAL_GROUP) for n in external_names)

    internal = [n.name for n in nodes if n.kind != "external"]
    internal_edges = [edge for edge, count in sites.items() if count and not edge[1].startswith(EXTERNAL)]
    cycles = _cycle_sets(internal, internal_edges)
    edges = _make_edges(sites, hits, declared, _cycle_edges(cycles, internal_edges))
    known = {n.name for n in nodes}
    edges = tuple(e for e in edges if e.source in known and e.target in known)
    return Picture(
        level="component",
        title=f"components of {analysis.loaded.display_path}",
        nodes=tuple(nodes),
        edges=edges,
        groups=tuple(groups),
        cycles=tuple(cycles),
        layer_rule=rule_name,
    )


def picture_delta(base: Picture, head: Picture) -> EdgeDelta:
    """The component edges ``head`` added to or removed from ``base`` (import sites).

    An edge is *added* when head has import sites on it and base had none (its count is
    head's sites) and *removed* when base had sites and head has none (base's count).
    Edges whose sites only changed in number are neither.
    """
    before = {(e.source, e.target): e.sites for e in base.edges if e.sites}
    after = {(e.source, e.target): e.sites for e in head.edges if e.sites}
    return EdgeDelta(
        added={edge: sites for edge, sites in sorted(after.items()) if edge not in before},
        removed={edge: sites for edge, sites in sorted(before.items()) if edge not in after},
    )


def apply_delta(picture: Picture, delta: EdgeDelta) -> Picture:
    """The picture with the edges a change added and removed marked (a diff overlay).

    Added edges keep their current style (a violating one stays red) and are marked
    ``added``; removed edges are drawn although the code no longer has them. Edges whose
    endpoints the picture does not show are left out.
    """
    known = {node.name for node in picture.nodes}
    edges = []
    for edge in picture.edges:
        added = delta.added.get((edge.source, edge.target), 0)
        edges.append(replace(edge, change="added", change_sites=added) if added else edge)
    present = {(edge.source, edge.target) for edge in picture.edges if edge.sites}
    for (source, target), count in sorted(delta.added.items()):
        if (source, target) not in present and source in known and target in known and picture.edge(source, target) is None:
            edges.append(Edge(source=source, target=target, sites=count, change="added", change_sites=count))
    for (source, target), count in sorted(delta.removed.items()):
        if (source, target) in present or source not in known or target not in known:
            continue
        existing = next((e for e in edges if e.source == source and e.target == target), None)
        if existing is not None:
            edges.remove(existing)
        edges.append(
            Edge(
                source=source,
                target=target,
                sites=0,
                change="removed",
                change_sites=count,
                declared=existing is not None and existing.declared,
            )
        )
    edges.sort(key=lambda e: (e.source, e.target))
    return replace(picture, edges=tuple(edges), title=picture.title + " (change overlay)")


def drop_implied_edges(picture: Picture) -> Picture:
    """The picture without the plain dependencies that other plain dependencies imply.

    An allowed edge ``a -> c`` is left out when ``c`` stays reachable from ``a`` through
    other edges that break no rule (``a -> b -> c``): the drawing keeps the same "who may
    reach whom" while dense graphs lose most of their lines. Edges that break a rule, lie on
    a cycle, are declared but unused, or were changed are always kept. Deterministic: edges
    are tried heaviest-last, so the thinnest redundant ones go first.
    """
    plain = [e for e in picture.edges if edge_is_plain(e)]
    graph: nx.DiGraph = nx.DiGraph()
    graph.add_edges_from((e.source, e.target) for e in picture.edges if e.sites > 0 and not e.violation and e.change != "removed")
    dropped: set[tuple[str, str]] = set()
    for edge in sorted(plain, key=lambda e: (e.sites, e.source, e.target)):
        graph.remove_edge(edge.source, edge.target)
        if nx.has_path(graph, edge.source, edge.target):
            dropped.add((edge.source, edge.target))
        else:
            graph.add_edge(edge.source, edge.target)
    if not dropped:
        return picture
    kept = tuple(e for e in picture.edges if (e.source, e.target) not in dropped)
    note = f"{len(plain) - len(dropped)} of {len(plain)} allowed dependencies drawn; the other {len(dropped)} follow from them"
    return replace(picture, edges=kept, notes=(*picture.notes, note))


DENSE_EDGES = 40  # above this many edges a drawing leaves out implied plain dependencies


def readable(picture: Picture, *, all_edges: bool = False) -> Picture:
    """The picture as drawn by default: dense pictures without their implied dependencies."""
    if all_edges or len(picture.edges) <= DENSE_EDGES:
        return picture
    return drop_implied_edges(picture)


def edge_is_plain(edge: Edge) -> bool:
    """An import dependency that nothing flags: no rule, no cycle, no change."""
    return edge.sites > 0 and not edge.hits and not edge.cycle and edge.change is None


# -- module level ---------------------------------------------------------------------------


MAX_MODULE_NODES = 60  # a drill-down with more modules collapses its deeper subpackages


def _package_of(module: str, path: str | None) -> str:
    """The package a module is drawn in: itself for a package, else its parent."""
    if path is not None and path.endswith("__init__.py"):
        return module
    return module.rpartition(".")[0] or module


def _common_package(modules: Iterable[str]) -> str:
    parts: list[str] | None = None
    for module in modules:
        names = module.split(".")
        if parts is None:
            parts = names
        else:
            length = 0
            while length < min(len(parts), len(names)) and parts[length] == names[length]:
                length += 1
            parts = parts[:length]
    return ".".join(parts or [])


def collapse_units(members: Iterable[str], root: str, max_nodes: int | None) -> dict[str, str]:
    """Module -> the node it is drawn as: itself, or a subpackage collapsed into one node.

    With more than ``max_nodes`` modules, modules deeper than ``d`` names below ``root`` are
    drawn as their subpackage at that depth, for the largest ``d`` that fits; the reader
    drills down into a collapsed subpackage with ``--package``.
    """
    modules = sorted(members)
    if max_nodes is None or len(modules) <= max_nodes:
        return {m: m for m in modules}
    base = len(root.split(".")) if root else 0
    deepest = max(len(m.split(".")) for m in modules) - base
    chosen: dict[str, str] = {m: ".".join(m.split(".")[: base + 1]) for m in modules}
    for depth in range(1, deepest + 1):
        units = {m: ".".join(m.split(".")[: base + depth]) for m in modules}
        if len(set(units.values())) > max_nodes:
            break
        chosen = units
    return chosen


def _short(module: str, group: str) -> str:
    if module == group:
        return module.rpartition(".")[2] + " (package)"
    if group and module.startswith(group + "."):
        return module[len(group) + 1 :]
    return module


def module_picture(
    result: CheckResult,
    *,
    component: str | None = None,
    package: str | None = None,
    focus: str | None = None,
    depth: int = 1,
    externals: bool = False,
    max_nodes: int | None = MAX_MODULE_NODES,
) -> Picture:
    """Modules of one component or package (with the edges leaving it), or one module's neighbourhood.

    A drill-down (``component`` or ``package``) shows the imports inside the selection and
    every edge that leaves it (other components are one node each); with
    more than ``max_nodes`` modules its deeper subpackages are collapsed (``None``: never).
    ``focus`` shows what a module imports and what imports it, ``depth`` steps each way.
    """
    if sum(x is not None for x in (component, package, focus)) != 1:
        raise UsageError("choose one of --component, --package or --focus")
    analysis = result.analysis
    graph = analysis.graph.graph
    component_of = analysis.components.component_of
    flagged = _flagged_externals(result.findings)

    def show_external(node: str) -> bool:
        return node in flagged or (externals and _third_party(node))

    notes: list[str] = []
    if focus is not None:
        if focus not in component_of:
            raise _suggest(focus, component_of, "module")
        if depth < 1:
            raise UsageError(f"--depth must be at least 1, got {depth}")
        reached = _neighbourhood(graph, focus, depth, lambda n: n in component_of or show_external(n))
        units = {m: m for m in reached if not m.startswith(EXTERNAL)}
        title = f"{focus}: what it imports and what imports it, {depth} step{'s' * (depth != 1)} each way"
    else:
        if component is not None:
            if component not in analysis.components.modules_of:
                raise _suggest(component, analysis.components.modules_of, "component")
            members = set(analysis.components.modules_of[component])
            if not members:
                raise UsageError(f"component {component!r} has no modules")
            root = _common_package(members)
            title = f"modules of component {component}"
        else:
            assert package is not None
            members = {m for m in component_of if m == package or m.startswith(package + ".")}
            if not members:
                packages = {m.rpartition(".")[0] for m in component_of} | set(component_of)
                raise _suggest(package, packages, "package")
            root = package
            title = f"modules of package {package}"
        units = collapse_units(members, root, max_nodes)
        collapsed = len(members) - len(set(units.values()))
        if collapsed:
            notes.append(
                f"{len(members)} modules; subpackages drawn as one box each "
                f"(drill down with --package NAME, or draw every module with --all-modules)"
            )

    def node_of(module: str) -> str | None:
        if module in units:
            return units[module]
        if focus is None and module in component_of:
            return component_of[module] or UNMAPPED
        if module.startswith(EXTERNAL) and show_external(module) and (focus is None or module in reached):
            return module
        return None

    inside = set(units.values())
    sites = _edge_sites(result, node_of)
    hits = _edge_hits(result.findings, node_of, chains_as_hops=True)

    def keep(source: str, target: str) -> bool:
        # A drill-down shows the selection's own imports: inside it and leaving it.
        return source in inside

    finding_counts = _node_findings(result.findings, node_of)
    members_of: dict[str, list[str]] = {}
    for module, unit in sorted(units.items()):
        members_of.setdefault(unit, []).append(module)
    nodes: list[Node] = []
    groups: dict[str, Group] = {}
    for unit, modules in sorted(members_of.items()):
        single = modules == [unit]
        if focus is not None:
            group_key = component_of.get(unit) or UNMAPPED
            label = unit + ("  ◆" if unit == focus else "")
        elif single:
            group_key = _package_of(unit, analysis.paths.get(unit))
            label = _short(unit, group_key)
        else:
            group_key = unit.rpartition(".")[0] or unit
            label = f"{_short(unit, group_key)}.*  ({len(modules)} modules)"
        groups.setdefault(group_key, Group(key=group_key, label=group_key if group_key != UNMAPPED else "unmapped"))
        nodes.append(
            Node(
                name=unit,
                label=label,
                kind="module" if single else "package",
                group=group_key,
                modules=tuple(modules),
                findings=finding_counts.get(unit, 0),
                description=analysis.paths.get(unit) if single else f"{len(modules)} modules",
            )
        )
    edges = _make_edges(sites, hits, set(), set(), keep)
    used = {n for edge in edges for n in (edge.source, edge.target)}
    for name in sorted(n for n in used if n not in inside and not n.startswith(EXTERNAL)):
        modules_outside = analysis.components.unmapped if name == UNMAPPED else analysis.components.modules_of.get(name, ())
        nodes.append(Node(name=name, label="unmapped" if name == UNMAPPED else name, kind="outside", modules=tuple(modules_outside)))
    external_names = sorted(n for n in used if n.startswith(EXTERNAL))
    if external_names:
        groups[EXTERNAL_GROUP] = Group(key=EXTERNAL_GROUP, label="external packages")
        nodes.extend(Node(name=n, label=n[len(EXTERNAL) :], kind="external", group=EXTERNAL_GROUP) for n in external_names)

    inside_edges = [(e.source, e.target) for e in edges if e.sites and e.source in inside and e.target in inside]
    cycles = _cycle_sets(inside, inside_edges)
    marked = _cycle_edges(cycles, inside_edges)
    edges = tuple(replace(e, cycle=True) if (e.source, e.target) in marked else e for e in edges)
    return Picture(
        level="module",
        title=title,
        nodes=tuple(nodes),
        edges=edges,
        groups=tuple(sorted(groups.values(), key=lambda g: (g.key == EXTERNAL_GROUP, g.key))),
        cycles=tuple(cycles),
        notes=tuple(notes),
    )


def _neighbourhood(graph: nx.DiGraph, start: str, depth: int, allowed: Callable[[str], bool]) -> set[str]:
    """Nodes within ``depth`` steps of ``start`` following imports forwards and backwards."""
    seen = {start}
    for neighbours in (graph.successors, graph.predecessors):
        queue: deque[tuple[str, int]] = deque([(start, 0)])
        reached = {start}
        while queue:
            node, distance = queue.popleft()
            if distance == depth:
                continue
            for neighbour in sorted(neighbours(node)):
                if neighbour not in reached and allowed(neighbour):
                    reached.add(neighbour)
                    queue.append((neighbour, distance + 1))
        seen |= reached
    return seen
