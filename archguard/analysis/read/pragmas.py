"""``# archguard: ignore[rule] reason`` pragmas: read from the comments (tokens), never from strings."""

from __future__ import annotations

import re
import tokenize
from io import StringIO

from archguard.analysis.read.facts import Pragma

_PRAGMA = re.compile(r"#\s*archguard:\s*ignore(?:\[([^\]]*)\])?(.*)$")


def find_pragmas(text: str) -> list[Pragma]:
    """``# archguard: ignore[rule] reason`` comments (only real comments, not strings)."""
    if "archguard:" not in text:
        return []
    candidates: dict[int, Pragma] = {}
    for number, line in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        match = _PRAGMA.search(line)
        if match:
            rules = tuple(r.strip() for r in (match.group(1) or "").split(",") if r.strip())
            candidates[number] = Pragma(number, rules, match.group(2).strip())
    if not candidates:
        return []
    try:
        comment_lines = {
            token.start[0]
            # (lines as the parser counts them: tokenize splits at "\n" only, not at a lone "\r")
            for token in tokenize.generate_tokens(StringIO(text.replace("\r\n", "\n").replace("\r", "\n")).readline)
            if token.type == tokenize.COMMENT and "archguard:" in token.string
        }
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return sorted(candidates.values(), key=lambda p: p.line)
    return [candidates[n] for n in sorted(candidates) if n in comment_lines]
