"""Baselines: accepted findings in a JSON file, so the gate fails only on new ones.

The file (``[project] baseline``, default ``archguard-baseline.json`` under the project root)
lists one entry per finding, sorted, without line numbers, so regenerating it after unrelated
edits gives the same bytes and a change to it reads well in a review::

    {
      "schema": "archguard-baseline/1",
      "findings": [
        {"fingerprint": "...", "rule": "layers", "rule_name": "Clean layering", "kind": "direct", ...},
        ...
      ]
    }

Findings are matched by fingerprint and count: two identical violations need two entries.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

from archguard.base.errors import BaselineError, GitError
from archguard.base.lines import physical_lines
from archguard.base.safe_files import BASELINE_LIMIT, read_regular_text, write_atomic
from archguard.contract.loading import LoadedContract
from archguard.contract.models import GateConfig
from archguard.engine.pipeline import CheckResult
from archguard.findings import Finding, Remedy, Suppression, sort_findings
from archguard.findings.matching import BaselineEntry, BaselineOutcome, match_findings
from archguard.gate.lines import AddedLines

SCHEMA = "archguard-baseline/1"
_FIELDS = ("fingerprint", "rule", "rule_name", "kind", "severity", "path", "importer", "imported", "import", "message")


def baseline_path(loaded: LoadedContract, override: Path | None = None) -> Path:
    """The baseline file: ``override`` (relative to the working directory), else the contract's."""
    if override is not None:
        return override
    return loaded.root / loaded.contract.project.baseline


def confinement(loaded: LoadedContract, override: Path | None = None) -> Path | None:
    """The folder the baseline file must stay in: the project root for the contract's baseline
    (a symlink planted in the tree must not lead elsewhere), none for a path the user gave."""
    return None if override is not None else loaded.root


def display(path: Path, loaded: LoadedContract) -> str:
    try:
        return path.resolve().relative_to(loaded.root).as_posix()
    except ValueError:
        return str(path)


def entries_of(findings: list[Finding]) -> list[BaselineEntry]:
    return sorted((BaselineEntry.from_finding(f) for f in findings), key=lambda e: e.sort_key)


def render(entries: list[BaselineEntry]) -> str:
    """The file's text: one entry per finding, sorted, one field per line."""
    data = {"schema": SCHEMA, "findings": [entry.to_json() for entry in sorted(entries, key=lambda e: e.sort_key)]}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def write(path: Path, entries: list[BaselineEntry], inside: Path | None = None) -> None:
    """Replace the baseline file atomically (a symlink there is replaced, never written
    through); with ``inside``, only in a folder inside that one."""
    text = render(entries).encode("utf-8")
    try:
        write_atomic(path, text, inside=inside)
    except OSError as error:
        raise BaselineError(f"cannot write the baseline: {error.strerror}", file=str(path)) from None


def load(path: Path, shown: str | None = None, inside: Path | None = None) -> list[BaselineEntry] | None:
    """The entries of a baseline file, or None when there is no such file. Only a regular file
    of at most :data:`~archguard.base.safe_files.BASELINE_LIMIT` bytes is read, and with
    ``inside`` only one that resolves inside that folder (else a :class:`BaselineError`)."""
    shown = shown or str(path)
    try:
        text = read_regular_text(path, limit=BASELINE_LIMIT, inside=inside)
    except FileNotFoundError:
        return None
    except UnicodeDecodeError as error:
        raise BaselineError(f"not UTF-8 text ({error.reason} at byte {error.start})", file=shown) from None
    except OSError as error:
        raise BaselineError(f"cannot read the baseline: {error.strerror}", file=shown) from None
    return parse(text, shown)


