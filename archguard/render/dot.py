"""Graphviz drawings of a :class:`~archguard.render.model.Picture` (the ``graphviz`` package).

Conventions, also shown in the legend of every drawing:
- components are boxes, grouped in one cluster per layer, top layer on top;
- allowed edges are thin and grey, thicker with more import sites;
- an edge that breaks a rule is red and labelled with its import sites and the rule's name
  (dotted when the dependency is indirect, through other modules);
- an edge that a contract declares but no code uses is dashed and grey;
- an edge on an import cycle is purple (red when a rule also flags it) and marked ``cycle``;
- in a change overlay, added edges are green (red when they break a rule) and removed ones
  dashed with a ``removed`` label;
- unmapped modules are one amber box; external packages sit in their own cluster.

``to_dot`` is pure (it only builds DOT source); ``render`` runs Graphviz's ``dot`` binary.
"""

from __future__ import annotations

import html
import math
import re
import shutil
from itertools import pairwise

import graphviz

from archguard.base.errors import ArchguardError
from archguard.render.model import Edge, Node, Picture

FORMATS = ("svg", "png", "pdf")
FONT = "Helvetica,Arial,sans-serif"
CONCENTRATE_EDGES = 25  # component drawings with more edges bundle them (not change overlays)


def _bundles(picture: Picture) -> bool:
    """Whether the drawing bundles its edges: a dense component picture that shows no change."""
    if picture.level == "module" or len(picture.edges) <= CONCENTRATE_EDGES:
        return False
    return not any(edge.change is not None for edge in picture.edges)


class Colors:
    text = "#202124"
    muted = "#5f6368"
    allowed = "#9aa0a6"
    violation = "#d93025"
    cycle = "#8e24aa"
    added = "#188038"
    removed = "#80868b"
    unused = "#bdc1c6"
    component_fill = "#e8f0fe"
    component_border = "#4a6fa5"
    failing_fill = "#fce8e6"
    module_fill = "#ffffff"
    external_fill = "#f1f3f4"
    unmapped_fill = "#fef7e0"
    unmapped_border = "#e37400"
    layer_fill = "#f8f9fa"
    layer_border = "#dadce0"


class GraphvizMissingError(ArchguardError):
    """Graphviz's ``dot`` binary is not installed (only text formats work without it)."""


def node_id(name: str) -> str:
    """A DOT identifier for a node name: no ':' (graphviz reads it as a port) or dots."""
    return "n_" + re.sub(r"[^A-Za-z0-9_]", "_", name)


def _ids(picture: Picture) -> dict[str, str]:
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for node in sorted(picture.nodes, key=lambda n: n.name):
        base = candidate = node_id(node.name)
        suffix = 1
        while candidate in taken:
            suffix += 1
            candidate = f"{base}_{suffix}"
        taken.add(candidate)
        ids[node.name] = candidate
    return ids


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
_COMMAND_LINE = re.compile(r"(\n\s*)(::|##\[)")


def visible(text: str, *, keep_newlines: bool = False, backslash: str = "\\") -> str:
    """Control characters of a name from the tree or the contract as visible escapes
    (``\\x1b``, ``\\n``; ``backslash`` spells the backslash in the target syntax)."""
    if text.isprintable():
        return text
    if not keep_newlines:
        text = text.replace("\n", f"{backslash}n")
    return _CONTROL.sub(lambda match: f"{backslash}x{ord(match.group()):02x}" if ord(match.group()) < 0x100 else f"{backslash}u{ord(match.group()):04x}", text)


def _plain(text: str) -> str:
    """Text for a plain DOT string: backslashes are escape sequences there, so double them.
    Names from the tree or the contract may hold control characters: they become visible
    escapes, and no line of the string (the DOT may be printed in a CI log) starts a workflow
    command (``::``, ``##[``: a backslash is put before it)."""
    text = text.replace("\\", "\\\\")
    text = visible(text, keep_newlines=True, backslash="\\\\")
    return _COMMAND_LINE.sub(lambda match: f"{match.group(1)}\\\\{match.group(2)}", text)


