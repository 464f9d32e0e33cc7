"""Mechanical fixes for violations (``archguard fix``): libcst codemods, proven before offered.

Today one kind of violation has a mechanical remedy: a ``boundaries`` violation whose
``from internal.module import Name`` can import the very same objects from the component's
public module, because that module re-exports them (:mod:`archguard.analysis.reexports` follows the
re-exports statically). The rewrite changes the module of that one statement and nothing
else: its names, aliases, parentheses, comments and every other byte of the file stay as
they were.

A rewrite is offered only when all of these hold:

- the file parses, and libcst reproduces it byte for byte before any change;
- every name the statement imports has the same origin in the public module;
- the public module does not import the importer at module level (no new import cycle);
- the rewritten file parses again (CPython here, libcst when the tree is re-checked);
- ``archguard check`` on the rewritten tree (evaluated in memory) reports exactly the
  findings it reported before, minus the fixed ones.

Nothing here imports or runs the analysed code; files are written only by :func:`apply`,
atomically, and only if they still hold the bytes the plan was made from.
"""

from __future__ import annotations

import ast
import difflib
import os
import re
import warnings
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from archguard.analysis.digraph import DiGraph, has_path
from archguard.analysis.graph import SiteFilter
from archguard.analysis.read.facts import RawImport
from archguard.analysis.reexports import Origins, absolute_base
from archguard.analysis.resolve import import_text
from archguard.base.errors import UsageError
from archguard.base.safe_files import FileTooLarge, read_regular, write_atomic
from archguard.contract.patterns import ModulePattern
from archguard.engine.pipeline import CheckResult, evaluate, reanalyze
from archguard.findings import Finding


@dataclass(frozen=True)
class Rewrite:
    """One import statement pointed at another module."""

    finding: Finding
    path: str
    line: int
    column: int  # 1-based, as in findings
    before: str  # the statement, normalised
    after: str
    level: int  # leading dots of the new module
    module: str  # the new module as written after the dots ("" for "from . import x")


@dataclass(frozen=True)
class Skip:
    """A violation that has no mechanical fix here, and why."""

    finding: Finding
    reason: str


@dataclass(frozen=True)
class FileFix:
    path: str  # relative to the project root
    before: bytes
    after: bytes
    encoding: str
    rewrites: tuple[Rewrite, ...]

    def diff(self) -> str:
        before = self.before.decode(self.encoding).splitlines(keepends=True)
        after = self.after.decode(self.encoding).splitlines(keepends=True)
        lines = []
        for line in difflib.unified_diff(before, after, fromfile=f"a/{self.path}", tofile=f"b/{self.path}"):
            lines.append(line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n")
        return "".join(lines)


@dataclass
class FixPlan:
    files: list[FileFix] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)
    unfixable: list[Finding] = field(default_factory=list)  # findings of rules without mechanical fixes

    @property
    def rewrites(self) -> list[Rewrite]:
        return [rewrite for file in self.files for rewrite in file.rewrites]

    def diff(self) -> str:
        return "".join(file.diff() for file in self.files)


# -- planning -------------------------------------------------------------------------------------


