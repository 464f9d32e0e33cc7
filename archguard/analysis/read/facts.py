"""Per-file facts: what one file's bytes say, independent of where the file lives.

Facts are immutable values and a pure function of (bytes, extractor settings); that is what
makes them cacheable. Resolution of relative imports and of ``from a import b`` needs the
file's module name and the set of modules, so it happens later (:mod:`archguard.analysis.resolve`).
Each class converts to and from plain tuples for the cache (:mod:`archguard.analysis.cache`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

FACTS_FORMAT = 3  # bump when the shape or meaning of facts changes


class RawImport(NamedTuple):
    """One import as written: ``from ..a import b, c`` is module "a", level 2, names (b, c).

    A named tuple (as :class:`archguard.analysis.resolve.ImportSite`): a warm run builds one per import
    of the tree from the cache, and a tuple is built several times faster than a frozen
    dataclass."""

    module: str  # dotted name as written, without leading dots ("" for "from . import x")
    level: int  # number of leading dots (0: absolute)
    names: tuple[str, ...]  # imported names of a 'from' import ("*" for a star); () for 'import a.b'
    line: int  # 1-based
    column: int  # 1-based, in characters
    end_line: int
    type_checking: bool = False  # inside 'if TYPE_CHECKING:'
    lazy: bool = False  # inside a function or method body
    guarded: bool = False  # inside try/except ImportError
    dynamic: bool = False  # importlib.import_module("x") / __import__("x")
    alias: str | None = None  # "c" in "import a.b as c"
    # One entry per name of a 'from' import: the name it is bound to ("Inv" in "import Invoice
    # as Inv"), None when it keeps its own name.
    asnames: tuple[str | None, ...] = ()
    module_level: bool = False  # not inside a function or class body: it binds a module-level name
    end_column: int = 0  # 1-based column just after the statement's last character, on end_line
    main: bool = False  # inside a module-level 'if __name__ == "__main__":' block

    def to_tuple(self) -> tuple[Any, ...]:
        return tuple(self)

    @classmethod
    def from_tuple(cls, data: tuple[Any, ...]) -> RawImport:
        module, level, names, line, column, end_line, tc, lazy, guarded, dynamic, alias, asnames, module_level, end_column, main = data
        return cls(
            module, level, tuple(names), line, column, end_line, tc, lazy, guarded, dynamic, alias, tuple(asnames), module_level, end_column, main
        )

    def bindings(self) -> tuple[Binding, ...]:
        """The module-level names this import binds at run time (none for imports inside functions
        or classes, or under ``if TYPE_CHECKING:``)."""
        if not self.module_level or self.dynamic or self.type_checking:
            return ()
        if not self.names:  # "import a.b" binds "a" to module a; "import a.b as c" binds "c" to a.b
            if self.alias:
                return (Binding(self.alias, self.module, self.level, ""),)
            top = self.module.split(".")[0]
            return (Binding(top, top, 0, ""),)
        asnames = self.asnames or (None,) * len(self.names)
        return tuple(Binding(asname or name, self.module, self.level, name) for name, asname in zip(self.names, asnames, strict=False))


@dataclass(frozen=True, slots=True)
class Binding:
    """A module-level name bound by an import: ``from .models import Invoice as Inv`` binds
    "Inv" from (module "models", level 1, name "Invoice")."""

    name: str  # the name bound in the importing module ("*" for a star import)
    module: str  # the module it comes from, as written, without leading dots
    level: int  # leading dots of a relative import
    source: str  # the name looked up in that module; "" when the name is the module itself; "*" for a star


@dataclass(frozen=True, slots=True)
class Pragma:
    """``# archguard: ignore[rule, other] reason`` on one line."""

    line: int
    rules: tuple[str, ...]  # () means every rule
    reason: str

    def to_tuple(self) -> tuple[Any, ...]:
        return (self.line, self.rules, self.reason)

    @classmethod
    def from_tuple(cls, data: tuple[Any, ...]) -> Pragma:
        line, rules, reason = data
        return cls(line, tuple(rules), reason)


@dataclass(frozen=True, slots=True)
class ParseProblem:
    """Why a file could not be analysed, with the position when there is one."""

    message: str
    line: int = 1
    column: int = 1

    def to_tuple(self) -> tuple[Any, ...]:
        return (self.message, self.line, self.column)

    @classmethod
    def from_tuple(cls, data: tuple[Any, ...]) -> ParseProblem:
        message, line, column = data
        return cls(message, line, column)


@dataclass(frozen=True, slots=True)
class FileFacts:
    """What one file says, as the rules read it: its imports, pragmas, bound names and parse problem."""

    imports: tuple[RawImport, ...] = ()
    pragmas: tuple[Pragma, ...] = ()
    problem: ParseProblem | None = None
    line_count: int = 0
    # Names bound at module level and the literal __all__ (None when not statically known).
    defined_names: tuple[str, ...] = ()
    all_names: tuple[str, ...] | None = None
    # Room for facts added by other extractors (clone fingerprints, ...): name -> plain data.
    extra: tuple[tuple[str, Any], ...] = ()

    def to_tuple(self) -> tuple[Any, ...]:
        return (
            tuple(i.to_tuple() for i in self.imports),
            tuple(p.to_tuple() for p in self.pragmas),
            self.problem.to_tuple() if self.problem else None,
            self.line_count,
            self.defined_names,
            self.all_names,
            self.extra,
        )

    @classmethod
    def from_tuple(cls, data: tuple[Any, ...]) -> FileFacts:
        imports, pragmas, problem, line_count, defined, all_names, extra = data
        return cls(
            imports=tuple(RawImport.from_tuple(i) for i in imports),
            pragmas=tuple(Pragma.from_tuple(p) for p in pragmas),
            problem=ParseProblem.from_tuple(problem) if problem else None,
            line_count=line_count,
            defined_names=tuple(defined),
            all_names=tuple(all_names) if all_names is not None else None,
            extra=tuple((k, v) for k, v in extra),
        )

    def bindings(self) -> tuple[Binding, ...]:
        """Module-level names bound by imports, in source order (a later binding of a name wins)."""
        return tuple(binding for raw in self.imports for binding in raw.bindings())

    def exported_names(self) -> frozenset[str]:
        """What ``from module import *`` gives: the literal ``__all__``, else the public names."""
        if self.all_names is not None:
            return frozenset(self.all_names)
        return frozenset(name for name in self.defined_names if not name.startswith("_"))

    def get_extra(self, name: str) -> Any:
        for key, value in self.extra:
            if key == name:
                return value
        return None


# The problem of a file whose worker died even alone. The death may be the machine's (out of
# memory, a process that could not start), not the file's: such facts are never cached.
CRASHED = "the parser crashed on this file (pathological nesting?); not analysed"


def cacheable(facts: FileFacts) -> bool:
    """Whether these facts are a function of the file's bytes alone (see :data:`CRASHED`)."""
    return facts.problem is None or facts.problem.message != CRASHED
