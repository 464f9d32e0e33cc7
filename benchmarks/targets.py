"""The targets of issue 20, side by side with the peers, on Django and on SQLAlchemy's lib/.

    python -m benchmarks.targets [--trees django,sqlalchemy] [--repetitions 5] [--jscpd PATH]
        [--scenarios extraction,cold,warm,edit,diff,dupes] [--output FILE] [--compare LABEL=DIR]

For each tree, equivalent contracts for both tools (layers + forbidden + independence, indirect
imports counted): an archguard contract (``archguard.toml``, where duplication is on by
default) and an import-linter configuration (``.importlinter``, which archguard reads too, with
import-linter's semantics and no duplication). Every scenario runs archguard and its peer
alternately, round after round, whole commands with interpreter start; the table gives
medians and the ratio archguard / peer:

- cold: ``archguard check --no-cache --jobs 2`` against ``lint-imports --no-cache``;
- warm, nothing changed: ``archguard check`` (the recorded report is replayed once every
  input is verified) against ``lint-imports`` with its cache; also without replay;
- one large file edited: a new comment line appended to it before each run (a new edit each
  time, so neither tool has it cached), against ``lint-imports`` after the same kind of edit;
- diff: ``archguard check --diff BASE`` for a committed 10-file change, with the cache a check
  of the base left, against a warm whole-tree ``lint-imports`` on the changed tree;
- dupes: ``archguard dupes --no-cache --jobs 2`` against jscpd (npm ``jscpd@5.3.2``, both of its
  settings used in benchmarks/duplication) on the package;
- extraction: the facts of every file in-process, against the bare parsers (``ast.parse``,
  ``libcst.parse_module``) on the same files, 1 and 2 processes;
- the floor of a copies search (cold and dupes rows, ``benchmarks/floor.py``, not archguard):
  CPython's parse, the regex tokens and the C-level shingles of every file in 2 processes,
  nothing else; for the diff, the copies-off run plus the same for the 10 changed files. Where
  its ratio misses a target, no pure-Python implementation can meet it.

Writes benchmarks/results/targets.md (``--output``: another file). ``--scenarios`` runs some of
the scenarios only (same tables, fewer rows). ``--compare main=DIR`` adds, in the same rounds,
the replay-off, edit and diff rows run by the archguard package under DIR (byte-compiled first). The machine is shared: the load average is
recorded at the start and the end; quote ratios from one run.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.common import REPO, RESULTS, WORK, Sample, Series, alternate, bin_path, compile_bytecode, django_source, machine, table, timed

SQLALCHEMY_VERSION = "2.0.59"


@dataclass
class Tree:
    """A code base and the equivalent contracts both tools check on it."""

    name: str
    package: str
    source_root: str  # "." or "lib": where the package folder is
    subpackages: list[str]
    layers: list[str]  # highest first
    forbidden_from: str
    forbidden_to: list[str]
    independent: list[str]
    large_file: str  # relative to the project root
    changed: list[str] = field(default_factory=list)  # the 10 files of the diff's change

    def archguard_toml(self) -> str:
        components = "\n".join(f'{name} = {{ modules = ["{self.package}.{name}"] }}' for name in self.subpackages)
        quoted = ", ".join(f'"{name}"' for name in self.layers)
        forbidden = ", ".join(f'"{name}"' for name in self.forbidden_to)
        independent = ", ".join(f'"{name}"' for name in self.independent)
        return f"""[project]
roots = ["{self.source_root}"]
packages = ["{self.package}"]

[components]
root = {{ modules = ["{self.package}:*"] }}
{components}

[[rules]]
kind = "layers"
name = "layers"
layers = [{quoted}]

[[rules]]
kind = "forbidden"
name = "low stays low"
from = ["{self.forbidden_from}"]
to = [{forbidden}]

[[rules]]
kind = "independent"
name = "independent"
components = [{independent}]

