"""Hostile repositories (issue 19): a tree from a fork's pull request can neither hang archguard,
exhaust its memory, make it write outside the project, forge lines of its output, nor leave
its processes running.

Every run here is a real ``archguard`` subprocess in its own process group, with a wall-clock
bound, an address-space cap (a regression fails with a MemoryError instead of eating the
machine) and its peak memory measured (``wait4``); the folder around the project is
snapshotted before and after. Tests run as root on CI: the case that needs permission bits
to mean something runs as an unprivileged user through ``setpriv``, or is skipped saying why.
"""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archguard.analysis.cache import CACHE_DIR_NAME, MAGIC, content_hash
from tests.git_helpers import init_repo
from tests.helpers import REPO, make_project, write_tree

BOUND_SECONDS = 60.0  # any run: a hang fails the test instead of blocking the suite
MEMORY_BOUND = 500 * 1024 * 1024  # peak RSS of archguard's process, bytes
ADDRESS_SPACE_CAP = 3 * 1024 * 1024 * 1024  # beyond this an allocation fails (a regression stays contained)
FORMATS = ("text", "json", "sarif", "junit", "github", "markdown", "agent")

CONTRACT = """
[project]
packages = ["shop"]

[components]
api = { modules = ["shop.api"] }
core = { modules = ["shop.core", "shop:*"] }

[[rules]]
kind = "layers"
name = "layers"
layers = ["api", "core"]
"""

FILES: dict[str, str | bytes] = {
    "shop/__init__.py": "",
    "shop/api.py": "from shop import core\n",
    "shop/core.py": "import json\nfrom shop import api\n",  # an upward import: one finding
}


@dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float
    peak_bytes: int


def _limit_address_space() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE_CAP, ADDRESS_SPACE_CAP))


def run_bounded(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = BOUND_SECONDS) -> Run:
    """``python -m archguard ARGS`` in its own session: wall time, exit code, output and the
    peak RSS of archguard's process (from ``wait4``). A run over ``timeout`` is killed with its
    whole process group and fails the test."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1", **(env or {})}
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"):
        full_env.pop(name, None)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.monotonic()
        process = subprocess.Popen(
            [sys.executable, "-m", "archguard", *args],
            cwd=cwd,
            env=full_env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
            preexec_fn=_limit_address_space,
        )
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() - started > timeout:
                os.killpg(process.pid, signal.SIGKILL)
                os.wait4(process.pid, 0)
                process.returncode = -9
                pytest.fail(f"archguard {' '.join(args)} did not finish within {timeout:.0f} s")
            time.sleep(0.02)
        seconds = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Run(process.returncode, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"), seconds, usage.ru_maxrss * 1024)


def assert_sane(run: Run, *codes: int) -> None:
    """The run ended by itself, with one of ``codes``, no traceback, within the memory bound."""
    assert run.returncode in codes, (run.returncode, run.stdout[-2000:], run.stderr[-2000:])
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run.stderr
    assert run.peak_bytes < MEMORY_BOUND, f"peak RSS {run.peak_bytes / 2**20:.0f} MiB"


def snapshot(folder: Path, skip: Path | None = None) -> dict[str, tuple[str, int, int]]:
    """Every entry below ``folder`` (symlinks not followed): kind, size, modification time."""
    found: dict[str, tuple[str, int, int]] = {}
    for directory, folders, files in os.walk(folder):
        if skip is not None and Path(directory) == skip:
            folders.clear()
            continue
        for name in folders + files:
            path = Path(directory) / name
            if skip is not None and path == skip:
                continue
            info = path.lstat()
            kind = "link" if stat.S_ISLNK(info.st_mode) else "dir" if stat.S_ISDIR(info.st_mode) else "file"
            found[path.relative_to(folder).as_posix()] = (kind, info.st_size if kind == "file" else 0, info.st_mtime_ns if kind == "file" else 0)
    return found


def project(tmp_path: Path, files: dict[str, str | bytes] | None = None, contract: str = CONTRACT) -> Path:
    return make_project(tmp_path / "project", files or dict(FILES), contract)


def alive_in_group(group: int) -> list[int]:
    """Processes of a process group that are still running (zombies waiting for init are not)."""
    members = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="utf-8", errors="replace") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] not in ("Z", "X"):
            members.append(int(entry))
    return members


# --- 1. hangs: FIFOs where files are expected ---------------------------------------------------------

IMPORTLINTER = """
[importlinter]
root_package = shop

