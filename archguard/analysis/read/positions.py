"""Positions of import statements without libcst's PositionProvider.

PositionProvider re-generates the code of every node of the file and costs several times
the parse. CPython's own parser (``ast``, written in C) gives exact line and column numbers
for about a tenth of libcst's parse time, so the positions come from it: the import
statements that libcst found, in document order, are paired with the ones ``ast`` found, in
document order, and each pair is checked (same kind, same module). When ``ast`` cannot parse
the file (syntax newer than the running Python) or a pair disagrees, the positions come from
searching each statement's exact source text forward through the file instead.
"""

from __future__ import annotations

import ast
import bisect
import re
from dataclasses import dataclass

_NEWLINE = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True, slots=True)
class Span:
    line: int  # 1-based
    column: int  # 1-based, in characters
    end_line: int
    end_column: int = 0  # 1-based, in characters, just after the last character (0: unknown)


class LineIndex:
    """Offsets of line starts in a text, to turn offsets into (line, column)."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in _NEWLINE.finditer(text)]

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def line_text(self, line: int) -> str:
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    @property
    def line_count(self) -> int:
        if not self.text:
            return 0
        return len(self.starts) - (1 if self.starts[-1] == len(self.text) else 0)


def _char_column(index: LineIndex, line: int, byte_offset: int) -> int:
    """ast gives UTF-8 byte offsets; reports want characters (1-based)."""
    text = index.line_text(line) if line <= len(index.starts) else ""
    if text.isascii():
        return byte_offset + 1
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore")) + 1


@dataclass(frozen=True, slots=True)
class AstImport:
    kind: str  # "import" | "from" | "dynamic"
    key: str  # module (from), first name (import), literal (dynamic)
    span: Span


DYNAMIC_FUNCTIONS = ("__import__", "import_module", "importlib.import_module", "builtins.__import__")


def _dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        left = _dotted(node.value)
        return f"{left}.{node.attr}" if left else ""
    return ""


def ast_imports(tree: ast.Module, index: LineIndex, find_dynamic: bool) -> list[AstImport]:
    """Import statements (and dynamic import calls) in document order."""
    found: list[tuple[int, int, AstImport]] = []

    def add(kind: str, key: str, node: ast.stmt | ast.expr) -> None:
        end = node.end_lineno or node.lineno
        end_column = _char_column(index, end, node.end_col_offset) if node.end_col_offset is not None else 0
        span = Span(node.lineno, _char_column(index, node.lineno, node.col_offset), end, end_column)
        found.append((node.lineno, node.col_offset, AstImport(kind, key, span)))

    stack: list[ast.stmt] = list(tree.body)
    while stack:
        statement = stack.pop()
        if isinstance(statement, ast.Import):
            add("import", statement.names[0].name, statement)
        elif isinstance(statement, ast.ImportFrom):
            add("from", "." * (statement.level or 0) + (statement.module or ""), statement)
        else:
            for name in ("body", "orelse", "finalbody"):
                stack.extend(getattr(statement, name, ()) or ())
            for handler in getattr(statement, "handlers", ()) or ():
                stack.extend(handler.body)
            for case in getattr(statement, "cases", ()) or ():
                stack.extend(case.body)
    if find_dynamic:
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Call)
                and _dotted(node.func) in DYNAMIC_FUNCTIONS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
                and node.args[0].value
            ):
                add("dynamic", node.args[0].value, node)
    found.sort(key=lambda item: (item[0], item[1], item[2].kind != "dynamic"))
    return [item[2] for item in found]


def search_spans(codes: list[str], index: LineIndex) -> list[Span]:
    """Fallback: find each statement's exact text, in order, moving forward through the file."""
    spans: list[Span] = []
    cursor = 0
    text = index.text
    for code in codes:
        offset = text.find(code, cursor) if code else -1
        if offset < 0:
            offset = text.find(code) if code else -1
        if offset < 0:
            line, column = (spans[-1].line, spans[-1].column) if spans else (1, 1)
            spans.append(Span(line, column, line))
            continue
        line, column = index.position(offset)
        end_line, last_column = index.position(offset + max(len(code) - 1, 0))
        spans.append(Span(line, column, end_line, last_column + 1 if code else 0))
        cursor = offset + len(code)
    return spans
