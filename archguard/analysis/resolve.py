"""Raw imports -> import sites: which module each import statement depends on.

- Relative imports are resolved against the importing module's package.
- ``from a import b`` depends on module ``a.b`` when it exists, else on ``a``.
- ``import a.b.c`` depends on ``a.b.c`` (or its longest existing ancestor).
- Anything outside the analysed packages is ``external:<top-level name>``; the standard
  library is recognised (``stdlib``) and is never a violation unless a rule names it.
- ``from __future__ import ...`` is a compiler directive, not a dependency: left out.
- Re-exports through ``__init__.py`` are followed when the resolver is given a
  :class:`NameIndex`: ``from shop.billing import Invoice``, where ``shop/billing/__init__.py``
  does ``from .models import Invoice``, depends on ``shop.billing`` (whose ``__init__`` runs)
  and also on ``shop.billing.models``: a second site with ``via=("shop.billing",)``. Without
  a name index (import-linter's semantics) there is no second site.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from typing import NamedTuple

from archguard.analysis.read.facts import Binding, FileFacts, RawImport

# The standard library, and ``_typeshed``: the standard library's typing-only module (it exists in
# the type checkers' stubs only, so code imports it inside ``if TYPE_CHECKING:``).
STDLIB = frozenset(sys.stdlib_module_names) | {"_typeshed"}
EXTERNAL = "external:"


class ImportSite(NamedTuple):
    """One dependency: importer module -> imported module, where and how.

    A named tuple, not a frozen dataclass: a run builds one per import of the tree (126,000
    for 20,000 modules), and a tuple is built several times faster."""

    importer: str  # "shop.orders.service"
    imported: str  # "shop.billing.models" or "external:requests"
    path: str  # importer's file, relative to the project root (posix)
    line: int
    column: int
    end_line: int
    text: str  # the import as written, normalised: "from .models import Invoice"
    requested: str  # full dotted module that was asked for ("django.db.models")
    names: tuple[str, ...] = ()  # names imported from the module, if a 'from' import
    type_checking: bool = False
    lazy: bool = False
    guarded: bool = False
    dynamic: bool = False
    # Names looked up as attributes of the module the statement names ("Invoice" in "from
    # shop.billing.api import Invoice"); () when the import names a module ("import a.b",
    # "from shop.billing import api" where api is a submodule); ("*",) for a star import.
    symbols: tuple[str, ...] = ()
    # Packages whose __init__ re-exported the names, in the order they were passed through:
    # "from shop.billing import Invoice" that resolved to shop.billing.models has via ("shop.billing",).
    via: tuple[str, ...] = ()
    main: bool = False  # inside a module-level 'if __name__ == "__main__":' block

    @property
    def named_module(self) -> str:
        """The module the statement names (the first ``via`` package, else the imported module)."""
        return self.via[0] if self.via else self.imported

    @property
    def external(self) -> bool:
        return self.imported.startswith(EXTERNAL)

    @property
    def stdlib(self) -> bool:
        return self.external and self.imported[len(EXTERNAL) :] in STDLIB

    @property
    def flags(self) -> tuple[str, ...]:
        return tuple(
            name
            for name, value in (
                ("type-checking", self.type_checking),
                ("lazy", self.lazy),
                ("guarded", self.guarded),
                ("dynamic", self.dynamic),
                ("main", self.main),
            )
            if value
        )


def import_text(raw: RawImport, names: Iterable[str] | None = None) -> str:
    """The import statement, normalised (one line, single spaces)."""
    if raw.dynamic:
        prefix = "." * raw.level
        return f'import_module("{prefix}{raw.module}")'
    if not raw.names:
        return f"import {raw.module}" + (f" as {raw.alias}" if raw.alias else "")
    shown = list(names) if names is not None else list(raw.names)
    return f"from {'.' * raw.level}{raw.module} import {', '.join(shown)}"


def site_of(
    raw: RawImport,
    importer: str,
    imported: str,
    path: str,
    requested: str,
    names: Iterable[str] = (),
    symbols: Iterable[str] = (),
    via: tuple[str, ...] = (),
) -> ImportSite:
    """The import site of one raw import statement resolved to ``imported`` (both resolutions)."""
    names = tuple(names)
    # (every field in order: _make builds the tuple without a call of __new__ with 16 keywords)
    return ImportSite._make(
        (
            importer,
            imported,
            path,
            raw.line,
            raw.column,
            raw.end_line,
            import_text(raw, names or None),
            requested,
            names,
            raw.type_checking,
            raw.lazy,
            raw.guarded,
            raw.dynamic,
            tuple(symbols),
            via,
            raw.main,
        )
    )


def package_of(module: str, is_package: bool) -> str:
    if is_package:
        return module
    return module.rpartition(".")[0]


def absolute_module(raw: RawImport, importer: str, is_package: bool) -> str | None:
    """The absolute dotted name an import asks for; None if it climbs above the top level."""
    if raw.level == 0:
        return raw.module
    base = package_of(importer, is_package)
    parts = base.split(".") if base else []
    climb = raw.level - 1
    if climb > len(parts) or (not parts and raw.level > 0):
        return None
    parts = parts[: len(parts) - climb] if climb else parts
    if not parts:
        return None
    return ".".join(parts + ([raw.module] if raw.module else []))


def via_text(via: tuple[str, ...]) -> str:
    """``through shop.billing's __init__`` / ``through the __init__ of shop, shop.billing``."""
    if len(via) == 1:
        return f"through {via[0]}'s __init__"
    return f"through the __init__ of {', '.join(via)}"


MAX_REEXPORT_DEPTH = 8  # __init__ files followed for one name; deeper (or cyclic) chains stop


