"""Bodies left unparsed (archguard.analysis.read.elide): the same facts as parsing everything.

With clone fingerprints off, the fast reader replaces every function or class that never says
``import`` by a one-line stand-in before parsing. Held here to the reference reader (libcst,
which parses everything) on layouts built to fool a line-based scan: text at column 0 inside
docstrings and brackets, backslash continuations, quotes inside comments and comments inside
strings, decorators spread over lines, classes whose methods sit at two indentations, and on
generated programs. Sources are padded past the size below which files are parsed whole.
"""

from __future__ import annotations

import dataclasses
import textwrap

import hypothesmith
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from archguard.analysis.read import extract_facts, reference_facts
from archguard.analysis.read.elide import MIN_SIZE, elide
from archguard.analysis.read.facts import FileFacts
from tests.test_readers_agree import libcst_rejects

PAD = "#" + "-" * MIN_SIZE + "\n"  # one comment line: the file is large enough to be scanned


def source(text: str) -> str:
    return PAD + textwrap.dedent(text).lstrip("\n")


def without_clones(facts: FileFacts) -> FileFacts:
    return dataclasses.replace(facts, extra=())


def assert_as_parsed(text: str) -> None:
    data = text.encode("utf-8")
    elided = extract_facts(data, clones=False)
    reference = reference_facts(data, clones=False)
    if not (reference.problem is not None and elided.problem is None and libcst_rejects(data)):
        # (valid Python that libcst's parser cannot read, "\\\r\n" at the end: no reference)
        assert elided == without_clones(reference)
    assert elided == without_clones(extract_facts(data, clones=True))  # the whole tree parsed


def stand_in_lines(text: str) -> list[int]:
    elision = elide(text)
    return [] if elision is None else [index + 1 for index in elision.stand_ins]


TYPICAL = source(
    '''
    """A module."""
    import os
    from . import sibling

    __all__ = ["Ledger", "total"]
    RATE = 3


    def total(items):
        """Add them up."""
        return sum(item.price for item in items)


    @dataclass(
        frozen=True,
    )
    class Ledger(Base):
        rows: list

        def add(self, row):
            self.rows.append(row)

        def export(self):
            from .exporters import csv

            return csv.dump(self.rows)


    async def fetch(url):
        async with session() as s:
            return await s.get(url)


    if TYPE_CHECKING:
        from .models import Row
    '''
)


def test_a_typical_module_keeps_its_facts_and_loses_its_bodies() -> None:
    assert_as_parsed(TYPICAL)
    lines = TYPICAL.split("\n")
    stood_in = [lines[n - 1].strip() for n in stand_in_lines(TYPICAL)]
    # total and fetch at the top; Ledger says import, so its methods are looked at: add goes,
    # export (the import) stays.
    assert stood_in == ["def total(items):", "def add(self, row):", "async def fetch(url):"]
    facts = extract_facts(TYPICAL.encode(), clones=False)
    assert {"total", "Ledger", "fetch", "RATE", "__all__", "os", "sibling"} <= set(facts.defined_names)
    assert [(i.module, i.lazy) for i in facts.imports] == [("os", False), ("", False), ("exporters", True), ("models", False)]


