"""What both readers agree on: the context flags an import carries and the shapes they recognise.

The fast reader (:mod:`archguard.analysis.read.fast`, CPython's ``ast``) and the reference
reader (:mod:`archguard.analysis.read.reference`, libcst) walk the same statements and must
produce the same facts; the rules they share live here, as plain functions of names and
strings, so that neither reader imports the other's parser.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

# A handler that catches one of these guards the imports of its ``try`` (and its own body).
CATCHES_IMPORT_ERROR = frozenset({"ImportError", "ModuleNotFoundError", "Exception", "BaseException"})
# Calls that import a module named by their first argument.
DYNAMIC_FUNCTIONS = frozenset({"__import__", "import_module", "importlib.import_module", "builtins.__import__"})


@dataclass(frozen=True, slots=True)
class Context:
    """Where a statement sits: the flags every import found in it carries."""

    type_checking: bool = False  # inside 'if TYPE_CHECKING:'
    lazy: bool = False  # inside a function body (or a lambda)
    guarded: bool = False  # inside try/except ImportError
    module_level: bool = True  # not inside a function or class body
    main: bool = False  # inside a module-level 'if __name__ == "__main__":' block


MODULE = Context()


def identifier(name: str) -> str:
    """A name as Python binds it: NFKC-normalised (``ﬁle`` is ``file``), as CPython's parser does."""
    return name if name.isascii() else unicodedata.normalize("NFKC", name)


def is_type_checking(dotted: str) -> bool:
    """The test of an ``if`` that only type checkers take: ``TYPE_CHECKING``, ``typing.TYPE_CHECKING``."""
    return dotted == "TYPE_CHECKING" or dotted.endswith(".TYPE_CHECKING")


def catches_import_error(dotted: str) -> bool:
    """Whether an ``except`` naming this exception (dotted name as written) catches ImportError."""
    return dotted.rsplit(".", 1)[-1] in CATCHES_IMPORT_ERROR


def dynamic_target(function: str, literal: str) -> tuple[str, int] | None:
    """(module, level) that ``function(literal)`` imports, or None when it is no dynamic import:
    ``importlib.import_module("x")``, ``import_module("..x")`` (relative), ``__import__("x")``."""
    if function not in DYNAMIC_FUNCTIONS or not literal:
        return None
    level = len(literal) - len(literal.lstrip("."))
    if level and function in ("__import__", "builtins.__import__"):
        return None
    return literal[level:], level
