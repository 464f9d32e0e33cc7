"""Source roots: the folders that hold top-level packages, found the way the project's tooling finds them.

One answer for both dialects (archguard contracts and import-linter configurations):

- **explicit**: ``--root DIR`` on the command line, or ``[project] roots`` in a contract;
- **the search path** for a package that is *named* (``[project] packages``, import-linter's
  ``root_packages``): the project folder first (lint-imports puts its working directory first
  on ``sys.path``), then the folders on ``PYTHONPATH`` inside the project (read as a path
  list: nothing is imported), the folders the build configuration names
  (:mod:`archguard.analysis.buildconfig`: what an editable install would put on the path),
  then ``src/`` and ``lib/``. A package is looked up along it as Python's path finder does:
  the first regular package (or module) wins, directories without ``__init__.py`` are
  portions of a namespace package;
- **the default roots** when nothing is named: the build configuration's folders, else a
  ``src/`` or ``lib/`` layout, else ``PYTHONPATH`` folders, else the project folder.

When a named package is not found, :func:`describe_missing` says where archguard looked and
which folders of the project do hold it.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from archguard.analysis.buildconfig import BuildLayout, read_build_layout

# Folders that never hold the project's own source roots (tools' caches, virtual environments, builds).
NOT_SOURCE = frozenset(
    {"__pycache__", "node_modules", "site-packages", ".archguard_cache", "build", "dist", "venv", "env", ".venv", ".tox", ".nox"}
)
# Top-level packages that are not the library: a project folder that holds only these (and a
# lib/ folder with packages) has a lib/ layout.
ANCILLARY = frozenset(
    {
        "test", "tests", "testing", "example", "examples", "doc", "docs", "benchmark", "benchmarks", "bench",
        "script", "scripts", "tools", "tool", "demo", "demos", "sandbox", "contrib_tests", "conftest", "noxfile", "setup", "tasks",
    }
)  # fmt: skip
SEARCH_DEPTH = 3  # how deep the project is searched for the folders that hold a missing package


class Tree(Protocol):
    """What root finding asks of a tree: the file system, or a listing of a git revision's paths."""

    def is_dir(self, relpath: str) -> bool: ...

    def is_file(self, relpath: str) -> bool: ...

    def child_dirs(self, relpath: str) -> list[str]: ...

    def holds_python(self, relpath: str, depth: int) -> bool:
        """Whether a .py file is in the folder or in its sub-folders, down to ``depth`` levels."""
        ...

    def stays_inside(self, relpath: str) -> bool:
        """Whether the path, symlinks resolved, is inside the project folder."""
        ...


@dataclass(frozen=True)
class FileSystemTree:
    """The project's folder on disk (relative posix paths; "." is the project folder)."""

    root: Path

    def _path(self, relpath: str) -> Path:
        return self.root if relpath == "." else self.root / relpath

    def is_dir(self, relpath: str) -> bool:
        return self._path(relpath).is_dir()

    def is_file(self, relpath: str) -> bool:
        return self._path(relpath).is_file()

    def _entries(self, relpath: str) -> list[os.DirEntry[str]]:
        try:
            with os.scandir(self._path(relpath)) as iterator:
                return list(iterator)
        except OSError:
            return []

    def child_dirs(self, relpath: str) -> list[str]:
        return sorted(entry.name for entry in self._entries(relpath) if entry.is_dir())

    def stays_inside(self, relpath: str) -> bool:
        real, top = Path(os.path.realpath(self._path(relpath))), self.root.resolve()
        return real == top or top in real.parents

    def holds_python(self, relpath: str, depth: int) -> bool:
        entries = self._entries(relpath)
        if any(entry.name.endswith(".py") for entry in entries):
            return True
        return depth > 1 and any(
            self.holds_python(join(relpath, entry.name), depth - 1) for entry in entries if entry.is_dir() and not entry.name.startswith(".")
        )


@dataclass(frozen=True)
class SourceFolder:
    """A folder where archguard looks for top-level packages, and why it looks there."""

    path: str  # posix, relative to the project folder; "." is the project folder
    origin: str  # "--root", "[project] roots", "PYTHONPATH", "pyproject.toml [tool.setuptools]", ...

    def describe(self) -> str:
        if self.path == "." and self.origin == "the project folder":
            return self.origin
        return f"{display(self.path)} ({self.origin})"


