"""Reading a Graphviz layout back (``dot -Tjson``) to check that a drawing reads well.

Used by the tests and by ``benchmarks/django_pictures.py``: every edge label and every node
is a box; two boxes that overlap are a defect a reader would see.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import graphviz

POINTS_PER_INCH = 72.0


@dataclass(frozen=True)
class Box:
    what: str
    left: float
    bottom: float
    right: float
    top: float

    def overlaps(self, other: Box, tolerance: float = 1.0) -> bool:
        return (
            self.left + tolerance < other.right
            and other.left + tolerance < self.right
            and self.bottom + tolerance < other.top
            and other.bottom + tolerance < self.top
        )


def _text_boxes(ops: list[dict[str, Any]], what: str) -> list[Box]:
    boxes = []
    size = 14.0
    for op in ops:
        if op.get("op") == "F":
            size = float(op["size"])
        elif op.get("op") == "T":
            x, y = op["pt"]
            width = float(op["width"])
            left = {"l": x, "r": x - width}.get(op.get("align", "c"), x - width / 2)
            boxes.append(Box(f"{what}: {op['text']!r}", left, y - 0.25 * size, left + width, y + 0.85 * size))
    return boxes


def layout_boxes(dot: graphviz.Digraph) -> tuple[list[Box], list[Box]]:
    """(node boxes, edge label text boxes) of the laid-out graph."""
    data = json.loads(dot.pipe(format="json"))
    nodes = []
    for obj in data.get("objects", []):
        if "nodes" in obj or "pos" not in obj or obj.get("style") == "invis":
            continue
        x, y = (float(v) for v in obj["pos"].split(","))
        half_width = float(obj["width"]) * POINTS_PER_INCH / 2
        half_height = float(obj["height"]) * POINTS_PER_INCH / 2
        nodes.append(Box(f"node {obj['name']}", x - half_width, y - half_height, x + half_width, y + half_height))
    labels = []
    for edge in data.get("edges", []):
        if edge.get("_ldraw_") and edge.get("style") != "invis":
            labels.extend(_text_boxes(edge["_ldraw_"], f"edge #{edge['_gvid']} {edge['tail']}->{edge['head']}"))
    return nodes, labels


def overlapping_labels(dot: graphviz.Digraph) -> list[tuple[str, str]]:
    """Pairs of (edge label, edge label or node) that overlap in the layout."""
    nodes, labels = layout_boxes(dot)
    problems = []
    for index, label in enumerate(labels):
        for other in labels[index + 1 :]:
            if label.overlaps(other) and label.what.split(":")[0] != other.what.split(":")[0]:
                problems.append((label.what, other.what))
        for node in nodes:
            if label.overlaps(node):
                problems.append((label.what, node.what))
    return problems
