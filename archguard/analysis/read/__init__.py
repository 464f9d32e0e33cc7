"""Extraction: one pure function from a file's bytes to its :class:`FileFacts`.

Never raises for anything a file can contain: a syntax error, undecodable bytes, NUL bytes
or a nesting depth that exhausts the parser all become a ``problem`` with a position.
"""

from __future__ import annotations

import ast
import re
import tokenize
import warnings
from io import StringIO

from archguard.analysis.read.clones import CLONES_VERSION
from archguard.analysis.read.facts import FACTS_FORMAT, FileFacts, ParseProblem, Pragma, RawImport

EXTRACTOR_VERSION = f"facts{FACTS_FORMAT}"


def extractor_settings(clones: bool = True) -> str:
    """The facts cache key for these extraction settings (clone fingerprints on or off)."""
    return f"{EXTRACTOR_VERSION}+{CLONES_VERSION}" if clones else EXTRACTOR_VERSION

_PRAGMA = re.compile(r"#\s*archguard:\s*ignore(?:\[([^\]]*)\])?(.*)$")


def extract_facts(data: bytes, clones: bool = True) -> FileFacts:
    """The facts of one file. Pure: the same bytes (and settings) always give the same facts.

    ``clones``: also compute the clone fingerprints (:mod:`archguard.analysis.read.clones`).
    """
    try:
        return _extract(data, clones)
    except RecursionError:
        return FileFacts(problem=ParseProblem("too deeply nested to analyse (recursion limit reached)"))
    except MemoryError:
        return FileFacts(problem=ParseProblem("too large to analyse (out of memory)"))
    except Exception as error:  # noqa: BLE001 - any failure on hostile input is a finding, never a crash
        return FileFacts(problem=ParseProblem(f"cannot analyse: {type(error).__name__}: {error}"))


def _extract(data: bytes, clones: bool = True) -> FileFacts:
    import libcst as cst  # imported here so a fully cached run never loads libcst

    from archguard.analysis.read.imports import Walker
    from archguard.analysis.read.positions import LineIndex, Span, ast_imports, search_spans

    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        return FileFacts(problem=ParseProblem("file contains a NUL byte (not Python source)", line, 1))
    # CPython's parser first: it is fast, gives exact positions, and refuses nesting deep
    # enough to overflow the native libcst parser's stack (which would kill the process).
    tree: ast.Module | None
    ast_error: SyntaxError | None = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # SyntaxWarning for invalid escapes and the like
            tree = ast.parse(data)
    except (RecursionError, MemoryError):
        return FileFacts(problem=ParseProblem("too deeply nested to analyse (the parser's nesting limit was reached)"))
    except SyntaxError as error:
        if "too many nested" in str(error.msg) or "too many levels of indentation" in str(error.msg):
            return FileFacts(problem=ParseProblem(f"syntax error: {error.msg}", error.lineno or 1, error.offset or 1))
        tree, ast_error = None, error  # maybe syntax newer than this Python: libcst decides
    except ValueError:
        tree = None
    try:
        module = cst.parse_module(data)
    except cst.ParserSyntaxError as error:
        if ast_error is not None and ast_error.lineno:
            # CPython's message and position are the precise ones.
            return FileFacts(problem=ParseProblem(f"syntax error: {ast_error.msg}", ast_error.lineno, ast_error.offset or 1))
        return FileFacts(problem=ParseProblem(f"syntax error: {error.message}", error.editor_line, error.editor_column))
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return FileFacts(problem=ParseProblem(f"cannot decode the file: {error.reason} (byte {error.start})", line, 1))
    except (LookupError, SyntaxError) as error:  # unknown encoding cookie
        return FileFacts(problem=ParseProblem(f"cannot decode the file: {error}", getattr(error, "lineno", None) or 1, 1))

    text = data.decode(module.encoding, errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    index = LineIndex(text)
    find_dynamic = b"import_module" in data or b"__import__" in data
    candidates = ast_imports(tree, index, find_dynamic) if tree is not None else None
    # CPython's tree says how many dynamic import calls with a literal there are (a superset of
    # those libcst accepts: it also counts concatenated strings); the libcst walk stops searching
    # expressions once it has found that many, and does not search at all when there are none.
    budget = sum(1 for candidate in candidates if candidate.kind == "dynamic") if candidates is not None else None
    walk = Walker(find_dynamic and budget != 0, dynamic_budget=budget).walk_module(module)

    spans: list[Span] | None = None
    if tree is not None and candidates is not None:
        spans = []
        j = 0
        for found in walk.imports:
            key = _ast_key(found)
            while j < len(candidates) and (candidates[j].kind, candidates[j].key) != (found.kind, key):
                j += 1
            if j == len(candidates):
                spans = None
                break
            spans.append(candidates[j].span)
            j += 1
    if spans is None:
        spans = search_spans([module.code_for_node(found.node).strip() for found in walk.imports], index)

    imports: list[RawImport] = []
    for found, span in zip(walk.imports, spans, strict=True):
        context = found.context
        for module_name, level, names, alias in found.targets:
            imports.append(
                RawImport(
                    module=module_name,
                    level=level,
                    names=names,
                    line=span.line,
                    column=span.column,
                    end_line=span.end_line,
                    type_checking=context.type_checking,
                    lazy=context.lazy,
                    guarded=context.guarded,
                    dynamic=found.kind == "dynamic",
                    alias=alias,
                    asnames=found.asnames,
                    module_level=context.module_level,
                    end_column=span.end_column,
                    main=context.main,
                )
            )
    all_names = None if walk.all_unknown or walk.all_names is None else tuple(walk.all_names)
    extra: tuple[tuple[str, object], ...] = ()
    if clones and tree is not None:  # without an ast (syntax newer than this Python) there are no units
        from archguard.analysis.read.clones import FACT_KEY, clone_facts

        extra = ((FACT_KEY, clone_facts(tree, text, data)),)
    return FileFacts(
        imports=tuple(imports),
        pragmas=tuple(find_pragmas(text)),
        problem=None,
        line_count=index.line_count,
        defined_names=tuple(sorted(walk.defined_names)),
        all_names=all_names,
        extra=extra,
    )


def _ast_key(found: object) -> str:
    from archguard.analysis.read.imports import FoundImport

    assert isinstance(found, FoundImport)
    module, level, _names, _alias = found.targets[0]
    if found.kind == "import":
        return module
    if found.kind == "from":
        return "." * level + module
    return found.literal


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
            for token in tokenize.generate_tokens(StringIO(text).readline)
            if token.type == tokenize.COMMENT and "archguard:" in token.string
        }
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return sorted(candidates.values(), key=lambda p: p.line)
    return [candidates[n] for n in sorted(candidates) if n in comment_lines]
