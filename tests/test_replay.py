"""Replay: an identical check whose inputs did not change writes the same reports again."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

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


def test_a_miss_from_an_edited_or_added_file_is_announced_so_the_run_can_prepare_to_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # The command line starts the parsing pool's fork server on such a miss (one worker with
    # libcst loaded parses the edit while the run imports its modules); other misses do not.
    import os

    from archguard.cli.replay import prepare, replay

    root = project(tmp_path)
    environ = {**os.environ, "NO_COLOR": "1"}
    environ.pop("GITHUB_STEP_SUMMARY", None)
    environ.pop("ARCHGUARD_NO_REPLAY", None)
    monkeypatch.chdir(root)

    def attempt() -> tuple[int | None, int]:
        invocation = prepare([], environ)
        assert invocation is not None
        edits: list[bool] = []
        code = replay(invocation, on_edit=lambda: edits.append(True))
        return code, len(edits)

    run_cli("check", cwd=root)
    assert attempt() == (1, 0)  # nothing changed: replayed, nothing announced
    (root / "shop/domain/models.py").write_text("def f():\n    return 1\n")
    assert attempt() == (None, 1)  # an edited file
    run_cli("check", cwd=root)
    (root / "shop/domain/extra.py").write_text("X = 1\n")
    assert attempt() == (None, 1)  # an added file
    run_cli("check", cwd=root)
    (root / "shop/domain/extra.py").unlink()
    assert attempt() == (None, 0)  # a removed file: nothing new to parse
    run_cli("check", cwd=root)
    (root / "archguard.toml").write_text(CONTRACT + "allow_indirect = true\n")
    assert attempt() == (None, 0)  # another contract: the facts are all cached
    capsys.readouterr()


def test_one_small_file_is_parsed_by_a_worker_when_the_fork_server_is_up(tmp_path: Path) -> None:
    # In a fresh interpreter (as the command line is): with the server started, a small file
    # goes to one worker that has libcst loaded, and this process never imports libcst.
    import os
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from archguard.analysis.read.pool import extract_all\n"
        "small = [b'import os\\nfrom shop import models\\n']\n"
        "before = extract_all(small, 2)\n"  # no server: extracted here, libcst imported here
        "print('here', 'libcst' in sys.modules)\n"
    )
    fresh = (
        "import sys\n"
        "from archguard.analysis.read.pool import extract_all, start_server\n"
        "small = [b'import os\\nfrom shop import models\\n']\n"
        "assert start_server(2)\n"
        "facts = extract_all(small, 2)\n"
        "print('worker', 'libcst' in sys.modules, [i.module for i in facts[0].imports])\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    here = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    worker = subprocess.run([sys.executable, "-c", fresh], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert here.stdout.strip() == "here True", here.stderr
    assert worker.stdout.strip() == "worker False ['os', 'shop']", worker.stderr
