"""Findings as LSP diagnostics, and their mechanical fixes as code actions (lsprotocol types).

A finding becomes one diagnostic at its import statement: from the statement's first
character to the end of its last line, with the rule as the code, the rule's name and the
message as the text, the remedy on the next line, and each hop of an indirect chain as
related information. Findings whose remedy carries an exact edit
(:attr:`archguard.findings.Remedy.edit`) keep it in the diagnostic's ``data``; a code action
request answers with that edit.

Positions: findings count columns in characters (1-based); LSP counts UTF-16 code units
(0-based) unless the client negotiated another encoding; :func:`to_client_column` converts.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lsprotocol import types

from archguard.base.lines import physical_lines
from archguard.findings import Edit, Finding

SOURCE = "archguard"
UTF16 = types.PositionEncodingKind.Utf16


def to_client_column(line_text: str, column: int, encoding: str = UTF16) -> int:
    """A 0-based character column of ``line_text`` in the client's position encoding."""
    prefix = line_text[: max(column, 0)]
    if encoding == types.PositionEncodingKind.Utf8:
        return len(prefix.encode("utf-8"))
    if encoding == types.PositionEncodingKind.Utf32:
        return len(prefix)
    return len(prefix.encode("utf-16-le")) // 2


def document_lines(text: str) -> list[str]:
    """The document's lines as LSP counts them: split at "\n", "\r\n" and "\r" only (not at the
    form feeds and other separators ``str.splitlines`` also splits at, as Python does not)."""
    return physical_lines(text)


def _line(lines: list[str], number: int) -> str:
    """The text of 1-based line ``number`` ("" beyond the end)."""
    return lines[number - 1] if 0 < number <= len(lines) else ""


def finding_range(finding: Finding, lines: list[str], encoding: str = UTF16) -> types.Range:
    """Where the finding is: its statement's lines (the whole first line without a column)."""
    if finding.line <= 0:
        return types.Range(types.Position(0, 0), types.Position(0, 0))
    first = _line(lines, finding.line)
    start = to_client_column(first, finding.column - 1 if finding.column > 0 else len(first) - len(first.lstrip()), encoding)
    end_line = max(finding.end_line, finding.line)
    last = _line(lines, end_line)
    end = to_client_column(last, len(last.rstrip()), encoding)
    if end_line == finding.line and end <= start:
        end = to_client_column(first, len(first), encoding)
    return types.Range(types.Position(finding.line - 1, start), types.Position(end_line - 1, end))


def edit_range(edit: Edit, lines: list[str], encoding: str = UTF16) -> types.Range:
    """An :class:`Edit`'s span (1-based, end exclusive, in characters) in LSP positions."""
    start = to_client_column(_line(lines, edit.line), edit.column - 1, encoding)
    end = to_client_column(_line(lines, edit.end_line), edit.end_column - 1, encoding)
    return types.Range(types.Position(edit.line - 1, start), types.Position(edit.end_line - 1, end))


def diagnostic(finding: Finding, lines: list[str], root: Path, encoding: str = UTF16) -> types.Diagnostic:
    """One finding as a diagnostic in the document whose text is ``lines``."""
    remedy = finding.structured_remedy
    text = f"{finding.rule_name}: {finding.message}"
    if remedy.action:
        text += f"\nremedy: {remedy.action}"
    related = [
        types.DiagnosticRelatedInformation(
            location=types.Location(
                uri=(root / hop.path).as_uri() if hop.path else root.as_uri(),
                range=types.Range(types.Position(max(hop.line - 1, 0), max(hop.column - 1, 0)), types.Position(max(hop.line - 1, 0), max(hop.column - 1, 0))),
            ),
            message=f"{hop.importer} imports {hop.imported}: {hop.text}",
        )
        for hop in finding.chain
    ]
    data: dict[str, Any] = {"fingerprint": finding.fingerprint, "remedy": remedy.to_json()}
    if remedy.edit is not None:
        data["edit"] = remedy.edit.to_json()
    return types.Diagnostic(
        range=finding_range(finding, lines, encoding),
        message=text,
        severity=types.DiagnosticSeverity.Error if finding.severity == "error" else types.DiagnosticSeverity.Warning,
        code=finding.rule,
        source=SOURCE,
        related_information=related or None,
        data=data,
    )


def diagnostics_for(path: str, findings: Iterable[Finding], text: str, root: Path, encoding: str = UTF16) -> list[types.Diagnostic]:
    """The diagnostics of one document (``path`` relative to the project root)."""
    lines = document_lines(text)
    return [diagnostic(f, lines, root, encoding) for f in findings if f.path == path]


def edit_of(data: object) -> Edit | None:
    """The :class:`Edit` a diagnostic carries in its ``data`` (None when it has none or it is malformed)."""
    if not isinstance(data, dict) or not isinstance(data.get("edit"), dict):
        return None
    raw = data["edit"]
    try:
        return Edit(
            path=str(raw["path"]),
            line=int(raw["line"]),
            column=int(raw["column"]),
            end_line=int(raw["end_line"]),
            end_column=int(raw["end_column"]),
            old=str(raw["old"]),
            new=str(raw["new"]),
        )
    except (KeyError, TypeError, ValueError):
        return None


def code_actions(uri: str, text: str, diagnostics: Iterable[types.Diagnostic], encoding: str = UTF16) -> list[types.CodeAction]:
    """A quick fix for each archguard diagnostic whose finding has a mechanical edit."""
    lines = document_lines(text)
    actions = []
    for item in diagnostics:
        if item.source != SOURCE:
            continue
        edit = edit_of(item.data)
        if edit is None:
            continue
        actions.append(
            types.CodeAction(
                title=f"archguard: {edit.new}",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[item],
                is_preferred=True,
                edit=types.WorkspaceEdit(changes={uri: [types.TextEdit(range=edit_range(edit, lines, encoding), new_text=edit.new)]}),
            )
        )
    return actions
