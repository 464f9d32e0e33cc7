"""The fast reader: imports, module-level names and ``__all__`` from CPython's ``ast``.

CPython's parser is written in C and builds its tree about nine times faster than libcst, with
exact positions. This reader walks the statements of that tree the way the reference reader
(:mod:`archguard.analysis.read.reference`, libcst) walks its own, statement kind by statement
kind, carrying the same :class:`~archguard.analysis.read.semantics.Context` down; a
differential test holds both to the same facts. Expressions are searched for dynamic imports
only in the places the reference searches (conditions, right-hand sides, decorators, parameter
defaults and annotations, class bases, ``with`` items, loop iterables, ``match`` subjects;
not return annotations, loop or ``with`` targets, ``case`` patterns or guards), and only in
files whose bytes mention ``import_module`` or ``__import__``.

Positions: ``ast`` counts columns in UTF-8 bytes; facts count characters (1-based).
"""

from __future__ import annotations

import ast
from dataclasses import replace

from archguard.analysis.read.facts import RawImport
from archguard.analysis.read.semantics import MODULE, Context, catches_import_error, dynamic_target, is_type_checking
from archguard.analysis.read.source import LineIndex

_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
_FOR = (ast.For, ast.AsyncFor)
_WITH = (ast.With, ast.AsyncWith)
_TRY = (ast.Try, ast.TryStar)
_TYPE_ALIAS: type[ast.stmt] | None = getattr(ast, "TypeAlias", None)


def dotted(node: ast.expr | None) -> str:
    """``a.b.c`` for a name or a chain of attributes, else ""."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        left = dotted(node.value)
        return f"{left}.{node.attr}" if left else ""
    return ""


def _string(node: ast.expr) -> str | None:
    """The value of a string literal (implicitly concatenated parts too; not an f-string)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def literal_strings(node: ast.expr) -> list[str] | None:
    """``["a", "b"]``, ``("a",) + ("b",)``...: the strings, or None when not all literal."""
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        values = []
        for element in node.elts:
            value = _string(element)
            if value is None:
                return None
            values.append(value)
        return values
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = literal_strings(node.left), literal_strings(node.right)
        if left is None or right is None:
            return None
        return left + right
    return None


def _is_main_test(test: ast.expr) -> bool:
    """``__name__ == "__main__"`` or ``"__main__" == __name__``."""
    if not isinstance(test, ast.Compare) or len(test.ops) != 1 or not isinstance(test.ops[0], ast.Eq):
        return False
    left, right = test.left, test.comparators[0]
    return any(isinstance(name, ast.Name) and name.id == "__name__" and _string(text) == "__main__" for name, text in ((left, right), (right, left)))


def _handler_catches_import_error(handler: ast.ExceptHandler) -> bool:
    if handler.type is None:
        return True  # a bare except catches ImportError too
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return any(catches_import_error(dotted(t.value if isinstance(t, ast.Starred) else t)) for t in types)


