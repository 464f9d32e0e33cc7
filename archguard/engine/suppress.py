"""Acknowledged exceptions: inline pragmas and stale [[ignore]] entries.

``# archguard: ignore[rule] reason`` on an import's line silences the findings located at
that import (for a chain, at its first hop). Silenced findings are kept and reported as
suppressed; a pragma that silences nothing, or has no reason, is itself a warning. An
``[[ignore]]`` entry that matches no import is an error (``[drift] stale_ignore``): a typo or
a moved module must not leave a dead exception behind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from archguard.analysis.read.facts import FileFacts, Pragma
from archguard.contract.loading import LoadedContract, locate_key
from archguard.findings import Finding, Remedy, Severity, Suppression
from archguard.rules.base import CompiledIgnore, RuleDoc


def _pragma_applies(pragma: Pragma, finding: Finding) -> bool:
    if not pragma.rules:
        return True
    return finding.rule in pragma.rules or finding.rule_name in pragma.rules or "*" in pragma.rules


def matching_pragma(finding: Finding, facts: FileFacts | None) -> Pragma | None:
    """The pragma on the lines of a finding's location that silences it, if any."""
    if facts is None or not facts.pragmas or not finding.line:
        return None
    last = max(finding.end_line, finding.line)
    for pragma in facts.pragmas:
        if finding.line <= pragma.line <= last and _pragma_applies(pragma, finding):
            return pragma
    return None


def pragma_suppression(finding: Finding, pragma: Pragma) -> Suppression:
    return Suppression(finding, f"pragma at {finding.path}:{pragma.line}", pragma.reason, "pragma", finding.path, pragma.line)


def apply_pragmas(
    findings: Iterable[Finding], facts_by_path: Mapping[str, FileFacts]
) -> tuple[list[Finding], list[Suppression], list[Finding]]:
    """(kept findings, suppressed findings, warnings about pragmas)."""
    kept: list[Finding] = []
    suppressed: list[Suppression] = []
    used: set[tuple[str, int]] = set()
    for finding in findings:
        match = matching_pragma(finding, facts_by_path.get(finding.path or ""))
        if match is None:
            kept.append(finding)
            continue
        used.add((finding.path or "", match.line))
        suppressed.append(pragma_suppression(finding, match))

    warnings: list[Finding] = []
    for path, facts in sorted(facts_by_path.items()):
        for pragma in facts.pragmas:
            rules = ", ".join(pragma.rules) or "every rule"
            if (path, pragma.line) not in used:
                warnings.append(
                    Finding(
                        rule="pragma",
                        rule_name="pragma",
                        kind="unused",
                        severity="warning",
                        message=f"pragma ignore[{rules}] silences nothing on this line",
                        path=path,
                        line=pragma.line,
                        column=1,
                        end_line=pragma.line,
                        remedy="remove the pragma: the finding it was written for is gone",
                        fix=Remedy(
                            kind="remove-pragma",
                            action="remove the pragma: the finding it was written for is gone",
                            reason="a dead pragma hides the next real violation on that line",
                        ),
                        identity=(path, rules, pragma.reason),
                    )
                )
            elif not pragma.reason:
                warnings.append(
                    Finding(
                        rule="pragma",
                        rule_name="pragma",
                        kind="no-reason",
                        severity="warning",
                        message=f"pragma ignore[{rules}] gives no reason",
                        path=path,
                        line=pragma.line,
                        column=1,
                        end_line=pragma.line,
                        remedy="say why the exception is acceptable after the pragma: '# archguard: ignore[rule] reason'",
                        fix=Remedy(
                            kind="explain-exception",
                            action="say why the exception is acceptable after the pragma: '# archguard: ignore[rule] reason'",
                            reason="an exception without a reason cannot be reviewed",
                        ),
                        identity=(path, rules, "no-reason"),
                    )
                )
    return kept, suppressed, warnings


def stale_ignores(loaded: LoadedContract, ignores: Iterable[CompiledIgnore], used: set[int], severity: Severity = "error") -> list[Finding]:
    findings = []
    prefix = loaded.table + "." if loaded.table else ""
    for ignore in ignores:
        if ignore.index in used:
            continue
        key = f"{prefix}ignore[{ignore.index}].import"
        line = locate_key(loaded.source, key) or 0
        findings.append(
            Finding(
                rule="stale-ignore",
                rule_name="stale-ignore",
                kind="stale-ignore",
                severity=severity,
                message=f"ignore entry '{ignore.importer.text} -> {ignore.imported.text}' matches no import",
                path=loaded.relpath,
                line=line,
                column=1 if line else 0,
                end_line=line,
                remedy="remove the entry, or fix its module names if the code moved",
                fix=Remedy(
                    kind="fix-contract",
                    action="remove the entry, or fix its module names if the code moved",
                    reason="an exception that matches nothing may silence a future violation",
                ),
                identity=(ignore.importer.text, ignore.imported.text),
            )
        )
    return findings


# The documentation of the findings this module makes (pages, SARIF help, explain), in the
# shape of a rule's docstring (:class:`archguard.rules.base.RuleDoc`).
PRAGMA_DOC = RuleDoc.parse(
    "pragma",
    """An inline '# archguard: ignore[...]' pragma silences nothing, or gives no reason.

    ``# archguard: ignore[rule-or-name] reason`` on an import's line silences the findings
    located at that import; silenced findings are listed as suppressed in every report.

    Why: a dead pragma hides the next real violation on that line; an exception without a reason cannot be reviewed.
    Fix: remove the pragma if its finding is gone, or write why the exception is acceptable after it.
    Example:
    [[rules]]
    kind = "layers"
    layers = ["api", "orders | billing", "domain | infra"]
    Breaks:
    # shop/orders/service.py
    from shop.domain import model  # archguard: ignore[layers]
    """,
)
STALE_IGNORE_DOC = RuleDoc.parse(
    "stale-ignore",
    """An [[ignore]] entry of the contract matches no import.

    Its level is ``[drift] stale_ignore`` (default ``"error"``).

    Why: a typo or a moved module leaves a dead exception behind that may silence a future violation.
    Fix: remove the entry, or fix its module names if the code moved.
    Example:
    [[ignore]]
    import = "shop.api.views -> shop.infra.db"
    reason = "debug endpoint, tracked in ARCH-12"
    """,
)
RUN_FINDING_DOCS = (PRAGMA_DOC, STALE_IGNORE_DOC)
