"""Baselines: accepted findings, matched by fingerprint and count, never by line number."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archguard.base.errors import BaselineError
from archguard.contract.loading import load_contract
from archguard.engine.pipeline import CheckResult
from archguard.gate import baseline
from tests.helpers import make_project, run_check, run_cli

CONTRACT = """
[project]
packages = ["shop"]
baseline = "arch/baseline.json"

[components]
root   = { modules = ["shop:*"] }
api    = { modules = ["shop.api"] }
domain = { modules = ["shop.domain"] }

[[rules]]
kind = "layers"
name = "Clean layering"
layers = ["api", "domain"]
"""

FILES = {
    "shop/__init__.py": "",
    "shop/api.py": "from shop.domain import model\n",
    "shop/domain/__init__.py": "",
    "shop/domain/model.py": """
        from shop.api import render


        def view():
            from shop.api import render

            return render
        """,
    "shop/tools.py": "",  # unmapped
}


def accept(root: Path) -> list[baseline.BaselineEntry]:
    """What `archguard baseline` does, through the library."""
    result = run_check(root)
    entries = baseline.entries_of(result.findings)
    baseline.write(root / "arch/baseline.json", entries)
    return entries


def gated(root: Path) -> CheckResult:
    loaded = load_contract(root / "archguard.toml")
    entries = baseline.load(baseline.baseline_path(loaded))
    assert entries is not None
    return baseline.apply(run_check(root), entries, "arch/baseline.json")


def test_round_trip_accepts_every_current_finding(tmp_path: Path) -> None:
    root = make_project(tmp_path, FILES, CONTRACT)
    entries = accept(root)
    assert [(e.rule, e.importer, e.imported) for e in entries] == [
        ("layers", "shop.domain.model", "shop.api"),
        ("layers", "shop.domain.model", "shop.api"),  # the same import twice: two entries
        ("unmapped", "shop.tools", None),
    ]
    assert baseline.load(root / "arch/baseline.json") == entries
    result = gated(root)
    assert result.findings == []
    assert result.exit_code == 0
    assert result.baseline is not None and (result.baseline.matched, result.baseline.stale) == (3, ())


def test_file_is_sorted_versioned_without_lines_and_stable_across_line_shifts(tmp_path: Path) -> None:
    root = make_project(tmp_path, FILES, CONTRACT)
    accept(root)
    first = (root / "arch/baseline.json").read_text()
    data = json.loads(first)
    assert data["schema"] == "archguard-baseline/1"
    assert all("line" not in entry for entry in data["findings"])
    assert first.count("\n") > 3 * len(data["findings"])  # one field per line: diff-friendly
    # An unrelated edit above the violations moves them down: nothing new, same file when rewritten.
    model = root / "shop/domain/model.py"
    model.write_text('"""Domain model."""\n\nVERSION = 2\n\n' + model.read_text())
    result = gated(root)
    assert result.findings == []
    accept(root)
    assert (root / "arch/baseline.json").read_text() == first


def test_a_second_identical_violation_is_new(tmp_path: Path) -> None:
    root = make_project(tmp_path, FILES, CONTRACT)
    accept(root)
    model = root / "shop/domain/model.py"
    model.write_text(model.read_text() + "\n\ndef other():\n    from shop.api import render\n\n    return render\n")
    result = gated(root)
    assert [(f.rule, f.importer, f.line) for f in result.findings] == [("layers", "shop.domain.model", 11)]
    assert result.exit_code == 1
    assert result.baseline is not None and result.baseline.matched == 3


def test_fixed_findings_are_listed_and_pruned(tmp_path: Path) -> None:
    root = make_project(tmp_path, FILES, CONTRACT)
    accept(root)
    (root / "shop/domain/model.py").write_text("from shop.api import render\n")  # one of the two is gone
    result = gated(root)
    assert result.findings == []
    assert result.baseline is not None
    assert [(e.rule, e.importer) for e in result.baseline.stale] == [("layers", "shop.domain.model")]
    entries = baseline.load(root / "arch/baseline.json")
    assert entries is not None
    kept = baseline.pruned(run_check(root), entries)
    assert len(kept) == 2 and len(entries) == 3


def test_cli_baseline_check_and_prune(tmp_path: Path) -> None:
    root = make_project(tmp_path, FILES, CONTRACT)
    written = run_cli("baseline", "--no-cache", cwd=root)
    assert written.returncode == 0, written.stderr
    assert written.stdout == "wrote 3 findings to arch/baseline.json\n"
    (root / "shop/tools.py").unlink()  # fixes the unmapped module
    (root / "shop/api2.py").write_text("")  # and adds another one
    checked = run_cli("check", "--no-cache", cwd=root)
    assert checked.returncode == 1
    assert "shop.api2 is not in any component" in checked.stdout
    assert "shop.tools" not in checked.stdout.split("baseline")[0]
    assert "baseline arch/baseline.json: 2 findings accepted (3 entries)" in checked.stdout
    assert "1 entry no longer occurs (fixed): drop with `archguard baseline --prune`" in checked.stdout
    assert "unmapped shop.tools" in checked.stdout
    assert "✗ 1 error in 1 rule (2 in the baseline)" in checked.stdout
    everything = run_cli("check", "--no-cache", "--no-baseline", "-f", "json", cwd=root)
    assert json.loads(everything.stdout)["summary"]["errors"] == 3
    pruned = run_cli("baseline", "--prune", "--no-cache", cwd=root)
    assert pruned.returncode == 0
    assert pruned.stdout == "pruned arch/baseline.json: dropped 1 entry that no longer occurs, 2 kept\n"
    data = json.loads((root / "arch/baseline.json").read_text())
    assert [e["rule"] for e in data["findings"]] == ["layers", "layers"]


def test_bad_baseline_files_are_errors_with_the_place(tmp_path: Path) -> None:
    path = tmp_path / "baseline.json"
    path.write_text('{"schema": "archguard-baseline/1", "findings": [\n  {"fingerprint": 3}\n]}')
    with pytest.raises(BaselineError) as info:
        baseline.load(path, "baseline.json")
    assert str(info.value) == "baseline.json: findings[0].fingerprint: expected a non-empty string for 'fingerprint'"
    path.write_text("{not json")
    with pytest.raises(BaselineError, match=r"baseline.json:1: invalid JSON"):
        baseline.load(path, "baseline.json")
    path.write_text('{"schema": "archguard-report/1"}')
    with pytest.raises(BaselineError, match="not an archguard baseline"):
        baseline.load(path, "baseline.json")
    assert baseline.load(tmp_path / "missing.json") is None
    root = make_project(tmp_path / "p", FILES, CONTRACT)
    (root / "arch").mkdir()
    (root / "arch/baseline.json").write_text("[]")
    result = run_cli("check", "--no-cache", cwd=root)
    assert result.returncode == 2
    assert "arch/baseline.json: schema: not an archguard baseline" in result.stderr


def test_report_and_the_html_report_apply_the_baseline_as_check_does(tmp_path: Path) -> None:
    root = make_project(tmp_path, FILES, CONTRACT)
    assert run_cli("baseline", cwd=root).returncode == 0
    accepted = run_cli("report", "--format", "json", cwd=root)
    data = json.loads(accepted.stdout)
    assert accepted.returncode == 0
    assert data["findings"] == [] and data["summary"]["errors"] == 0
    assert data["summary"]["accepted"] == 3 and data["accepted"]["baseline"] == "arch/baseline.json"
    assert {f["rule"] for f in data["accepted"]["findings"]} == {"layers", "unmapped"}
    assert data["summary"]["divergences"] == 1  # the architecture as it is: accepted debt is still a divergence
    text = run_cli("report", cwd=root).stdout
    assert "accepted by the baseline arch/baseline.json (3)" in text and "✓ 0 errors, 0 warnings, 3 accepted by the baseline" in text
    every = json.loads(run_cli("report", "--format", "json", "--no-baseline", cwd=root).stdout)
    assert every["summary"]["errors"] == 3 and every["summary"]["accepted"] == 0
    missing = run_cli("report", "--baseline", "nowhere.json", cwd=root)
    assert missing.returncode == 2 and "baseline file nowhere.json not found" in missing.stderr

    page = tmp_path / "report.html"
    proc = run_cli("graph", "--html", str(page), cwd=root)
    assert proc.returncode == 0, proc.stderr
    html = page.read_text(encoding="utf-8")
    assert html.count('data-severity="accepted"') == 3 and 'data-severity="error"' not in html
    assert "0 errors, 0 warnings, 0 suppressed, 3 accepted by the baseline" in html
    assert "(0 findings, 3 accepted by the baseline)" in proc.stderr
    assert run_cli("graph", "--html", str(page), "--no-baseline", cwd=root).returncode == 0
    assert page.read_text(encoding="utf-8").count('data-severity="error"') == 3


@pytest.mark.parametrize(("umask", "expected"), [(0o022, 0o644), (0o027, 0o640)])
def test_files_archguard_creates_get_the_users_umask_and_the_cache_stays_private(tmp_path: Path, umask: int, expected: int) -> None:
    import os
    import stat

    root = make_project(tmp_path, FILES, CONTRACT)
    previous = os.umask(umask)  # the CLI subprocesses inherit it
    try:
        assert run_cli("baseline", cwd=root).returncode == 0
        checked = run_cli("check", "--no-baseline", "--output", "sarif=reports/check.sarif", "--output", "text", cwd=root)
        assert checked.returncode == 1, checked.stderr
        drawn = run_cli("graph", "--html", "reports/page.html", "--no-cache", cwd=root)
        assert drawn.returncode == 0, drawn.stderr
    finally:
        os.umask(previous)
    for created in ("arch/baseline.json", "reports/check.sarif", "reports/page.html"):
        assert stat.S_IMODE((root / created).stat().st_mode) == expected, created
    cache_files = [path for path in (root / ".archguard_cache").rglob("*") if path.is_file()]
    assert cache_files
    assert {stat.S_IMODE(path.stat().st_mode) for path in cache_files} == {0o600}