class NameIndex:
    """Module-level names of the analysed modules: what each binds by import, what it exports.

    A pure function of the facts; it answers "where does name N of module M come from" by
    following ``from .x import N`` bindings (and star imports) from module to module.
    """

    def __init__(self, facts: Mapping[str, FileFacts], packages: Iterable[str]) -> None:
        self.facts = facts
        self.modules = frozenset(facts)
        self.packages = frozenset(packages)
        self._bindings: dict[str, tuple[dict[str, Binding], list[Binding]]] = {}

    def _bindings_of(self, module: str) -> tuple[dict[str, Binding], list[Binding]]:
        cached = self._bindings.get(module)
        if cached is None:
            named: dict[str, Binding] = {}
            stars: list[Binding] = []
            facts = self.facts.get(module)
            for binding in facts.bindings() if facts is not None else ():
                if binding.source == "*":
                    stars.append(binding)
                else:
                    named[binding.name] = binding
            cached = self._bindings[module] = (named, stars)
        return cached

    def exports(self, module: str) -> frozenset[str]:
        """What ``from module import *`` gives: its literal ``__all__``, else its public names."""
        facts = self.facts.get(module)
        return facts.exported_names() if facts is not None else frozenset()

    def defines(self, module: str, name: str) -> bool:
        """True when the module binds the name at module level (by definition, assignment or import)."""
        facts = self.facts.get(module)
        if facts is None:
            return False
        if name in facts.defined_names:
            return True
        return any(name in self.exports(self._absolute(star, module) or "") for star in self._bindings_of(module)[1])

    def _absolute(self, binding: Binding, module: str) -> str | None:
        raw = RawImport(binding.module, binding.level, (), 0, 0, 0)
        return absolute_module(raw, module, module in self.packages)

    def binding_target(self, module: str, name: str) -> tuple[str, str] | None:
        """(module, name) that ``name`` of ``module`` is imported from, or None when the module
        defines it itself (or it comes from outside the analysed modules). The returned name is
        "" when it is the module itself."""
        named, stars = self._bindings_of(module)
        binding = named.get(name)
        if binding is None:
            for star in reversed(stars):
                base = self._absolute(star, module)
                if base in self.modules and name in self.exports(base):
                    return base, name
            return None
        base = self._absolute(binding, module)
        if base is None:
            return None
        if not binding.source:
            return (base, "") if base in self.modules else None
        submodule = f"{base}.{binding.source}"
        if submodule in self.modules:
            return submodule, ""
        if base in self.modules:
            return base, binding.source
        return None

    def origin(self, module: str, name: str, *, packages_only: bool = True) -> tuple[str, tuple[str, ...]] | None:
        """Where ``from module import name`` really leads: (the module that defines the name,
        the modules passed through). Only through packages' ``__init__`` unless
        ``packages_only`` is false. None when the name is not re-exported."""
        via: list[str] = []
        current, current_name = module, name
        seen: set[tuple[str, str]] = set()
        while len(via) < MAX_REEXPORT_DEPTH and current_name:
            if packages_only and current not in self.packages:
                break
            if (current, current_name) in seen:
                break
            seen.add((current, current_name))
            target = self.binding_target(current, current_name)
            if target is None:
                break
            via.append(current)
            current, current_name = target
        if not via:
            return None
        return current, tuple(via)


class Resolver:
    """Resolves raw imports of a set of modules (a pure function of the module set and, when
    re-exports are followed, of the name index)."""

    def __init__(self, modules: Iterable[str], names: NameIndex | None = None) -> None:
        self.modules = frozenset(modules)
        self.tops = frozenset(m.split(".")[0] for m in self.modules)
        self.names = names

    def internal_target(self, name: str) -> str | None:
        """The longest existing analysed module that ``name`` is or is inside."""
        if name.split(".")[0] not in self.tops:
            return None
        candidate = name
        while candidate:
            if candidate in self.modules:
                return candidate
            candidate = candidate.rpartition(".")[0]
        return None

    def target(self, name: str) -> str:
        internal = self.internal_target(name)
        if internal is not None:
            return internal
        return EXTERNAL + name.split(".")[0]

    def resolve(self, raw: RawImport, importer: str, is_package: bool, path: str) -> list[ImportSite]:
        base = absolute_module(raw, importer, is_package)
        if base is None or base == "__future__" or base.startswith("__future__."):
            return []
        if not base:
            return []
        # (imported module, via) -> (requested name, names, symbols) for this statement
        targets: dict[tuple[str, tuple[str, ...]], tuple[str, list[str], list[str]]] = {}
        if raw.names and not raw.dynamic:
            for name in raw.names:
                if name != "*":
                    submodule = f"{base}.{name}"
                    if submodule in self.modules:
                        entry = targets.setdefault((submodule, ()), (submodule, [], []))
                        entry[1].append(name)
                        continue
                imported = self.target(base)
                entry = targets.setdefault((imported, ()), (base, [], []))
                entry[1].append(name)
                entry[2].append(name)
                if self.names is not None and name != "*" and imported == base:
                    # A re-exported name: also a dependency on the module that defines it.
                    origin = self.names.origin(base, name)
                    if origin is not None and origin[0] != importer:
                        entry = targets.setdefault(origin, (base, [], []))
                        entry[1].append(name)
                        entry[2].append(name)
        else:
            targets[(self.target(base), ())] = (base, [], [])
        sites = []
        for (imported, via), (requested, names, symbols) in targets.items():
            if imported == importer:
                continue  # "from . import x" inside x's own package __init__ naming itself
            sites.append(site_of(raw, importer, imported, path, requested, names, symbols, via))
        return sites
