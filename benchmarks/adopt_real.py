"""First contact with real projects: `archguard init`, then `archguard check`, on seven sdists.

For SQLAlchemy (a `lib/` layout), httpx, flask (a `src/` layout), rich and Django, this
script downloads the source distribution with pip (once, into benchmarks/work/, which git
ignores), copies the unpacked tree to a fresh folder (no archguard cache, no contract), runs
`archguard init` there and then `archguard check`, both as a user would (the console command,
two processes), and writes a table to benchmarks/results/adopt_real.md: where archguard found
the library and what it left out, components, layers, cycles, what init froze, the findings
and exit code of the `check` that follows, and the wall time of each command (init cold: it
parses everything; check warm: the facts cache init left).

It also checks SQLAlchemy with an import-linter configuration (`root_package = sqlalchemy`)
the way the issue describes: `PYTHONPATH=lib lint-imports` and `archguard check` without
`PYTHONPATH` must give the same verdicts.

The inferred layers are listed under the table, to be read: they should make sense to
someone who knows the project. This is a benchmark, not a test: it needs the network (pip)
and about five minutes on two cores.

    python benchmarks/adopt_real.py [--only httpx] [--output benchmarks/results/adopt_real.md]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORK = HERE / "work" / "adopt_real"
RESULTS = HERE / "results"
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# name on PyPI, version, the folder name inside the sdist
PROJECTS = [
    ("SQLAlchemy", "2.0.36", "sqlalchemy-2.0.36"),
    ("httpx", "0.28.1", "httpx-0.28.1"),
    ("flask", "3.1.0", "flask-3.1.0"),
    ("rich", "13.9.4", "rich-13.9.4"),
    ("Django", "5.2.8", "django-5.2.8"),
    # layouts found by trying more projects: a hatch wheel that strips src/ (black), a namespace
    # package named by poetry (poetry-core's src/poetry without __init__.py)
    ("black", "24.10.0", "black-24.10.0"),
    ("poetry-core", "1.9.1", "poetry_core-1.9.1"),
]
SQLALCHEMY_IMPORTLINTER = """[importlinter]
root_package = sqlalchemy

[importlinter:contract:core]
name = util stays below the engine
type = forbidden
source_modules =
    sqlalchemy.util
forbidden_modules =
    sqlalchemy.engine
    sqlalchemy.orm

[importlinter:contract:layers]
name = orm above sql
type = layers
layers =
    sqlalchemy.orm
    sqlalchemy.sql
