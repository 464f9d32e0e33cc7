"""One entry per cause: the findings of several rules about one import statement, grouped.

One bad import can break several rules at once (layers, allowed, forbidden, a cycle it
closes). The JSON and SARIF reports keep one result per rule, linked by the shared
:attr:`archguard.findings.Finding.site`; the reports a person or an agent reads (text, agent,
GitHub annotations, JUnit, Markdown) show one entry per import site that lists every rule it
breaks. Findings that are not about an import (an unmapped module, a clone) are entries of
their own.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from archguard.findings import Finding, Remedy, Severity

# The remedy an entry leads with, when its rules propose different ones: the most exact first.
_REMEDY_ORDER = (
    "use-public-api",
    "export-from-public-api",
    "reuse-existing-code",
    "invert-dependency",
    "move-shared-code-down",
    "break-cycle",
    "remove-import",
    "remove-pragma",
    "explain-exception",
    "fix-contract",
    "add-to-contract",
    "fix-file",
    "review",
)


@dataclass(frozen=True)
class SiteGroup:
    """The findings about one import statement (or one finding that is not about an import)."""

    findings: tuple[Finding, ...]

    @property
    def first(self) -> Finding:
        return self.findings[0]

    @property
    def site(self) -> str | None:
        return self.first.site

    @property
    def severity(self) -> Severity:
        return "error" if any(f.severity == "error" for f in self.findings) else "warning"

    @property
    def import_text(self) -> str | None:
        return self.first.import_text

    @property
    def several(self) -> bool:
        return len(self.findings) > 1

    def summary(self) -> str:
        """``breaks 3 rules`` (or ``2 findings`` when they are all of one rule)."""
        titles = len(self.rule_titles())
        if titles > 1:
            return f"breaks {titles} rules"
        return f"{len(self.findings)} findings"

    def rule_titles(self) -> list[str]:
        """``layers · Clean layering`` for each finding, in order, without repeats."""
        return list(dict.fromkeys(rule_title(f) for f in self.findings))

    def remedy(self) -> Remedy:
        """The remedy the entry leads with: an exact edit when a rule has one, else the most
        specific kind of fix any of its rules proposes."""
        rank = {kind: index for index, kind in enumerate(_REMEDY_ORDER)}

        def key(finding: Finding) -> tuple[int, int, int]:
            remedy = finding.structured_remedy
            # A fix for the import itself before one for a chain it starts.
            return (remedy.edit is None, bool(finding.chain), rank.get(remedy.kind, len(rank)))

        return min(self.findings, key=key).structured_remedy


def rule_title(finding: Finding) -> str:
    """``layers`` when the rule has no name of its own, else ``layers · Clean layering``."""
    return finding.rule if finding.rule == finding.rule_name else f"{finding.rule} · {finding.rule_name}"


def in_file_order(findings: Iterable[Finding]) -> list[Finding]:
    """Findings by file and line (findings without a file last), then as they sort."""
    return sorted(findings, key=lambda f: (f.path is None, f.path or "", f.line, f.column, f.sort_key))


def group_by_site(findings: Iterable[Finding]) -> list[SiteGroup]:
    """The findings as entries: those about one import statement together (in the order given),
    each entry where its first finding is."""
    groups: dict[object, list[Finding]] = {}
    for index, finding in enumerate(findings):
        key: object = finding.site or index
        groups.setdefault(key, []).append(finding)
    return [SiteGroup(tuple(members)) for members in groups.values()]