def _html(text: str) -> str:
    """Text for an HTML-like label: escaped, with every control character (line breaks too:
    such labels break lines with ``<br/>``) shown as a visible escape."""
    return html.escape(visible(text))


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def _node_label(node: Node, level: str) -> str:
    name = _html(node.label)
    if node.kind == "component":
        detail = _plural(len(node.modules), "module")
        if node.findings:
            detail += f" · {_plural(node.findings, 'finding')}"
        return f'<<b>{name}</b><br/><font point-size="9" color="{Colors.muted}">{_html(detail)}</font>>'
    if node.kind == "unmapped":
        shown = list(node.modules[:6])
        more = len(node.modules) - len(shown)
        lines = "".join(f'<br/><font point-size="9">{_html(m)}</font>' for m in shown)
        if more:
            lines += f'<br/><font point-size="9" color="{Colors.muted}">… {more} more</font>'
        count = f'<font point-size="9" color="{Colors.muted}">{_plural(len(node.modules), "module")} in no component</font>'
        return f"<<b>unmapped</b><br/>{count}{lines}>"
    if node.kind == "outside":
        return f'<<b>{name}</b><br/><font point-size="9" color="{Colors.muted}">other component</font>>'
    return f"<{name}>"


def _ruler(graph: graphviz.Digraph, key: str, label: str, css_class: str) -> None:
    """The plain-text label of a layer or group, on the left of its row."""
    graph.node(
        f"ruler_{node_id(key)}", label=label, shape="plaintext", fontsize="10", fontcolor=Colors.muted, id=f"group-{node_id(key)}", **{"class": css_class}
    )


def _node_attrs(node: Node, level: str) -> dict[str, str]:
    tooltip = _plain(node.name if not node.description else f"{node.name}: {node.description}")
    attrs = {"label": _node_label(node, level), "tooltip": tooltip, "id": f"node-{node_id(node.name)}", "class": node.kind}
    if node.kind == "component":
        failing = node.findings > 0
        attrs.update(
            shape="box",
            style="rounded,filled",
            fillcolor=Colors.failing_fill if failing else Colors.component_fill,
            color=Colors.violation if failing else Colors.component_border,
            penwidth="1.5",
            margin="0.15,0.06",
        )
    elif node.kind == "module":
        attrs.update(
            shape="box",
            style="rounded,filled",
            fillcolor=Colors.failing_fill if node.findings else Colors.module_fill,
            color=Colors.violation if node.findings else Colors.component_border,
            fontsize="10",
            height="0.3",
            margin="0.08,0.03",
        )
        if node.label.endswith("◆"):
            attrs.update(penwidth="2.5", fillcolor=Colors.component_fill)
    elif node.kind == "package":
        attrs.update(
            shape="tab",
            style="filled",
            fillcolor=Colors.failing_fill if node.findings else Colors.component_fill,
            color=Colors.violation if node.findings else Colors.component_border,
            fontsize="10",
            height="0.3",
            margin="0.08,0.03",
        )
    elif node.kind == "outside":
        attrs.update(
            shape="box", style="rounded,filled,bold", fillcolor=Colors.component_fill, color=Colors.component_border, fontsize="11"
        )
    elif node.kind == "unmapped":
        attrs.update(shape="box", style="filled,dashed", fillcolor=Colors.unmapped_fill, color=Colors.unmapped_border, penwidth="1.5")
    else:
        attrs.update(
            shape="box", style="filled", fillcolor=Colors.external_fill, color=Colors.allowed, fontsize="10", fontcolor=Colors.muted
        )
    return attrs


def edge_class(edge: Edge) -> str:
    """The edge's category, one of the legend's entries (also its SVG class)."""
    if edge.change == "removed":
        return "removed"
    if edge.violation:
        return "violation-indirect" if edge.indirect_only else "violation"
    if edge.change == "added":
        return "added"
    if edge.cycle:
        return "cycle"
    if edge.unused:
        return "unused"
    return "allowed"


def edge_label(edge: Edge) -> str:
    """The text on an edge: only edges that need attention are labelled."""
    lines = []
    if edge.change == "removed":
        lines.append(f"removed ({_plural(edge.change_sites, 'import')})" if edge.change_sites else "removed")
    elif edge.change == "added":
        lines.append(f"+ {_plural(edge.change_sites, 'import')}" if edge.change_sites else "added")
    for hit in edge.violations:
        what = _plural(hit.count, "chain" if hit.kind == "indirect" else "import")
        lines.append(f"{what} · {hit.rule_name}")
    for hit in edge.hits:
        if hit.kind == "cycle":
            lines.append(f"cycle · {hit.rule_name}")
    if edge.unused:
        lines.append("declared, unused")
    return "\n".join(lines)