"""


@dataclass
class Outcome:
    project: str
    version: str
    roots: list[str] = field(default_factory=list)
    packages: list[str] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)
    components: int = 0
    layers: list[str] = field(default_factory=list)
    cycles: int = 0
    frozen: int = 0
    baselined: int = 0
    init_code: int = 0
    init_seconds: float = 0.0
    check_code: int = 0
    check_seconds: float = 0.0
    errors: int = 0
    warnings: int = 0
    files: int = 0
    init_stderr: str = ""


def environment() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY")}
    env["NO_COLOR"] = "1"
    env["ARCHGUARD_NO_REPLAY"] = "1"
    return env


def sdist(name: str, version: str, folder: str) -> Path:
    """The unpacked sdist under work/ (downloaded with pip the first time)."""
    target = WORK / "src" / folder
    if target.is_dir():
        return target
    downloads = WORK / "sdists"
    downloads.mkdir(parents=True, exist_ok=True)
    archives = list(downloads.glob(f"{folder}.tar.gz")) + list(downloads.glob(f"{folder.lower()}.tar.gz"))
    if not archives:
        # --no-binary for this package only: its build dependencies (Cython for SQLAlchemy) may
        # come as wheels, which pip needs to read the sdist's metadata (from source they take minutes).
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--no-binary", name, f"{name}=={version}", "-d", str(downloads)],
            check=True,
        )
        archives = [a for a in downloads.glob("*.tar.gz") if a.name.lower() == f"{folder.lower()}.tar.gz"]
    (WORK / "src").mkdir(parents=True, exist_ok=True)
    with tarfile.open(archives[0]) as tar:
        tar.extractall(WORK / "src", filter="data")
    return target


def run(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.perf_counter()
    completed = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=1800)
    return completed, time.perf_counter() - started


def adopt(name: str, version: str, folder: str, scratch: Path) -> Outcome:
    source = sdist(name, version, folder)
    project = scratch / folder
    shutil.copytree(source, project)
    env = environment()
    archguard = [sys.executable, "-m", "archguard"]
    outcome = Outcome(name, version)
    init, outcome.init_seconds = run([*archguard, "init", "--jobs", "2"], project, env)
    outcome.init_code, outcome.init_stderr = init.returncode, init.stderr
    if init.returncode != 0:
        return outcome
    text = (project / "archguard.toml").read_text(encoding="utf-8")
    contract = tomllib.loads(text)
    outcome.roots = contract["project"].get("roots", [])
    outcome.packages = contract["project"].get("packages") or _comment_packages(text)
    outcome.left_out = _left_out(text)
    outcome.components = len(contract.get("components", {}))
    layers = next((rule["layers"] for rule in contract.get("rules", []) if rule["kind"] == "layers"), [])
    outcome.layers = list(layers)
    outcome.cycles = sum(1 for line in text.splitlines() if line.startswith("#   cycle "))
    outcome.frozen = len(contract.get("ignore", []))
    baseline = project / "archguard-baseline.json"
    if baseline.is_file():
        outcome.baselined = len(json.loads(baseline.read_text(encoding="utf-8"))["findings"])
    check, outcome.check_seconds = run([*archguard, "check", "--jobs", "2", "--format", "json"], project, env)
    outcome.check_code = check.returncode
    summary = json.loads(check.stdout)["summary"] if check.stdout.strip().startswith("{") else {}
    outcome.errors, outcome.warnings, outcome.files = summary.get("errors", -1), summary.get("warnings", -1), summary.get("files", 0)
    return outcome


def _comment_packages(text: str) -> list[str]:
    for line in text.splitlines():
        if line.startswith("# packages: every package found under the roots ("):
            return [p.strip() for p in line.partition("(")[2].rstrip(")").split(",")]
    return []


def _left_out(text: str) -> list[str]:
    lines = text.splitlines()
    if "# Left out: not the library" not in text:
        return []
    start = next(i for i, line in enumerate(lines) if line.startswith("# Left out: not the library"))
    found = []
    for line in lines[start + 1 :]:
        if not line.startswith("#   "):
            break
        path, _, why = line[4:].partition("  ")
        found.append(f"{path} ({why.strip().split(';')[0]})")
    return found


def importlinter_on_sqlalchemy(scratch: Path) -> list[str]:
    """SQLAlchemy under an import-linter configuration: lint-imports with PYTHONPATH=lib, archguard without."""
    source = sdist("SQLAlchemy", "2.0.36", "sqlalchemy-2.0.36")
    project = scratch / "sqlalchemy-importlinter"
    shutil.copytree(source, project)
    (project / ".importlinter").write_text(SQLALCHEMY_IMPORTLINTER, encoding="utf-8")
    env = environment()
    theirs, their_seconds = run([str(LINT_IMPORTS), "--no-cache", "--no-logo"], project, {**env, "PYTHONPATH": "lib", "COLUMNS": "200"})
    bare, _ = run([str(LINT_IMPORTS), "--no-cache", "--no-logo"], project, env)
    ours, our_seconds = run([sys.executable, "-m", "archguard", "check", "--no-cache", "--jobs", "2", "--config", ".importlinter"], project, env)

    def verdicts(output: str) -> dict[str, str]:
        found = {}
        for line in output.splitlines():
            for word in ("KEPT", "BROKEN"):
                if f" {word}" in line and not line.startswith(("Contracts:", "-")):
                    found[line[: line.rindex(f" {word}")].strip()] = word
        return found

    return [
        "## SQLAlchemy with an import-linter configuration (`root_package = sqlalchemy`, package in `lib/`)",
        "",
        "| command | exit | verdicts | time (s) |",
        "| --- | --- | --- | --- |",
        f"| `lint-imports` (no PYTHONPATH) | {bare.returncode} | {(bare.stdout + bare.stderr).strip().splitlines()[-1]} | |",
        f"| `PYTHONPATH=lib lint-imports --no-cache` | {theirs.returncode} | {verdicts(theirs.stdout)} | {their_seconds:.1f} |",
        f"| `archguard check --no-cache --config .importlinter` (no PYTHONPATH) | {ours.returncode} | {verdicts(ours.stdout)} | {our_seconds:.1f} |",
        "",
        f"Same verdicts: {verdicts(theirs.stdout) == verdicts(ours.stdout)} (archguard finds `lib/` from `setup.cfg`'s `package_dir`).",
    ]


def render(outcomes: list[Outcome], extra: list[str], load: float) -> str:
    lines = [
        "# `archguard init` then `archguard check` on seven real projects",
        "",
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores (shared: load average {load:.1f} "
        "at the start); one run each, "
        "`--jobs 2`; init cold (a fresh copy, no cache), check right after it (the cache init left). "
        "Written by `python benchmarks/adopt_real.py`.",
        "",
        "| project | roots | library | left out | components | layers | cycles | frozen [[ignore]] | clones baselined "
        "| check: errors / warnings | check exit | files | init (s) | check (s) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for o in outcomes:
        if o.init_code != 0:
            lines.append(f"| {o.project} {o.version} | init failed (exit {o.init_code}): {o.init_stderr.strip().splitlines()[-1]} |" + " |" * 12)
            continue
        lines.append(
            f"| {o.project} {o.version} | {', '.join(o.roots)} | {', '.join(o.packages)} | {', '.join(o.left_out) or '-'} "
            f"| {o.components} | {len(o.layers)} | {o.cycles} | {o.frozen} | {o.baselined} | {o.errors} / {o.warnings} "
            f"| {o.check_code} | {o.files} | {o.init_seconds:.1f} | {o.check_seconds:.1f} |"
        )
    lines += ["", "## Inferred layers (top to bottom; `a : b` share a layer)", ""]
    for o in outcomes:
        if o.layers:
            lines.append(f"- **{o.project}**: " + " / ".join(o.layers))
    lines += ["", *extra, ""]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", action="append", help="project name (repeatable; default: all seven)")
    parser.add_argument("--output", type=Path, default=RESULTS / "adopt_real.md")
    args = parser.parse_args()
    chosen = [p for p in PROJECTS if not args.only or p[0].lower() in {o.lower() for o in args.only}]
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="adopt-real-") as temporary:
        scratch = Path(temporary)
        outcomes = []
        for name, version, folder in chosen:
            outcome = adopt(name, version, folder, scratch)
            timing = f"init {outcome.init_code} in {outcome.init_seconds:.1f} s, check {outcome.check_code} in {outcome.check_seconds:.1f} s"
            print(f"{name}: {timing}", file=sys.stderr)
            outcomes.append(outcome)
        extra = importlinter_on_sqlalchemy(scratch) if any(p[0] == "SQLAlchemy" for p in chosen) else []
    text = render(outcomes, extra, load)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
