"""The duplication rule: code that already exists elsewhere in the tree."""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from archguard.analysis.cache import ResultCache
from archguard.analysis.read.facts import FileFacts
from archguard.base.timeline import phase
from archguard.contract.models import Contract, DuplicationConfig
from archguard.findings import Finding, Related, Remedy, Severity, sort_findings
from archguard.rules.base import Rule, RuleContext

if TYPE_CHECKING:  # (the search and the fingerprints are imported when a run looks for copies)
    from archguard.analysis.clones import CloneGroup, CloneReport, CloneUnit

REMEDY = "reuse the existing code (import it, or move it to a shared module both can use) instead of keeping a copy"


def group_severity(group: CloneGroup, config: DuplicationConfig) -> Severity | None:
    """The level of a group's findings: ``cross_component`` or ``within_component`` (None: off)."""
    level = config.cross_component if group.cross_component else config.within_component
    return None if level == "off" else level


def unit_title(unit: CloneUnit) -> str:
    """How a reviewer names a unit: "`Model.save`", or for a block "the `if` block at line 42
    of `urlparse`" (never "`if in urlparse`", the internal name)."""
    if unit.kind != "block":
        return f"`{unit.name}`"
    word, _, owner = unit.name.partition(" in ")
    return f"the `{word}` block at line {unit.line}" + (f" of `{owner}`" if owner else "")


def unit_place(unit: CloneUnit, label: str) -> str:
    """``path:line `name` (label)``, or ``path:line (`for` block of `f`; label)`` for a block."""
    if unit.kind != "block":
        return f"{unit.path}:{unit.line} `{unit.name}` ({label})"
    word, _, owner = unit.name.partition(" in ")
    return f"{unit.path}:{unit.line} (`{word}` block" + (f" of `{owner}`" if owner else "") + f"; {label})"


def _shingles(facts: Mapping[str, FileFacts], unit: CloneUnit) -> array[int] | None:
    from archguard.analysis.read.clones import FACT_KEY, shingle_window

    data = facts[unit.module].get_extra(FACT_KEY) if unit.module in facts else None
    if not data:
        return None
    values = array("I")
    start, stop = shingle_window(unit.start, unit.end)
    values.frombytes(data[1][4 * start : 4 * stop])
    return values


# places_that_differ's answer for two units with the same lines in another order.
REORDERED = -1


def places_that_differ(facts: Mapping[str, FileFacts], unit: CloneUnit, other: CloneUnit) -> int | None:
    """In how many places two similar units differ: runs of their normalised token streams that
    one has and the other has not (an inserted statement, a changed condition); None when the
    facts do not say; :data:`REORDERED` when they have the same lines in another order. Names
    and literals are abstracted, so 0 means only the names differ."""
    mine, theirs = _shingles(facts, unit), _shingles(facts, other)
    if mine is None or theirs is None:
        return None
    # A place that differs is a run of shingles one unit has and the other has not (an edited
    # token changes the shingles of its line; an inserted statement adds its line's). Linear,
    # unlike an alignment (difflib took 0.5 s for the ~900 labels of SQLAlchemy's check).
    places = max(_runs_missing(mine, frozenset(theirs)), _runs_missing(theirs, frozenset(mine)))
    if places == 0 and mine != theirs:
        # Every shingle on both sides: the same lines in another order, or a line repeated.
        return REORDERED if sorted(mine) == sorted(theirs) else 1
    return places


def _runs_missing(values: array[int], other: frozenset[int]) -> int:
    runs, inside = 0, False
    for value in values:
        missing = value not in other
        runs += missing and not inside
        inside = missing
    return runs


def relation_label(group: CloneGroup, unit: CloneUnit, other: CloneUnit, facts: Mapping[str, FileFacts] | None = None) -> str:
    """What a reviewer needs to know about a copy: "exact copy", "renamed copy", "similar: 3
    places differ" (never a rounded "100% similar")."""
    clone_type, similarity = group.relation(unit, other)
    if clone_type == "exact":
        return "exact copy"
    if clone_type == "renamed":
        return "renamed copy"
    differ = places_that_differ(facts, unit, other) if facts is not None else None
    if differ is None:
        return f"similar: {min(99, int(similarity * 100))}% of the code is shared"
    if differ == REORDERED:
        return "similar: the same statements in another order"
    if differ == 0:
        return "similar: only names differ"
    return f"similar: {differ} place{'s' * (differ != 1)} differ{'s' * (differ == 1)}"


