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

from archguard.analysis.resolve import ImportSite, via_text

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
    via: tuple[str, ...] = ()  # packages whose __init__ re-exported the imported names

    @classmethod
    def from_site(cls, site: ImportSite) -> Hop:
        return cls(site.importer, site.imported, site.path, site.line, site.column, site.text, site.via)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "importer": self.importer,
            "imported": self.imported,
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "import": self.text,
        }
        if self.via:
            data["via"] = list(self.via)
        return data


@dataclass(frozen=True, slots=True)
class Edit:
    """A textual replacement that fixes a finding: the source from (line, column) to
    (end_line, end_column), end exclusive, 1-based, in characters, becomes ``new``."""

    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    old: str  # the statement as archguard shows it (normalised to one line)
    new: str  # the statement to write instead

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "line": self.line,
            "column": self.column,
            "end_line": self.end_line,
            "end_column": self.end_column,
            "old": self.old,
            "new": self.new,
        }


@dataclass(frozen=True, slots=True)
class Related:
    """Another place a finding is about (another copy of a clone): where, and what it is."""

    path: str
    line: int
    end_line: int
    label: str  # what a reviewer reads: "`parse` (renamed copy)"

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "end_line": self.end_line, "label": self.label}


# The kinds of fix a remedy names (``Remedy.kind``): what a person or an agent should do.
REMEDY_KINDS = {
    "use-public-api": "import from the component's public interface instead of its internals",
    "export-from-public-api": "use a name the public interface exports, or export it there first",
    "invert-dependency": "depend on an interface declared on the importing side and inject the implementation",
    "move-shared-code-down": "move the code both sides need into a lower component they may both use",
    "remove-import": "remove the import (or the code that needs it)",
    "add-to-contract": "declare the dependency or the module in the contract, if it is intended",
    "break-cycle": "break the cycle at one import: move shared code down or invert one dependency",
    "fix-contract": "the contract names something that does not exist or matches nothing: correct it",
    "fix-file": "repair, rename or exclude the file so that it can be analysed",
    "remove-pragma": "remove an inline pragma that silences nothing",
    "explain-exception": "write why an acknowledged exception is acceptable",
    "reuse-existing-code": "call the existing code at the given location instead of a copy",
    "review": "read the finding and decide",
}


@dataclass(frozen=True, slots=True)
class Remedy:
    """How to fix a finding, for a person or a coding agent."""

    kind: str  # one of REMEDY_KINDS
    action: str  # one imperative sentence (what ``Finding.remedy`` says)
    reason: str = ""  # short: why this rule holds here ("billing's internals are private")
    rationale: str = ""  # the rule's documented "why"
    edit: Edit | None = None  # the exact statement to write instead, where one exists
    location: str | None = None  # "path:line" of existing code to reuse, when there is one

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "action": self.action, "reason": self.reason, "rationale": self.rationale}
        data["replace"] = self.edit.to_json() if self.edit else None
        if self.location:
            data["location"] = self.location
        return data


@dataclass(frozen=True, slots=True)
class Finding:
    """One thing a rule found: what, where, why, and how to fix it."""

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
    via: tuple[str, ...] = ()  # packages whose __init__ re-exported what the import takes
    fix: Remedy | None = None  # the structured remedy (``remedy`` is its one-line text)
    related: tuple[Related, ...] = ()  # other places the finding is about (the other copies of a clone)

    @property
    def structured_remedy(self) -> Remedy:
        """The structured remedy; findings made without one get a ``review`` remedy from their text."""
        return self.fix or Remedy(kind="review", action=self.remedy or f"review: {self.message}")
    details: tuple[tuple[str, str], ...] = field(default=())  # extra key/value facts for reports

    @property
    def site(self) -> str | None:
        """The import statement this finding is about, as ``path:line:column`` (None when it is
        not about one): the findings of several rules about one import share it."""
        if not self.import_text or not self.path or not self.line:
            return None
        return f"{self.path}:{self.line}:{self.column or 1}"

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
            "fix": self.structured_remedy.to_json(),
            "fingerprint": self.fingerprint,
            "site": self.site,
        }
        if self.via:
            data["via"] = list(self.via)
        if self.details:
            data["details"] = dict(self.details)
        if self.related:
            data["related"] = [place.to_json() for place in self.related]
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
    fix: Remedy | None = None,
    identity_extra: tuple[str, ...] = (),
) -> Finding:
    """A finding located at an import site, identified by the import, not its line.

    When the site's names were re-exported through an ``__init__`` and the finding is about
    the site's own target, the message says through which ``__init__`` the import went."""
    target = imported or site.imported
    via = site.via if target == site.imported else ()
    if via:
        message = f"{message} ({via_text(via)})"
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
        remedy=remedy if remedy is not None or fix is None else fix.action,
        identity=(site.importer, target, site.text, *identity_extra),
        via=via,
        fix=fix,
    )


def prefer_reexports(findings: list[Finding]) -> list[Finding]:
    """One rule's findings without those that another finding about the same import repeats.

    ``from shop.billing import Invoice`` through a re-exporting ``__init__`` depends on both
    ``shop.billing`` and ``shop.billing.models``. When a rule refuses the package itself, the
    finding about the package (what the statement names) is kept, and findings about what the
    ``__init__`` re-exported (directly, or through a chain to the same module) are dropped;
    those stay when the package itself is allowed and only the re-exported module is not.
    """
    plain: dict[tuple[str | None, int, int], set[str | None]] = {}
    for finding in findings:
        if not finding.via and not (finding.chain and finding.chain[0].via):
            plain.setdefault((finding.path, finding.line, finding.column), set()).add(finding.imported)
    if not plain:
        return findings

    def repeated(finding: Finding) -> bool:
        refused = plain.get((finding.path, finding.line, finding.column))
        if not refused:
            return False
        if finding.via:
            return finding.via[0] in refused or finding.imported in refused
        return bool(finding.chain and finding.chain[0].via and finding.imported in refused)

    return [finding for finding in findings if not repeated(finding)]


def sort_findings(findings: Iterable[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: f.sort_key)


@dataclass(frozen=True, slots=True)
class Suppression:
    """A finding that an inline pragma or an [[ignore]] entry silenced, and why."""

    finding: Finding
    source: str  # "pragma at shop/api/views.py:12" or "ignore[0]"
    reason: str
    kind: str = "pragma"  # what silenced it: "pragma", "ignore", "contract" (relaxed) or "baseline"
    path: str | None = None  # where that is written, relative to the project root
    line: int = 0