[importlinter:contract:layers]
name = layers
type = layers
layers =
    shop.api
    shop.core
"""


def test_a_fifo_module_is_reported_not_opened_under_the_import_linter_discovery(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "project", dict(FILES))
    (root / ".importlinter").write_text(IMPORTLINTER, encoding="utf-8")
    os.mkfifo(root / "shop" / "pipe.py")
    run = run_bounded("check", "--no-cache", "--format", "json", cwd=root)
    assert_sane(run, 1)
    findings = {(f["rule"], f["kind"], f["path"]) for f in json.loads(run.stdout)["findings"]}
    assert ("discovery", "not-a-file", "shop/pipe.py") in findings
    assert ("importlinter-layers", "direct", "shop/core.py") in findings  # the rest of the tree is still checked


def test_a_fifo_module_is_reported_not_opened_with_import_linter_resolution(tmp_path: Path) -> None:
    root = project(tmp_path, contract=CONTRACT.replace('packages = ["shop"]', 'packages = ["shop"]\nresolution = "import-linter"'))
    os.mkfifo(root / "shop" / "pipe.py")
    run = run_bounded("check", "--no-cache", "--format", "json", cwd=root)
    assert_sane(run, 1)
    problem = next(f for f in json.loads(run.stdout)["findings"] if f["path"] == "shop/pipe.py")
    assert (problem["kind"], problem["message"]) == ("not-a-file", "a FIFO, not a regular file; never opened")


def test_a_fifo_baseline_is_refused_at_once(tmp_path: Path) -> None:
    root = project(tmp_path)
    os.mkfifo(root / "accepted.json")
    run = run_bounded("check", "--no-cache", "--baseline", "accepted.json", cwd=root)
    assert_sane(run, 2)
    assert "accepted.json: cannot read the baseline: a FIFO, not a regular file; never opened" in run.stderr


@pytest.mark.parametrize("plant", ["fifo", "dev-zero"])
def test_planted_cache_files_are_ignored_and_the_verdict_stands(tmp_path: Path, plant: str) -> None:
    root = project(tmp_path)
    reference = run_bounded("check", "--no-cache", "--format", "json", cwd=root)
    assert_sane(reference, 1)
    assert_sane(run_bounded("check", "--format", "json", cwd=root), 1)  # writes the cache and a replay record
    cache = root / CACHE_DIR_NAME
    planted = sorted({p.name for p in cache.iterdir() if p.name != ".gitignore"} | {"digests.bin"})  # (no digests for racy files)
    assert all(any(n.startswith(kind) for n in planted) for kind in ("facts-", "replay-", "contract-"))
    for name in planted:
        (cache / name).unlink(missing_ok=True)
        if plant == "fifo":
            os.mkfifo(cache / name)
        else:
            (cache / name).symlink_to("/dev/zero")
    run = run_bounded("check", "--format", "json", cwd=root)
    assert_sane(run, 1)
    assert run.stdout == reference.stdout


def test_a_facts_cache_committed_to_the_tree_cannot_hide_a_violation(tmp_path: Path) -> None:
    import hashlib
    import marshal

    root = project(tmp_path)
    assert_sane(run_bounded("check", cwd=root, env={"ARCHGUARD_NO_REPLAY": "1"}), 1)
    (facts_file,) = (root / CACHE_DIR_NAME).glob("facts-*.bin")
    version, key, entries = marshal.loads(facts_file.read_bytes()[len(MAGIC) + 32 :])
    violating = content_hash((root / "shop" / "core.py").read_bytes())
    entries[violating] = ((), *entries[violating][1:])  # forged: the file with the upward import "imports nothing"
    payload = marshal.dumps((version, key, entries))
    facts_file.unlink()
    facts_file.write_bytes(MAGIC + hashlib.sha256(payload).digest() + payload)  # as a checkout writes it: 0644
    (root / CACHE_DIR_NAME / "digests.bin").unlink(missing_ok=True)
    run = run_bounded("check", "--format", "json", cwd=root, env={"ARCHGUARD_NO_REPLAY": "1"})
    assert_sane(run, 1)
    assert [(f["rule"], f["path"]) for f in json.loads(run.stdout)["findings"]] == [("layers", "shop/core.py")]


# --- 2. memory: symlinks to endless devices -------------------------------------------------------------

def test_a_baseline_symlinked_to_dev_zero_is_refused_without_reading_it(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "archguard-baseline.json").symlink_to("/dev/zero")  # the default baseline path
    run = run_bounded("check", "--no-cache", cwd=root)
    assert_sane(run, 2)
    assert "cannot read the baseline: a symlink leads it outside" in run.stderr


def test_a_baseline_given_on_the_command_line_must_still_be_a_regular_file(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "given.json").symlink_to("/dev/zero")
    run = run_bounded("check", "--no-cache", "--baseline", "given.json", cwd=root)
    assert_sane(run, 2)
    assert "a character device, not a regular file; never opened" in run.stderr


# --- 3. writes outside the project ----------------------------------------------------------------------

@pytest.mark.parametrize("target", ["..", "shop"])
def test_a_symlinked_cache_folder_is_not_used_and_nothing_is_written_through_it(tmp_path: Path, target: str) -> None:
    root = project(tmp_path)
    (tmp_path / "parent-file.txt").write_text("mine\n", encoding="utf-8")
    (root / CACHE_DIR_NAME).symlink_to(target)
    before, inside_before = snapshot(tmp_path, skip=root), snapshot(root / "shop")
    for _ in range(2):
        run = run_bounded("check", cwd=root)
        assert_sane(run, 1)
        assert run.stderr.count(f"archguard: warning: {CACHE_DIR_NAME} is a symlink to") == 1, run.stderr
    assert snapshot(tmp_path, skip=root) == before
    assert snapshot(root / "shop") == inside_before  # no cache file and no .gitignore among the sources


def test_a_report_path_that_is_a_symlink_is_replaced_never_written_through(tmp_path: Path) -> None:
    root = project(tmp_path)
    victim = tmp_path / "victim.txt"
    victim.write_text("precious\n", encoding="utf-8")
    (root / "archguard.sarif").symlink_to(victim)
    run = run_bounded("check", "--no-cache", "--output", "sarif=archguard.sarif", cwd=root)
    assert_sane(run, 1)
    assert victim.read_text(encoding="utf-8") == "precious\n"
    assert not (root / "archguard.sarif").is_symlink()
    assert json.loads((root / "archguard.sarif").read_text(encoding="utf-8"))["version"] == "2.1.0"


def test_a_report_path_through_a_symlinked_folder_leaving_the_working_directory_is_refused(tmp_path: Path) -> None:
    root = project(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "reports").symlink_to(outside)
    before = snapshot(tmp_path, skip=root)
    run = run_bounded("check", "--no-cache", "--output", "json=reports/out.json", cwd=root)
    assert_sane(run, 2)
    assert "cannot write the json report to reports/out.json: a symlink leads it outside" in run.stderr
    assert snapshot(tmp_path, skip=root) == before


@pytest.mark.parametrize(
    ("setting", "key"),
    [
        ('roots = ["../elsewhere"]', "project.roots[0]"),
        ('roots = ["/tmp"]', "project.roots[0]"),
        ('exclude = ["../**"]', "project.exclude[0]"),
        ('baseline = "../baseline.json"', "project.baseline"),
    ],
)
def test_contract_paths_outside_the_project_are_contract_errors(tmp_path: Path, setting: str, key: str) -> None:
    (tmp_path / "elsewhere" / "other").mkdir(parents=True)
    (tmp_path / "elsewhere" / "other" / "__init__.py").write_text("import secret\n", encoding="utf-8")
    root = project(tmp_path, contract=CONTRACT.replace("[project]\n", f"[project]\n{setting}\n"))
    run = run_bounded("check", "--no-cache", cwd=root)
    assert_sane(run, 2)
    assert f"archguard.toml:2: {key}: " in run.stderr and "is outside the project root" in run.stderr


def test_a_source_root_symlinked_out_of_the_project_is_a_contract_error(tmp_path: Path) -> None:
    write_tree(tmp_path / "elsewhere", {"shop/__init__.py": "", "shop/api.py": "import secret\n"})
    (tmp_path / "project").mkdir()
    root = make_project(tmp_path / "project", {}, CONTRACT.replace("[project]\n", '[project]\nroots = ["src"]\n'))
    (root / "src").symlink_to(tmp_path / "elsewhere")
    run = run_bounded("check", "--no-cache", cwd=root)
    assert_sane(run, 2)
    assert "project.roots[0]: source root 'src' is a symlink that leads outside the project root" in run.stderr


# --- 4. forged output: names from the tree in every format ------------------------------------------------

FORGED_FILE = "x\n::error file=forged.py,line=1::FORGED.py"
HOSTILE_CONTRACT = """
[project]
packages = ["shop"]