def _width(sites: int) -> float:
    return round(0.8 + 0.5 * math.log2(1 + sites), 2) if sites else 1.0


def _edge_attrs(edge: Edge, ranks: dict[str, int]) -> dict[str, str]:
    category = edge_class(edge)
    label = edge_label(edge)
    tooltip = f"{edge.source} -> {edge.target}: {_plural(edge.sites, 'import')}"
    if edge.hits:
        tooltip += "; flagged by " + ", ".join(sorted({h.rule_name for h in edge.hits}))
    if edge.cycle:
        tooltip += "; on an import cycle"
    tooltip = _plain(tooltip)
    attrs: dict[str, str] = {"class": category, "tooltip": tooltip, "edgetooltip": tooltip}
    color = {
        "allowed": Colors.allowed,
        "violation": Colors.violation,
        "violation-indirect": Colors.violation,
        "cycle": Colors.cycle,
        "unused": Colors.unused,
        "added": Colors.added,
        "removed": Colors.removed,
    }[category]
    attrs.update(color=color, fontcolor=color, penwidth=str(_width(edge.sites)), arrowsize="0.7")
    if category in ("violation", "violation-indirect"):
        attrs["penwidth"] = str(max(2.0, _width(edge.sites)))
        if edge.cycle:
            attrs["color"] = f"{Colors.violation}:{Colors.cycle}"
    if category == "violation-indirect":
        attrs["style"] = "dotted"
    elif category in ("unused", "removed"):
        attrs["style"] = "dashed"
    if category == "removed":
        attrs["arrowhead"] = "tee"
    if edge.change == "added":
        attrs["penwidth"] = "3"
    if category == "cycle":
        attrs["penwidth"] = str(max(2.0, _width(edge.sites)))
    if label:
        attrs["label"] = _plain(label)
        attrs["fontsize"] = "9"
    if category in ("removed", "violation-indirect"):
        attrs["constraint"] = "false"
    return attrs


def _written_backwards(edge: Edge, ranks: dict[str, int], pairs: set[tuple[str, str]]) -> bool:
    """Whether the edge is written target -> source in DOT and drawn with ``dir=back``.

    An upward edge (a layer violation) is written top-down, so that it follows the layers
    instead of dragging them out of order or looping around the drawing. Of two edges
    between the same nodes in opposite directions, one is written the other's way round, so
    that Graphviz lays them out as a pair and their labels do not land on each other.
    """
    source_rank, target_rank = ranks.get(edge.source), ranks.get(edge.target)
    if source_rank is not None and target_rank is not None and source_rank != target_rank:
        return source_rank > target_rank
    return (edge.target, edge.source) in pairs and edge.source > edge.target


LEGEND_ROWS = (
    ("allowed", Colors.allowed, "━━━", "dependency (thicker: more imports)"),
    ("violation", Colors.violation, "━━━", "breaks a rule: imports · rule"),
    ("violation-indirect", Colors.violation, "┈┈┈", "breaks a rule through other modules"),
    ("cycle", Colors.cycle, "━━━", "on an import cycle"),
    ("unused", Colors.unused, "╌╌╌", "declared in the contract, unused"),
    ("added", Colors.added, "━━━", "added by the change"),
    ("removed", Colors.removed, "╌╌┤", "removed by the change"),
)


def _legend_label(picture: Picture) -> str:
    present = {edge_class(edge) for edge in picture.edges}
    rows = []
    for category, color, glyph, text in LEGEND_ROWS:
        if category in ("added", "removed") and category not in present:
            continue
        rows.append(
            f'<tr><td align="left"><font color="{color}">{glyph}</font></td>'
            f'<td align="left"><font point-size="9">{_html(text)}</font></td></tr>'
        )
    boxes = [
        (
            '<font color="#4a6fa5">▢</font>',
            "component (red: has findings)" if picture.level == "component" else "module (red: has findings)",
        )
    ]
    if any(n.kind == "unmapped" for n in picture.nodes) or any(n.name == "(unmapped)" for n in picture.nodes):
        boxes.append((f'<font color="{Colors.unmapped_border}">▢</font>', "modules in no component"))
    if any(n.kind == "external" for n in picture.nodes):
        boxes.append((f'<font color="{Colors.muted}">▢</font>', "external package"))
    for glyph, text in boxes:
        rows.append(f'<tr><td align="left">{glyph}</td><td align="left"><font point-size="9">{_html(text)}</font></td></tr>')
    title = "legend"
    return (
        f'<<table border="0" cellborder="0" cellspacing="1" cellpadding="1">'
        f'<tr><td colspan="2" align="left"><font point-size="9" color="{Colors.muted}"><b>{title}</b></font></td></tr>'
        + "".join(rows)
        + "</table>>"
    )


