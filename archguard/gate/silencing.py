"""Silencing is part of the change: what a change adds to hide a finding is itself a finding.

In ``check --diff`` a change can hide its own findings instead of fixing them: a new inline
pragma, a new or widened ignore entry, a rule removed or loosened, a regenerated baseline.
Each is reported where the change wrote it, naming what it hides:

- ``new-suppression`` / ``pragma``: a pragma on a line the change added that silences a finding
  the base did not silence (one per pragma, listing every finding it hides);
- ``new-suppression`` / ``ignore``: an ignore entry the base's contract did not have (new, or a
  widened version of an old one) that keeps a finding out (one per entry);
- ``contract-relaxed``: a finding that the head's code gives under the base's contract and not
  under the head's, for any other contract change (a rule removed or loosened). A finding the
  base already had (legacy) that the change's contract no longer reports is a warning: the
  change does not pass the gate by hiding it, but it is not "resolved" either;
- ``new-suppression`` / ``baseline`` (:mod:`archguard.gate.baseline`): baseline entries the change
  added for findings it introduced.

The policy is the base contract's ``[gate]`` table: ``suppressions = "error" | "warning"`` gives
these findings that level; ``"allow"`` lets them pass and lists what they hide as suppressed. A
pragma without a reason is an error whatever the policy.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from archguard.contract.loading import LoadedContract, locate_key
from archguard.contract.models import GateConfig
from archguard.engine.pipeline import CheckResult
from archguard.findings import Finding, Remedy, Severity, Suppression
from archguard.findings.sites import rule_title
from archguard.gate.lines import AddedLines
from archguard.rules.acknowledged import Acknowledged
from archguard.rules.gate_findings import ContractRelaxedRule, NewSuppressionRule

NEW_SUPPRESSION = NewSuppressionRule.kind
CONTRACT_RELAXED = ContractRelaxedRule.kind
# Rules that say code is outside the contract: when the change's contract still runs them and no
# longer reports a module, the change covered it (the fix), it did not hide it.
_COVERAGE = frozenset({"unmapped", "importlinter-uncovered"})
# Findings about the contract or the run itself: a change that makes them go away fixes them.
_NOT_HIDDEN = frozenset({"stale-ignore", "pragma", "vacuous-rule", "absent", "parse-error", "discovery", NEW_SUPPRESSION, CONTRACT_RELAXED})
_RATIONALE = "A merge gate that a change can turn green by silencing its own findings checks nothing; the contract owner decides."


@dataclass
class Silencing:
    """What a change hides: findings about it, and (with ``suppressions = "allow"``) what it hides, listed."""

    findings: list[Finding] = field(default_factory=list)
    listed: list[Suppression] = field(default_factory=list)
    hidden: list[Finding] = field(default_factory=list)  # what the change's contract no longer reports

    def hides(self, finding: Finding) -> bool:
        """Whether a base finding is one the change's contract hides (not one the change fixed)."""
        return _key(finding) in {_key(f) for f in self.hidden}


def _hidden_list(findings: Sequence[Finding]) -> str:
    return "; ".join(f"{rule_title(f)}: {f.message}" for f in findings)


def _level(policy: GateConfig) -> Severity | None:
    return None if policy.suppressions == "allow" else policy.suppressions


def _remedy(action: str, reason: str) -> Remedy:
    return Remedy(kind="remove-pragma", action=action, reason=reason, rationale=_RATIONALE)