def clone_finding(
    unit: CloneUnit,
    group: CloneGroup,
    others: Iterable[CloneUnit],
    severity: Severity,
    rule_name: str,
    facts: Mapping[str, FileFacts] | None = None,
) -> Finding:
    """One finding located at a clone instance, naming every other location of its group.

    Identity: the unit's module, kind, qualified name and normalised code (never its lines),
    so a baseline keeps matching after unrelated edits; several identical units match by count.
    Reports show one finding per group (:func:`one_per_group`); the gate and baselines match
    these per-copy findings, so a copy added to a known group is still a new finding.
    """
    others = list(others)
    labels = [(other, relation_label(group, unit, other, facts)) for other in others]
    where = ", ".join(unit_place(other, label) for other, label in labels)
    across = f"; the copies span components {', '.join(c or '(no component)' for c in group.components)}" if group.cross_component else ""
    what = f"{unit.kind} {unit_title(unit)}" if unit.kind != "block" else unit_title(unit)
    message = f"{what} ({unit.lines} lines) duplicates code that already exists at {where}{across}"
    details = (
        ("clone_type", group.clone_type),
        ("similarity", f"{group.similarity:.2f}"),
        ("lines", str(unit.lines)),
        ("tokens", str(unit.tokens)),
        ("end_line", str(unit.end_line)),
        ("group", group.fingerprint),
        ("cross_component", "true" if group.cross_component else "false"),
        ("components", ", ".join(c or "(no component)" for c in group.components)),
    )
    reuse = _reuse(others[0]) if others else None
    related = tuple(Related(other.path, other.line, other.end_line, f"{unit_title(other)} ({label})") for other, label in labels)
    return Finding(
        rule=DuplicationRule.kind,
        rule_name=rule_name,
        kind="clone",  # not the clone type: an unchanged copy keeps its identity when another copy is edited
        severity=severity,
        message=message,
        path=unit.path,
        line=unit.line,
        column=1,
        end_line=unit.end_line,
        importer=unit.module,
        remedy=reuse.action if reuse else REMEDY,
        fix=reuse,
        identity=unit.key,
        details=details,
        related=related,
    )


def one_per_group(findings: Iterable[Finding]) -> list[Finding]:
    """The findings as reports show them: one finding per clone group, at its first copy in
    file order that is still reported (the others are suppressed, in the baseline, or were
    not written by the change), naming every other copy. Other findings are unchanged."""
    kept: list[Finding] = []
    seen: set[tuple[str, str]] = set()
    for finding in sorted(findings, key=lambda f: (f.rule != DuplicationRule.kind, f.path or "", f.line, f.sort_key)):
        if finding.rule == DuplicationRule.kind:
            group = (finding.rule_name, dict(finding.details).get("group", ""))
            if group[1] and group in seen:
                continue
            seen.add(group)
        kept.append(finding)
    return sort_findings(kept)


def is_within_component_clone(finding: Finding) -> bool:
    """A duplication finding whose copies all lie in one component (or in none)."""
    return finding.rule == DuplicationRule.kind and dict(finding.details).get("cross_component") == "false"


def _reuse(existing: CloneUnit) -> Remedy:
    target = f"`{existing.name}`" if existing.kind != "block" else unit_title(existing)
    action = f"call {target} at {existing.path}:{existing.line} instead of keeping a copy (import it, or move it to a shared module both can use)"
    doc = DuplicationRule.doc()
    return Remedy(
        kind="reuse-existing-code",
        action=action,
        reason="the same logic twice drifts apart",
        rationale=doc.why,
        location=f"{existing.path}:{existing.line}",
    )


