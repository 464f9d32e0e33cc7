"""Where a change wrote: the lines it added, and findings moved onto them.

A reviewer sees a pull request's diff; a CI host shows an annotation only on a line of it.
So every finding the change introduced is located on a line the change added when there is
one: a new cycle or a new indirect chain at the import the change added (not at an old,
accepted import on the same cycle), with the whole cycle or chain still in the finding.
Findings with no added line keep their place, and say why.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from archguard.engine.pipeline import CheckResult
from archguard.engine.suppress import matching_pragma, pragma_suppression
from archguard.findings import Finding, Hop, Suppression, sort_findings
from archguard.findings.matching import ChangedFile
from archguard.gate.git import Repository

# (first, last) 1-based line ranges; None: every line of the file is new.
Ranges = list[tuple[int, int]] | None


class AddedLines:
    """The lines of each file (relative to the project root) that a change added or rewrote."""

    def __init__(self, repository: Repository | None, base: str, head: str | None, prefix: str, files: Iterable[ChangedFile]) -> None:
        self.repository = repository
        self.base = base
        self.head = head
        self.prefix = prefix
        self.files = {f.path: f for f in files}
        self._ranges: dict[str, Ranges] = {}
        self._batched = False

    def ranges(self, path: str) -> Ranges:
        """The added line ranges of ``path``: [] for an untouched file, None for a new one."""
        if path not in self._ranges:
            self._ranges[path] = self._read(path)
        return self._ranges[path]

    def _read(self, path: str) -> Ranges:
        changed = self.files.get(path)
        if changed is not None and changed.status == "added":
            return None
        if changed is not None and changed.status == "renamed" and changed.old_path and self.repository is not None:
            # A moved file: what the change wrote is what differs from the file it was (a pragma
            # or a cycle's import that only moved is not the change's doing).
            return self.repository.moved_lines(self.base, self.head, self._in_repository(changed.old_path), self._in_repository(path))
        if changed is None and path.endswith(".py"):
            return []  # an analysed file the change did not touch
        if self.repository is None:
            return []
        if changed is not None and not self._batched:
            # Every changed file's lines from one git diff (a change's findings are on several of them).
            self._batched = True
            paths = {self._in_repository(f.path): f.path for f in self.files.values() if f.status not in ("added", "renamed")}
            for in_repository, ranges in self.repository.added_lines_of(self.base, self.head, sorted(paths)).items():
                self._ranges.setdefault(paths[in_repository], ranges)
            if path in self._ranges:
                return self._ranges[path]
        return self.repository.added_lines(self.base, self.head, self._in_repository(path))

    def _in_repository(self, path: str) -> str:
        """``path`` (relative to the project root) relative to the repository's top."""
        return f"{self.prefix}/{path}" if self.prefix else path

    def covers(self, path: str | None, line: int) -> bool:
        """Whether the change added line ``line`` of ``path``."""
        if not path or line <= 0:
            return False
        ranges = self.ranges(path)
        return ranges is None or any(first <= line <= last for first, last in ranges)

    def first_in(self, path: str, lines: range) -> int | None:
        """The first line of ``lines`` in ``path`` that the change added, if any."""
        for line in lines:
            if self.covers(path, line):
                return line
        return None


def on_added_hop(finding: Finding, added: AddedLines) -> Hop | None:
    """The first import of a finding's chain or cycle that the change added (None: the finding
    is already on an added line, or no import of it is)."""
    if not finding.chain or added.covers(finding.path, finding.line):
        return None
    return next((hop for hop in finding.chain if added.covers(hop.path, hop.line)), None)


def moved_to(finding: Finding, hop: Hop) -> Finding:
    """The finding located at one import of its chain; a cycle also names that import as its
    importer and imported module. The chain itself is unchanged."""
    cycle = finding.kind == "cycle"
    what = "cycle" if cycle else "chain"
    return replace(
        finding,
        path=hop.path,
        line=hop.line,
        column=hop.column,
        end_line=hop.line,
        import_text=hop.text,
        importer=hop.importer if cycle else finding.importer,
        imported=hop.imported if cycle else finding.imported,
        via=hop.via if cycle else finding.via,
        details=(*finding.details, ("located", f"at the import this change added to the {what}: {hop.importer} -> {hop.imported}")),
    )


def locate_on_added_lines(result: CheckResult, added: AddedLines) -> CheckResult:
    """The result with each chain and cycle that runs through an import the change added
    located at that import. A pragma on that line silences it, as it would any finding there."""
    analysis = result.analysis
    facts_by_path = {analysis.paths[module]: facts for module, facts in analysis.facts.items()}
    findings: list[Finding] = []
    suppressed: list[Suppression] = list(result.suppressed)
    used: set[tuple[str | None, int]] = set()
    moved_any = False
    for finding in result.findings:
        hop = on_added_hop(finding, added)
        if hop is None:
            findings.append(finding)
            continue
        moved_any = True
        moved = moved_to(finding, hop)
        pragma = matching_pragma(moved, facts_by_path.get(moved.path or ""))
        if pragma is None:
            findings.append(moved)
        else:
            suppressed.append(pragma_suppression(moved, pragma))
            used.add((moved.path, pragma.line))
    if not moved_any:
        return result
    # A pragma that now silences a finding is no longer a pragma that silences nothing.
    findings = [f for f in findings if not (f.rule == "pragma" and f.kind == "unused" and (f.path, f.line) in used)]
    return replace(result, findings=sort_findings(findings), suppressed=sorted(suppressed, key=lambda s: s.finding.sort_key))


def unlocated(finding: Finding, new_rules: set[str]) -> Finding:
    """A new finding that is on no added line, saying why in its message."""
    if finding.rule_name in new_rules:
        why = f"rule {finding.rule_name!r} is new in this change's contract"
    elif finding.path is None:
        why = "it is about the whole tree, not one line"
    else:
        why = "it follows from what the change removed, moved or changed elsewhere (a file, a line, the contract)"
    return replace(finding, message=f"{finding.message} [not on a line this change added: {why}]", details=(*finding.details, ("unlocated", why)))
