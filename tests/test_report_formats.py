"""Every report format on the bundled examples and a project with every kind of finding:
golden files, the official SARIF schema, junitparser, GitHub's escaping rules, Markdown."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from junitparser import Failure, JUnitXml

from archguard import __version__
from archguard.engine.dialects import all_rule_types
from archguard.findings import Finding
from archguard.report import ReportOptions, reporters
from archguard.report.github import annotation, escape_data, escape_property
from archguard.report.markdown import OPEN_ROWS
from archguard.report.markdown import render as render_markdown
from archguard.report.sarif import report_data as sarif_data
from archguard.report.text import render as render_text
from tests.helpers import REPO, make_project, run_check, run_cli
from tests.reporting import make_rich_project

GOLDEN = Path(__file__).parent / "golden"
SARIF_SCHEMA = json.loads((Path(__file__).parent / "sarif" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
SOURCE_URL = "https://example.test/acme/shop/blob/0123abc"
FILES = {
    "json": "check.json",
    "sarif": "check.sarif",
    "junit": "check.junit.xml",
    "github": "check.github",
    "markdown": "check.md",
    "agent": "check.agent.txt",
}


def all_reports(project: Path, out: Path, *extra: str) -> tuple[int, dict[str, str]]:
    """One CLI run: the text report on stdout and every other format through --output."""
    out.mkdir(parents=True, exist_ok=True)
    specs = [f"--output={fmt}={out / name}" for fmt, name in FILES.items()]
    proc = run_cli("check", "--no-cache", "-j", "1", *specs, *extra, cwd=project, env={"ARCHGUARD_SOURCE_URL": SOURCE_URL})
    assert proc.returncode in (0, 1), proc.stderr
    reports = {"text": proc.stdout}
    reports.update({fmt: (out / name).read_bytes().decode("utf-8") for fmt, name in FILES.items()})
    return proc.returncode, reports


def normalise(text: str) -> str:
    return text.replace(f'"{__version__}"', '"<version>"')


def compare_golden(relative: str, actual: str, update: bool) -> None:
    path = GOLDEN / relative
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual.encode("utf-8"))
        return
    assert path.is_file(), f"no golden file {relative}: run pytest --update-goldens once and review the diff"
    assert actual == path.read_bytes().decode("utf-8"), f"{relative} changed: review, then pytest --update-goldens"


@pytest.fixture(scope="module")
def example_reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[int, dict[str, str]]]:
    reports = {}
    for example in ("shop", "shop-agent-change"):
        reports[example] = all_reports(REPO / "examples" / example, tmp_path_factory.mktemp(example))
    project = make_rich_project(tmp_path_factory.mktemp("rich"))
    reports["rich"] = all_reports(project, tmp_path_factory.mktemp("rich-out"))
    return reports


@pytest.mark.parametrize("project", ["shop", "shop-agent-change", "rich"])
@pytest.mark.parametrize("fmt", ["text", *FILES])
def test_every_format_matches_its_golden_file(example_reports, project: str, fmt: str, update_goldens: bool) -> None:
    _, reports = example_reports[project]
    name = "check.txt" if fmt == "text" else FILES[fmt]
    compare_golden(f"{project}/{name}", normalise(reports[fmt]), update_goldens)


def test_exit_codes_of_the_examples(example_reports) -> None:
    assert example_reports["shop"][0] == 0
    assert example_reports["shop-agent-change"][0] == 1
    assert example_reports["rich"][0] == 1


def test_reports_hold_no_absolute_path(example_reports, tmp_path: Path) -> None:
    for _, reports in example_reports.values():
        for text in reports.values():
            assert str(REPO) not in text
            assert str(tmp_path.parent.parent) not in text


def test_every_report_is_byte_identical_across_runs_cold_and_warm(tmp_path: Path) -> None:
    project = make_rich_project(tmp_path / "p")
    cache = ["--cache-dir", str(tmp_path / "cache")]
    first = run_cli("check", "-j", "2", *cache, *[f"-o{f}={tmp_path / 'a' / n}" for f, n in FILES.items()], cwd=project)
    second = run_cli("check", "-j", "1", *cache, *[f"-o{f}={tmp_path / 'b' / n}" for f, n in FILES.items()], cwd=project)
    assert "0 cached" in first.stderr and "10 cached" in second.stderr
    assert first.stdout == second.stdout
    for name in FILES.values():
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name


# --- SARIF -------------------------------------------------------------------------------


@pytest.mark.parametrize("project", ["shop", "shop-agent-change", "rich"])
def test_sarif_validates_against_the_official_schema(example_reports, project: str) -> None:
    sarif = json.loads(example_reports[project][1]["sarif"])
    validator = jsonschema.Draft4Validator(SARIF_SCHEMA, format_checker=jsonschema.FormatChecker())
    errors = sorted(validator.iter_errors(sarif), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_sarif_has_one_documented_descriptor_per_rule_kind(example_reports) -> None:
    driver = json.loads(example_reports["shop"][1]["sarif"])["runs"][0]["tool"]["driver"]
    ids = [rule["id"] for rule in driver["rules"]]
    assert len(ids) == len(set(ids))
    for rule_type in all_rule_types():
        descriptor = driver["rules"][ids.index(rule_type.kind)]
        doc = rule_type.doc()
        assert descriptor["shortDescription"]["text"] == doc.summary
        assert doc.fix in descriptor["help"]["text"]
        assert descriptor["help"]["markdown"] == doc.markdown
        assert descriptor["helpUri"].endswith("docs/contract.md#rules")
    assert {"pragma", "stale-ignore"} <= set(ids)


def test_sarif_results_locate_fingerprint_and_chain_each_finding(example_reports) -> None:
    _, reports = example_reports["shop-agent-change"]
    run = json.loads(reports["sarif"])["runs"][0]
    findings = json.loads(reports["json"])["findings"]
    assert len(run["results"]) == len(findings) == 8  # the two copies of one clone are one finding
    rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
    for result, finding in zip(run["results"], findings, strict=True):
        assert result["ruleId"] == finding["rule"] == rule_ids[result["ruleIndex"]]
        assert result["level"] == finding["severity"]
        assert result["partialFingerprints"] == {"archguard/v1": finding["fingerprint"]}
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"] == {"uri": f"examples/shop-agent-change/{finding['path']}", "uriBaseId": "%SRCROOT%"}
        assert (REPO / location["artifactLocation"]["uri"]).is_file()
        assert location["region"]["startLine"] == finding["line"]
        assert location["region"]["startColumn"] == finding["column"]
        related = result.get("relatedLocations", [])
        assert len(related) == len(finding["chain"]) + len(finding.get("related", []))  # hops of a chain, or the other copies
        places = [(entry["physicalLocation"]["artifactLocation"]["uri"], entry["physicalLocation"]["region"]["startLine"]) for entry in related]
        assert places[len(finding["chain"]) :] == [(f"examples/shop-agent-change/{r['path']}", r["line"]) for r in finding.get("related", [])]
        for index, (entry, hop) in enumerate(zip(related[: len(finding["chain"])], finding["chain"], strict=True), 1):
            assert entry["id"] == index
            assert entry["physicalLocation"]["artifactLocation"]["uri"] == f"examples/shop-agent-change/{hop['path']}"
            assert entry["physicalLocation"]["region"]["startLine"] == hop["line"]
            assert f"]({index})" in result["message"]["text"]
    forbidden = next(r for r in run["results"] if r["ruleId"] == "forbidden")
    assert len(forbidden["relatedLocations"]) == 3


def test_sarif_marks_suppressed_findings_and_numbers_identical_fingerprints(example_reports) -> None:
    run = json.loads(example_reports["rich"][1]["sarif"])["runs"][0]
    suppressed = [r for r in run["results"] if "suppressions" in r]
    assert [(r["ruleId"], r["suppressions"]) for r in suppressed] == [
        ("forbidden", [{"kind": "inSource", "status": "accepted"}]),
        ("layers", [{"kind": "inSource", "status": "accepted", "justification": "lazy import for the debug page"}]),
    ]
    fingerprints = [r["partialFingerprints"]["archguard/v1"] for r in run["results"]]
    assert len(fingerprints) == len(set(fingerprints))
    assert any(f.endswith(":2") for f in fingerprints)  # rules.py imports app.web.views twice
    assert {r["level"] for r in run["results"]} == {"error", "warning"}


def test_sarif_puts_findings_without_a_file_on_the_contract(tmp_path: Path) -> None:
    result = run_check(make_rich_project(tmp_path))
    pathless = Finding(rule="discovery", rule_name="discovery", kind="x", severity="warning", message="whole-run problem")
    sarif = sarif_data(replace(result, findings=[pathless], suppressed=[]), ReportOptions(path_prefix="sub/"))
    location = sarif["runs"][0]["results"][0]["locations"][0]["physicalLocation"]
    assert location == {"artifactLocation": {"uri": "sub/archguard.toml", "uriBaseId": "%SRCROOT%"}}
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)


# --- JUnit -------------------------------------------------------------------------------


def test_junit_has_one_failed_case_per_cause_and_one_passed_case_per_clean_rule(example_reports) -> None:
    _, reports = example_reports["shop-agent-change"]
    xml = JUnitXml.fromstring(reports["junit"])
    suites = list(xml)
    assert len(suites) == 1
    suite = suites[0]
    data = json.loads(reports["json"])
    rules = data["rules"]
    errors = [f for f in data["findings"] if f["severity"] == "error"]
    causes = {f["site"] or f"{f['path']}:{f['line']}:{f['rule']}" for f in errors}
    cases = list(suite)
    failed = [case for case in cases if not case.is_passed]
    passed = [case.name for case in cases if case.is_passed]
    assert len(failed) == len(causes) == suite.failures
    assert passed == [rule["name"] for rule in rules if not rule["errors"]]
    assert suite.tests == len(failed) + len(passed)
    # Every error is in exactly one failure, and the import that breaks three rules is one case.
    texts = [case.result[0].text for case in failed]
    assert sum(text.count(" error ") for text in texts) == len(errors)
    (pricing,) = [case for case in failed if case.name.endswith("src/shop/domain/pricing.py:12:5 from shop.api.views import format_price")]
    failure = pricing.result[0]
    assert isinstance(failure, Failure)
    assert failure.type == "allowed, forbidden, layers"
    assert failure.message == "breaks 3 rules: allowed · allowed#3, forbidden · Pure domain, layers · Clean layering"
    assert pricing.classname == "archguard.allowed"
    unmapped = [case for case in failed if case.classname == "archguard.unmapped"]
    assert [case.name for case in unmapped] == [
        "examples/shop-agent-change/src/shop/reports/__init__.py:1:1 shop.reports is not in any component",
        "examples/shop-agent-change/src/shop/reports/export.py:1:1 shop.reports.export is not in any component",
    ]


def test_junit_keeps_warnings_and_suppressed_findings_out_of_failures(example_reports) -> None:
    xml = JUnitXml.fromstring(example_reports["rich"][1]["junit"])
    cases = {case.name: case for suite in xml for case in suite}
    assert cases["core stays pure"].is_passed  # a warning-level rule
    assert "suppressed (pragma at src/app/core/rules.py:2)" in cases["core stays pure"].system_out
    assert cases["core stays pure"].system_out.count(" warning ") == 2  # one active (the other is part of a failed import), one suppressed
    assert "Clean | layering" not in cases  # it has errors: each is a failed case of its own import
    layering = [case for case in cases.values() if case.classname == "archguard.layers"]
    assert len(layering) == 2 and not any(case.is_passed for case in layering)
    assert cases["pragma"].is_passed  # warnings only
    assert "stale-ignore" not in cases  # a stale [[ignore]] entry is an error by default
    assert not cases["archguard.toml:23:1 ignore entry 'app.nothing -> app.gone' matches no import"].is_passed


def test_junit_survives_characters_xml_cannot_hold(tmp_path: Path) -> None:
    result = run_check(make_rich_project(tmp_path))
    nasty = Finding(rule="parse-error", rule_name="parse-error", kind="parse-error", severity="error", message="bad \x00\x1b byte <&>")
    xml = reporters()["junit"](replace(result, findings=[nasty]), ReportOptions())
    cases = {case.name: case for suite in JUnitXml.fromstring(xml) for case in suite}
    (case,) = [case for case in cases.values() if case.classname == "archguard.parse-error"]
    assert case.result[0].message == "parse-error: bad \\x00\\x1b byte <&>"  # shown as in the text report


# --- GitHub ------------------------------------------------------------------------------

_COMMAND = re.compile(r"^::(error|warning) (.*?)::(.*)$")


def _unescape(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def test_github_escapes_data_and_properties_as_the_runner_expects() -> None:
    assert escape_data("50% done\r\nnext: a,b") == "50%25 done%0D%0Anext: a,b"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"


def test_github_annotations_round_trip_through_the_runners_parser(example_reports) -> None:
    _, reports = example_reports["rich"]
    findings = json.loads(reports["json"])["findings"]
    lines = reports["github"].splitlines()
    assert lines[-1].startswith("archguard: ✗ ")
    seen = 0
    for line in lines[:-1]:
        match = _COMMAND.match(line)
        assert match, line
        properties = dict(item.split("=", 1) for item in match.group(2).split(","))
        where = (_unescape(properties["file"]), int(properties["line"]), int(properties["col"]))
        here = [f for f in findings if (f["path"], f["line"], f["column"]) == where]
        message = _unescape(match.group(3)).splitlines()
        members = [f for f in here if f["site"] is not None and f["site"] == here[0]["site"]] if len(here) > 1 else here
        if len(members) == 1:
            members = [f for f in here if message[0] == f["message"]]
            assert len(members) == 1, line
            assert _unescape(properties["title"]).startswith(f"archguard {members[0]['rule']}")
        else:
            assert message[0] == f"{members[0]['import']} breaks {len(members)} rules:"
            for member in members:
                assert member["rule"] in _unescape(properties["title"])
                assert any(text.endswith(member["message"]) for text in message)
        assert match.group(1) == ("error" if any(f["severity"] == "error" for f in members) else "warning")
        seen += len(members)
    assert seen == len(findings)
    assert len(lines) - 1 < len(findings)  # the import that breaks two rules is one annotation


def test_github_annotation_cannot_be_broken_by_hostile_text(tmp_path: Path) -> None:
    result = run_check(make_rich_project(tmp_path))
    finding = Finding(
        rule="layers",
        rule_name="a, b: c",
        kind="direct",
        severity="error",
        message="line one\n::error::injected",
        path="dir,x/we:ird%.py",
        line=3,
        column=2,
    )
    line = annotation(finding, result, ReportOptions())
    assert "\n" not in line
    assert line == (
        "::error file=dir%2Cx/we%3Aird%25.py,line=3,col=2,title=archguard layers · a%2C b%3A c::line one%0A::error::injected"
    )


# --- Markdown ----------------------------------------------------------------------------


def test_markdown_links_findings_and_chain_hops_to_their_lines(example_reports) -> None:
    markdown = example_reports["shop-agent-change"][1]["markdown"]
    assert markdown.startswith("### ❌ archguard: 8 errors in 7 rules\n")
    views = "examples/shop-agent-change/src/shop/api/views.py"
    assert f"[`{views}:4`]({SOURCE_URL}/{views}#L4)" in markdown
    assert f"[`shop.billing.ledger -> shop.infra.db`]({SOURCE_URL}/examples/shop-agent-change/src/shop/billing/ledger.py#L3)" in markdown
    assert "<details>" not in markdown  # 7 findings: short enough to show open


def test_markdown_collapses_long_lists_and_escapes_table_cells(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {"src/app/__init__.py": "", "src/app/core/__init__.py": "import os\n"}
    files.update({f"src/app/loose{index:02}.py": "" for index in range(OPEN_ROWS + 3)})
    project = make_project(tmp_path, files, '[components]\ncore = { modules = ["app.core", "app:*"] }\n')
    result = run_check(project)
    markdown = render_markdown(result, ReportOptions())
    assert markdown.count("| ❌ |") == OPEN_ROWS + 3
    head, collapsed = markdown.split("<details>", 1)
    assert head.count("| ❌ |") == OPEN_ROWS
    assert "<summary>3 more findings</summary>" in collapsed and collapsed.count("| ❌ |") == 3
    rich = render_markdown(run_check(make_rich_project(tmp_path / "rich")), ReportOptions())
    assert "| ❌ Clean \\| layering | layers | 2 | 0 | 1 |" in rich
    assert "<summary>2 suppressed</summary>" in rich


def test_markdown_of_a_clean_run_is_two_lines_of_news(example_reports) -> None:
    markdown = example_reports["shop"][1]["markdown"]
    assert markdown.startswith("### ✅ archguard: no errors\n")
    assert "| ❌ |" not in markdown and "11 rules passed" in markdown


# --- text --------------------------------------------------------------------------------


def test_text_summary_line_adds_timing_only_when_asked(tmp_path: Path) -> None:
    result = run_check(make_rich_project(tmp_path))
    plain = render_text(result, ReportOptions())
    assert plain.endswith("✗ 5 errors in 4 rules, 4 warnings, 2 suppressed · 10 files\n")
    timed = render_text(result, ReportOptions(timing=True))
    assert re.search(r"· 10 files · \d+\.\d s \(0 cached\)\n$", timed)


def test_quiet_text_is_the_findings_alone(tmp_path: Path) -> None:
    result = run_check(make_rich_project(tmp_path))
    quiet = render_text(result, ReportOptions(quiet=True))
    assert quiet.startswith("  archguard.toml:23:1 error stale-ignore: ignore entry")
    assert "archguard ·" not in quiet and "suppressed" not in quiet and "✗" not in quiet
    full = render_text(result, ReportOptions())
    errors_at = [line.split(" error ")[0] for line in full.splitlines() if " error " in line and not line.startswith("      ")]
    assert [line.split(" error ")[0] for line in quiet.splitlines() if not line.startswith("      ")] == errors_at
    # the errors alone: the warnings the full report lists are not there
    assert " warning " in full and " warning " not in quiet


def test_verbose_text_adds_remedies_and_the_rules_that_passed(tmp_path: Path) -> None:
    result = run_check(make_rich_project(tmp_path))
    verbose = render_text(result, ReportOptions(verbose=True))
    assert "fix: remove the entry, or fix its module names" in verbose
    assert "passed (3)\n  ✓ discovery\n  ✓ vacuous-rule\n  ✓ duplication\n" in verbose
    assert "fix:" not in render_text(result, ReportOptions())


def test_colour_only_when_asked(tmp_path: Path) -> None:
    result = run_check(make_rich_project(tmp_path))
    assert "\x1b[" in render_text(result, ReportOptions(color=True))
    for fmt, reporter in reporters().items():
        assert "\x1b[" not in reporter(result, ReportOptions()), fmt
