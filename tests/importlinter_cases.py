"""Hypothesis strategies: random Python packages and random import-linter configurations.

A case is a package tree (regular packages, plain modules, a folder without ``__init__.py``
inside a package, a file whose name is not an identifier), import statements of every form in
every context (absolute, relative, ``from a import name``, star imports, aliases, imports of
missing modules, third-party and ``__future__`` imports, inside functions, classes, ``if
TYPE_CHECKING:``, ``try/except ImportError``, and ``importlib.import_module`` calls), and an
``.importlinter`` file with random contracts of every type and option.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import strategies as st

NAMES = ("a", "b", "c", "d", "_e", "f")
EXTERNALS = ("os", "os.path", "django", "django.db.models", "requests", "typing")


@dataclass
class Module:
    name: str
    is_package: bool
    statements: list[str] = field(default_factory=list)

    @property
    def package(self) -> str:
        return self.name if self.is_package else self.name.rpartition(".")[0]


@dataclass
class Case:
    modules: list[Module]
    extra_files: dict[str, str]
    config: str

    def files(self) -> dict[str, str]:
        files = dict(self.extra_files)
        for module in self.modules:
            parts = module.name.split(".")
            path = "/".join(parts) + ("/__init__.py" if module.is_package else ".py")
            files[path] = "\n".join(module.statements) + "\n"
        files[".importlinter"] = self.config
        return files

    def write(self, root: Path) -> Path:
        for relative, text in self.files().items():
            path = root / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        return root

    def describe(self) -> str:
        return "\n".join(f"--- {path}\n{text}" for path, text in sorted(self.files().items()))


@st.composite
def trees(draw: st.DrawFn, roots: tuple[str, ...] = ("pkg",)) -> list[Module]:
    modules = [Module(root, True) for root in roots]
    for _ in range(draw(st.integers(2, 11))):
        parents = [m for m in modules if m.is_package and m.name.count(".") < 3]
        parent = draw(st.sampled_from(parents))
        taken = {m.name.rpartition(".")[2] for m in modules if m.name.rpartition(".")[0] == parent.name}
        free = [n for n in NAMES if n not in taken]
        if not free:
            continue
        name = draw(st.sampled_from(free))
        modules.append(Module(f"{parent.name}.{name}", draw(st.booleans())))
    return modules


def _relative(importer: Module, target: str, level: int) -> tuple[str, str] | None:
    """('..x', 'y') such that 'from ..x import y' names target from importer, or None."""
    package = importer.package.split(".")
    if level > len(package):
        return None
    base = package[: len(package) - (level - 1)]
    parts = target.split(".")
    if parts[: len(base)] != base or len(parts) <= len(base):
        return None
    rest = parts[len(base) :]
    return "." * level + ".".join(rest[:-1]), rest[-1]


@st.composite
def statements(draw: st.DrawFn, importer: Module, modules: list[Module]) -> list[str]:
    names = [m.name for m in modules]
    targets = st.one_of(
        st.sampled_from(names),
        st.sampled_from(names).map(lambda n: n + ".missing"),
        st.sampled_from(["pkg.nothere", "pkg.nothere.deeper", "pkg.a.x.y"]),
        st.sampled_from(EXTERNALS),
    )
    target = draw(targets)
    parent, _, last = target.rpartition(".")
    form = draw(st.integers(0, 8))
    if form == 0 or not parent:
        statement = f"import {target}"
    elif form == 1:
        statement = f"import {target} as alias"
    elif form == 2:
        statement = f"from {parent} import {last}"
    elif form == 3:
        statement = f"from {target} import thing"
    elif form == 4:
        statement = f"from {target} import *"
    elif form == 5:
        statement = f"from {parent} import {last}, thing"
    elif form in (6, 7):
        relative = _relative(importer, target, draw(st.integers(1, 3)))
        statement = f"from {parent} import {last}" if relative is None else f"from {relative[0]} import {relative[1]}"
    else:
        statement = f"import importlib\nimportlib.import_module({target!r})"
    context = draw(st.integers(0, 9))
    lines = statement.splitlines()
    if context == 0:
        return ["def function():", *(f"    {line}" for line in lines)]
    if context == 1:
        return ["from typing import TYPE_CHECKING", "if TYPE_CHECKING:", *(f"    {line}" for line in lines)]
    if context == 2:
        return ["try:", *(f"    {line}" for line in lines), "except ImportError:", "    pass"]
    if context == 3:
        return ["class Thing:", *(f"    {line}" for line in lines)]
    if context == 4:
        return ["import typing", "if typing.TYPE_CHECKING:", "    pass", "else:", *(f"    {line}" for line in lines)]
    return lines


@st.composite
def packages(draw: st.DrawFn, roots: tuple[str, ...] = ("pkg",)) -> tuple[list[Module], dict[str, str]]:
    modules = draw(trees(roots))
    for module in modules:
        if draw(st.integers(0, 9)) == 0:
            module.statements.append("from __future__ import annotations")
        for _ in range(draw(st.integers(0, 4))):
            module.statements.extend(draw(statements(module, modules)))
    extra: dict[str, str] = {}
    package_dirs = [m for m in modules if m.is_package]
    if draw(st.integers(0, 5)) == 0:  # a folder without __init__.py inside a package: not a module for grimp
        host = draw(st.sampled_from(package_dirs))
        extra["/".join(host.name.split(".")) + "/orphan/mod.py"] = f"import {draw(st.sampled_from([m.name for m in modules]))}\n"
    if draw(st.integers(0, 7)) == 0:  # a file whose name is not an identifier: a module for grimp all the same
        host = draw(st.sampled_from(package_dirs))
        extra["/".join(host.name.split(".")) + "/my-script.py"] = f"import {draw(st.sampled_from([m.name for m in modules]))}\n"
    return modules, extra


def _non_nested(draw: st.DrawFn, candidates: list[str], count: int) -> list[str]:
    chosen: list[str] = []
    for name in draw(st.permutations(candidates)):
        if len(chosen) == count:
            break
        if any(name == c or name.startswith(c + ".") or c.startswith(name + ".") for c in chosen):
            continue
        chosen.append(name)
    return chosen


@st.composite
def contracts(draw: st.DrawFn, modules: list[Module], index: int, external: bool) -> list[str]:
    names = [m.name for m in modules]
    packages_ = [m.name for m in modules if m.is_package]
    below_root = [n for n in names if "." in n]
    wildcards = [f"{p}.*" for p in packages_] + [f"{p}.**" for p in packages_]
    expression = st.one_of(st.sampled_from(names), st.sampled_from(wildcards)) if wildcards else st.sampled_from(names)
    kinds = ["layers", "layers", "forbidden", "forbidden", "independence", "protected", "private_modules", "acyclic_siblings"]
    kind = draw(st.sampled_from(kinds))
    lines = [f"[importlinter:contract:c{index}]", f"name = Contract {index}", f"type = {kind}"]

    def listing(key: str, values: list[str]) -> None:
        lines.append(f"{key} =")
        lines.extend(f"    {value}" for value in values)

    if kind == "layers":
        containers = [p for p in packages_ if sum(1 for n in names if n.rpartition(".")[0] == p) >= 2]
        if containers and draw(st.booleans()):
            chosen = draw(st.lists(st.sampled_from(containers), min_size=1, max_size=2, unique=True))
            tails = sorted({n.rpartition(".")[2] for n in names if n.rpartition(".")[0] in chosen})
            tails = draw(st.permutations(tails))[: draw(st.integers(2, max(2, len(tails))))]
            optional = {t for t in tails if draw(st.integers(0, 3)) == 0}
            layer_items = [f"({t})" if t in optional else t for t in tails]
            listing("containers", chosen)
            if draw(st.booleans()):
                lines.append("exhaustive = true")
                all_tails = sorted({n.rpartition(".")[2] for n in names if n.rpartition(".")[0] in chosen})
                ignores = [t for t in all_tails if draw(st.integers(0, 3)) == 0]
                if ignores:
                    listing("exhaustive_ignores", ignores)
        else:
            layer_items = _non_nested(draw, below_root, draw(st.integers(2, 4)))
            if len(layer_items) < 2:
                layer_items = ["pkg.a", "pkg.b"]
        layers: list[str] = []
        items = list(layer_items)
        while items:
            take = min(len(items), draw(st.integers(1, 2)))
            group, items = items[:take], items[take:]
            separator = draw(st.sampled_from([" | ", " : "]))
            layers.append(separator.join(group))
        listing("layers", layers)
    elif kind == "forbidden":
        listing("source_modules", draw(st.lists(expression, min_size=1, max_size=2, unique=True)))
        forbidden = draw(st.lists(expression, min_size=1, max_size=2, unique=True))
        if external and draw(st.booleans()):
            forbidden.append(draw(st.sampled_from(["os", "django", "requests"])))
        listing("forbidden_modules", forbidden)
        if draw(st.booleans()):
            lines.append(f"allow_indirect_imports = {draw(st.sampled_from(['true', 'True', 'false']))}")
        if draw(st.booleans()):
            lines.append(f"as_packages = {draw(st.sampled_from(['true', 'False', 'false']))}")
    elif kind == "independence":
        if packages_ and draw(st.integers(0, 3)) == 0:
            listing("modules", [f"{draw(st.sampled_from(packages_))}.*"])
        else:
            listing("modules", _non_nested(draw, below_root, draw(st.integers(2, 3))))
    elif kind == "protected":
        listing("protected_modules", draw(st.lists(expression, min_size=1, max_size=2, unique=True)))
        listing("allowed_importers", draw(st.lists(st.sampled_from(names), min_size=0, max_size=2, unique=True)))
        if draw(st.booleans()):
            lines.append(f"as_packages = {draw(st.sampled_from(['true', 'false']))}")
    elif kind == "private_modules":
        if draw(st.booleans()):
            public = [p for p in packages_ if not any(part.startswith("_") for part in p.split("."))]
            listing("packages_with_private_modules", draw(st.lists(st.sampled_from(public), min_size=1, max_size=2, unique=True)))
    else:
        listing("ancestors", draw(st.lists(st.sampled_from(packages_), min_size=1, max_size=2, unique=True)))
        if draw(st.booleans()):
            lines.append(f"depth = {draw(st.integers(0, 3))}")
        if draw(st.integers(0, 3)) == 0:
            lines.append(f"skip_descendants = {draw(st.sampled_from(packages_))}")
    if draw(st.integers(0, 2)) == 0:
        ignores = []
        for _ in range(draw(st.integers(1, 2))):
            importer = draw(st.one_of(st.sampled_from(names), st.sampled_from(wildcards or names)))
            imported = draw(st.one_of(st.sampled_from(names), st.sampled_from(wildcards or names), st.sampled_from(["os", "django"])))
            ignores.append(f"{importer} -> {imported}")
        listing("ignore_imports", ignores)
        lines.append(f"unmatched_ignore_imports_alerting = {draw(st.sampled_from(['error', 'warn', 'none']))}")
    return lines


@st.composite
def cases(draw: st.DrawFn) -> Case:
    roots = ("pkg", "other") if draw(st.integers(0, 4)) == 0 else ("pkg",)
    modules, extra = draw(packages(roots))
    external = draw(st.booleans())
    config = (
        ["[importlinter]", "root_package = pkg"] if len(roots) == 1 else ["[importlinter]", "root_packages =", *(f"    {r}" for r in roots)]
    )
    if external:
        config.append("include_external_packages = True")
    if draw(st.booleans()):
        config.append("exclude_type_checking_imports = true")
    for index in range(draw(st.integers(1, 4))):
        config.append("")
        config.extend(draw(contracts(modules, index, external)))
    return Case(modules, extra, "\n".join(config) + "\n")