# Layouts where a line at column 0 (or at a class body's indentation) is not a statement start.
TRICKY = {
    "docstring text at column 0": '''
        def f():
            """
        def not_a_function():
            import not_an_import
        """
            return 1

        def g():
            import real
        ''',
    "code sample at the method level inside a docstring": '''
        class C:
            """Usage:

            def fake(self):
                pass
            """
            def m(self):
                import inside

            def n(self):
                return 2
        ''',
    "a bracket continued at column 0": """
        def f():
            return g(
        1,
        2)

        x = 1
        def h():
            import late
        """,
    "an import before a bracket continued at column 0": """
        def f():
            import os
            return g(
        1)
        name = 2
        """,
    "a matrix product continued at column 0 before a decorator": """
        def f():
            return (a
        @b)
        @decorate
        def g():
            return 1
        name = 2
        """,
    "a backslash continuation into column 0": """
        def f():
            x = 1 + \\
        2
            return x
        y = 3
        """,
    "a backslash continuation that makes a name look module-level": """
        def f():
            value = \\
        other = 3
        name = 2
        """,
    "a string continued by backslashes ends a class": """
        class Handler:
            message = "The server returned " \\
                      "an error.\\n" \\
                      "The last one was:"


        def after(proxy):
            return proxy
        """,
    "single-quoted docstring text at column 0": """
        def f():
            '''
        other = 1
        '''
            return 2
        name = 3
        """,
    "quotes in comments and comments in strings": """
        def f():
            # it's not a string: don't let the quote open one
            s = "# not a comment"
            t = 'a \\' quote'
            return s, t
        def g():
            u = '''one ''' + \"\"\"two \\\"\"\" still\"\"\"
            return u
        z = 1
        """,
    "an unclosed-looking triple quote inside a short string": """
        def f():
            return '\"\"\"'
        def g():
            return \"'''\"
        name = 1
        """,
    "string prefixes": """
        def f():
            return rb'\\x', Rb\"\"\"
        def not_here(): import x
        \"\"\", f'{1}', u'u'
        after = 1
        """,
    "methods at two indentations of a class body": """
        class C:
            if FLAG:
                def a(self):
                    return 1
            def b(self):
                import inside_b
            def c(self):
                return 3
        """,
    "a class inside a class": """
        class Outer:
            class Inner:
                def m(self):
                    import deep
            class Plain:
                def n(self):
                    return 1
        top = Outer
        """,
    "one-line definitions and semicolons": """
        def f(): return 1
        def g(): x = 1; return x
        class E(Exception): pass
        class W: import inline
        last = f()
        """,
    "a decorator over several lines and a def header over several lines": """
        @decorate(
            'x',
        )
        def f(
            a,
            b=(1, 2),
        ) -> int:
            return a
        @other
        class K(
            Base,
            metaclass=Meta,
        ):
            attribute = 1
        tail = 1
        """,
    "non-ASCII names and text": """
        def café(x='é'):
            return x
        class Ünïcode:
            s = 'ü'
        value = café()
        """,
    "tabs": "def f():\n\treturn 1\nclass T:\n\tdef m(self):\n\t\timport tabbed\n\tdef n(self):\n\t\treturn 2\nx = 1\n",
    "the end of the file inside a definition": """
        x = 1
        def f():
            return 1""",
    "a comment at column 0 inside a body": """
        def f():
            a = 1
        # a comment at column 0
            return a
        b = 2
        """,
    "PEP 695 syntax in a body this Python may not parse": """
        def f():
            type Alias = int
            def g[T](x: T) -> T:
                return x
            return g
        import after
        """,
    "dynamic imports": """
        import importlib
        def f():
            return importlib.import_module("lazy.mod")
        def g():
            return 1
        x = importlib.import_module("eager.mod")
        class C:
            def m(self, a=__import__("default.arg")):
                return __import__("inside.m")
            def n(self):
                return 2
        def h():
            return ｉｍｐｏｒｔ_module("wide.name")
        """,
    "async and nested functions": """
        async def f():
            def inner():
                return 1
            return inner
        async def g():
            from . import lazy
        """,
}


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("name", sorted(TRICKY))
def test_tricky_layouts_keep_their_facts(name: str, newline: str) -> None:
    assert_as_parsed(source(TRICKY[name]).replace("\n", newline))


def test_the_tricky_layouts_are_elided_not_all_passed_to_the_parser_whole() -> None:
    elided = [name for name in TRICKY if stand_in_lines(source(TRICKY[name]))]
    assert len(elided) >= len(TRICKY) - 2  # the scan does its job on them, it does not give up


def test_dynamic_imports_keep_their_bodies_others_go() -> None:
    text = source(TRICKY["dynamic imports"])
    lines = text.split("\n")
    assert [lines[n - 1].strip() for n in stand_in_lines(text)] == ["def g():", "def n(self):"]
    facts = extract_facts(text.encode(), clones=False)
    assert [(i.module, i.lazy) for i in facts.imports if i.dynamic] == [
        ("lazy.mod", True), ("eager.mod", False), ("default.arg", False), ("inside.m", True), ("wide.name", True)
    ]


def test_the_language_server_parses_every_line() -> None:
    data = source("import os\ndef f():\n    x = = 1\n").encode()
    assert extract_facts(data, clones=False, whole=True).problem is not None


def test_a_docstring_line_at_column_0_is_no_statement_start() -> None:
    text = source(TRICKY["docstring text at column 0"])
    lines = text.split("\n")
    assert [lines[n - 1] for n in stand_in_lines(text)] == ["def f():"]  # not_a_function is text


def test_a_bracket_continued_at_column_0_ends_no_statement() -> None:
    text = source(TRICKY["a bracket continued at column 0"])
    elision = elide(text)
    assert elision is not None
    assert "x = 1" in elision.text and "2)" not in elision.text


def test_a_lone_cr_or_a_form_feed_leaves_the_file_whole() -> None:
    assert elide(source("def f():\n    return 1\nx = 1\n").replace("\n", "\r")) is None
    assert elide(source("def f():\n    return 1\n\x0cx = 1\n")) is None
    assert elide("def f():\n    return 1\n") is None  # small: parsed whole