[drift]
unmapped = "off"
"""

    def importlinter(self) -> str:
        layers = "\n".join(f"    {self.package}.{name}" for name in self.layers)
        forbidden = "\n".join(f"    {self.package}.{name}" for name in self.forbidden_to)
        independent = "\n".join(f"    {self.package}.{name}" for name in self.independent)
        return f"""[importlinter]
root_package = {self.package}

[importlinter:contract:layers]
name = layers
type = layers
layers =
{layers}

[importlinter:contract:forbidden]
name = low stays low
type = forbidden
source_modules =
    {self.package}.{self.forbidden_from}
forbidden_modules =
{forbidden}

[importlinter:contract:independence]
name = independent
type = independence
modules =
{independent}
"""


DJANGO = Tree(
    name="Django",
    package="django",
    source_root=".",
    subpackages=[
        "apps", "conf", "contrib", "core", "db", "dispatch", "forms", "http", "middleware", "template", "templatetags", "test", "urls",
        "utils", "views",
    ],
    layers=["contrib", "test", "views", "middleware", "forms", "template", "db", "http", "core", "utils"],
    forbidden_from="utils",
    forbidden_to=["db", "forms", "template"],
    independent=["dispatch", "urls"],
    large_file="django/db/models/query.py",
    changed=[
        "django/utils/text.py", "django/db/models/base.py", "django/forms/forms.py", "django/http/request.py",
        "django/core/handlers/base.py", "django/template/base.py", "django/views/generic/base.py",
        "django/contrib/admin/options.py", "django/urls/resolvers.py", "django/middleware/common.py",
    ],
)  # fmt: skip
SQLALCHEMY = Tree(
    name="SQLAlchemy",
    package="sqlalchemy",
    source_root="lib",
    subpackages=["connectors", "cyextension", "dialects", "engine", "event", "ext", "future", "orm", "pool", "sql", "testing", "util"],
    layers=["testing", "ext", "orm", "engine", "pool", "sql", "event", "util"],
    forbidden_from="util",
    forbidden_to=["orm", "engine", "sql"],
    independent=["connectors", "pool"],
    large_file="lib/sqlalchemy/orm/query.py",
    changed=[
        "lib/sqlalchemy/util/langhelpers.py", "lib/sqlalchemy/orm/session.py", "lib/sqlalchemy/sql/elements.py",
        "lib/sqlalchemy/engine/base.py", "lib/sqlalchemy/pool/base.py", "lib/sqlalchemy/event/base.py",
        "lib/sqlalchemy/ext/hybrid.py", "lib/sqlalchemy/dialects/postgresql/base.py", "lib/sqlalchemy/testing/fixtures/base.py",
        "lib/sqlalchemy/orm/relationships.py",
    ],
)  # fmt: skip


def sqlalchemy_source() -> Path:
    """SQLAlchemy's package (the .py files of its wheel, which are its lib/), fetched through pip once."""
    target = WORK / "sqlalchemy-src"
    if (target / "lib" / "sqlalchemy" / "__init__.py").is_file():
        return target
    download = WORK / "dl"
    download.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:", f"sqlalchemy=={SQLALCHEMY_VERSION}", "-d", str(download)],
        check=True,
    )
    (wheel,) = download.glob(f"sqlalchemy-{SQLALCHEMY_VERSION}-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        for name in archive.namelist():
            if name.startswith("sqlalchemy/") and name.endswith((".py", ".pyi", ".typed")):
                archive.extract(name, target / "lib")
    return target


def _edit(path: Path, counter: list[int]) -> None:
    counter[0] += 1
    with path.open("a", encoding="utf-8") as handle:
        handle.write(f"\n# benchmark edit {counter[0]}\n")


def _git(root: Path, *args: str) -> None:
    identity = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "b@b", "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "b@b"}
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, env={**os.environ, **identity})