class Reader:
    """One walk over a module's statements: its imports (with positions), names and ``__all__``."""

    def __init__(self, index: LineIndex, find_dynamic: bool) -> None:
        self.index = index
        self.find_dynamic = find_dynamic
        self.imports: list[RawImport] = []
        self.defined_names: set[str] = set()
        self.all_names: list[str] | None = None
        self.all_unknown = False

    def read(self, tree: ast.Module) -> Reader:
        self.suite(tree.body, MODULE)
        return self

    # -- positions ------------------------------------------------------------------------
    def _column(self, line: int, byte_offset: int) -> int:
        return self.index.char_column(line, byte_offset)

    def _span(self, node: ast.stmt | ast.expr) -> tuple[int, int, int, int]:
        end_line = node.end_lineno or node.lineno
        end_column = self._column(end_line, node.end_col_offset) if node.end_col_offset is not None else 0
        return node.lineno, self._column(node.lineno, node.col_offset), end_line, end_column

    # -- statements -----------------------------------------------------------------------
    def suite(self, statements: list[ast.stmt], context: Context) -> None:
        for statement in statements:
            self.statement(statement, context)

    def statement(self, node: ast.stmt, context: Context) -> None:
        if isinstance(node, ast.Import):
            self._import(node, context)
        elif isinstance(node, ast.ImportFrom):
            self._import_from(node, context)
        elif isinstance(node, ast.If):
            self.expressions(node.test, context)
            inner = replace(context, type_checking=True) if is_type_checking(dotted(node.test)) else context
            if context.module_level and _is_main_test(node.test):
                inner = replace(inner, main=True)
            self.suite(node.body, inner)
            self.suite(node.orelse, context)  # an elif is an If here, as in libcst
        elif isinstance(node, _TRY):
            guarded = any(_handler_catches_import_error(h) for h in node.handlers)
            self.suite(node.body, replace(context, guarded=True) if guarded else context)
            for handler in node.handlers:
                assert isinstance(handler, ast.ExceptHandler)
                if handler.type is not None:
                    self.expressions(handler.type, context)
                catches = _handler_catches_import_error(handler)
                self.suite(handler.body, replace(context, guarded=True) if catches else context)
            self.suite(node.orelse, context)
            self.suite(node.finalbody, context)
        elif isinstance(node, _FUNCTIONS):
            if context.module_level:
                self.defined_names.add(node.name)
            if self._nothing_inside(node):
                return
            for decorator in node.decorator_list:
                self.expressions(decorator, context)
            self.expressions(node.args, context)
            self.suite(node.body, replace(context, lazy=True, module_level=False))
        elif isinstance(node, ast.ClassDef):
            if context.module_level:
                self.defined_names.add(node.name)
            if self._nothing_inside(node):
                return
            for decorator in node.decorator_list:
                self.expressions(decorator, context)
            for base in node.bases:
                self.expressions(base, context)
            for keyword in node.keywords:
                self.expressions(keyword.value, context)
            self.suite(node.body, replace(context, module_level=False))
        elif isinstance(node, _FOR):
            self.expressions(node.iter, context)
            if context.module_level:
                self._bind_target(node.target)
            self.suite(node.body, context)
            self.suite(node.orelse, context)
        elif isinstance(node, ast.While):
            self.expressions(node.test, context)
            self.suite(node.body, context)
            self.suite(node.orelse, context)
        elif isinstance(node, _WITH):
            for item in node.items:
                self.expressions(item.context_expr, context)
            self.suite(node.body, context)
        elif isinstance(node, ast.Match):
            self.expressions(node.subject, context)
            for case in node.cases:
                self.suite(case.body, context)
        else:  # a simple statement
            if context.module_level:
                self._module_level_binding(node)
            self.expressions(node, context)

    def _nothing_inside(self, node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> bool:
        """Whether a function or class can hold no fact: inside one, only imports are facts (no
        name it binds is module-level), and dynamic ones only in files that have them; an import
        statement has the word ``import`` on one of its lines. Most bodies are skipped unread."""
        return not self.find_dynamic and not self.index.mentions_import(node.lineno, node.end_lineno or node.lineno)

    def _import(self, node: ast.Import, context: Context) -> None:
        line, column, end_line, end_column = self._span(node)
        for alias in node.names:
            self.imports.append(
                RawImport(
                    alias.name, 0, (), line, column, end_line, context.type_checking, context.lazy, context.guarded, False,
                    alias.asname, (), context.module_level, end_column, context.main,
                )
            )  # fmt: skip
            if context.module_level:
                self.defined_names.add(alias.asname or alias.name.split(".")[0])

    def _import_from(self, node: ast.ImportFrom, context: Context) -> None:
        line, column, end_line, end_column = self._span(node)
        if node.names[0].name == "*":
            names: tuple[str, ...] = ("*",)
            asnames: tuple[str | None, ...] = ()
        else:
            names = tuple(alias.name for alias in node.names)
            asnames = tuple(alias.asname for alias in node.names)
            if context.module_level:
                self.defined_names.update(alias.asname or alias.name for alias in node.names)
        self.imports.append(
            RawImport(
                node.module or "", node.level or 0, names, line, column, end_line, context.type_checking, context.lazy,
                context.guarded, False, None, asnames, context.module_level, end_column, context.main,
            )
        )  # fmt: skip

    # -- module-level names ---------------------------------------------------------------
    def _bind_target(self, target: ast.expr) -> None:
        if isinstance(target, ast.Name):
            self.defined_names.add(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            for element in target.elts:
                self._bind_target(element.value if isinstance(element, ast.Starred) else element)

    def _set_all(self, names: list[str] | None, extend: bool = False) -> None:
        if names is None:
            self.all_unknown = True
        else:
            self.all_names = (self.all_names or []) + names if extend else names

    def _module_level_binding(self, node: ast.stmt) -> None:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                self._bind_target(target)
                if isinstance(target, ast.Name) and target.id == "__all__":
                    self._set_all(literal_strings(node.value))
        elif isinstance(node, ast.AnnAssign):
            self._bind_target(node.target)
            if isinstance(node.target, ast.Name) and node.target.id == "__all__" and node.value is not None:
                self._set_all(literal_strings(node.value))
        elif isinstance(node, ast.AugAssign):
            if isinstance(node.target, ast.Name) and node.target.id == "__all__":
                names = literal_strings(node.value)
                self._set_all(names if isinstance(node.op, ast.Add) else None, extend=True)
        elif _TYPE_ALIAS is not None and isinstance(node, _TYPE_ALIAS):  # "type Alias = ..." (Python 3.12+)
            self._bind_target(node.name)  # type: ignore[attr-defined]
        elif isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
            call = node.value
            func = call.func
            if isinstance(func, ast.Attribute) and dotted(func.value) == "__all__":
                plain = len(call.args) == 1 and not call.keywords and not isinstance(call.args[0], ast.Starred)
                if func.attr == "append" and plain and _string(call.args[0]) is not None:
                    self._set_all([_string(call.args[0]) or ""], extend=True)
                elif func.attr == "extend" and plain and literal_strings(call.args[0]) is not None:
                    self._set_all(literal_strings(call.args[0]), extend=True)
                else:
                    self.all_unknown = True

    # -- expressions (dynamic imports) ----------------------------------------------------
    def expressions(self, node: ast.AST, context: Context) -> None:
        """Dynamic imports in ``node``, in document order (calls in a lambda are lazy)."""
        if not self.find_dynamic:
            return
        found: list[tuple[int, int, ast.Call, bool]] = []
        stack: list[tuple[ast.AST, bool]] = [(node, context.lazy)]
        while stack:
            current, lazy = stack.pop()
            if isinstance(current, ast.Call) and current.args:
                literal = _string(current.args[0])
                if literal is not None and dynamic_target(dotted(current.func), literal) is not None:
                    found.append((current.lineno, current.col_offset, current, lazy))
            inner = lazy or isinstance(current, ast.Lambda)
            stack.extend((child, inner) for child in ast.iter_child_nodes(current))
        found.sort(key=lambda item: (item[0], item[1]))
        for _line, _column, call, lazy in found:
            literal = _string(call.args[0]) or ""
            target = dynamic_target(dotted(call.func), literal)
            assert target is not None
            line, column, end_line, end_column = self._span(call)
            self.imports.append(
                RawImport(
                    target[0], target[1], (), line, column, end_line, context.type_checking, lazy, context.guarded, True,
                    None, (), context.module_level, end_column, context.main,
                )
            )  # fmt: skip
