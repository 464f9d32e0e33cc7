"""Planted clones in several real code bases nobody tuned on: recall per clone type and per code
base, precision, archguard beside jscpd and pylint (duplicate-code) on the same trees.

Run on demand (minutes per code base), never in the tests:

    python benchmarks/duplication/codebases.py --jscpd benchmarks/work/npm/node_modules/.bin/jscpd

The sdists are downloaded with pip into ``benchmarks/work/sdists`` (``pip download --no-deps
--no-binary :all: NAME==VERSION``) and unpacked into ``benchmarks/work/codebases``. For each
code base (its package folder only, as a user would point a tool at it):

1. A pool of its own functions and methods (5 to 40 lines of code, 45+ tokens, no nested
   definitions; copies too are 5+ lines and 45+ tokens: a margin above the tools' 40-token
   threshold, which each tool counts its own way). Every tool first runs on the *pristine* package; functions any tool already
   reports as part of a clone are removed from the pool (natural clones are not labelled).
2. Clones made by systematic mutation of sampled originals, planted in a new module folder
   ``_bench_planted`` of a copy of the package (the original stays where it is):
   - type 1: comments, blank lines, another docstring, other quotes, half reflowed (ruff format);
   - type 2: every local name renamed consistently, literals changed, and for every method
     that uses ``self.`` attributes, those attributes renamed consistently too;
   - type 3: statement edits (insert, delete, swap, change a comparison) touching 1 line up to
     a quarter of the function's lines of code; half of them also renamed as in type 2.
   Negatives: standard-library functions of similar size (within 15 % tokens) planted next to
   them, paired with a function of the code base: any reported pair on them is a false positive.
3. archguard (``dupes`` without a contract), pylint and jscpd (plain, and ignoring identifiers
   and literals) with the same thresholds: 5 lines, 40 tokens. Scoring as in ``planted.py``: a
   planted clone is found when a reported pair covers at least half of both the copy and its
   original; precision counts the reported pairs that touch the planted folder.

Results: ``benchmarks/results/duplication-codebases.md`` (and ``.json``).
"""

from __future__ import annotations

import argparse
import ast
import difflib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tarfile
import textwrap
import time
import tokenize
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import planted as base
from planted import Function, Planted, Range, near_miss, reformat, rename, run_timed, score, stdlib_pool, write_module

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
PYLINT = str(Path(sys.executable).with_name("pylint"))
MIN_LINES, MIN_TOKENS = 5, 40
# Tools count tokens differently (archguard drops trailing commas and redundant parentheses,
# jscpd has its own lexer): originals and copies keep a margin above the token threshold, so
# that a miss is a miss of the detection, not of the counting.
TOKEN_MARGIN = 5
NO_PEERS = False  # --no-peers: archguard alone (a quick held-out run with another seed)

# name, pip requirement, the package folder inside the unpacked sdist, its style
CODEBASES = [
    ("attrs", "attrs==24.2.0", "src/attr", "a library of many small methods and generated code"),
    ("rich", "rich==13.9.4", "rich", "a terminal library: many small classes and renderables"),
    ("click", "click==8.1.7", "src/click", "a CLI framework"),
    ("sqlalchemy", "SQLAlchemy==2.0.36", "lib/sqlalchemy", "an ORM: large classes, sync/async twins"),
    ("django", "Django==5.2.8", "django", "a web framework (the original benchmark's code base)"),
]


# -- code bases -----------------------------------------------------------------------------


# The --previous row: another archguard checkout on the same planted trees (a normalisation experiment).
PREVIOUS_LABEL = "shingles across line ends"
PREVIOUS_NOTE = (
    "the same planted trees checked by archguard as it was before near-miss shingles were cut at line ends"
    " (commit 8f74d85: a shingle was any run of 4 tokens, so an inserted or swapped statement also changed the"
    " shingles that spanned its neighbours' line ends)."
)


