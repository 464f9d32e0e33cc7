"""The facts cache (counted, not timed) and byte-identical output."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from archguard.analysis.cache import CACHE_DIR_NAME
from archguard.analysis.discover import SourceFile
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


def test_files_whose_stat_is_unchanged_are_not_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import archguard.engine.pipeline as engine
    from archguard.analysis.cache import DigestIndex

    # Files written a moment ago are "racy" (a second write in the same timestamp tick could go
    # unseen), so the index keeps none of them; here every file counts as settled.
    monkeypatch.setattr(DigestIndex, "RACY_NS", 0)
    root = shop(tmp_path, files=10)
    reads: list[str] = []
    real_read = engine.read_file

    def counting_read(file: SourceFile, *args: int) -> bytes | OSError:
        reads.append(file.relpath)
        return real_read(file, *args)

    monkeypatch.setattr(engine, "read_file", counting_read)
    first = run_check(root, use_cache=True)
    assert len(reads) == first.analysis.stats.files and (root / CACHE_DIR_NAME / "digests.bin").is_file()
    reads.clear()
    second = run_check(root, use_cache=True)
    assert reads == [] and second.analysis.stats.cached == second.analysis.stats.files
    assert [f.fingerprint for f in second.findings] == [f.fingerprint for f in first.findings]

    # A rewrite in place with the same size and the old modification time: the change time
    # still differs, so the file is read and its new import is seen.
    path = root / "shop/domain/model3.py"
    before = path.stat()
    text = path.read_text()
    path.write_text(text.replace("import json", "import yaml"))
    assert path.stat().st_size == before.st_size
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    reads.clear()
    third = run_check(root, use_cache=True)
    assert reads == ["shop/domain/model3.py"]
    assert "external:yaml" in {site.imported for site in third.analysis.sites if site.importer == "shop.domain.model3"}


def test_the_digest_index_keeps_no_entry_for_a_file_changed_just_now(tmp_path: Path) -> None:
    from archguard.analysis.cache import DigestIndex

    path = tmp_path / "fresh.py"
    path.write_text("import json\n")
    index = DigestIndex(tmp_path / "cache")
    index.record(str(path), path.stat(), "digest-of-fresh")
    index.save()
    again = DigestIndex(tmp_path / "cache")
    again.load()
    assert again.lookup(str(path), path.stat()) is None  # racy: read again next time


def test_the_fork_server_starts_early_only_when_unread_source_needs_a_pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The parsing pool's fork server boots (a fresh interpreter importing libcst) while the
    # cache loads, but only when the files the digest index does not know hold enough source.
    from multiprocessing import forkserver

    import archguard.analysis.read.pool as pool_module
    from archguard.analysis.cache import DigestIndex
    from archguard.analysis.read.pool import MIN_BYTES_PER_WORKER

    monkeypatch.setattr(DigestIndex, "RACY_NS", 0)
    started: list[bool] = []
    monkeypatch.setattr(forkserver, "ensure_running", lambda: started.append(True))
    monkeypatch.setattr(pool_module, "_server_started", False)  # no real server: restored after the test
    root = shop(tmp_path, files=4)
    padding = "\n".join(f"VALUE_{i} = {i}" for i in range(MIN_BYTES_PER_WORKER // 12)) + "\n"
    for name in ("shop/domain/model1.py", "shop/domain/model2.py"):
        path = root / name
        path.write_text(path.read_text() + padding)  # two files of more than 50 KB: a pool of 2

    run_check(root, jobs=1, use_cache=True, cache_dir=tmp_path / "one-job")
    assert started == []  # one process: no pool, no fork server
    result = run_check(root, jobs=2, use_cache=True)
    assert started == [True] and result.analysis.stats.parsed == result.analysis.stats.files
    started.clear()
    again = run_check(root, jobs=2, use_cache=True)  # every stat known: nothing to parse
    assert started == [] and again.analysis.stats.parsed == 0
    (root / "shop/api/view1.py").write_text("from shop.domain import model2, model3\n")
    small = run_check(root, jobs=2, use_cache=True)  # one small file changed: no pool
    assert started == [] and small.analysis.stats.parsed == 1


def test_without_fingerprints_a_pool_needs_more_source() -> None:
    # Bodies left unparsed make a byte about five times cheaper to read; the pool costs the same.
    from archguard.analysis.read.pool import MIN_BYTES_PER_WORKER, MIN_BYTES_PER_WORKER_UNPARSED_BODIES, pool_size

    ten = [b"x" * (MIN_BYTES_PER_WORKER // 5)] * 10  # two workers' worth with fingerprints
    assert pool_size(ten, 2) == 2 and pool_size(ten, 2, clones=False) == 1
    large = [b"x" * (MIN_BYTES_PER_WORKER_UNPARSED_BODIES // 5)] * 10
    assert pool_size(large, 2, clones=False) == 2 and pool_size(large, 1, clones=False) == 1


def test_the_command_line_starts_the_fork_server_first_only_for_a_whole_tree_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    # `check --no-cache` parses the whole tree: the fork server boots while the command imports
    # its modules. A change (`check --diff`, `diff`, an edited file) is read in this process
    # unless it is large (the pipeline then starts the server itself). Never with one job.
    from multiprocessing import forkserver

    import archguard.analysis.read.pool as pool
    from archguard.cli import warm_up_parsing

    started: list[bool] = []
    monkeypatch.setattr(forkserver, "ensure_running", lambda: started.append(True))
    monkeypatch.setattr(pool, "_server_started", False)  # no real server: restored after the test
    monkeypatch.setattr(pool, "default_jobs", lambda: 2)
    expected = {
        ("check", "--no-cache"): True,
        ("check", "-q", "--no-cache", "--jobs", "2"): True,
        ("check", "--diff", "main"): False,
        ("diff", "v1.0", "v2.0"): False,
        ("check",): False,
        ("check", "--format", "json"): False,
        ("graph", "--no-cache"): False,
        ("check", "--no-cache", "--jobs", "1"): False,
        ("check", "--no-cache", "-j1"): False,
        ("check", "--no-cache", "--jobs=1"): False,
        ("check", "--no-cache", "--jobs", "many"): False,  # click reports the bad value
        ("check", "--no-cache", "--help"): False,
    }
    for argv, starts in expected.items():
        started.clear()
        assert warm_up_parsing(list(argv)) is starts, argv
        assert started == ([True] if starts else []), argv
    monkeypatch.setattr(pool, "default_jobs", lambda: 1)
    assert warm_up_parsing(["check", "--no-cache"]) is False  # one core: never a pool


def test_a_library_run_restores_the_garbage_collectors_thresholds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    import archguard.engine.pipeline as engine
    from archguard.base.gcpace import GC_THRESHOLD

    root = shop(tmp_path, files=3)
    before = gc.get_threshold()
    seen: list[tuple[int, int, int]] = []
    real = engine.build_graph

    def spying_build_graph(*args: object, **kwargs: object) -> object:
        seen.append(gc.get_threshold())
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(engine, "build_graph", spying_build_graph)
    run_check(root)
    assert seen and seen[0][0] >= GC_THRESHOLD[0]  # collections were rarer inside the run
    assert gc.get_threshold() == before  # and the caller's settings are back afterwards


def test_two_writers_of_one_facts_cache_keep_each_others_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # `check --diff` analyses the base while the head's files are parsed, and two archguard
    # runs may share a cache: the last to save must not drop what the other one parsed.
    import archguard.analysis.cache as cache_module
    from archguard.analysis.cache import FactsCache
    from archguard.analysis.read import extract_facts

    facts = {name: extract_facts(f"import {name}\n".encode()) for name in ("os", "re", "json")}
    seed = FactsCache(tmp_path, "settings")
    seed.put("old", facts["json"])
    seed.save()
    first, second = FactsCache(tmp_path, "settings"), FactsCache(tmp_path, "settings")
    first.load()
    second.load()
    second.put("second", facts["re"])
    second.save()  # appended to the log
    first.put("first", facts["os"])
    first.save()  # appended too, after the other's record
    merged = FactsCache(tmp_path, "settings")
    merged.load()
    assert {digest: merged.get(digest) for digest in ("old", "first", "second")} == {
        "old": facts["json"], "first": facts["os"], "second": facts["re"]
    }  # fmt: skip
    # A writer that folds the log into the packed file keeps the entries another run logged
    # after this one loaded, and what the other one packed meanwhile.
    third = FactsCache(tmp_path, "settings")
    third.load()
    late = FactsCache(tmp_path, "settings")
    late.load()
    late.put("late", facts["re"])
    late.save()
    monkeypatch.setattr(cache_module, "LOG_MIN_BYTES", 0)  # fold the log in on the next save
    third.put("third", facts["os"])
    third.save()
    assert not third.log_path.exists()
    merged = FactsCache(tmp_path, "settings")
    merged.load()
    assert all(merged.get(digest) is not None for digest in ("old", "first", "second", "late", "third"))


def test_a_few_new_facts_are_appended_without_rewriting_the_packed_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import archguard.analysis.cache as cache_module
    from archguard.analysis.cache import FactsCache
    from archguard.analysis.read import extract_facts

    many = FactsCache(tmp_path, "settings")
    for number in range(300):
        many.put(f"file{number}", extract_facts(f"import module{number}\nX = {number}\n".encode()))
    many.save()
    packed = many.path.read_bytes()
    edited = FactsCache(tmp_path, "settings")
    edited.load()
    edited.put("edited", extract_facts(b"import json\n"))
    edited.save()
    assert many.path.read_bytes() == packed and edited.log_path.stat().st_size > 0
    # A torn record at the end of the log (a run killed while appending) is ignored.
    with edited.log_path.open("ab") as log:
        log.write(b"\x10\x00\x00\x00torn")
    reader = FactsCache(tmp_path, "settings")
    reader.load()
    assert reader.get("edited") is not None and reader.get("file7") is not None
    # Once the log holds a share of the packed file's size, a save folds it in.
    monkeypatch.setattr(cache_module, "LOG_MIN_BYTES", 0)
    monkeypatch.setattr(cache_module, "LOG_SHARE", 10_000)
    reader.put("another", extract_facts(b"import os\n"))
    reader.save()
    assert not reader.log_path.exists() and reader.path.read_bytes() != packed
    folded = FactsCache(tmp_path, "settings")
    folded.load()
    assert folded.get("edited") is not None and folded.get("another") is not None and folded.get("file299") is not None


@pytest.mark.parametrize("done_at_once", [True, False])
def test_work_meanwhile_runs_during_the_pools_parse_once(tmp_path: Path, done_at_once: bool) -> None:
    # `check --diff` analyses the base while the head's changed files are parsed: analyze
    # hands the caller the facts known so far and the files still pending. A caller that
    # cannot use them yet (False) is called again once every fact is known.
    from archguard.analysis.read.pool import MIN_BYTES_PER_WORKER
    from archguard.contract.loading import load_contract
    from archguard.engine.pipeline import RunOptions, analyze

    root = shop(tmp_path, files=4)
    padding = "\n".join(f"VALUE_{i} = {i}" for i in range(MIN_BYTES_PER_WORKER // 12)) + "\n"
    big = ("shop/domain/model1.py", "shop/domain/model2.py")
    cache_dir = tmp_path / "cache"
    run_check(root, jobs=2, use_cache=True, cache_dir=cache_dir)
    for name in big:
        (root / name).write_text((root / name).read_text() + padding)  # 2 x 50 KB to parse: a pool of 2
    calls: list[tuple[frozenset[str], frozenset[str]]] = []

    def meanwhile(known: dict[str, object], pending: frozenset[str]) -> bool:
        calls.append((frozenset(known), pending))
        return done_at_once

    loaded = load_contract(root / "archguard.toml")
    analysis = analyze(loaded, RunOptions(jobs=2, cache_dir=cache_dir), meanwhile=meanwhile)
    everything = frozenset(analysis.paths.values())
    assert analysis.stats.parsed == 2 and len(everything) == 11
    during = (everything - set(big), frozenset(big))  # the cached files' facts, the two being parsed
    assert calls == ([during] if done_at_once else [during, (everything, frozenset())])
    calls.clear()
    analyze(loaded, RunOptions(jobs=2, cache_dir=cache_dir), meanwhile=meanwhile)  # nothing to parse
    assert calls == [(everything, frozenset())]


def test_a_result_file_is_read_once_while_it_is_the_file_this_process_saw(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from archguard.analysis import cache as cache_module
    from archguard.analysis.cache import ResultCache

    reads = []
    original = cache_module._read_versioned

    def counted(path: Path) -> object:
        reads.append(path)
        return original(path)

    monkeypatch.setattr(cache_module, "_read_versioned", counted)
    store = ResultCache(tmp_path, "evaluation-x")
    assert store.get("a") is None  # (no file: nothing read, nothing kept)
    store.put("a", [1, 2])
    store.put("b", "two")
    assert (store.get("a"), store.get("b"), ResultCache(tmp_path, "evaluation-x").get("b")) == ([1, 2], "two", "two")
    assert reads == []  # what this process wrote is what the file holds
    # Another writer replaces the file: it is read again.
    other = tmp_path / "other"
    other.mkdir()
    writer = ResultCache(other, "evaluation-x")
    writer.put("a", "from elsewhere")
    os.replace(writer.path, store.path)
    assert store.get("a") == "from elsewhere" and store.get("b") is None and len(reads) == 1
    assert store.get("a") == "from elsewhere" and len(reads) == 1
    # A torn file is never served from memory.
    store.path.write_bytes(store.path.read_bytes()[:-3])
    assert store.get("a") is None
