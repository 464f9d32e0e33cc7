"""`archguard init`, `check` under the inferred contract, and `explain`, on Django's source.

Copies Django into a temporary folder, runs `archguard init` there, and measures, interleaved
round by round so that load from other processes hits every scenario alike (medians of the
in-process library calls, facts cache warm, so parsing is out of the picture):

  infer                  archguard.advice.infer.infer (analysis from the cache, inference, two evaluations)
  check-inferred         evaluate the inferred contract (with its frozen [[ignore]] entries)
  check-no-ignores       the same contract without its [[ignore]] entries (for scale)
  check-inferred@BASE    the inferred contract evaluated by archguard as of commit BASE (default: the
                         core this branch started from), in a subprocess that times the same call:
                         what matching hundreds of [[ignore]] entries cost before this branch
  explain                archguard.advice.explain.explain(result, "utils", "db")

Then `archguard fix` on a copy of Django under a contract that makes http, urls, template,
forms and db services whose package modules are their public interface: how many boundary
violations it rewrites, how long planning takes (one run), and whether `check` afterwards
reports exactly the findings from before minus the fixed ones, with only those lines changed.

It also prints what init inferred (components, layers, the cycle and its cut) for the report.

    python benchmarks/adopt/init_django.py [--django /work/ref/django-5.2.19] [--rounds 5] [--base 0a7ccab]
                                           [--output benchmarks/results/adopt.md]
"""

from __future__ import annotations

import argparse
import difflib
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from collections import Counter
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(HERE))

from archguard.advice.explain import explain  # noqa: E402
from archguard.advice.fix import apply, plan_fixes  # noqa: E402
from archguard.advice.infer import infer  # noqa: E402
from archguard.contract.loading import LoadedContract, load_contract, parse_contract  # noqa: E402
from archguard.engine.pipeline import RunOptions, analyze, check, evaluate, reanalyze  # noqa: E402

BASE_SNIPPET = """
import sys, time
from pathlib import Path
from archguard.contract.loading import load_contract
from archguard.engine.pipeline import analyze, evaluate
if __name__ == "__main__":
    analysis = analyze(load_contract(Path(sys.argv[1]) / "archguard.toml"))
    started = time.perf_counter()
    evaluate(analysis)
    print(time.perf_counter() - started)
"""


def export(commit: str, target: Path) -> None:
    """archguard's source as of ``commit``, unpacked in ``target`` (the working tree is not touched)."""
    archive = subprocess.run(["git", "-C", str(HERE), "archive", commit, "archguard"], check=True, capture_output=True).stdout
    target.mkdir(parents=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)


def timed_at_base(base: Path, root: Path) -> float:
    script = base / "bench_evaluate.py"
    if not script.exists():
        script.write_text(BASE_SNIPPET, encoding="utf-8")
    command = [sys.executable, str(script), str(root)]
    completed = subprocess.run(command, env={"PYTHONPATH": str(base)}, capture_output=True, text=True, check=True)
    return float(completed.stdout.strip())


FIX_CONTRACT = """
[project]
roots = ["."]
[components]
http = { modules = ["django.http"], public = ["django.http:*"] }
urls = { modules = ["django.urls"], public = ["django.urls:*"] }
template = { modules = ["django.template"], public = ["django.template:*"] }
forms = { modules = ["django.forms"], public = ["django.forms:*"] }
db = { modules = ["django.db"], public = ["django.db:*", "django.db.models:*"] }
rest = { modules = ["django"] }
[[rules]]
kind = "boundaries"
components = ["http", "urls", "template", "forms", "db"]
[drift]
unmapped = "off"
"""


def fix_round_trip(django: Path, temporary: Path) -> list[str]:
    root = temporary / "fix"
    shutil.copytree(django / "django", root / "django")
    (root / "archguard.toml").write_text(FIX_CONTRACT, encoding="utf-8")
    loaded = load_contract(root / "archguard.toml")
    before = check(loaded, RunOptions(jobs=2))
    started = time.perf_counter()
    plan = plan_fixes(before)
    planning = time.perf_counter() - started
    fixed = Counter(r.finding.fingerprint for r in plan.rewrites)
    apply(plan, root)
    after = check(loaded)
    old, new = Counter(f.fingerprint for f in before.findings), Counter(f.fingerprint for f in after.findings)
    changed = 0
    for file in plan.files:
        lines = list(difflib.unified_diff(file.before.decode().splitlines(), (root / file.path).read_text().splitlines(), n=0))
        changed += sum(1 for line in lines if line.startswith("-") and not line.startswith("---"))
    statements = sum(1 for r in plan.rewrites)
    boundaries = sum(1 for f in before.findings if f.rule == "boundaries")
    return [
        "",
        "## archguard fix on Django",
        "",
        f"- boundary violations: {boundaries}; rewritten: {len(plan.rewrites)} in {len(plan.files)} files "
        f"(planning and in-memory verification {planning:.1f} s); not fixed: {len(plan.skipped)}, each with its reason.",
        f"- `check` after `--apply`: {sum(new.values())} findings (before: {sum(old.values())}); new findings: "
        f"{sum((new - old).values())}; findings gone == findings fixed: {(old - new) == fixed}.",
        f"- lines changed in the rewritten files: {changed} (for {statements} statements).",
    ]


