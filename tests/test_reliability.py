"""Reliability and safety: fuzzing, hostile repositories, crash-safe cache, determinism.

Property-based tests run a bounded number of examples in CI; set ARCHGUARD_FUZZ_EXAMPLES for
a longer campaign (e.g. ARCHGUARD_FUZZ_EXAMPLES=20000 python -m pytest tests/test_reliability.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import shutil
import stat
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archguard.analysis.cache import CACHE_DIR_NAME, MAGIC
from archguard.analysis.read import extract_facts
from archguard.base.errors import ContractError
from archguard.contract.loading import parse_contract
from tests.helpers import REPO, make_project, run_check, run_cli, summary, write_tree

FUZZ = int(os.environ.get("ARCHGUARD_FUZZ_EXAMPLES", "60"))
fuzz = settings(max_examples=FUZZ, deadline=None, suppress_health_check=list(HealthCheck))


# --- the extractor never raises ---------------------------------------------------------------

def _assert_sane(data: bytes) -> None:
    facts = extract_facts(data)
    if facts.problem is not None:
        assert facts.problem.line >= 1 and facts.problem.message
    for raw in facts.imports:
        assert raw.line >= 1 and raw.column >= 1 and raw.end_line >= raw.line


@fuzz
@given(hypothesmith.from_grammar())
def test_grammar_generated_programs_never_crash_the_extractor(source: str) -> None:
    _assert_sane(source.encode("utf-8", errors="surrogatepass"))


@fuzz
@given(hypothesmith.from_node())
def test_node_generated_programs_are_parsed_without_problems(source: str) -> None:
    facts = extract_facts(source.encode("utf-8"))
    assert facts.problem is None, (source, facts.problem)


@fuzz
@given(st.binary(max_size=2000))
def test_random_bytes_never_crash_the_extractor(data: bytes) -> None:
    _assert_sane(data)


CHUNKS = [
    b"import os\n", b"from . import x\n", b"def f(:\n", b"\x00", b"\xff\xfe", b"\xef\xbb\xbf", b"# -*- coding: latin-1 -*-\n",
    b"# coding: nope\n", b"if TYPE_CHECKING:\n", b"    import y\n", b"'''", b'"', b"\r\n", b"\r", b"\t", b"(" * 300, b")" * 300,
    b"x = " + b"a" * 5000 + b"\n", b"importlib.import_module('z')\n", b"# archguard: ignore[layers] r\n", b"\\\n", b"class C:\n",
]


@fuzz
@given(st.lists(st.sampled_from(CHUNKS), max_size=30))
def test_mixed_hostile_fragments_never_crash_the_extractor(chunks: list[bytes]) -> None:
    _assert_sane(b"".join(chunks))


def test_huge_lines_and_deep_nesting_are_bounded() -> None:
    assert extract_facts(b"x = '" + b"a" * 5_000_000 + b"'\nimport os\n").imports[0].line == 2
    deep = extract_facts(b"x = " + b"[" * 10_000 + b"]" * 10_000 + b"\n")
    assert deep.problem is not None and "nest" in deep.problem.message
    unary = extract_facts(("x = " + "not " * 10_000 + "y\n").encode())
    assert unary.problem is not None


# --- a hostile repository ------------------------------------------------------------------------

HOSTILE_CONTRACT = """
[project]
packages = ["shop"]

[components]
all = { modules = ["shop"] }

