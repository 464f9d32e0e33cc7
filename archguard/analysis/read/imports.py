"""libcst walk: a parsed module -> its imports, flags, module-level names and ``__all__``.

The reference reader's walk (:mod:`archguard.analysis.read.reference`). It visits statements
only (imports are statements), carrying the context flags down
(:class:`~archguard.analysis.read.semantics.Context`): ``type_checking`` (inside ``if
TYPE_CHECKING:``), ``lazy`` (inside a function body), ``guarded`` (inside ``try``/``except
ImportError``), ``main`` (inside a module-level ``if __name__ == "__main__":``). Expressions
are searched for dynamic imports (``importlib.import_module("x")``, ``__import__("x")``) only
in files whose bytes mention them. The fast reader (:mod:`archguard.analysis.read.fast`) walks
CPython's tree the same way; keep the two in step.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import libcst as cst

from archguard.analysis.read.semantics import MODULE, Context, catches_import_error, dynamic_target, identifier, is_type_checking


@dataclass(slots=True)
class FoundImport:
    """An import statement (or dynamic call) found by the walk, before positions are known."""

    kind: str  # "import" | "from" | "dynamic"
    node: cst.CSTNode
    context: Context
    # (module, level, names, alias) for each import this statement makes
    targets: list[tuple[str, int, tuple[str, ...], str | None]] = field(default_factory=list)
    asnames: tuple[str | None, ...] = ()  # of a 'from' import: the name each imported name is bound to


@dataclass(slots=True)
class WalkResult:
    imports: list[FoundImport] = field(default_factory=list)
    defined_names: set[str] = field(default_factory=set)
    all_names: list[str] | None = None
    all_unknown: bool = False


def dotted_name(node: cst.BaseExpression | None) -> str:
    if node is None:
        return ""
    if isinstance(node, cst.Name):
        return identifier(node.value)
    if isinstance(node, cst.Attribute):
        left = dotted_name(node.value)
        return f"{left}.{identifier(node.attr.value)}" if left else ""
    return ""


def _is_main_test(test: cst.BaseExpression) -> bool:
    """``__name__ == "__main__"`` or ``"__main__" == __name__``."""
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    target = test.comparisons[0]
    if not isinstance(target.operator, cst.Equal):
        return False
    sides = (test.left, target.comparator)
    return any(
        isinstance(name, cst.Name) and identifier(name.value) == "__name__" and string_literal(text) == "__main__"
        for name, text in (sides, sides[::-1])
    )


def _catches_import_error(handler: cst.ExceptHandler | cst.ExceptStarHandler) -> bool:
    if handler.type is None:
        return True  # a bare except catches ImportError too
    types: list[cst.BaseExpression] = [handler.type]
    if isinstance(handler.type, cst.Tuple):
        types = [element.value for element in handler.type.elements]
    return any(catches_import_error(dotted_name(t)) for t in types)


def string_literal(node: cst.BaseExpression) -> str | None:
    """The value of a string literal (implicitly concatenated parts too; not an f-string)."""
    if isinstance(node, cst.SimpleString):
        try:
            value = ast.literal_eval(node.value)
        except (ValueError, SyntaxError):
            return None
        return value if isinstance(value, str) else None
    if isinstance(node, cst.ConcatenatedString):
        concatenated = node.evaluated_value
        return concatenated if isinstance(concatenated, str) else None
    return None


def _plain_argument(call: cst.Call) -> cst.BaseExpression | None:
    """The value of a call's first argument when it is positional (no keyword, no star)."""
    if not call.args or call.args[0].keyword is not None or call.args[0].star:
        return None
    return call.args[0].value


def dynamic_import_target(call: cst.Call) -> tuple[str, int] | None:
    """(module, level) of ``importlib.import_module("x")`` / ``__import__("x")`` with a literal."""
    argument = _plain_argument(call)
    literal = string_literal(argument) if argument is not None else None
    return dynamic_target(dotted_name(call.func), literal) if literal is not None else None


