"""Drift over time: what a change did to the architecture, between a base revision and the head.

Both sides are analysed with the same pipeline: the head is the working tree (or a revision),
the base is read straight from git objects (:mod:`archguard.gate.revision`), evaluated with the
contract as it was at the base when it exists there. Files the change left alone are neither
read nor parsed for the base: their facts are the head's. The findings are then matched by
fingerprint and count (:func:`archguard.findings.matching.match_findings`):

1. exactly: an unrelated edit or a line shift changes nothing;
2. through renames: a file that moved (``git diff --find-renames``, or an untracked file with
   the same bytes as a deleted one) keeps its old findings where its imports are unchanged,
   although its module name, and therefore its fingerprints, changed.

When one fingerprint occurs more often after the change, the findings on lines the change
added are the new ones.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from archguard.analysis.coupling import Coupling
from archguard.analysis.read.facts import FileFacts
from archguard.base.safe_files import read_regular
from archguard.base.timeline import phase
from archguard.contract.loading import LoadedContract
from archguard.engine.dialects import dialect_of
from archguard.engine.pipeline import CheckResult, KnownFactsTree, RunOptions, SourceTree, WorkingTree, analyze, check, evaluate
from archguard.findings import Finding, Suppression, sort_findings
from archguard.findings.matching import ChangedFile, DiffOutcome, EdgeChange, Move, Revision, match_findings
from archguard.gate.git import FileChange, Repository
from archguard.gate.lines import AddedLines, locate_on_added_lines, unlocated
from archguard.gate.revision import RevisionTree, contract_at
from archguard.gate.silencing import Silencing, contract_changes, new_pragmas

if TYPE_CHECKING:
    from archguard.analysis.coupling import Coupling

WORKING_TREE = "working tree"
_STATUS = {"A": "added", "C": "added", "D": "deleted", "M": "modified", "T": "modified", "R": "renamed"}


@dataclass(frozen=True)
class Comparison:
    """Both sides of a change, checked, and what the change did."""

    base: CheckResult
    head: CheckResult
    outcome: DiffOutcome
    notes: tuple[str, ...] = ()  # things the user should know (e.g. no code at the base)
    added: AddedLines | None = None  # the lines the change added, by path relative to the project root
    listed: tuple[Suppression, ...] = ()  # what the change hides, when the gate's policy allows it

    def gate_result(self) -> CheckResult:
        """The head's result with only the findings the change introduced (and what the change
        does to hide findings), for the reporters."""
        suppressed = sorted([*self.head.suppressed, *self.listed], key=lambda s: s.finding.sort_key)
        return replace(self.head, findings=sort_findings(self.outcome.new), suppressed=suppressed, diff=self.outcome)

    def coupling(self) -> tuple[list[Coupling], list[Coupling]]:
        """Per-component coupling (before, after)."""
        from archguard.gate.drift import coupling  # (the reports that show it import it)

        return coupling(self.base.analysis), coupling(self.head.analysis)


def compare_revisions(
    loaded: LoadedContract,
    base: str,
    head: str | None = None,
    options: RunOptions | None = None,
) -> Comparison:
    """Check ``base`` and ``head`` (None: the working tree) and compare them.

    ``base`` is any git revision; ``REV...`` means the merge base of REV and the head, as in
    ``git diff REV...``. Raises GitError (exit 2) for a missing repository or revision.
    """
    options = options or RunOptions()
    repository = Repository.find(loaded.root)
    try:
        return _compare(repository, loaded, base, head, options)
    finally:
        repository.close()


def _compare(repository: Repository, loaded: LoadedContract, base: str, head: str | None, options: RunOptions) -> Comparison:
    head_commit = repository.resolve(head) if head is not None else None
    if base.endswith("...") and len(base) > 3:
        base_commit = repository.merge_base(repository.resolve(base[:-3]), head_commit or repository.resolve("HEAD"))
    else:
        base_commit = repository.resolve(base)
    notes: list[str] = []

    head_tree: RevisionTree | None = None
    if head is None or head_commit is None:
        head_loaded, head_contract = loaded, loaded.display_path
    else:
        at_head = contract_at(repository, head_commit, head, loaded)
        head_loaded, head_contract = at_head.loaded, at_head.description
        head_tree = RevisionTree(repository, head_commit, head)
    prefix = repository.relative(head_loaded.root)
    # The base's files are listed while git lists the change (the same root as the head's, as a rule).
    repository.prefetch(*Repository.tree_args(base_commit, prefix))
    changes = repository.changes(base_commit, head_commit, prefix)
    # The lines the change added are read after both checks: git diffs the changed files meanwhile.
    repository.prefetch_added_lines(base_commit, head_commit, [c.path for c in changes if c.status in "DMT" and c.path.endswith((".py", ".pyi"))])
    changed = {_below(c.path, prefix) for c in changes} | {_below(c.old_path, prefix) for c in changes if c.old_path}
    at_base = contract_at(repository, base_commit, base, loaded)
    base_tree = RevisionTree(repository, base_commit, base)
    same_root = at_base.loaded.root == head_loaded.root
    base_results: list[CheckResult] = []
    overlapped = 0.0

    def check_base(head_facts: dict[str, FileFacts], pending: frozenset[str]) -> bool:
        """The base side, run while the head's files are parsed when the base needs none of
        them: the base reuses the head's facts of the files the change did not touch, so it
        waits (returns False) while one of those is still being parsed (a cold cache)."""
        nonlocal overlapped
        if same_root and pending:
            in_base = base_tree.blob_ids(at_base.loaded.root)
            if any(path in in_base and path not in changed for path in pending):
                return False
        started = time.perf_counter()
        if same_root:
            base_tree.known = {path: facts for path, facts in head_facts.items() if path not in changed}
        # While the head's pool parses, its progress bar is on screen: the base does not report into it.
        side_options = replace(options, progress=None) if pending else options
        with phase("base revision"):
            base_results.append(_check_side(at_base.loaded, side_options, base_tree))
        overlapped = time.perf_counter() - started
        return True

    head_result = check(head_loaded, options, head_tree, meanwhile=check_base)
    head_result.analysis.stats.seconds -= overlapped  # the base ran inside the head's check: not the head's time
    if head_tree is not None and head_tree.note:
        notes.append(head_tree.note)
    base_result = base_results[0]
    if base_tree.note:
        notes.append(base_tree.note)

    with phase("comparison"):  # (the two sides, the added lines, the pragmas, the edges)
        files = _changed_files(changes, prefix, base_result, head_result, base_tree, head_tree)
        added = AddedLines(repository, base_commit, head_commit, prefix, files)
        head_result = locate_on_added_lines(head_result, added)
        policy = at_base.loaded.contract.gate  # the contract owner's policy, whatever the change does to it
        silencing = new_pragmas(base_result, head_result, added, policy, moved_fingerprint(files, base_result, head_result))
        if at_base.loaded.source != head_loaded.source and type(at_base.loaded) is type(head_loaded):
            # The change edits the contract: its code is also judged by the base's contract.
            tree: SourceTree = RevisionTree(repository, head_tree.commit, head_tree.label) if head_tree is not None else WorkingTree()
            under_base = locate_on_added_lines(_under_contract(at_base.loaded, head_result, tree, options), added)
            found = contract_changes(base_result, head_result, under_base, at_base.loaded, added, policy, dialect_of(head_loaded).acknowledged)
            silencing = Silencing(silencing.findings + found.findings, silencing.listed + found.listed, found.hidden)
        outcome = compare(
            base_result,
            head_result,
            files,
            added_lines=lambda path: added.ranges(path) or [],
            base=Revision(base, base_commit, at_base.description),
            head=Revision(head or WORKING_TREE, head_commit, head_contract),
        )
        new_rules = {rule.name for rule in head_result.rules} - {rule.name for rule in base_result.rules}
        new = [f if added.covers(f.path, f.line) else unlocated(f, new_rules) for f in [*at_gate_level(outcome.new, head_result), *silencing.findings]]
        # A finding the change's contract hides is not one the change resolved.
        resolved = tuple(f for f in outcome.resolved if not silencing.hides(f))
        outcome = replace(outcome, new=tuple(sort_findings(new)), resolved=resolved)
        return Comparison(base_result, head_result, outcome, tuple(notes), added, tuple(silencing.listed))


def at_gate_level(findings: Iterable[Finding], head: CheckResult) -> list[Finding]:
    """A change's new findings at the level the gate gives their rule (``Rule.gate_level``): the
    checks archguard adds to an import-linter configuration are warnings in a whole-tree check
    and errors (by default) for what a change adds."""
    levels = {rule.name: rule.gate_level for rule in head.rules if rule.gate_level is not None}
    if not levels:
        return list(findings)
    return [replace(f, severity=levels[f.rule_name]) if f.rule_name in levels else f for f in findings]


def _under_contract(loaded: LoadedContract, head: CheckResult, tree: SourceTree, options: RunOptions) -> CheckResult:
    """The head's code evaluated under another contract (the base's), from the head's facts."""
    by_path = {head.analysis.paths[module]: facts for module, facts in head.analysis.facts.items()}
    return evaluate(analyze(loaded, replace(options, progress=None), KnownFactsTree(tree, by_path)))