def _change(root: Path, tree: Tree) -> None:
    """The diff's change: each of the 10 files gets a new function; the first an upward import inside it."""
    for number, relpath in enumerate(tree.changed):
        path = root / relpath
        upward = f"    from {tree.package}.{tree.layers[0]} import __name__ as top\n" if number == 0 else ""
        added = f"\n\ndef _benchmark_change_{number}(value):\n{upward}    return [value] * {number + 2}\n"
        path.write_text(path.read_text(encoding="utf-8") + added, encoding="utf-8")


def _parse_all(sources: list[bytes], jobs: int, parser: str) -> float:
    started = time.perf_counter()
    if jobs == 1:
        for data in sources:
            _bare(parser, data)
    else:
        with multiprocessing.get_context("forkserver").Pool(jobs) as pool:
            pool.map(functools.partial(_bare, parser), sources, chunksize=max(1, len(sources) // (jobs * 8)))
    return time.perf_counter() - started


def _bare(parser: str, data: bytes) -> None:
    with contextlib.suppress(Exception):
        if parser == "ast":
            import ast

            ast.parse(data)
        elif parser == "libcst":
            import libcst

            libcst.parse_module(data)


def _extract(sources: list[bytes], jobs: int, clones: bool) -> float:
    from archguard.analysis.read.pool import extract_all

    started = time.perf_counter()
    extract_all(sources, jobs, clones=clones)
    return time.perf_counter() - started


def extraction_rows(root: Path, tree: Tree, repetitions: int) -> list[list[str]]:
    files = sorted((root / tree.source_root / tree.package).rglob("*.py"))
    sources = [path.read_bytes() for path in files]
    rows = []
    for jobs in (1, 2):
        measured: dict[str, list[float]] = {"ast": [], "fast": [], "fast-noclones": [], "libcst": []}
        for repetition in range(repetitions):
            measured["ast"].append(_parse_all(sources, jobs, "ast"))
            measured["fast"].append(_extract(sources, jobs, True))
            measured["fast-noclones"].append(_extract(sources, jobs, False))
            if repetition == 0:  # the old reader's floor, once: it takes ten times as long
                measured["libcst"].append(_parse_all(sources, jobs, "libcst"))
        median = {name: statistics.median(values) for name, values in measured.items()}
        rows.append(
            [
                str(jobs),
                f"{median['ast']:.2f}",
                f"{median['fast-noclones']:.2f} ({median['fast-noclones'] / median['ast']:.2f}x)",
                f"{median['fast']:.2f} ({median['fast'] / median['ast']:.2f}x)",
                f"{median['libcst']:.2f} ({median['libcst'] / median['ast']:.1f}x)",
            ]
        )
    return rows


@dataclass
class Scenario:
    name: str
    target: str
    ours: list[tuple[str, Callable[[], Sample]]]
    peer: tuple[str, Callable[[], Sample]]
    limit: float  # the target ratio


SCENARIOS = ("extraction", "cold", "warm", "edit", "diff", "dupes")
LAUNCH = "import sys; sys.argv[0] = 'archguard'; from archguard.cli import main; main()"


def run_tree(
    tree: Tree, source: Path, repetitions: int, jscpd: str, scenarios: tuple[str, ...] = SCENARIOS, compare: tuple[str, str] | None = None
) -> str:
    root = WORK / f"targets-{tree.name.lower()}"
    if root.exists():
        shutil.rmtree(root)
    shutil.copytree(source, root, ignore=shutil.ignore_patterns(".archguard_cache", "__pycache__"))
    (root / "archguard.toml").write_text(tree.archguard_toml(), encoding="utf-8")
    config_dir = root / tree.source_root
    (config_dir / ".importlinter").write_text(tree.importlinter(), encoding="utf-8")
    files = sorted((config_dir / tree.package).rglob("*.py"))
    lines = sum(path.read_bytes().count(b"\n") for path in files)
    archguard, lint_imports = bin_path("archguard"), bin_path("lint-imports")
    env_li = {"PYTHONPATH": str(config_dir)}
    no_replay = {"ARCHGUARD_NO_REPLAY": "1"}
    il_config = ["--config", str(config_dir / ".importlinter")]
    # The same contracts with archguard's copies search off: lint-imports' job exactly (the
    # default also looks for copies across top-level subpackages, which costs clone fingerprints).
    (config_dir / "importlinter-parity.ini").write_text(tree.importlinter() + "\n[archguard]\ncopies = off\n", encoding="utf-8")
    il_parity = ["--config", str(config_dir / "importlinter-parity.ini")]

    def ag(
        *args: str, extra: dict[str, str] | None = None, before: Callable[[], None] | None = None, cwd: Path = root, package: str | None = None
    ) -> Callable[[], Sample]:
        if package is not None:  # another archguard (--compare): its package first on the path
            command = [sys.executable, "-c", LAUNCH, *args]
            return functools.partial(timed, command, cwd, {**(extra or {}), "PYTHONPATH": package}, before=before)
        return functools.partial(timed, [archguard, *args], cwd, extra, before=before)

    def twins(label: str, *args: str, extra: dict[str, str] | None = None, before: Callable[[], None] | None = None) -> list[tuple[str, Callable[[], Sample]]]:
        """The row, and with --compare the same command run by the other archguard."""
        rows = [(label, ag(*args, extra=extra, before=before))]
        if compare is not None:
            rows.append((f"{label}, {compare[0]}", ag(*args, extra=extra, before=before, package=compare[1])))
        return rows

    def li(before: Callable[[], None] | None = None) -> Callable[[], Sample]:
        return functools.partial(timed, [lint_imports], config_dir, env_li, before=before)

    started_load = os.getloadavg()[0]
    report = [f"## {tree.name}: {len(files)} files, {lines:,} lines\n"]

    # 1. Extraction in-process against the bare parsers.
    if "extraction" in scenarios:
        report.append("### Extraction against the bare parsers (same files, same process count)\n")
        report.append(
            table(
                extraction_rows(root, tree, repetitions),
                [
                    "jobs", "ast.parse (s)", "fast reader, no clone fingerprints (s, x ast.parse)", "fast reader (s, x ast.parse)",
                    "libcst.parse_module (s, x ast.parse; once)",
                ],
            )
        )
        report.append("")

    # 2. Whole commands. Warm everything once; git repository for the diff.
    timed([archguard, "check", "-q"], root)
    timed([archguard, "check", "-q", *il_config], root)
    timed([archguard, "check", "-q", *il_parity], root)
    timed([lint_imports], config_dir, env_li)
    edits = [0]
    large = root / tree.large_file
    pristine_large = large.read_bytes()
    edit_large = functools.partial(_edit, large, edits)

    scenarios_run = [
        Scenario(
            "cold",
            "<= 2.0x lint-imports --no-cache",
            [
                ("archguard check --no-cache --jobs 2 (import-linter configuration)", ag("check", "-q", "--no-cache", "--jobs", "2", *il_config)),
                ("archguard check --no-cache --jobs 2 (import-linter configuration, copies off)", ag("check", "-q", "--no-cache", "--jobs", "2", *il_parity)),
                ("archguard check --no-cache --jobs 2 (archguard contract, with duplication)", ag("check", "-q", "--no-cache", "--jobs", "2")),
                (FLOOR_ROW, floor(config_dir / tree.package)),
            ],
            ("lint-imports --no-cache", functools.partial(timed, [lint_imports, "--no-cache"], config_dir, env_li)),
            2.0,
        ),
        Scenario(
            "warm, nothing changed",
            "<= 0.5x lint-imports warm",
            [
                ("archguard check (import-linter configuration, replayed)", ag("check", "-q", *il_config)),
                ("archguard check (archguard contract, replayed)", ag("check", "-q")),
                *twins("archguard check (import-linter configuration, replay off)", "check", "-q", *il_config, extra=no_replay),
                *twins("archguard check (archguard contract, replay off)", "check", "-q", extra=no_replay),
            ],
            ("lint-imports (warm cache)", li()),
            0.5,
        ),
        Scenario(
            f"one large file edited ({tree.large_file})",
            "<= 1.0x lint-imports after the same edit",
            [
                *twins("archguard check (import-linter configuration)", "check", "-q", *il_config, before=edit_large),
                *twins("archguard check (import-linter configuration, copies off)", "check", "-q", *il_parity, before=edit_large),
                *twins("archguard check (archguard contract)", "check", "-q", before=edit_large),
            ],
            ("lint-imports after the edit", li(before=edit_large)),
            1.0,
        ),
    ]
    chosen = dict(zip(SCENARIOS[1:4], scenarios_run, strict=True))
    results: list[tuple[Scenario, dict[str, Series], Series]] = []
    for scenario in [run for name, run in chosen.items() if name in scenarios]:
        ours = {name: Series(name) for name, _ in scenario.ours}
        peer = Series(scenario.peer[0])
        alternate([(ours[name], run) for name, run in scenario.ours] + [(peer, scenario.peer[1])], repetitions)
        results.append((scenario, ours, peer))
    large.write_bytes(pristine_large)

    # 3. The diff of a 10-file change, with the cache a check of the base left.
    if "diff" in scenarios:
        results.append(_diff_scenario(tree, root, config_dir, repetitions, ag, twins, li, il_config, il_parity))

    # 4. Duplication: archguard dupes against jscpd on the package.
    dupes_note = ""
    if "dupes" in scenarios:
        dupes_note = _dupes_scenario(tree, root, config_dir, repetitions, jscpd, ag, li, results)
    return _whole_commands(tree, report, results, started_load, dupes_note)


# The least a pure-Python run that searches for copies does (benchmarks/floor.py): its ratio
# says whether a target can be met at all without a compiled tokenizer and search.
FLOOR_ROW = "floor, not archguard: ast.parse + regex tokens + C-level shingles of every file, 2 processes (benchmarks/floor.py)"


DIFF_FLOOR_ROW = (
    "floor, not archguard: the copies-off run + ast.parse, regex tokens and C-level shingles of the 10 changed files"
    " (benchmarks/floor.py --jobs 1; summed round by round)"
)


def floor(package: Path) -> Callable[[], Sample]:
    return functools.partial(timed, [sys.executable, "-m", "benchmarks.floor", str(package), "--jobs", "2"], REPO)


def _diff_scenario(
    tree: Tree,
    root: Path,
    config_dir: Path,
    repetitions: int,
    ag: Callable[..., Callable[[], Sample]],
    twins: Callable[..., list[tuple[str, Callable[[], Sample]]]],
    li: Callable[..., Callable[[], Sample]],
    il_config: list[str],
    il_parity: list[str],
) -> tuple[Scenario, dict[str, Series], Series]:
    archguard, lint_imports = bin_path("archguard"), bin_path("lint-imports")
    env_li = {"PYTHONPATH": str(config_dir)}
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "base")
    for cache in (root / ".archguard_cache", config_dir / ".archguard_cache"):
        shutil.rmtree(cache, ignore_errors=True)
    timed([archguard, "check", "-q"], root)
    timed([archguard, "check", "-q", *il_config], root)
    timed([archguard, "check", "-q", *il_parity], root)
    snapshots = {}
    for cache in {root / ".archguard_cache", config_dir / ".archguard_cache"}:
        snapshot = WORK / f"targets-cache-{tree.name.lower()}-{cache.parent.name}"
        shutil.rmtree(snapshot, ignore_errors=True)
        shutil.copytree(cache, snapshot)
        snapshots[cache] = snapshot
    _change(root, tree)
    _git(root, "commit", "-q", "-a", "-m", "change")
    # Packed, as a clone or any repository git has maintained is: freshly committed, its 6,000
    # loose objects make `git ls-tree -r` read one file per tree (40-70 ms instead of under 10).
    _git(root, "gc", "-q")

    def restore() -> None:
        for cache, snapshot in snapshots.items():
            shutil.rmtree(cache, ignore_errors=True)
            shutil.copytree(snapshot, cache)

    timed([lint_imports], config_dir, env_li)
    diff = Scenario(
        "check --diff of a 10-file change, with the base's cache",
        "<= 1.0x lint-imports warm (whole tree)",
        [
            *twins("archguard check --diff HEAD~1 (import-linter configuration)", "check", "-q", "--diff", "HEAD~1", *il_config, before=restore),
            *twins("archguard check --diff HEAD~1 (import-linter configuration, copies off)", "check", "-q", "--diff", "HEAD~1", *il_parity, before=restore),
            *twins("archguard check --diff HEAD~1 (archguard contract)", "check", "-q", "--diff", "HEAD~1", before=restore),
        ],
        ("lint-imports (warm cache, changed tree)", li()),
        1.0,
    )
    ours = {name: Series(name) for name, _ in diff.ours}
    peer = Series(diff.peer[0])
    changed_floor = Series("floor of the 10 changed files")
    seconds = WORK / "targets-floor-seconds"
    floor_command = [sys.executable, "-m", "benchmarks.floor", "--jobs", "1", "--seconds-to", str(seconds), *(str(root / path) for path in tree.changed)]

    def floor_run() -> Sample:  # the work's own seconds, as the floor command measured them
        sample = timed(floor_command, REPO)
        return Sample(float(seconds.read_text(encoding="utf-8")), sample.max_rss_mib, sample.returncode)

    alternate([(ours[name], run) for name, run in diff.ours] + [(changed_floor, floor_run), (peer, diff.peer[1])], repetitions)
    # The floor of a diff that searches for copies: the copies-off run (no clone fingerprint),
    # plus the parse, tokens and shingles of the changed files (their work alone, without the
    # floor command's own interpreter start), round by round.
    copies_off = next(series for name, series in ours.items() if "copies off" in name)
    composite = Series(DIFF_FLOOR_ROW)
    for off, work in zip(copies_off.samples, changed_floor.samples, strict=True):
        composite.samples.append(Sample(off.seconds + work.seconds, max(off.max_rss_mib, work.max_rss_mib), off.returncode))
    ours[composite.name] = composite
    return diff, ours, peer


def _dupes_scenario(
    tree: Tree,
    root: Path,
    config_dir: Path,
    repetitions: int,
    jscpd: str,
    ag: Callable[..., Callable[[], Sample]],
    li: Callable[..., Callable[[], Sample]],
    results: list[tuple[Scenario, dict[str, Series], Series]],
) -> str:
    if jscpd:
        output = WORK / f"targets-jscpd-{tree.name.lower()}"
        common = ["--min-lines", "6", "--min-tokens", "50", "--format", "python", "--mode", "weak", "--reporters", "json", "--output", str(output)]
        common += ["--no-gitignore", "--silent"]
        peers = {
            "jscpd": [jscpd, *common, tree.package],
            "jscpd, identifiers ignored": [jscpd, *common, "--ignore-identifiers", "--ignore-literals", "--max-gap-lines", "2", tree.package],
        }
        dupes = Series("archguard dupes --no-cache --jobs 2")
        floor_series = Series(FLOOR_ROW)
        jscpds = {name: Series(name) for name in peers}
        alternate(
            [(dupes, ag("dupes", "-q", "--no-cache", "--jobs", "2")), (floor_series, floor(config_dir / tree.package))]
            + [(jscpds[name], functools.partial(timed, command, config_dir)) for name, command in peers.items()],
            repetitions,
        )
        fastest = min(jscpds.values(), key=lambda s: s.median)
        dupes_scenario = Scenario("archguard dupes, whole tree (cold)", "<= 2.0x jscpd (best setting)", [], (fastest.name, li()), 2.0)
        results.append((dupes_scenario, {dupes.name: dupes, floor_series.name: floor_series}, fastest))
        other = [s for s in jscpds.values() if s is not fastest]
        return f"jscpd's other setting ({other[0].name}): {other[0].median:.2f} s." if other else ""
    return "jscpd not given (--jscpd): no duplication row."


def _verdict(name: str, within: bool) -> str:
    if name in (FLOOR_ROW, DIFF_FLOOR_ROW):  # not archguard: whether the target can be met at all in pure Python
        return "within reach" if within else "out of reach without compiled code"
    return "met" if within else "not met"


def _whole_commands(tree: Tree, report: list[str], results: list[tuple[Scenario, dict[str, Series], Series]], started_load: float, dupes_note: str) -> str:
    rows = []
    for scenario, ours_series, peer_series in results:
        for name, series in ours_series.items():
            ratio = series.median / peer_series.median
            rows.append(
                [
                    scenario.name,
                    name,
                    f"{series.median:.2f}",
                    f"{peer_series.median:.2f} ({peer_series.name})",
                    f"{ratio:.2f}x",
                    scenario.target,
                    _verdict(name, ratio <= scenario.limit),
                    f"{series.peak_mib:.0f}",
                    ",".join(sorted({str(s.returncode) for s in series.samples})),
                ]
            )
    report.append("### Whole commands (medians; ratio = archguard / peer, both run alternately in the same rounds)\n")
    report.append(table(rows, ["scenario", "archguard run", "archguard (s)", "peer (s)", "ratio", "target", "", "peak RSS (MiB)", "exit codes"]))
    report.append("")
    report.append(f"Load average (1 min) at the start of this tree's runs: {started_load:.2f}; at the end: {os.getloadavg()[0]:.2f}. {dupes_note}")
    report.append("")
    return "\n".join(report)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trees", default="django,sqlalchemy")
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--jscpd", default=shutil.which("jscpd") or "", help="path of the jscpd binary (npm i jscpd@5.3.2)")
    parser.add_argument("--output", type=Path, default=RESULTS / "targets.md")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help=f"which scenarios to run (default: all of {', '.join(SCENARIOS)})")
    parser.add_argument(
        "--compare",
        metavar="LABEL=DIR",
        help="also run the replay-off, edit and diff rows with the archguard package under DIR (e.g. main's: git archive main archguard), labelled LABEL",
    )
    args = parser.parse_args()
    scenarios = tuple(name.strip() for name in args.scenarios.split(",") if name.strip())
    unknown = sorted(set(scenarios) - set(SCENARIOS))
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(unknown)} (expected some of {', '.join(SCENARIOS)})")
    compile_bytecode()
    compare: tuple[str, str] | None = None
    if args.compare:
        label, _, folder = args.compare.partition("=")
        compare = (label, str(Path(folder).resolve()))
        subprocess.run([sys.executable, "-m", "compileall", "-q", compare[1]], check=True)
    parts = [
        "# Issue 20 targets: archguard against its peers, side by side",
        "",
        f"Machine: {machine()}. Medians of {args.repetitions} alternating rounds. Generated by `python -m benchmarks.targets"
        + (f" --scenarios {','.join(scenarios)}" if set(scenarios) != set(SCENARIOS) else "")
        + (f" --compare {compare[0]}=...`: rows marked {compare[0]!r} run that archguard (at {compare[1]}), in the same rounds." if compare else "`."),
        "",
    ]
    for name in args.trees.split(","):
        tree, source = (DJANGO, django_source()) if name == "django" else (SQLALCHEMY, sqlalchemy_source())
        parts.append(run_tree(tree, source, args.repetitions, args.jscpd, scenarios, compare))
        print(parts[-1], flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(parts), encoding="utf-8")


if __name__ == "__main__":
    main()
