"""Files and module names the way import-linter (grimp) finds them.

Used with ``[project] resolution = "import-linter"`` (and for every import-linter
configuration). The differences from :mod:`archguard.analysis.discover` are grimp's:

- inside a regular package (a directory with ``__init__.py``), a sub-directory without
  ``__init__.py`` is not part of the package: neither it nor anything below it is a module;
- a root package may itself be a namespace package (no ``__init__.py``): its directories that
  hold Python files somewhere below are namespace packages, and are modules of the graph;
- any ``name.py`` whose name has no other dot is a module, even when ``name`` is not an
  identifier (``my-script.py`` is ``pkg.my-script``); ``some.module.py`` is skipped;
- directory names that are not identifiers are skipped, and symlinked directories are not
  followed (``os.walk``'s default).

grimp tells a sub-directory of a package by comparing path *strings* (``pkg/ab`` is "inside"
``pkg/a``); that quirk is kept so that the graphs are the same.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from archguard.analysis.discover import Discovery, DiscoveryProblem, PathListing, SourceFile
from archguard.analysis.roots import FileSystemTree, Tree, describe_missing, find_package, search_path
from archguard.base.errors import ContractError
from archguard.base.safe_files import kind_of
from archguard.contract.patterns import glob_to_regex

if TYPE_CHECKING:  # (replay discovers without importing the contract models)
    from archguard.contract.models import ProjectConfig


def _relpath(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def discover_like_importlinter(
    root: Path, project: ProjectConfig, *, contract_file: str | None = None, listing: Iterable[str] | None = None
) -> Discovery:
    """Every module of the root packages, as grimp's module finder lists them.

    ``listing``: the tree's files (posix paths relative to ``root``, e.g. a git revision's),
    walked the way grimp walks the file system instead of the folders on disk."""
    root = root.resolve()
    paths = list(listing) if listing is not None else None
    listed = _Listing(paths) if paths is not None else None
    # Where the root packages are: found as Python's path finder (and so grimp) finds them.
    tree: Tree = PathListing(paths) if paths is not None else FileSystemTree(root)
    roots = tuple(project.roots or (".",))
    packages = tuple(project.packages or ())
    if not packages:
        raise ContractError("name the root packages to analyse in [project] packages", file=contract_file, key="project.packages")
    excludes = [glob_to_regex(glob) for glob in project.exclude]
    files: dict[str, SourceFile] = {}
    problems: list[DiscoveryProblem] = []

    def excluded(relpath: str) -> bool:
        return any(rx.match(relpath) or rx.match(relpath + "/") for rx in excludes)

    for index, package in enumerate(packages):
        # As Python's path finder (and so grimp): the first regular package along the roots, or
        # every portion of a namespace package.
        location = find_package(tree, package, roots)
        directories = [root / path for _, path in location.places if location.kind != "module"] if location else []
        if not directories:
            looked = search_path(root, explicit=roots, explicit_origin="[project] roots")
            raise ContractError(describe_missing(tree, root, package, looked).message, file=contract_file, key=f"project.packages[{index}]")
        for directory in directories:
            if listed is not None:  # a git revision's files: no symlinks to look at
                _walk_listing(listed, root, package, _relpath(directory, root), files, problems, excluded)
                continue
            real = Path(os.path.realpath(directory))
            if not _inside(real, root):
                message = f"symlink to {real} outside the project root; not followed"
                problems.append(DiscoveryProblem(_relpath(directory, root), "outside-root", message))
                continue
            _walk_package(root, package, directory, files, problems, excluded)
    return Discovery(
        root=root,
        roots=roots,
        packages=tuple(sorted(set(packages))),
        files=tuple(sorted(files.values(), key=lambda f: f.module)),
        problems=tuple(sorted(problems, key=lambda p: (p.relpath, p.kind))),
    )


def _walk_package(
    root: Path,
    package: str,
    directory: Path,
    files: dict[str, SourceFile],
    problems: list[DiscoveryProblem],
    excluded: Callable[[str], bool],
) -> None:
    portions: list[str] = []
    top = str(directory)
    root_text = str(root)
    prefix = root_text if root_text.endswith(os.sep) else root_text + os.sep

    def rel(path: str) -> str:
        if path.startswith(prefix):
            return path[len(prefix) :].replace(os.sep, "/")
        return _relpath(Path(path), root)

    for dirpath, dirnames, entries in _scan(top):
        dirnames.sort()
        if any(dirpath.startswith(portion) for portion in portions):
            if "__init__.py" not in entries:
                dirnames.clear()  # a folder without __init__.py inside a package is not a module
                continue
        elif "__init__.py" in entries:
            portions.append(dirpath)
        dirnames[:] = [d for d in dirnames if d.isidentifier() and not excluded(rel(os.path.join(dirpath, d)))]
        relative_dir = [] if dirpath == top else dirpath[len(top) + 1 :].split(os.sep)
        folder: Path | None = None  # (each file's path is made from it: a Path parses every part of a whole path)
        for filename in sorted(entries):
            if filename.startswith(".") or not filename.endswith(".py") or filename.count(".") > 1:
                continue
            entry = entries[filename]
            relpath = rel(entry.path)
            if excluded(relpath):
                continue
            folder = folder or Path(dirpath)
            path = folder / filename
            problem = _not_a_source_file(entry, path, root, relpath)
            if problem is not None:
                problems.append(problem)
                continue
            stem = filename[:-3]
            parts = [package, *relative_dir] + ([] if stem == "__init__" else [stem])
            module = ".".join(parts)
            if module in files:
                message = f"module {module!r} is also at {files[module].relpath}; this copy is not analysed"
                problems.append(DiscoveryProblem(relpath, "duplicate-module", message))
                continue
            files[module] = SourceFile(path=path, relpath=relpath, module=module, is_package=stem == "__init__")


def _scan(top: str) -> Iterator[tuple[str, list[str], dict[str, os.DirEntry[str]]]]:
    """``os.walk(top)`` (top-down, symlinked folders listed but not entered, unreadable folders
    skipped), with each folder's non-folder entries by name instead of their names: scandir's
    entries know whether they are symlinks or regular files without a stat of their own."""
    stack = [top]
    while stack:
        folder = stack.pop()
        try:
            with os.scandir(folder) as iterator:
                listed = list(iterator)
        except OSError:
            continue
        dirnames: list[str] = []
        entries: dict[str, os.DirEntry[str]] = {}
        links: set[str] = set()
        for entry in listed:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                dirnames.append(entry.name)
                if entry.is_symlink():
                    links.add(entry.name)
            else:
                entries[entry.name] = entry
        yield folder, dirnames, entries
        stack.extend(os.path.join(folder, name) for name in reversed(dirnames) if name not in links)


def _not_a_source_file(entry: os.DirEntry[str], path: Path, root: Path, relpath: str) -> DiscoveryProblem | None:
    """Why a listed ``*.py`` is not read (a broken symlink, one leading outside the root, not a
    regular file: a FIFO named *.py would block the read forever), or None."""
    try:
        if not entry.is_symlink() and entry.is_file(follow_symlinks=False):
            return None  # a regular file (the folder listing says so: no stat)
    except OSError:
        pass
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return DiscoveryProblem(relpath, "broken-symlink", "broken symlink; not analysed")
        if not _inside(target, root):
            return DiscoveryProblem(relpath, "outside-root", f"symlink to {target} outside the project root; not followed")
    try:
        mode = path.stat().st_mode
    except OSError as error:
        return DiscoveryProblem(relpath, "unreadable", f"cannot stat: {error.strerror}")
    if not stat.S_ISREG(mode):
        return DiscoveryProblem(relpath, "not-a-file", f"{kind_of(mode)}, not a regular file; never opened")
    return None


class _Listing:
    """A list of file paths seen as folders: the subfolders and the file names of each."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.folders: dict[str, list[str]] = {}
        self.names: dict[str, list[str]] = {}
        for path in paths:
            folder, _, name = path.rpartition("/")
            self.names.setdefault(folder, []).append(name)
            while folder:
                parent, _, child = folder.rpartition("/")
                children = self.folders.setdefault(parent, [])
                if child in children:
                    break
                children.append(child)
                folder = parent

    def is_dir(self, relpath: str) -> bool:
        return relpath in self.folders or relpath in self.names


