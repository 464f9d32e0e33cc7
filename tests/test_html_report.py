"""The self-contained HTML report, as a library function."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from archguard.render.html import CloneGroup, CloneLocation, Reflexion, component_coupling, render_html
from archguard.report import presented as present
from tests.helpers import REPO, make_project, run_check
from tests.test_render_model import FILES, LAYERED


class Collector(HTMLParser):
    """Tags with their attributes, and the text of every table row."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.rows: list[dict[str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag == "tr" and ("class", "finding") in attrs:
            self.rows.append(dict(attrs))


def parse(page: str) -> Collector:
    collector = Collector()
    collector.feed(page)
    return collector


@pytest.fixture(scope="module")
def example():  # type: ignore[no-untyped-def]
    return run_check(REPO / "examples" / "shop-agent-change")


@pytest.mark.needs("dot")
def test_page_has_graph_rules_findings_and_metrics(example) -> None:  # type: ignore[no-untyped-def]
    page = render_html(example)
    ids = {attrs.get("id") for _tag, attrs in parse(page).tags}
    assert {"graph", "rules", "findings", "metrics", "findings-table", "filter-rule", "filter-component", "archguard-graph"} <= ids
    assert "reflexion" not in ids and "clones" not in ids  # no data, no section
    rows = parse(page).rows
    # one row per clone group (the two copies of the duplicated helper are one finding), as `check` lists them
    assert len(rows) == len(present(example).findings) == len(example.findings) - 1 == 8
    assert {r["data-rule"] for r in rows} == {"Clean layering", "Service boundaries", "allowed#3", "Pure domain", "acyclic#5", "unmapped", "duplication"}
    assert {r["data-component"] for r in rows} == {"api", "domain", "(unmapped)"}


def test_page_is_self_contained(example) -> None:  # type: ignore[no-untyped-def]
    page = render_html(example)
    for tag, attrs in parse(page).tags:
        for name in ("src", "href", "xlink:href"):
            value = attrs.get(name)
            assert value is None or value.startswith("#"), (tag, name, value)
    assert "<link" not in page and "@import" not in page and "url(" not in page
    assert "default-src 'none'" in page  # the browser may fetch nothing


def test_page_is_deterministic(example) -> None:  # type: ignore[no-untyped-def]
    assert render_html(example) == render_html(example)


def test_rule_verdicts(example) -> None:  # type: ignore[no-untyped-def]
    page = render_html(example)
    verdicts = dict(re.findall(r'<tr data-rule="([^"]+)"><td><span class="badge \w+">(\w+)</span>', page))
    assert verdicts["Clean layering"] == "broken" and verdicts["parse-error"] == "kept" and verdicts["discovery"] == "kept"


def test_coupling_metrics_are_computed_from_the_graph(tmp_path: Path) -> None:
    result = run_check(make_project(tmp_path, FILES, LAYERED))
    metrics = {m.component: m for m in component_coupling(result)}
    # web -> service (2 sites); service -> core (2); core -> web (1); and (unmapped) -> core (1),
    # which is no component: it counts neither in core's fan-in nor as a row (as in `archguard report`)
    assert (metrics["web"].fan_in, metrics["web"].fan_out, metrics["web"].imports_out) == (1, 1, 2)
    assert (metrics["core"].fan_in, metrics["core"].fan_out, metrics["core"].imports_in) == (1, 1, 2)
    assert metrics["core"].instability == pytest.approx(1 / 2)
    assert metrics["infra"].instability is None and metrics["infra"].modules == 2
    assert "(unmapped)" not in metrics
    page = render_html(result)
    assert re.search(
        r'<tr data-component="core"><td><b>core</b></td><td class="num">2</td><td class="num">1</td><td class="num">1</td>', page
    )
    assert 'data-component="(unmapped)"><td><b>' not in page


def test_optional_sections_render_their_data(example) -> None:  # type: ignore[no-untyped-def]
    clones = [
        CloneGroup(
            locations=(
                CloneLocation(
                    "src/shop/api/views.py", 20, 21, "def format_price(cents):\n    return f'{cents / 100:.2f} EUR'", "api", "format_price"
                ),
                CloneLocation("src/shop/domain/pricing.py", 8, 9, "def fmt(c):\n    return f'{c / 100:.2f} EUR'", "domain", "fmt"),
            ),
            lines=2,
            tokens=18,
            cross_component=True,
            kind="renamed",
        )
    ]
    reflexion = Reflexion(
        convergent=(("api", "orders"),), divergent=(("domain", "api"),), absent=(("infra", "domain"),), unmapped=("shop.reports",)
    )
    page = render_html(example, clone_groups=clones, reflexion=reflexion)
    ids = {attrs.get("id") for _tag, attrs in parse(page).tags}
    assert {"clones", "reflexion", "reflexion-convergent", "reflexion-divergent", "reflexion-absent", "reflexion-unmapped"} <= ids
    assert "crosses components" in page and "fmt(c)" in page and "format_price" in page
    assert "<code>domain → api</code>" in page and "<code>shop.reports</code>" in page


def test_user_text_is_escaped(tmp_path: Path) -> None:
    contract = LAYERED.replace('name = "layering"', 'name = "<script>alert(1)</script>"')
    page = render_html(run_check(make_project(tmp_path, FILES, contract)))
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
