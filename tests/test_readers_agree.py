"""Differential test: the fast reader (CPython's ast) and the reference reader (libcst) agree.

Both must give the same :class:`FileFacts` for the same bytes: imports with positions and
flags, module-level names, ``__all__``, pragmas and clone fingerprints. Checked on every
Python source the tests write (the fake packages and snippets in tests/, harvested from their
source), the examples, generated programs (hypothesmith, and a generator of every import form
in every context), and a sample of the standard library. ``python -m benchmarks.readers``
runs the same comparison over the whole standard library, Django and SQLAlchemy.
"""

from __future__ import annotations

import ast
import dataclasses
import os
import sys
import sysconfig
import textwrap
from collections.abc import Iterator
from pathlib import Path

import hypothesmith
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archguard.analysis.read import extract_facts, reference_facts
from archguard.analysis.read.facts import FileFacts
from tests.helpers import REPO
from tests.importlinter_cases import packages

FUZZ = int(os.environ.get("ARCHGUARD_FUZZ_EXAMPLES", "60"))
fuzz = settings(max_examples=FUZZ, deadline=None, suppress_health_check=list(HealthCheck))
# Helpers of the tests whose string argument is a source file.
SOURCE_HELPERS = frozenset({"facts_of", "units_of", "unit", "extract_facts", "write_source"})


def assert_same_facts(data: bytes) -> None:
    fast, reference = extract_facts(data), reference_facts(data)
    if reference.problem is not None and fast.problem is None and libcst_rejects(data):
        return  # valid Python that libcst's parser cannot read: nothing to compare with
    assert fast == reference, describe(data, fast, reference)
    # With copies off, bodies that cannot hold a fact are left unparsed (read/elide.py): the
    # same facts, except that a syntax error inside such a body is not seen.
    lean, expected = extract_facts(data, clones=False), dataclasses.replace(reference, extra=())
    if not (reference.problem is not None and lean.problem is None):
        assert lean == expected, describe(data, lean, expected)


def libcst_rejects(data: bytes) -> bool:
    import libcst

    try:
        libcst.parse_module(data)
    except Exception:  # noqa: BLE001 - a syntax error, a validation error, a recursion error...
        return True
    return False


def describe(data: bytes, fast: FileFacts, reference: FileFacts) -> str:
    lines = [f"source: {data[:2000]!r}"]
    for name in ("imports", "pragmas", "problem", "line_count", "defined_names", "all_names", "extra"):
        if getattr(fast, name) != getattr(reference, name):
            lines += [f"{name} differ:", f"  fast:      {getattr(fast, name)!r}"[:3000], f"  reference: {getattr(reference, name)!r}"[:3000]]
    return "\n".join(lines)


# --- every source the tests write ------------------------------------------------------------


def _constant_text(node: ast.expr) -> str | bytes | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)):
        return node.value
    return None


def harvested_sources() -> Iterator[tuple[str, bytes]]:
    """The Python files of the fake packages the tests write (``{"shop/api.py": "..."}``) and the
    snippets they hand to the extractor, as the tests write them (dedented)."""
    for test_file in sorted((REPO / "tests").glob("*.py")):
        tree = ast.parse(test_file.read_bytes())
        for node in ast.walk(tree):
            found: list[tuple[str, str | bytes]] = []
            if isinstance(node, ast.Dict):
                for key, value in zip(node.keys, node.values, strict=True):
                    name = _constant_text(key) if key is not None else None
                    text = _constant_text(value)
                    if isinstance(name, str) and name.endswith(".py") and text is not None:
                        found.append((name, text))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in SOURCE_HELPERS and node.args:
                text = _constant_text(node.args[0])
                if text is not None:
                    found.append((node.func.id, text))
            for name, text in found:
                data = text if isinstance(text, bytes) else textwrap.dedent(text).lstrip("\n").encode("utf-8", "surrogatepass")
                yield f"{test_file.name}:{node.lineno} {name}", data


HARVESTED = list(harvested_sources())


def test_the_harvest_finds_the_tests_fixtures() -> None:
    assert len(HARVESTED) > 300  # the fake packages of every test module, not a handful
    assert any(b"TYPE_CHECKING" in data for _, data in HARVESTED)


