"""The reports agree: `check` (text, JSON), the HTML report (`graph --html`) and `archguard report`
count the same findings, rule by rule, and the same coupling; golden numbers for one project
with every kind of finding (clone groups across and within components, a layering violation,
an unused declared dependency, an unmapped module)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.helpers import make_project, run_cli
from tests.test_duplication import ORIGINAL, RENAMED, UNRELATED, source

CONTRACT = """
[components]
web = { modules = ["app.web"] }
service = { modules = ["app.service"] }
core = { modules = ["app.core"] }

[[rules]]
kind = "layers"
name = "layered"
layers = ["web", "service", "core"]

[[rules]]
kind = "allowed"
name = "declared"
allow = { web = ["service", "core"], service = ["core"], core = [] }

[duplication]
within_component = "warning"
"""

FILES = {
    "src/app/__init__.py": "",
    "src/app/tools.py": "X = 1\n",  # in no component
    "src/app/web/__init__.py": "",
    "src/app/web/views.py": "import app.service.orders\n\n" + source(ORIGINAL.replace("summarize_orders", "web_summary")),
    "src/app/service/__init__.py": "",
    "src/app/service/orders.py": "import app.core.model\n\n" + source(ORIGINAL, UNRELATED),
    "src/app/service/headers.py": source(UNRELATED.replace("parse_header", "read_header")),
    "src/app/core/__init__.py": "",
    "src/app/core/model.py": "import app.web.views\n\n" + source(RENAMED),  # core -> web breaks both rules
}


class Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, str | None]] = []
        self.metrics: list[str] = []
        self.text: list[str] = []
        self._in_summary = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        data = dict(attrs)
        if tag == "tr" and data.get("class") == "finding":
            self.rows.append(data)
        if tag == "p" and data.get("id") == "summary":
            self._in_summary = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "p":
            self._in_summary = False

    def handle_data(self, data: str) -> None:
        if self._in_summary:
            self.text.append(data)


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("agree"), FILES, CONTRACT)


def test_check_text_json_html_and_report_count_the_same_findings(project: Path) -> None:
    text = run_cli("check", "--no-cache", cwd=project)
    as_json = json.loads(run_cli("check", "--no-cache", "--format", "json", cwd=project).stdout)
    html_run = run_cli("graph", "--no-cache", "--html", "page.html", cwd=project)
    assert html_run.returncode == 0, html_run.stderr
    page_text = (project / "page.html").read_text(encoding="utf-8")
    page = Page()
    page.feed(page_text)
    report = json.loads(run_cli("report", "--no-cache", "--format", "json", cwd=project).stdout)

    errors, warnings = as_json["summary"]["errors"], as_json["summary"]["warnings"]
    by_rule = {(f["rule_name"], f["severity"]) for f in as_json["findings"]}
    # golden: the layering and allowed rules broken by core -> web, one clone group across
    # components (three copies: one finding), two unmapped modules; warnings: one clone pair
    # within service, web -> core declared and unused
    assert (errors, warnings) == (5, 2), by_rule
    assert sorted(f["rule"] for f in as_json["findings"]) == ["absent", "allowed", "duplication", "duplication", "layers", "unmapped", "unmapped"]
    assert text.stdout.rstrip().endswith(f"✗ {errors} errors in 4 rules, {warnings} warnings · 9 files")
    assert f"{errors} errors, {warnings} warnings, 0 suppressed" in "".join(page.text)
    assert len(page.rows) == errors + warnings
    assert html_run.stderr.strip() == f"wrote page.html ({errors + warnings} findings)"
    assert (report["summary"]["errors"], report["summary"]["warnings"]) == (errors, warnings)
    assert len(report["findings"]) == errors + warnings
    # per rule, the same counts everywhere
    per_rule = {r["name"]: r["findings"] for r in as_json["rules"]}
    reported = {r["name"]: r["findings"] for r in report["rules"]}
    assert reported == {name: count for name, count in per_rule.items() if name in reported}
    html_rule_counts = {
        name: int(found) + int(warned)
        for name, found, warned in re.findall(
            r'<tr data-rule="([^"]+)"><td>.*?</td><td><b>.*?</b></td><td><code>.*?</code></td><td class="num">(\d+)</td><td class="num">(\d+)</td>', page_text
        )
    }
    assert html_rule_counts == per_rule


def test_the_html_coupling_table_is_the_architecture_reports(project: Path) -> None:
    run_cli("graph", "--no-cache", "--html", "page.html", cwd=project)
    page_text = (project / "page.html").read_text(encoding="utf-8")
    report = json.loads(run_cli("report", "--no-cache", "--format", "json", cwd=project).stdout)
    rows = re.findall(
        r'<tr data-component="([^"]+)"><td><b>[^<]+</b></td><td class="num">(\d+)</td><td class="num">(\d+)</td><td class="num">(\d+)</td>'
        r'<td class="num">(\d+)</td><td class="num">(\d+)</td>',
        page_text,
    )
    html = {name: tuple(int(v) for v in values) for name, *values in rows}
    expected = {c["component"]: (c["modules"], c["fan_in"], c["fan_out"], c["imports_in"], c["imports_out"]) for c in report["coupling"]}
    assert html == expected
    assert "(unmapped)" not in html  # modules in no component are no component
    assert "``" not in page_text  # rule documentation shows literals as code, never raw markup
    assert "<code>allowed</code>" in page_text


def test_the_html_report_shows_the_clone_groups_that_check_reports(project: Path) -> None:
    run_cli("graph", "--no-cache", "--html", "page.html", cwd=project)
    page_text = (project / "page.html").read_text(encoding="utf-8")
    dupes = json.loads(run_cli("dupes", "--no-cache", "--format", "json", cwd=project).stdout)
    assert 'id="clones"' in page_text and '<a href="#clones">duplication</a>' in page_text
    groups = re.findall(r'<div class="clone-group"', page_text)
    assert len(groups) == len(dupes["groups"]) == 2
    assert "renamed copies, 3 copies" in page_text and "function summarize_orders" in page_text
    assert "def customer_totals(rows, money=&#x27;USD&#x27;):" in page_text  # the code itself, side by side
