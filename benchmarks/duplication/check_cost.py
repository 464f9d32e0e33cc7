"""What duplication costs an `archguard check` of a whole tree: cold and warm, with and without.

Runs ``archguard check`` on a tree (default: Django's source) with ``[duplication]`` enabled
and disabled, alternating the two so that load from other processes hits both alike, cold
(empty cache directory) and warm (the cache of the previous run), and reports medians of
wall time, CPU time and peak memory (largest process), plus the clone search alone on the
cached facts.

    python benchmarks/duplication/check_cost.py [--tree /work/ref/django-5.2.19] [--package django] [--repeat 3] [--jobs 2]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def run(command: list[str], cwd: Path) -> tuple[float, float, int]:
    """Wall seconds, CPU seconds (user + system, children included), peak RSS in MiB."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *command], cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(done.stderr[-3000:])
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    peak = int(done.stderr.strip().splitlines()[-1]) // 1024
    return wall, cpu, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tree", type=Path, default=Path("/work/ref/django-5.2.19"))
    parser.add_argument("--package", default="django")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    # Byte-compiled as a wheel install would be (see benchmarks.common.compile_bytecode).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "archguard")], check=True)
    os.environ["PYTHONPATH"] = str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")
    os.environ["ARCHGUARD_NO_REPLAY"] = "1"  # measure the analysis, not the replay of an identical run
    work = Path(tempfile.mkdtemp(prefix="archguard-dup-cost-"))
    contracts = {}
    for name, enabled in (("with", "true"), ("without", "false")):
        path = work / f"{name}.toml"
        path.write_text(
            f'[project]\nroot = "{args.tree}"\npackages = ["{args.package}"]\n\n[duplication]\nenabled = {enabled}\n',
            encoding="utf-8",
        )
        contracts[name] = path
    results: dict[tuple[str, str], list[tuple[float, float, int]]] = {}
    for round_number in range(args.repeat):
        order = ["with", "without"] if round_number % 2 == 0 else ["without", "with"]
        for name in order:
            cache = work / f"cache-{name}"
            shutil.rmtree(cache, ignore_errors=True)
            base = [sys.executable, "-m", "archguard", "check", "-q", "--config", str(contracts[name]), "--cache-dir", str(cache), "--jobs", str(args.jobs)]
            results.setdefault((name, "cold"), []).append(run(base, work))
            results.setdefault((name, "warm"), []).append(run(base, work))
        print(f"round {round_number + 1} done", flush=True)
    for phase in ("cold", "warm"):
        for name in ("without", "with"):
            runs = results[(name, phase)]
            wall = statistics.median(r[0] for r in runs)
            cpu = statistics.median(r[1] for r in runs)
            peak = max(r[2] for r in runs)
            print(f"{phase:4s} {name:7s} duplication: wall {wall:6.2f} s, cpu {cpu:6.2f} s, peak {peak} MiB")
        ratio = statistics.median(r[0] for r in results[("with", phase)]) / statistics.median(r[0] for r in results[("without", phase)])
        cpu_ratio = statistics.median(r[1] for r in results[("with", phase)]) / statistics.median(r[1] for r in results[("without", phase)])
        print(f"{phase:4s} with/without: wall {ratio:.2f}x, cpu {cpu_ratio:.2f}x")
    search_alone(contracts["with"], work / "cache-with", args.repeat)
    shutil.rmtree(work, ignore_errors=True)


def search_alone(contract: Path, cache: Path, repeat: int) -> None:
    """The clone search by itself, on facts read from the warm cache (no stored report)."""
    import tracemalloc

    sys.path.insert(0, str(REPO))
    from archguard.analysis.clones import find_clones
    from archguard.contract.loading import load_contract
    from archguard.engine.pipeline import RunOptions, analyze

    loaded = load_contract(contract)
    analysis = analyze(loaded, RunOptions(jobs=1, cache_dir=cache))
    config = loaded.contract.duplication
    walls, cpus = [], []
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        report = find_clones(analysis.facts, analysis.paths, analysis.components.component_of, config)
        walls.append(time.perf_counter() - started)
        cpus.append(time.process_time() - cpu)
    tracemalloc.start()
    find_clones(analysis.facts, analysis.paths, analysis.components.component_of, config)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    stats = report.stats
    print(
        f"clone search alone: wall {statistics.median(walls):.2f} s, cpu {statistics.median(cpus):.2f} s, "
        f"Python heap peak {peak:.0f} MiB; {stats.units} units, {stats.classes} fingerprints, "
        f"{stats.candidates} near-miss candidates, {stats.comparisons} comparisons, {len(report.groups)} groups"
    )


if __name__ == "__main__":
    main()