def fetch(requirement: str, sdists: Path) -> Path:
    """The sdist of ``requirement`` (downloaded by pip once)."""
    name, _, version = requirement.partition("==")
    sdists.mkdir(parents=True, exist_ok=True)
    for candidate in sdists.iterdir():
        stem = candidate.name.lower().replace("_", "-")
        if stem.startswith(f"{name.lower()}-{version}") and candidate.name.endswith((".tar.gz", ".zip")):
            return candidate
    subprocess.run(
        [PYTHON, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:", "-d", str(sdists), requirement], check=True
    )
    return fetch(requirement, sdists)


def unpack(sdist: Path, into: Path) -> Path:
    """The sdist unpacked (once) under ``into``; its top folder."""
    into.mkdir(parents=True, exist_ok=True)
    with tarfile.open(sdist) as archive:
        top = archive.getnames()[0].split("/")[0]
        if not (into / top).is_dir():
            archive.extractall(into, filter="data")
    return into / top


# -- mutations beyond planted.py ------------------------------------------------------------

ATTRIBUTE_WORDS = ["store", "cache", "state", "owner", "target", "handle", "buffer", "config", "parent", "child"]


def rename_attributes(text: str, rng: random.Random) -> tuple[str, int]:
    """Rename every ``self.<name>`` attribute of a method consistently (reads and writes alike).
    Returns the text and how many attributes were renamed (0: the method uses none)."""
    tree = ast.parse(text)
    attributes = sorted(
        {
            node.attr
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "self"
        }
    )
    if not attributes:
        return text, 0
    used = set(re.findall(r"\w+", text))
    mapping: dict[str, str] = {}
    for name in attributes:
        prefix = "_" if name.startswith("_") else ""
        for _ in range(100):
            candidate = f"{prefix}{rng.choice(ATTRIBUTE_WORDS)}_{rng.randint(1, 99)}"
            if candidate not in used:
                used.add(candidate)
                mapping[name] = candidate
                break
    out = re.sub(r"\bself\.(\w+)\b", lambda m: f"self.{mapping.get(m.group(1), m.group(1))}", text)
    ast.parse(out)
    return out, len(mapping)


def changed_lines(before: str, after: str) -> int:
    """Lines of code one version has and the other has not (the larger side of the diff)."""
    def code(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]

    a, b = code(before), code(after)
    same = sum(block.size for block in difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks())
    return max(len(a), len(b)) - same


def near_miss_quarter(text: str, rng: random.Random, code_lines: int) -> tuple[str, list[str], int]:
    """Statement edits touching between 1 line and a quarter of the lines of code (measured on
    the result: an insert or a swap can touch two lines). Returns the text, the edits and the
    number of lines changed."""
    quarter = max(1, code_lines // 4)
    wanted = rng.randint(1, quarter)
    for count in range(wanted, 0, -1):
        out, edits = near_miss(text, rng, count)
        touched = changed_lines(text, out)
        if edits and 1 <= touched <= quarter:
            return out, edits, touched
    raise ValueError("no edit within a quarter of the lines")


# -- the tools ------------------------------------------------------------------------------


def archguard_pairs(
    tree: Path, package: str, work: Path, jobs: int, extra: tuple[str, ...] = (), source: Path | None = None
) -> tuple[list[tuple[Range, Range]], float, int]:
    """``archguard dupes PACKAGE --no-contract``, thresholds as the peers'; ``source``: run the
    archguard checkout there instead (an experiment with another normalisation)."""
    output = work / "archguard.json"
    command = [
        PYTHON, "-m", "archguard", "dupes", package, "--no-contract", "--no-cache", "--jobs", str(jobs), "--format", "json", "-o", str(output),
        "--min-lines", str(MIN_LINES), "--min-tokens", str(MIN_TOKENS), "-q", *extra,
    ]  # fmt: skip
    if source is not None:
        command = ["env", f"PYTHONPATH={source}", *command]
    done, wall, rss = run_timed(command, tree)
    if done.returncode not in (0, 1):
        raise SystemExit(f"archguard failed: {done.stderr[-2000:]}")
    data = json.loads(output.read_text(encoding="utf-8"))
    pairs = []
    for group in data["groups"]:
        spans = [(loc["path"], loc["line"], loc["end_line"]) for loc in group["locations"]]
        pairs.extend((a, b) for i, a in enumerate(spans) for b in spans[i + 1 :])
    return pairs, wall, rss


def pylint_pairs(tree: Path, package: str) -> tuple[list[tuple[Range, Range]], float, int]:
    command = [
        PYLINT, "--disable=all", "--enable=duplicate-code", "--persistent=n", "--jobs=1", "--score=n",
        f"--min-similarity-lines={MIN_LINES}", "--ignore-comments=y", "--ignore-docstrings=y", "--ignore-imports=y",
        "--ignore-signatures=n", package,
    ]  # fmt: skip
    done, wall, rss = run_timed(command, tree)
    pairs = []
    for block in done.stdout.split("R0801: Similar lines in")[1:]:
        spans = []
        for module, start, end in re.findall(r"^==([\w.]+):\[(\d+):(\d+)\]", block, re.M):
            relative = module.replace(".", "/")
            if not relative.startswith(package + "/") and relative != package:
                relative = f"{package}/{relative}"
            path = relative + ".py" if (tree / (relative + ".py")).is_file() else relative + "/__init__.py"
            spans.append((path, int(start) + 1, int(end)))
        pairs.extend((a, b) for i, a in enumerate(spans) for b in spans[i + 1 :])
    return pairs, wall, rss


def jscpd_pairs(tree: Path, package: str, work: Path, jscpd: str, extra: list[str], name: str) -> tuple[list[tuple[Range, Range]], float, int]:
    output = work / f"jscpd-{name}"
    shutil.rmtree(output, ignore_errors=True)
    command = [
        jscpd, "--min-lines", str(MIN_LINES), "--min-tokens", str(MIN_TOKENS), "--format", "python", "--mode", "weak",
        "--reporters", "json", "--output", str(output), "--no-gitignore", "--silent", *extra, package,
    ]  # fmt: skip
    done, wall, rss = run_timed(command, tree)
    report = output / "jscpd-report.json"
    if not report.is_file():
        raise SystemExit(f"jscpd failed: {done.stderr[-2000:]}")
    data = json.loads(report.read_text(encoding="utf-8"))
    pairs = []
    for duplicate in data.get("duplicates", []):
        first, second = duplicate["firstFile"], duplicate["secondFile"]
        names = []
        for side in (first, second):
            named = side["name"]
            names.append(named if named.startswith(package + "/") else f"{package}/{named}")
        pairs.append(((names[0], first["start"], first["end"]), (names[1], second["start"], second["end"])))
    return pairs, wall, rss


# -- one code base --------------------------------------------------------------------------


def run_codebase(
    name: str,
    package_dir: Path,
    work: Path,
    rng: random.Random,
    per_type: int,
    negatives_wanted: int,
    jscpd: str,
    jobs: int,
    std_all: list[Function],
    previous: Path | None,
) -> dict[str, Any]:
    package = package_dir.name
    print(f"[{name}] pools ...", flush=True)
    functions = collect(package_dir)
    pristine = work / "pristine"
    shutil.rmtree(pristine, ignore_errors=True)
    shutil.copytree(package_dir, pristine / package, ignore=shutil.ignore_patterns("__pycache__", "tests"))
    base.locate(functions, pristine)
    functions = [f for f in functions if f.line]
    std_negatives = list(std_all)
    rng.shuffle(std_negatives)
    neg_pool_dir = pristine / package / "_bench_negpool"
    neg_pool_dir.mkdir()
    (neg_pool_dir / "__init__.py").write_text("", encoding="utf-8")
    by_source: dict[str, list[Function]] = defaultdict(list)
    negative_candidates = std_negatives[:1500]
    for function in negative_candidates:
        by_source[function.source_path].append(function)
    for index, (source, group) in enumerate(sorted(by_source.items())):
        relative = f"{package}/_bench_negpool/m{index:03d}.py"
        for function in group:
            function.path = relative
        write_module(pristine / relative, group, f'"""Functions from the standard library ({source})."""\n\n')

    tools: list[tuple[str, list[str]]] = []
    if jscpd and not NO_PEERS:
        tools = [("jscpd", []), ("jscpd-renamed", ["--ignore-identifiers", "--ignore-literals", "--max-gap-lines", "2"])]
    print(f"[{name}] natural clones in the pristine package ({len(functions)} functions) ...", flush=True)
    reported: list[tuple[Range, Range]] = []
    reported += archguard_pairs(pristine, package, work, jobs)[0]
    if not NO_PEERS:
        reported += pylint_pairs(pristine, package)[0]
    for tool, extra in tools:
        reported += jscpd_pairs(pristine, package, work, jscpd, extra, tool)[0]
    natural = defaultdict(list)
    for pair in reported:
        for side in pair:
            natural[side[0]].append(side)

    def clean(function: Function) -> bool:
        return not any(base._overlap(base._span(function), side) for side in natural.get(function.path, ()))

    pool = [f for f in functions if clean(f)]
    negatives_pool = [f for f in negative_candidates if clean(f)]
    rng.shuffle(pool)
    print(f"[{name}]   clean pool {len(pool)} of {len(functions)}, clean negatives {len(negatives_pool)}", flush=True)

    planted: list[Planted] = []
    by_kind: dict[str, list[Planted]] = {"type1": [], "type2": [], "type3": []}
    for function in pool:
        kind = min(by_kind, key=lambda k: len(by_kind[k]))
        if len(by_kind[kind]) >= per_type:
            break
        try:
            if kind == "type1":
                text, edits = reformat(function.text, rng, reflow=len(by_kind[kind]) % 2 == 0), ["reformat"]
            elif kind == "type2":
                text, renamed_attributes = rename_attributes(rename(function.text, rng), rng)
                text = reformat(text, rng, reflow=False)
                edits = ["rename", "literals"] + (["self-attributes"] if renamed_attributes else [])
            else:
                renamed = len(by_kind[kind]) % 2 == 0
                start = rename(function.text, rng) if renamed else function.text
                text, edits, touched = near_miss_quarter(start, rng, function.code_lines)
                edits = (["rename"] if renamed else []) + edits + [f"{touched} of {function.code_lines} lines"]
        except (SyntaxError, AssertionError, ValueError, tokenize.TokenError, IndentationError):
            continue
        copy_lines = sum(1 for line in text.splitlines() if line.strip() and not line.strip().startswith("#"))
        if copy_lines < MIN_LINES or len(base._code_tokens(text)) < MIN_TOKENS + TOKEN_MARGIN:
            continue  # the copy must be a clone worth reporting too (5+ lines, 40+ tokens)
        copy = Function("planted", function.source_path, function.name, text, len(base._code_tokens(text)), 0)
        item = Planted(kind, function, copy, edits)
        by_kind[kind].append(item)
        planted.append(item)

    # a negative: a standard-library function of about the size of one of the code base's
    # (which may also have a planted copy: only pairs with the copy count as found)
    negatives: list[Planted] = []
    targets = [f for f in functions if clean(f)]
    rng.shuffle(targets)
    for g in targets:
        if len(negatives) >= negatives_wanted:
            break
        options = [h for h in negatives_pool if abs(h.tokens - g.tokens) <= 0.15 * g.tokens and h.name != g.name]
        if not options:
            continue
        h = rng.choice(options)
        negatives_pool.remove(h)
        negatives.append(Planted("negative", g, Function("planted", h.source_path, h.name, h.text, h.tokens, h.code_lines)))

    tree = work / "planted"
    shutil.rmtree(tree, ignore_errors=True)
    shutil.copytree(pristine, tree, ignore=shutil.ignore_patterns("_bench_negpool"))
    folder = tree / package / "_bench_planted"
    folder.mkdir()
    (folder / "__init__.py").write_text("", encoding="utf-8")
    everything = planted + negatives
    rng.shuffle(everything)
    for index in range(0, len(everything), 8):
        chunk = everything[index : index + 8]
        relative = f"{package}/_bench_planted/p{index // 8:03d}.py"
        for item in chunk:
            item.copy.path = relative
        write_module(tree / relative, [item.copy for item in chunk], '"""Planted benchmark code."""\n\n')

    save_labels(work / "labels.json", planted)
    print(f"[{name}] planted {len(planted)} clones and {len(negatives)} negatives; running the tools ...", flush=True)
    results: dict[str, dict[str, Any]] = {}
    runs: list[tuple[str, Any]] = [
        ("archguard", lambda: archguard_pairs(tree, package, work, jobs)),
        ("archguard --similarity 0.75", lambda: archguard_pairs(tree, package, work, jobs, ("--similarity", "0.75"))),
        *([] if NO_PEERS else [("pylint", lambda: pylint_pairs(tree, package))]),
    ]
    if previous is not None:
        runs.insert(1, (f"archguard before ({PREVIOUS_LABEL})", lambda: archguard_pairs(tree, package, work, jobs, source=previous)))
    for tool, extra in tools:
        runs.append((tool, lambda extra=extra, tool=tool: jscpd_pairs(tree, package, work, jscpd, extra, tool)))
    for tool, run in runs:
        pairs, wall, rss = run()
        scored = score(planted, pairs, f"{package}/_bench_planted/")
        scored["wall"], scored["rss_mib"] = wall, rss / 1024
        # recall of type-2 copies whose self. attributes were renamed, apart
        positives = [p for p in planted if p.kind != "negative"]
        missed = {id(p) for p in scored["missed"]}
        attrs = [p for p in positives if "self-attributes" in p.edits]
        scored["recall_self_attributes"] = (sum(1 for p in attrs if id(p) not in missed) / len(attrs)) if attrs else None
        scored["self_attribute_copies"] = len(attrs)
        results[tool] = scored
        by_type = scored["by_type"]
        print(
            f"[{name}]   {tool}: recall t1 {by_type['type1']['recall']:.2f} t2 {by_type['type2']['recall']:.2f}"
            f" t3 {by_type['type3']['recall']:.2f} precision {scored['precision']:.2f}"
            f" ({scored['true_pairs']} true, {scored['false_pairs']} false) wall {wall:.1f} s",
            flush=True,
        )
    return {
        "package": package,
        "planted": {k: len(v) for k, v in by_kind.items()},
        "negatives": len(negatives),
        "tools": {tool: {k: v for k, v in scored.items() if k not in ("missed", "false_examples")} for tool, scored in results.items()},
        "false_examples_archguard": [list(pair) for pair in results["archguard"]["false_examples"][:20]],
        "missed_by_archguard": [
            {"kind": p.kind, "original": f"{p.original.path}:{p.original.line} {p.original.name}", "copy": f"{p.copy.path}:{p.copy.line}", "edits": p.edits}
            for p in results["archguard"]["missed"]
        ],
    }


def save_labels(path: Path, planted: list[Planted]) -> None:
    """The planted clones (where the original and the copy are), for ``--rescore``."""
    def place(function: Function) -> dict[str, Any]:
        return {"path": function.path, "line": function.line, "end_line": function.end_line, "name": function.name}

    data = [{"kind": p.kind, "original": place(p.original), "copy": place(p.copy), "edits": p.edits} for p in planted]
    path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")


def load_labels(path: Path) -> list[Planted]:
    def function(data: dict[str, Any]) -> Function:
        return Function("label", data["path"], data["name"], "", 0, 0, data["path"], data["line"], data["end_line"])

    return [Planted(item["kind"], function(item["original"]), function(item["copy"]), item["edits"]) for item in json.loads(path.read_text())]


def rescore(work_root: Path, names: list[str], variants: list[str], jobs: int, tag: str = "") -> None:
    """archguard with other options on the planted trees of the last run (no re-planting):
    ``--rescore --variant "--similarity 0.8"``."""
    for name, _requirement, folder, _style in CODEBASES:
        if names and name not in names:
            continue
        work = work_root / f"dup-codebases{tag}" / name
        planted = load_labels(work / "labels.json")
        package = Path(folder).name
        for variant in variants:
            pairs, wall, _rss = archguard_pairs(work / "planted", package, work, jobs, tuple(variant.split()))
            scored = score(planted, pairs, f"{package}/_bench_planted/")
            by_type = scored["by_type"]
            print(
                f"| {name} | archguard {variant} | {by_type['type1']['recall']:.2f} | {by_type['type2']['recall']:.2f}"
                f" | {by_type['type3']['recall']:.2f} | {scored['precision']:.2f} | {scored['true_pairs']} / {scored['false_pairs']} | {wall:.1f} |",
                flush=True,
            )


def collect(package_dir: Path) -> list[Function]:
    """The code base's functions of 5 to 40 lines of code (planted.functions_in with 5, not 8)."""
    found = []
    for path in sorted(package_dir.rglob("*.py")):
        relative = path.relative_to(package_dir.parent).as_posix()
        if "/tests/" in relative or "/migrations/" in relative or "/locale/" in relative:
            continue
        found += _functions(path, relative)
    return found


def _functions(path: Path, relative: str) -> list[Function]:
    try:
        text = path.read_text(encoding="utf-8")
        tree = ast.parse(text)
    except (SyntaxError, UnicodeDecodeError, ValueError):
        return []
    if "generated" in text[:300].lower():
        return []
    lines = text.splitlines()
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        snippet = textwrap.dedent("\n".join(lines[node.lineno - 1 : node.end_lineno])) + "\n"
        try:
            inner = ast.parse(snippet).body[0]
            tokens = base._code_tokens(snippet)
        except (SyntaxError, tokenize.TokenError, IndentationError, IndexError):
            continue
        docs = base._docstring_lines(inner)
        code_lines = sum(
            1 for number, line in enumerate(snippet.splitlines(), start=1) if line.strip() and not line.strip().startswith("#") and number not in docs
        )
        nested = any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for n in ast.walk(inner) if n is not inner)
        if 5 <= code_lines <= 40 and len(tokens) >= MIN_TOKENS + TOKEN_MARGIN and not nested:
            function = Function("codebase", relative, node.name, snippet, len(tokens), code_lines)
            function.path = relative
            found.append(function)
    return found


# -- report ---------------------------------------------------------------------------------


def render_markdown(summary: dict[str, Any]) -> str:
    load = os.getloadavg()[0]
    lines = [
        "# Duplication: planted clones in code bases nobody tuned on",
        "",
        f"Seed {summary['seed']}; per code base up to {summary['per_type']} planted clones per type and {summary['negatives']} non-clone pairs;",
        f"thresholds for every tool: {MIN_LINES} lines, {MIN_TOKENS} tokens (archguard: `dupes PACKAGE --min-lines {MIN_LINES} --min-tokens {MIN_TOKENS}`,",
        "no contract, default similarity 0.85); planted originals and copies have 5+ lines of code and 45+ tokens (a margin",
        "above the token threshold, which each tool counts its own way). Type 2 renames locals, literals and every `self.` attribute of a method;",
        "type 3 edits between 1 line and a quarter of the lines of code (half of them also renamed).",
        f"Machine: {os.cpu_count()} cores, load average at the end {load:.2f}, Python {sys.version.split()[0]}.",
        "Generated by `python benchmarks/duplication/codebases.py`; raw numbers in `duplication-codebases.json`.",
        "",
        "| code base | tool | recall type 1 | recall type 2 | (of which `self.` renamed) | recall type 3 | precision | true / false pairs | wall (s) |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, data in summary["codebases"].items():
        for tool, scored in data["tools"].items():
            by_type = scored["by_type"]
            attrs = scored.get("recall_self_attributes")
            attrs_text = "–" if attrs is None else f"{attrs:.2f} of {scored['self_attribute_copies']}"
            lines.append(
                f"| {name} | {tool} | {by_type['type1']['recall']:.2f} | {by_type['type2']['recall']:.2f} | {attrs_text}"
                f" | {by_type['type3']['recall']:.2f} | {scored['precision']:.2f} | {scored['true_pairs']} / {scored['false_pairs']}"
                f" | {scored['wall']:.1f} |"
            )
    lines += [
        "",
        *([f"*archguard before ({PREVIOUS_LABEL})*: {PREVIOUS_NOTE}"] if any("before" in t for d in summary["codebases"].values() for t in d["tools"]) else []),
        "*archguard --similarity 0.75*:",
        "the near-miss threshold lowered from its default 0.85, to show the recall/precision trade-off on type 3.",
        "*jscpd-renamed*: jscpd ignoring identifiers and literals. Recall: a planted clone is found when a reported pair covers",
        "at least half of both the copy and its original. Precision: of the reported pairs that touch the planted folder, the",
        "share that matches a planted clone; natural clones elsewhere in the code base are not labelled and not counted.",
    ]
    lines += ["", "Planted per code base (type 1 / 2 / 3, negatives):", ""]
    for name, data in summary["codebases"].items():
        planted = data["planted"]
        lines.append(f"- {name} (`{data['package']}`, {data['style']}): {planted['type1']} / {planted['type2']} / {planted['type3']}, {data['negatives']}")
    for name, data in summary["codebases"].items():
        if data["missed_by_archguard"]:
            lines += ["", f"## {name}: planted clones archguard missed", ""]
            lines += [f"- {m['kind']}: {m['copy']} (copy of {m['original']}; edits: {', '.join(m['edits'])})" for m in data["missed_by_archguard"]]
        if data["false_examples_archguard"]:
            lines += ["", f"## {name}: archguard's false pairs (first 20)", ""]
            lines += [f"- {a[0]}:{a[1]}-{a[2]} ~ {b[0]}:{b[1]}-{b[2]}" for a, b in data["false_examples_archguard"]]
    return "\n".join(lines) + "\n"


def main() -> None:
    global NO_PEERS, PREVIOUS_LABEL, PREVIOUS_NOTE
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--work", type=Path, default=REPO / "benchmarks" / "work")
    parser.add_argument("--tag", default="", help="a suffix for the work folders (another seed's trees beside the last run's)")
    parser.add_argument("--only", nargs="*", help="code bases to run (default: all)")
    parser.add_argument("--per-type", type=int, default=60)
    parser.add_argument("--negatives", type=int, default=120)
    parser.add_argument("--seed", type=int, default=20261207)
    parser.add_argument("--jscpd", default=shutil.which("jscpd") or "", help="path of the jscpd binary (npm i jscpd@5.3.2)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument(
        "--previous", type=Path, help="another archguard checkout to run beside this one on the same planted trees (a normalisation experiment)"
    )
    parser.add_argument("--previous-label", default=PREVIOUS_LABEL, help="what the --previous checkout did differently (a few words)")
    parser.add_argument("--previous-note", default=PREVIOUS_NOTE, help="the footnote that explains the --previous row")
    parser.add_argument("--results", type=Path, default=REPO / "benchmarks" / "results" / "duplication-codebases.json")
    parser.add_argument("--no-peers", action="store_true", help="run archguard alone (pylint and jscpd neither screen nor score)")
    parser.add_argument("--rescore", action="store_true", help="only run archguard --variant ... on the last run's planted trees")
    parser.add_argument("--variant", action="append", default=[], help='archguard options for --rescore, e.g. "--similarity 0.8"')
    args = parser.parse_args()
    NO_PEERS = args.no_peers
    PREVIOUS_LABEL, PREVIOUS_NOTE = args.previous_label, args.previous_note
    if args.rescore:
        os.environ["PYTHONPATH"] = str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")
        rescore(args.work, args.only or [], args.variant or [""], args.jobs, args.tag)
        return
    os.environ["PYTHONPATH"] = str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")
    if args.jscpd:
        args.jscpd = str(Path(args.jscpd).resolve())  # the tools run in the tree's folder
    std_all = stdlib_pool()
    summary: dict[str, Any] = {"seed": args.seed, "per_type": args.per_type, "negatives": args.negatives, "codebases": {}}
    if args.results.is_file():
        previous = json.loads(args.results.read_text(encoding="utf-8"))
        if previous.get("seed") == args.seed:
            summary["codebases"] = previous.get("codebases", {})
    for name, requirement, folder, style in CODEBASES:
        if args.only and name not in args.only:
            continue
        started = time.perf_counter()
        sdist = fetch(requirement, args.work / "sdists")
        top = unpack(sdist, args.work / "codebases")
        work = args.work / f"dup-codebases{args.tag}" / name
        work.mkdir(parents=True, exist_ok=True)
        rng = random.Random(f"{args.seed}-{name}")
        result = run_codebase(name, top / folder, work, rng, args.per_type, args.negatives, args.jscpd, args.jobs, std_all, args.previous)
        result["style"] = style
        result["requirement"] = requirement
        summary["codebases"][name] = result
        args.results.parent.mkdir(parents=True, exist_ok=True)
        args.results.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
        args.results.with_suffix(".md").write_text(render_markdown(summary), encoding="utf-8")
        print(f"[{name}] done in {time.perf_counter() - started:.0f} s", flush=True)
    print(f"wrote {args.results} and {args.results.with_suffix('.md')}")


if __name__ == "__main__":
    main()
