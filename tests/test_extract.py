"""The extractor: every import form and flag, with the right module and line."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from libcst.metadata import MetadataWrapper, PositionProvider

from archguard.analysis.read import extract_facts
from archguard.analysis.read.facts import FileFacts, RawImport


def facts_of(source: str) -> FileFacts:
    return extract_facts(textwrap.dedent(source).lstrip("\n").encode("utf-8"))


def summary(facts: FileFacts) -> list[tuple[str, int, tuple[str, ...], int, int]]:
    return [(i.module, i.level, i.names, i.line, i.column) for i in facts.imports]


def test_absolute_relative_and_from_imports_are_extracted_with_lines() -> None:
    facts = facts_of(
        """
        import os
        import shop.orders.service as service, json
        from shop.billing import api, ledger
        from . import sibling
        from ..domain.models import Order
        from .. import *
        """
    )
    assert summary(facts) == [
        ("os", 0, (), 1, 1),
        ("shop.orders.service", 0, (), 2, 1),
        ("json", 0, (), 2, 1),
        ("shop.billing", 0, ("api", "ledger"), 3, 1),
        ("", 1, ("sibling",), 4, 1),
        ("domain.models", 2, ("Order",), 5, 1),
        ("", 2, ("*",), 6, 1),
    ]
    assert facts.imports[1].alias == "service"


def test_context_flags_type_checking_lazy_guarded_dynamic() -> None:
    facts = facts_of(
        """
        from typing import TYPE_CHECKING
        import typing
        if TYPE_CHECKING:
            from shop.orders import Order
        if typing.TYPE_CHECKING:
            import shop.api
        else:
            import shop.runtime
        try:
            import ujson as json
        except (ImportError, ValueError):
            import json
        try:
            import risky
        except KeyError:
            pass

        def handler():
            from shop.domain import rules
            module = importlib.import_module("shop.plugins.csv")
            return __import__("shop.legacy")

        class View:
            import shop.infra
            def get(self):
                import shop.db
        loader = lambda: import_module("shop.lazy")
        """
    )
    flags = {(i.module, i.line): (i.type_checking, i.lazy, i.guarded, i.dynamic) for i in facts.imports}
    assert flags == {
        ("typing", 1): (False, False, False, False),
        ("typing", 2): (False, False, False, False),
        ("shop.orders", 4): (True, False, False, False),
        ("shop.api", 6): (True, False, False, False),
        ("shop.runtime", 8): (False, False, False, False),
        ("ujson", 10): (False, False, True, False),
        ("json", 12): (False, False, True, False),
        ("risky", 14): (False, False, False, False),
        ("shop.domain", 19): (False, True, False, False),
        ("shop.plugins.csv", 20): (False, True, False, True),
        ("shop.legacy", 21): (False, True, False, True),
        ("shop.infra", 24): (False, False, False, False),
        ("shop.db", 26): (False, True, False, False),
        ("shop.lazy", 27): (False, True, False, True),
    }


def test_imports_inside_a_module_level_main_block_carry_the_main_context() -> None:
    facts = facts_of(
        """
        import shop.core
        if __name__ == "__main__":
            import shop.demo
            from shop.cli import run
            try:
                import shop.extra
            except ImportError:
                pass
            def helper():
                import shop.lazy_main
            if __name__ == "__main__":
                import shop.nested
            run(importlib.import_module("shop.plugin"))
        elif other:
            import shop.elif_branch
        else:
            import shop.else_branch
        if '__main__' == __name__:
            import shop.reversed
        if (__name__ == '__main__'):
            import shop.parenthesised
        if __name__ != "__main__":
            import shop.not_equal
        if __name__ == "__main__" and debug:
            import shop.compound
        try:
            if __name__ == "__main__":
                import shop.in_try
        except KeyError:
            pass

        def main():
            if __name__ == "__main__":
                import shop.in_function

        class Script:
            if __name__ == "__main__":
                import shop.in_class
        """
    )
    main = {i.module: i.main for i in facts.imports}
    assert main == {
        "shop.core": False,
        "shop.demo": True,
        "shop.cli": True,
        "shop.extra": True,
        "shop.lazy_main": True,
        "shop.nested": True,
        "shop.plugin": True,
        "shop.elif_branch": False,
        "shop.else_branch": False,
        "shop.reversed": True,
        "shop.parenthesised": True,
        "shop.not_equal": False,
        "shop.compound": False,
        "shop.in_try": True,
        "shop.in_function": False,
        "shop.in_class": False,
    }
    flags = {i.module: (i.lazy, i.guarded, i.dynamic) for i in facts.imports}
    assert flags["shop.lazy_main"] == (True, False, False)
    assert flags["shop.extra"] == (False, True, False)
    assert flags["shop.plugin"] == (False, False, True)
    assert FileFacts.from_tuple(facts.to_tuple()) == facts


def test_dynamic_import_needs_a_literal_and_relative_names_keep_their_level() -> None:
    facts = facts_of(
        """
        import importlib
        name = "x"
        importlib.import_module(name)
        importlib.import_module(f"shop.{name}")
        importlib.import_module(".sub", __package__)
        """
    )
    dynamic = [(i.module, i.level, i.line, i.column) for i in facts.imports if i.dynamic]
    assert dynamic == [("sub", 1, 5, 1)]


def test_dynamic_import_literals_may_be_concatenated_but_dunder_import_is_never_relative() -> None:
    facts = facts_of(
        """
        from importlib import import_module
        import_module("shop." "orders")
        __import__("..up")
        import_module(*["shop.star"])
        import_module(name="shop.keyword")
        def later():
            return import_module("shop.billing"), __import__("json")
        """
    )
    dynamic = [(i.module, i.line, i.lazy) for i in facts.imports if i.dynamic]
    assert dynamic == [("shop.orders", 2, False), ("shop.billing", 7, True), ("json", 7, True)]


def test_files_that_only_mention_import_module_get_no_dynamic_imports() -> None:
    facts = facts_of(
        """
        from importlib import import_module
        def load(name):
            return import_module(name)  # not a literal: not a dependency
        """
    )
    assert [(i.module, i.dynamic) for i in facts.imports] == [("importlib", False)]


def test_multiline_import_spans_its_lines_and_columns_count_characters() -> None:
    facts = facts_of(
        """
        café = 1; import os
        from shop import (
            a,
            b,
        )
        """
    )
    assert [(i.module, i.line, i.column, i.end_line) for i in facts.imports] == [("os", 1, 11, 1), ("shop", 2, 1, 5)]


def test_imports_in_docstrings_and_strings_are_not_imports() -> None:
    facts = facts_of(
        '''
        """Usage:

            from shop.api import views
        """
        text = "import os"
        from shop.api import views
        '''
    )
    assert summary(facts) == [("shop.api", 0, ("views",), 6, 1)]


def test_pragmas_are_read_from_comments_only() -> None:
    facts = facts_of(
        """
        from shop.api import views  # archguard: ignore[layers, boundaries] legacy endpoint, ARCH-12
        import os  # archguard: ignore
        text = "# archguard: ignore[layers] not a comment"
        """
    )
    assert [(p.line, p.rules, p.reason) for p in facts.pragmas] == [
        (1, ("layers", "boundaries"), "legacy endpoint, ARCH-12"),
        (2, (), ""),
    ]


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_a_pragma_after_a_continued_line_ending_in_a_lone_cr_is_found(newline: bytes) -> None:
    # CPython reads a lone "\r" as a line end; the comment tokens must be counted the same way,
    # or the pragma's line is not a comment line and the pragma is silently dropped.
    data = b"x = 1 + \\\r 2" + newline + b"import os  # archguard: ignore[layers] legacy" + newline
    facts = extract_facts(data)
    assert [(p.line, p.rules, p.reason) for p in facts.pragmas] == [(3, ("layers",), "legacy")]
    assert [i.line for i in facts.imports] == [3]


def test_module_level_names_and_literal_dunder_all() -> None:
    facts = facts_of(
        """
        from .models import Invoice as Inv, Ledger
        import shop.util
        __all__ = ["Inv"]
        __all__ += ["total"]
        __all__.append("Ledger")
        def total(): ...
        class Report: ...
        RATE: float = 0.2
        if True:
            conditional = 1
        def f():
            hidden = 1
        """
    )
    assert set(facts.defined_names) == {"Inv", "Ledger", "shop", "__all__", "total", "Report", "RATE", "conditional", "f"}
    assert facts.all_names == ("Inv", "total", "Ledger")


def test_dynamic_dunder_all_is_unknown() -> None:
    assert facts_of("__all__ = [name for name in dir()]\n").all_names is None
    assert facts_of("x = 1\n").all_names is None


def test_syntax_error_becomes_a_problem_with_position() -> None:
    facts = extract_facts(b"import os\ndef broken(:\n    pass\n")
    assert facts.problem is not None
    assert facts.problem.line == 2
    assert "syntax error" in facts.problem.message
    assert facts.imports == ()


def test_encodings_bom_cookie_non_utf8_and_nul_bytes() -> None:
    assert [i.module for i in extract_facts(b"\xef\xbb\xbfimport os\n").imports] == ["os"]
    latin = b"# -*- coding: latin-1 -*-\nname = '\xe9t\xe9'\nimport json\n"
    facts = extract_facts(latin)
    assert facts.problem is None
    assert [(i.module, i.line) for i in facts.imports] == [("json", 3)]
    bad = extract_facts(b"import os\nname = '\xff\xfe'\n")
    assert bad.problem is not None and "decode" in bad.problem.message
    nul = extract_facts(b"import os\n\x00\n")
    assert nul.problem is not None and nul.problem.line == 2 and "NUL" in nul.problem.message


def test_empty_file_and_windows_line_endings() -> None:
    assert extract_facts(b"", clones=False) == FileFacts(line_count=0)
    assert extract_facts(b"").get_extra("clones") is not None  # clone fingerprints ride along by default
    facts = extract_facts(b"import os\r\n\r\nfrom shop import api\r\n")
    assert [(i.module, i.line) for i in facts.imports] == [("os", 1), ("shop", 3)]


def test_pathological_nesting_is_a_problem_not_a_crash() -> None:
    for source in (b"x = " + b"(" * 5000 + b")" * 5000 + b"\n", ("x = " + "-" * 50000 + "1\n").encode()):
        facts = extract_facts(source)
        assert facts.problem is not None


def test_newer_syntax_is_read_by_libcst_with_its_positions() -> None:
    # Syntax the running Python may not parse with ast is read by libcst, positions included.
    facts = facts_of(
        """
        type Alias = int
        import os
        def f[T](x: T) -> T:
            import json
            return x
        """
    )
    assert facts.problem is None
    assert [(i.module, i.line, i.lazy) for i in facts.imports] == [("os", 2, False), ("json", 4, True)]


def test_facts_round_trip_through_tuples() -> None:
    facts = facts_of(
        """
        from . import a  # archguard: ignore[layers] reason
        __all__ = ["a"]
        """
    )
    assert FileFacts.from_tuple(facts.to_tuple()) == facts


# --- property-based: positions agree with libcst's own PositionProvider ---------------------

def _reference_positions(source: str) -> list[tuple[int, int]]:
    module = cst.parse_module(source)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    found: list[tuple[int, int]] = []

    class Collector(cst.CSTVisitor):
        def visit_Import(self, node: cst.Import) -> None:
            start = positions[node].start
            found.extend([(start.line, start.column + 1)] * len(node.names))

        def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
            start = positions[node].start
            found.append((start.line, start.column + 1))

    wrapper.module.visit(Collector())
    return found


@st.composite
def import_programs(draw: st.DrawFn) -> str:
    names = st.sampled_from(["a", "b.c", "shop.orders", "x_y.z", "pkg"])
    statements = st.one_of(
        names.map(lambda n: f"import {n}"),
        st.tuples(names, names).map(lambda p: f"import {p[0]}, {p[1]} as alias"),
        st.tuples(st.integers(0, 2), names, st.sampled_from(["x", "y as z", "(p,\n    q)", "*"])).map(
            lambda p: f"from {'.' * p[0]}{p[1]} import {p[2]}"
        ),
        st.just("x = 'import fake'"),
        st.just('"""\nimport not_real\n"""'),
        st.just("# import commented"),
        st.just("y = 1; import semi"),
    )
    body = [*draw(st.lists(statements, min_size=1, max_size=8)), "pass"]
    wrappers = draw(st.lists(st.sampled_from(["def f():", "if TYPE_CHECKING:", "try:", "class C:"]), max_size=2))
    lines: list[str] = []
    indent = ""
    for wrapper in wrappers:
        lines.append(indent + wrapper)
        indent += "    "
    for statement in body:
        lines.extend(indent + line for line in statement.splitlines())
    for depth in range(len(wrappers), 0, -1):
        if wrappers[depth - 1] == "try:":
            lines.append("    " * (depth - 1) + "except ImportError:\n" + "    " * depth + "pass")
    return "\n".join(lines) + "\n"


@given(import_programs())
@settings(max_examples=150)
def test_positions_match_libcst_position_provider(source: str) -> None:
    facts = extract_facts(source.encode())
    assert facts.problem is None, source
    got = [(i.line, i.column) for i in facts.imports if not i.dynamic]
    assert got == _reference_positions(source), source


def test_positions_match_on_a_real_file() -> None:
    import email.message
    from pathlib import Path

    source = Path(email.message.__file__).read_text(encoding="utf-8")
    facts = extract_facts(source.encode())
    assert [(i.line, i.column) for i in facts.imports if not i.dynamic] == _reference_positions(source)
    assert all(isinstance(i, RawImport) for i in facts.imports)


def test_imports_under_a_module_level_main_guard_are_in_the_main_context() -> None:
    facts = facts_of(
        """
        import os
        if __name__ == "__main__":
            import cli
            if TYPE_CHECKING:
                import typed
            importlib.import_module("plugin")
        elif other:
            import not_main_elif
        else:
            import not_main_else
        if '__main__' == __name__:
            from tools import run
        if __name__ == "__main__" and debug:
            import not_main_compound
        def f():
            if __name__ == "__main__":
                import not_main_in_function
        class C:
            if __name__ == "__main__":
                import not_main_in_class
        try:
            if __name__ == '__main__':
                import nested_main
        except ImportError:
            pass
        """
    )
    flags = [(i.module, i.main) for i in facts.imports]
    assert flags == [
        ("os", False),
        ("cli", True),
        ("typed", True),
        ("plugin", True),
        ("not_main_elif", False),
        ("not_main_else", False),
        ("tools", True),
        ("not_main_compound", False),
        ("not_main_in_function", False),
        ("not_main_in_class", False),
        ("nested_main", True),
    ]
    assert facts.imports[2].type_checking and facts.imports[3].dynamic


def test_import_sites_carry_the_main_context() -> None:
    from archguard.analysis.resolve import site_of

    facts = facts_of('if __name__ == "__main__":\n    import shop.cli\n')
    site = site_of(facts.imports[0], "shop.__main__", "shop.cli", "shop/__main__.py", "shop.cli")
    assert site.main is True


@given(
    st.lists(
        st.sampled_from([b"import_module", b"__import__", b"importlib.", b"(", b")", b" ", b"\n", b"'x'", b'"y"', b"r'z'", b"u", b"# ", b"f("]),
        max_size=12,
    ).map(b"".join)
)
@settings(max_examples=400)
def test_the_dynamic_import_gate_is_the_pattern_with_its_names_looked_for_first(data: bytes) -> None:
    from archguard.analysis.read import _DYNAMIC_CALL, _find_dynamic

    assert _find_dynamic(data) == (_DYNAMIC_CALL.search(data) is not None)
