"""Terminal sections for the gate: what a baseline accepted, and what a change did (``--diff``).

Shared by ``archguard check`` (after the findings), ``archguard diff`` and ``archguard report``;
lines are written as styled segments to the text report's line collector. Deterministic:
sorted, no timings, no absolute paths.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from archguard.findings import Finding
from archguard.report.summary import location, plural

if TYPE_CHECKING:  # annotations only: a plain check never imports the gate's outcomes
    from archguard.findings.matching import BaselineOutcome, DiffOutcome, EdgeChange, Revision

Segment = str | tuple[str, str]  # plain text, or (text, rich style): as in archguard.report.text


class Printer(Protocol):
    """Where sections go: the text report's line collector (``archguard.report.text.Lines``)."""

    def print(self, *segments: Segment) -> None: ...


def revision_text(revision: Revision) -> str:
    if revision.commit is None:
        return revision.label
    return f"{revision.label} ({revision.commit[:12]})"


def print_finding_line(console: Printer, finding: Finding) -> None:
    style = "red" if finding.severity == "error" else "yellow"
    title = finding.rule if finding.rule == finding.rule_name else f"{finding.rule} · {finding.rule_name}"
    console.print("  ", (location(finding), "cyan"), " ", (finding.severity, style), " ", (title, "dim"), " ", finding.message)


def print_diff_header(console: Printer, outcome: DiffOutcome) -> None:
    """Which revisions and contracts were compared, and which files changed."""
    console.print(f"compared {revision_text(outcome.head)} with {revision_text(outcome.base)}")
    if outcome.base.contract != outcome.head.contract:
        console.print(f"  contract: {outcome.head.contract}; at the base: {outcome.base.contract}")
    else:
        console.print(f"  contract: {outcome.head.contract} on both sides")
    counts: dict[str, int] = {}
    for changed in outcome.files:
        counts[changed.status] = counts.get(changed.status, 0) + 1
    detail = ", ".join(f"{count} {status}" for status, count in sorted(counts.items()))
    console.print(f"  changed: {plural(len(outcome.files), 'analysed file')}" + (f" ({detail})" if detail else ""))


def print_diff_sections(console: Printer, outcome: DiffOutcome) -> None:
    """Moves, resolved findings and component dependencies that changed."""
    if outcome.moves:
        console.print()
        console.print(("moved", "bold"), f" ({len(outcome.moves)})")
        for move in outcome.moves:
            modules = f" ({move.old_module} -> {move.module})" if move.old_module and move.module and move.old_module != move.module else ""
            kept = f": {plural(move.kept, 'existing finding')} moved with it" if move.kept else ""
            console.print("  ", (move.path, "cyan"), f" moved from {move.old_path}{modules}{kept}")
    if outcome.resolved:
        console.print()
        console.print(("resolved by this change", "bold"), f" ({len(outcome.resolved)})")
        for finding in outcome.resolved:
            print_finding_line(console, finding)
    console.print()
    if not outcome.edges:
        console.print(("component dependencies", "bold"), ": unchanged")
        return
    console.print(("component dependencies", "bold"), f" ({len(outcome.edges)} changed)")
    width = max(len(f"{e.source} -> {e.target}") for e in outcome.edges)
    for edge in outcome.edges:
        console.print("  ", *_edge_line(edge, width))


def _edge_line(edge: EdgeChange, width: int) -> tuple[Segment, ...]:
    name = f"{edge.source} -> {edge.target}".ljust(width)
    if edge.status == "added":
        return (f"+ {name}", "green"), f"  {plural(edge.after, 'import site')} (new dependency)"
    if edge.status == "removed":
        return (f"- {name}", "red"), f"  {plural(edge.before, 'import site')} (dependency removed)"
    return (f"~ {name}  {edge.before} -> {plural(edge.after, 'import site')}",)


def entries(count: int) -> str:
    return f"{count} {'entry' if count == 1 else 'entries'}"


def print_baseline(console: Printer, outcome: BaselineOutcome) -> None:
    console.print()
    accepted = f"{plural(outcome.matched, 'finding')} accepted" if outcome.matched else "no finding accepted"
    console.print(("baseline", "bold"), f" {outcome.path}: {accepted} ({entries(outcome.entries)})")
    if outcome.grown:
        console.print(f"  this change added {entries(outcome.grown)} for findings it introduced (see new-suppression)")
    if outcome.stale:
        verb = "occurs" if len(outcome.stale) == 1 else "occur"
        console.print(f"  {entries(len(outcome.stale))} no longer {verb} (fixed): drop with `archguard baseline --prune`")
        for entry in outcome.stale:
            what = f"{entry.importer} -> {entry.imported}" if entry.importer and entry.imported else entry.message
            title = entry.rule if entry.rule == entry.rule_name else f"{entry.rule} · {entry.rule_name}"
            place = f" ({entry.path})" if entry.path else ""
            console.print("    ", (title, "dim"), f" {what}{place}")
