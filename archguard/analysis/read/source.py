"""A file's text: its bytes decoded the way Python decodes source, and an index of its lines.

Positions in facts are 1-based lines and 1-based columns counted in characters; CPython's
parser counts columns in UTF-8 bytes, and :meth:`LineIndex.char_column` converts them.
"""

from __future__ import annotations

import bisect
import re
import tokenize
from functools import cached_property
from io import BytesIO

_NEWLINE = re.compile(r"\r\n|\r|\n")


def source_encoding(data: bytes) -> str:
    """The encoding Python reads these bytes with (PEP 263 cookie, BOM, else UTF-8)."""
    try:
        encoding, _ = tokenize.detect_encoding(BytesIO(data).readline)
    except (SyntaxError, LookupError):
        return "utf-8"
    return encoding


def decode_source(data: bytes, encoding: str | None = None) -> str:
    """The text of a source file (undecodable bytes replaced), without a byte order mark."""
    text = data.decode(encoding or source_encoding(data), errors="replace")
    return text[1:] if text.startswith("\ufeff") else text


class LineIndex:
    """Offsets of line starts in a text, to turn offsets into (line, column).

    The offsets are found when first needed: most files are ASCII, where a column in bytes is
    the column in characters, and their line count is a count of newlines.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self.ascii = text.isascii()

    @cached_property
    def starts(self) -> list[int]:
        return [0] + [m.end() for m in _NEWLINE.finditer(self.text)]

    @cached_property
    def import_lines(self) -> list[int] | None:
        """The lines on which the word ``import`` occurs (in code, a string or a comment), in
        order; None when the text has a carriage return (lines are not only newline-separated)."""
        text = self.text
        if "\r" in text:
            return None
        lines: list[int] = []
        line, last = 1, 0
        found = text.find("import")
        while found != -1:
            line += text.count("\n", last, found)
            last = found
            lines.append(line)
            found = text.find("import", found + 6)
        return lines

    def mentions_import(self, first: int, last: int) -> bool:
        """Whether the word ``import`` may occur on lines ``first`` to ``last`` (True when unknown)."""
        lines = self.import_lines
        if lines is None:
            return True
        at = bisect.bisect_left(lines, first)
        return at < len(lines) and lines[at] <= last

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def line_text(self, line: int) -> str:
        start = self.starts[line - 1]
        end = self.starts[line] if line < len(self.starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def char_column(self, line: int, byte_offset: int) -> int:
        """The 1-based column in characters of a 0-based UTF-8 byte offset on a line."""
        if self.ascii:
            return byte_offset + 1
        text = self.line_text(line) if line <= len(self.starts) else ""
        if text.isascii():
            return byte_offset + 1
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore")) + 1

    @property
    def line_count(self) -> int:
        if not self.text:
            return 0
        if "\r" not in self.text:
            return self.text.count("\n") + (0 if self.text.endswith("\n") else 1)
        return len(self.starts) - (1 if self.starts[-1] == len(self.text) else 0)
