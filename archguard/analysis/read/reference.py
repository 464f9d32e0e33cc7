"""The reference reader: a file's facts from libcst alone.

It reads the files whose syntax the running interpreter rejects but libcst's grammar accepts
(code written for a newer Python: PEP 695 ``type`` statements and generics, PEP 701 f-strings
on 3.11), and it is the reference that the fast reader (:mod:`archguard.analysis.read.fast`)
is held to by a differential test: the same bytes give the same :class:`FileFacts`.

Everything comes from libcst's tree: the imports from its walk
(:mod:`archguard.analysis.read.imports`), positions from libcst's ``PositionProvider`` (which
re-generates the file's code: several times the parse, acceptable for the few files read
here), and the clone units from its compound statements, fingerprinted by the same token
streams as the fast reader's (:mod:`archguard.analysis.read.clones`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, TypeAlias

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from archguard.analysis.read.clones import MIN_UNIT_LINES, UnitNode, block_name
from archguard.analysis.read.facts import RawImport
from archguard.analysis.read.imports import Walker, string_literal
from archguard.analysis.read.semantics import identifier

# A statement of a body, after a line of simple statements is split into them (as ast does).
Statement: TypeAlias = cst.BaseStatement | cst.BaseSmallStatement


def parse(data: bytes) -> cst.Module:
    """libcst's tree of these bytes; raises libcst's ``ParserSyntaxError``, ``UnicodeDecodeError``..."""
    return cst.parse_module(data)


def read_module(module: cst.Module, find_dynamic: bool) -> tuple[list[RawImport], set[str], list[str] | None, Any]:
    """(imports with positions, module-level names, literal ``__all__`` or None, positions)."""
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions: Mapping[cst.CSTNode, CodeRange] = wrapper.resolve(PositionProvider)
    walk = Walker(find_dynamic).walk_module(module)
    imports: list[RawImport] = []
    for found in walk.imports:
        span = positions[found.node]
        context = found.context
        for module_name, level, names, alias in found.targets:
            imports.append(
                RawImport(
                    module_name, level, names, span.start.line, span.start.column + 1, span.end.line, context.type_checking,
                    context.lazy, context.guarded, found.kind == "dynamic", alias, found.asnames, context.module_level,
                    span.end.column + 1, context.main,
                )
            )  # fmt: skip
    all_names = None if walk.all_unknown else walk.all_names
    return imports, walk.defined_names, all_names, positions


# -- clone units ---------------------------------------------------------------------------


def _statements(suite: cst.BaseSuite | Sequence[cst.BaseStatement]) -> list[Statement]:
    """A body's statements, each line of simple statements split into them."""
    if isinstance(suite, cst.SimpleStatementSuite):
        return list(suite.body)
    body: Sequence[cst.BaseStatement] = suite.body if isinstance(suite, cst.IndentedBlock) else suite  # type: ignore[assignment]
    statements: list[Statement] = []
    for statement in body:
        if isinstance(statement, cst.SimpleStatementLine):
            statements.extend(statement.body)
        else:
            statements.append(statement)
    return statements


def _children(statement: Statement) -> list[Statement]:
    """The statements directly inside a compound statement, in document order."""
    children: list[Statement] = []
    if isinstance(statement, cst.If):
        children = _statements(statement.body)
        if isinstance(statement.orelse, cst.If):
            children.append(statement.orelse)  # an elif
        elif isinstance(statement.orelse, cst.Else):
            children.extend(_statements(statement.orelse.body))
    elif isinstance(statement, (cst.Try, cst.TryStar)):
        children = _statements(statement.body)
        for handler in statement.handlers:
            children.extend(_statements(handler.body))
        if statement.orelse is not None:
            children.extend(_statements(statement.orelse.body))
        if statement.finalbody is not None:
            children.extend(_statements(statement.finalbody.body))
    elif isinstance(statement, (cst.For, cst.While)):
        children = _statements(statement.body)
        if statement.orelse is not None:
            children.extend(_statements(statement.orelse.body))
    elif isinstance(statement, cst.With):
        children = _statements(statement.body)
    elif isinstance(statement, cst.Match):
        for case in statement.cases:
            children.extend(_statements(case.body))
    return children


_BLOCKS = (cst.If, cst.For, cst.While, cst.With, cst.Try, cst.TryStar, cst.Match)


def _block_word(statement: Statement) -> str:
    if isinstance(statement, (cst.For, cst.With)):
        word = "for" if isinstance(statement, cst.For) else "with"
        return f"async {word}" if statement.asynchronous is not None else word
    return {cst.If: "if", cst.While: "while", cst.Try: "try", cst.TryStar: "try", cst.Match: "match"}[type(statement)]


def _only_imports(statements: list[Statement]) -> bool:
    for statement in statements:
        if isinstance(statement, (cst.Import, cst.ImportFrom, cst.Pass)):
            continue
        if isinstance(statement, _BLOCKS) and _only_imports(_children(statement)):
            continue
        return False
    return True


def _is_docstring(statements: list[Statement]) -> bool:
    first = statements[0] if statements else None
    return isinstance(first, cst.Expr) and string_literal(first.value) is not None


def code_units(module: cst.Module, positions: Mapping[cst.CSTNode, CodeRange]) -> tuple[list[UnitNode], frozenset[int]]:
    """What :func:`archguard.analysis.read.clones.code_units` finds in CPython's tree, from libcst's."""
    units: list[UnitNode] = []
    docstrings: set[int] = set()

    def docstring(statements: list[Statement]) -> None:
        if _is_docstring(statements):
            docstrings.add(positions[statements[0]].start.line)

    def walk(statements: list[Statement], owner: str, in_class: bool) -> None:
        for statement in statements:
            if isinstance(statement, _BLOCKS):
                span = positions[statement]
                line, end = span.start.line, span.end.line
                children = _children(statement)
                if end - line + 1 >= MIN_UNIT_LINES and not _only_imports(children):
                    units.append(UnitNode("block", block_name(_block_word(statement), owner), line, end))
                walk(children, owner, in_class)
            elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
                span = positions[statement]
                line, end = span.start.line, span.end.line
                name = identifier(statement.name.value)
                name = f"{owner}.{name}" if owner else name
                body = _statements(statement.body)
                if end - line + 1 >= MIN_UNIT_LINES:
                    kind = "class" if isinstance(statement, cst.ClassDef) else "method" if in_class else "function"
                    units.append(UnitNode(kind, name, line, end))
                docstring(body)
                walk(body, name, isinstance(statement, cst.ClassDef))

    top = _statements(module.body)
    docstring(top)
    walk(top, "", False)
    return units, frozenset(docstrings)