def _graph_label(picture: Picture) -> str:
    lines = []
    if picture.layer_rule:
        lines.append(f"layers from rule “{picture.layer_rule}”, top layer first")
    lines.extend(picture.notes)
    small = "".join(f'<br/><font point-size="10" color="{Colors.muted}">{_html(line)}</font>' for line in lines)
    return f"<<b>{_html(picture.title)}</b>{small}>"


def _add_nodes(dot: graphviz.Digraph, picture: Picture, ids: dict[str, str]) -> None:
    by_group: dict[str | None, list[Node]] = {}
    destinations: list[Node] = []
    for node in picture.nodes:
        if picture.level == "module" and node.kind in ("outside", "external"):
            destinations.append(node)
        else:
            by_group.setdefault(node.group, []).append(node)
    if destinations:
        # Where a drill-down's edges go, in one row at the bottom: edges into it all run
        # downwards, never flat, so their labels get a place of their own. ("rank=sink"
        # alone does not hold against clusters: invisible edges from the modules that
        # import nothing else in the drawing keep the row below them.)
        with dot.subgraph(name="destinations") as row:
            row.attr(rank="same")
            for node in destinations:
                row.node(ids[node.name], **_node_attrs(node, picture.level))
        importing = {edge.source for edge in picture.edges}
        for node in picture.nodes:
            if node.kind in ("module", "package") and node.name not in importing:
                dot.edge(ids[node.name], ids[destinations[0].name], style="invis", weight="0")
    ranked = sorted((g for g in picture.groups if g.rank is not None and by_group.get(g.key)), key=lambda g: g.rank or 0)
    for group in ranked:
        # A layer is one rank, labelled by a ruler on the left rather than boxed in a
        # cluster: edges may then pass between the layer's components instead of detouring
        # around a box, which keeps dense graphs narrow.
        with dot.subgraph(name=f"layer_{node_id(group.key)}") as layer:
            layer.attr(rank="same")
            label = group.label + ("\n(independent)" if group.independent else "")
            _ruler(layer, group.key, label, "layer")
            for node in by_group[group.key]:
                layer.node(ids[node.name], **_node_attrs(node, picture.level))
    for upper, lower in pairwise(ranked):
        dot.edge(f"ruler_{node_id(upper.key)}", f"ruler_{node_id(lower.key)}", style="invis", weight="10")
    for group in picture.groups:
        members = by_group.get(group.key, [])
        if not members or group.rank is not None:
            continue
        if picture.level == "component":
            # No clusters at component level (see "concentrate"): a row at the bottom.
            with dot.subgraph(name=f"row_{node_id(group.key)}") as row:
                row.attr(rank="sink")
                _ruler(row, group.key, group.label, "group")
                for node in members:
                    row.node(ids[node.name], **_node_attrs(node, picture.level))
            continue
        with dot.subgraph(name=f"cluster_{node_id(group.key)}") as cluster:
            cluster.attr(
                label=group.label,
                labeljust="l",
                fontsize="10",
                fontcolor=Colors.muted,
                style="rounded,filled",
                fillcolor=Colors.layer_fill if group.key != "external" else "white",
                color=Colors.layer_border,
                id=f"group-{node_id(group.key)}",
            )
            for node in members:
                cluster.node(ids[node.name], **_node_attrs(node, picture.level))
    for node in by_group.get(None, []):
        dot.node(ids[node.name], **_node_attrs(node, picture.level))


