"""A file's text: its bytes decoded the way Python decodes source, and an index of its lines.

Positions in facts are 1-based lines and 1-based columns counted in characters; CPython's
parser counts columns in UTF-8 bytes, and :meth:`LineIndex.char_column` converts them.
"""

from __future__ import annotations

import bisect
import re
import tokenize
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

    def char_column(self, line: int, byte_offset: int) -> int:
        """The 1-based column in characters of a 0-based UTF-8 byte offset on a line."""
        text = self.line_text(line) if line <= len(self.starts) else ""
        if text.isascii():
            return byte_offset + 1
        return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore")) + 1

    @property
    def line_count(self) -> int:
        if not self.text:
            return 0
        return len(self.starts) - (1 if self.starts[-1] == len(self.text) else 0)
