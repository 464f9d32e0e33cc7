"""Raw imports -> import sites, the way import-linter (grimp) counts them.

Used with ``[project] resolution = "import-linter"`` (and for every import-linter
configuration). Where grimp differs from :mod:`archguard.analysis.resolve`, this module follows grimp:

- each imported *name* is an import: ``from a import b, c`` asks for ``a.b`` and ``a.c``; each is
  the module itself when it exists, else its parent (one level up only, never further);
  ``import a.b.c`` likewise resolves to ``a.b.c`` or ``a.b``, never to ``a``;
- ``importlib.import_module("x")`` and ``__import__("x")`` are invisible (grimp reads import
  statements only);
- anything else is external and only in the graph when ``include_external_packages`` is on; it
  is then *squashed* to its top-level package (``django.db.models`` -> ``django``), except that a
  name which looks internal but does not exist (``pkg.gone.x``) becomes an import of the root
  package ``pkg``, and ``from __future__ import x`` an import of ``__future__``;
- a module may import itself (``from . import name`` in a package's ``__init__``);
- relative imports that climb above the top-level package are dropped (grimp fails on them).

Namespace-package portions as root packages (``ns.foo``) follow grimp's rule for external
names that share the namespace: ``ns.bar.x`` is squashed to ``ns.bar``.
"""

from __future__ import annotations

from collections.abc import Iterable

from archguard.analysis.read.facts import RawImport
from archguard.analysis.resolve import EXTERNAL, ImportSite, site_of


def requested_names(raw: RawImport) -> list[tuple[str, str]]:
    """(name as grimp sees it, the imported name) for each import of a statement.

    ``from ..a import b`` -> [("..a.b", "b")]; ``import a.b`` -> [("a.b", "")].
    """
    prefix = "." * raw.level
    if not raw.names:
        return [(prefix + raw.module, "")]
    base = prefix + raw.module
    if raw.module:
        return [(f"{base}.{name}", name) for name in raw.names]
    return [(base + name, name) for name in raw.names]


def absolute_name(name: str, importer: str, is_package: bool) -> str | None:
    """grimp's resolution of a relative name; None when it climbs above the top level."""
    dots = len(name) - len(name.lstrip("."))
    if not dots:
        return name
    parts = importer.split(".")
    keep = len(parts) - dots + (1 if is_package else 0)
    if keep <= 0:
        return None
    return ".".join(parts[:keep]) + "." + name[dots:]


class ImportLinterResolver:
    """Resolves raw imports like grimp, for one set of modules (a pure function of it)."""

    def __init__(
        self,
        modules: Iterable[str],
        namespaces: Iterable[str] = (),
        root_packages: Iterable[str] = (),
        *,
        include_external: bool = False,
    ) -> None:
        self.modules = frozenset(modules)  # modules with a file: the only ones imports resolve to
        self.nodes = self.modules | frozenset(namespaces)
        self.root_packages = tuple(sorted(set(root_packages)))
        self.include_external = include_external

    def internal_target(self, name: str) -> str | None:
        if name in self.modules:
            return name
        parent = name.rpartition(".")[0]
        if parent and parent in self.modules:
            return parent
        return None

    def external_target(self, name: str) -> str | None:
        """The graph node for a name that is not an internal module (None: not in the graph)."""
        if not self.include_external:
            return None
        distilled = self.distill(name)
        if distilled is None or not distilled:
            return None
        if distilled in self.nodes or any(distilled == p or distilled.startswith(p + ".") for p in self.root_packages):
            return distilled
        return EXTERNAL + distilled

    def distill(self, name: str) -> str | None:
        """grimp's squashing of an external name to the package that stands for it."""
        top = name.split(".")[0]
        if any(package.startswith(name + ".") for package in self.root_packages):
            return None  # an ancestor of a root package: a namespace, not an import
        candidates: set[str] = set()
        for package in self.root_packages:
            if not package.startswith(top + "."):
                continue
            internal, external = package.split("."), name.split(".")
            common: list[str] = []
            while internal and external and internal[0] == external[0]:
                common.append(external.pop(0))
                internal.pop(0)
            if not internal or not external:
                return None  # grimp fails on these names
            common.append(external[0])
            candidates.add(".".join(common))
        if candidates:
            return max(candidates, key=lambda c: (c.count("."), c))
        return top

    def resolve(self, raw: RawImport, importer: str, is_package: bool, path: str, *, dynamic: bool = False) -> list[ImportSite]:
        """The import sites of one statement; a dynamic import only with ``dynamic`` (as an
        ``import`` statement of its literal would be), since grimp does not see them.

        (:func:`requested_names` and :func:`absolute_name` for each name, computed once per
        statement: a warm check resolves every import of the tree, 8,700 on SQLAlchemy.)"""
        if raw.dynamic and not dynamic:
            return []
        module, level, names = raw.module, raw.level, raw.names
        if level:
            parts = importer.split(".")
            keep = len(parts) - level + (1 if is_package else 0)
            if keep <= 0:
                return []  # climbs above the top level: grimp drops it
            root = ".".join(parts[:keep])
            base = f"{root}.{module}"
            prefix = f"{base}." if module else f"{root}."
        else:
            base = module
            prefix = f"{module}." if module else ""
        modules = self.modules
        if not names:
            requests: list[tuple[str, str]] = [(base, "")]
        else:
            requests = [(prefix + name, name) for name in names]
        targets: dict[str, tuple[str, list[str]]] = {}
        for absolute, imported_name in requests:
            if absolute in modules:
                target = absolute
            else:
                parent = absolute.rpartition(".")[0]
                found = parent if parent and parent in modules else self.external_target(absolute)
                if found is None:
                    continue
                target = found
            entry = targets.get(target)
            if entry is None:
                entry = targets[target] = (absolute, [])
            if imported_name:
                entry[1].append(imported_name)
        return [site_of(raw, importer, target, path, requested, found) for target, (requested, found) in targets.items()]