[components]
api = { modules = ["shop.api"] }
core = { modules = ["shop.core", "shop:*"] }

[[rules]]
kind = "layers"
name = "layers\\n::error file=rule.py,line=1::FORGED-RULE\\u001b[2J"
layers = ["api", "core"]

[[rules]]
kind = "forbidden"
name = "no requests"
from = ["core"]
to = ["external:requests"]
"""


def hostile_project(root: Path) -> Path:
    files: dict[str, str | bytes] = {
        **FILES,
        # A dynamic import whose literal carries ESC and BEL bytes: its import text reaches the reports.
        "shop/core.py": b'import importlib\nfrom shop import api\nimportlib.import_module("requests.\x1b[31mred\x07")\n',
    }
    make_project(root, files, HOSTILE_CONTRACT)
    (root / "shop" / FORGED_FILE).write_text("import os\n", encoding="utf-8")
    (root / "shop" / "e\x1b[31mred\x07.py").write_text("import os\n", encoding="utf-8")
    return root


def forged_lines(text: str) -> list[str]:
    """Lines that would act in a CI log or a terminal: a workflow command that archguard did not
    write (every genuine one names a real file and carries no raw newline), or any control byte."""
    bad = []
    for line in text.splitlines():
        stripped = line.lstrip()
        if stripped.startswith(("::", "##[")) and not re.match(r"::(error|warning) file=(shop/|archguard\.toml)", stripped):
            bad.append(line)
        if re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", line):
            bad.append(line)
    return bad


def test_names_from_the_tree_forge_no_line_in_any_format(tmp_path: Path, update_goldens: bool) -> None:
    root = hostile_project(tmp_path / "project")
    out = tmp_path / "reports"
    out.mkdir()
    specs = [f"--output={fmt}={out / fmt}" for fmt in FORMATS if fmt != "text"]
    run = run_bounded("check", "--no-cache", "-j", "1", *specs, cwd=root)
    assert_sane(run, 1)
    reports = {"text": run.stdout} | {fmt: (out / fmt).read_text(encoding="utf-8") for fmt in FORMATS if fmt != "text"}
    for fmt, text in reports.items():
        assert forged_lines(text) == [], fmt
        assert "FORGED" in text, fmt  # the hostile names are there, escaped, not dropped
    assert forged_lines(run.stderr) == []
    from tests.test_report_formats import compare_golden, normalise

    for fmt, text in reports.items():
        compare_golden(f"hostile/check.{fmt}", normalise(text), update_goldens)


@pytest.mark.parametrize("fmt", ["dot", "mermaid"])
def test_names_from_the_tree_and_the_contract_forge_no_line_in_a_printed_graph(tmp_path: Path, fmt: str) -> None:
    root = hostile_project(tmp_path / "project")
    contract = (root / "archguard.toml").read_text(encoding="utf-8")
    described = 'core = { modules = ["shop.core", "shop:*"], description = "d\\n::error file=d.py::FORGED\\u0007" }'
    contract = contract.replace('core = { modules = ["shop.core", "shop:*"] }', described)
    (root / "archguard.toml").write_text(contract, encoding="utf-8")
    run = run_bounded("graph", "--format", fmt, "--no-cache", cwd=root)
    assert_sane(run, 0)
    assert "FORGED" in run.stdout
    assert forged_lines(run.stdout) == []


def test_github_annotations_escape_every_property_and_control_character(tmp_path: Path) -> None:
    root = hostile_project(tmp_path / "project")
    run = run_bounded("check", "--no-cache", "--format", "github", cwd=root)
    assert_sane(run, 1)
    forged = next(line for line in run.stdout.splitlines() if "FORGED.py" in line)
    assert forged.startswith("::warning file=shop/x%0A%3A%3Aerror file=forged.py%2Cline=1%3A%3AFORGED.py,")
    assert "\\x1b" in run.stdout and "\x1b" not in run.stdout


# --- 5. orphans: the parsing pool dies with archguard --------------------------------------------------------

def big_project(tmp_path: Path, modules: int = 120) -> Path:
    body = "".join(f"def f{i}(x):\n    y = [a for a in range({i}) if a % 3]\n    return {{'k': x, 'v': y}}\n\n" for i in range(300))
    files: dict[str, str | bytes] = {"shop/__init__.py": ""}
    for i in range(modules):
        files[f"shop/m{i}.py"] = f"import os\nfrom shop import m{(i + 1) % modules}\n" + body
    return make_project(tmp_path / "project", files, "[project]\npackages = ['shop']\n[components]\nall = { modules = ['shop'] }\n")


def start_check(root: Path, *extra: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "archguard", "check", "--jobs", "2", "-q", *extra],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
        preexec_fn=_limit_address_space,
    )


def wait_for_workers(process: subprocess.Popen[bytes], count: int = 4, timeout: float = 30.0) -> None:
    """Until archguard, its fork server and workers run (the parse is under way)."""
    started = time.monotonic()
    while len(alive_in_group(process.pid)) < count:
        if process.poll() is not None or time.monotonic() - started > timeout:
            pytest.skip("the run ended before its workers could be seen (a very fast machine)")
        time.sleep(0.05)


@pytest.mark.parametrize("sent", [signal.SIGKILL, signal.SIGTERM])
def test_no_child_survives_a_killed_archguard(tmp_path: Path, sent: signal.Signals) -> None:
    root = big_project(tmp_path)
    process = start_check(root, "--no-cache")
    wait_for_workers(process)
    os.kill(process.pid, sent)
    process.wait(timeout=10)
    deadline = time.monotonic() + 5
    while alive_in_group(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    survivors = alive_in_group(process.pid)
    for pid in survivors:  # never leave them to the next test
        os.kill(pid, signal.SIGKILL)
    assert survivors == []


def test_ctrl_c_ends_the_run_within_a_second_with_exit_130_and_a_consistent_cache(tmp_path: Path) -> None:
    root = big_project(tmp_path)
    process = start_check(root)
    wait_for_workers(process)
    interrupted = time.monotonic()
    os.kill(process.pid, signal.SIGINT)
    process.wait(timeout=30)
    assert time.monotonic() - interrupted < 1.5
    assert process.returncode == 130
    assert process.stderr is not None and b"archguard: interrupted" in process.stderr.read()
    deadline = time.monotonic() + 5
    while alive_in_group(process.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert alive_in_group(process.pid) == []
    for path in (root / CACHE_DIR_NAME).glob("*") if (root / CACHE_DIR_NAME).exists() else []:
        assert not path.name.endswith(".tmp"), path  # no half-written file
        if path.suffix == ".bin":  # the facts, or a validated contract (contract/cache.py)
            assert path.read_bytes().startswith(MAGIC if path.name.startswith("facts-") else b"ARCHGUARD-CONTRACT\x01"), path
    again = run_bounded("check", "--format", "json", cwd=root, env={"ARCHGUARD_NO_REPLAY": "1"}, timeout=300)
    assert_sane(again, 0)  # the cache it left (if any) loads, and the whole tree is analysed
    assert json.loads(again.stdout)["summary"]["files"] == 121


# --- 7. green by accident ------------------------------------------------------------------------------------

@pytest.mark.parametrize("contract", ["", '[project]\npackages = ["shop"]\n'], ids=["empty", "project-only"])
def test_a_contract_that_declares_nothing_checked_nothing(tmp_path: Path, contract: str) -> None:
    root = make_project(tmp_path / "project", dict(FILES), contract)
    run = run_bounded("check", "--no-cache", cwd=root)
    assert_sane(run, 2)
    assert "checked nothing: the contract declares no component and no rule" in run.stderr


# --- 8. fragile points ------------------------------------------------------------------------------------------

def test_a_boolean_is_not_a_file_size(tmp_path: Path) -> None:
    root = project(tmp_path, contract=CONTRACT.replace("[project]\n", "[project]\nmax_file_size = true\n"))
    run = run_bounded("check", "--no-cache", cwd=root)
    assert_sane(run, 2)
    assert "archguard.toml:2: project.max_file_size: input should be a valid integer, got True" in run.stderr


def test_a_fifo_contract_is_an_error_not_a_missing_contract(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "project", dict(FILES))
    os.mkfifo(root / "archguard.toml")
    run = run_bounded("check", "--no-cache", cwd=root)
    assert_sane(run, 2)
    assert "archguard.toml: cannot read contract: a FIFO, not a regular file; never opened" in run.stderr


def test_fix_apply_refuses_a_symlinked_module_and_writes_nothing(tmp_path: Path) -> None:
    from tests.test_fix import BILLING
    from tests.test_fix import CONTRACT as FIX_CONTRACT

    views = "from shop.billing.internal.invoices import Invoice\n"
    root = make_project(tmp_path / "project", {**BILLING, "src/shop/web/real_views.py": views}, FIX_CONTRACT)
    (root / "src/shop/web/views.py").symlink_to("real_views.py")
    run = run_bounded("fix", "--apply", "--no-cache", cwd=root)
    assert_sane(run, 2)
    assert "src/shop/web/views.py is a symlink (to real_views.py)" in run.stderr
    assert (root / "src/shop/web/views.py").is_symlink()
    assert (root / "src/shop/web/real_views.py").read_text(encoding="utf-8") == views


def test_diff_mode_never_runs_the_repositorys_fsmonitor_hook(tmp_path: Path) -> None:
    root = init_repo(tmp_path / "project", dict(FILES), CONTRACT)
    marker = tmp_path / "hook-ran"
    hook = tmp_path / "hook.sh"
    hook.write_text(f"#!/bin/sh\ntouch {marker}\n", encoding="utf-8")
    hook.chmod(0o755)
    subprocess.run(["git", "config", "core.fsmonitor", str(hook)], cwd=root, check=True)
    (root / "shop" / "api.py").write_text("from shop import core\nimport os\n", encoding="utf-8")
    run = run_bounded("check", "--no-cache", "--diff", "HEAD", cwd=root)
    assert_sane(run, 0)
    assert not marker.exists()


def test_a_blob_over_the_size_bound_is_never_read_from_git(tmp_path: Path) -> None:
    from tests.git_helpers import commit_all, edit

    contract = CONTRACT.replace("[project]\n", "[project]\nmax_file_size = 5000\n")
    root = init_repo(tmp_path / "project", dict(FILES), contract)
    edit(root, {"shop/generated.py": "import json\n" + "X = 1\n" * 20_000})
    commit_all(root, "a generated file")
    run = run_bounded("diff", "HEAD~1", "HEAD", "--format", "json", "--no-cache", cwd=root)
    assert_sane(run, 0, 1)
    (too_large,) = [f for f in json.loads(run.stdout)["new"] if f["path"] == "shop/generated.py" and f["rule"] == "parse-error"]
    assert "120,012 bytes > max_file_size 5,000" in too_large["message"]


def test_an_expression_too_deep_for_the_parser_keeps_its_imports(tmp_path: Path) -> None:
    deep = "import json\nfrom shop import api\nTOTAL = " + " + ".join(f"a{i}" for i in range(20_000)) + "\nimport csv\n"
    root = project(tmp_path, {**FILES, "shop/core.py": deep})
    run = run_bounded("check", "--no-cache", "--format", "json", cwd=root)
    assert_sane(run, 1)
    findings = {(f["rule"], f["path"], f["line"]): f["message"] for f in json.loads(run.stdout)["findings"]}
    assert ("layers", "shop/core.py", 2) in findings  # the upward import is still seen
    message = findings["parse-error", "shop/core.py", 1]
    assert "too deeply nested" in message and "3 imports found by a token scan" in message


def test_a_cache_dir_whose_parent_is_missing_is_refused_and_nothing_is_created(tmp_path: Path) -> None:
    root = project(tmp_path)
    run = run_bounded("check", "--cache-dir", str(tmp_path / "nonexistent" / "deep" / "x"), cwd=root)
    assert_sane(run, 2)
    assert "does not exist" in run.stderr
    assert not (tmp_path / "nonexistent").exists()


# --- as an unprivileged user: permission bits mean something -------------------------------------------------

NOBODY = 65534


def _unprivileged() -> list[str]:
    """The command prefix that runs a program without the power to ignore permission bits: as
    an unprivileged user, else (when the interpreter is not readable by one) as root without
    any capability. A skip saying why when neither is possible."""
    if os.geteuid() != 0:
        return []  # already unprivileged
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: cannot drop privileges for this case")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for prefix in (
        [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"],
        [setpriv, "--bounding-set=-all", "--inh-caps=-all"],  # root bound by permission bits like any user
    ):
        if subprocess.run([*prefix, sys.executable, "-c", "import archguard"], env=env, capture_output=True).returncode == 0:
            return prefix
    pytest.skip("setpriv can neither switch to an unprivileged user nor drop root's capabilities here")


def test_unreadable_files_and_a_read_only_tree_are_reported_as_an_unprivileged_user() -> None:
    prefix = _unprivileged()
    base = Path(tempfile.mkdtemp(prefix="archguard-hostile-"))
    try:
        base.chmod(0o755)
        root = project(base)
        (root / "shop" / "secret.py").write_text("import os\n", encoding="utf-8")
        (root / "shop" / "locked").mkdir()
        (root / "shop" / "locked" / "x.py").write_text("import os\n", encoding="utf-8")
        (root / "shop" / "secret.py").chmod(0)
        (root / "shop" / "locked").chmod(0)
        for path in [root, *root.rglob("*")]:
            if path.is_dir() and path.name != "locked":
                path.chmod(0o555)
            elif path.is_file() and path.name != "secret.py":
                path.chmod(0o444)
        env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1", "HOME": str(base)}
        completed = subprocess.run(
            [*prefix, sys.executable, "-m", "archguard", "check", "--format", "json"], cwd=root, env=env, capture_output=True, text=True, timeout=BOUND_SECONDS
        )
        assert completed.returncode == 1, completed.stderr
        assert "Traceback" not in completed.stderr
        findings = {(f["rule"], f["kind"], f["path"]) for f in json.loads(completed.stdout)["findings"]}
        assert ("layers", "direct", "shop/core.py") in findings
        assert any(rule == "parse-error" and path == "shop/secret.py" for rule, _kind, path in findings)
        assert ("discovery", "unreadable", "shop/locked") in findings
        assert not (root / CACHE_DIR_NAME).exists()  # a read-only tree: no cache, no error
    finally:
        for path in [base, *base.rglob("*")]:
            if not path.is_symlink():
                path.chmod(0o700)
        shutil.rmtree(base, ignore_errors=True)


# --- the same invariants over random trees -------------------------------------------------------------------

ODD_NAMES = ["plain", "new\nline", "esc\x1b[31m", "bell\x07", "::error file=f.py::forged", "tab\tbed", "sp ace", "dash-ed", "9lives", "uni\u202eode"]
ENTRY_KINDS = ["module", "package", "fifo", "link-inside", "link-outside", "link-dangling", "link-dev-zero", "link-loop"]


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(st.tuples(st.sampled_from(ENTRY_KINDS), st.sampled_from(ODD_NAMES), st.booleans()), min_size=1, max_size=8))
def test_random_hostile_trees_keep_every_invariant(entries: list[tuple[str, str, bool]]) -> None:
    base = Path(tempfile.mkdtemp(prefix="archguard-hostile-"))
    try:
        outside = write_tree(base / "outside", {"secret.py": "import secret\n"})
        root = project(base)
        for number, (kind, odd, python) in enumerate(entries):
            name = f"{odd}{number}" + (".py" if python else "")
            path = root / "shop" / name
            if kind == "module":
                path.write_text("from shop import api\n", encoding="utf-8")
            elif kind == "package":
                path.mkdir()
                (path / "__init__.py").write_text("import shop.core\n", encoding="utf-8")
            elif kind == "fifo":
                os.mkfifo(path)
            elif kind == "link-inside":
                path.symlink_to(root / "shop" / "api.py")
            elif kind == "link-outside":
                path.symlink_to(outside / "secret.py")
            elif kind == "link-dangling":
                path.symlink_to(root / "nowhere.py")
            elif kind == "link-dev-zero":
                path.symlink_to("/dev/zero")
            else:
                path.symlink_to(root / "shop")
        before = snapshot(base, skip=root)
        for fmt in ("text", "github"):
            run = run_bounded("check", "--format", fmt, cwd=root, timeout=45)
            assert_sane(run, 0, 1)
            assert forged_lines(run.stdout) == [] and forged_lines(run.stderr) == []
        assert snapshot(base, skip=root) == before
    finally:
        shutil.rmtree(base, ignore_errors=True)
