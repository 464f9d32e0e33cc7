"""Core benchmark (issues 2 and 20): the extractor vs the bare parsers, and whole checks vs lint-imports, tach, deply.

    python -m benchmarks.core [--repetitions 5]   (or: python -m benchmarks.run)

Writes benchmarks/results/core.md.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import multiprocessing
import shutil
import statistics
import time

from benchmarks.common import (
    RESULTS,
    WORK,
    Series,
    alternate,
    bin_path,
    compile_bytecode,
    django_contracts,
    django_source,
    machine,
    table,
    timed,
)

EDITED_FILE = "django/utils/text.py"  # imported by most of Django: a typical file to touch


def _parse(data: bytes) -> None:
    import libcst

    with contextlib.suppress(Exception):  # the bare loop ignores bad files, like the extractor
        libcst.parse_module(data)


def _parse_ast(data: bytes) -> None:
    import ast

    with contextlib.suppress(Exception):
        ast.parse(data)


def _bare_ast(sources: list[bytes], jobs: int) -> float:
    """The bare ``ast.parse`` loop at archguard's GC pace: the fast reader's floor."""
    from archguard.base.gcpace import fewer_collections, pace_this_process

    started = time.perf_counter()
    if jobs == 1:
        with fewer_collections():
            for data in sources:
                _parse_ast(data)
    else:
        with multiprocessing.get_context("forkserver").Pool(jobs, initializer=pace_this_process) as pool:
            pool.map(_parse_ast, sources, chunksize=max(1, len(sources) // (jobs * 8)))
    return time.perf_counter() - started


def _bare_parse(sources: list[bytes], jobs: int, paced: bool = False) -> float:
    """The bare libcst loop; ``paced``: with archguard's garbage-collector pace (archguard.base.gcpace)
    instead of Python's default, the fairest limit for the extractor, which runs with it."""
    from archguard.base.gcpace import fewer_collections, pace_this_process

    started = time.perf_counter()
    if jobs == 1:
        with fewer_collections() if paced else contextlib.nullcontext():
            for data in sources:
                _parse(data)
    else:
        initializer = pace_this_process if paced else None
        with multiprocessing.get_context("forkserver").Pool(jobs, initializer=initializer) as pool:
            pool.map(_parse, sources, chunksize=max(1, len(sources) // (jobs * 8)))
    return time.perf_counter() - started


def _extract(sources: list[bytes], jobs: int, clones: bool = True) -> float:
    from archguard.analysis.read.pool import extract_all

    started = time.perf_counter()
    extract_all(sources, jobs, clones=clones)
    return time.perf_counter() - started


PARSE_COLUMNS = [
    "jobs", "bare libcst parse (s)", "bare libcst parse, paced GC (s)", "bare ast.parse, paced GC (s)", "extractor (s)",
    "ratio to libcst paced", "ratio to ast", "without clone fingerprints (s)", "ratio to libcst paced", "ratio to ast", "files/s",
]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repetitions", type=int, default=5)
    args = parser.parse_args()
    compile_bytecode()
    source = django_source()
    project = WORK / "core-django"
    if project.exists():
        shutil.rmtree(project)
    shutil.copytree(source, project)
    django_contracts(project)
    files = sorted((project / "django").rglob("*.py"))
    sources = [f.read_bytes() for f in files]
    lines = sum(s.count(b"\n") for s in sources)

    # 1. Parser vs extractor, same files, same process counts, alternating.
    parse_rows = []
    for jobs in (1, 2):
        bare, paced, bare_ast, extract, plain = [], [], [], [], []
        for repetition in range(args.repetitions):
            if repetition == 0:  # libcst is no longer the extractor's parser: once, for scale
                bare.append(_bare_parse(sources, jobs))
                paced.append(_bare_parse(sources, jobs, paced=True))
            bare_ast.append(_bare_ast(sources, jobs))
            extract.append(_extract(sources, jobs))
            plain.append(_extract(sources, jobs, clones=False))
        b, g, a = statistics.median(bare), statistics.median(paced), statistics.median(bare_ast)
        e, p = statistics.median(extract), statistics.median(plain)
        with_clones = [f"{e:.2f}", f"{e / g:.2f}x", f"{e / a:.2f}x"]
        without = [f"{p:.2f}", f"{p / g:.2f}x", f"{p / a:.2f}x"]
        parse_rows.append([str(jobs), f"{b:.2f}", f"{g:.2f}", f"{a:.2f}", *with_clones, *without, f"{len(files) / e:.0f}"])

    # 2. Whole checks, archguard vs lint-imports, cold and warm, alternating.
    archguard = bin_path("archguard")
    lint_imports = bin_path("lint-imports")
    tach = bin_path("tach")
    deply = bin_path("deply")
    env = {"PYTHONPATH": str(project)}
    no_replay = {"ARCHGUARD_NO_REPLAY": "1"}
    runs: list[tuple[str, list[str], dict[str, str] | None]] = [
        ("archguard check, cold (no cache, all cores)", [archguard, "check", "-q", "--no-cache"], None),
        ("archguard check, warm (facts cache, replay off)", [archguard, "check", "-q"], no_replay),
        ("archguard check, warm (replay of an identical check)", [archguard, "check", "-q"], None),
        ("lint-imports, cache off", [lint_imports, "--no-cache"], env),
        ("lint-imports, warm cache", [lint_imports], env),
        ("tach check (equivalent tach.toml)", [tach, "check"], None),
    ]
    if shutil.which(deply):
        runs.append(("deply analyze (equivalent deply.yaml)", [deply, "analyze", "--config", "deply.yaml"], None))
    series = {name: Series(name) for name, _, _ in runs}
    timed([archguard, "check", "-q"], project)  # fill the caches once
    timed([lint_imports], project, env)
    alternate(
        [(series[name], lambda command=command, extra=extra: timed(command, project, extra)) for name, command, extra in runs],
        args.repetitions,
    )
    # 3. One file edited before each run (the pre-commit case replay cannot serve): archguard
    # parses that file and evaluates everything again; lint-imports re-scans it. A new edit
    # every time, so no run finds the edited file's facts in a cache. Apart from the rest:
    # an edit would turn the warm rows above into runs with a parse.
    edited = project / EDITED_FILE
    pristine = edited.read_text()
    edits = iter(range(1, 1_000_000))

    def edit() -> None:
        edited.write_text(f"{pristine}\n# benchmark edit {next(edits)}\n")

    edit_runs: list[tuple[str, list[str], dict[str, str] | None]] = [
        (f"archguard check, one file edited ({EDITED_FILE})", [archguard, "check", "-q"], None),
        (f"lint-imports, warm cache, one file edited ({EDITED_FILE})", [lint_imports], env),
    ]
    for name, _, _ in edit_runs:
        series[name] = Series(name)
    alternate(
        [(series[name], functools.partial(timed, command, project, extra, before=edit)) for name, command, extra in edit_runs],
        args.repetitions,
    )
    edited.write_text(pristine)
    li_warm = series["lint-imports, warm cache"].median
    check_rows = [
        [name, f"{s.median:.2f}", f"{s.peak_mib:.0f}", f"{s.median / li_warm:.2f}x", ",".join(sorted({str(x.returncode) for x in s.samples}))]
        for name, s in series.items()
    ]
    edit_ratio = series[edit_runs[0][0]].median / series[edit_runs[1][0]].median
    report = f"""# Core benchmark: Django {len(files)} files, {lines} lines

Machine: {machine()}. Medians of {args.repetitions} alternating repetitions.

## Extraction vs the bare parsers (same files, same process count)

{table(parse_rows, PARSE_COLUMNS)}

Extraction: facts of every file (imports, names, pragmas, clone fingerprints) through the process pool,
read with CPython's parser (the fast reader), against `ast.parse` alone and `libcst.parse_module` alone
(the parser of the extractor before issue 20; measured once) on the same files with the same number of
processes. The extractor runs Python's garbage collector at archguard's pace (`archguard/base/gcpace.py`);
*bare libcst parse* is that loop at Python's default pace, the others at archguard's.

## Whole-tree check vs lint-imports, tach and deply (layers + forbidden + independence contracts)

{table(check_rows, ["run", "median (s)", "peak RSS (MiB)", "ratio to lint-imports warm", "exit codes"])}

Whole commands, interpreter start included. *warm (facts cache, replay off)*: every file's facts come
from the cache, the graph is rebuilt and every rule evaluated. *warm (replay)*: the same command line
again with nothing changed: archguard verifies that no input changed (files, contract, options,
environment, its own code) and writes the recorded report (`archguard/cli/replay.py`).
tach and deply check direct dependencies only (archguard and import-linter also follow indirect chains
through the layers); deply's dependencies are uses of classes, functions and variables between layers,
found with Python's `ast`, and it keeps no cache. Peers: `pip install -e .[bench]`.
*one file edited*: before each run, a new comment line is appended to `{EDITED_FILE}` (a new edit
each time, so neither tool finds it in its cache): archguard's replay sees the change, the file is
parsed and every rule evaluated again; lint-imports re-scans the file. These two rows alternate with
each other, after the rows above; archguard edited / lint-imports edited: {edit_ratio:.2f}x.
"""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "core.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
