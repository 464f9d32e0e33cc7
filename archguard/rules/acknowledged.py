"""Acknowledged imports as a contract writes them: [[ignore]] entries, import-linter's
``ignore_imports``. Each dialect lists its own (:meth:`archguard.engine.dialects.Dialect.acknowledged`);
the gate compares the lists of two revisions to find the entries a change added or widened.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from archguard.contract.loading import LoadedContract, locate_key
from archguard.findings import Finding
from archguard.rules.base import CompiledIgnore


@dataclass(frozen=True)
class Acknowledged:
    """One written exception that keeps matching imports out of one rule, or every rule."""

    text: str  # "shop.api.** -> shop.infra.db", as written
    scope: str | None  # the rule (its name or kind) it is limited to; None: every rule
    reason: str  # why, as written ("" when the format has no place for one)
    line: int  # where it is written in the contract file (0: not known)
    needs_reason: bool  # whether the format has a place for a reason (import-linter's has none)
    matcher: Callable[[str, str], bool] = field(compare=False, repr=False)

    @property
    def key(self) -> tuple[str, str | None]:
        """What makes two revisions' entries the same entry."""
        return (" ".join(self.text.split()), self.scope)

    def applies_to(self, finding: Finding) -> bool:
        return self.scope is None or self.scope in (finding.rule, finding.rule_name)

    def covers(self, finding: Finding) -> bool:
        """Whether this entry keeps one of the finding's imports (its own, or a hop of its chain) out."""
        if not self.applies_to(finding):
            return False
        pairs = [(hop.importer, hop.imported) for hop in finding.chain]
        if finding.importer and finding.imported:
            pairs.append((finding.importer, finding.imported))
        return any(self.matcher(importer, imported) for importer, imported in pairs)


def archguard_acknowledged(loaded: LoadedContract) -> list[Acknowledged]:
    """The [[ignore]] entries of an archguard contract."""
    from archguard.contract.validate import parse_ignore_import

    prefix = loaded.table + "." if loaded.table else ""
    entries = []
    for index, entry in enumerate(loaded.contract.ignore):
        importer, imported = parse_ignore_import(entry.import_)
        compiled = CompiledIgnore(index, importer, imported, entry.rule, entry.reason)
        entries.append(
            Acknowledged(
                text=entry.import_,
                scope=entry.rule,
                reason=entry.reason,
                line=locate_key(loaded.source, f"{prefix}ignore[{index}].import") or 0,
                needs_reason=True,
                matcher=compiled.matches,
            )
        )
    return entries
