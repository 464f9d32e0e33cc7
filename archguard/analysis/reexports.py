"""Which object a module-level name refers to, by following re-exports statically.

``shop/billing/api.py`` saying ``from shop.billing.internal.invoices import Invoice`` makes
``shop.billing.api.Invoice`` the very object defined in ``shop.billing.internal.invoices``:
its *origin* is ``("defined", "shop.billing.internal.invoices", "Invoice")``. Two names are
interchangeable in an import exactly when their origins are equal, which is what ``archguard
fix`` checks before it points an import at a component's public module.

Only what is certain counts. The bindings of a module are read with ``ast`` (the file is
parsed, never imported): module-level ``def``/``class``/assignments are definitions, module-
level imports are re-exports (``from x import n`` / ``from x import n as m`` /
``import a.b``), a ``from x import *`` exports what ``x`` exports (its ``__all__``, else its
public names). Imports under ``if TYPE_CHECKING:`` bind nothing at run time and are left out.
A name bound in several ways that disagree, or bound where archguard cannot see, has no
origin (``None``), and nothing is rewritten for it.
"""

from __future__ import annotations

import ast
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

Origin = tuple[str, ...]  # ("defined", module, name) | ("module", module) | ("external", module, name)
MAX_DEPTH = 8  # re-export chains longer than this are not followed


@dataclass
class Bindings:
    """What one module binds at module level."""

    names: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)  # origins, or ("from", base, name)
    stars: list[str] = field(default_factory=list)  # absolute modules star-imported
    all_names: tuple[str, ...] | None = None
    parsed: bool = True


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def absolute_base(module: str, is_package: bool, level: int, name: str | None) -> str | None:
    """The absolute module of ``from <level dots><name> import ...`` written in ``module``."""
    if level == 0:
        return name
    parts = module.split(".") if is_package else module.split(".")[:-1]
    if level - 1 > len(parts) or (level - 1 == len(parts)):
        return None
    parts = parts[: len(parts) - (level - 1)]
    return ".".join([*parts, *([name] if name else [])])


def _targets(node: ast.expr) -> Iterable[str]:
    if isinstance(node, ast.Name):
        yield node.id
    elif isinstance(node, (ast.Tuple, ast.List)):
        for element in node.elts:
            yield from _targets(element)
    elif isinstance(node, ast.Starred):
        yield from _targets(node.value)


def read_bindings(source: bytes, module: str, is_package: bool) -> Bindings:
    """The module-level bindings of a module's source (parse errors: ``parsed = False``)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return Bindings(parsed=False)
    bindings = Bindings()

    def bind(name: str, what: tuple[str, ...]) -> None:
        bindings.names.setdefault(name, []).append(what)

    def walk(statements: list[ast.stmt]) -> None:
        for statement in statements:
            if isinstance(statement, ast.ImportFrom):
                base = absolute_base(module, is_package, statement.level or 0, statement.module)
                for alias in statement.names:
                    if alias.name == "*":
                        if base:
                            bindings.stars.append(base)
                        continue
                    bind(alias.asname or alias.name, ("from", base or "", alias.name))
            elif isinstance(statement, ast.Import):
                for alias in statement.names:
                    if alias.asname:
                        bind(alias.asname, ("module", alias.name))
                    else:
                        top = alias.name.split(".")[0]
                        bind(top, ("module", top))
            elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                bind(statement.name, ("defined", module, statement.name))
            elif isinstance(statement, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
                if isinstance(statement, ast.AnnAssign) and statement.value is None:
                    continue  # an annotation alone binds nothing
                for target in targets:
                    for name in _targets(target):
                        bind(name, ("defined", module, name))
                        if name == "__all__":
                            bindings.all_names = _literal_names(statement.value)
            elif isinstance(statement, ast.If):
                if not _is_type_checking(statement.test):
                    walk(statement.body)
                walk(statement.orelse)
            elif isinstance(statement, (ast.Try, ast.TryStar)):
                walk(statement.body)
                for handler in statement.handlers:
                    walk(handler.body)
                walk(statement.orelse)
                walk(statement.finalbody)
            elif isinstance(statement, (ast.For, ast.AsyncFor)):
                for name in _targets(statement.target):
                    bind(name, ("defined", module, name))
                walk(statement.body)
                walk(statement.orelse)
            elif isinstance(statement, (ast.While,)):
                walk(statement.body)
                walk(statement.orelse)
            elif isinstance(statement, (ast.With, ast.AsyncWith)):
                for item in statement.items:
                    if item.optional_vars is not None:
                        for name in _targets(item.optional_vars):
                            bind(name, ("defined", module, name))
                walk(statement.body)
            elif isinstance(statement, ast.Match):
                for case in statement.cases:
                    walk(case.body)
            elif isinstance(statement, ast.Expr):
                for node in ast.walk(statement):
                    if isinstance(node, ast.NamedExpr):
                        bind(node.target.id, ("defined", module, node.target.id))

    walk(tree.body)
    return bindings


def _literal_names(node: ast.expr | None) -> tuple[str, ...] | None:
    if isinstance(node, (ast.List, ast.Tuple)) and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
        return tuple(e.value for e in node.elts)  # type: ignore[attr-defined]
    return None


class Origins:
    """Origins of names in the analysed modules; sources are read lazily through ``read``."""

    def __init__(self, modules: Mapping[str, bool], read: Callable[[str], bytes | None]) -> None:
        """``modules``: every analysed module -> whether it is a package; ``read(module)``: its bytes."""
        self.modules = modules
        self.read = read
        self._bindings: dict[str, Bindings] = {}

    def bindings(self, module: str) -> Bindings:
        cached = self._bindings.get(module)
        if cached is None:
            source = self.read(module)
            cached = read_bindings(source, module, self.modules[module]) if source is not None else Bindings(parsed=False)
            self._bindings[module] = cached
        return cached

    def imported(self, base: str, name: str, depth: int = 0) -> Origin | None:
        """The origin of ``name`` in ``from base import name``."""
        submodule = f"{base}.{name}"
        if submodule in self.modules:
            return ("module", submodule)
        if base in self.modules:
            return self.of(base, name, depth + 1)
        return ("external", base, name)

    def exports(self, module: str, name: str) -> bool:
        """Whether ``from module import *`` binds ``name``."""
        bindings = self.bindings(module)
        if bindings.all_names is not None:
            return name in bindings.all_names
        if name.startswith("_"):
            return False
        return name in bindings.names or any(self.exports(s, name) for s in bindings.stars if s in self.modules)

    def of(self, module: str, name: str, depth: int = 0) -> Origin | None:
        """The origin of ``module.name``, or None when it is not certain."""
        if depth > MAX_DEPTH or module not in self.modules:
            return None
        bindings = self.bindings(module)
        if not bindings.parsed:
            return None
        found = bindings.names.get(name)
        starred = [s for s in bindings.stars if s not in self.modules or self.exports(s, name)]
        if not found:
            if len(starred) == 1 and starred[0] in self.modules:
                return self.of(starred[0], name, depth + 1)
            return None
        if starred:
            return None  # bound explicitly and maybe by a star import too: which one wins depends on the order
        origins: set[Origin | None] = set()
        for binding in found:
            if binding[0] == "from":
                origins.add(self.imported(binding[1], binding[2], depth) if binding[1] else None)
            else:
                origins.add(binding)
        if len(origins) != 1:
            return None
        return origins.pop()
