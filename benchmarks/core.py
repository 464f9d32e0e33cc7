"""Core benchmark (issue 2): extractor vs bare libcst parse, and whole checks vs lint-imports.

    python -m benchmarks.core [--repetitions 5]

Writes benchmarks/results/core.md.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import shutil
import time

from benchmarks.common import (
    RESULTS,
    WORK,
    Series,
    alternate,
    bin_path,
    django_contracts,
    django_source,
    machine,
    table,
    timed,
)


def _parse(data: bytes) -> None:
    import libcst

    with contextlib.suppress(Exception):  # the bare loop ignores bad files, like the extractor
        libcst.parse_module(data)


def _bare_parse(sources: list[bytes], jobs: int) -> float:
    started = time.perf_counter()
    if jobs == 1:
        for data in sources:
            _parse(data)
    else:
        with multiprocessing.get_context("forkserver").Pool(jobs) as pool:
            pool.map(_parse, sources, chunksize=max(1, len(sources) // (jobs * 8)))
    return time.perf_counter() - started


def _extract(sources: list[bytes], jobs: int) -> float:
    from archguard.extract.pool import extract_all

    started = time.perf_counter()
    extract_all(sources, jobs)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repetitions", type=int, default=5)
    args = parser.parse_args()
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
        bare, extract = [], []
        for _ in range(args.repetitions):
            bare.append(_bare_parse(sources, jobs))
            extract.append(_extract(sources, jobs))
        bare.sort()
        extract.sort()
        b, e = bare[len(bare) // 2], extract[len(extract) // 2]
        parse_rows.append([str(jobs), f"{b:.2f}", f"{e:.2f}", f"{e / b:.2f}x", f"{len(files) / e:.0f}"])

    # 2. Whole checks, archguard vs lint-imports, cold and warm, alternating.
    archguard = bin_path("archguard")
    lint_imports = bin_path("lint-imports")
    cache = project / ".archguard_cache"
    grimp_cache = project / ".import_linter_cache"

    def drop_archguard_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)

    def drop_grimp_cache() -> None:
        shutil.rmtree(grimp_cache, ignore_errors=True)

    env = {"PYTHONPATH": str(project)}
    series = {
        "archguard check, cold (no cache, all cores)": Series("ag-cold"),
        "archguard check, warm (cache)": Series("ag-warm"),
        "lint-imports, cache off": Series("li-cold"),
        "lint-imports, warm cache": Series("li-warm"),
    }
    timed([archguard, "check", "-q"], project)  # fill the cache once
    timed([lint_imports], project, env)
    alternate(
        [
            (series["archguard check, cold (no cache, all cores)"], lambda: timed([archguard, "check", "-q", "--no-cache"], project)),
            (series["archguard check, warm (cache)"], lambda: timed([archguard, "check", "-q"], project)),
            (series["lint-imports, cache off"], lambda: timed([lint_imports, "--no-cache"], project, env)),
            (series["lint-imports, warm cache"], lambda: timed([lint_imports], project, env)),
        ],
        args.repetitions,
    )
    del drop_archguard_cache, drop_grimp_cache
    li_warm = series["lint-imports, warm cache"].median
    check_rows = [
        [name, f"{s.median:.2f}", f"{s.peak_mib:.0f}", f"{s.median / li_warm:.2f}x", ",".join(str(x.returncode) for x in s.samples[:1])]
        for name, s in series.items()
    ]
    report = f"""# Core benchmark: Django {len(files)} files, {lines} lines

Machine: {machine()}. Medians of {args.repetitions} alternating repetitions.

## Extraction vs the bare libcst parse (same files, same process count)

{table(parse_rows, ["jobs", "bare libcst.parse_module (s)", "archguard extractor (s)", "ratio", "files/s"])}

## Whole-tree check vs lint-imports (layers + forbidden + independence contracts)

{table(check_rows, ["run", "median (s)", "peak RSS (MiB)", "ratio to lint-imports warm", "exit code"])}
"""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "core.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
