"""Wall time of `archguard check --diff` for a 10-file change on Django, against a whole-tree check.

Builds a git repository of Django's source in a temporary folder (one commit: the base), a
small contract with one component per top-level django subpackage, and a branch that changes
10 files in 10 subpackages (one of them adds an upward import inside a function). Then runs,
interleaved round by round so that load from other processes hits every scenario alike:

  check-cold         archguard check, empty facts cache (whole tree)
  check-warm         archguard check, nothing changed since the last run (replay off: the
                     facts come from the cache, the graph and rules are evaluated again)
  check-replay       the same, with replay: the recorded report of the identical run
  diff-cold          archguard check --diff base, empty facts cache
  diff-base-cache    archguard check --diff base, with the cache a check of the base left
                     (the 10 changed files are not in it)
  diff-warm          archguard check --diff base, run again (everything cached)
  lint-imports-warm  import-linter 2.x on the same tree with its cache (peer, for scale)

Each figure is the median wall time of the whole command (interpreter start included).
In-process figures (library calls, no interpreter start) follow for the warm cases.

    python benchmarks/drift/diff_check.py [--django /work/ref/django-5.2.19] [--rounds 5] [--output benchmarks/results/drift.md]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

HERE = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(HERE))

SUBPACKAGES = [
    "apps", "conf", "contrib", "core", "db", "dispatch", "forms", "http", "middleware",
    "template", "templatetags", "test", "urls", "utils", "views",
]  # fmt: skip

CONTRACT = """
[project]
packages = ["django"]

[components]
root = { modules = ["django:*", "django.shortcuts", "django.__main__"] }
%(components)s

[[rules]]
kind = "layers"
name = "web on top of the ORM on top of utils"
layers = ["contrib", "test", "views | middleware", "forms | template | templatetags", "db", "utils"]
allow_indirect = true

[[rules]]
kind = "forbidden"
name = "utils stay free of the ORM"
from = ["utils"]
to = ["db"]
allow_indirect = true

[drift]
unmapped = "warning"
absent = "off"
"""

IMPORTLINTER = """
[importlinter]
root_package = django

[importlinter:contract:layers]
name = web on top of the ORM on top of utils
type = layers
layers =
    django.contrib
    django.test
    django.views | django.middleware
    django.forms | django.template | django.templatetags
    django.db
    django.utils
