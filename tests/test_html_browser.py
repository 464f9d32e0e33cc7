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
from tests.helpers import REPO, make_project, run_check

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

    rows = page.locator("#findings-table tr.finding")
    visible = page.locator("#findings-table tr.finding:visible")
    assert rows.count() == 8 and visible.count() == 8  # one row per clone group; few findings: every group open
    assert page.inner_text("#shown") == "showing 8 of 8"

    page.select_option("#filter-rule", "unmapped")
    assert visible.count() == 2 and page.inner_text("#shown") == "showing 2 of 8"
    assert page.locator("#findings-table tbody.group:visible").count() == 1  # groups without a match are hidden
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
    page.click("#findings-table th:has-text('location')")  # sorts within each group
    group = page.locator("#findings-table tbody.group", has_text="unmapped")
    locations = group.locator("tr.finding td:nth-child(4)").all_inner_texts()
    assert len(locations) == 2 and locations == sorted(locations)
    page.click("#findings-table th:has-text('location')")
    assert group.locator("tr.finding td:nth-child(4)").all_inner_texts() == locations[::-1]

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


def many_findings_report(tmp_path: Path) -> Path:
    """A project with 120 forbidden imports in 3 components and 40 unmapped modules."""
    files: dict[str, str] = {"src/app/__init__.py": "", "src/app/core/__init__.py": "", "src/app/misc/__init__.py": ""}
    for component in ("web", "cli", "jobs"):
        files[f"src/app/{component}/__init__.py"] = ""
        for index in range(40):
            files[f"src/app/{component}/m{index}.py"] = "import app.core\n"
    for index in range(40):
        files[f"src/app/misc/loose{index}.py"] = "X = 1\n"
    contract = """
    [components]
    core = { modules = ["app.core"] }
    web = { modules = ["app.web"] }
    cli = { modules = ["app.cli"] }
    jobs = { modules = ["app.jobs"] }

    [[rules]]
    kind = "forbidden"
    name = "nothing uses core"
    from = ["web", "cli", "jobs"]
    to = ["core"]
    """
    root = make_project(tmp_path / "many", files, contract)
    path = tmp_path / "many.html"
    path.write_text(render_html(run_check(root)), encoding="utf-8")
    return path


def test_a_long_report_is_grouped_collapsed_beyond_a_screenful_and_filterable(browser: Any, tmp_path: Path) -> None:
    report = many_findings_report(tmp_path)
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(report.as_uri())
    rows = page.locator("#findings-table tr.finding")
    visible = page.locator("#findings-table tr.finding:visible")
    groups = page.locator("#findings-table tbody.group")
    total = rows.count()
    assert total >= 160
    # grouped by rule and component: the forbidden rule per component, then the unmapped modules
    heads = page.locator("#findings-table tr.group-head").all_inner_texts()
    assert [h.split(" · ")[:2] for h in heads[:3]] == [["nothing uses core", "cli 40"], ["nothing uses core", "jobs 40"], ["nothing uses core", "web 40"]]
    assert heads[0].endswith("40 · 40 errors")
    # the first group is open, the rest closed: about a screenful, not a page per finding
    assert visible.count() == 40 and groups.count() == len(heads) >= 4
    assert page.locator("#findings-table tbody.group.collapsed").count() == groups.count() - 1
    height = page.evaluate("document.getElementById('findings').getBoundingClientRect().height")
    assert height < 4000, height
    assert page.inner_text("#shown") == f"showing {total} of {total}"
    # opening a group shows its findings; closing it hides them again
    second = groups.nth(1)
    second.locator("button.toggle").click()
    assert visible.count() == 80 and second.locator("button.toggle").get_attribute("aria-expanded") == "true"
    second.locator("button.toggle").click()
    assert visible.count() == 40
    # a filter shows every match, in closed groups too, and only the groups that match
    page.fill("#filter-text", "m7.py")
    assert visible.count() == 3 and page.locator("#findings-table tbody.group:visible").count() == 3
    page.select_option("#filter-component", "jobs")
    assert visible.count() == 1 and "src/app/jobs/m7.py" in visible.first.inner_text()
    page.click("#filter-reset")
    assert visible.count() == 40
    page.click("#expand-all")
    assert visible.count() == total and page.inner_text("#expand-all") == "close all groups"
    page.click("#expand-all")
    assert visible.count() == 0 and page.locator("#findings-table tbody.group.collapsed").count() == groups.count()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "html-report-grouped.png"), full_page=True)
    assert errors == []
    page.close()