def plan_fixes(result: CheckResult) -> FixPlan:
    """Every mechanical fix for the active findings of ``result``, verified (nothing is written)."""
    analysis = result.analysis
    files = {f.module: f for f in analysis.discovery.files}
    sources: dict[str, bytes | None] = {}

    def read(module: str) -> bytes | None:
        if module not in sources:
            try:
                sources[module] = read_regular(files[module].path, limit=analysis.loaded.contract.project.max_file_size)
            except OSError:
                sources[module] = None
        return sources[module]

    origins = Origins({m: f.is_package for m, f in files.items()}, read)
    eager = analysis.graph.view(SiteFilter(exclude_type_checking=True, exclude_lazy=True))
    planner = _Planner(result, origins, eager)
    plan = FixPlan()
    wanted: dict[str, list[Rewrite]] = {}
    for finding in result.findings:
        if finding.rule != "boundaries" or finding.kind != "internal-import":
            if finding.severity == "error":
                plan.unfixable.append(finding)
            continue
        outcome = planner.rewrite_for(finding)
        if isinstance(outcome, Skip):
            plan.skipped.append(outcome)
        else:
            wanted.setdefault(outcome.path, []).append(outcome)

    candidates: list[FileFix] = []
    for path, rewrites in sorted(wanted.items()):
        module = next(m for m, p in analysis.paths.items() if p == path)
        data = read(module)
        fixed = _apply_rewrites(path, data, rewrites) if data is not None else "the file cannot be read"
        if isinstance(fixed, str):
            plan.skipped.extend(Skip(r.finding, fixed) for r in rewrites)
        else:
            candidates.append(fixed)
    accepted, rejected = _verify(result, candidates)
    plan.files = accepted
    plan.skipped.extend(rejected)
    plan.skipped.sort(key=lambda s: s.finding.sort_key)
    return plan


class _Planner:
    def __init__(self, result: CheckResult, origins: Origins, eager: DiGraph) -> None:
        self.result = result
        self.analysis = result.analysis
        self.origins = origins
        self.eager = eager
        self.packages = {f.module for f in self.analysis.discovery.files if f.is_package}

    def public_modules(self, component: str) -> list[str]:
        config = self.analysis.loaded.contract.components.get(component)
        if config is None:
            return []
        modules = []
        for text in config.public:
            pattern = ModulePattern.parse(text)
            if pattern.is_literal and pattern.literal in self.analysis.paths:
                modules.append(pattern.literal)
        return modules

    def rewrite_for(self, finding: Finding) -> Rewrite | Skip:
        analysis = self.analysis
        importer, imported = finding.importer or "", finding.imported or ""
        facts = analysis.facts.get(importer)
        if facts is None or facts.problem is not None:
            return Skip(finding, "the file could not be parsed; it is never rewritten")
        raw = next((r for r in facts.imports if (r.line, r.column) == (finding.line, finding.column) and not r.dynamic), None)
        if raw is None:
            return Skip(finding, "the import statement could not be located")
        if not raw.names:
            return Skip(finding, f"'{import_text(raw)}' imports the module itself: its uses would have to change too")
        if "*" in raw.names:
            return Skip(finding, "a star import: the names it uses are not known")
        component = analysis.components.component_of.get(imported)
        publics = self.public_modules(component) if component else []
        if not publics:
            return Skip(finding, f"{component} declares no public module that archguard can see")
        base = absolute_base(importer, importer in self.packages, raw.level, raw.module or None)
        if not base:
            return Skip(finding, "the relative import climbs above the top-level package")
        wanted = {name: self.origins.imported(base, name) for name in raw.names}
        unknown = [name for name, origin in wanted.items() if origin is None]
        if unknown:
            verb = "is" if len(unknown) == 1 else "are"
            return Skip(finding, f"what {', '.join(unknown)} {verb} in {base} is not certain (bound in several ways?)")
        reasons = []
        for public in publics:
            if public == base:
                reasons.append(f"'{import_text(raw)}' already imports from {public}, but it names the internal module {imported} itself")
                continue
            missing = [name for name, origin in wanted.items() if self.origins.of(public, name) != origin]
            if missing:
                bound = [n for n in missing if n in self.origins.bindings(public).names]
                if bound:
                    reasons.append(f"{public} binds {', '.join(bound)}, but not the object{'s' * (len(bound) != 1)} from {base}")
                else:
                    reasons.append(f"{public} does not export {', '.join(missing)}")
                continue
            if public in self.eager and importer in self.eager and has_path(self.eager, public, importer):
                reasons.append(f"{public} imports {importer} at module level: the rewrite would create an import cycle")
                continue
            level, module = _written(importer, importer in self.packages, raw.level, public)
            after = RawImport(module=module, level=level, names=raw.names, line=raw.line, column=raw.column, end_line=raw.end_line)
            return Rewrite(
                finding=finding,
                path=analysis.paths[importer],
                line=raw.line,
                column=raw.column,
                before=import_text(raw),
                after=import_text(after),
                level=level,
                module=module,
            )
        return Skip(finding, "; ".join(reasons) or "no public module to import from")


