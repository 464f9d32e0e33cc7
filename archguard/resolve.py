"""Raw imports -> import sites: which module each import statement depends on.

- Relative imports are resolved against the importing module's package.
- ``from a import b`` depends on module ``a.b`` when it exists, else on ``a``.
- ``import a.b.c`` depends on ``a.b.c`` (or its longest existing ancestor).
- Anything outside the analysed packages is ``external:<top-level name>``; the standard
  library is recognised (``stdlib``) and is never a violation unless a rule names it.
- ``from __future__ import ...`` is a compiler directive, not a dependency: left out.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass

from archguard.extract.facts import RawImport

STDLIB = frozenset(sys.stdlib_module_names)
EXTERNAL = "external:"


@dataclass(frozen=True, slots=True)
class ImportSite:
    """One dependency: importer module -> imported module, where and how."""

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


class Resolver:
    """Resolves raw imports of a set of modules (a pure function of the module set)."""

    def __init__(self, modules: Iterable[str]) -> None:
        self.modules = frozenset(modules)
        self.tops = frozenset(m.split(".")[0] for m in self.modules)

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
        # (imported module, requested name, names) for this statement
        targets: dict[str, tuple[str, list[str]]] = {}
        if raw.names and not raw.dynamic:
            for name in raw.names:
                if name != "*":
                    submodule = f"{base}.{name}"
                    if submodule in self.modules:
                        entry = targets.setdefault(submodule, (submodule, []))
                        entry[1].append(name)
                        continue
                imported = self.target(base)
                entry = targets.setdefault(imported, (base, []))
                entry[1].append(name)
        else:
            targets[self.target(base)] = (base, [])
        sites = []
        for imported, (requested, names) in targets.items():
            if imported == importer:
                continue  # "from . import x" inside x's own package __init__ naming itself
            sites.append(
                ImportSite(
                    importer=importer,
                    imported=imported,
                    path=path,
                    line=raw.line,
                    column=raw.column,
                    end_line=raw.end_line,
                    text=import_text(raw, names or None),
                    requested=requested,
                    names=tuple(names),
                    type_checking=raw.type_checking,
                    lazy=raw.lazy,
                    guarded=raw.guarded,
                    dynamic=raw.dynamic,
                )
            )
        return sites
