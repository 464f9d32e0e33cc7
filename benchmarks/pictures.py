"""Render the review pictures and measure how they read (not run by the tests).

    python benchmarks/pictures.py [--django /path/to/django-5.2/]

Writes PNG/SVG drawings to benchmarks/work/pictures/ (for a person to look at) and
benchmarks/results/pictures.json: per drawing the nodes and edges drawn, the edges left out
as implied, the overlapping labels found in Graphviz's layout (tests/layout.py), and the
median `dot` layout time over 3 runs. Django's contract puts each top-level subpackage of
`django` in its own component, layered from contrib down to utils.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from archguard.contract.loading import load_contract  # noqa: E402
from archguard.engine.pipeline import RunOptions, check  # noqa: E402
from archguard.render.dot import render, to_dot  # noqa: E402
from archguard.render.model import (  # noqa: E402
    Picture,
    apply_delta,
    component_picture,
    module_picture,
    picture_delta,
    readable,
)
from tests.layout import overlapping_labels  # noqa: E402

WORK = REPO / "benchmarks" / "work" / "pictures"

DJANGO_PACKAGES = [
    "apps", "conf", "contrib", "core", "db", "dispatch", "forms", "http", "middleware",
    "template", "templatetags", "test", "urls", "utils", "views",
]  # fmt: skip
DJANGO_LAYERS = [
    "contrib", "test", "root | views | middleware", "forms | templatetags | template", "urls",
    "http", "db", "core", "apps", "conf", "dispatch | utils",
]  # fmt: skip


def django_contract(django_root: Path, directory: Path) -> Path:
    components = "\n".join(f'{name} = {{ modules = ["django.{name}"] }}' for name in DJANGO_PACKAGES)
    layers = ", ".join(f'"{layer}"' for layer in DJANGO_LAYERS)
    text = f"""
[project]
root = "{django_root}"
roots = ["."]
packages = ["django"]
exclude = ["**/conf/app_template/**", "**/conf/project_template/**"]

[components]
root = {{ modules = ["django:*", "django.shortcuts", "django.__main__"] }}
{components}

[[rules]]
kind = "layers"
name = "django layering"
layers = [{layers}]
allow_indirect = true

[[rules]]
kind = "acyclic"
scope = "components"
"""
    path = directory / "archguard.toml"
    path.write_text(text, encoding="utf-8")
    return path


def measure(name: str, picture: Picture) -> dict[str, object]:
    drawn = readable(picture)
    graph = to_dot(drawn)
    times = []
    for _ in range(3):
        started = time.perf_counter()
        svg = render(graph, "svg")
        times.append(time.perf_counter() - started)
    (WORK / f"{name}.svg").write_bytes(svg)
    (WORK / f"{name}.png").write_bytes(render(graph, "png"))
    (WORK / f"{name}.dot").write_text(graph.source, encoding="utf-8")
    overlaps = overlapping_labels(graph)
    return {
        "picture": name,
        "nodes": len(drawn.nodes),
        "edges_drawn": len(drawn.edges),
        "edges_total": len(picture.edges),
        "violating_edges": sum(1 for e in drawn.edges if e.violation),
        "overlapping_labels": len(overlaps),
        "overlaps": [list(pair) for pair in overlaps],
        "dot_svg_seconds_median": round(statistics.median(times), 3),
        "notes": list(drawn.notes),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--django", type=Path, help="Django's source tree (the folder holding the django package)")
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    options = RunOptions(jobs=2, cache_dir=REPO / "benchmarks" / "work" / "cache")
    results = []
    base = check(load_contract(REPO / "examples" / "shop" / "archguard.toml"), options)
    head = check(load_contract(REPO / "examples" / "shop-agent-change" / "archguard.toml"), options)
    base_picture, head_picture = component_picture(base), component_picture(head)
    results.append(measure("shop-components", head_picture))
    results.append(measure("shop-api-modules", module_picture(head, component="api")))
    results.append(measure("shop-focus-views", module_picture(head, focus="shop.api.views", depth=2)))
    results.append(measure("shop-overlay-agent-change", apply_delta(head_picture, picture_delta(base_picture, head_picture))))
    results.append(measure("shop-overlay-revert", apply_delta(base_picture, picture_delta(head_picture, base_picture))))
    own = check(load_contract(REPO / "contracts" / "archguard.toml"), options)
    results.append(measure("archguard-components", component_picture(own)))
    if args.django:
        with tempfile.TemporaryDirectory() as directory:
            started = time.perf_counter()
            django = check(load_contract(django_contract(args.django.resolve(), Path(directory))), options)
            print(f"django checked in {time.perf_counter() - started:.1f} s ({len(django.findings)} findings)", file=sys.stderr)
            results.append(measure("django-components", component_picture(django)))
            results.append(measure("django-db-modules", module_picture(django, component="db")))
            results.append(measure("django-db-models-modules", module_picture(django, package="django.db.models")))
    out = REPO / "benchmarks" / "results" / "pictures.json"
    out.write_text(json.dumps({"dot": "graphviz 2.43", "pictures": results}, indent=2) + "\n", encoding="utf-8")
    for row in results:
        print(
            f"{row['picture']:28} nodes {row['nodes']:4} edges {row['edges_drawn']:4}/{row['edges_total']:<4} "
            f"overlaps {row['overlapping_labels']}  dot {row['dot_svg_seconds_median']} s"
        )


if __name__ == "__main__":
    main()
