"""Extraction: one pure function from a file's bytes to its :class:`FileFacts`.

Two readers produce the same facts. The fast reader (:mod:`archguard.analysis.read.fast`)
reads CPython's ``ast``: every file the running interpreter can parse. The reference reader
(:mod:`archguard.analysis.read.reference`) reads libcst's tree: the files whose syntax this
interpreter rejects but libcst's grammar accepts (code for a newer Python), and, in the
differential test, every file, to hold the fast reader to it. libcst is imported only when
a file needs it, so a run that parses only ordinary files never loads it.

Never raises for anything a file can contain: a syntax error, undecodable bytes, NUL bytes
or a nesting depth that exhausts the parser all become a ``problem`` with a position.
"""

from __future__ import annotations

import ast
import re
import warnings
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from archguard.analysis.read.facts import FACTS_FORMAT, FileFacts, ParseProblem, RawImport
from archguard.analysis.read.pragmas import find_pragmas
from archguard.analysis.read.source import LineIndex, decode_source, source_encoding

if TYPE_CHECKING:
    from archguard.analysis.read.clones import UnitNode

# The readers' revision, bumped when the same bytes give other facts (cached facts are then
# read again): r2, pragmas and the token scan count a lone CR as a line end, as CPython does;
# r3, with copies off a syntax error inside a body left unparsed is not a problem (read/elide.py).
EXTRACTOR_VERSION = f"facts{FACTS_FORMAT}-r3"

__all__ = ["EXTRACTOR_VERSION", "extract_facts", "extractor_settings", "find_pragmas", "reference_facts"]

UnitFinder = Callable[[], "tuple[list[UnitNode], frozenset[int]]"]


def extractor_settings(clones: bool = True) -> str:
    """The facts cache key for these extraction settings (clone fingerprints on or off)."""
    if not clones:
        return EXTRACTOR_VERSION
    from archguard.analysis.read.clones import CLONES_VERSION  # (a run without copies needs none of it)

    return f"{EXTRACTOR_VERSION}+{CLONES_VERSION}"


def extract_facts(data: bytes, clones: bool = True, whole: bool = False) -> FileFacts:
    """The facts of one file. Pure: the same bytes (and settings) always give the same facts.

    Read with CPython's parser; with libcst when the running interpreter rejects the syntax.
    ``clones``: also compute the clone fingerprints (:mod:`archguard.analysis.read.clones`).
    Without them, the bodies that cannot hold a fact are not parsed
    (:mod:`archguard.analysis.read.elide`), unless ``whole``: the language server parses every
    line it shows, to report a syntax error wherever it is typed.
    """
    return _guarded(lambda data, clones: _fast(data, clones, whole), data, clones)


def reference_facts(data: bytes, clones: bool = True) -> FileFacts:
    """The facts of one file from libcst's tree only: what :func:`extract_facts` must give."""
    return _guarded(_reference, data, clones)


def _guarded(read: Callable[[bytes, bool], FileFacts], data: bytes, clones: bool) -> FileFacts:
    try:
        return read(data, clones)
    except RecursionError:
        return FileFacts(problem=ParseProblem("too deeply nested to analyse (recursion limit reached)"))
    except MemoryError:
        return FileFacts(problem=ParseProblem("too large to analyse (out of memory)"))
    except Exception as error:  # noqa: BLE001 - any failure on hostile input is a finding, never a crash
        return FileFacts(problem=ParseProblem(f"cannot analyse: {type(error).__name__}: {error}"))


def _nul_problem(data: bytes) -> FileFacts | None:
    if b"\x00" not in data:
        return None
    line = data.count(b"\n", 0, data.index(b"\x00")) + 1
    return FileFacts(problem=ParseProblem("file contains a NUL byte (not Python source)", line, 1))


