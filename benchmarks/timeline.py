"""Where archguard's time goes, phase by phase, on the trees of benchmarks/targets.py.

    python -m benchmarks.timeline [--trees django,sqlalchemy] [--repetitions 5]

For each tree prepared by ``python -m benchmarks.targets`` (benchmarks/work/targets-*), runs the
targets' scenarios with ``check -v`` and reads the phases of its ``archguard: time:`` line
(see docs/performance.md), next to ``lint-imports`` run alternately in the same rounds: cold
(``--no-cache --jobs 2``), one large file edited (a new comment line each time), and ``check
--diff HEAD~1`` with the cache a check of the base left. The import-linter configuration with
``copies = off`` (lint-imports' job) and as shipped (the copies search on). *interpreter* is the
command's wall time less what archguard's own clock saw (the interpreter's start and exit).
Medians over the rounds, per phase (their sum is not the median total). Writes benchmarks/results/timeline.md: the floor of every
target that is not met, measured.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.common import RESULTS, WORK, bin_path, compile_bytecode, machine, table
from benchmarks.targets import DJANGO, SQLALCHEMY, Tree

PREFIX = "archguard: time: "


def phases_of(stderr: str) -> dict[str, float]:
    """The phases of a ``check -v`` run's time line (seconds by name, total included)."""
    line = next((text for text in stderr.splitlines() if text.startswith(PREFIX)), None)
    if line is None:
        raise RuntimeError(f"no time line in archguard's output:\n{stderr[-2000:]}")
    spent = {}
    for part in line.removeprefix(PREFIX).split(" · "):
        name, seconds, _unit = part.rsplit(" ", 2)
        spent[name] = float(seconds)
    return spent


def run(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, str]:
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=cwd, env={**os.environ, **(env or {})}, capture_output=True, text=True, check=False)
    return time.perf_counter() - started, completed.stderr


def scenario_rows(
    label: str, before: Callable[[], None], command: list[str], root: Path, peer: list[str], peer_cwd: Path, peer_env: dict[str, str], rounds: int
) -> list[list[str]]:
    samples: list[dict[str, float]] = []
    peer_times: list[float] = []
    for _ in range(rounds):
        before()
        wall, stderr = run(command, root, {"ARCHGUARD_NO_REPLAY": "1"})
        spent = phases_of(stderr)
        spent["interpreter (start and exit)"] = max(0.0, wall - spent["total"])
        spent["wall"] = wall
        samples.append(spent)
        before()
        peer_times.append(run(peer, peer_cwd, peer_env)[0])
    names = [name for name in samples[0] if name not in ("total", "wall", "interpreter (start and exit)")]
    names = ["interpreter (start and exit)", *names]
    wall = statistics.median(s["wall"] for s in samples)
    peer_median = statistics.median(peer_times)
    rows = []
    for name in names:
        seconds = statistics.median(s.get(name, 0.0) for s in samples)
        rows.append([label, name, f"{seconds:.3f}", f"{seconds / peer_median:.2f}x"])
    rows.append([label, "**whole command (wall)**", f"**{wall:.3f}**", f"**{wall / peer_median:.2f}x**"])
    rows.append([label, "lint-imports, same rounds", f"{peer_median:.3f}", "1.00x"])
    return rows


def run_tree(tree: Tree, rounds: int) -> str:
    root = WORK / f"targets-{tree.name.lower()}"
    config_dir = root / tree.source_root
    parity, shipped = config_dir / "importlinter-parity.ini", config_dir / ".importlinter"
    if not parity.is_file() or not (root / ".git").is_dir():
        raise SystemExit(f"{root} is not prepared: run `python -m benchmarks.targets --trees {tree.name.lower()}` first")
    archguard, lint_imports = bin_path("archguard"), bin_path("lint-imports")
    peer_env = {"PYTHONPATH": str(config_dir)}
    large = root / tree.large_file
    pristine = large.read_bytes()
    edits = [0]
    cache = config_dir / ".archguard_cache"
    snapshot = WORK / f"timeline-cache-{tree.name.lower()}"
    # The base's cache, left by this archguard (a cache of another version is not used): check
    # the base revision (the diff's HEAD~1) with both configurations, keep the cache.
    subprocess.run(["git", "checkout", "-q", "HEAD~1"], cwd=root, check=True)
    try:
        shutil.rmtree(cache, ignore_errors=True)
        for config in (parity, shipped):
            subprocess.run([archguard, "check", "-q", "--config", str(config)], cwd=root, capture_output=True, check=False)
        shutil.rmtree(snapshot, ignore_errors=True)
        shutil.copytree(cache, snapshot)
    finally:
        subprocess.run(["git", "checkout", "-q", "main"], cwd=root, check=True)

    def nothing() -> None:
        pass

    def edit() -> None:
        edits[0] += 1
        with large.open("a", encoding="utf-8") as handle:
            handle.write(f"\n# timeline edit {edits[0]}\n")

    def restore_base_cache() -> None:
        shutil.rmtree(cache, ignore_errors=True)
        shutil.copytree(snapshot, cache)

    rows: list[list[str]] = []
    try:
        for label, config in (("copies off", parity), ("as shipped", shipped)):
            rows += scenario_rows(
                f"cold, {label}", nothing, [archguard, "check", "-v", "--no-cache", "--jobs", "2", "--config", str(config)], root,
                [lint_imports, "--no-cache"], config_dir, peer_env, rounds,
            )  # fmt: skip
            subprocess.run([archguard, "check", "-q", "--config", str(config)], cwd=root, capture_output=True, check=False)
            rows += scenario_rows(
                f"one large file edited, {label}", edit, [archguard, "check", "-v", "--config", str(config)], root,
                [lint_imports], config_dir, peer_env, rounds,
            )  # fmt: skip
            large.write_bytes(pristine)
            rows += scenario_rows(
                f"check --diff of 10 files, {label}", restore_base_cache,
                [archguard, "check", "-v", "--diff", "HEAD~1", "--config", str(config)], root, [lint_imports], config_dir, peer_env, rounds,
            )  # fmt: skip
    finally:
        large.write_bytes(pristine)
    return f"## {tree.name}\n\n" + table(rows, ["scenario", "phase", "median (s)", "x lint-imports"]) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trees", default="django,sqlalchemy")
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--output", type=Path, default=RESULTS / "timeline.md")
    args = parser.parse_args()
    compile_bytecode()
    parts = [
        "# Where archguard's time goes, next to lint-imports",
        "",
        f"Machine: {machine()}. Medians of {args.repetitions} alternating rounds, `check -v` phases (docs/performance.md). "
        "Generated by `python -m benchmarks.timeline` on the trees `python -m benchmarks.targets` prepares; the diff's base cache is "
        "left by a check of the base revision with this archguard. *interpreter*: the wall time archguard's clock did not see.",
        "",
    ]
    for name in args.trees.split(","):
        parts.append(run_tree(DJANGO if name == "django" else SQLALCHEMY, args.repetitions))
        print(parts[-1], flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(parts), encoding="utf-8")


if __name__ == "__main__":
    main()
