"""What several reports say the same way: counts per rule, the verdict line, locations."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from archguard.engine.pipeline import CheckResult
from archguard.findings import Finding, Hop


def plural(count: int, word: str) -> str:
    """``1 error``, ``2 errors``, ``1,204 files``."""
    return f"{count:,} {word}{'' if count == 1 else 's'}"


@dataclass(frozen=True)
class RuleRow:
    """One rule of the run and how many findings it gave."""

    name: str  # the contract's name for it ("Clean layering", "allowed#3", "unmapped")
    kind: str  # the rule kind ("layers", ...)
    severity: str  # the rule's configured level
    errors: int
    warnings: int
    suppressed: int

    @property
    def findings(self) -> int:
        return self.errors + self.warnings

    @property
    def passed(self) -> bool:
        return self.errors == 0


def checked(result: CheckResult) -> str:
    """What the run checked, counted in the contract's words: "5 rules, 6 implicit checks" (the
    [[rules]] of the contract, and the checks every run makes: parse errors, unmapped code...),
    or "3 contracts" for an import-linter configuration."""
    contracts = [rule for rule in result.rules if rule.reports_verdict]
    if contracts:
        return plural(len(contracts), "contract")
    implicit = sum(1 for rule in result.rules if rule.implicit)
    declared = len(result.rules) - implicit
    return f"{plural(declared, 'rule')}, {plural(implicit, 'implicit check')}"


def rule_rows(result: CheckResult) -> list[RuleRow]:
    """Every rule of the run in contract order, then any other source of findings (pragmas,
    stale ignore entries), with its counts."""
    order: dict[str, tuple[str, str]] = {rule.name: (rule.kind, rule.severity) for rule in result.rules}
    for finding in result.findings:
        order.setdefault(finding.rule_name, (finding.rule, finding.severity))
    rows = []
    for name, (kind, severity) in order.items():
        mine = [f for f in result.findings if f.rule_name == name]
        errors = sum(1 for f in mine if f.severity == "error")
        suppressed = sum(1 for s in result.suppressed if s.finding.rule_name == name)
        rows.append(RuleRow(name, kind, severity, errors, len(mine) - errors, suppressed))
    return rows


def verdict(result: CheckResult) -> str:
    """``✗ 3 errors in 2 rules, 1 warning, 1 suppressed`` or ``✓ no errors``; with ``--diff``,
    ``✗ 3 new errors ... (12 unchanged, 1 resolved)``, and what a baseline accepted."""
    errors = result.errors
    new = "new " if result.diff is not None else ""
    head = f"✓ no {new}errors"
    if errors:
        head = f"✗ {plural(len(errors), new + 'error')} in {plural(len({f.rule_name for f in errors}), 'rule')}"
    extras = []
    if result.warnings:
        extras.append(plural(len(result.warnings), new + "warning"))
    if result.suppressed:
        extras.append(f"{len(result.suppressed):,} suppressed")
    gate = []
    if result.diff is not None:
        gate.append(f"{result.diff.unchanged:,} unchanged")
        if result.diff.resolved:
            gate.append(f"{len(result.diff.resolved):,} resolved")
    if result.baseline is not None:
        gate.append(f"{result.baseline.matched:,} in the baseline")
    return ", ".join([head, *extras]) + (f" ({', '.join(gate)})" if gate else "")


def location(finding: Finding, prefix: str = "") -> str:
    """``path:line:column``, ``path`` or ``-`` for a finding without a file."""
    if not finding.path:
        return "-"
    if finding.line:
        return f"{prefix}{finding.path}:{finding.line}:{finding.column or 1}"
    return prefix + finding.path


def hop_text(hop: Hop, prefix: str = "") -> str:
    """``a -> b (path:line: from b import x)``: one link of a chain on one line."""
    where = f"{prefix}{hop.path}:{hop.line}" if hop.path else "?"
    return f"{hop.importer} -> {hop.imported} ({where}: {hop.text})"


def repository_path(finding: Finding, result: CheckResult, prefix: str) -> str:
    """Where a CI host should show a finding, relative to the repository root: its file, or the
    contract for findings about the whole run (they are fixed there)."""
    if finding.path:
        return prefix + finding.path
    return prefix + contract_path(result)


def contract_path(result: CheckResult) -> str:
    """The contract file relative to the project root (posix)."""
    loaded = result.analysis.loaded
    return Path(os.path.relpath(loaded.path.resolve(), loaded.root)).as_posix()
