"""The gate's comparisons, as plain data: findings matched by fingerprint and count.

The gate compares the current findings with a reference, either a baseline file
(:mod:`archguard.gate.baseline`) or the findings of a base revision (:mod:`archguard.gate.delta`), and
keeps only what the reference does not already account for. A finding's identity is its
fingerprint (rule, kind, modules, import text, never a line number); several findings with the
same fingerprint are matched by count, so adding a second identical violation is new while
moving code around or editing an unrelated line is not.

Everything here is a value that reporters read (``CheckResult.baseline``, ``CheckResult.diff``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from archguard.findings import Finding


@dataclass(frozen=True)
class Match:
    """Current findings paired one for one with reference fingerprints."""

    new: list[Finding]  # no partner in the reference, in the order given
    kept: list[Finding]  # matched
    gone: list[int]  # indices of reference entries that no current finding matched


def match_findings(
    current: Sequence[Finding],
    reference: Sequence[str],
    *,
    rank: Callable[[Finding], Any] | None = None,
) -> Match:
    """Pair findings with reference fingerprints by count.

    When there are more current findings than reference entries for one fingerprint, the
    findings with the lowest ``rank`` are the matched ones (e.g. those outside the lines a
    change touched); the rest are new. Ties keep the given order.
    """
    waiting: dict[str, list[int]] = defaultdict(list)
    for index, fingerprint in enumerate(reference):
        waiting[fingerprint].append(index)
    order = sorted(range(len(current)), key=(lambda i: rank(current[i])) if rank else (lambda i: 0))
    matched: set[int] = set()
    for position in order:
        candidates = waiting.get(current[position].fingerprint)
        if candidates:
            candidates.pop(0)
            matched.add(position)
    gone = sorted(index for indices in waiting.values() for index in indices)
    return Match(
        new=[f for i, f in enumerate(current) if i not in matched],
        kept=[f for i, f in enumerate(current) if i in matched],
        gone=gone,
    )


# -- baselines ---------------------------------------------------------------------------
@dataclass(frozen=True)
class BaselineEntry:
    """One accepted finding in a baseline file (no line numbers: they change with every edit)."""

    fingerprint: str
    rule: str
    rule_name: str
    kind: str
    severity: str
    path: str | None
    importer: str | None
    imported: str | None
    import_text: str | None
    message: str

    @classmethod
    def from_finding(cls, finding: Finding) -> BaselineEntry:
        return cls(
            fingerprint=finding.fingerprint,
            rule=finding.rule,
            rule_name=finding.rule_name,
            kind=finding.kind,
            severity=finding.severity,
            path=finding.path,
            importer=finding.importer,
            imported=finding.imported,
            import_text=finding.import_text,
            message=finding.message,
        )

    @property
    def sort_key(self) -> tuple[str, ...]:
        return (
            self.rule,
            self.rule_name,
            self.path or "",
            self.importer or "",
            self.imported or "",
            self.import_text or "",
            self.kind,
            self.message,
            self.fingerprint,
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "fingerprint": self.fingerprint,
            "rule": self.rule,
            "rule_name": self.rule_name,
            "kind": self.kind,
            "severity": self.severity,
            "path": self.path,
            "importer": self.importer,
            "imported": self.imported,
            "import": self.import_text,
            "message": self.message,
        }


@dataclass(frozen=True)
class BaselineOutcome:
    """What a baseline file accepted in one check."""

    path: str  # the baseline file, relative to the project root
    entries: int  # entries in the file
    matched: int  # current findings the baseline accepted
    stale: tuple[BaselineEntry, ...]  # entries that no current finding matched: fixed, prune them
    grown: int = 0  # check --diff: entries the change added to the file for findings it introduced
    accepted: tuple[Finding, ...] = ()  # the findings it accepted (reports show them as accepted)

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "entries": self.entries,
            "matched": self.matched,
            "stale": [entry.to_json() for entry in self.stale],
            "grown": self.grown,
        }


# -- diff mode ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ChangedFile:
    """A file the change touched, relative to the project root."""

    status: str  # added | deleted | modified | renamed
    path: str
    old_path: str | None = None  # renamed: where it was

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "path": self.path, "old_path": self.old_path}


@dataclass(frozen=True)
class Move:
    """A file that moved (to another package, maybe), and the existing findings that moved with it."""

    old_path: str
    path: str
    old_module: str | None
    module: str | None
    kept: int  # findings of the old file matched in the new one

    def to_json(self) -> dict[str, Any]:
        return {"old_path": self.old_path, "path": self.path, "old_module": self.old_module, "module": self.module, "kept": self.kept}


@dataclass(frozen=True)
class EdgeChange:
    """A component dependency whose number of import sites changed."""

    source: str
    target: str
    before: int  # import sites at the base (0: the change added the dependency)
    after: int  # import sites after the change (0: the change removed it)

    @property
    def status(self) -> str:
        if self.before == 0:
            return "added"
        if self.after == 0:
            return "removed"
        return "changed"

    def to_json(self) -> dict[str, Any]:
        return {"source": self.source, "target": self.target, "status": self.status, "before": self.before, "after": self.after}


@dataclass(frozen=True)
class Revision:
    """One side of a comparison."""

    label: str  # as the user named it: "origin/main", "HEAD", "working tree"
    commit: str | None  # None: the working tree
    contract: str  # which contract evaluated this side, in words

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "commit": self.commit, "contract": self.contract}


@dataclass(frozen=True)
class DiffOutcome:
    """What a change did to the architecture: the findings it introduced and resolved, and its edges."""

    base: Revision
    head: Revision
    files: tuple[ChangedFile, ...]  # the analysed files the change touched
    new: tuple[Finding, ...]  # findings the change introduced
    resolved: tuple[Finding, ...]  # base findings that no longer occur
    unchanged: int  # findings present on both sides
    moves: tuple[Move, ...]
    edges: tuple[EdgeChange, ...]  # component dependencies added, removed or changed in count

    def to_json(self) -> dict[str, Any]:
        return {
            "base": self.base.to_json(),
            "head": self.head.to_json(),
            "files": [f.to_json() for f in self.files],
            "new": [f.to_json() for f in self.new],
            "resolved": [f.to_json() for f in self.resolved],
            "unchanged": self.unchanged,
            "moves": [m.to_json() for m in self.moves],
            "edges": [e.to_json() for e in self.edges],
        }