[[rules]]
kind = "forbidden"
from = ["shop.a"]
to = ["external:requests"]
"""


def test_a_hostile_repository_gives_findings_not_crashes(tmp_path: Path) -> None:
    nested = "shop/" + "/".join(f"d{i}" for i in range(60)) + "/deep.py"
    files: dict[str, str | bytes] = {
        "shop/__init__.py": "",
        "shop/a.py": "import requests\n",
        "shop/crlf.py": b"import os\r\nfrom shop import a\r\n",
        "shop/bom.py": b"\xef\xbb\xbfimport shop.a\n",
        "shop/nested.py": "x = " + "(" * 10_000 + ")" * 10_000 + "\n",
        "shop/orders.py": "import json\n",
        "shop/orders/__init__.py": "import csv\n",  # a module and a package of the same name
        "shop/no_init/leaf.py": "import shop.a\n",  # namespace folder without __init__.py
        "shop/9lives.py": "import os\n",  # not an identifier, but importlib reaches it: a module
        "shop/weird.name.py": "import os\n",  # a dot in the name: not a module
        "shop/big.py": b"data = [\n" + b"    1,\n" * 100_000 + b"]\nimport shop.a\n",  # long, but parsed
        "shop/toolarge.py": b"#" * 50_000_000,  # 50 MB: over max_file_size, never parsed
        nested: "import shop.a\n",
    }
    root = make_project(tmp_path, files, HOSTILE_CONTRACT)
    (root / "shop" / "loop").symlink_to(root / "shop")
    (root / "shop" / "out.py").symlink_to("/etc/hostname")
    (root / "shop" / "dangling.py").symlink_to(root / "nope.py")
    os.mkfifo(root / "shop" / "fifo.py")
    result = run_cli("check", "--format", "json", "--no-cache", cwd=root, timeout=600)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    problems = {(f["rule"], f["kind"], f["path"]) for f in report["findings"]}
    assert ("forbidden", "direct", "shop/a.py") in problems
    assert ("parse-error", "parse-error", "shop/nested.py") in problems
    assert ("parse-error", "parse-error", "shop/toolarge.py") in problems
    for kind, path in [
        ("symlink-loop", "shop/loop"),
        ("outside-root", "shop/out.py"),
        ("broken-symlink", "shop/dangling.py"),
        ("not-a-file", "shop/fifo.py"),
        ("not-a-module", "shop/weird.name.py"),
        ("duplicate-module", "shop/orders.py"),  # the package wins, as in Python's import system
    ]:
        assert ("discovery", kind, path) in problems, kind
    assert report["summary"]["files"] >= 8
    assert "Traceback" not in result.stderr
    too_large = next(f for f in report["findings"] if f["path"] == "shop/toolarge.py")
    assert "too large" in too_large["message"]


def test_unreadable_directory_is_reported(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can list any directory")
    root = make_project(tmp_path, {"shop/__init__.py": "", "shop/locked/x.py": ""}, "[components]\nall = { modules = ['shop'] }\n")
    (root / "shop" / "locked").chmod(0)
    try:
        assert ("discovery", "unreadable", None, None, 0) in summary(run_check(root).findings)
    finally:
        (root / "shop" / "locked").chmod(stat.S_IRWXU)


def test_a_crashing_parser_costs_only_its_file(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {"shop/__init__.py": ""}
    for i in range(40):
        files[f"shop/m{i}.py"] = "import json\n"
    files["shop/m7.py"] = "import json  # CRASH-THE-WORKER\n"
    root = make_project(tmp_path, files, "[components]\nall = { modules = ['shop'] }\n")
    result = run_cli("check", "--jobs", "2", "--no-cache", "--format", "json", cwd=root, env={"ARCHGUARD_TEST_CRASH_MARKER": "CRASH-THE-WORKER"})
    report = json.loads(result.stdout)
    assert [(f["rule"], f["path"]) for f in report["findings"]] == [("parse-error", "shop/m7.py")]
    assert "crashed" in report["findings"][0]["message"]
    assert report["summary"]["files"] == 41


def test_a_worker_crash_is_not_cached(tmp_path: Path) -> None:
    # The death of a worker may be the machine's (out of memory, a process that could not
    # start), not the file's: the next run reads the file again instead of reporting the
    # crash forever from the cache.
    files: dict[str, str | bytes] = {"shop/__init__.py": ""}
    for i in range(40):
        files[f"shop/m{i}.py"] = "import json\n"
    files["shop/m7.py"] = "import json  # CRASH-THE-WORKER\n"
    root = make_project(tmp_path, files, "[components]\nall = { modules = ['shop'] }\n")
    crashed = run_cli("check", "--jobs", "2", "--format", "json", cwd=root, env={"ARCHGUARD_TEST_CRASH_MARKER": "CRASH-THE-WORKER"})
    assert [f["rule"] for f in json.loads(crashed.stdout)["findings"]] == ["parse-error"]
    again = run_cli("check", "--jobs", "2", "--format", "json", cwd=root)
    assert again.returncode == 0, again.stdout
    assert json.loads(again.stdout)["findings"] == []


# --- contracts: every invalid document is a ContractError, never a traceback ---------------------

keys = st.sampled_from(
    ["project", "components", "rules", "drift", "duplication", "ignore", "kind", "layers", "modules", "public", "from", "to",
     "allow", "scope", "name", "severity", "roots", "packages", "exclude", "import", "reason", "unmapped", "allow_indirect", "typo"]
)
values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.text(max_size=12), st.sampled_from(["layers", "api", "shop.*", "a | b", "external:x", "error"])),
    lambda children: st.one_of(st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=4)),
    max_leaves=15,
)


@fuzz
@given(st.dictionaries(keys, values, max_size=6))
def test_random_contract_documents_give_contract_errors_with_a_key_path(document: dict[str, Any]) -> None:
    document = {k: v for k, v in document.items() if v is not None}
    try:
        parse_contract(document, display="fuzz.toml")
    except ContractError as error:
        assert error.message
        assert error.file == "fuzz.toml"


@fuzz
@given(st.integers(0, 10_000), st.sampled_from(["", "=", "[", "]", '"', "\n", "x", "[[rules]]\n", "{", "}", ","]))
def test_mutated_contract_text_never_crashes_the_loader(position: int, insert: str) -> None:
    text = (REPO / "examples" / "shop" / "archguard.toml").read_text()
    position %= len(text) + 1
    mutated = text[:position] + insert + text[position:]
    try:
        document = tomllib.loads(mutated)
    except tomllib.TOMLDecodeError:
        return
    with contextlib.suppress(ContractError):
        parse_contract(document, display="mutated.toml", source=mutated)


# --- safety ---------------------------------------------------------------------------------------

def test_analysed_code_is_never_imported_or_run(tmp_path: Path) -> None:
    marker = tmp_path / "EXECUTED"
    payload = f"import pathlib\npathlib.Path({str(marker)!r}).write_text('pwned')\nraise SystemExit(3)\n"
    root = make_project(
        tmp_path / "project",
        {"evil/__init__.py": payload, "evil/sub.py": payload + "import evil\n", "evil/__main__.py": payload, "evil/conftest.py": payload},
        "[components]\nall = { modules = ['evil'] }\n[[rules]]\nkind = 'acyclic'\nscope = 'evil'\n",
    )
    result = run_cli("check", "--jobs", "2", "--no-cache", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert not marker.exists()


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    return {p.relative_to(root).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")}


def test_with_the_cache_elsewhere_nothing_in_the_tree_is_written(tmp_path: Path) -> None:
    root = make_project(
        tmp_path / "project", {"shop/__init__.py": "", "shop/a.py": "import shop.b\n", "shop/b.py": ""}, "[components]\nall = { modules = ['shop'] }\n"
    )
    before = _snapshot(root)
    cache = tmp_path / "cache"
    for _ in range(2):  # a cold and a warm run
        result = run_cli("check", "--cache-dir", str(cache), "--format", "json", "-o", str(tmp_path / "out.json"), cwd=root)
        assert result.returncode == 0, result.stderr
    assert list(cache.glob("facts-*.bin"))
    assert _snapshot(root) == before


def test_a_read_only_tree_is_checked_without_a_cache(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes through permission bits; the test above covers what root can observe")
    root = make_project(tmp_path / "project", {"shop/__init__.py": "", "shop/a.py": "import shop.b\n"}, "[components]\nall = { modules = ['shop'] }\n")
    for path in [root, *root.rglob("*")]:
        path.chmod(path.stat().st_mode & ~0o222)
    try:
        result = run_cli("check", cwd=root)
        assert result.returncode == 0, result.stderr
        assert not (root / CACHE_DIR_NAME).exists()
    finally:
        for path in [root, *root.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)


def test_paths_in_reports_stay_inside_the_root(tmp_path: Path) -> None:
    outside = write_tree(tmp_path / "outside", {"x.py": "import shop\n"})
    root = make_project(tmp_path / "project", {"shop/__init__.py": "", "shop/a.py": "from shop import b\n", "shop/b.py": "from shop import a\n"},
                        "[components]\nall = { modules = ['shop'] }\n[[rules]]\nkind = 'acyclic'\nscope = 'shop'\n")
    (root / "shop" / "linked.py").symlink_to(outside / "x.py")
    result = run_cli("check", "--format", "json", "--no-cache", cwd=root)
    report = json.loads(result.stdout)
    paths = {f["path"] for f in report["findings"]} | {h["path"] for f in report["findings"] for h in f["chain"]}
    assert paths == {"shop/a.py", "shop/b.py", "shop/linked.py"}
    assert all(not p.startswith(("/", "..")) for p in paths)


# --- cache integrity ------------------------------------------------------------------------------

def test_concurrent_runs_sharing_one_cache_agree_and_leave_a_valid_cache(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {"shop/__init__.py": ""}
    for i in range(120):
        files[f"shop/m{i}.py"] = f"from shop import m{(i + 1) % 120}\n"
    root = make_project(tmp_path, files, "[components]\nall = { modules = ['shop'] }\n[[rules]]\nkind = 'acyclic'\nscope = 'shop'\n")
    env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    reference = run_cli("check", "--no-cache", "--format", "json", cwd=root).stdout
    for round_number in range(4):
        if round_number % 2 == 0:
            shutil.rmtree(root / CACHE_DIR_NAME, ignore_errors=True)
        runs = [
            subprocess.Popen([sys.executable, "-m", "archguard", "check", "--format", "json", "--jobs", "1"], cwd=root, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            for _ in range(3)
        ]
        for run in runs:
            out, err = run.communicate(timeout=300)
            assert out == reference, err
    (cache_file,) = (root / CACHE_DIR_NAME).glob("facts-*.bin")
    assert cache_file.read_bytes().startswith(MAGIC)
    assert run_check(root, use_cache=True).analysis.stats.cached == 121


def test_a_cache_written_by_another_version_is_ignored(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import archguard.analysis.cache

    root = make_project(tmp_path, {"shop/__init__.py": "", "shop/a.py": "import os\n"}, "[components]\nall = { modules = ['shop'] }\n")
    monkeypatch.setattr(archguard.analysis.cache, "__version__", "0.0.0-other")
    run_check(root, use_cache=True)
    monkeypatch.undo()
    assert run_check(root, use_cache=True).analysis.stats.parsed == 2


# --- determinism ------------------------------------------------------------------------------------

DETERMINISM_CONTRACT = """
[components]
api = { modules = ["shop.api"] }
domain = { modules = ["shop.domain"] }
infra = { modules = ["shop.infra"] }

