"""The fallback reader (issue 19): a token scan finds the same imports as the parser.

It is used only for files the parsers give up on (too deep, too large), so it is held to the
parser on files both can read: the same ``RawImport`` values (module, names, aliases,
position, and the context flags: lazy, type-checking, guarded, module level). Dynamic imports
are the parser's alone.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, assume, given, settings

from archguard.analysis.read import extract_facts
from archguard.analysis.read.scan import scan_imports
from tests.helpers import REPO


def parsed_imports(data: bytes) -> tuple[object, ...] | None:
    facts = extract_facts(data, clones=False)
    if facts.problem is not None:
        return None
    return tuple(raw for raw in facts.imports if not raw.dynamic)


OWN_SOURCES = sorted((REPO / "archguard").rglob("*.py")) + sorted((REPO / "tests").glob("*.py"))


@pytest.mark.parametrize("path", OWN_SOURCES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_the_scan_finds_the_parsers_imports_in_archguards_own_sources(path: Path) -> None:
    data = path.read_bytes()
    assert scan_imports(data) == parsed_imports(data)


CONTEXTS = b'''"""doc"""
import os, sys as system
from . import (a,
    b as bee)
from ..pkg.mod import *
if TYPE_CHECKING:
    import typing_only
elif typing.TYPE_CHECKING:
    import also_typing_only
if TYPE_CHECKING or OTHER:
    import not_typing_only
def f():
    import lazy_one
    if x: import lazy_two
class C:
    import in_class
    async def g(self):
        from x import y
try:
    import guarded
    try:
        import inner
    except ValueError:
        import not_guarded_by_inner
except (KeyError, ImportError):
    import fallback
try:
    import plain
except KeyError:
    pass
finally:
    import after
x = 1; import after_semicolon
y = {1: 2}; z = lambda: 3
'''


def test_the_scan_reads_every_context_flag_the_parser_reads() -> None:
    assert scan_imports(CONTEXTS) == parsed_imports(CONTEXTS)
    assert len(scan_imports(CONTEXTS)) == 18


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(hypothesmith.from_node())
def test_the_scan_agrees_with_the_parser_on_generated_programs(source: str) -> None:
    # Identifiers the parser NFKC-normalises ("ĳ" is "ij") make the parser's own positions
    # imprecise (its CPython and libcst halves then disagree, and it falls back to a text
    # search): the scan is not compared there.
    assume(unicodedata.normalize("NFKC", source) == source)
    data = source.encode("utf-8")
    expected = parsed_imports(data)
    if expected is not None:
        assert scan_imports(data) == expected


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_the_scan_counts_lines_as_the_parser_does_whatever_the_line_ends(newline: str) -> None:
    # Found by the test above: a continuation before a lone CR shifted the later lines by one.
    source = f"with A, 0., .0 as\\\rA:\n pass\nclass A: import A\nx = (1,\\{newline}2){newline}import b{newline}"
    data = source.encode()
    assert scan_imports(data) == parsed_imports(data)
    assert [i.line for i in scan_imports(data)] == [4, 7]


def test_files_too_deep_for_the_parser_keep_their_imports_and_are_still_reported() -> None:
    deep = b"import os\nx = " + b" + ".join(b"a%d" % i for i in range(20_000)) + b"\nfrom shop import api\n"
    nested = b"import os\nx = " + b"(" * 5_000 + b")" * 5_000 + b"\ntry:\n    import json\nexcept ImportError:\n    json = None\n"
    for data, modules in ((deep, ["os", "shop"]), (nested, ["os", "json"])):
        facts = extract_facts(data)
        assert facts.problem is not None and "found by a token scan" in facts.problem.message
        assert [raw.module for raw in facts.imports] == modules
    assert extract_facts(nested).imports[1].guarded
