"""Files and module names, from the source roots (no file is parsed or opened here).

A module's name comes from its path below its source root: ``src/shop/orders/service.py``
is ``shop.orders.service``, ``src/shop/orders/__init__.py`` is ``shop.orders``. Directories
without ``__init__.py`` below a package are namespace packages and are included.
Symlinks are followed only while they stay inside the project root; loops, broken links,
FIFOs and other oddities are reported as problems, never fatal and never silently skipped.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from archguard.analysis.buildconfig import read_build_layout
from archguard.analysis.listings import FILE, FOLDER, SYMLINK, FolderListings, scan
from archguard.analysis.roots import (
    FileSystemTree,
    SourceFolder,
    Tree,
    default_roots,
    describe_missing,
    find_package,
    folders_holding,
    search_path,
)
from archguard.base.errors import ContractError
from archguard.base.safe_files import kind_of
from archguard.contract.patterns import glob_to_regex

if TYPE_CHECKING:  # annotations only: discovery runs without pydantic on the replay path
    from archguard.contract.models import ProjectConfig

SKIPPED_DIRECTORIES = frozenset({"__pycache__", "node_modules", "site-packages", ".archguard_cache"})


@dataclass(frozen=True, slots=True)
class SourceFile:
    """One Python file of the tree, and the module it is."""

    path: Path  # absolute
    relpath: str  # posix, relative to the project root
    module: str
    is_package: bool  # an __init__.py


@dataclass(frozen=True, slots=True)
class DiscoveryProblem:
    """A file or folder discovery did not analyse, and why."""

    relpath: str
    kind: str  # broken-symlink | symlink-loop | outside-root | not-a-file | not-a-module | duplicate-module
    message: str


@dataclass(frozen=True)
class Discovery:
    """What discovery found: the modules' files under the source roots, and what it left out."""

    root: Path
    roots: tuple[str, ...]  # source roots, relative to root
    packages: tuple[str, ...]
    files: tuple[SourceFile, ...]
    problems: tuple[DiscoveryProblem, ...] = field(default_factory=tuple)

    def by_module(self) -> dict[str, SourceFile]:
        return {f.module: f for f in self.files}


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_MODULE_FILE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]*$")


