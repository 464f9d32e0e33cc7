"""Replay: an identical check whose inputs did not change writes the same reports again."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import make_project, run_cli

CONTRACT = """
[components]
api = { modules = ["shop.api"] }
domain = { modules = ["shop.domain"] }
root = { modules = ["shop:*"] }

[[rules]]
kind = "layers"
layers = ["api", "domain"]
"""

FILES: dict[str, str | bytes] = {
    "shop/__init__.py": "",
    "shop/api/__init__.py": "",
    "shop/api/views.py": "from shop.domain import models\n",
    "shop/domain/__init__.py": "",
    "shop/domain/models.py": "def f():\n    from shop.api import views\n",
}

REPLAYED = "replayed: nothing changed"


def project(tmp_path: Path) -> Path:
    return make_project(tmp_path, dict(FILES), CONTRACT)


def test_an_identical_check_is_replayed_with_the_same_output_and_exit_code(tmp_path: Path) -> None:
    root = project(tmp_path)
    first = run_cli("check", "-f", "json", cwd=root)
    second = run_cli("check", "-f", "json", cwd=root)
    assert first.returncode == second.returncode == 1
    assert REPLAYED not in first.stderr and REPLAYED in second.stderr
    assert second.stdout == first.stdout
    assert json.loads(second.stdout)["summary"]["errors"] == 1


def test_any_changed_input_runs_the_check_again(tmp_path: Path) -> None:
    root = project(tmp_path)
    run_cli("check", cwd=root)
    # An edited file: the violation is gone, and the report says so.
    (root / "shop/domain/models.py").write_text("def f():\n    return 1\n")
    edited = run_cli("check", cwd=root)
    assert REPLAYED not in edited.stderr and edited.returncode == 0
    assert run_cli("check", cwd=root).returncode == 0  # and that run is replayed in turn
    # A new file, another contract, other options, a baseline file: each runs again.
    (root / "shop/domain/extra.py").write_text("from shop.api import views\n")
    added = run_cli("check", cwd=root)
    assert REPLAYED not in added.stderr and added.returncode == 1
    (root / "shop/domain/extra.py").unlink()  # and removed again: back to a clean tree
    removed = run_cli("check", cwd=root)
    assert REPLAYED not in removed.stderr and removed.returncode == 0
    (root / "archguard.toml").write_text(CONTRACT + "allow_indirect = true\n")
    assert REPLAYED not in run_cli("check", cwd=root).stderr
    assert REPLAYED not in run_cli("check", "-q", cwd=root).stderr
    (root / "archguard-baseline.json").write_text("not json")
    baseline = run_cli("check", cwd=root)
    assert REPLAYED not in baseline.stderr and baseline.returncode == 2  # a broken baseline is reported


def test_report_files_are_written_again_on_replay(tmp_path: Path) -> None:
    root = project(tmp_path)
    sarif = tmp_path / "out" / "report.sarif"
    first = run_cli("check", "--output", f"sarif={sarif}", cwd=root)
    content = sarif.read_text()
    sarif.unlink()
    second = run_cli("check", "--output", f"sarif={sarif}", cwd=root)
    assert REPLAYED in second.stderr
    assert sarif.read_text() == content
    assert second.stdout == first.stdout


def test_no_replay_without_the_cache_or_in_diff_mode_or_when_disabled(tmp_path: Path) -> None:
    root = project(tmp_path)
    run_cli("check", cwd=root)
    assert REPLAYED not in run_cli("check", "--no-cache", cwd=root).stderr
    assert REPLAYED not in run_cli("check", cwd=root, env={"ARCHGUARD_NO_REPLAY": "1"}).stderr


def test_a_corrupt_replay_entry_is_ignored(tmp_path: Path) -> None:
    root = project(tmp_path)
    first = run_cli("check", cwd=root)
    (entry,) = (root / ".archguard_cache").glob("replay-*.json")
    entry.write_text("{ truncated")
    again = run_cli("check", cwd=root)
    assert REPLAYED not in again.stderr and again.stdout == first.stdout
    assert REPLAYED in run_cli("check", cwd=root).stderr  # rewritten by the run above
