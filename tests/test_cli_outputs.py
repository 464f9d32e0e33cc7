"""``archguard check`` as a user runs it: --format and --output together, exit codes, bad
output specs, colour and NO_COLOR, a terminal's progress bar and timing, -q and -v, and the
GitHub job summary."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from archguard.base.errors import UsageError
from archguard.cli.outputs import Output, parse_outputs, repository_prefix, source_url
from archguard.report import reporters
from tests.helpers import REPO, make_project, run_cli
from tests.reporting import make_rich_project, run_cli_in_ci, run_cli_on_terminal

AGENT_CHANGE = REPO / "examples" / "shop-agent-change"
SHOP = REPO / "examples" / "shop"
ANSI = "\x1b["


@pytest.fixture
def rich(tmp_path: Path) -> Path:
    return make_rich_project(tmp_path / "project")


def test_text_on_the_console_and_sarif_to_a_file_in_one_run(tmp_path: Path) -> None:
    sarif = tmp_path / "reports" / "nested" / "archguard.sarif"
    proc = run_cli("check", "--no-cache", "-j", "1", "--output", f"sarif={sarif}", cwd=AGENT_CHANGE)
    assert proc.returncode == 1
    assert proc.stdout.startswith("archguard · archguard.toml · 16 files")
    assert proc.stdout.endswith("✗ 8 errors in 7 rules · 16 files\n")
    assert len(json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"]) == 8


def test_format_on_stdout_equals_the_same_format_in_a_file_and_exit_codes_hold(tmp_path: Path) -> None:
    for project, fmt, code in ((AGENT_CHANGE, "sarif", 1), (SHOP, "markdown", 0)):
        out = tmp_path / project.name
        specs = [f"--output={name}={out / name}" for name in reporters()]
        proc = run_cli("check", "--no-cache", "-j", "1", "-q", "-f", fmt, *specs, cwd=project)
        assert proc.returncode == code, proc.stderr
        assert proc.stdout == (out / fmt).read_text(encoding="utf-8")
        assert all((out / name).stat().st_size > 0 for name in reporters() if name != "text")  # -q: text may be empty


def test_a_bare_output_path_takes_the_format_report_off_stdout(tmp_path: Path) -> None:
    proc = run_cli("check", "--no-cache", "-j", "1", "-f", "json", "-o", str(tmp_path / "r.json"), cwd=SHOP)
    assert proc.returncode == 0
    assert proc.stdout == ""
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["summary"]["verdict"] == "pass"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-f", "yaml"], "unknown format 'yaml' for --format; expected one of: text, json, sarif, junit, github, markdown"),
        (["-o", "yaml=out.yaml"], "--output 'yaml=out.yaml': unknown format 'yaml'; expected FORMAT=PATH"),
        (["-o", "sarif="], "--output 'sarif=': no file name; expected FORMAT=PATH, e.g. sarif=archguard.sarif"),
        (["-o", "sarif=."], "--output 'sarif=.': . is a directory; give a file name"),
        (["-o", "sarif=a.sarif", "-o", "json=./a.sarif"], "--output: two reports would be written to"),
        (["-q", "-v"], "--quiet and --verbose exclude each other"),
    ],
)
def test_bad_output_requests_exit_2_before_any_work(rich: Path, args: list[str], message: str) -> None:
    proc = run_cli("check", *args, cwd=rich)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert f"archguard: error: {message}" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not (rich / ".archguard_cache").exists()  # nothing was analysed


def test_an_unwritable_output_is_exit_2_and_the_console_report_still_prints(rich: Path) -> None:
    (rich / "blocker").write_text("a file, not a directory", encoding="utf-8")
    proc = run_cli("check", "--no-cache", "-j", "1", "-o", "sarif=blocker/archguard.sarif", cwd=rich)
    assert proc.returncode == 2
    assert "archguard: error: cannot write the sarif report to blocker/archguard.sarif: " in proc.stderr
    assert "✗ 5 errors in 4 rules" in proc.stdout


def test_parse_outputs_keeps_stdout_unless_a_bare_path_takes_it() -> None:
    formats = list(reporters())
    assert parse_outputs("text", ["sarif=a.sarif"], formats) == [Output("text", None), Output("sarif", Path("a.sarif"))]
    assert parse_outputs("json", ["r.json"], formats) == [Output("json", Path("r.json"))]
    assert parse_outputs("text", ["text=x=y.txt"], formats) == [Output("text", None), Output("text", Path("x=y.txt"))]
    with pytest.raises(UsageError):
        parse_outputs("text", ["x=y.txt"], formats)


def test_output_is_byte_identical_across_runs(rich: Path, tmp_path: Path) -> None:
    runs = [run_cli("check", "--no-cache", "-j", "1", "-o", f"github={tmp_path / str(n)}", cwd=rich) for n in range(2)]
    assert runs[0].stdout == runs[1].stdout
    assert (tmp_path / "0").read_bytes() == (tmp_path / "1").read_bytes()


def test_quiet_prints_the_findings_alone_and_nothing_on_stderr(rich: Path) -> None:
    proc = run_cli("check", "--no-cache", "-j", "1", "-q", cwd=rich)
    assert proc.returncode == 1
    assert proc.stderr == ""
    assert proc.stdout.startswith("  archguard.toml:23:1 error stale-ignore: ")
    assert "✗" not in proc.stdout and "archguard ·" not in proc.stdout
    clean = run_cli("check", "--no-cache", "-j", "1", "-q", cwd=SHOP)
    assert (clean.returncode, clean.stdout, clean.stderr) == (0, "", "")


def test_timing_goes_to_stderr_when_not_on_a_terminal(rich: Path) -> None:
    proc = run_cli("check", "--no-cache", "-j", "1", cwd=rich)
    assert not re.search(r"\d s\b", proc.stdout)
    assert proc.stderr.startswith("archguard: 10 files (0 cached, 10 parsed) in ")


def test_verbose_adds_remedies_and_passed_rules(rich: Path) -> None:
    proc = run_cli("check", "--no-cache", "-j", "1", "-v", cwd=rich)
    assert "      fix: remove the pragma: the finding it was written for is gone" in proc.stdout
    assert "passed (3)\n  ✓ discovery\n  ✓ vacuous-rule\n  ✓ duplication\n" in proc.stdout


def test_colour_follows_color_and_no_color_when_piped(rich: Path) -> None:
    assert ANSI not in run_cli("check", "--no-cache", "-j", "1", cwd=rich).stdout
    assert ANSI in run_cli("check", "--no-cache", "-j", "1", "--color", "always", cwd=rich).stdout  # NO_COLOR=1 is set by run_cli
    assert ANSI not in run_cli("check", "--no-cache", "-j", "1", "--color", "auto", cwd=rich, env={"NO_COLOR": ""}).stdout


def test_on_a_terminal_colour_progress_and_timing_appear_unless_turned_off(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {"src/big/__init__.py": ""}
    files.update({f"src/big/m{index:03}.py": "import os\n" for index in range(240)})
    project = make_project(tmp_path, files, '[components]\nbig = { modules = ["big"] }\n')
    code, screen = run_cli_on_terminal("check", "-j", "1", "--cache-dir", str(tmp_path / "cache"), cwd=project)
    assert code == 0
    assert "parsing" in screen and "/241" in screen  # the progress bar
    assert ANSI + "1;32m✓ no errors" in screen
    last = screen.replace("\r", "").rstrip("\n").splitlines()[-1]
    assert "· 241 files · " in last and " s (0 cached)" in last
    code, screen = run_cli_on_terminal("check", "-j", "1", "--cache-dir", str(tmp_path / "cache"), cwd=project, env={"NO_COLOR": "1"})
    assert ANSI + "1;32m" not in screen and "parsing" not in screen  # all cached: nothing to parse
    assert "(241 cached)" in screen
    code, screen = run_cli_on_terminal("check", "-q", "--no-cache", "-j", "1", cwd=project)
    assert (code, screen) == (0, "")


def test_small_trees_get_no_progress_bar_even_on_a_terminal(rich: Path) -> None:
    code, screen = run_cli_on_terminal("check", "--no-cache", "-j", "1", cwd=rich)
    assert code == 1 and "parsing" not in screen and ANSI in screen


def test_github_format_appends_the_markdown_job_summary(rich: Path, tmp_path: Path) -> None:
    summary = tmp_path / "step_summary.md"
    summary.write_text("earlier step\n", encoding="utf-8")
    env = {"GITHUB_STEP_SUMMARY": str(summary)}
    proc = run_cli_in_ci("check", "--no-cache", "-j", "1", "-f", "github", cwd=rich, env=env)
    assert proc.returncode == 1
    assert proc.stdout.startswith("::error file=archguard.toml,line=23,col=1,title=archguard stale-ignore::")
    written = summary.read_text(encoding="utf-8")
    assert written.startswith("earlier step\n### ❌ archguard: 5 errors in 4 rules")
    markdown = run_cli("check", "--no-cache", "-j", "1", "-f", "markdown", cwd=rich).stdout
    assert written == "earlier step\n" + markdown
    run_cli_in_ci("check", "--no-cache", "-j", "1", "-f", "text", cwd=rich, env=env)
    assert summary.read_text(encoding="utf-8") == written  # only the github format writes it
    run_cli_in_ci("check", "--no-cache", "-j", "1", "-f", "github", "-o", f"markdown={summary}", cwd=rich, env=env)
    assert summary.read_text(encoding="utf-8") == markdown  # written once, not appended again


def test_help_lists_every_registered_format() -> None:
    proc = run_cli("check", "--help", cwd=REPO)
    text = " ".join(proc.stdout.split())
    for fmt in reporters():
        assert fmt in text
    assert "FORMAT=PATH" in text


def test_repository_prefix_and_source_url(tmp_path: Path) -> None:
    assert repository_prefix(AGENT_CHANGE) == "examples/shop-agent-change/"
    assert repository_prefix(REPO) == ""
    assert repository_prefix(tmp_path) == ""
    (tmp_path / ".git").mkdir()
    (tmp_path / "sub" / "dir").mkdir(parents=True)
    assert repository_prefix(tmp_path / "sub" / "dir") == "sub/dir/"
    github = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "o/r", "GITHUB_SHA": "abc"}
    assert source_url(github) == "https://github.com/o/r/blob/abc"
    assert source_url({"CI_PROJECT_URL": "https://gitlab.com/o/r", "CI_COMMIT_SHA": "abc"}) == "https://gitlab.com/o/r/-/blob/abc"
    assert source_url({**github, "ARCHGUARD_SOURCE_URL": "https://x/y"}) == "https://x/y"
    assert source_url({}) is None
