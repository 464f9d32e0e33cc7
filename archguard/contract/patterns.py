"""Module patterns: how a contract names groups of modules.

- ``shop.orders`` is the module ``shop.orders`` and everything below it.
- ``*`` stands for exactly one name, ``**`` for any number of names (zero or more).
  A segment may also mix text and ``*`` (``test_*``), matched with shell rules.
- ``shop.billing:*`` (a trailing ``:*`` or ``:Name``) is the module ``shop.billing`` alone,
  not its submodules: the names it exports.

Patterns are compiled once; matching is a pure function of the module name.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import cached_property

_NAME_SEGMENT = re.compile(r"^[A-Za-z_*?\[\]!0-9-]+$")


class PatternError(ValueError):
    """A pattern is not well formed; the message says what was expected."""


@dataclass(frozen=True)
class ModulePattern:
    """One compiled module pattern."""

    text: str
    segments: tuple[str, ...]
    exact: bool = False  # ``mod:*`` / ``mod:Name``: the module itself, not its children
    names: tuple[str, ...] = ()  # names after ``:`` (``*`` for all exported names)

    @classmethod
    def parse(cls, text: str) -> ModulePattern:
        if not isinstance(text, str) or not text.strip():
            raise PatternError("expected a module pattern such as 'shop.orders', got an empty string")
        raw = text.strip()
        exact = False
        names: tuple[str, ...] = ()
        if ":" in raw:
            raw, _, name_part = raw.partition(":")
            if not name_part or any(not n.strip() for n in name_part.split(",")):
                raise PatternError(f"expected names after ':' in {text!r} (e.g. 'shop.api:*')")
            exact = True
            names = tuple(n.strip() for n in name_part.split(","))
        segments = tuple(raw.split("."))
        for segment in segments:
            if not segment:
                raise PatternError(f"empty name between dots in {text!r}")
            if not _NAME_SEGMENT.match(segment):
                raise PatternError(f"{segment!r} in {text!r} is not a module name or wildcard")
        if exact and any("*" in s for s in segments):
            raise PatternError(f"{text!r}: a ':names' pattern must name one module, without wildcards")
        return cls(text=text.strip(), segments=segments, exact=exact, names=names)

    @cached_property
    def is_literal(self) -> bool:
        return not any(any(c in s for c in "*?[") for s in self.segments)

    @cached_property
    def literal(self) -> str:
        return ".".join(self.segments)

    @cached_property
    def literal_count(self) -> int:
        return sum(1 for s in self.segments if not any(c in s for c in "*?["))

    def _matches_exactly(self, module: str) -> bool:
        if self.is_literal:
            return module == self.literal
        return self._segments_match(module.split("."), 0, 0)

    def _segments_match(self, names: list[str], i: int, j: int) -> bool:
        segments = self.segments
        while j < len(segments):
            segment = segments[j]
            if segment == "**":
                return any(self._segments_match(names, k, j + 1) for k in range(i, len(names) + 1))
            if i >= len(names) or not fnmatch.fnmatchcase(names[i], segment):
                return False
            i += 1
            j += 1
        return i == len(names)

    def match_depth(self, module: str) -> int | None:
        """The number of names of the shortest prefix of ``module`` this pattern matches.

        ``None`` when the pattern does not cover the module. A pattern covers a module when
        it matches the module or one of its ancestors (unless the pattern is exact).
        """
        if self.is_literal:
            literal = self.literal
            if module == literal:
                return len(self.segments)
            if not self.exact and module.startswith(literal + "."):
                return len(self.segments)
            return None
        names = module.split(".")
        if self.exact:
            return len(names) if self._matches_exactly(module) else None
        for depth in range(1, len(names) + 1):
            if self._segments_match(names[:depth], 0, 0):
                return depth
        return None

    def covers(self, module: str) -> bool:
        return self.match_depth(module) is not None

    @cached_property
    def literal_head(self) -> str:
        """The names before the first wildcard: every module the pattern matches starts with them."""
        head = []
        for segment in self.segments:
            if any(c in segment for c in "*?["):
                break
            head.append(segment)
        return ".".join(head)

    def matches_exactly(self, module: str) -> bool:
        """True when the pattern names this very module (wildcards allowed, no descendants)."""
        if self.is_literal:
            return module == self.literal
        head = self.literal_head
        if head and module != head and not module.startswith(head + "."):
            return False  # cheap rejection: [[ignore]] entries are matched against every import edge
        return self._segments_match(module.split("."), 0, 0)


def parse_patterns(texts: list[str]) -> tuple[ModulePattern, ...]:
    return tuple(ModulePattern.parse(text) for text in texts)


def glob_to_regex(glob: str) -> re.Pattern[str]:
    """Compile a path glob (``**/migrations/**``, ``*.py``) matched against posix paths."""
    i, out = 0, []
    while i < len(glob):
        c = glob[i]
        if glob.startswith("**/", i):
            out.append(r"(?:.*/)?")
            i += 3
            continue
        if glob.startswith("**", i):
            out.append(r".*")
            i += 2
            continue
        if c == "*":
            out.append(r"[^/]*")
        elif c == "?":
            out.append(r"[^/]")
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("^" + "".join(out) + "$")
