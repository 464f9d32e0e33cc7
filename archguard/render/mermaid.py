"""Mermaid flowcharts of a :class:`~archguard.render.model.Picture`, for Markdown and PR comments.

GitHub renders a fenced ```` ```mermaid ```` block. The same conventions as the Graphviz
drawing: layers (and packages) are subgraphs, allowed edges grey, edges that break a rule
red and labelled with imports and rule, declared-but-unused edges dotted, cycle hops purple,
and in a change overlay added edges green (red if they break a rule), removed ones dotted.
"""

from __future__ import annotations

import re

from archguard.render.dot import Colors, edge_class, edge_label, visible
from archguard.render.model import Node, Picture

_UNSAFE = re.compile(r'["<>#;`{}|\[\]()]')


def _text(value: str) -> str:
    """Mermaid label text: quoted, with characters Mermaid would parse replaced."""
    return _UNSAFE.sub(lambda m: f"#{ord(m.group(0))};", visible(value, keep_newlines=True)).replace("\n", "<br/>")


def _count(modules: int) -> str:
    return f"<br/><small>{modules} module{'s' * (modules != 1)}</small>"


def _node_shape(node: Node, node_id: str) -> str:
    if node.kind == "unmapped":
        return f'{node_id}{{{{"unmapped{_count(len(node.modules))}"}}}}'
    text = _text(node.label)
    if node.kind == "component":
        text += _count(len(node.modules))
    if node.kind == "external":
        return f'{node_id}[("{text}")]'
    return f'{node_id}("{text}")'


STYLES = {
    "allowed": f"stroke:{Colors.allowed},stroke-width:1px",
    "violation": f"stroke:{Colors.violation},stroke-width:2.5px,color:{Colors.violation}",
    "violation-indirect": f"stroke:{Colors.violation},stroke-width:2px,stroke-dasharray:2 3,color:{Colors.violation}",
    "cycle": f"stroke:{Colors.cycle},stroke-width:2.5px,color:{Colors.cycle}",
    "unused": f"stroke:{Colors.unused},stroke-width:1px,stroke-dasharray:5 4",
    "added": f"stroke:{Colors.added},stroke-width:3px,color:{Colors.added}",
    "removed": f"stroke:{Colors.removed},stroke-width:1.5px,stroke-dasharray:5 4,color:{Colors.removed}",
}


def to_mermaid(picture: Picture) -> str:
    """The picture as a Mermaid ``flowchart`` (deterministic text, no fences)."""
    ids = {node.name: f"n{index}" for index, node in enumerate(sorted(picture.nodes, key=lambda n: n.name))}
    lines = ["flowchart TB"]
    lines.append(f"  %% {picture.title}")
    by_group: dict[str | None, list[Node]] = {}
    for node in picture.nodes:
        by_group.setdefault(node.group, []).append(node)
    ordered = sorted(picture.groups, key=lambda g: (g.rank is None, g.rank or 0, g.key))
    for index, group in enumerate(ordered):
        members = by_group.get(group.key, [])
        if not members:
            continue
        label = group.label + (" (independent)" if group.independent else "")
        lines.append(f'  subgraph g{index}["{_text(label)}"]')
        lines.extend(f"    {_node_shape(node, ids[node.name])}" for node in members)
        lines.append("  end")
        lines.append(f"  style g{index} fill:{Colors.layer_fill},stroke:{Colors.layer_border},color:{Colors.muted}")
    lines.extend(f"  {_node_shape(node, ids[node.name])}" for node in by_group.get(None, []))
    link_styles: list[str] = []
    for index, edge in enumerate(picture.edges):
        category = edge_class(edge)
        label = edge_label(edge)
        arrow = (
            "-.->" if category in ("unused", "removed", "violation-indirect") else "==>" if category in ("violation", "added") else "-->"
        )
        text = f'|"{_text(label)}"|' if label else ""
        lines.append(f"  {ids[edge.source]} {arrow}{text} {ids[edge.target]}")
        link_styles.append(f"  linkStyle {index} {STYLES[category]}")
    lines.extend(link_styles)
    for node in picture.nodes:
        if node.kind in ("component", "module", "package", "outside"):
            fill, stroke = (Colors.failing_fill, Colors.violation) if node.findings else (Colors.component_fill, Colors.component_border)
        elif node.kind == "unmapped":
            fill, stroke = Colors.unmapped_fill, Colors.unmapped_border
        else:
            fill, stroke = Colors.external_fill, Colors.allowed
        lines.append(f"  style {ids[node.name]} fill:{fill},stroke:{stroke}")
    return "\n".join(lines) + "\n"
