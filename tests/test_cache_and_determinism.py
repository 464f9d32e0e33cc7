"""The facts cache (counted, not timed) and byte-identical output."""

from __future__ import annotations

from pathlib import Path

from archguard.cache import CACHE_DIR_NAME
from tests.helpers import make_project, run_check, run_cli

CONTRACT = """
[components]
api = { modules = ["shop.api"] }
domain = { modules = ["shop.domain"] }
root = { modules = ["shop:*"] }

[[rules]]
kind = "layers"
layers = ["api", "domain"]
"""


def shop(tmp_path: Path, files: int = 40) -> Path:
    tree: dict[str, str | bytes] = {"shop/__init__.py": "", "shop/api/__init__.py": "", "shop/domain/__init__.py": ""}
    for i in range(files):
        tree[f"shop/api/view{i}.py"] = f"from shop.domain import model{i}\n"
        tree[f"shop/domain/model{i}.py"] = f"import json\nfrom shop.domain import model{(i + 1) % files}\n"
    tree["shop/domain/model0.py"] = "def f():\n    from shop.api import view1\n"
    return make_project(tmp_path, tree, CONTRACT)


def test_second_run_reads_every_file_from_the_cache(tmp_path: Path) -> None:
    root = shop(tmp_path)
    first = run_check(root, use_cache=True)
    assert (first.analysis.stats.parsed, first.analysis.stats.cached) == (83, 0)
    second = run_check(root, use_cache=True)
    assert (second.analysis.stats.parsed, second.analysis.stats.cached) == (0, 83)
    assert [f.to_json() for f in second.findings] == [f.to_json() for f in first.findings]
    assert (root / CACHE_DIR_NAME / ".gitignore").read_text().strip().endswith("*")


def test_editing_one_file_reparses_only_that_file(tmp_path: Path) -> None:
    root = shop(tmp_path)
    run_check(root, use_cache=True)
    (root / "shop/domain/model5.py").write_text("from shop.api import view2\n")
    result = run_check(root, use_cache=True)
    assert (result.analysis.stats.parsed, result.analysis.stats.cached) == (1, 82)
    assert ("shop.domain.model5", "shop.api.view2") in {(f.importer, f.imported) for f in result.findings}


def test_a_corrupted_or_truncated_cache_is_ignored_and_rebuilt(tmp_path: Path) -> None:
    root = shop(tmp_path)
    run_check(root, use_cache=True)
    (cache_file,) = (root / CACHE_DIR_NAME).glob("facts-*.bin")
    blob = cache_file.read_bytes()
    cache_file.write_bytes(blob[: len(blob) // 2])
    result = run_check(root, use_cache=True)
    assert result.analysis.stats.parsed == 83
    cache_file.write_bytes(blob[:-10] + b"garbage!!!")
    assert run_check(root, use_cache=True).analysis.stats.parsed == 83
    assert run_check(root, use_cache=True).analysis.stats.parsed == 0  # rebuilt and valid again


def test_cache_dir_elsewhere_and_no_cache(tmp_path: Path) -> None:
    root = shop(tmp_path / "project")
    elsewhere = tmp_path / "cache"
    run_check(root, use_cache=True, cache_dir=elsewhere)
    assert list(elsewhere.glob("facts-*.bin"))
    assert not (root / CACHE_DIR_NAME).exists()
    assert run_check(root, use_cache=True, cache_dir=elsewhere).analysis.stats.cached == 83


def test_output_is_byte_identical_across_runs_and_job_counts(tmp_path: Path) -> None:
    root = shop(tmp_path, files=60)
    outputs = set()
    for jobs in ("1", "2", "2"):
        for fmt in ("text", "json"):
            result = run_cli("check", "--jobs", jobs, "--no-cache", "--format", fmt, cwd=root)
            assert result.returncode == 1, result.stderr
            outputs.add((fmt, result.stdout))
    assert len(outputs) == 2  # one text output, one JSON output