def _relpath(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _join(*parts: str) -> str:
    """Posix path relative to the project root ("." is the root itself)."""
    return "/".join(p for p in parts if p not in ("", ".")) or "."


class PathListing:
    """A tree known only as a list of file paths (relative to the project root, posix): a git tree."""

    def __init__(self, paths: Iterable[str]) -> None:
        self.files = frozenset(paths)
        self.subdirectories: dict[str, set[str]] = {".": set()}  # directory -> names of its subdirectories
        for path in self.files:
            parent, start = ".", 0
            while (slash := path.find("/", start)) != -1:
                directory = path[:slash]
                self.subdirectories[parent].add(path[start:slash])
                self.subdirectories.setdefault(directory, set())
                parent, start = directory, slash + 1

    def is_dir(self, relpath: str) -> bool:
        return relpath in self.subdirectories

    def is_file(self, relpath: str) -> bool:
        return relpath in self.files

    def child_dirs(self, relpath: str) -> list[str]:
        return sorted(self.subdirectories.get(relpath, ()))

    def holds_python(self, relpath: str, depth: int) -> bool:
        prefix = relpath + "/"
        return any(p.startswith(prefix) and p.endswith(".py") and p.count("/") - relpath.count("/") <= depth for p in self.files)

    def stays_inside(self, relpath: str) -> bool:
        return True  # a git tree holds no symlinked folder (a symlink is a file there)


def resolve_roots(root: Path, project: ProjectConfig, *, contract_file: str | None = None) -> tuple[str, ...]:
    """The source roots discovery uses for this project (see :mod:`archguard.analysis.roots`)."""
    return _top_level(FileSystemTree(root), root, str(root), project, _Excludes(()), contract_file)[0]


class _Excludes:
    def __init__(self, globs: Iterable[str]) -> None:
        self.patterns = [glob_to_regex(glob) for glob in globs]

    def __call__(self, relpath: str) -> bool:
        return any(rx.match(relpath) or rx.match(relpath + "/") for rx in self.patterns)


def _top_level(
    tree: Tree, root: Path, where: str, project: ProjectConfig, excluded: _Excludes, contract_file: str | None
) -> tuple[tuple[str, ...], list[tuple[str, str, str]], list[str]]:
    """(source roots, [(source root, top-level entry, its module name)], package names)."""
    if project.roots is not None:
        for index, name in enumerate(project.roots):
            if not tree.is_dir(_join(name)):
                raise ContractError(
                    f"source root {name!r} is not a directory under {where}",
                    file=contract_file,
                    key=f"project.roots[{index}]",
                )
            if not tree.stays_inside(_join(name)):
                raise ContractError(
                    f"source root {name!r} is a symlink that leads outside the project root {where}; archguard reads only the project",
                    file=contract_file,
                    key=f"project.roots[{index}]",
                )
        looked = search_path(root, explicit=project.roots, explicit_origin="[project] roots")
        if project.packages is None:
            return _every_package(tree, root, where, looked, excluded, contract_file)
    elif project.packages is not None:
        looked = search_path(root)
    else:
        layout = read_build_layout(root)
        folders = default_roots(tree, root, layout=layout)
        if layout is not None and layout.packages and all(folder.origin == layout.origin for folder in folders):
            # The build configuration names the packages: a namespace package (no __init__.py,
            # poetry-core's src/poetry) is one too, as the wheel would ship it.
            paths = [folder.path for folder in folders]
            found = [name for name in layout.packages if find_package(tree, name, paths) is not None]
            if found and not any(tree.is_file(_join(path, name, "__init__.py")) for path in paths for name in found):
                return _named_packages(tree, root, found, folders, contract_file)
        return _every_package(tree, root, where, folders, excluded, contract_file)
    return _named_packages(tree, root, project.packages or [], looked, contract_file)


def _named_packages(
    tree: Tree, root: Path, names: list[str], looked: tuple[SourceFolder, ...], contract_file: str | None
) -> tuple[tuple[str, ...], list[tuple[str, str, str]], list[str]]:
    """The packages named in [project] packages, looked up along the source roots in order."""
    entries: list[tuple[str, str, str]] = []
    roots: list[str] = []
    for index, name in enumerate(names):
        location = find_package(tree, name, [folder.path for folder in looked])
        if location is None:
            missing = describe_missing(tree, root, name, looked)
            message = missing.message
            if missing.holders:
                message += f": set roots = [\"{missing.holders[0]}\"] in [project] (or pass --root {missing.holders[0]})"
            raise ContractError(message, file=contract_file, key=f"project.packages[{index}]")
        entries += [(source_root, path, name) for source_root, path in location.places]
        roots += location.roots
    ordered = [folder.path for folder in looked if folder.path in roots]
    return tuple(ordered), entries, list(names)


def _every_package(
    tree: Tree, root: Path, where: str, folders: tuple[SourceFolder, ...], excluded: _Excludes, contract_file: str | None
) -> tuple[tuple[str, ...], list[tuple[str, str, str]], list[str]]:
    """Every regular package (a folder with __init__.py) directly under the default source roots."""
    roots = tuple(folder.path for folder in folders)
    entries: list[tuple[str, str, str]] = []
    packages: list[str] = []
    for source_root in roots:
        for child in tree.child_dirs(source_root):
            if child.startswith(".") or child in SKIPPED_DIRECTORIES:
                continue
            entry = _join(source_root, child)
            is_package = tree.is_file(_join(entry, "__init__.py")) and _IDENTIFIER.match(child)
            if is_package and not excluded(entry):
                entries.append((source_root, entry, child))
                packages.append(child)
    if not entries:
        hint = ""
        if "src" not in roots and tree.is_dir("src"):
            hint = " (there is a 'src/' folder: set roots = [\"src\"] in [project])"
        raise ContractError(
            f"no Python package (a folder with __init__.py) found under {', '.join(f.describe() for f in folders)} in {where}{hint}; "
            "name what to analyse in [project] packages",
            file=contract_file,
            key="project.packages",
        )
    return roots, entries, packages


class _Modules:
    """Module names for files, with the problems of names that are not importable or taken twice."""

    def __init__(self, excluded: _Excludes) -> None:
        self.excluded = excluded
        self.files: dict[str, SourceFile] = {}
        self.problems: list[DiscoveryProblem] = []

    def add(self, path: Path, relpath: str, source_root: str) -> None:
        if self.excluded(relpath):
            return
        below = relpath if source_root == "." else relpath[len(source_root) + 1 :]
        parts = below[: -len(".py")].split("/")
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        # A file name that is no identifier ("0001_initial.py", "my-script.py") is still a
        # module: importlib.import_module reaches it (Django's migrations are loaded that way).
        if not all(_IDENTIFIER.match(part) for part in parts[:-1]) or not _MODULE_FILE.match(parts[-1] if parts else ""):
            self.problems.append(
                DiscoveryProblem(relpath, "not-a-module", f"{'.'.join(parts)!r} is not an importable module name; file not analysed")
            )
            return
        module = ".".join(parts)
        if module in self.files:
            self.problems.append(
                DiscoveryProblem(
                    relpath,
                    "duplicate-module",
                    f"module {module!r} is already defined by {self.files[module].relpath}, which Python imports instead; not analysed",
                )
            )
            return
        self.files[module] = SourceFile(path=path, relpath=relpath, module=module, is_package=is_package)

    def discovery(self, root: Path, roots: tuple[str, ...], packages: list[str], problems: Iterable[DiscoveryProblem] = ()) -> Discovery:
        return Discovery(
            root=root,
            roots=roots,
            packages=tuple(sorted(set(packages))),
            files=tuple(sorted(self.files.values(), key=lambda f: f.module)),
            problems=tuple(sorted([*self.problems, *problems], key=lambda p: (p.relpath, p.kind))),
        )


def discover(root: Path, project: ProjectConfig, *, contract_file: str | None = None, listings: FolderListings | None = None) -> Discovery:
    """Find every Python module of the project. Raises ContractError when nothing matches.
    ``listings``: folder listings kept between runs (:mod:`archguard.analysis.listings`)."""
    root = root.resolve()
    excluded = _Excludes(project.exclude)
    roots, top_level, packages = _top_level(FileSystemTree(root), root, str(root), project, excluded, contract_file)
    modules = _Modules(excluded)
    problems = modules.problems

    root_text = str(root)
    visited: set[str] = set()  # real paths of the folders walked

    def rel(path: str) -> str:
        if path.startswith(root_text + os.sep):
            return path[len(root_text) + 1 :].replace(os.sep, "/")
        return _relpath(Path(path), root)

    def walk(directory: str, real: str, source_root: str) -> None:
        # Plain strings and each folder's listing (names and kinds, no stat per entry, no
        # pathlib; with ``listings``, the last run's listing of a folder whose stat is
        # unchanged): Django's tree (2,500 folders, most of them translations) is walked in
        # milliseconds. ``real`` is the folder's real path: a symlink to a folder already
        # walked is a loop.
        if real in visited:
            problems.append(DiscoveryProblem(rel(directory), "symlink-loop", "symlink loop (directory already visited); not followed"))
            return
        visited.add(real)
        try:
            listed = listings.entries(directory) if listings is not None else scan(directory)
        except OSError as error:
            problems.append(DiscoveryProblem(rel(directory), "unreadable", f"cannot list directory: {error.strerror}"))
            return
        children = sorted(
            (name, kind)
            for name, kind in listed
            if not (name.startswith(".") or name in SKIPPED_DIRECTORIES) and (name.endswith(".py") or kind in (FOLDER, SYMLINK))
        )
        for name, kind in children:
            path = f"{directory}{os.sep}{name}"
            is_python = name.endswith(".py")
            is_link = kind == SYMLINK
            is_dir = os.path.isdir(path) if is_link else kind == FOLDER  # (where a symlink leads: looked at now)
            child_real = f"{real}{os.sep}{name}"
            if is_link:
                try:
                    child_real = os.path.realpath(path)
                    os.stat(child_real)
                except (OSError, RuntimeError):
                    if is_python or "." not in name:
                        problems.append(DiscoveryProblem(rel(path), "broken-symlink", "broken symlink; not analysed"))
                    continue
                if not _inside(Path(child_real), root):
                    if is_python or os.path.isdir(child_real):
                        problems.append(DiscoveryProblem(rel(path), "outside-root", f"symlink to {child_real} outside the project root; not followed"))
                    continue
            if is_dir:
                relpath = rel(path)
                if excluded(relpath):
                    continue
                if not _IDENTIFIER.match(name):
                    if _contains_python(Path(path)):
                        message = f"folder {name!r} is not an importable package name; its files are not analysed"
                        problems.append(DiscoveryProblem(relpath, "not-a-module", message))
                    continue
                walk(path, child_real, source_root)
            elif is_python:
                if kind != FILE:  # a symlink (its target's kind), or not a regular file (a FIFO would block the read)
                    try:
                        mode = os.stat(path).st_mode if is_link else os.lstat(path).st_mode
                    except OSError as error:
                        problems.append(DiscoveryProblem(rel(path), "unreadable", f"cannot stat: {error.strerror}"))
                        continue
                    if not stat.S_ISREG(mode):
                        problems.append(DiscoveryProblem(rel(path), "not-a-file", f"{kind_of(mode)}, not a regular file; never opened"))
                        continue
                modules.add(Path(path), rel(path), source_root)

    for source_root, entry, _name in top_level:
        path = root / entry
        real = os.path.realpath(path)
        if not _inside(Path(real), root):
            problems.append(DiscoveryProblem(entry, "outside-root", f"symlink to {real} outside the project root; not followed"))
        elif path.is_dir():
            walk(str(path), real, source_root)
        elif not stat.S_ISREG(mode := os.stat(real).st_mode):
            problems.append(DiscoveryProblem(entry, "not-a-file", f"{kind_of(mode)}, not a regular file; never opened"))
        else:
            modules.add(path, _relpath(path, root), source_root)
    return modules.discovery(root, roots, packages)


def discover_paths(
    root: Path,
    project: ProjectConfig,
    paths: Iterable[str],
    *,
    where: str,
    contract_file: str | None = None,
    problems: Iterable[DiscoveryProblem] = (),
) -> Discovery:
    """Discovery over a list of file paths (posix, relative to the project root), e.g. a git tree.

    The same source roots, packages, exclusions and module names as :func:`discover`; nothing
    is read. ``where`` names the tree in messages; ``problems`` are the listing's own (symlinks).
    """
    listing = PathListing(paths)
    excluded = _Excludes(project.exclude)
    roots, top_level, packages = _top_level(listing, root, where, project, excluded, contract_file)
    modules = _Modules(excluded)
    walked: dict[str, bool] = {}  # directory -> whether the walk enters it (decided once)

    def enters(directory: str) -> bool:
        known = walked.get(directory)
        if known is None:
            parent, _, name = directory.rpartition("/")
            known = walked[parent] if parent in walked else enters(parent)  # every entry is in walked
            known = known and not (name.startswith(".") or name in SKIPPED_DIRECTORIES or excluded(directory))
            if known and not _IDENTIFIER.match(name):
                known = False
                if _contains_python_file(listing, directory):
                    message = f"folder {name!r} is not an importable package name; its files are not analysed"
                    modules.problems.append(DiscoveryProblem(directory, "not-a-module", message))
            walked[directory] = known
        return known

    for source_root, entry, _name in top_level:
        if listing.is_file(entry):
            modules.add(root / entry, entry, source_root)
            continue
        walked[entry] = True
        for relpath in sorted(p for p in listing.files if p.startswith(entry + "/") and p.endswith(".py")):
            directory, _, name = relpath.rpartition("/")
            if not name.startswith(".") and enters(directory):
                modules.add(root / relpath, relpath, source_root)
    return modules.discovery(root, roots, packages, problems)


def _contains_python_file(listing: PathListing, directory: str) -> bool:
    return any(path.endswith(".py") and path.rpartition("/")[0] == directory for path in listing.files)


def find_outside_roots(root: Path, roots: tuple[str, ...], names: list[str]) -> dict[str, str]:
    """Top-level packages or modules that exist in the project but outside the source roots
    (``src/shop`` when the roots are ``["."]``): name -> the folder holding it (posix, relative
    to the root; "." for the root itself)."""
    tree = FileSystemTree(root.resolve())
    source_roots = {_join(r) for r in roots}
    found: dict[str, str] = {}
    for name in sorted(set(names)):
        holders = [folder for folder in folders_holding(tree, name) if folder not in source_roots]
        if holders:
            found[name] = holders[0]
    return found


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def _contains_python(directory: Path) -> bool:
    try:
        return any(child.suffix == ".py" for child in directory.iterdir())
    except OSError:
        return False