def new_pragmas(
    base: CheckResult, head: CheckResult, added: AddedLines, policy: GateConfig, moved: Callable[[Finding], str] | None = None
) -> Silencing:
    """Pragmas on lines the change added that silence what the base did not silence.

    ``moved``: a base finding's fingerprint once the change's renames are applied, so that a
    pragma in a file the change only moved (every line of it "added") is not new."""
    result = Silencing()
    fingerprint_in_head = moved or (lambda finding: finding.fingerprint)
    already = Counter(fingerprint_in_head(s.finding) for s in base.suppressed if s.kind == "pragma")
    by_pragma: dict[tuple[str, int], list[Suppression]] = {}
    for suppression in head.suppressed:
        if suppression.kind != "pragma" or suppression.path is None:
            continue
        fingerprint = suppression.finding.fingerprint
        if already[fingerprint] > 0:
            already[fingerprint] -= 1
            continue
        if added.covers(suppression.path, suppression.line):
            by_pragma.setdefault((suppression.path, suppression.line), []).append(suppression)
    facts = {head.analysis.paths[m]: f for m, f in head.analysis.facts.items()}
    for (path, line), suppressions in sorted(by_pragma.items()):
        pragma = next((p for p in facts[path].pragmas if p.line == line), None) if path in facts else None
        rules = ", ".join(pragma.rules) if pragma and pragma.rules else "every rule"
        reason = suppressions[0].reason
        level = _level(policy)
        if not reason:
            level = "error"  # an exception without a reason cannot be reviewed, whatever the policy
        if level is None:
            continue
        hidden = [s.finding for s in suppressions]
        # Located at the import it hides (same site), so the report shows the two together.
        anchor = hidden[0] if hidden[0].line == line else None
        fix = hidden[0].structured_remedy
        action = f"remove the pragma this change added and fix the import instead: {fix.action}"
        if not reason:
            action = f"{action} (a pragma must say why: '# archguard: ignore[rule] reason', and the contract owner decides)"
        result.findings.append(
            Finding(
                rule=NEW_SUPPRESSION,
                rule_name=NEW_SUPPRESSION,
                kind="pragma",
                severity=level,
                message=(
                    f"this change adds a pragma ignore[{rules}]{' without a reason' if not reason else ''} that hides "
                    f"{len(hidden)} finding{'s' * (len(hidden) != 1)}: {_hidden_list(hidden)}"
                ),
                path=path,
                line=line,
                column=anchor.column if anchor else 1,
                end_line=line,
                importer=anchor.importer if anchor else None,
                imported=anchor.imported if anchor else None,
                import_text=anchor.import_text if anchor else None,
                remedy=action,
                fix=_remedy(action, "a change may not silence its own findings"),
                identity=("pragma", path, rules, *sorted(f.fingerprint for f in hidden)),
            )
        )
    return result


def _key(finding: Finding) -> tuple[str, ...]:
    """A finding's identity without the rule's name: a renamed rule still finds the same thing."""
    return (finding.rule, finding.kind, *finding.identity)


def hidden_by_contract(head: CheckResult, under_base: CheckResult) -> list[Finding]:
    """Findings the head's code gives under the base's contract and not under its own (or only at
    a lower level: an error the base's contract gives that is a warning now)."""
    seen = Counter(_key(f) for f in head.findings) + Counter(_key(s.finding) for s in head.suppressed)
    errors = Counter(_key(f) for f in head.findings if f.severity == "error") + Counter(_key(s.finding) for s in head.suppressed)
    # Places where the head's contract still reports the rule, and at which level.
    places: dict[tuple[str, str | None, int, int], str] = {}
    for found in [*head.findings, *(s.finding for s in head.suppressed)]:
        place = (found.rule, found.path, found.line, found.column)
        if places.get(place) != "error":
            places[place] = found.severity
    covering = {rule.kind for rule in head.rules} & _COVERAGE
    hidden = []
    for finding in under_base.findings:
        if finding.rule in _NOT_HIDDEN or finding.kind == "unmatched-ignore":
            continue
        key = _key(finding)
        if finding.severity == "error" and errors[key] > 0:
            errors[key] -= 1
            seen[key] -= 1
            continue
        if finding.severity == "warning" and seen[key] > 0:
            seen[key] -= 1
            continue
        still = places.get((finding.rule, finding.path, finding.line, finding.column))
        if still == "error" or (still is not None and finding.severity == "warning"):
            continue  # the same rule still reports this place, as strictly (its wording changed with the contract)
        if finding.rule in covering:
            continue  # the change's contract covers the module now: that is the fix
        hidden.append(finding)
    return hidden


