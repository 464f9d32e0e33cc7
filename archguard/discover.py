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
from dataclasses import dataclass, field
from pathlib import Path

from archguard.contract.models import ProjectConfig
from archguard.contract.patterns import glob_to_regex
from archguard.errors import ContractError

SKIPPED_DIRECTORIES = frozenset({"__pycache__", "node_modules", "site-packages", ".archguard_cache"})


@dataclass(frozen=True, slots=True)
class SourceFile:
    path: Path  # absolute
    relpath: str  # posix, relative to the project root
    module: str
    is_package: bool  # an __init__.py


@dataclass(frozen=True, slots=True)
class DiscoveryProblem:
    relpath: str
    kind: str  # broken-symlink | symlink-loop | outside-root | not-a-file | not-a-module | duplicate-module
    message: str


@dataclass(frozen=True)
class Discovery:
    root: Path
    roots: tuple[str, ...]  # source roots, relative to root
    packages: tuple[str, ...]
    files: tuple[SourceFile, ...]
    problems: tuple[DiscoveryProblem, ...] = field(default_factory=tuple)

    def by_module(self) -> dict[str, SourceFile]:
        return {f.module: f for f in self.files}


_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def _relpath(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def resolve_roots(root: Path, project: ProjectConfig, *, contract_file: str | None = None) -> tuple[str, ...]:
    if project.roots is not None:
        for index, name in enumerate(project.roots):
            if not (root / name).is_dir():
                raise ContractError(
                    f"source root {name!r} is not a directory under {root}",
                    file=contract_file,
                    key=f"project.roots[{index}]",
                )
        return tuple(project.roots)
    src = root / "src"
    if src.is_dir() and any((child / "__init__.py").is_file() for child in _children(src) if child.is_dir()):
        return ("src",)
    return (".",)


def _children(directory: Path) -> list[Path]:
    try:
        return sorted(directory.iterdir())
    except OSError:
        return []


def discover(root: Path, project: ProjectConfig, *, contract_file: str | None = None) -> Discovery:
    """Find every Python module of the project. Raises ContractError when nothing matches."""
    root = root.resolve()
    roots = resolve_roots(root, project, contract_file=contract_file)
    excludes = [glob_to_regex(glob) for glob in project.exclude]
    problems: list[DiscoveryProblem] = []
    files: dict[str, SourceFile] = {}
    packages: list[str] = []

    def excluded(relpath: str) -> bool:
        return any(rx.match(relpath) or rx.match(relpath + "/") for rx in excludes)

    # (source root, top-level entry path, module name of that entry)
    entries: list[tuple[Path, Path, str]] = []
    if project.packages is not None:
        for index, name in enumerate(project.packages):
            found = False
            for source_root in roots:
                base = root / source_root / Path(*name.split("."))
                for candidate in (base, base.with_name(base.name + ".py")):
                    if candidate.is_dir() or candidate.is_file():
                        entries.append((root / source_root, candidate, name))
                        found = True
                        break
                if found:
                    break
            if not found:
                elsewhere = find_outside_roots(root, roots, [name.split(".")[0]])
                if elsewhere:
                    folder = elsewhere[name.split(".")[0]]
                    hint = f"; it exists under '{folder}/': set roots = [\"{folder}\"] in [project]"
                else:
                    present = top_level_packages(root, roots)
                    hint = f"; packages under the roots: {', '.join(present)}" if present else "; there is no package under the roots"
                raise ContractError(
                    f"package {name!r} not found under the source roots {list(roots)}{hint}",
                    file=contract_file,
                    key=f"project.packages[{index}]",
                )
            packages.append(name)
    else:
        for source_root in roots:
            base = root / source_root
            for child in _children(base):
                if child.name.startswith(".") or child.name in SKIPPED_DIRECTORIES:
                    continue
                is_package = child.is_dir() and (child / "__init__.py").is_file() and _IDENTIFIER.match(child.name)
                if is_package and not excluded(_relpath(child, root)):
                    entries.append((base, child, child.name))
                    packages.append(child.name)
        if not entries:
            hint = ""
            if "src" not in roots and (root / "src").is_dir():
                hint = " (there is a 'src/' folder: set roots = [\"src\"] in [project])"
            raise ContractError(
                f"no Python package (a folder with __init__.py) found under {', '.join(repr(r) for r in roots)} in {root}{hint}; "
                "name what to analyse in [project] packages",
                file=contract_file,
                key="project.packages",
            )

    visited: set[tuple[int, int]] = set()

    def add_file(path: Path, source_root: Path) -> None:
        relpath = _relpath(path, root)
        if excluded(relpath):
            return
        parts = list(path.relative_to(source_root).with_suffix("").parts)
        is_package = parts[-1] == "__init__"
        if is_package:
            parts.pop()
        if not all(_IDENTIFIER.match(part) for part in parts):
            problems.append(
                DiscoveryProblem(relpath, "not-a-module", f"{'.'.join(parts)!r} is not an importable module name; file not analysed")
            )
            return
        module = ".".join(parts)
        if module in files:
            problems.append(
                DiscoveryProblem(
                    relpath,
                    "duplicate-module",
                    f"module {module!r} is already defined by {files[module].relpath}, which Python imports instead; not analysed",
                )
            )
            return
        files[module] = SourceFile(path=path, relpath=relpath, module=module, is_package=is_package)

    root_text = str(root)

    def rel(path: str) -> str:
        if path.startswith(root_text + os.sep):
            return path[len(root_text) + 1 :].replace(os.sep, "/")
        return _relpath(Path(path), root)

    def walk(directory: str, source_root: Path) -> None:
        # Plain strings and scandir's cached entry data: Django's tree (2,500 folders, most
        # of them translations) is walked in milliseconds.
        try:
            info = os.stat(directory)
            identity = (info.st_dev, info.st_ino)
        except OSError:
            identity = (0, hash(directory))
        if identity in visited:
            problems.append(DiscoveryProblem(rel(directory), "symlink-loop", "symlink loop (directory already visited); not followed"))
            return
        visited.add(identity)
        try:
            with os.scandir(directory) as iterator:
                children = sorted(iterator, key=lambda e: e.name)
        except OSError as error:
            problems.append(DiscoveryProblem(rel(directory), "unreadable", f"cannot list directory: {error.strerror}"))
            return
        for entry in children:
            name = entry.name
            if name.startswith(".") or name in SKIPPED_DIRECTORIES:
                continue
            is_python = name.endswith(".py")
            try:
                is_link = entry.is_symlink()
                is_dir = entry.is_dir()
            except OSError:
                is_link, is_dir = False, False
            if not is_python and not is_dir and not is_link:
                continue  # data files, stubs, compiled files: not modules
            if is_link:
                try:
                    target = os.path.realpath(entry.path)
                    os.stat(target)
                except (OSError, RuntimeError):
                    if is_python or "." not in name:
                        problems.append(DiscoveryProblem(rel(entry.path), "broken-symlink", "broken symlink; not analysed"))
                    continue
                if not _inside(Path(target), root):
                    if is_python or os.path.isdir(target):
                        problems.append(DiscoveryProblem(rel(entry.path), "outside-root", f"symlink to {target} outside the project root; not followed"))
                    continue
            if is_dir:
                relpath = rel(entry.path)
                if excluded(relpath):
                    continue
                if not _IDENTIFIER.match(name):
                    if _contains_python(Path(entry.path)):
                        message = f"folder {name!r} is not an importable package name; its files are not analysed"
                        problems.append(DiscoveryProblem(relpath, "not-a-module", message))
                    continue
                walk(entry.path, source_root)
            elif is_python:
                try:
                    regular = entry.is_file()
                    mode = entry.stat().st_mode
                except OSError as error:
                    problems.append(DiscoveryProblem(rel(entry.path), "unreadable", f"cannot stat: {error.strerror}"))
                    continue
                if not regular or not stat.S_ISREG(mode):
                    problems.append(DiscoveryProblem(rel(entry.path), "not-a-file", "not a regular file (FIFO, device or socket); never opened"))
                    continue
                add_file(Path(entry.path), source_root)

    for base_dir, entry, _name in entries:
        if entry.is_dir():
            walk(str(entry), base_dir)
        else:
            add_file(entry, base_dir)

    ordered = tuple(sorted(files.values(), key=lambda f: f.module))
    return Discovery(
        root=root,
        roots=roots,
        packages=tuple(sorted(set(packages))),
        files=ordered,
        problems=tuple(sorted(problems, key=lambda p: (p.relpath, p.kind))),
    )


def top_level_packages(root: Path, roots: tuple[str, ...]) -> list[str]:
    """The regular packages (folders with __init__.py) directly under the source roots."""
    found = set()
    for source_root in roots:
        for child in _children(root / source_root):
            if child.is_dir() and _IDENTIFIER.match(child.name) and (child / "__init__.py").is_file():
                found.add(child.name)
    return sorted(found)


def find_outside_roots(root: Path, roots: tuple[str, ...], names: list[str]) -> dict[str, str]:
    """Top-level packages or modules that exist under the project root but outside the source
    roots (``src/shop`` when the roots are ``["."]``): name -> the folder holding it (posix,
    relative to the root; "." for the root itself). Looks in src/, the root, and the root's
    direct sub-folders."""
    root = root.resolve()
    folders = [root / "src", root]
    folders += [c for c in _children(root) if c.is_dir() and not c.name.startswith(".") and c.name not in SKIPPED_DIRECTORIES and c.name != "src"]
    found: dict[str, str] = {}
    source_roots = {Path(r).as_posix() for r in roots}
    for name in sorted(set(names)):
        if not _IDENTIFIER.match(name):
            continue
        for folder in folders:
            relative = _relpath(folder, root) if folder != root else "."
            if relative in source_roots or not folder.is_dir():
                continue
            if (folder / f"{name}.py").is_file() or _holds_python(folder / name, depth=3):
                found[name] = relative
                break
    return found


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
        return True
    except ValueError:
        return False


def _holds_python(directory: Path, depth: int) -> bool:
    """True when a .py file is in the directory or in its sub-folders, down to ``depth`` levels."""
    try:
        children = list(directory.iterdir())
    except OSError:
        return False
    if any(child.suffix == ".py" for child in children):
        return True
    return depth > 1 and any(_holds_python(child, depth - 1) for child in children if child.is_dir() and not child.name.startswith("."))


def _contains_python(directory: Path) -> bool:
    try:
        return any(child.suffix == ".py" for child in directory.iterdir())
    except OSError:
        return False