def report_findings(
    report: CloneReport, config: DuplicationConfig, rule_name: str, facts: Mapping[str, FileFacts] | None = None
) -> Iterator[Finding]:
    """A finding for every reported unit of every group (reports show one per group: :func:`one_per_group`)."""
    for group in report.groups:
        severity = group_severity(group, config)
        if severity is None:
            continue
        for unit in group.reported:
            yield clone_finding(unit, group, group.others(unit), severity, rule_name, facts)


def added_findings(
    report: CloneReport,
    is_new: Callable[[CloneUnit], bool],
    config: DuplicationConfig,
    rule_name: str,
    facts: Mapping[str, FileFacts] | None = None,
) -> Iterator[Finding]:
    """Diff mode: a finding for every unit the change added that duplicates other code.

    The message names the code that existed before the change first ("already exists at"),
    then other new copies.
    """
    from archguard.analysis.clones import added_clones

    for added in added_clones(report, is_new):
        severity = group_severity(added.group, config)
        if severity is None:
            continue
        yield clone_finding(added.unit, added.group, (*added.existing, *added.also_new), severity, rule_name, facts)


def clone_report(ctx: RuleContext, config: DuplicationConfig) -> CloneReport:
    """The tree's clone report (kept in the cache directory between runs, when there is one)."""
    with phase("copies search"):
        return cached_clone_report(ctx.facts, ctx.paths, ctx.components.component_of, config, ctx.cache_dir)


def cached_clone_report(
    facts: Mapping[str, FileFacts],
    paths: Mapping[str, str],
    component_of: Mapping[str, str | None],
    config: DuplicationConfig,
    cache_dir: Path | None,
) -> CloneReport:
    """:func:`find_clones` with the cache directory (None: no cache): the last reports, and the
    last search's similar pairs so that a changed tree compares only its new code."""
    from archguard.analysis.clones import find_clones

    if cache_dir is None:
        return find_clones(facts, paths, component_of, config)
    store, memory = ResultCache(cache_dir, "clones"), ResultCache(cache_dir, "clone-pairs")
    return find_clones(facts, paths, component_of, config, store, memory)


class DuplicationRule(Rule):
    """Code that duplicates other code: exact copies, copies with renamed names, near-misses.

    Functions, methods, classes and statement blocks are compared after comments, docstrings
    and layout are dropped; renamed copies may rename variables consistently and change
    literals; near-misses share at least ``similarity`` of their token shingles. Copies that span
    two components get the ``cross_component`` level, the others ``within_component``.

    Why: a second copy of the same logic drifts from the first; fixes land in one copy only.
    AI agents re-implement helpers that already exist. The same logic in two components is
    architecture drift: those components share a concept that has no home.
    Fix: reuse the existing code (import it, or move it to a shared module both can use).
    Tune [duplication] min_lines, min_tokens and similarity, or ignore paths with its
    'ignore' globs; a pragma `# archguard: ignore[duplication] reason` inside the copy
    silences one location.
    Example:
    [duplication]
    min_lines = 5
    min_tokens = 30
    similarity = 0.85
    cross_component = "error"
    within_component = "warning"
    Breaks:
    # shop/orders/text.py
    def slugify(title):
        words = []
        for word in title.lower().split():
            cleaned = "".join(ch for ch in word if ch.isalnum())
            if cleaned:
                words.append(cleaned)
        return "-".join(words)
    # shop/billing/names.py
    def make_slug(name):
        parts = []
        for part in name.lower().split():
            kept = "".join(c for c in part if c.isalnum())
            if kept:
                parts.append(kept)
        return "-".join(parts)
    """

    kind = "duplication"
    implicit = True

    @classmethod
    def from_contract(cls, contract: Contract) -> DuplicationRule:
        """The rule for a contract's [duplication] section; its nominal level is the higher of
        its two levels (each finding carries its own)."""
        config = contract.duplication
        severity: Severity = "error" if "error" in (config.cross_component, config.within_component) else "warning"
        return cls(config, name=cls.kind, severity=severity)

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        config = ctx.contract.duplication
        if not config.enabled:
            return
        yield from report_findings(clone_report(ctx, config), config, self.name, ctx.facts)