@dataclass(frozen=True)
class PackageLocation:
    """Where a named package is, as Python's path finder would find it."""

    name: str
    kind: Literal["package", "namespace", "module"]
    places: tuple[tuple[str, str], ...]  # (source root, its folder or .py file): several for a namespace package
    top_kind: Literal["package", "namespace", "module"]  # the kind of its top-level package

    @property
    def roots(self) -> tuple[str, ...]:
        """The source roots it was found under."""
        return tuple(dict.fromkeys(source_root for source_root, _ in self.places))


def display(folder: str) -> str:
    return "the project folder" if folder == "." else f"{folder}/"


def join(*parts: str) -> str:
    """Posix path relative to the project folder ("." is the folder itself)."""
    return "/".join(p for p in parts if p not in ("", ".")) or "."


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def pythonpath_folders(root: Path, environ: Mapping[str, str] | None = None) -> tuple[list[str], list[str]]:
    """The ``PYTHONPATH`` entries (relative ones from the working directory, as Python reads
    them): (those inside the project, relative to it; those outside it, as written)."""
    environ = os.environ if environ is None else environ
    inside: list[str] = []
    outside: list[str] = []
    root = root.resolve()
    for entry in environ.get("PYTHONPATH", "").split(os.pathsep):
        if not entry:
            continue
        try:
            path = (Path.cwd() / entry).resolve()
        except (OSError, RuntimeError):
            outside.append(entry)
            continue
        if _inside(path, root):
            relative = join(path.relative_to(root).as_posix())
            if relative not in inside:
                inside.append(relative)
        elif entry not in outside:
            outside.append(entry)
    return inside, outside


def _unique(folders: Sequence[SourceFolder]) -> tuple[SourceFolder, ...]:
    seen: dict[str, SourceFolder] = {}
    for folder in folders:
        seen.setdefault(folder.path, folder)
    return tuple(seen.values())


def search_path(
    root: Path,
    *,
    explicit: Sequence[str] | None = None,
    explicit_origin: str = "--root",
    environ: Mapping[str, str] | None = None,
    layout: BuildLayout | None = None,
) -> tuple[SourceFolder, ...]:
    """Where a named package is looked for, in order (see the module docstring)."""
    if explicit is not None:
        return _unique([SourceFolder(join(folder), explicit_origin) for folder in explicit])
    layout = layout if layout is not None else read_build_layout(root)
    inside, _outside = pythonpath_folders(root, environ)
    folders = [SourceFolder(".", "the project folder")]
    folders += [SourceFolder(folder, "PYTHONPATH") for folder in inside]
    if layout is not None:
        folders += [SourceFolder(folder, layout.origin) for folder in layout.folders]
    folders += [SourceFolder("src", "src/ layout"), SourceFolder("lib", "lib/ layout")]
    return _unique(folders)


def _find_in(tree: Tree, name: str, locations: Sequence[tuple[str, str]]) -> tuple[str, list[tuple[str, str]]] | None:
    """One name looked up along (source root, folder) locations, as importlib's path finder does:
    (kind, [(source root, path)])."""
    portions: list[tuple[str, str]] = []
    for source_root, folder in locations:
        candidate = join(folder, name)
        if tree.is_dir(candidate) and tree.is_file(join(candidate, "__init__.py")):
            return "package", [(source_root, candidate)]
        if tree.is_file(candidate + ".py"):
            return "module", [(source_root, candidate + ".py")]
        if tree.is_dir(candidate):
            portions.append((source_root, candidate))
    return ("namespace", portions) if portions else None


def find_package(tree: Tree, name: str, roots: Sequence[str]) -> PackageLocation | None:
    """Where the (possibly dotted) package ``name`` is under these source roots, or None."""
    parts = name.split(".")
    found = _find_in(tree, parts[0], [(r, r) for r in roots])
    if found is None:
        return None
    top_kind, locations = found
    kind = top_kind
    for part in parts[1:]:
        if kind == "module":
            return None
        found = _find_in(tree, part, locations)
        if found is None:
            return None
        kind, locations = found
    return PackageLocation(
        name=name,
        kind=kind,  # type: ignore[arg-type]
        places=tuple(locations),
        top_kind=top_kind,  # type: ignore[arg-type]
    )


def _holds_package(tree: Tree, folder: str) -> bool:
    return any(tree.is_file(join(folder, child, "__init__.py")) for child in tree.child_dirs(folder) if child.isidentifier())


