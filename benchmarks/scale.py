"""Scale benchmark (issue 9): cost against codebase size, archguard vs lint-imports vs tach.

    python -m benchmarks.scale [--sizes 1000,5000,20000,50000] [--repetitions 3]

Generated packages (benchmarks/generate.py) with the same layers contract in each tool's
format. Each size: archguard cold (no cache), archguard warm, lint-imports (cache off and
warm), tach check; wall time medians and peak RSS. Writes benchmarks/results/scale.md.
"""

from __future__ import annotations

import argparse
import shutil
import sys

from benchmarks.common import RESULTS, WORK, Series, alternate, bin_path, compile_bytecode, machine, table, timed
from benchmarks.generate import contracts, generate


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,5000,20000,50000")
    parser.add_argument("--repetitions", type=int, default=3)
    args = parser.parse_args()
    compile_bytecode()
    sizes = [int(size) for size in args.sizes.split(",")]
    archguard, lint_imports, tach = bin_path("archguard"), bin_path("lint-imports"), bin_path("tach")
    missing = [name for name in (lint_imports, tach) if shutil.which(name) is None]
    if missing:
        # (a missing peer ran as a 0.00 s "measurement" once: refuse instead)
        sys.exit(f"not installed: {', '.join(missing)} (pip install -e '.[bench]')")
    rows = []
    per_module: dict[str, list[tuple[int, float]]] = {}
    for size in sizes:
        root = WORK / f"scale-{size}"
        if root.exists():
            shutil.rmtree(root)
        root.mkdir(parents=True)
        generate(root, size)
        contracts(root)
        files = sum(1 for _ in (root / "big").rglob("*.py"))
        env = {"PYTHONPATH": str(root)}
        series = {
            "archguard cold": Series("archguard cold"),
            "archguard warm (replay off)": Series("archguard warm, facts cache"),
            "archguard warm (replay)": Series("archguard warm, replay"),
            "lint-imports cache off": Series("lint-imports cold"),
            "lint-imports warm": Series("lint-imports warm"),
            "tach check": Series("tach"),
        }
        timed([archguard, "check", "-q"], root)  # fill the caches once
        timed([lint_imports], root, env)
        cold_repetitions = 1 if size >= 20000 else args.repetitions
        alternate([(series["archguard cold"], lambda root=root: timed([archguard, "check", "-q", "--no-cache"], root))], cold_repetitions)
        alternate(
            [
                (series["archguard warm (replay off)"], lambda root=root: timed([archguard, "check", "-q"], root, {"ARCHGUARD_NO_REPLAY": "1"})),
                (series["archguard warm (replay)"], lambda root=root: timed([archguard, "check", "-q"], root)),
                (series["lint-imports cache off"], lambda root=root, env=env: timed([lint_imports, "--no-cache"], root, env)),
                (series["lint-imports warm"], lambda root=root, env=env: timed([lint_imports], root, env)),
                (series["tach check"], lambda root=root: timed([tach, "check"], root)),
            ],
            args.repetitions,
        )
        for name, s in series.items():
            per_module.setdefault(name, []).append((files, s.median))
            codes = ", ".join(str(code) for code in sorted({sample.returncode for sample in s.samples}))
            rows.append([f"{files:,}", name, f"{s.median:.2f}", f"{s.peak_mib:.0f}", f"{1e6 * s.median / files:.0f}", codes])
    growth = []
    for name, points in per_module.items():
        if len(points) >= 2:
            (small_n, small_t), (large_n, large_t) = points[0], points[-1]
            growth.append([name, f"{large_t / small_t:.1f}x", f"{large_n / small_n:.0f}x"])
    report = f"""# Scale: generated packages, one layers contract (10 layers)

Machine: {machine()}. Medians of {args.repetitions} alternating repetitions (archguard cold: 1 at 20k modules and above).

{table(rows, ["modules", "run", "median (s)", "peak RSS (MiB)", "µs per module", "exit codes"])}

*warm (replay off)*: facts from the cache, graph and rules evaluated again. *warm (replay)*: the
identical command again, nothing changed: inputs verified, the recorded report written.

## Growth from the smallest to the largest size

{table(growth, ["run", "time grew", "modules grew"])}
"""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "scale.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