class Walker:
    """Walks statements of a parsed module, collecting imports and module-level names."""

    def __init__(self, find_dynamic: bool) -> None:
        self.find_dynamic = find_dynamic
        self.result = WalkResult()

    # -- statements -------------------------------------------------------------------
    def walk_module(self, module: cst.Module) -> WalkResult:
        for statement in module.body:
            self.statement(statement, MODULE)
        return self.result

    def suite(self, suite: cst.BaseSuite, context: Context) -> None:
        if isinstance(suite, cst.IndentedBlock):
            for statement in suite.body:
                self.statement(statement, context)
        elif isinstance(suite, cst.SimpleStatementSuite):
            self.small_statements(suite.body, context)

    def statement(self, node: cst.BaseStatement, context: Context) -> None:
        if isinstance(node, cst.SimpleStatementLine):
            self.small_statements(node.body, context)
        elif isinstance(node, cst.If):
            self.expressions(node.test, context)
            inner = replace(context, type_checking=True) if is_type_checking(dotted_name(node.test)) else context
            if context.module_level and _is_main_test(node.test):
                inner = replace(inner, main=True)
            self.suite(node.body, inner)
            if isinstance(node.orelse, cst.If):
                self.statement(node.orelse, context)
            elif isinstance(node.orelse, cst.Else):
                self.suite(node.orelse.body, context)
        elif isinstance(node, (cst.Try, cst.TryStar)):
            guarded = any(_catches_import_error(h) for h in node.handlers)
            self.suite(node.body, replace(context, guarded=True) if guarded else context)
            for handler in node.handlers:
                if handler.type is not None:
                    self.expressions(handler.type, context)
                catches = _catches_import_error(handler)
                self.suite(handler.body, replace(context, guarded=True) if catches else context)
            if node.orelse is not None:
                self.suite(node.orelse.body, context)
            if node.finalbody is not None:
                self.suite(node.finalbody.body, context)
        elif isinstance(node, cst.FunctionDef):
            if context.module_level:
                self.result.defined_names.add(identifier(node.name.value))
            for decorator in node.decorators:
                self.expressions(decorator.decorator, context)
            self.expressions(node.params, context)
            self.suite(node.body, replace(context, lazy=True, module_level=False))
        elif isinstance(node, cst.ClassDef):
            if context.module_level:
                self.result.defined_names.add(identifier(node.name.value))
            for decorator in node.decorators:
                self.expressions(decorator.decorator, context)
            for arg in (*node.bases, *node.keywords):
                self.expressions(arg.value, context)
            self.suite(node.body, replace(context, module_level=False))
        elif isinstance(node, (cst.For, cst.While)):
            if isinstance(node, cst.For):
                self.expressions(node.iter, context)
                if context.module_level:
                    self._bind_target(node.target)
            else:
                self.expressions(node.test, context)
            self.suite(node.body, context)
            if node.orelse is not None:
                self.suite(node.orelse.body, context)
        elif isinstance(node, cst.With):
            for item in node.items:
                self.expressions(item.item, context)
            self.suite(node.body, context)
        elif isinstance(node, cst.Match):
            self.expressions(node.subject, context)
            for case in node.cases:
                self.suite(case.body, context)
        else:  # a compound statement this walker does not know: still look inside
            for child in node.children:
                if isinstance(child, cst.BaseSuite):
                    self.suite(child, context)
                elif isinstance(child, cst.BaseStatement):
                    self.statement(child, context)
                else:
                    self.expressions(child, context)

    def small_statements(self, statements: Sequence[cst.BaseSmallStatement], context: Context) -> None:
        for small in statements:
            if isinstance(small, cst.Import):
                found = FoundImport("import", small, context)
                for alias in small.names:
                    module = dotted_name(alias.name)
                    as_name = dotted_name(alias.asname.name) if alias.asname and isinstance(alias.asname.name, cst.Name) else None
                    found.targets.append((module, 0, (), as_name))
                    if context.module_level:
                        self.result.defined_names.add(as_name or module.split(".")[0])
                self.result.imports.append(found)
            elif isinstance(small, cst.ImportFrom):
                module = dotted_name(small.module) if small.module is not None else ""
                level = len(small.relative)
                asnames: tuple[str | None, ...] = ()
                if isinstance(small.names, cst.ImportStar):
                    names: tuple[str, ...] = ("*",)
                else:
                    names = tuple(dotted_name(alias.name) for alias in small.names)
                    asnames = tuple(
                        identifier(alias.asname.name.value) if alias.asname and isinstance(alias.asname.name, cst.Name) else None
                        for alias in small.names
                    )
                    if context.module_level:
                        for alias in small.names:
                            bound = alias.asname.name if alias.asname else alias.name
                            if isinstance(bound, cst.Name):
                                self.result.defined_names.add(identifier(bound.value))
                found = FoundImport("from", small, context, asnames=asnames)
                found.targets.append((module, level, names, None))
                self.result.imports.append(found)
            else:
                if context.module_level:
                    self._module_level_binding(small)
                self.expressions(small, context)

    # -- module-level names -------------------------------------------------------------
    def _bind_target(self, target: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self.result.defined_names.add(identifier(target.value))
        elif isinstance(target, (cst.Tuple, cst.List)):
            for element in target.elements:
                self._bind_target(element.value)

    def _set_all(self, names: list[str] | None, extend: bool = False) -> None:
        if names is None:
            self.result.all_unknown = True
        else:
            self.result.all_names = (self.result.all_names or []) + names if extend else names

    def _module_level_binding(self, small: cst.BaseSmallStatement) -> None:
        if isinstance(small, cst.Assign):
            for target in small.targets:
                self._bind_target(target.target)
                if isinstance(target.target, cst.Name) and identifier(target.target.value) == "__all__":
                    self._set_all(_literal_strings(small.value))
        elif isinstance(small, cst.AnnAssign):
            self._bind_target(small.target)
            if isinstance(small.target, cst.Name) and identifier(small.target.value) == "__all__" and small.value is not None:
                self._set_all(_literal_strings(small.value))
        elif isinstance(small, cst.AugAssign):
            if isinstance(small.target, cst.Name) and identifier(small.target.value) == "__all__":
                names = _literal_strings(small.value)
                self._set_all(names if isinstance(small.operator, cst.AddAssign) else None, extend=True)
        elif isinstance(small, cst.TypeAlias):
            self._bind_target(small.name)
        elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
            call = small.value
            func = call.func
            if isinstance(func, cst.Attribute) and dotted_name(func.value) == "__all__":
                argument = _plain_argument(call) if len(call.args) == 1 else None
                method = identifier(func.attr.value)
                if method == "append" and argument is not None and string_literal(argument) is not None:
                    self._set_all([string_literal(argument) or ""], extend=True)
                elif method == "extend" and argument is not None and _literal_strings(argument) is not None:
                    self._set_all(_literal_strings(argument), extend=True)
                else:
                    self.result.all_unknown = True

    # -- expressions (dynamic imports) ----------------------------------------------------
    def expressions(self, node: cst.CSTNode, context: Context) -> None:
        if not self.find_dynamic:
            return
        stack: list[tuple[cst.CSTNode, Context]] = [(node, context)]
        # Depth-first, children in source order, so calls come out in document order.
        while stack:
            current, current_context = stack.pop()
            if isinstance(current, cst.Call):
                target = dynamic_import_target(current)
                if target is not None:
                    found = FoundImport("dynamic", current, current_context)
                    found.targets.append((target[0], target[1], (), None))
                    self.result.imports.append(found)
            child_context = replace(current_context, lazy=True) if isinstance(current, cst.Lambda) else current_context
            stack.extend((child, child_context) for child in reversed(current.children))


def _literal_strings(node: cst.BaseExpression) -> list[str] | None:
    if isinstance(node, (cst.List, cst.Tuple, cst.Set)):
        values = []
        for element in node.elements:
            if isinstance(element, (cst.StarredElement,)):
                return None
            value = string_literal(element.value)
            if value is None:
                return None
            values.append(value)
        return values
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        left, right = _literal_strings(node.left), _literal_strings(node.right)
        if left is None or right is None:
            return None
        return left + right
    return None