def _parse_ast(data: bytes) -> ast.Module | SyntaxError | FileFacts:
    """CPython's tree; or its syntax error (maybe syntax newer than this Python: libcst decides);
    or the facts of a file no parser should be given (nesting deep enough to overflow the native
    libcst parser's stack, which would kill the process)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for invalid escapes and the like
            return ast.parse(data)
    except (RecursionError, MemoryError):
        return _scanned(data, ParseProblem("too deeply nested to analyse (the parser's nesting limit was reached)"))
    except SyntaxError as error:
        if "too many nested" in str(error.msg) or "too many levels of indentation" in str(error.msg):
            return _scanned(data, ParseProblem(f"syntax error: {error.msg}", error.lineno or 1, error.offset or 1))
        return error
    except ValueError as error:  # e.g. source that cannot be decoded
        return SyntaxError(str(error))


def _parse_elided(data: bytes) -> tuple[ast.Module, str] | None:
    """The tree of the file with the bodies that cannot hold a fact left unparsed
    (:mod:`archguard.analysis.read.elide`), and the file's text; None where the whole file is to
    be parsed (a small file, another encoding than UTF-8, nothing to leave out, a syntax error
    in what is left, or a stand-in the parse does not confirm)."""
    from archguard.analysis.read.elide import MIN_SIZE, elide

    if len(data) < MIN_SIZE or source_encoding(data) not in ("utf-8", "utf-8-sig"):
        return None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if text.startswith("\ufeff"):
        text = text[1:]
    try:
        elision = elide(text)
    except RecursionError:  # classes nested deeper than the scan recurses: the parser decides
        return None
    if elision is None:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(elision.text)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    return (tree, text) if elision.holds(tree) else None


def _scanned(data: bytes, problem: ParseProblem) -> FileFacts:
    """The facts of a file the parsers give up on (too deep, too large): still reported as a
    problem, with the imports a token scan finds (:mod:`archguard.analysis.read.scan`)."""
    from archguard.analysis.read.scan import scan_imports

    try:
        imports = scan_imports(data)
        text = data.decode("utf-8", errors="replace")
        pragmas = tuple(find_pragmas(text))
    except (RecursionError, MemoryError, ValueError):
        return FileFacts(problem=problem)
    if not imports:
        return FileFacts(problem=problem, pragmas=pragmas)
    found = f"{len(imports)} import{'s' * (len(imports) != 1)} found by a token scan"
    return FileFacts(
        imports=imports,
        pragmas=pragmas,
        problem=ParseProblem(f"{problem.message}; {found}", problem.line, problem.column),
        line_count=text.count("\n") + 1,
    )


# A call of import_module or __import__ whose first argument starts with a string literal.
# Only files with such a call are searched for dynamic imports (expressions are most of a
# tree: searching them all would cost as much as the rest of the walk). Both readers use
# this gate, so a call the text hides from it (a comment before the literal) counts in neither.
_DYNAMIC_CALL = re.compile(rb"(?:import_module|__import__)\s*\)?\s*\(\s*[(\s]*[rRuU]?['\"]")


def _find_dynamic(data: bytes) -> bool:
    # (the names first: a substring search is ten times faster than the pattern's, and most files have neither)
    return (b"import_module" in data or b"__import__" in data) and _DYNAMIC_CALL.search(data) is not None


def _fast(data: bytes, clones: bool, whole: bool = False) -> FileFacts:
    from archguard.analysis.read.fast import Reader

    problem = _nul_problem(data)
    if problem is not None:
        return problem
    dynamic = _find_dynamic(data)
    elided = None if clones or whole else _parse_elided(data)
    if elided is not None:
        tree, text = elided
    else:
        parsed = _parse_ast(data)
        if isinstance(parsed, FileFacts):
            return parsed
        if isinstance(parsed, SyntaxError):
            return _reference(data, clones, parsed)
        tree, text = parsed, decode_source(data, source_encoding(data))
    index = LineIndex(text)
    reader = Reader(index, dynamic).read(tree)
    all_names = None if reader.all_unknown else reader.all_names

    def units() -> tuple[list[UnitNode], frozenset[int]]:
        from archguard.analysis.read.clones import code_units

        return code_units(tree)

    return _facts(reader.imports, reader.defined_names, all_names, text, index, data, units if clones else None)


def _reference(data: bytes, clones: bool, ast_error: SyntaxError | None = None) -> FileFacts:
    import libcst as cst  # only here: a run that parses only ordinary files never loads libcst

    from archguard.analysis.read import reference

    problem = _nul_problem(data)
    if problem is not None:
        return problem
    if ast_error is None:
        checked = _parse_ast(data)
        if isinstance(checked, FileFacts):
            return checked
        ast_error = checked if isinstance(checked, SyntaxError) else None
    try:
        module = reference.parse(data)
    except (cst.ParserSyntaxError, cst.CSTValidationError) as error:
        if ast_error is not None and ast_error.lineno:
            # CPython's message and position are the precise ones.
            return FileFacts(problem=ParseProblem(f"syntax error: {ast_error.msg}", ast_error.lineno, ast_error.offset or 1))
        if isinstance(error, cst.CSTValidationError):
            return FileFacts(problem=ParseProblem(f"syntax error: {error}"))
        return FileFacts(problem=ParseProblem(f"syntax error: {error.message}", error.editor_line, error.editor_column))
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return FileFacts(problem=ParseProblem(f"cannot decode the file: {error.reason} (byte {error.start})", line, 1))
    except (LookupError, SyntaxError) as error:  # unknown encoding cookie
        return FileFacts(problem=ParseProblem(f"cannot decode the file: {error}", getattr(error, "lineno", None) or 1, 1))
    text = decode_source(data, module.encoding)
    index = LineIndex(text)
    imports, defined, all_names, positions = reference.read_module(module, _find_dynamic(data))
    return _facts(imports, defined, all_names, text, index, data, (lambda: reference.code_units(module, positions)) if clones else None)


def _facts(
    imports: list[RawImport],
    defined: Iterable[str],
    all_names: list[str] | None,
    text: str,
    index: LineIndex,
    data: bytes,
    units: UnitFinder | None,
) -> FileFacts:
    extra: tuple[tuple[str, Any], ...] = ()
    if units is not None:
        from archguard.analysis.read.clones import FACT_KEY, fingerprint_units

        extra = ((FACT_KEY, fingerprint_units(units, text, data)),)
    return FileFacts(
        imports=tuple(imports),
        pragmas=tuple(find_pragmas(text)),
        problem=None,
        line_count=index.line_count,
        defined_names=tuple(sorted(defined)),
        all_names=tuple(all_names) if all_names is not None else None,
        extra=extra,
    )
