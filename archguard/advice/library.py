"""Which packages of a project are its library, and what ``archguard init`` leaves out and why.

A repository holds more Python than its library: tests, examples, documentation, benchmarks,
tooling. The build configuration says what the wheel ships (setuptools' ``packages.find``
``include``, hatch's and poetry's ``packages``, flit's module: see
:mod:`archguard.analysis.buildconfig`); without one, a package named like a test suite, an
example or a tool is not the library. Folders outside the source roots that hold Python are
listed too, so that the inferred contract says what it does not cover.

Test code *inside* the library (``pkg/tests/``, ``pkg/sub/test_x.py``, ``conftest.py``) is
recognised by :func:`is_test_module`; ``archguard init`` puts it in one component.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from archguard.analysis.buildconfig import read_build_layout
from archguard.analysis.discover import Discovery
from archguard.analysis.roots import NOT_SOURCE, FileSystemTree, join

# A top-level name -> what it is, when it is not the library.
KINDS = {
    **dict.fromkeys(("test", "tests", "testing", "conftest", "functional_tests", "integration_tests"), "test code"),
    **dict.fromkeys(("example", "examples", "demo", "demos", "sample", "samples", "sandbox", "tutorial"), "example code"),
    **dict.fromkeys(("doc", "docs", "documentation"), "documentation"),
    **dict.fromkeys(("benchmark", "benchmarks", "bench", "asv_bench", "perf"), "benchmarks"),
    **dict.fromkeys(("script", "scripts", "tool", "tools", "tasks", "noxfile", "setup", "ci", "bin"), "tooling"),
}
TEST_PARTS = frozenset({"tests", "conftest"})


@dataclass(frozen=True)
class LeftOut:
    """Python code that the inferred contract does not cover, and why."""

    path: str  # posix, relative to the project root; a folder ends with "/"
    why: str


@dataclass(frozen=True)
class Library:
    roots: tuple[str, ...]
    packages: tuple[str, ...]
    left_out: tuple[LeftOut, ...]
    narrowed: bool  # packages is a part of what discovery found: the contract must name them


def kind_of(name: str) -> str | None:
    """What a top-level package or folder named ``name`` is when it is not the library."""
    lowered = name.lower()
    if lowered.startswith("test_") or lowered.endswith("_test"):
        return "test code"
    return KINDS.get(lowered)


def is_test_module(module: str) -> bool:
    """A test module inside a package: a ``tests`` package or ``conftest`` module below the top
    level, or a module named ``test_*``/``*_test``."""
    parts = module.split(".")[1:]
    return any(part in TEST_PARTS or part.startswith("test_") or part.endswith("_test") for part in parts)


def find_library(discovery: Discovery, root: Path) -> Library:
    """The library among the discovered packages, and the rest of the project's Python left out."""
    layout = read_build_layout(root)
    packages = list(discovery.packages)
    left_out: list[LeftOut] = []
    library = packages
    if layout is not None and layout.names_packages():
        shipped = [p for p in packages if layout.ships(p)]
        if shipped:
            library = shipped
            for package in packages:
                if package not in shipped:
                    what = kind_of(package)
                    why = f"{what}; " if what else ""
                    left_out.append(LeftOut(_folder_of(discovery, package), f"{why}not a package the build configuration ships ({layout.origin})"))
    else:
        kept = [p for p in packages if kind_of(p) is None]
        if kept:
            library = kept
            left_out += [LeftOut(_folder_of(discovery, p), str(kind_of(p))) for p in packages if p not in kept]
    used = {_source_root_of(_folder_of(discovery, p)) for p in library}
    roots = tuple(r for r in discovery.roots if join(r) in used)
    covered = {item.path for item in left_out} | {_folder_of(discovery, p) for p in library}
    left_out += _outside_roots(root, discovery.roots, covered)
    return Library(
        roots=roots or discovery.roots,
        packages=tuple(library),
        left_out=tuple(sorted(left_out, key=lambda item: item.path)),
        narrowed=tuple(library) != tuple(packages),
    )


def _folder_of(discovery: Discovery, package: str) -> str:
    """The folder ("src/shop/") or file ("tool.py") of a top-level package, as discovery found it."""
    for file in discovery.files:
        if file.module == package and not file.is_package:
            return file.relpath
        if file.module == package or file.module.startswith(package + "."):
            below = file.module.count(".") - package.count(".") + (1 if file.is_package else 0)
            return "/".join(file.relpath.split("/")[:-below]) + "/"
    return package + "/"


def _source_root_of(folder: str) -> str:
    """The source root a top-level package's folder (or file) lies in."""
    return folder.rstrip("/").rpartition("/")[0] or "."


def _outside_roots(root: Path, roots: Iterable[str], covered: set[str]) -> list[LeftOut]:
    """Folders directly in the project that hold Python but are neither a source root, nor in
    one, nor a package already accounted for."""
    tree = FileSystemTree(root)
    roots = [join(r) for r in roots]
    found = []
    for child in tree.child_dirs("."):
        folder = child + "/"
        if child.startswith(".") or child in NOT_SOURCE or folder in covered or child.endswith(".egg-info"):
            continue
        if any(r == child or r.startswith(folder) for r in roots) or ("." in roots and tree.is_file(join(child, "__init__.py"))):
            continue
        if not tree.holds_python(child, 4):
            continue
        what = kind_of(child)
        where = "not a package (no __init__.py)" if "." in roots else "not under the source roots"
        found.append(LeftOut(folder, f"{what}; {where}" if what else where))
    return found


def local_names(discovery: Discovery) -> frozenset[str]:
    """Top-level names that are modules or packages in the folders of the analysed files (and
    their parent folders in the project): ``conftest`` next to the tests, a script's sibling
    module. Python puts a script's folder (and pytest a test's root folder) on the path, so an
    import of such a name is local code, never a third-party package."""
    folders = {"."}
    for file in discovery.files:
        parts = file.relpath.split("/")[:-1]
        folders.update("/".join(parts[:depth]) or "." for depth in range(len(parts) + 1))
    tree = FileSystemTree(discovery.root)
    names: set[str] = set()
    for folder in folders:
        try:
            with os.scandir(discovery.root / folder if folder != "." else discovery.root) as iterator:
                entries = list(iterator)
        except OSError:
            continue
        for entry in entries:
            if entry.name.endswith(".py"):
                names.add(entry.name[:-3])
            elif entry.name.isidentifier() and tree.is_file(join(folder, entry.name, "__init__.py")):
                names.add(entry.name)
    return frozenset(names)