def contract_changes(
    base: CheckResult,
    head: CheckResult,
    under_base: CheckResult,
    base_loaded: LoadedContract,
    added: AddedLines,
    policy: GateConfig,
    acknowledged: Callable[[LoadedContract], list[Acknowledged]],
) -> Silencing:
    """What the change's contract hides: new or widened ignore entries, rules removed or loosened."""
    result = Silencing()
    hidden = hidden_by_contract(head, under_base)
    if not hidden:
        return result
    result.hidden = hidden
    legacy = Counter(_key(f) for f in base.findings)
    head_loaded = head.analysis.loaded
    contract_file = head_loaded.relpath or head_loaded.display_path
    before = {entry.key for entry in acknowledged(base_loaded)}
    entries = [entry for entry in acknowledged(head_loaded) if entry.key not in before]
    by_entry: dict[int, list[Finding]] = {}
    relaxed: list[Finding] = []
    for finding in hidden:
        entry_index = next((index for index, entry in enumerate(entries) if entry.covers(finding)), None)
        if entry_index is None:
            relaxed.append(finding)
        else:
            by_entry.setdefault(entry_index, []).append(finding)
    level = _level(policy)
    for index, found in by_entry.items():
        entry = entries[index]
        source = f"ignore entry '{entry.text}' at {contract_file}:{entry.line}, added or widened by this change"
        if level is None:
            result.listed += [Suppression(f, source, entry.reason, "ignore", contract_file, entry.line) for f in found]
            continue
        action = f"remove the ignore entry '{entry.text}' this change added (or restore it as it was) and fix the imports it hides"
        result.findings.append(
            Finding(
                rule=NEW_SUPPRESSION,
                rule_name=NEW_SUPPRESSION,
                kind="ignore",
                severity=level,
                message=(
                    f"this change adds or widens the ignore entry '{entry.text}'"
                    f"{f' (for {entry.scope})' if entry.scope else ''}, which hides {len(found)} finding{'s' * (len(found) != 1)}: "
                    f"{_hidden_list(found)}"
                ),
                path=contract_file,
                line=entry.line,
                column=1 if entry.line else 0,
                end_line=entry.line,
                remedy=action,
                fix=_remedy(action, "a change may not silence its own findings"),
                identity=("ignore", entry.text, entry.scope or "", *sorted(f.fingerprint for f in found)),
            )
        )
    head_rules = {rule.name for rule in head.rules}
    for finding in relaxed:
        what = "loosened" if finding.rule_name in head_rules else "removed"
        change = f"rule {finding.rule_name!r} {what} in {contract_file}"
        old = legacy[_key(finding)] > 0
        if old:
            legacy[_key(finding)] -= 1
        if level is None:
            result.listed.append(Suppression(finding, f"{change} by this change", "", "contract", contract_file, 0))
            continue
        result.findings.append(_relaxed(finding, change, what, head_loaded, contract_file, added, "warning" if old else level, old))
    return result


def _relaxed(
    finding: Finding, change: str, what: str, head_loaded: LoadedContract, contract_file: str, added: AddedLines, level: Severity, old: bool
) -> Finding:
    """A finding the base's contract gives and the head's does not, located at what the change
    wrote: the import (when the change added it), else the rule's changed line, else the contract."""
    path, line, column, import_text = finding.path, finding.line, finding.column, finding.import_text
    if not added.covers(path, line):
        path, column, import_text = contract_file, 1, None
        line = 0
        rule_line = _rule_line(head_loaded, finding.rule_name) if what == "loosened" else None
        if rule_line and added.covers(contract_file, rule_line):
            line = rule_line
        else:
            line = added.first_in(contract_file, range(1, head_loaded.source.count("\n") + 2)) or 0
        column = 1 if line else 0
    action = f"restore {finding.rule_name!r} as the base's contract has it, and fix what it finds: {finding.structured_remedy.action}"
    return Finding(
        rule=CONTRACT_RELAXED,
        rule_name=CONTRACT_RELAXED,
        kind=what,
        severity=level,
        message=(
            f"the base's contract reports this{' (already at the base)' if old else ''} and this change's contract does not "
            f"({change}): {rule_title(finding)}: {finding.message}"
        ),
        path=path,
        line=line,
        column=column,
        end_line=line,
        importer=finding.importer,
        imported=finding.imported,
        import_text=import_text,
        chain=finding.chain,
        remedy=action,
        fix=Remedy(kind="fix-contract", action=action, reason="a change may not relax the contract to pass its own review", rationale=_RATIONALE),
        identity=(finding.rule, finding.rule_name, *finding.identity),
    )


def _rule_line(loaded: LoadedContract, rule_name: str) -> int | None:
    """The line where the head's contract declares a rule (archguard contracts: ``rules[N]``)."""
    prefix = loaded.table + "." if loaded.table else ""
    for index, config in enumerate(getattr(loaded.contract, "rules", [])):
        name = config.name or f"{config.kind}#{index + 1}"
        if name == rule_name:
            return locate_key(loaded.source, f"{prefix}rules[{index}]") or locate_key(loaded.source, f"{prefix}rules[{index}].kind")
    return None
