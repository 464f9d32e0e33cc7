"""The duplication rule: code that already exists elsewhere in the tree."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path

from archguard.analysis.cache import ResultCache
from archguard.analysis.clones import CloneGroup, CloneReport, CloneUnit, added_clones, find_clones
from archguard.analysis.read.facts import FileFacts
from archguard.contract.models import Contract, DuplicationConfig
from archguard.findings import Finding, Remedy, Severity
from archguard.rules.base import Rule, RuleContext

REMEDY = "reuse the existing code (import it, or move it to a shared module both can use) instead of keeping a copy"


def group_severity(group: CloneGroup, config: DuplicationConfig) -> Severity | None:
    """The level of a group's findings: ``cross_component`` or ``within_component`` (None: off)."""
    level = config.cross_component if group.cross_component else config.within_component
    return None if level == "off" else level


def _relation(group: CloneGroup, unit: CloneUnit, other: CloneUnit) -> str:
    clone_type, similarity = group.relation(unit, other)
    if clone_type == "near-miss":
        return f"near-miss, {round(similarity * 100)}% similar"
    return "exact copy" if clone_type == "exact" else "renamed copy"


def clone_finding(
    unit: CloneUnit,
    group: CloneGroup,
    others: Iterable[CloneUnit],
    severity: Severity,
    rule_name: str,
) -> Finding:
    """One finding located at a clone instance, naming every other location of its group.

    Identity: the unit's module, kind, qualified name and normalised code (never its lines),
    so a baseline keeps matching after unrelated edits; several identical units match by count.
    """
    others = list(others)
    where = ", ".join(f"{other.label} ({_relation(group, unit, other)})" for other in others)
    across = f"; the copies span components {', '.join(c or '(no component)' for c in group.components)}" if group.cross_component else ""
    message = f"{unit.kind} `{unit.name}` ({unit.lines} lines) duplicates code that already exists at {where}{across}"
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
    )


def _reuse(existing: CloneUnit) -> Remedy:
    action = f"call `{existing.name}` at {existing.path}:{existing.line} instead of keeping a copy (import it, or move it to a shared module both can use)"
    doc = DuplicationRule.doc()
    return Remedy(
        kind="reuse-existing-code",
        action=action,
        reason="the same logic twice drifts apart",
        rationale=doc.why,
        location=f"{existing.path}:{existing.line}",
    )


def report_findings(report: CloneReport, config: DuplicationConfig, rule_name: str) -> Iterator[Finding]:
    """A finding for every reported unit of every group (whole-tree mode)."""
    for group in report.groups:
        severity = group_severity(group, config)
        if severity is None:
            continue
        for unit in group.reported:
            yield clone_finding(unit, group, group.others(unit), severity, rule_name)


def added_findings(
    report: CloneReport, is_new: Callable[[CloneUnit], bool], config: DuplicationConfig, rule_name: str
) -> Iterator[Finding]:
    """Diff mode: a finding for every unit the change added that duplicates other code.

    The message names the code that existed before the change first ("already exists at"),
    then other new copies.
    """
    for added in added_clones(report, is_new):
        severity = group_severity(added.group, config)
        if severity is None:
            continue
        yield clone_finding(added.unit, added.group, (*added.existing, *added.also_new), severity, rule_name)


def clone_report(ctx: RuleContext, config: DuplicationConfig) -> CloneReport:
    """The tree's clone report (kept in the cache directory between runs, when there is one)."""
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
        yield from report_findings(clone_report(ctx, config), config, self.name)
