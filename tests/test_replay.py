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
    # A caller may prepare for the parse on such a miss; other misses are not announced.
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


def test_a_small_change_is_read_in_this_process_without_libcst(tmp_path: Path) -> None:
    # In a fresh interpreter (as the command line is): a few small files are read here, by the
    # fast reader, with no fork server and no libcst; a file in syntax this Python rejects
    # but libcst reads (PEP 695 on 3.11) is read by libcst.
    import os
    import subprocess
    import sys

    script = (
        "import sys\n"
        "import multiprocessing.forkserver as forkserver\n"
        "from archguard.analysis.read.pool import extract_all\n"
        "small = [b'import os\\nfrom shop import models\\n', b'def f():\\n    import json\\n']\n"
        "facts = extract_all(small, 2)\n"
        "print('libcst' in sys.modules, forkserver._forkserver._forkserver_pid is None, [i.module for f in facts for i in f.imports])\n"
        "extract_all([b'type Alias = int\\nimport os\\n'], 2)\n"
        "print('libcst' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    lines = done.stdout.strip().splitlines()
    assert lines[0] == "False True ['os', 'shop', 'json']", done.stderr
    if sys.version_info < (3, 12):
        assert lines[1] == "True", done.stderr


IMPORTLINTER = """
[importlinter]
root_package = shop

[importlinter:contract:layers]
name = layers
type = layers
layers =
    shop.api
    shop.domain
"""


@pytest.mark.parametrize("config", [None, ".importlinter"])
def test_an_import_linter_configuration_is_replayed_too(tmp_path: Path, config: str | None) -> None:
    from tests.helpers import write_tree

    root = write_tree(tmp_path, {**FILES, ".importlinter": IMPORTLINTER})
    options = ("--config", config) if config else ()
    first = run_cli("check", *options, cwd=root)
    second = run_cli("check", *options, cwd=root)
    assert first.returncode == second.returncode == 1, first.stderr
    assert REPLAYED not in first.stderr and REPLAYED in second.stderr
    assert second.stdout == first.stdout
    if config is None:  # the notice that the configuration was found is said again
        assert "using the import-linter configuration" in second.stderr
    # An edit that keeps the layers: checked again, and kept.
    (root / "shop/domain/models.py").write_text("def f():\n    return 1\n")
    edited = run_cli("check", *options, cwd=root)
    assert REPLAYED not in edited.stderr and edited.returncode == 0
    # A module added where import-linter's discovery does not look (a folder without
    # __init__.py inside the package) changes nothing it sees: replayed.
    (root / "shop/api/scripts").mkdir()
    (root / "shop/api/scripts/tool.py").write_text("from shop.api import views\n")
    assert REPLAYED in run_cli("check", *options, cwd=root).stderr
    # One it sees: checked again.
    (root / "shop/api/more.py").write_text("X = 1\n")
    assert REPLAYED not in run_cli("check", *options, cwd=root).stderr
    # Selecting a contract is part of the command line: its own entry.
    selected = run_cli("check", *options, "--contract", "layers", cwd=root)
    assert REPLAYED not in selected.stderr and selected.returncode == 0
    assert REPLAYED in run_cli("check", *options, "--contract", "layers", cwd=root).stderr


HEAVY = ("networkx", "pydantic", "libcst")
# Runs the console command in this interpreter and prints which heavy packages it imported.
IMPORTS_PROBE = """
import sys
import archguard.cli as cli
HEAVY = ("networkx", "pydantic", "libcst")

def built_validators():
    # archguard's pydantic models whose validator was built in this run (defer_build: only on use)
    if "pydantic" not in sys.modules:
        return []
    from pydantic import BaseModel
    found, todo = [], [BaseModel]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("archguard") and sub.__pydantic_complete__:
                found.append(sub.__name__)
    return sorted(set(found))

def report(done):
    heavy = sorted({name.split(".")[0] for name in sys.modules} & set(HEAVY))
    print("imported:", ",".join(heavy), file=sys.stderr)
    print("validators:", ",".join(built_validators()), file=sys.stderr)
    raise done

cli.exit_now = report
sys.argv = ["archguard", *sys.argv[1:]]
cli.main()
"""


def imported_heavy(root: Path, *args: str) -> tuple[set[str], str]:
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent), "NO_COLOR": "1"}
    for name in ("GITHUB_STEP_SUMMARY", "ARCHGUARD_NO_REPLAY"):
        env.pop(name, None)
    done = subprocess.run([sys.executable, "-c", IMPORTS_PROBE, *args], capture_output=True, text=True, cwd=root, env=env, timeout=120)
    line = next(line for line in done.stderr.splitlines() if line.startswith("imported:"))
    return {name for name in line.partition(":")[2].strip().split(",") if name}, done.stderr


@pytest.mark.parametrize("config", ["archguard.toml", ".importlinter"])
def test_a_warm_run_with_nothing_changed_imports_neither_networkx_pydantic_nor_libcst(tmp_path: Path, config: str) -> None:
    from tests.helpers import write_tree

    root = write_tree(tmp_path, {**FILES, ".importlinter": IMPORTLINTER, "archguard.toml": CONTRACT})
    first, _ = imported_heavy(root, "check", "--config", config)
    # a real run, the contract validated (the graph needs no networkx); every value of the
    # contract has its field's type and an import-linter configuration's fields are parsed by
    # archguard itself: their records are taken without pydantic (record.checked)
    assert "pydantic" not in first and "networkx" not in first
    warm, stderr = imported_heavy(root, "check", "--config", config)
    assert REPLAYED in stderr
    assert warm == set(), stderr


@pytest.mark.parametrize("config", ["archguard.toml", ".importlinter"])
def test_a_run_after_one_file_was_edited_imports_neither_libcst_nor_pydantic(tmp_path: Path, config: str) -> None:
    from tests.helpers import write_tree

    root = write_tree(tmp_path, {**FILES, ".importlinter": IMPORTLINTER, "archguard.toml": CONTRACT})
    run_cli("check", "--config", config, cwd=root)
    (root / "shop/api/views.py").write_text("from shop.domain import models\nimport json\n")
    edited, stderr = imported_heavy(root, "check", "--config", config)
    assert REPLAYED not in stderr and "1 parsed" in stderr
    assert "libcst" not in edited, stderr
    # The contract validated on the first run: rebuilt from its cache as records, without
    # importing pydantic (0.08-0.1 s) or building a validator (0.04-0.1 s).
    assert "pydantic" not in edited, stderr
    assert validators_built(stderr) == [], stderr


def validators_built(stderr: str) -> list[str]:
    """The models whose validator the probed run built (IMPORTS_PROBE's ``validators:`` line)."""
    line = next(line for line in stderr.splitlines() if line.startswith("validators:"))
    return [name for name in line.partition(":")[2].strip().split(",") if name]