def _check_side(loaded: LoadedContract, options: RunOptions, tree: RevisionTree) -> CheckResult:
    """engine.check without its nothing-checked guard: a base from before the code existed is fine.
    Its graph is built when read: a recalled evaluation brings the component edges the
    comparison needs, and then nothing reads it."""
    started = time.perf_counter()
    result = evaluate(analyze(loaded, options, tree, defer_graph=True))
    result.analysis.stats.seconds = time.perf_counter() - started
    return result


def _below(path: str, prefix: str) -> str:
    return path[len(prefix) + 1 :] if prefix and path.startswith(prefix + "/") else path


def _changed_files(
    changes: list[FileChange],
    prefix: str,
    base: CheckResult,
    head: CheckResult,
    base_tree: RevisionTree,
    head_tree: RevisionTree | None,
) -> list[ChangedFile]:
    """The analysed files the change touched, with moves of untracked files found by content."""
    base_paths = set(base.analysis.paths.values())
    head_paths = set(head.analysis.paths.values())
    files: dict[str, ChangedFile] = {}
    for change in changes:
        path = _below(change.path, prefix)
        old = _below(change.old_path, prefix) if change.old_path else None
        status = _STATUS.get(change.status, "modified")
        if path not in head_paths and (old or path) not in base_paths:
            continue
        if status == "renamed" and (old not in base_paths or path not in head_paths):
            # Moved into or out of the analysed code: one side only.
            status = "added" if path in head_paths else "deleted"
            path = path if path in head_paths else old or path
            old = None
        files[path] = ChangedFile(status, path, old)
    seen = set(files) | {f.old_path for f in files.values() if f.old_path}
    added = sorted(p for p in head_paths - base_paths if p not in seen)  # untracked in the working tree
    for path in added:
        files[path] = ChangedFile("added", path)
    for path in sorted(p for p in base_paths - head_paths if p not in seen):
        files[path] = ChangedFile("deleted", path)
    deleted = sorted(p for p, f in files.items() if f.status == "deleted")
    if added and deleted:
        # An untracked file with the bytes of a deleted one: moved without telling git.
        base_ids = base_tree.blob_ids(base.analysis.loaded.root)
        by_id: dict[str, list[str]] = {}
        for path in deleted:
            by_id.setdefault(base_ids.get(path, ""), []).append(path)
        head_ids = head_tree.blob_ids(head.analysis.loaded.root) if head_tree else None
        id_length = len(next(iter(base_ids.values()), ""))
        for path in added:
            limit = head.analysis.loaded.contract.project.max_file_size
            object_id = head_ids.get(path) if head_ids is not None else _blob_id(head.analysis.loaded.root / path, id_length, limit)
            sources = by_id.get(object_id or "", [])
            if object_id and len(sources) == 1:
                old = sources.pop()
                del files[old]
                files[path] = ChangedFile("renamed", path, old)
    return sorted(files.values(), key=lambda f: f.path)