def test_a_syntax_error_in_what_is_parsed_is_reported() -> None:
    data = source("def f():\n    return 1\nx = (\n").encode()
    assert extract_facts(data, clones=False).problem is not None


def test_a_syntax_error_inside_an_unparsed_body_is_not_seen_with_copies_off() -> None:
    # The documented departure: the body is never parsed. With copies on, the file is parsed
    # whole (clone fingerprints need every statement), and the error is a finding.
    data = source("import os\ndef f():\n    x = = 1\n").encode()
    facts = extract_facts(data, clones=False)
    assert facts.problem is None
    assert [i.module for i in facts.imports] == ["os"]
    whole = extract_facts(data, clones=True).problem
    assert whole is not None and whole.line == 4


@pytest.mark.parametrize("quote", ['"""', "'''", '"', "'"])
def test_an_unclosed_string_in_a_body_leaves_the_rest_to_the_parser(quote: str) -> None:
    data = source(f"def f():\n    return {quote}never closed\ny = 1\n").encode()
    assert extract_facts(data, clones=False).problem is not None


def test_a_bracket_never_closed_is_looked_at_once_not_once_per_line() -> None:
    # 20,000 lines at column 0 after a def whose bracket never closes: each stretch of code is
    # looked at once (before, every candidate end re-read the statement from its start).
    text = source("def f():\n    return g(\n" + "x,\n" * 20_000 + "\ndef h():\n    return 1\n")
    assert elide(text) is None
    facts = extract_facts(text.encode(), clones=False)
    assert facts.problem is not None and "syntax error" in facts.problem.message


def test_classes_nested_past_the_parser_s_limit_are_its_to_report() -> None:
    # 300 classes inside each other, each saying import: deeper than CPython's 100 indentation
    # levels; the scan recurses into each (or gives up), the parser reports the file.
    text = source("".join("    " * depth + f"class C{depth}:\n" + "    " * (depth + 1) + "import os\n" for depth in range(300)))
    facts = extract_facts(text.encode(), clones=False)
    assert facts.problem is not None and facts.problem == extract_facts(text.encode(), clones=True).problem


def test_a_stand_in_the_parse_does_not_confirm_sends_the_file_to_the_parser_whole() -> None:
    import ast

    from archguard.analysis.read.elide import Elision

    text = 'x = """\ndef f():pass\n"""\nclass C:\n    def m():pass\n'
    tree = ast.parse(text)
    assert Elision(text, [4]).holds(tree)  # the method m
    assert Elision(text, [3, 4]).holds(tree)  # class C, method m
    assert not Elision(text, [1]).holds(tree)  # inside the string: no statement starts there


fuzz = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@fuzz
@example(program="\n\\\r\n")  # CPython reads it, libcst does not (found in CI)
@given(hypothesmith.from_grammar())
def test_generated_programs_keep_their_facts(program: str) -> None:
    text = PAD + program
    try:
        compile(text, "<generated>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return  # the departure above: only valid programs must agree
    assert_as_parsed(text)


BODY_LINES = [
    "x = 1",
    "return value",
    "'''doc",
    "text at column 0",
    "'''",
    "call(",
    "  argument,",
    ")",
    "s = 'quote \\' inside'  # comment with a \"quote",
    "import inner",
    "from . import relative",
    "def nested(self):",
    "    pass",
    "class Nested:",
    "    y = 2",
    "@decorator",
    "if cond:",
    "    z = 3",
    "total = a + \\",
    "    b",
]


@st.composite
def modules(draw: st.DrawFn) -> str:
    parts: list[str] = []
    for _ in range(draw(st.integers(1, 6))):
        header = draw(st.sampled_from(["def f{n}(self):", "class C{n}:", "async def a{n}():", "x{n} = 1", "import top{n}", "@dec\ndef d{n}():"]))
        parts.append(header.format(n=len(parts)))
        if header.endswith(":"):
            indent = draw(st.sampled_from(["    ", "\t", "  "]))
            body = draw(st.lists(st.sampled_from(BODY_LINES), min_size=1, max_size=8))
            parts.extend(indent + line if not line.startswith(("text", "'''")) else line for line in body)
    return "\n".join(parts) + "\n"


@fuzz
@given(modules())
def test_generated_modules_with_tricky_bodies_keep_their_facts(module: str) -> None:
    text = PAD + module
    try:
        compile(text, "<generated>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError):
        return
    assert_as_parsed(text)