"""

# One file per subpackage; in utils, the change adds an upward import of the ORM.
CHANGED = [
    "django/apps/registry.py",
    "django/conf/__init__.py",
    "django/core/paginator.py",
    "django/db/models/query.py",
    "django/forms/fields.py",
    "django/http/request.py",
    "django/middleware/common.py",
    "django/template/base.py",
    "django/urls/resolvers.py",
    "django/utils/text.py",
]


def git(repo: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@x", "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@x"}
    subprocess.run(["git", *args], cwd=repo, check=True, env=env, capture_output=True)


def build(work: Path, django: Path) -> Path:
    repo = work / "django"
    shutil.copytree(django, repo, ignore=shutil.ignore_patterns("__pycache__", ".archguard_cache", ".import_linter_cache"))
    components = "\n".join(f'{name} = {{ modules = ["django.{name}"] }}' for name in SUBPACKAGES)
    (repo / "archguard.toml").write_text(textwrap.dedent(CONTRACT % {"components": components}))
    (repo / ".importlinter").write_text(textwrap.dedent(IMPORTLINTER))
    (repo / ".gitignore").write_text(".import_linter_cache/\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "tag", "base")
    git(repo, "checkout", "-q", "-b", "change")
    for index, relative in enumerate(CHANGED):
        path = repo / relative
        body = f"\n\ndef _benchmark_helper_{index}():\n    import json\n\n    return json.dumps({index})\n"
        if relative.startswith("django/utils/"):
            body += "\n\ndef _benchmark_upward():\n    from django.db import models\n\n    return models\n"
        path.write_text('"""Changed."""\n' + path.read_text(encoding="utf-8") + body, encoding="utf-8")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "a 10-file change")
    return repo


def timed(command: list[str], cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} failed ({result.returncode}):\n{result.stderr}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--django", type=Path, default=Path("/work/ref/django-5.2.19"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--output", type=Path, default=HERE / "benchmarks/results/drift.md")
    args = parser.parse_args()
    from benchmarks.common import compile_bytecode

    compile_bytecode()
    python = sys.executable
    lint_imports = shutil.which("lint-imports", path=str(Path(python).parent)) or shutil.which("lint-imports")
    env = {**os.environ, "PYTHONPATH": str(HERE)}
    env.pop("ARCHGUARD_CACHE_DIR", None)
    with tempfile.TemporaryDirectory(prefix="archguard-drift-bench-") as temporary:
        work = Path(temporary)
        repo = build(work, args.django)
        archguard = [python, "-m", "archguard"]
        caches = {name: work / f"cache-{name}" for name in ("cold", "warm", "diff-cold", "diff-base", "diff-warm")}

        # The base's cache: what a check of the base commit leaves behind.
        git(repo, "checkout", "-q", "base")
        base_cache = work / "cache-of-base"
        timed([*archguard, "check", "-q", "--cache-dir", str(base_cache)], repo, env)
        git(repo, "checkout", "-q", "change")
        for warm in ("warm", "diff-warm"):
            shutil.copytree(base_cache, caches[warm])
        timed([*archguard, "check", "-q", "--cache-dir", str(caches["warm"])], repo, env)
        timed([*archguard, "check", "-q", "--diff", "base", "--cache-dir", str(caches["diff-warm"])], repo, env)
        if lint_imports:
            timed([lint_imports, "--no-cache"], repo, env)  # first run pays for the cache
            timed([lint_imports], repo, env)

        def reset(name: str, source: Path | None) -> None:
            shutil.rmtree(caches[name], ignore_errors=True)
            if source is not None:
                shutil.copytree(source, caches[name])

        scenarios: dict[str, tuple[list[str], object]] = {
            "check-cold": ([*archguard, "check", "-q", "--cache-dir", str(caches["cold"])], lambda: reset("cold", None)),
            "check-warm": ([*archguard, "check", "-q", "--cache-dir", str(caches["warm"])], "no-replay"),
            "check-replay": ([*archguard, "check", "-q", "--cache-dir", str(caches["warm"])], None),
            "diff-cold": ([*archguard, "check", "-q", "--diff", "base", "--cache-dir", str(caches["diff-cold"])], lambda: reset("diff-cold", None)),
            "diff-base-cache": (
                [*archguard, "check", "-q", "--diff", "base", "--cache-dir", str(caches["diff-base"])],
                lambda: reset("diff-base", base_cache),
            ),
            "diff-warm": ([*archguard, "check", "-q", "--diff", "base", "--cache-dir", str(caches["diff-warm"])], None),
        }
        if lint_imports:
            scenarios["lint-imports-warm"] = ([lint_imports], None)
        times: dict[str, list[float]] = {name: [] for name in scenarios}
        names = list(scenarios)
        for round_number in range(args.rounds):
            order = names[round_number % len(names) :] + names[: round_number % len(names)]
            for name in order:
                command, prepare = scenarios[name]
                if callable(prepare):
                    prepare()
                times[name].append(timed(command, repo, {**env, "ARCHGUARD_NO_REPLAY": "1"} if prepare == "no-replay" else env))
            print(f"round {round_number + 1}/{args.rounds}: " + ", ".join(f"{n} {times[n][-1]:.2f}" for n in names), file=sys.stderr)

        in_process = measure_in_process(repo, caches["warm"], caches["diff-warm"], args.rounds)
        files = sum(1 for _ in (repo / "django").rglob("*.py"))
    write_report(args.output, times, in_process, files, args.rounds, bool(lint_imports))


def measure_in_process(repo: Path, warm_cache: Path, diff_cache: Path, rounds: int) -> dict[str, list[float]]:
    """Warm whole-tree check and warm diff check as library calls (no interpreter start)."""
    from archguard.contract.loading import load_contract
    from archguard.engine.pipeline import RunOptions, check
    from archguard.gate.delta import compare_revisions

    cwd = os.getcwd()
    os.chdir(repo)
    try:
        loaded = load_contract(repo / "archguard.toml")
        results: dict[str, list[float]] = {"check-warm (library)": [], "diff-warm (library)": []}
        for _ in range(rounds):
            started = time.perf_counter()
            check(loaded, RunOptions(cache_dir=warm_cache))
            results["check-warm (library)"].append(time.perf_counter() - started)
            started = time.perf_counter()
            compare_revisions(loaded, "base", None, RunOptions(cache_dir=diff_cache))
            results["diff-warm (library)"].append(time.perf_counter() - started)
        return results
    finally:
        os.chdir(cwd)


def write_report(output: Path, times: dict[str, list[float]], in_process: dict[str, list[float]], files: int, rounds: int, peer: bool) -> None:
    medians = {name: statistics.median(values) for name, values in {**times, **in_process}.items()}
    check_warm = medians["check-warm"]
    lines = [
        "# Drift: `check --diff` on Django",
        "",
        f"Django 5.2's source as a git repository ({files} files under `django/`), a contract with one component per",
        "top-level subpackage (layers and forbidden rules, indirect chains counted), and a committed 10-file change",
        "(10 subpackages; one adds an upward import of the ORM inside a function in `django/utils/text.py`).",
        f"Median wall time of {rounds} interleaved rounds, whole command including interpreter start;",
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores shared with other work.",
        "Generated by `benchmarks/drift/diff_check.py`.",
        "",
        "| scenario | median (s) | vs check-warm | vs lint-imports warm |" if peer else "| scenario | median (s) | vs check-warm |",
        "| --- | ---: | ---: | ---: |" if peer else "| --- | ---: | ---: |",
    ]
    for name, value in medians.items():
        row = f"| {name} | {value:.3f} | {value / check_warm:.2f}x |"
        if peer:
            row += f" {value / medians['lint-imports-warm']:.2f}x |"
        lines.append(row)
    lines += [
        "",
        "- *check-cold* / *check-warm*: `archguard check` on the whole tree, empty cache / nothing changed (replay off:",
        "  facts from the cache, graph and rules evaluated again). *check-replay*: the same with replay on (the identical",
        "  run's recorded report is written again after its inputs are verified); a diff check never replays.",
        "- *diff-cold*: `archguard check --diff base` with an empty cache: every file of the head is parsed; the base",
        "  reuses the head's facts for the files the change left alone and parses only the 10 changed files.",
        "- *diff-base-cache*: the cache a check of the base left behind: the head's 10 changed files are parsed, the",
        "  base's versions of them come from the cache, nothing else is parsed. The clone search compares only the",
        "  changed code against the similar pairs the base's check kept in the cache; the base side's clone report",
        "  is the one the base's check stored.",
        "- *diff-warm*: the same diff check again (everything cached).",
        "- *(library)*: the same warm runs as library calls, without interpreter start and imports.",
        "",
    ]
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