def _blob_id(path: Path, length: int, limit: int) -> str | None:
    """The id git would give the file's bytes (sha1, or sha256 in a sha256 repository); None
    for a file that is not a regular one of at most ``limit`` bytes."""
    try:
        data = read_regular(path, limit=limit)
    except OSError:
        return None
    digest = hashlib.sha256() if length == 64 else hashlib.sha1()
    digest.update(b"blob %d\0" % len(data))
    digest.update(data)
    return digest.hexdigest()


def compare(
    before: CheckResult,
    after: CheckResult,
    files: list[ChangedFile],
    *,
    base: Revision,
    head: Revision,
    added_lines: Callable[[str], list[tuple[int, int]]] = lambda path: [],
) -> DiffOutcome:
    """Match the head's findings against the base's; the component edges that changed."""
    by_path = {f.path: f for f in files}
    base_counts = Counter(f.fingerprint for f in before.findings)
    head_counts = Counter(f.fingerprint for f in after.findings)
    contested = {fp for fp, count in head_counts.items() if 0 < base_counts[fp] < count}
    line_cache: dict[str, list[tuple[int, int]]] = {}

    def on_added_line(finding: Finding) -> int:
        """1 for a finding the change probably wrote: matched last when its fingerprint is contested."""
        if finding.fingerprint not in contested or finding.path not in by_path:
            return 0
        change = by_path[finding.path]
        if change.status != "modified":
            return 1
        if finding.path not in line_cache:
            line_cache[finding.path] = added_lines(finding.path)
        return int(any(first <= finding.line <= last for first, last in line_cache[finding.path]))

    exact = match_findings(after.findings, [f.fingerprint for f in before.findings], rank=on_added_line)
    leftover = [before.findings[i] for i in exact.gone]
    renamed = [f for f in files if f.status == "renamed" and f.old_path]
    kept_by_move: Counter[str] = Counter()
    new, resolved, moved_kept = exact.new, leftover, 0
    if renamed and leftover and exact.new:
        moved = moved_fingerprint(files, before, after)
        through_moves = match_findings(exact.new, [moved(f) for f in leftover], rank=on_added_line)
        new, resolved = through_moves.new, [leftover[i] for i in through_moves.gone]
        moved_kept = len(through_moves.kept)
        kept_by_move.update(f.path or "" for f in through_moves.kept)
    new, old_copies = _without_existing_copies(new, before, after)
    base_modules_by_path = {path: module for module, path in before.analysis.paths.items()}
    head_modules_by_path = {path: module for module, path in after.analysis.paths.items()}
    moves = tuple(
        Move(f.old_path, f.path, base_modules_by_path.get(f.old_path), head_modules_by_path.get(f.path), kept_by_move[f.path])
        for f in renamed
        if f.old_path
    )
    return DiffOutcome(
        base=base,
        head=head,
        files=tuple(files),
        new=tuple(sort_findings(new)),
        resolved=tuple(sort_findings(resolved)),
        unchanged=len(exact.kept) + moved_kept + old_copies,
        moves=moves,
        edges=tuple(edge_changes(before, after)),
    )


