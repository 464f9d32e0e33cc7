"""Mermaid flowcharts for Markdown and PR comments."""

from __future__ import annotations

import re
from pathlib import Path

from archguard.render.dot import Colors
from archguard.render.mermaid import to_mermaid
from archguard.render.model import EdgeDelta, apply_delta, component_picture
from tests.helpers import make_project, run_check
from tests.test_render_model import FILES, LAYERED


def _ids(text: str) -> dict[str, str]:
    """Node label (first line) -> Mermaid id."""
    ids = {}
    for node_id, label in re.findall(r'^\s*(n\d+)[\(\[{]+"([^"<]*)', text, re.M):
        ids[label] = node_id
    return ids


def test_flowchart_has_layers_nodes_and_styled_edges(tmp_path: Path) -> None:
    text = to_mermaid(component_picture(run_check(make_project(tmp_path, FILES, LAYERED))))
    assert text.startswith("flowchart TB\n")
    assert re.findall(r'subgraph g\d+\["(layer \d)"\]', text) == ["layer 1", "layer 2", "layer 3"]
    ids = _ids(text)
    assert {"web", "service", "core", "infra", "unmapped"} <= set(ids)
    edges = [line.strip() for line in text.splitlines() if re.match(r"\s*n\d+ (-->|==>|-\.->)", line)]
    styles = re.findall(r"linkStyle (\d+) (\S+)", text)
    assert len(edges) == len(styles)
    by_edge = dict(zip(edges, (style for _index, style in styles), strict=True))
    upward = next(e for e in by_edge if e.startswith(f"{ids['core']} ==>") and e.endswith(ids["web"]))
    assert '"1 import · layering<br/>1 import · whitelist' in upward
    assert f"stroke:{Colors.violation}" in by_edge[upward]
    unused = next(e for e in by_edge if e.startswith(f"{ids['service']} -.->") and e.endswith(ids["infra"]))
    assert "declared, unused" in unused and "stroke-dasharray" in by_edge[unused]
    assert f"style {ids['unmapped']} fill:{Colors.unmapped_fill}" in text


def test_overlay_and_escaping(tmp_path: Path) -> None:
    contract = LAYERED.replace('name = "layering"', 'name = "layers [strict] #1"')
    picture = component_picture(run_check(make_project(tmp_path, FILES, contract)))
    text = to_mermaid(apply_delta(picture, EdgeDelta(added={("web", "service"): 2})))
    assert "layers #91;strict#93; #35;1" in text and "[strict]" not in text
    added = [line for line in text.splitlines() if '"+ 2 imports"' in line]
    assert len(added) == 1 and "==>" in added[0]
    index = [line for line in text.splitlines() if re.match(r"\s*n\d+ (-->|==>|-\.->)", line)].index(added[0])
    assert f"linkStyle {index} stroke:{Colors.added}" in text
