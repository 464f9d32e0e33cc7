"""Findings: one immutable model that every reporter reads.

A finding's *fingerprint* identifies it across edits: rule, kind, the modules involved and
the normalised import text, never a line number. Baselines and diff mode match findings by
fingerprint (and by count when several findings share one).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from archguard.resolve import ImportSite

Severity = Literal["error", "warning"]
SEVERITY_ORDER = {"error": 0, "warning": 1}


@dataclass(frozen=True, slots=True)
class Hop:
    """One import in a chain, with where it is written."""

    importer: str
    imported: str
    path: str | None
    line: int
    column: int
    text: str

    @classmethod
    def from_site(cls, site: ImportSite) -> Hop:
        return cls(site.importer, site.imported, site.path, site.line, site.column, site.text)

    def to_json(self) -> dict[str, Any]:
        return {
            "importer": self.importer,
            "imported": self.imported,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "import": self.text,
        }


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str  # the rule kind: "layers", "boundaries", "parse-error", ...
    rule_name: str  # the contract's name for the rule instance ("Clean layering", "layers#1")
    kind: str  # what was found: "direct", "indirect", "cycle", "unmapped", ...
    severity: Severity
    message: str
    path: str | None = None  # relative to the project root, posix
    line: int = 0  # 1-based; 0 when the finding has no position
    column: int = 0
    end_line: int = 0
    importer: str | None = None
    imported: str | None = None
    import_text: str | None = None
    chain: tuple[Hop, ...] = ()
    remedy: str | None = None
    identity: tuple[str, ...] = ()  # line-independent parts that identify this finding
    details: tuple[tuple[str, str], ...] = field(default=())  # extra key/value facts for reports

    @property
    def fingerprint(self) -> str:
        parts = (self.rule, self.rule_name, self.kind, *self.identity)
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]

    @property
    def sort_key(self) -> tuple[Any, ...]:
        return (
            self.rule,
            self.rule_name,
            self.path or "",
            self.line,
            self.column,
            self.kind,
            self.importer or "",
            self.imported or "",
            self.message,
        )

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "rule": self.rule,
            "rule_name": self.rule_name,
            "kind": self.kind,
            "severity": self.severity,
            "message": self.message,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "importer": self.importer,
            "imported": self.imported,
            "import": self.import_text,
            "chain": [hop.to_json() for hop in self.chain],
            "remedy": self.remedy,
            "fingerprint": self.fingerprint,
        }
        if self.details:
            data["details"] = dict(self.details)
        return data


def site_finding(
    *,
    rule: str,
    rule_name: str,
    kind: str,
    severity: Severity,
    message: str,
    site: ImportSite,
    chain: tuple[Hop, ...] = (),
    imported: str | None = None,
    remedy: str | None = None,
    identity_extra: tuple[str, ...] = (),
) -> Finding:
    """A finding located at an import site, identified by the import, not its line."""
    target = imported or site.imported
    return Finding(
        rule=rule,
        rule_name=rule_name,
        kind=kind,
        severity=severity,
        message=message,
        path=site.path,
        line=site.line,
        column=site.column,
        end_line=site.end_line,
        importer=site.importer,
        imported=target,
        import_text=site.text,
        chain=chain,
        remedy=remedy,
        identity=(site.importer, target, site.text, *identity_extra),
    )


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: f.sort_key)


@dataclass(frozen=True, slots=True)
class Suppression:
    """A finding that an inline pragma or an [[ignore]] entry silenced, and why."""

    finding: Finding
    source: str  # "pragma at shop/api/views.py:12" or "ignore[0]"
    reason: str