[[rules]]
kind = "layers"
layers = ["api", "domain"]

[[rules]]
kind = "acyclic"

[drift]
unmapped = "warning"
"""


def _random_shop(root: Path, seed: int) -> Path:
    rng = random.Random(seed)
    modules = [f"shop.{part}.m{i}" for part in ("api", "domain", "infra", "misc") for i in range(8)]
    files: dict[str, str | bytes] = {"shop/__init__.py": ""}
    for part in ("api", "domain", "infra", "misc"):
        files[f"shop/{part}/__init__.py"] = ""
    for module in modules:
        imports = rng.sample(modules, 3)
        body = "".join(f"from {'.'.join(m.split('.')[:-1])} import {m.split('.')[-1]}\n" for m in imports)
        files[module.replace(".", "/") + ".py"] = body + "def f():\n    import " + rng.choice(modules) + "\n"
    return make_project(root, files, DETERMINISM_CONTRACT)


def test_output_is_identical_across_hash_seeds_and_job_counts(tmp_path: Path) -> None:
    root = _random_shop(tmp_path, 7)
    outputs = {
        run_cli("check", "--no-cache", "--format", "json", "--jobs", jobs, cwd=root, env={"PYTHONHASHSEED": seed}).stdout
        for seed, jobs in [("0", "1"), ("1", "2"), ("12345", "1"), ("random", "2")]
    }
    assert len(outputs) == 1
    assert json.loads(outputs.pop())["summary"]["errors"] > 0


def test_output_does_not_depend_on_the_file_system_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import archguard.analysis.discover

    root = _random_shop(tmp_path, 11)
    baseline = [f.to_json() for f in run_check(root).findings]
    real_scandir = os.scandir

    class ShuffledScandir:
        def __init__(self, path: Any) -> None:
            self.inner = real_scandir(path)

        def __enter__(self) -> Any:
            entries = list(self.inner)
            random.Random(len(entries)).shuffle(entries)
            entries.reverse()
            return iter(entries)

        def __exit__(self, *exc: object) -> None:
            self.inner.close()

    monkeypatch.setattr(archguard.analysis.discover.os, "scandir", ShuffledScandir)
    assert [f.to_json() for f in run_check(root).findings] == baseline


def test_report_paths_use_forward_slashes(tmp_path: Path) -> None:
    root = _random_shop(tmp_path, 3)
    report = json.loads(run_cli("check", "--no-cache", "--format", "json", cwd=root).stdout)
    assert report["findings"]
    assert all("\\" not in (f["path"] or "") for f in report["findings"])



@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's")
def test_a_worker_asks_the_kernel_to_die_with_its_parent() -> None:
    # (in a child process: the setting would otherwise apply to the test runner itself)
    code = "import ctypes, sys; from archguard.analysis.read.lifeline import die_with_parent; " \
        "agreed = die_with_parent(); libc = ctypes.CDLL('libc.so.6'); out = ctypes.c_int(); " \
        "libc.prctl(2, ctypes.byref(out), 0, 0, 0); print(agreed, out.value)"  # 2: PR_GET_PDEATHSIG
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60)
    assert done.stdout.split() == ["True", "9"]  # SIGKILL
