"""A text's lines as Python, configparser, TOML, git and editors count them.

``str.splitlines`` also splits at form feeds, vertical tabs, file/group/record separators,
NEL and the Unicode line and paragraph separators; none of those ends a line for the tools
whose line numbers archguard reports (a form feed is whitespace to Python's tokenizer, and
text inside a string to configparser or TOML). Counting with it puts every later line number
off by one per such character.
"""

from __future__ import annotations

import re

_LINE_END = re.compile(r"\r\n|\r|\n")


def physical_lines(text: str) -> list[str]:
    """The lines of ``text``, split at "\\r\\n", "\\r" and "\\n" only (a last empty line after a final line end)."""
    return _LINE_END.split(text)