def _written(importer: str, is_package: bool, level: int, target: str) -> tuple[int, str]:
    """How to write ``target`` in a statement that used ``level`` dots: keep relative imports relative."""
    if level == 0:
        return 0, target
    anchor = absolute_base(importer, is_package, level, None)
    if anchor and target == anchor:
        return level, ""
    if anchor and target.startswith(anchor + "."):
        return level, target[len(anchor) + 1 :]
    return 0, target


# -- the codemod ------------------------------------------------------------------------------------


def _import_from_order(data: bytes, encoding: str, rewrites: list[Rewrite]) -> dict[int, tuple[Rewrite, str]] | None:
    """Which ``from ... import`` statements to rewrite, by their rank in document order.

    libcst's PositionProvider costs several times the parse (it regenerates the file's code),
    so positions come from CPython's parser instead: its ``ImportFrom`` nodes sorted by
    position are the statements libcst visits, in the same order. Each match is checked by
    the module it names (the returned text). None when ``ast`` cannot parse the file.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(data)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    nodes = sorted((n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)), key=lambda n: (n.lineno, n.col_offset))
    text = data.decode(encoding, errors="replace").removeprefix("\ufeff")
    lines = re.split(r"\r\n|\r|\n", text)
    by_position = {(r.line, r.column): r for r in rewrites}
    ranks: dict[int, tuple[Rewrite, str]] = {}
    for rank, node in enumerate(nodes):
        line = lines[node.lineno - 1] if node.lineno <= len(lines) else ""
        column = len(line.encode("utf-8")[: node.col_offset].decode("utf-8", errors="ignore")) + 1
        rewrite = by_position.get((node.lineno, column))
        if rewrite is not None:
            ranks[rank] = (rewrite, "." * (node.level or 0) + (node.module or ""))
    return ranks if len(ranks) == len(by_position) else None


def _apply_rewrites(path: str, data: bytes, rewrites: list[Rewrite]) -> FileFix | str:
    """The file with its statements rewritten, or why it cannot be."""
    import libcst as cst

    from archguard.analysis.read.imports import dotted_name

    try:
        module = cst.parse_module(data)
    except (cst.ParserSyntaxError, UnicodeDecodeError, LookupError, SyntaxError, RecursionError):
        return "the file could not be parsed; it is never rewritten"
    if module.bytes != data:
        return "libcst does not reproduce this file byte for byte; it is never rewritten"
    ranks = _import_from_order(data, module.encoding, rewrites)
    if ranks is None:
        return "the import statement could not be located"
    targets: dict[int, tuple[Rewrite, str]] = ranks
    done: set[int] = set()
    mismatch: list[int] = []

    class Rewriter(cst.CSTTransformer):
        rank = -1

        def on_visit(self, node: cst.CSTNode) -> bool:
            # Statements hold imports, expressions never do: not walking them keeps the pass cheap.
            return not isinstance(node, (cst.BaseExpression, cst.Decorator, cst.Parameters, cst.Annotation))

        def leave_ImportFrom(self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom) -> cst.ImportFrom:
            self.rank += 1
            target = targets.get(self.rank)
            if target is None:
                return updated_node
            rewrite, written = target
            if "." * len(original_node.relative) + dotted_name(original_node.module) != written:
                mismatch.append(self.rank)  # the two parsers disagree on the order: touch nothing
                return updated_node
            done.add(self.rank)
            new_module = cst.parse_expression(rewrite.module) if rewrite.module else None
            return updated_node.with_changes(relative=[cst.Dot() for _ in range(rewrite.level)], module=new_module)

    try:
        rewritten = module.visit(Rewriter())
    except Exception as error:  # noqa: BLE001 - any codemod failure skips the file, never crashes the run
        return f"the rewrite failed ({type(error).__name__})"
    if mismatch or done != set(targets):
        return "the import statement could not be located"
    after = rewritten.bytes
    try:  # libcst parses it again when the rewrite is verified (a parse error there rejects it)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ast.parse(after)
    except (SyntaxError, ValueError):
        return "the rewritten file would not parse; it is left alone"
    ordered = tuple(sorted(rewrites, key=lambda r: (r.line, r.column)))
    return FileFix(path=path, before=data, after=after, encoding=module.encoding, rewrites=ordered)


# -- verification -------------------------------------------------------------------------------------


def _outcome(result: CheckResult, files: list[FileFix]) -> tuple[list[Finding], Counter[str]]:
    """(findings that appear, fingerprints that disappear) when these files are rewritten."""
    before = Counter(f.fingerprint for f in result.findings)
    analysis = reanalyze(result.analysis, result.analysis.loaded, {f.path: f.after for f in files})
    findings = evaluate(analysis).findings
    after = Counter(f.fingerprint for f in findings)
    appeared = after - before
    return [f for f in findings if f.fingerprint in appeared], before - after


def _verify(result: CheckResult, files: list[FileFix]) -> tuple[list[FileFix], list[Skip]]:
    """Keep the file fixes that remove their findings and add none, alone and together."""
    accepted: list[FileFix] = []
    rejected: list[Skip] = []
    if not files:
        return accepted, rejected
    appeared, gone = _outcome(result, files)
    if not appeared and not Counter(r.finding.fingerprint for file in files for r in file.rewrites) - gone:
        return list(files), rejected  # the common case: one evaluation proves them all
    for file in files:
        appeared, gone = _outcome(result, [file])
        fixed = Counter(r.finding.fingerprint for r in file.rewrites)
        if appeared:
            rejected.extend(Skip(r.finding, f"the rewrite would add a finding: {appeared[0].message}") for r in file.rewrites)
        elif fixed - gone:
            rejected.extend(Skip(r.finding, "the rewrite would not remove the finding") for r in file.rewrites)
        else:
            accepted.append(file)
    if len(accepted) > 1 and _outcome(result, accepted)[0]:
        reason = "the rewrites interfere with each other; fix them one at a time"
        rejected.extend(Skip(r.finding, reason) for file in accepted for r in file.rewrites)
        accepted = []
    return accepted, rejected


# -- applying -------------------------------------------------------------------------------------------


def apply(plan: FixPlan, root: Path, write: Callable[[Path, bytes], None] | None = None) -> list[str]:
    """Write the planned files; refuse any file whose bytes changed since the plan was made."""
    write = write or _atomic_write
    changed = []
    for file in plan.files:
        path = root / file.path
        if path.is_symlink():  # rewriting would replace the link with a file, or write through it
            raise UsageError(f"{file.path} is a symlink (to {os.readlink(path)}); archguard fix does not rewrite linked files: edit the file it points to")
        try:
            current = read_regular(path, limit=len(file.before), inside=root)
        except FileTooLarge:
            current = None  # it grew: changed
        except OSError as error:
            raise UsageError(f"cannot read {file.path}: {error.strerror}") from None
        if current != file.before:
            raise UsageError(f"{file.path} changed since it was analysed; run archguard fix again")
    for file in plan.files:
        write(root / file.path, file.after)
        changed.append(file.path)
    return changed


def _atomic_write(path: Path, data: bytes) -> None:
    """Replace the file atomically, keeping its permissions."""
    try:
        write_atomic(path, data, keep_mode=True, make_parents=False)
    except OSError as error:
        raise UsageError(f"cannot write {path}: {error.strerror}") from None
