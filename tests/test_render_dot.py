"""Graphviz drawings: the DOT source, and real SVG from the real ``dot`` binary."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from archguard.render.dot import Colors, GraphvizMissingError, edge_label, node_id, render, to_dot
from archguard.render.model import EdgeDelta, apply_delta, component_picture, module_picture, readable
from tests.helpers import REPO, make_project, run_check
from tests.layout import overlapping_labels
from tests.test_render_model import FILES, LAYERED

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture
def layered(tmp_path: Path):  # type: ignore[no-untyped-def]
    return run_check(make_project(tmp_path, FILES, LAYERED))


def _edge_line(source: str, name_a: str, name_b: str) -> str:
    """The DOT statement of the picture edge ``name_a -> name_b`` (however it is written)."""
    marker = f'id="edge-{node_id(name_a)}-{node_id(name_b)}"'
    statements = [s for s in re.split(r"\n(?=\t)", source) if marker in s]
    assert len(statements) == 1, (marker, statements)
    return statements[0]


def test_dot_source_has_a_node_per_component_and_a_rank_per_layer(layered) -> None:  # type: ignore[no-untyped-def]
    source = to_dot(component_picture(layered)).source
    for name in ("web", "service", "core", "infra", "(unmapped)"):
        assert re.search(rf"^\s*{node_id(name)} \[", source, re.M), name
    layers = re.findall(r"subgraph (layer_n_layer\d) \{\s*rank=same\s*ruler_\w+ \[label=\"(layer \d)\"", source)
    assert layers == [("layer_n_layer1", "layer 1"), ("layer_n_layer2", "layer 2"), ("layer_n_layer3", "layer 3")]
    # the layers are chained top to bottom by invisible edges
    assert "ruler_n_layer1 -> ruler_n_layer2 [style=invis" in source
    assert "ruler_n_layer2 -> ruler_n_layer3 [style=invis" in source


def test_edge_colours_and_labels(layered) -> None:  # type: ignore[no-untyped-def]
    source = to_dot(component_picture(layered)).source
    upward = _edge_line(source, "core", "web")  # written top-down (web -> core), drawn backwards
    assert upward.lstrip().startswith("n_web -> n_core") and "dir=back" in upward and Colors.violation in upward
    assert 'label="1 import · layering' in upward and "1 import · whitelist" in upward
    allowed = _edge_line(source, "(unmapped)", "core")
    assert f'color="{Colors.allowed}"' in allowed and "label=" not in allowed and "class=allowed" in allowed
    unused = _edge_line(source, "service", "infra")
    assert "style=dashed" in unused and 'label="declared, unused"' in unused
    unmapped = re.search(r"^\s*n__unmapped_ \[(.*)$", source, re.M)
    assert unmapped and "dashed" in unmapped.group(1) and Colors.unmapped_border in unmapped.group(1)
    assert "legend [label=<<table" in source


def test_dot_source_is_deterministic(layered) -> None:  # type: ignore[no-untyped-def]
    assert to_dot(component_picture(layered)).source == to_dot(component_picture(layered)).source


def test_diff_overlay_colours_added_and_removed_edges(layered) -> None:  # type: ignore[no-untyped-def]
    delta = EdgeDelta(added={("web", "service"): 2, ("core", "web"): 1}, removed={("web", "infra"): 4})
    source = to_dot(apply_delta(component_picture(layered), delta)).source
    added = _edge_line(source, "web", "service")
    assert f'color="{Colors.added}"' in added and 'label="+ 2 imports"' in added and "class=added" in added
    added_violation = _edge_line(source, "core", "web")
    assert f'color="{Colors.violation}' in added_violation and "+ 1 import" in added_violation and "penwidth=3" in added_violation
    removed = _edge_line(source, "web", "infra")
    assert "style=dashed" in removed and "arrowhead=tee" in removed and 'label="removed (4 imports)"' in removed
    assert "added by the change" in source and "removed by the change" in source  # legend rows appear


def _svg(picture) -> ET.Element:  # type: ignore[no-untyped-def]
    return ET.fromstring(render(to_dot(picture), "svg"))


def _groups(root: ET.Element, css_class: str) -> list[ET.Element]:
    return [g for g in root.iter(f"{SVG}g") if css_class in (g.get("class") or "").split()]


def _centre_y(group: ET.Element) -> float:
    shape = next(group.iter(f"{SVG}path"), None)
    if shape is None:
        shape = next(group.iter(f"{SVG}polygon"), None)
    assert shape is not None
    numbers = [float(n) for n in re.findall(r"-?\d+\.?\d*", shape.get("d") or shape.get("points") or "")]
    ys = numbers[1::2]
    return sum(ys) / len(ys)


@pytest.mark.needs("dot")
def test_real_dot_svg_has_components_edges_and_layers_top_down(layered) -> None:  # type: ignore[no-untyped-def]
    root = _svg(component_picture(layered))
    nodes = {g.get("id"): g for g in _groups(root, "node")}
    components = {g.get("id") for g in _groups(root, "component")}
    assert components == {f"node-{node_id(n)}" for n in ("web", "service", "core", "infra")}
    assert f"node-{node_id('(unmapped)')}" in {g.get("id") for g in _groups(root, "unmapped")}
    y = {name: _centre_y(nodes[f"node-{node_id(name)}"]) for name in ("web", "service", "core")}
    assert y["web"] < y["service"] < y["core"]  # SVG y grows downwards: top layer on top
    violations = _groups(root, "violation")
    assert violations, "no violation edge in the SVG"
    texts = ["".join(t.itertext()) for g in violations for t in g.iter(f"{SVG}text")]
    assert "1 import · layering" in texts
    strokes = {p.get("stroke") for g in violations for p in g.iter(f"{SVG}path")}
    assert Colors.violation in strokes
    assert _groups(root, "unused") and _groups(root, "allowed")
    assert root.find(f".//{SVG}g[@id='legend']") is not None


@pytest.mark.needs("dot")
@pytest.mark.parametrize("fmt,magic", [("png", b"\x89PNG"), ("pdf", b"%PDF")])
def test_binary_formats(layered, fmt: str, magic: bytes) -> None:  # type: ignore[no-untyped-def]
    assert render(to_dot(component_picture(layered)), fmt).startswith(magic)


def test_missing_dot_binary_is_a_clear_error(layered, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PATH", str(tmp_path))
    assert shutil.which("dot") is None
    with pytest.raises(GraphvizMissingError, match="--format dot or --format mermaid"):
        render(to_dot(component_picture(layered)), "svg")


@pytest.mark.needs("dot")
def test_module_drill_down_clusters_modules_by_package(layered) -> None:  # type: ignore[no-untyped-def]
    source = to_dot(module_picture(layered, component="service")).source
    assert re.search(r"subgraph cluster_n_app_service \{[^}]*n_app_service_orders", source, re.S)
    root = _svg(module_picture(layered, component="service"))
    assert len(_groups(root, "module")) == 3 and len(_groups(root, "outside")) == 1


def _dense_project(root: Path, size: int = 14):  # type: ignore[no-untyped-def]
    """A layered codebase where every component imports every other, both ways."""
    files: dict[str, str | bytes] = {"app/__init__.py": ""}
    for i in range(size):
        files[f"app/c{i}/__init__.py"] = "".join(f"import app.c{j}\n" for j in range(size) if j != i and (j > i or (i + j) % 3 == 0))
    components = "\n".join(f'c{i} = {{ modules = ["app.c{i}"] }}' for i in range(size))
    layers = ", ".join(f'"c{i}"' for i in range(size))
    contract = (
        f'[project]\npackages = ["app"]\n[components]\nroot = {{ modules = ["app:*"] }}\n{components}\n'
        f'[[rules]]\nkind = "layers"\nname = "stack"\nlayers = [{layers}]\nallow_indirect = true\n'
    )
    return run_check(make_project(root, files, contract))


@pytest.mark.needs("dot")
def test_dense_component_graph_keeps_labels_apart(tmp_path: Path) -> None:
    result = _dense_project(tmp_path)
    picture = readable(component_picture(result))
    assert picture.notes and "follow from them" in picture.notes[0]
    assert sum(1 for e in picture.edges if e.violation) > 20
    assert overlapping_labels(to_dot(picture)) == []


@pytest.mark.needs("dot")
def test_example_drawings_keep_labels_apart() -> None:
    result = run_check(REPO / "examples" / "shop-agent-change")
    for picture in (
        component_picture(result),
        module_picture(result, component="api"),
        module_picture(result, focus="shop.api.views", depth=2),
    ):
        assert overlapping_labels(to_dot(readable(picture))) == [], picture.title


@pytest.mark.needs("dot")
def test_layout_reader_sees_every_label_and_catches_overlaps(layered) -> None:  # type: ignore[no-untyped-def]
    from tests.layout import Box, layout_boxes

    picture = component_picture(layered)
    nodes, labels = layout_boxes(to_dot(picture))
    label_lines = sum(len(edge_label(e).splitlines()) for e in picture.edges)
    assert label_lines > 0 and len(labels) == label_lines  # the overlap check is not vacuous
    assert len(nodes) >= len(picture.nodes)
    assert Box("a", 0, 0, 10, 10).overlaps(Box("b", 5, 5, 15, 15))
    assert not Box("a", 0, 0, 10, 10).overlaps(Box("b", 10, 0, 20, 10))


@pytest.mark.needs("dot")
def test_rule_names_with_dot_escapes_are_drawn_literally(tmp_path: Path) -> None:
    contract = LAYERED.replace('name = "layering"', 'name = "a \\"quoted\\" \\\\n rule <b> \\\\l end\\\\"')
    picture = component_picture(run_check(make_project(tmp_path, FILES, contract)))
    root = _svg(picture)
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert '1 import · a "quoted" \\n rule <b> \\l end\\' in texts


def test_a_dense_drawing_bundles_its_edges_but_a_change_overlay_draws_each_new_edge_apart() -> None:
    from archguard.render.model import Edge, Node, Picture

    names = [f"c{index}" for index in range(8)]
    nodes = tuple(Node(name, name, "component") for name in names)
    edges = tuple(Edge(a, b, 1) for a in names for b in names if a < b)  # 28 edges
    dense = Picture("component", "dense", nodes, edges)
    assert 'concentrate=true' in to_dot(dense).source
    overlay = apply_delta(dense, EdgeDelta(added={("c7", "c0"): 2}))
    source = to_dot(overlay).source
    assert "concentrate=false" in source
    assert "+ 2 imports" in _edge_line(source, "c7", "c0")
