"""Labelled clone benchmark: real functions, systematic mutations, planted in a real codebase.

Run on demand (minutes), never in the tests:

    python benchmarks/duplication/planted.py --work /tmp/archguard-dup-bench [--per-type 60] [--negatives 120]

What it does, deterministically (fixed seed):

1. Pools of real functions and methods (8 to 40 lines of code, 60+ tokens): from Django's
   source (``--django``) and from the standard library of the running Python.
2. A *pristine* tree: a copy of Django plus a package ``_bench_std`` holding a sample of the
   stdlib functions (so stdlib originals live in the codebase too). Every tool runs on it
   first; functions that any tool already reports as part of a clone are removed from the
   pools, so natural clones cannot be mistaken for planted ones (or for false positives).
3. Clones, by systematic mutation of sampled originals, planted in new modules
   (``_bench_planted``) of a copy of the pristine tree:
   - type 1: comments added, blank lines added, docstring rewritten, quotes swapped, and for
     half of them the layout reflowed (``ruff format --line-length 50``);
   - type 2: every local name renamed consistently (parameters, variables, the function's
     name), string and number literals changed, comments and blank lines added;
   - type 3: 1 to 3 statement edits scaled to the function's size: statements inserted,
     deleted, adjacent independent statements swapped, an expression changed; half of them
     also renamed as in type 2.
   Negatives: for each, a stdlib function (from a pool screened like the originals, in the
   pristine tree only) is planted next to the clones, paired with a Django function of
   similar size (within 15 % tokens): a tool that reports it at all reports a false positive.
4. archguard, pylint (duplicate-code) and jscpd run on the planted tree with comparable
   thresholds (6 lines; 50 tokens where the tool has a token threshold). A labelled pair is
   *found* when the tool reports a pair whose two sides each cover at least half of the
   labelled units' lines (lenient: any overlap, also reported). Precision counts every
   reported pair that touches a planted module: those that match a labelled pair are true,
   all others (negatives, wrong partners) false.
5. Whole Django (unmodified): wall time and peak memory of each tool.

Results go to ``benchmarks/results/duplication.md`` (``--results``).
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import textwrap
import time
import tokenize
from collections import defaultdict
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
PYTHON = sys.executable
RUFF = str(Path(sys.executable).with_name("ruff"))
PYLINT = str(Path(sys.executable).with_name("pylint"))
STDLIB = Path(textwrap.__file__).parent
STDLIB_PARTS = [
    "email", "http", "json", "urllib", "logging", "xml/dom", "xml/etree", "concurrent/futures", "importlib",
    "argparse.py", "csv.py", "textwrap.py", "difflib.py", "configparser.py", "calendar.py", "tarfile.py",
    "zipfile.py", "shutil.py", "pathlib.py", "ftplib.py", "smtplib.py", "imaplib.py", "pprint.py", "string.py",
    "gettext.py", "mailbox.py", "nntplib.py", "pydoc.py", "inspect.py", "ast.py", "dataclasses.py", "enum.py",
    "fractions.py", "ipaddress.py", "locale.py", "netrc.py", "optparse.py", "pickletools.py", "platform.py",
    "plistlib.py", "poplib.py", "sched.py", "shlex.py", "statistics.py", "subprocess.py", "sysconfig.py",
    "tempfile.py", "trace.py", "traceback.py", "typing.py", "uuid.py", "wave.py", "webbrowser.py", "zipapp.py",
]  # fmt: skip
MIN_LINES, MIN_TOKENS = 6, 50


# -- function pools -------------------------------------------------------------------------


@dataclass
class Function:
    origin: str  # "django" | "stdlib"
    source_path: str  # where it was taken from
    name: str
    text: str  # dedented source, from 'def' to its end (no decorators)
    tokens: int
    code_lines: int
    # where it lives in the benchmark tree (relative path, 1-based lines)
    path: str = ""
    line: int = 0
    end_line: int = 0


def _code_tokens(text: str) -> list[str]:
    skip = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING, tokenize.ENDMARKER}
    return [t.string for t in tokenize.generate_tokens(io.StringIO(text).readline) if t.type not in skip]


def _docstring_lines(node: ast.AST) -> set[int]:
    body = getattr(node, "body", [])
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) and isinstance(body[0].value.value, str):
        return set(range(body[0].lineno, (body[0].end_lineno or body[0].lineno) + 1))
    return set()


def functions_in(path: Path, origin: str, label: str) -> list[Function]:
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
        snippet = "\n".join(lines[node.lineno - 1 : node.end_lineno])
        snippet = textwrap.dedent(snippet) + "\n"
        try:
            inner = ast.parse(snippet).body[0]
            tokens = _code_tokens(snippet)
        except (SyntaxError, tokenize.TokenError, IndentationError, IndexError):
            continue
        docs = _docstring_lines(inner)
        code_lines = sum(
            1
            for number, line in enumerate(snippet.splitlines(), start=1)
            if line.strip() and not line.strip().startswith("#") and number not in docs
        )
        nested = any(isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) for n in ast.walk(inner) if n is not inner)
        if 8 <= code_lines <= 40 and len(tokens) >= 60 and not nested:
            found.append(Function(origin, label, node.name, snippet, len(tokens), code_lines))
    return found


def django_pool(django: Path) -> list[Function]:
    pool = []
    for path in sorted(django.rglob("*.py")):
        relative = path.relative_to(django.parent).as_posix()
        if "/migrations/" in relative or "/locale/" in relative:
            continue
        for function in functions_in(path, "django", relative):
            function.path = relative
            pool.append(function)
    return pool


def stdlib_pool() -> list[Function]:
    pool = []
    for part in STDLIB_PARTS:
        base = STDLIB / part
        paths = sorted(base.rglob("*.py")) if base.is_dir() else [base]
        for path in paths:
            if "test" in path.name or "/test" in path.as_posix():
                continue
            pool.extend(functions_in(path, "stdlib", path.relative_to(STDLIB).as_posix()))
    return pool


def locate(functions: list[Function], tree: Path) -> None:
    """Fill in each Django function's lines in the tree (by name and text)."""
    by_path: dict[str, list[Function]] = defaultdict(list)
    for function in functions:
        by_path[function.path].append(function)
    for relative, group in by_path.items():
        text = (tree / relative).read_text(encoding="utf-8")
        module = ast.parse(text)
        lines = text.splitlines()
        nodes = [n for n in ast.walk(module) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        for function in group:
            for node in nodes:
                snippet = textwrap.dedent("\n".join(lines[node.lineno - 1 : node.end_lineno])) + "\n"
                if node.name == function.name and snippet == function.text:
                    function.line, function.end_line = node.lineno, node.end_lineno or node.lineno
                    break


# -- mutations ------------------------------------------------------------------------------

WORDS = ["alpha", "bravo", "delta", "omega", "sigma", "kappa", "lambda_", "theta", "gamma", "zeta"]


def _local_names(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    names = {function.name}
    for node in ast.walk(function):
        if isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    names.discard("self")
    names.discard("cls")
    return names


def _line_offsets(text: str) -> list[int]:
    offsets = [0]
    for line in text.splitlines(keepends=True):
        offsets.append(offsets[-1] + len(line))
    return offsets


def _char_col(line_text: str, byte_col: int) -> int:
    return len(line_text.encode("utf-8")[:byte_col].decode("utf-8", errors="ignore"))


def rename(text: str, rng: random.Random, literals: bool = True) -> str:
    """Rename every local name consistently; change string and number literals."""
    tree = ast.parse(text)
    function = tree.body[0]
    assert isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
    locals_ = sorted(_local_names(function))
    used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} | set(locals_)
    mapping = {}
    for name in locals_:
        for _ in range(100):
            candidate = f"{rng.choice(WORDS)}_{rng.choice(['val', 'item', 'obj', 'res', 'tmp', 'x'])}{rng.randint(1, 99)}"
            if candidate not in used:
                used.add(candidate)
                mapping[name] = candidate
                break
    lines = text.splitlines(keepends=True)
    offsets = _line_offsets(text)
    edits: list[tuple[int, int, str]] = []  # (start, end, replacement)
    docstring = function.body[0] if function.body and isinstance(function.body[0], ast.Expr) else None
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and node.id in mapping:
            start = offsets[node.lineno - 1] + _char_col(lines[node.lineno - 1], node.col_offset)
            edits.append((start, start + len(node.id), mapping[node.id]))
        elif isinstance(node, ast.arg) and node.arg in mapping:
            start = offsets[node.lineno - 1] + _char_col(lines[node.lineno - 1], node.col_offset)
            edits.append((start, start + len(node.arg), mapping[node.arg]))
        elif literals and isinstance(node, ast.Constant) and node is not getattr(docstring, "value", None) and node.end_col_offset is not None:
            if isinstance(node.value, bool) or node.value is None or node.lineno != node.end_lineno:
                continue
            if isinstance(node.value, (int, float)) and rng.random() < 0.6:
                replacement = repr(node.value + rng.randint(1, 9))
            elif isinstance(node.value, str) and rng.random() < 0.6 and not any(c in node.value for c in "{}%\\"):
                replacement = repr(node.value + rng.choice(["_x", "!", " (copy)", "-v2"]))
            else:
                continue
            start = offsets[node.lineno - 1] + _char_col(lines[node.lineno - 1], node.col_offset)
            end = offsets[node.end_lineno - 1] + _char_col(lines[node.end_lineno - 1], node.end_col_offset)
            source = text[start:end]
            if source[:1] not in "'\"0123456789-.":  # f-strings, prefixed or implicit concatenations
                continue
            edits.append((start, end, replacement))
    # names bound without a Name node: 'except E as name'
    for node in ast.walk(function):
        if isinstance(node, ast.ExceptHandler) and node.name in mapping:
            line_start = offsets[node.lineno - 1]
            found = re.compile(rf"\bas\s+({re.escape(node.name)})\b").search(text, line_start + _char_col(lines[node.lineno - 1], node.col_offset))
            if found:
                edits.append((found.start(1), found.end(1), mapping[node.name]))
    # the function's own name, right after 'def'
    match = re.search(rf"\bdef\s+({re.escape(function.name)})\b", text)
    if match and function.name in mapping:
        edits.append((match.start(1), match.end(1), mapping[function.name]))
    out = text
    for start, end, replacement in sorted(set(edits), reverse=True):
        out = out[:start] + replacement + out[end:]
    if _free_names(out) != _free_names(text):
        raise ValueError("the renaming is not consistent")  # never plant broken code as a type-2 clone
    return out


def _free_names(text: str) -> set[str]:
    function = ast.parse(text).body[0]
    assert isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef))
    bound = _local_names(function) | {"self", "cls"}
    return {n.id for n in ast.walk(function) if isinstance(n, ast.Name) and n.id not in bound}