def _add_edges(dot: graphviz.Digraph, picture: Picture, ids: dict[str, str], ranks: dict[str, int]) -> None:
    by_pair = {(edge.source, edge.target): edge for edge in picture.edges}
    for edge in picture.edges:
        attrs = _edge_attrs(edge, ranks)
        attrs["id"] = f"edge-{ids[edge.source]}-{ids[edge.target]}"
        reverse = by_pair.get((edge.target, edge.source))
        flat = edge.source in ranks and ranks.get(edge.source) == ranks.get(edge.target)
        if reverse is not None and flat and "label" in attrs and edge_label(reverse):
            # Graphviz puts the labels of two flat edges between the same nodes on top of
            # each other: draw such a pair as one two-headed edge that names both directions.
            if edge.source > edge.target:
                continue
            back = _edge_attrs(reverse, ranks)
            attrs.update(
                dir="both",
                label=f"{edge.source} → {edge.target}: "
                + attrs["label"].replace("\n", "; ")
                + f"\n{reverse.source} → {reverse.target}: "
                + back["label"].replace("\n", "; "),
                color=attrs["color"] if attrs["color"] == back["color"] else f"{attrs['color']}:{back['color']}",
                tooltip=attrs["tooltip"] + "\n" + back["tooltip"],
                edgetooltip=attrs["tooltip"] + "\n" + back["tooltip"],
                penwidth=str(max(float(attrs["penwidth"]), float(back["penwidth"]))),
                **{"class": f"{attrs['class']} {back['class']}"},
            )
            dot.edge(ids[edge.source], ids[edge.target], **attrs)
        elif _written_backwards(edge, ranks, set(by_pair)):
            if "arrowhead" in attrs:  # drawn backwards: the arrow sits at the DOT tail
                attrs["arrowtail"] = attrs.pop("arrowhead")
            dot.edge(ids[edge.target], ids[edge.source], dir="back", **attrs)
        else:
            dot.edge(ids[edge.source], ids[edge.target], **attrs)


def to_dot(picture: Picture, *, legend: bool = True) -> graphviz.Digraph:
    """The DOT graph of a picture (deterministic: same picture, same source)."""
    ids = _ids(picture)
    module_level = picture.level == "module"
    dot = graphviz.Digraph(
        "archguard",
        graph_attr={
            "label": _graph_label(picture),
            "labelloc": "t",
            "fontname": FONT,
            "fontsize": "14",
            "fontcolor": Colors.text,
            "rankdir": "TB",
            "newrank": "true",
            "compound": "true",
            "splines": "spline",
            "nodesep": "0.25" if module_level else "0.45",
            "ranksep": "0.9" if module_level else "0.75",
            "pad": "0.3",
            # Bundling edges keeps dense component graphs legible (small ones read better
            # with every edge apart); dot 2.x can crash on it with clusters, so module
            # drawings (clustered by package) go without. A change overlay never bundles: a
            # bundled edge hides which way the change's new dependency points.
            "concentrate": "true" if _bundles(picture) else "false",
            "outputorder": "edgesfirst",
            "bgcolor": "white",
            "id": "archguard-graph",
        },
        node_attr={"fontname": FONT, "fontsize": "12", "fontcolor": Colors.text},
        edge_attr={"fontname": FONT, "fontsize": "9"},
    )
    ranks = {
        node.name: group.rank for group in picture.groups for node in picture.nodes if node.group == group.key and group.rank is not None
    }
    _add_nodes(dot, picture, ids)
    _add_edges(dot, picture, ids, ranks)
    if legend and picture.nodes:
        with dot.subgraph(name="legend") as box:
            box.attr(rank="sink")
            box.node(
                "legend", label=_legend_label(picture), shape="box", style="rounded", color=Colors.layer_border, id="legend", margin="0.1"
            )
    return dot


def render(dot: graphviz.Digraph, fmt: str) -> bytes:
    """Run ``dot`` on the graph: SVG, PNG or PDF bytes."""
    if fmt not in FORMATS:
        raise ArchguardError(f"cannot render {fmt!r} with graphviz; expected one of: {', '.join(FORMATS)}")
    if shutil.which("dot") is None:
        raise GraphvizMissingError(
            "Graphviz's `dot` binary is not installed, so svg/png/pdf cannot be rendered: install it "
            "(`apt-get install graphviz`, `brew install graphviz`), or use --format dot or --format mermaid"
        )
    try:
        data: bytes = dot.pipe(format=fmt)
    except graphviz.ExecutableNotFound as error:
        raise GraphvizMissingError(f"Graphviz's `dot` binary could not be run: {error}") from None
    except graphviz.CalledProcessError as error:
        stderr = error.stderr.decode("utf-8", "replace") if isinstance(error.stderr, bytes) else str(error.stderr)
        raise ArchguardError(f"Graphviz failed to lay out the graph: {stderr.strip()}") from None
    return data