@pytest.mark.parametrize("chunk", range(4))
def test_readers_agree_on_every_test_fixture(chunk: int) -> None:
    for where, data in HARVESTED[chunk::4]:
        try:
            assert_same_facts(data)
        except AssertionError as error:
            raise AssertionError(f"{where}\n{error}") from None


def test_readers_agree_on_the_examples() -> None:
    sources = sorted((REPO / "examples").rglob("*.py"))
    assert sources
    for path in sources:
        assert_same_facts(path.read_bytes())


def test_readers_agree_on_a_sample_of_the_standard_library() -> None:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    files = sorted(p for p in stdlib.rglob("*.py") if "site-packages" not in p.parts)
    sample = files[:: max(1, len(files) // 40)]
    assert len(sample) >= 30
    for path in sample:
        try:
            assert_same_facts(path.read_bytes())
        except AssertionError as error:
            raise AssertionError(f"{path}\n{error}") from None


# --- generated programs ----------------------------------------------------------------------

SIMPLE = [
    "import a",
    "import a.b as c, d",
    "import ｕnicode_name",
    "from . import x",
    "from ..pkg.mod import (y as z,\n    w)",
    "from ... import *",
    "from __future__ import annotations",
    'importlib.import_module("dyn.a")',
    'x = __import__("dyn.b") or import_module("..rel")',
    'f = lambda m=import_module("lazy.a"): import_module("lazy.b")',
    'v = f"{import_module(\'fstring\')}"',
    '__all__ = ["a", "b" "c"]',
    '__all__ += ("d",)',
    '__all__.append("e")',
    '__all__.extend(["f"] + ["g"])',
    "__all__ = names()",
    "__all__: list[str] = []",
    "name, *rest = value",
    "counter: int",
    "x = 1; import semi",
    "del a[import_module('deleted')]",
    "# archguard: ignore[layers] a reason",
    "import b  # archguard: ignore",
    '"""docstring"""',
    "pass",
    "return_value = [\n    1,\n    2,\n]",
]
COMPOUND = [
    "if TYPE_CHECKING:",
    "if typing.TYPE_CHECKING:",
    'if __name__ == "__main__":',
    "if '__main__' == __name__:",
    "if condition:",
    "def function(a=import_module('default'), *args, **kwargs) -> import_module('returns'):",
    "async def coroutine():",
    "@decorator(import_module('decorator'))\ndef decorated():",
    "class Thing(Base, metaclass=import_module('meta')):",
    "for item in import_module('iterated'):",
    "async for item in items:",
    "while import_module('loop'):",
    "with import_module('managed') as managed, other:",
    "try:",
    "match import_module('subject'):\n    case [1, *rest] if import_module('guard'):",
]
HANDLERS = ["except ImportError:", "except (ValueError, ModuleNotFoundError):", "except Exception as error:", "except KeyError:", "except:"]


@st.composite
def blocks(draw: st.DrawFn, depth: int = 0) -> list[str]:
    lines: list[str] = []
    for _ in range(draw(st.integers(1, 4))):
        if depth < 3 and draw(st.booleans()):
            header = draw(st.sampled_from(COMPOUND))
            body = draw(blocks(depth + 1))
            lines.extend(header.splitlines())
            indent = "        " if header.startswith("match") else "    "
            lines.extend(indent + line for line in body)
            if header == "try:":
                handlers = draw(st.lists(st.sampled_from(HANDLERS), min_size=1, max_size=2, unique=True))
                for handler in sorted(handlers, key=lambda h: h == "except:"):  # a bare except comes last
                    lines.append(handler)
                    lines.extend("    " + line for line in draw(blocks(depth + 1)))
                if draw(st.booleans()):
                    lines.append("finally:")
                    lines.extend("    " + line for line in draw(blocks(depth + 1)))
            elif header.startswith("if") and draw(st.booleans()):
                lines.append(draw(st.sampled_from(["else:", "elif other:", 'elif __name__ == "__main__":'])))
                lines.extend("    " + line for line in draw(blocks(depth + 1)))
        else:
            lines.extend(draw(st.sampled_from(SIMPLE)).splitlines())
    return lines


@st.composite
def programs(draw: st.DrawFn) -> bytes:
    lines = draw(blocks())
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    return (newline.join(lines) + newline).encode("utf-8")


@fuzz
@given(programs())
def test_readers_agree_on_every_import_form_in_every_context(data: bytes) -> None:
    assert_same_facts(data)


@fuzz
@given(packages())
def test_readers_agree_on_generated_packages(case: tuple[list, dict[str, str]]) -> None:
    modules, extra = case
    for module in modules:
        assert_same_facts(("\n".join(module.statements) + "\n").encode())
    for name, text in extra.items():
        if name.endswith(".py"):
            assert_same_facts(text.encode())


@fuzz
@given(hypothesmith.from_grammar())
def test_readers_agree_on_grammar_generated_programs(source: str) -> None:
    assert_same_facts(source.encode("utf-8", errors="surrogatepass"))


@fuzz
@given(hypothesmith.from_node())
def test_readers_agree_on_node_generated_programs(source: str) -> None:
    assert_same_facts(source.encode("utf-8"))


# --- bodies the fast reader skips unread ---------------------------------------------------------

SKIPPED_BODIES = [
    # The fast reader does not walk a function or class whose lines never say "import": every
    # import statement inside one has that word on one of the lines it spans.
    "def f(): import os\n",
    "def f():\n    from a \\\n        import b\n",
    "@decorate(x)\nclass C:\n    def m(self):\n        class D:\n            def n(self):\n                import deep.inner\n",
    "def f():\n    return 1\nclass C:\n    x = 'no word here'\n\ndef g():\n    import late\n",
    "def f():\n    s = 'import'  # a word in a string is no import\n    return s\n",
    "def caf\u00e9(x='\u00e9'):\n    import os.path as p\n    return p\n",
    "if True:\n    def f():\n        pass\n    import after\n",
    "async def f():\n    async with x:\n        from . import rel\n",
]


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
@pytest.mark.parametrize("source", SKIPPED_BODIES)
def test_readers_agree_where_the_fast_reader_skips_bodies(source: str, newline: str) -> None:
    assert_same_facts(source.replace("\n", newline).encode("utf-8"))


def test_an_import_inside_a_function_is_found_by_the_fast_reader() -> None:
    facts = extract_facts(b"def f():\n    return 1\n\n\ndef g():\n    x = 1\n    import late\n")
    assert [(i.module, i.line, i.lazy) for i in facts.imports] == [("late", 7, True)]


# --- what only libcst reads --------------------------------------------------------------------


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="the running interpreter reads PEP 695 itself")
def test_pep_695_file_is_read_by_libcst_with_its_imports_and_no_problem() -> None:
    source = b"type Alias = list[int]\nimport os\ndef first[T](items: list[T]) -> T:\n    import json\n    value = items[0]\n    return value\n"
    with pytest.raises(SyntaxError):
        ast.parse(source)
    facts = extract_facts(source)
    assert facts.problem is None
    assert [(i.module, i.line, i.column, i.lazy) for i in facts.imports] == [("os", 2, 1, False), ("json", 4, 5, True)]
    assert facts.defined_names == ("Alias", "first", "os")
    units = facts.get_extra("clones")[2]
    assert [(u[0], u[1], u[2], u[3]) for u in units] == [("function", "first", 3, 6)]


@pytest.mark.skipif(sys.version_info >= (3, 12), reason="the running interpreter reads PEP 695 itself")
def test_a_check_of_a_pep_695_module_finds_its_imports_and_reports_no_parse_error(tmp_path: Path) -> None:
    from tests.helpers import make_project, run_check

    root = make_project(
        tmp_path,
        {
            "shop/__init__.py": "",
            "shop/domain.py": "type Money = int\ndef total[T](items: list[T]) -> T:\n    from shop.api import views\n    return items[0]\n",
            "shop/api.py": "views = 1\n",
        },
        '[components]\napi = { modules = ["shop.api"] }\ndomain = { modules = ["shop.domain"] }\nroot = { modules = ["shop:*"] }\n'
        '[[rules]]\nkind = "layers"\nlayers = ["api", "domain"]\n',
    )
    result = run_check(root)
    assert [f.rule for f in result.findings if f.rule == "parse-error"] == []
    assert [(f.rule, f.importer, f.imported, f.line) for f in result.findings] == [("layers", "shop.domain", "shop.api", 3)]