def _walk_listing(
    tree: _Listing,
    root: Path,
    package: str,
    top: str,
    files: dict[str, SourceFile],
    problems: list[DiscoveryProblem],
    excluded: Callable[[str], bool],
) -> None:
    """:func:`_walk_package` over a listing: the same order (os.walk's, top-down, sorted), the
    same folder rules and module names; a listing has no symlinks to look at."""
    portions: list[str] = []
    stack = [top]
    while stack:
        folder = stack.pop()
        filenames = tree.names.get(folder, [])
        # grimp compares path strings (a quirk kept: "pkg/ab" is "inside" "pkg/a"), as _walk_package does.
        if any(folder.startswith(portion) for portion in portions):
            if "__init__.py" not in filenames:
                continue
        elif "__init__.py" in filenames:
            portions.append(folder)
        children = sorted(d for d in tree.folders.get(folder, []) if d.isidentifier() and not excluded(f"{folder}/{d}"))
        relative_dir = folder[len(top) + 1 :].split("/") if folder != top else []
        folder_path: Path | None = None  # (each file's path is made from it, as in _walk_package)
        for filename in sorted(filenames):
            if filename.startswith(".") or not filename.endswith(".py") or filename.count(".") > 1:
                continue
            relpath = f"{folder}/{filename}"
            if excluded(relpath):
                continue
            stem = filename[:-3]
            module = ".".join([package, *relative_dir] + ([] if stem == "__init__" else [stem]))
            if module in files:
                message = f"module {module!r} is also at {files[module].relpath}; this copy is not analysed"
                problems.append(DiscoveryProblem(relpath, "duplicate-module", message))
                continue
            folder_path = folder_path or root / folder
            files[module] = SourceFile(path=folder_path / filename, relpath=relpath, module=module, is_package=stem == "__init__")
        stack.extend(f"{folder}/{child}" for child in reversed(children))


def namespace_packages(discovery: Discovery) -> list[str]:
    """Packages without an ``__init__.py`` (grimp adds them to the graph): fileless ancestors of
    modules, at or below a root package. (Asked three times per analysis: kept for the last few.)"""
    known = _NAMESPACES.get(id(discovery))
    if known is not None and known[0] is discovery:
        return list(known[1])
    modules = {f.module for f in discovery.files}
    packages = discovery.packages
    seen: set[str] = set()
    found: set[str] = set()
    for module in modules:
        ancestor = module
        while (cut := ancestor.rfind(".")) > 0:
            ancestor = ancestor[:cut]
            if ancestor in seen:
                break  # (and so were all of its ancestors)
            seen.add(ancestor)
            if ancestor not in modules and any(ancestor == p or ancestor.startswith(p + ".") for p in packages):
                found.add(ancestor)
    if len(_NAMESPACES) >= 8:
        _NAMESPACES.clear()
    _NAMESPACES[id(discovery)] = (discovery, sorted(found))
    return sorted(found)


_NAMESPACES: dict[int, tuple[Discovery, list[str]]] = {}  # id -> (the discovery, held so that its id is not reused; its namespaces)