def _library_packages(tree: Tree, folder: str) -> list[str]:
    return [
        child
        for child in tree.child_dirs(folder)
        if child.isidentifier() and child not in ANCILLARY and tree.is_file(join(folder, child, "__init__.py"))
    ]


def default_roots(tree: Tree, root: Path, *, environ: Mapping[str, str] | None = None, layout: BuildLayout | None = None) -> tuple[SourceFolder, ...]:
    """The source roots when neither roots nor packages are given (see the module docstring)."""
    layout = layout if layout is not None else read_build_layout(root)
    if layout is not None:
        found: list[SourceFolder] = []
        for folder in layout.folders:
            if not tree.is_dir(folder):
                continue
            if layout.packages:
                if any(find_package(tree, name, [folder]) for name in layout.packages):
                    found.append(SourceFolder(folder, layout.origin))
            elif _holds_package(tree, folder):
                found.append(SourceFolder(folder, layout.origin))
        if found:
            return _unique(found)
    if tree.is_dir("src") and _holds_package(tree, "src"):
        return (SourceFolder("src", "src/ layout"),)
    if tree.is_dir("lib") and _library_packages(tree, "lib") and not _library_packages(tree, "."):
        return (SourceFolder("lib", "lib/ layout"),)
    inside, _outside = pythonpath_folders(root, environ)
    on_path = [SourceFolder(folder, "PYTHONPATH") for folder in inside if folder != "." and tree.is_dir(folder) and _holds_package(tree, folder)]
    if on_path:
        return _unique(on_path)
    return (SourceFolder(".", "the project folder"),)


def folders_holding(tree: Tree, name: str, *, depth: int = SEARCH_DEPTH) -> list[str]:
    """The folders of the project (down to ``depth`` levels) that hold the top-level package or
    module ``name`` (of a dotted name, its top level): where a source root would find it."""
    top = name.split(".")[0]
    if not top.isidentifier():
        return []
    found: list[str] = []
    queue = [(".", 0)]
    while queue:
        folder, level = queue.pop(0)
        candidate = join(folder, top)
        if tree.is_file(candidate + ".py") or tree.is_file(join(candidate, "__init__.py")) or (tree.is_dir(candidate) and tree.holds_python(candidate, 3)):
            found.append(folder)
        if level >= depth:
            continue
        for child in tree.child_dirs(folder):
            path = join(folder, child)
            if child.startswith(".") or child in NOT_SOURCE or tree.is_file(join(path, "__init__.py")):
                continue  # a package's folders are not source roots
            queue.append((path, level + 1))
    return found


@dataclass(frozen=True)
class Missing:
    """A named package that is not where archguard looked: the message, and the folders that hold it."""

    message: str  # "package 'x' not found: archguard looked in ...; it is in lib/" (no how-to-fix)
    holders: tuple[str, ...]  # folders of the project that hold it (first is the best guess)


def describe_missing(tree: Tree, root: Path, name: str, looked: Sequence[SourceFolder], environ: Mapping[str, str] | None = None) -> Missing:
    """Where archguard looked for ``name``, and where it is: in the project's folders, or on
    ``PYTHONPATH`` outside the project (a stat of that one path; nothing there is read)."""
    holders = tuple(folders_holding(tree, name))
    places = ", ".join(folder.describe() if tree.is_dir(folder.path) else f"{display(folder.path)} (absent)" for folder in looked)
    message = f"package {name!r} not found: archguard looked in {places}"
    top = name.split(".")[0]
    outside = [
        entry
        for entry in pythonpath_folders(root, environ)[1]
        if top.isidentifier() and ((Path(entry) / top).is_dir() or (Path(entry) / f"{top}.py").is_file())
    ]
    if holders:
        message += f"; it is in {', '.join(display(h) for h in holders)}"
    elif outside:
        message += f"; it is in {', '.join(outside)} (on PYTHONPATH), outside the project: archguard reads only files inside the project"
    else:
        present = sorted(_packages_in(tree, looked))
        message += f"; no folder of the project holds it (packages there: {', '.join(present)})" if present else "; no folder of the project holds it"
    return Missing(message, holders)


def _packages_in(tree: Tree, looked: Sequence[SourceFolder]) -> set[str]:
    """The regular packages directly in these folders."""
    return {
        child
        for folder in looked
        for child in tree.child_dirs(folder.path)
        if child.isidentifier() and tree.is_file(join(folder.path, child, "__init__.py"))
    }
