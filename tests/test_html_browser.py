"""The HTML report in a real browser: headless Chromium (Debian's package) driven by Playwright.

Without Chromium these tests skip, naming the command that installs it (`bash
scripts/setup-tests`); CI sets ARCHGUARD_REQUIRE_SYSTEM_TOOLS=1, which makes that a failure
(see tests/conftest.py). The screenshots land in build/test-artifacts/ (or
$ARCHGUARD_ARTIFACTS) for a person to look at.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from archguard.render.html import render_html
from tests.helpers import REPO, run_check

CHROMIUM = os.environ.get("ARCHGUARD_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(os.environ.get("ARCHGUARD_ARTIFACTS", REPO / "build" / "test-artifacts"))

pytestmark = pytest.mark.needs("chromium")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"), args=ARGS)
        yield instance
        instance.close()


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(render_html(run_check(REPO / "examples" / "shop-agent-change")), encoding="utf-8")
    return path


def test_report_in_chromium_filters_sorts_and_loads_nothing(browser: Any, report: Path) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.goto(report.as_uri())

    # the graph is there, drawn: components as SVG nodes with a size
    assert page.locator("#graph-box svg").count() == 1
    api = page.locator("#graph-box g.node.component", has_text="api")
    assert api.count() == 1 and api.bounding_box()["width"] > 20  # type: ignore[index]
    assert page.locator("#graph-box g.edge.violation").count() == 2

    rows = page.locator("#findings-table tbody tr")
    visible = page.locator("#findings-table tbody tr:not(.hidden)")
    assert rows.count() == 9 and visible.count() == 9
    assert page.inner_text("#shown") == "showing 9 of 9"

    page.select_option("#filter-rule", "unmapped")
    assert visible.count() == 2 and page.inner_text("#shown") == "showing 2 of 9"
    assert all("unmapped" in text for text in visible.all_inner_texts())

    page.select_option("#filter-rule", "")
    page.select_option("#filter-component", "domain")
    assert visible.count() == 4
    assert "selected" in (page.locator("#graph-box g#node-n_domain").get_attribute("class") or "")

    page.click("#filter-reset")
    page.fill("#filter-text", "ledger")
    assert visible.count() == 2

    page.click("#filter-reset")
    api.click()  # clicking a component in the graph filters the findings by it
    assert page.input_value("#filter-component") == "api" and visible.count() == 2

    page.click("#filter-reset")
    page.click("#findings-table th:has-text('location')")
    locations = [page.inner_text(f"#findings-table tbody tr:nth-child({i}) td:nth-child(4)") for i in range(1, 10)]
    assert locations == sorted(locations, key=lambda text: (text.split(":")[0], int(text.split(":")[1])))
    page.click("#findings-table th:has-text('location')")
    assert page.inner_text("#findings-table tbody tr:nth-child(1) td:nth-child(4)") == locations[-1]

    page.click("#filter-reset")
    page.evaluate("window.scrollTo(0, 0)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "html-report.png"), full_page=True)
    page.select_option("#filter-component", "domain")
    page.locator("#findings").screenshot(path=str(ARTIFACTS / "html-report-filtered.png"))
    assert (ARTIFACTS / "html-report.png").stat().st_size > 10_000

    assert requests == [report.as_uri()], "the report must load nothing but itself"
    assert errors == []
    page.close()