def _statements(function: ast.AST) -> list[tuple[list[ast.stmt], int]]:
    """Every statement list in the function (with its indentation column)."""
    found = []
    for node in ast.walk(function):
        for name in ("body", "orelse", "finalbody"):
            body = getattr(node, name, None)
            if isinstance(body, list) and body and isinstance(body[0], ast.stmt):
                found.append((body, body[0].col_offset))
        for handler in getattr(node, "handlers", []) or []:
            found.append((handler.body, handler.body[0].col_offset))
    return found


def _names(node: ast.AST) -> tuple[set[str], set[str]]:
    read, written = set(), set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            (written if isinstance(sub.ctx, ast.Store) else read).add(sub.id)
        elif isinstance(sub, ast.Attribute):
            read.add(ast.unparse(sub))
    return read, written


INSERTS = [
    "logger.debug('{name}: %r', {var})",
    "if {var} is None:\n    return None",
    "assert {var} is not None, 'missing {var}'",
    "self._calls = getattr(self, '_calls', 0) + 1",
    "_trace.append(({var!r}, {var}))",
    "{var} = {var}",
]


def near_miss(text: str, rng: random.Random, count: int | None = None) -> tuple[str, list[str]]:
    """1 to 3 statement edits (by size; ``count`` edits when given): insert, delete, swap
    independent neighbours, change an expression."""
    tree = ast.parse(text)
    function = tree.body[0]
    lines = text.splitlines(keepends=True)
    statement_count = sum(1 for n in ast.walk(function) if isinstance(n, ast.stmt)) - 1
    edits = max(1, min(3, statement_count // 8)) if count is None else count
    done: list[str] = []
    for _ in range(edits):
        tree = ast.parse("".join(lines))
        function = tree.body[0]
        bodies = [b for b in _statements(function) if b[0] is not function.body or len(b[0]) > 1]
        kinds = ["insert", "delete", "swap", "change"]
        rng.shuffle(kinds)
        for kind in kinds:
            if kind == "insert":
                body, column = rng.choice(_statements(function))
                target = rng.choice(body)
                if target is function.body[0] and isinstance(target, ast.Expr):
                    continue  # not before the docstring
                names = sorted(a.arg for a in ast.walk(function) if isinstance(a, ast.arg) and a.arg not in ("self", "cls")) or ["result"]
                template = rng.choice(INSERTS)
                code = template.format(name=getattr(function, "name", "f"), var=rng.choice(names))
                if code.startswith("self.") and not any(isinstance(a, ast.arg) and a.arg == "self" for a in ast.walk(function)):
                    continue
                new_lines = [" " * column + line + "\n" for line in code.split("\n")]
                lines[target.lineno - 1 : target.lineno - 1] = new_lines
                done.append("insert")
                break
            if kind == "delete":
                candidates = [
                    s
                    for body, _ in bodies
                    for s in body
                    if len(body) > 1 and s.lineno == s.end_lineno and not isinstance(s, ast.Return) and s is not function.body[0]
                ]  # one simple statement: a line, not a whole block
                if not candidates:
                    continue
                target = rng.choice(candidates)
                del lines[target.lineno - 1 : target.end_lineno]
                done.append("delete")
                break
            if kind == "swap":
                pairs = []
                for body, _ in _statements(function):
                    for a, b in pairwise(body):
                        simple = a.lineno == a.end_lineno and b.lineno == b.end_lineno
                        if simple and not isinstance(b, ast.Return) and not isinstance(a, ast.Expr | ast.Return):
                            ra, wa = _names(a)
                            rb, wb = _names(b)
                            if not (wa & (rb | wb)) and not (wb & ra) and b.lineno == a.lineno + 1:
                                pairs.append((a, b))
                if not pairs:
                    continue
                a, b = rng.choice(pairs)
                lines[a.lineno - 1], lines[b.lineno - 1] = lines[b.lineno - 1], lines[a.lineno - 1]
                done.append("swap")
                break
            if kind == "change":
                compares = [n for n in ast.walk(function) if isinstance(n, ast.Compare) and n.lineno == n.end_lineno and len(n.ops) == 1]
                if not compares:
                    continue
                node = rng.choice(compares)
                line = lines[node.lineno - 1]
                swap = {
                    ast.Eq: ("==", "!="),
                    ast.NotEq: ("!=", "=="),
                    ast.Lt: ("<", "<="),
                    ast.Gt: (">", ">="),
                    ast.Is: (" is ", " is not "),
                    ast.In: (" in ", " not in "),
                }
                pair = swap.get(type(node.ops[0]))
                if pair is None or pair[0] not in line:
                    continue
                lines[node.lineno - 1] = line.replace(pair[0], pair[1], 1)
                done.append("change")
                break
    out = "".join(lines)
    ast.parse(out)
    return out, done


def reformat(text: str, rng: random.Random, reflow: bool) -> str:
    """Type-1 changes: comments, blank lines, another docstring, other quotes, maybe reflowed layout."""
    if reflow:
        done = subprocess.run([RUFF, "format", "--line-length", "50", "-"], input=text, capture_output=True, text=True)
        if done.returncode == 0:
            text = done.stdout
    tree = ast.parse(text)
    function = tree.body[0]
    lines = text.splitlines(keepends=True)
    if function.body and isinstance(function.body[0], ast.Expr) and isinstance(getattr(function.body[0], "value", None), ast.Constant):
        doc = function.body[0]
        indent = " " * doc.col_offset
        lines[doc.lineno - 1 : doc.end_lineno] = [f'{indent}"""Re-implemented here: see the ticket for details."""\n']
    text = "".join(lines)
    # comments at the end of some logical lines, blank lines between some statements
    tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    ends = sorted({t.start[0] for t in tokens if t.type == tokenize.NEWLINE}, reverse=True)
    lines = text.splitlines(keepends=True)
    for number in ends:
        if rng.random() < 0.3 and not lines[number - 1].rstrip().endswith("\\"):
            lines[number - 1] = lines[number - 1].rstrip("\n") + "  # " + rng.choice(["why not", "see above", "edge case", "TODO"]) + "\n"
        if rng.random() < 0.15 and number < len(lines):
            lines.insert(number, "\n")
    text = "".join(lines)
    # double quotes where the string has no quotes inside
    tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    lines = text.splitlines(keepends=True)
    for token in reversed(tokens):
        string = token.string
        if token.type == tokenize.STRING and string.startswith("'") and not string.startswith("'''") and not any(c in string for c in '"\\'):
            row, col = token.start
            line = lines[row - 1]
            lines[row - 1] = line[:col] + '"' + token.string[1:-1] + '"' + line[col + len(token.string) :]
    out = "".join(lines)
    ast.parse(out)
    return out


# -- the planted tree -----------------------------------------------------------------------


@dataclass
class Planted:
    kind: str  # "type1" | "type2" | "type3" | "negative"
    original: Function  # the original (or, for a negative, the Django function it is paired with)
    copy: Function  # the planted unit
    edits: list[str] = field(default_factory=list)


def write_module(path: Path, functions: list[Function], header: str) -> None:
    """Write functions into a module, recording each one's lines."""
    parts = [header]
    line = header.count("\n") + 1
    for function in functions:
        function.line = line
        function.end_line = line + function.text.rstrip("\n").count("\n")
        parts.append(function.text.rstrip("\n") + "\n\n\n")
        line = function.end_line + 3
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(parts), encoding="utf-8")


def build_pristine(django: Path, std_functions: list[Function], negatives: list[Function], target: Path) -> None:
    """Django, the stdlib originals (``_bench_std``) and, for screening only, the negatives
    (``_bench_negpool``: removed before planting)."""
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(django, target / "django", ignore=shutil.ignore_patterns("__pycache__"))
    for package_name, functions in (("_bench_std", std_functions), ("_bench_negpool", negatives)):
        package = target / "django" / package_name
        package.mkdir()
        (package / "__init__.py").write_text("", encoding="utf-8")
        by_source: dict[str, list[Function]] = defaultdict(list)
        for function in functions:
            by_source[function.source_path].append(function)
        for index, (source, group) in enumerate(sorted(by_source.items())):
            relative = f"django/{package_name}/m{index:03d}.py"
            for function in group:
                function.path = relative
            write_module(target / relative, group, f'"""Functions from the standard library ({source})."""\n\n')


# -- running the tools ----------------------------------------------------------------------

Range = tuple[str, int, int]  # path, first line, last line (1-based, inclusive)


def run_timed(command: list[str], cwd: Path) -> tuple[subprocess.CompletedProcess[str], float, int]:
    """Run a command; wall seconds and peak RSS (KiB) of it and its children."""
    timed = ["/usr/bin/time", "-f", "%e %M", *command] if Path("/usr/bin/time").exists() else command
    started = time.perf_counter()
    done = subprocess.run(timed, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - started
    rss = 0
    if timed is not command:
        last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
        match = re.match(r"^([\d.]+) (\d+)$", last)
        if match:
            wall, rss = float(match.group(1)), int(match.group(2))
    return done, wall, rss


def archguard_pairs(tree: Path, work: Path, jobs: int) -> tuple[list[tuple[Range, Range]], float, int]:
    contract = tree / "archguard.toml"
    contract.write_text(
        f'[project]\npackages = ["django"]\n\n[duplication]\nmin_lines = {MIN_LINES}\nmin_tokens = {MIN_TOKENS}\nsimilarity = 0.85\n',
        encoding="utf-8",
    )
    env_python = [PYTHON, "-m", "archguard", "dupes", "--no-cache", "--jobs", str(jobs), "--format", "json", "-o", str(work / "archguard.json")]
    done, wall, rss = run_timed(env_python, tree)
    if done.returncode not in (0, 1):
        raise SystemExit(f"archguard failed: {done.stderr[-2000:]}")
    data = json.loads((work / "archguard.json").read_text(encoding="utf-8"))
    pairs = []
    for group in data["groups"]:
        spans = [(loc["path"], loc["line"], loc["end_line"]) for loc in group["locations"]]
        pairs.extend((a, b) for i, a in enumerate(spans) for b in spans[i + 1 :])
    return pairs, wall, rss


def pylint_pairs(tree: Path) -> tuple[list[tuple[Range, Range]], float, int]:
    command = [
        PYLINT, "--disable=all", "--enable=duplicate-code", "--persistent=n", "--jobs=1", "--score=n",
        f"--min-similarity-lines={MIN_LINES}", "--ignore-comments=y", "--ignore-docstrings=y", "--ignore-imports=y",
        "--ignore-signatures=n", "django",
    ]  # fmt: skip
    done, wall, rss = run_timed(command, tree)
    pairs = []
    for block in done.stdout.split("R0801: Similar lines in")[1:]:
        spans = []
        for module, start, end in re.findall(r"^==([\w.]+):\[(\d+):(\d+)\]", block, re.M):
            relative = module.replace(".", "/")
            path = relative + ".py" if (tree / (relative + ".py")).is_file() else relative + "/__init__.py"
            spans.append((path, int(start) + 1, int(end)))
        pairs.extend((a, b) for i, a in enumerate(spans) for b in spans[i + 1 :])
    return pairs, wall, rss


def jscpd_pairs(tree: Path, work: Path, jscpd: str, extra: list[str], name: str) -> tuple[list[tuple[Range, Range]], float, int]:
    output = work / f"jscpd-{name}"
    command = [
        jscpd, "--min-lines", str(MIN_LINES), "--min-tokens", str(MIN_TOKENS), "--format", "python", "--mode", "weak",
        "--reporters", "json", "--output", str(output), "--no-gitignore", *extra, "django",
    ]  # fmt: skip
    done, wall, rss = run_timed(command, tree)
    report = output / "jscpd-report.json"
    if not report.is_file():
        raise SystemExit(f"jscpd failed: {done.stderr[-2000:]}")
    data = json.loads(report.read_text(encoding="utf-8"))
    pairs = []
    for duplicate in data.get("duplicates", []):
        first, second = duplicate["firstFile"], duplicate["secondFile"]
        # jscpd names files relative to the folder it scans ("django")
        pairs.append(
            ((f"django/{first['name']}", first["start"], first["end"]), (f"django/{second['name']}", second["start"], second["end"]))
        )
    return pairs, wall, rss


# -- scoring --------------------------------------------------------------------------------


def _overlap(a: Range, b: Range) -> int:
    if a[0] != b[0]:
        return 0
    return max(0, min(a[2], b[2]) - max(a[1], b[1]) + 1)


def _span(function: Function) -> Range:
    return (function.path, function.line, function.end_line)


def score(planted: list[Planted], pairs: list[tuple[Range, Range]], planted_prefix: str) -> dict[str, object]:
    positives = [p for p in planted if p.kind != "negative"]
    found_strict: set[int] = set()
    found_lenient: set[int] = set()
    coverage: dict[int, list[list[tuple[int, int]]]] = defaultdict(lambda: [[], []])
    true_pairs, false_pairs = 0, 0
    false_examples: list[tuple[Range, Range]] = []
    for a, b in pairs:
        if not (a[0].startswith(planted_prefix) or b[0].startswith(planted_prefix)):
            continue  # a natural clone of the codebase: not labelled, not counted
        matched = False
        for index, item in enumerate(positives):
            u, v = _span(item.original), _span(item.copy)
            for x, y in ((a, b), (b, a)):
                if _overlap(x, u) and _overlap(y, v):
                    matched = True
                    found_lenient.add(index)
                    coverage[index][0].append((max(x[1], u[1]), min(x[2], u[2])))
                    coverage[index][1].append((max(y[1], v[1]), min(y[2], v[2])))
        if matched:
            true_pairs += 1
        else:
            false_pairs += 1
            false_examples.append((a, b))
    for index, (left, right) in coverage.items():
        item = positives[index]
        if min(_covered(left, item.original), _covered(right, item.copy)) >= 0.5:
            found_strict.add(index)
    by_type: dict[str, dict[str, float]] = {}
    for kind in ("type1", "type2", "type3"):
        members = [i for i, p in enumerate(positives) if p.kind == kind]
        by_type[kind] = {
            "planted": len(members),
            "recall": len([i for i in members if i in found_strict]) / max(1, len(members)),
            "recall_lenient": len([i for i in members if i in found_lenient]) / max(1, len(members)),
        }
    reported = true_pairs + false_pairs
    return {
        "by_type": by_type,
        "true_pairs": true_pairs,
        "false_pairs": false_pairs,
        "precision": true_pairs / reported if reported else 1.0,
        "missed": [positives[i] for i in range(len(positives)) if i not in found_strict],
        "false_examples": false_examples[:50],
    }


def _covered(spans: list[tuple[int, int]], function: Function) -> float:
    lines: set[int] = set()
    for start, end in spans:
        lines.update(range(start, end + 1))
    return len(lines) / max(1, function.end_line - function.line + 1)


# -- main -----------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--django", type=Path, default=Path("/work/ref/django-5.2.19/django"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/archguard-dup-bench"))
    parser.add_argument("--per-type", type=int, default=60)
    parser.add_argument("--negatives", type=int, default=120)
    parser.add_argument("--seed", type=int, default=20251126)
    parser.add_argument("--jscpd", default=shutil.which("jscpd") or "", help="path of the jscpd binary (npm i jscpd@5.3.2)")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--results", type=Path, default=REPO / "benchmarks" / "results" / "duplication-planted.json")
    parser.add_argument("--skip-whole-django", action="store_true")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work: Path = args.work
    work.mkdir(parents=True, exist_ok=True)
    os.environ["PYTHONPATH"] = str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")

    print("pools ...", flush=True)
    django_functions = django_pool(args.django)
    std_all = stdlib_pool()
    rng.shuffle(std_all)
    half = len(std_all) // 2
    std_originals, std_negatives = std_all[:half][:600], std_all[half:]
    print(f"  django {len(django_functions)}, stdlib originals {len(std_originals)}, stdlib negatives {len(std_negatives)}")

    pristine = work / "pristine"
    build_pristine(args.django, std_originals, std_negatives, pristine)
    locate(django_functions, pristine)
    django_functions = [f for f in django_functions if f.line]

    print("natural clones in the pristine tree ...", flush=True)
    reported: list[tuple[Range, Range]] = []
    reported += archguard_pairs(pristine, work, args.jobs)[0]
    reported += pylint_pairs(pristine)[0]
    tools: list[tuple[str, list[str]]] = []
    if args.jscpd:
        tools = [("jscpd", []), ("jscpd-renamed", ["--ignore-identifiers", "--ignore-literals", "--max-gap-lines", "2"])]
    for name, extra in tools:
        reported += jscpd_pairs(pristine, work, args.jscpd, extra, name)[0]
    natural = [side for pair in reported for side in pair]

    def clean(function: Function) -> bool:
        return not any(_overlap(_span(function), side) for side in natural)

    pool = [f for f in django_functions + std_originals if clean(f)]
    print(f"  clean pool: {len(pool)} of {len(django_functions) + len(std_originals)}")
    # negatives must not be clones of anything either (urllib and gettext repeat themselves,
    # Django copied gettext's ngettext): screened the same way
    std_negatives = [f for f in std_negatives if clean(f)]
    print(f"  clean negatives: {len(std_negatives)}")
    rng.shuffle(pool)

    planted: list[Planted] = []
    by_kind = {"type1": [], "type2": [], "type3": []}
    for function in pool:
        kind = min(by_kind, key=lambda k: len(by_kind[k]))
        if len(by_kind[kind]) >= args.per_type:
            break
        try:
            if kind == "type1":
                text, edits = reformat(function.text, rng, reflow=len(by_kind[kind]) % 2 == 0), ["reformat"]
            elif kind == "type2":
                text, edits = reformat(rename(function.text, rng), rng, reflow=False), ["rename", "literals"]
            else:
                renamed = len(by_kind[kind]) % 2 == 0
                text, edits = near_miss(rename(function.text, rng) if renamed else function.text, rng)
                edits = (["rename"] if renamed else []) + edits
        except (SyntaxError, AssertionError, ValueError, tokenize.TokenError, IndentationError):
            continue
        copy = Function("planted", function.source_path, function.name, text, len(_code_tokens(text)), 0)
        item = Planted(kind, function, copy, edits)
        by_kind[kind].append(item)
        planted.append(item)

    negatives: list[Planted] = []
    used = {id(p.original) for p in planted}
    targets = [f for f in django_functions if clean(f) and id(f) not in used]
    rng.shuffle(targets)
    for g in targets:
        if len(negatives) >= args.negatives:
            break
        options = [h for h in std_negatives if abs(h.tokens - g.tokens) <= 0.15 * g.tokens and h.name != g.name]
        if not options:
            continue
        h = rng.choice(options)
        std_negatives.remove(h)
        negatives.append(Planted("negative", g, Function("planted", h.source_path, h.name, h.text, h.tokens, h.code_lines)))

    tree = work / "planted"
    if tree.exists():
        shutil.rmtree(tree)
    shutil.copytree(pristine, tree, ignore=shutil.ignore_patterns("_bench_negpool"))
    (tree / "archguard.toml").unlink(missing_ok=True)
    package = tree / "django" / "_bench_planted"
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    everything = planted + negatives
    rng.shuffle(everything)
    for index in range(0, len(everything), 8):
        chunk = everything[index : index + 8]
        relative = f"django/_bench_planted/p{index // 8:03d}.py"
        for item in chunk:
            item.copy.path = relative
        write_module(tree / relative, [item.copy for item in chunk], '"""Planted benchmark code."""\n\n')

    print(f"planted {len(planted)} clones and {len(negatives)} negatives; running the tools ...", flush=True)
    results: dict[str, dict[str, object]] = {}
    runs = [("archguard", lambda: archguard_pairs(tree, work, args.jobs)), ("pylint", lambda: pylint_pairs(tree))]
    for name, extra in tools:
        runs.append((name, lambda extra=extra, name=name: jscpd_pairs(tree, work, args.jscpd, extra, name)))
    for name, run in runs:
        pairs, wall, rss = run()
        scored = score(planted, pairs, "django/_bench_planted/")
        scored["wall"], scored["rss_mib"] = wall, rss / 1024
        results[name] = scored
        by_type = scored["by_type"]
        print(
            f"  {name}: recall t1 {by_type['type1']['recall']:.2f} t2 {by_type['type2']['recall']:.2f} t3 {by_type['type3']['recall']:.2f}"
            f" precision {scored['precision']:.2f} ({scored['true_pairs']} true, {scored['false_pairs']} false) wall {wall:.1f} s",
            flush=True,
        )

    whole: dict[str, dict[str, float]] = {}
    if not args.skip_whole_django:
        print("whole Django ...", flush=True)
        plain = work / "django-only"
        if plain.exists():
            shutil.rmtree(plain)
        shutil.copytree(args.django, plain / "django", ignore=shutil.ignore_patterns("__pycache__"))
        for name, run in [
            ("archguard (2 processes)", lambda: archguard_pairs(plain, work, 2)),
            ("archguard (1 process)", lambda: archguard_pairs(plain, work, 1)),
            ("pylint", lambda: pylint_pairs(plain)),
            *([("jscpd", lambda: jscpd_pairs(plain, work, args.jscpd, [], "whole"))] if args.jscpd else []),
        ]:
            walls, peaks, count = [], [], 0
            for _ in range(3):
                pairs, wall, rss = run()
                walls.append(wall)
                peaks.append(rss / 1024)
                count = len(pairs)
            whole[name] = {"wall": statistics.median(walls), "rss_mib": max(peaks), "pairs": count}
            print(f"  {name}: {statistics.median(walls):.1f} s, {max(peaks):.0f} MiB, {count} pairs", flush=True)

    summary = {
        "seed": args.seed,
        "planted": {k: len(v) for k, v in by_kind.items()},
        "negatives": len(negatives),
        "tools": {
            name: {key: value for key, value in scored.items() if key != "missed"} for name, scored in results.items()
        },
        "missed_by_archguard": [
            {"kind": p.kind, "original": f"{p.original.path}:{p.original.line} {p.original.name}", "copy": f"{p.copy.path}:{p.copy.line}", "edits": p.edits}
            for p in results["archguard"]["missed"]  # type: ignore[union-attr]
        ],
        "whole_django": whole,
    }
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    markdown = args.results.with_name("duplication.md")
    markdown.write_text(render_markdown(summary, args), encoding="utf-8")
    print(f"wrote {args.results} and {markdown}")


def render_markdown(summary: dict[str, Any], args: argparse.Namespace) -> str:
    """The results as the Markdown table quoted in the README and the issue notes."""
    load = os.getloadavg()[0]
    lines = [
        "# Duplication: planted clones in a copy of Django",
        "",
        f"Seed {summary['seed']}; planted per type: {summary['planted']}; non-clone pairs of similar size: {summary['negatives']}.",
        f"Machine: {os.cpu_count()} cores, load average at the end {load:.2f}, Python {sys.version.split()[0]}.",
        "Generated by `python benchmarks/duplication/planted.py` (or `python -m benchmarks.run`); raw numbers in `duplication-planted.json`.",
        "",
        "| tool | recall type 1 | recall type 2 | recall type 3 | precision | true / false pairs | wall (s) | peak RSS (MiB) |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, scored in summary["tools"].items():
        by_type = scored["by_type"]
        lines.append(
            f"| {name} | {by_type['type1']['recall']:.2f} | {by_type['type2']['recall']:.2f} | {by_type['type3']['recall']:.2f}"
            f" | {scored['precision']:.2f} | {scored['true_pairs']} / {scored['false_pairs']} | {scored['wall']:.1f} | {scored['rss_mib']:.0f} |"
        )
    lines += [
        "",
        "*jscpd-renamed*: jscpd in its mode that ignores identifier names. Recall: a planted clone is found when a",
        "reported pair covers at least half of both the copy and its original. Precision: of the reported pairs that",
        "touch the planted module (planted clones and the non-clone pairs), the share that matches a planted clone;",
        "natural clones elsewhere in Django are not labelled and not counted.",
        "",
        "Per code base: the same measure on attrs, rich, click, SQLAlchemy and Django, with clones planted from each one's own",
        "functions: `duplication-codebases.md` (beside the same peers) and `duplication-codebases-heldout.md` (another seed, archguard alone).",
    ]
    if summary["whole_django"]:
        lines += ["", "## Whole Django (no planted code), cold, median of 3", ""]
        lines += ["| run | wall (s) | peak RSS (MiB) | clone pairs |", "| --- | ---: | ---: | ---: |"]
        for name, row in summary["whole_django"].items():
            lines.append(f"| {name} | {row['wall']:.1f} | {row['rss_mib']:.0f} | {row['pairs']} |")
    if summary["missed_by_archguard"]:
        lines += ["", "## Planted clones archguard missed", ""]
        lines += [f"- {m['kind']}: {m['copy']} (copy of {m['original']}; edits: {', '.join(m['edits'])})" for m in summary["missed_by_archguard"]]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
