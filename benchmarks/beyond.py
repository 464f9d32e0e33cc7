"""What the "beyond the peers" features cost (issue 11), on Django's source.

    python -m benchmarks.beyond [--repetitions 5] [--main /work/main] [--name "base 0138a3a"]

1. Warm whole-tree checks side by side, alternating: this checkout, the main checkout (before
   these features), lint-imports (warm cache).
2. In-process, on a warm cache: resolution and graph building with re-exports followed and
   not followed; evaluating the rules with the vacuous-contract rule on and off.

Writes benchmarks/results/beyond.md.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from benchmarks.common import REPO, RESULTS, WORK, Series, alternate, bin_path, django_contracts, machine, table, timed

LOCAL_DJANGO = Path("/work/ref/django-5.2.19")


def django_copy() -> Path:
    """A copy of Django's source with both tools' contracts (from the unpacked sdist when there)."""
    project = WORK / "beyond-django"
    if project.exists():
        shutil.rmtree(project)
    project.mkdir(parents=True)
    if (LOCAL_DJANGO / "django" / "__init__.py").is_file():
        shutil.copytree(LOCAL_DJANGO / "django", project / "django")
    else:
        from benchmarks.common import django_source

        shutil.copytree(django_source() / "django", project / "django")
    django_contracts(project)
    return project


def median_of(repetitions: int, run: Callable[[], object]) -> float:
    samples = []
    for _ in range(repetitions):
        started = time.perf_counter()
        run()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def in_process(project: Path, repetitions: int) -> list[list[str]]:
    from archguard.contract.loading import load_contract
    from archguard.engine.pipeline import RunOptions, analyze, build_graph, evaluate

    loaded = load_contract(project / "archguard.toml")
    analysis = analyze(loaded, RunOptions(jobs=2, cache_dir=project / ".cache-this"))
    files = list(analysis.discovery.files)
    followed = median_of(repetitions, lambda: build_graph(files, analysis.facts, analysis.components, follow_reexports=True))
    plain = median_of(repetitions, lambda: build_graph(files, analysis.facts, analysis.components, follow_reexports=False))
    sites, _graph = build_graph(files, analysis.facts, analysis.components, follow_reexports=True)
    extra = sum(1 for site in sites if site.via)
    with_vacuous = median_of(repetitions, lambda: evaluate(analysis))
    contract = loaded.contract
    quiet = replace(loaded, contract=contract.model_copy(update={"drift": contract.drift.model_copy(update={"vacuous": "off"})}))
    without = replace(analysis, loaded=quiet)
    without_vacuous = median_of(repetitions, lambda: evaluate(without))
    return [
        ["resolve + build the graph, re-exports not followed", f"{plain * 1000:.0f}", "1.00x", f"{len(sites) - extra:,} sites"],
        ["resolve + build the graph, re-exports followed", f"{followed * 1000:.0f}", f"{followed / plain:.2f}x", f"+{extra:,} re-export sites"],
        ["evaluate every rule, [drift] vacuous = off", f"{without_vacuous * 1000:.0f}", "1.00x", ""],
        ["evaluate every rule, vacuous-rule on (default)", f"{with_vacuous * 1000:.0f}", f"{with_vacuous / without_vacuous:.2f}x", ""],
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--main", type=Path, default=Path("/work/main"), help="a checkout without these features")
    parser.add_argument("--name", default="", help="what to call that checkout in the table (default: main and its commit)")
    args = parser.parse_args()
    project = django_copy()
    files = sorted((project / "django").rglob("*.py"))
    main_commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=args.main, capture_output=True, text=True).stdout.strip()
    this_commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True).stdout.strip()

    def archguard(cache: str) -> list[str]:
        return [sys.executable, "-m", "archguard", "check", "-q", "--cache-dir", str(project / cache)]

    # PYTHONPATH (not sys.path) picks the checkout: the parsing processes must see it too.
    this, this_env = archguard(".cache-this"), {"PYTHONPATH": str(REPO)}
    main_checkout, main_env = archguard(".cache-main"), {"PYTHONPATH": str(args.main)}
    lint_imports = bin_path("lint-imports")
    env = {"PYTHONPATH": str(project)}
    timed(this, project, this_env)  # fill each cache once
    timed(main_checkout, project, main_env)
    timed([lint_imports], project, env)
    series = {
        f"archguard check, warm, this branch ({this_commit})": Series("this"),
        f"archguard check, warm, {args.name or f'main ({main_commit})'}": Series("main"),
        "lint-imports, warm cache": Series("li"),
    }
    runs = [
        lambda: timed(this, project, this_env),
        lambda: timed(main_checkout, project, main_env),
        lambda: timed([lint_imports], project, env),
    ]
    alternate(list(zip(series.values(), runs, strict=True)), args.repetitions)
    li_warm = series["lint-imports, warm cache"].median
    main_warm = list(series.values())[1].median
    rows = [
        [name, f"{s.median:.2f}", f"{s.peak_mib:.0f}", f"{s.median / main_warm:.2f}x", f"{s.median / li_warm:.2f}x", str(s.samples[0].returncode)]
        for name, s in series.items()
    ]
    breakdown = in_process(project, args.repetitions)
    report = f"""# Beyond the peers: cost on Django ({len(files)} files)

Machine: {machine()}. Medians of {args.repetitions} alternating repetitions. `python -m benchmarks.beyond`.

## Warm whole-tree check (layers + forbidden + independence contracts)

{table(rows, ["run", "median (s)", "peak RSS (MiB)", "ratio to the checkout without the features", "ratio to lint-imports warm", "exit code"])}

## In-process, warm cache (this branch)

{table(breakdown, ["step", "median (ms)", "ratio", "note"])}
"""
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "beyond.md").write_text(report)
    print(report)


if __name__ == "__main__":
    main()