def _without_existing_copies(new: list[Finding], before: CheckResult, after: CheckResult) -> tuple[list[Finding], int]:
    """A change that copies existing code makes a clone group, and so a new finding at every copy;
    only the copies the change wrote are its doing. Drops duplication findings located at code
    that existed unchanged in the base (same module, kind, name and normalised code); returns the
    rest and how many were dropped."""
    if not any(f.rule == "duplication" for f in new):
        return new, 0
    from archguard.analysis.clones import collect_units, unit_keys

    analysis = before.analysis
    config = after.analysis.loaded.contract.duplication
    units, _ = collect_units(analysis.facts, analysis.paths, analysis.components.component_of, config)
    existing = unit_keys(units)
    kept = [f for f in new if not (f.rule == "duplication" and f.identity in existing)]
    return kept, len(new) - len(kept)


def edge_changes(before: CheckResult, after: CheckResult) -> list[EdgeChange]:
    """Component dependencies whose import-site count differs, in name order."""
    old = before.analysis.edges_between_components()
    new = after.analysis.edges_between_components()
    changes = []
    for pair in sorted(set(old) | set(new)):
        count_before = old.get(pair, (0, 0))[0]
        count_after = new.get(pair, (0, 0))[0]
        if count_before != count_after:
            changes.append(EdgeChange(pair[0], pair[1], count_before, count_after))
    return changes


def moved_fingerprint(files: Sequence[ChangedFile], before: CheckResult, after: CheckResult) -> Callable[[Finding], str]:
    """The fingerprint a base finding has in the head once the change's moves are applied to it
    (a module or file renamed: the finding at its new name is the same finding)."""
    renamed = [f for f in files if f.status == "renamed" and f.old_path]
    if not renamed:
        return lambda finding: finding.fingerprint
    base_modules = {path: module for module, path in before.analysis.paths.items()}
    head_modules = {path: module for module, path in after.analysis.paths.items()}
    modules = {base_modules[f.old_path]: head_modules[f.path] for f in renamed if f.old_path in base_modules and f.path in head_modules}
    translate = _translator(modules, {f.old_path: f.path for f in renamed if f.old_path})
    return lambda finding: replace(finding, identity=tuple(translate(part) for part in finding.identity)).fingerprint


def _translator(modules: dict[str, str], paths: dict[str, str]) -> Callable[[str], str]:
    """Rewrites a base finding's identity into the head's names: moved modules and files."""
    if not modules:
        return lambda part: paths.get(part, part)
    names = re.compile(r"(?<![\w.])(" + "|".join(re.escape(m) for m in sorted(modules, key=len, reverse=True)) + r")(?!\w)")

    def translate(part: str) -> str:
        if part in modules:
            return modules[part]
        if part in paths:
            return paths[part]
        return names.sub(lambda match: modules[match.group(1)], part)

    return translate