def parse(text: str, shown: str) -> list[BaselineEntry]:
    """The entries of a baseline file's text."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise BaselineError(f"invalid JSON: {error.msg}", file=shown, line=error.lineno) from None
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        found = data.get("schema") if isinstance(data, dict) else type(data).__name__
        raise BaselineError(f"not an archguard baseline: expected \"schema\": \"{SCHEMA}\", found {found!r}", file=shown, key="schema")
    findings = data.get("findings")
    if not isinstance(findings, list):
        raise BaselineError("expected a list of findings", file=shown, key="findings")
    return [_entry(item, index, shown) for index, item in enumerate(findings)]


def _entry(item: Any, index: int, shown: str) -> BaselineEntry:
    key = f"findings[{index}]"
    if not isinstance(item, dict):
        raise BaselineError("expected an object", file=shown, key=key)
    for name in ("fingerprint", "rule", "rule_name", "kind"):
        if not isinstance(item.get(name), str) or not item[name]:
            raise BaselineError(f"expected a non-empty string for {name!r}", file=shown, key=f"{key}.{name}")
    unknown = sorted(set(item) - set(_FIELDS))
    if unknown:
        raise BaselineError(f"unknown field {unknown[0]!r}", file=shown, key=f"{key}.{unknown[0]}")
    for name in _FIELDS[4:]:
        value = item.get(name)
        if value is not None and not isinstance(value, str):
            raise BaselineError(f"expected a string or null for {name!r}", file=shown, key=f"{key}.{name}")
    return BaselineEntry(
        fingerprint=item["fingerprint"],
        rule=item["rule"],
        rule_name=item["rule_name"],
        kind=item["kind"],
        severity=item.get("severity") or "error",
        path=item.get("path"),
        importer=item.get("importer"),
        imported=item.get("imported"),
        import_text=item.get("import"),
        message=item.get("message") or "",
    )


def apply(result: CheckResult, entries: list[BaselineEntry], shown: str) -> CheckResult:
    """The result without the findings the baseline accepts, and what the baseline matched."""
    match = match_findings(result.findings, [entry.fingerprint for entry in entries])
    outcome = BaselineOutcome(
        path=shown,
        entries=len(entries),
        matched=len(match.kept),
        stale=tuple(entries[i] for i in match.gone),
        accepted=tuple(match.kept),
    )
    return replace(result, findings=match.new, baseline=outcome)


def apply_to_change(
    result: CheckResult,
    entries: list[BaselineEntry],
    base_entries: list[BaselineEntry] | None,
    shown: str,
    text: str,
    added: AddedLines,
    policy: GateConfig,
) -> CheckResult:
    """``check --diff``: the change's findings without those the baseline accepts.

    Entries the baseline had at the base accept quietly; entries the change itself added for
    findings it introduced hide them, and that is a ``new-suppression`` finding at the file
    (or, with ``[gate] suppressions = "allow"``, they are listed as suppressed). Legacy entries
    are never listed as fixed: the change's findings are not the whole tree's.
    """
    before = Counter(entry.fingerprint for entry in (base_entries if base_entries is not None else entries))
    match = match_findings(result.findings, [entry.fingerprint for entry in entries])
    grown: list[Finding] = []
    for finding in match.kept:
        if before[finding.fingerprint] > 0:
            before[finding.fingerprint] -= 1
        else:
            grown.append(finding)
    outcome = BaselineOutcome(path=shown, entries=len(entries), matched=len(match.kept) - len(grown), stale=(), grown=len(grown))
    findings = list(match.new)
    suppressed = list(result.suppressed)
    if grown:
        lines = [_entry_line(text, f.fingerprint, added, shown) for f in grown]
        line = min((n for n in lines if n), default=0)
        if policy.suppressions == "allow":
            source = f"baseline entry added by this change ({shown})"
            suppressed += [Suppression(f, source, "", "baseline", shown, n) for f, n in zip(grown, lines, strict=True)]
        else:
            hidden = "; ".join(f"{f.rule_name}: {f.message}" for f in grown)
            action = f"remove the entries this change added to {shown} and fix the findings instead"
            findings.append(
                Finding(
                    rule="new-suppression",
                    rule_name="new-suppression",
                    kind="baseline",
                    severity=policy.suppressions,
                    message=f"this change adds {len(grown)} baseline entr{'y' if len(grown) == 1 else 'ies'} for findings it introduced: {hidden}",
                    path=shown,
                    line=line,
                    column=1 if line else 0,
                    end_line=line,
                    remedy=action,
                    fix=Remedy(kind="remove-pragma", action=action, reason="a baseline freezes legacy debt, not a change's own findings"),
                    identity=("baseline", shown, *sorted(f.fingerprint for f in grown)),
                )
            )
    return replace(result, findings=sort_findings(findings), suppressed=sorted(suppressed, key=lambda s: s.finding.sort_key), baseline=outcome)


def _entry_line(text: str, fingerprint: str, added: AddedLines, shown: str) -> int:
    """The line of an entry's fingerprint in the baseline file (one the change added, if any)."""
    needle = f'"fingerprint": "{fingerprint}"'
    found = [number for number, line in enumerate(physical_lines(text), start=1) if needle in line]
    inside = not Path(shown).is_absolute()  # a file outside the project has no lines in its diff
    return next((n for n in found if inside and added.covers(shown, n)), found[0] if found else 0)


def at_revision(added: AddedLines, path: Path, shown: str) -> list[BaselineEntry] | None:
    """The baseline file's entries at the change's base (None: no such file there, or outside the repository)."""
    repository = added.repository
    if repository is None:
        return None
    try:
        data = repository.read_path(added.base, repository.relative(path))
    except GitError:
        return None
    if data is None:
        return None
    try:
        return parse(data.decode("utf-8"), f"{shown} at the base")
    except (UnicodeDecodeError, BaselineError):
        return None  # an unreadable baseline at the base accepted nothing


def pruned(result: CheckResult, entries: list[BaselineEntry]) -> list[BaselineEntry]:
    """The entries that still match a current finding (stale ones dropped; nothing added)."""
    match = match_findings(result.findings, [entry.fingerprint for entry in entries])
    gone = set(match.gone)
    return [entry for index, entry in enumerate(entries) if index not in gone]