def timed(function: Callable[[], object]) -> float:
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--django", type=Path, default=Path("/work/ref/django-5.2.19"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--base", default="0a7ccab", help="commit to compare the evaluation with")
    parser.add_argument("--output", type=Path)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as temporary:
        root = Path(temporary) / "django"
        shutil.copytree(args.django / "django", root / "django")
        cold = timed(lambda: infer(root, run=RunOptions(jobs=2)))
        result = infer(root)
        (root / "archguard.toml").write_text(result.text, encoding="utf-8")
        loaded = load_contract(root / "archguard.toml")
        cold_check = timed(lambda: check(loaded, RunOptions(jobs=2, use_cache=False)))
        analysis = analyze(loaded)
        data = tomllib.loads(result.text)
        data.pop("ignore", None)
        bare = LoadedContract(parse_contract(data), loaded.path, loaded.root, "")
        bare_analysis = reanalyze(analysis, bare)
        checked = evaluate(analysis)
        assert checked.exit_code == 0, [f.message for f in checked.errors][:5]

        base = Path(temporary) / "base"
        export(args.base, base)
        at_base = f"check-inferred@{args.base}"
        samples: dict[str, list[float]] = {name: [] for name in ("infer", "check-inferred", "check-no-ignores", at_base, "explain")}
        for _ in range(args.rounds):
            samples["infer"].append(timed(lambda: infer(root)))
            samples["check-inferred"].append(timed(lambda: evaluate(analysis)))
            samples["check-no-ignores"].append(timed(lambda: evaluate(bare_analysis)))
            samples[at_base].append(timed_at_base(base, root))
            samples["explain"].append(timed(lambda: explain(checked, "utils", "db")))
        fix_lines = fix_round_trip(args.django, Path(temporary))

    inference = result.inference
    cut = set(inference.layering.cut)
    cut_sites = [s for d in inference.dependencies if (d.source, d.target) in cut for s in d.sites]
    total_sites = sum(len(d.sites) for d in inference.dependencies)
    medians = {name: statistics.median(values) for name, values in samples.items()}
    lines = [
        "# archguard init / explain on Django",
        "",
        f"Django {args.django.name}, {len(analysis.paths)} modules; {args.rounds} rounds, interleaved; "
        f"Python {platform.python_version()}, {platform.machine()}. Medians of in-process calls, facts cache warm.",
        "",
        "| scenario | median (s) | ratio to check-no-ignores |",
        "| --- | --- | --- |",
    ]
    for name, value in medians.items():
        lines.append(f"| {name} | {value:.3f} | {value / medians['check-no-ignores']:.2f} |")
    lines += [
        "",
        f"Cold, one run each (empty cache, 2 processes, parsing included): `infer` {cold:.1f} s, "
        f"`check` with the inferred contract {cold_check:.1f} s (ratio {cold / cold_check:.2f}).",
        "",
        "## What init inferred",
        "",
        f"- {len(inference.components)} components (depth 1), {len(inference.dependencies)} dependencies between them "
        f"({total_sites} import sites).",
        f"- {len(inference.layering.cycles)} cycle(s): " + "; ".join(", ".join(c) for c in inference.layering.cycles),
        f"- cut: {len(cut)} dependencies, {len(cut_sites)} import sites "
        f"({sum(1 for s in cut_sites if s.lazy or s.type_checking)} of them inside functions or TYPE_CHECKING blocks).",
        f"- {len(inference.layering.layers)} layers, top to bottom: " + " / ".join(" : ".join(ly) for ly in inference.layering.layers),
        "- public interfaces: " + "; ".join(f"{c.name}: {', '.join(c.public)}" for c in inference.components if c.public),
        f"- frozen: {len(result.frozen_findings)} findings as {len(inference.frozen)} [[ignore]] entries; "
        f"contract {len(result.text.splitlines())} lines.",
    ]
    text = "\n".join(lines + fix_lines) + "\n"
    print(text)
    if args.output:
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
