"""Where the project's build configuration says its packages live, and which they are.

The build backend decides what a wheel ships: setuptools (``[tool.setuptools]`` in
``pyproject.toml``, or ``[options]`` in ``setup.cfg``), hatch, poetry, pdm and flit each
have their keys for the folder that holds the packages (``src``, ``lib``, ...) and for the
packages themselves. :func:`read_build_layout` reads those keys as plain data (nothing is
imported, ``setup.py`` is never run) so that archguard finds the library where the
project's own tooling finds it. A file that cannot be read or parsed gives no layout: the
build itself would fail on it, and archguard then looks in the usual places.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class BuildLayout:
    """What one build configuration says about the project's packages."""

    origin: str  # where it is written, for messages: "pyproject.toml [tool.setuptools]"
    folders: tuple[str, ...] = ()  # folders holding top-level packages (posix, relative to the project; "." the project itself)
    packages: tuple[str, ...] = ()  # top-level packages or modules it names
    include: tuple[str, ...] = ()  # package name patterns (setuptools' find include, fnmatch-style)
    exclude: tuple[str, ...] = ()  # package name patterns left out
    project_name: str | None = None  # [project] name, as an import name ("my-lib" -> "my_lib")

    def names_packages(self) -> bool:
        """Whether the configuration says which packages are the library (by name or pattern)."""
        return bool(self.packages or self.include)

    def ships(self, package: str) -> bool:
        """Whether a top-level package is one the build configuration ships."""
        if self.packages:
            return package in self.packages
        if self.include and not any(_fnmatch(package, pattern) for pattern in self.include):
            return False
        return not any(_fnmatch(package, pattern) for pattern in self.exclude)


def _fnmatch(name: str, pattern: str) -> bool:
    """setuptools' rule: fnmatch on the dotted name ("django*" matches "django" and "django.db")."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, name) is not None


def _folder(text: str) -> str | None:
    """A relative posix folder, or None when it leaves the project (absolute, '..')."""
    parts = [p for p in text.replace("\\", "/").split("/") if p not in ("", ".")]
    if text.startswith(("/", "\\")) or ".." in parts:
        return None
    return "/".join(parts) or "."


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _table(document: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    current: Any = document
    for key in keys:
        current = current.get(key) if isinstance(current, dict) else None
    return current if isinstance(current, dict) else {}


def _top(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name.split(".")[0] for name in names if name))


def _path_package(path: str) -> tuple[str | None, str | None]:
    """("src/foo" -> ("src", "foo")): the folder holding a package given by its path, and its name."""
    folder = _folder(path)
    if folder is None or folder == ".":
        return None, None
    parent, _, name = folder.rpartition("/")
    name = name.removesuffix(".py")
    return (parent or "."), name


def _setuptools(tool: Mapping[str, Any]) -> BuildLayout | None:
    table = _table(tool, "setuptools")
    if not table:
        return None
    folders: list[str] = []
    packages: list[str] = []
    include: list[str] = []
    exclude: list[str] = []
    package_dir = table.get("package-dir")
    if isinstance(package_dir, dict):
        for name, target in package_dir.items():
            if not isinstance(target, str) or (folder := _folder(target)) is None:
                continue
            if name == "":
                folders.append(folder)
            elif folder.rpartition("/")[2] == name.split(".")[-1] and "." not in name:
                folders.append(folder.rpartition("/")[0] or ".")
    found = table.get("packages")
    if isinstance(found, list):
        packages += _strings(found)
    elif isinstance(found, dict) and isinstance(found.get("find"), dict):
        found = found["find"]
    find = _table(table, "packages", "find") or (found if isinstance(found, dict) else {})
    for where in _strings(find.get("where", [])):
        if (folder := _folder(where)) is not None:
            folders.append(folder)
    include += _strings(find.get("include", []))
    exclude += _strings(find.get("exclude", []))
    packages += _strings(table.get("py-modules", []))
    return BuildLayout("pyproject.toml [tool.setuptools]", tuple(dict.fromkeys(folders)), _top(packages), tuple(include), tuple(exclude))


def _hatch(tool: Mapping[str, Any]) -> BuildLayout | None:
    hatch = _table(tool, "hatch")
    if not hatch:
        return None
    folders: list[str] = []
    packages: list[str] = []
    for table in (_table(hatch, "build", "targets", "wheel"), _table(hatch, "build")):
        # sources: folders whose prefix the wheel strips, i.e. source roots ({"src" = ""} too).
        sources = table.get("sources")
        roots: list[str] = []
        if isinstance(sources, list):
            roots = [f for s in _strings(sources) if (f := _folder(s)) is not None]
        elif isinstance(sources, dict):
            roots = [f for source, target in sources.items() if target == "" and (f := _folder(source)) is not None]
        folders += roots
        for path in _strings(table.get("packages", [])) + _strings(table.get("only-include", [])):
            if _folder(path) in roots:
                continue  # only-include = ["src"] with sources = ["src"]: the whole root ships (black)
            folder, name = _path_package(path)
            if folder is not None and name is not None:
                folders.append(folder)
                packages.append(name)
    if not folders and not packages:
        return None
    return BuildLayout("pyproject.toml [tool.hatch]", tuple(dict.fromkeys(folders)), _top(packages))


def _poetry(tool: Mapping[str, Any]) -> BuildLayout | None:
    poetry = _table(tool, "poetry")
    entries = poetry.get("packages")
    if not isinstance(entries, list):
        return None
    folders: list[str] = []
    packages: list[str] = []
    patterns: list[str] = []  # include = "shop_*": a glob over the folder's top-level names
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("include"), str):
            continue
        base = _folder(entry.get("from", ".")) if isinstance(entry.get("from", "."), str) else None
        name = entry["include"].split("/")[0].removesuffix(".py")
        if base is None or not name or name.startswith("*"):
            continue  # "**/*.py" and the like name no package
        folders.append(base)
        if any(c in name for c in "*?["):
            patterns.append(name)
        else:
            packages.append(name)
    if not folders:
        return None
    if patterns:
        # A glob entry: the library is whatever matches one of the patterns or is named plainly.
        return BuildLayout("pyproject.toml [tool.poetry] packages", tuple(dict.fromkeys(folders)), include=tuple([*patterns, *_top(packages)]))
    return BuildLayout("pyproject.toml [tool.poetry] packages", tuple(dict.fromkeys(folders)), _top(packages))


def _pdm(tool: Mapping[str, Any]) -> BuildLayout | None:
    build = _table(tool, "pdm", "build")
    folders: list[str] = []
    packages: list[str] = []
    package_dir = build.get("package-dir")
    if isinstance(package_dir, str) and (folder := _folder(package_dir)) is not None:
        folders.append(folder)
    for path in _strings(build.get("includes", [])):
        folder, name = _path_package(path)
        if folder is not None and name is not None and "*" not in name:
            folders.append(folder)
            packages.append(name)
    if not folders:
        return None
    return BuildLayout("pyproject.toml [tool.pdm.build]", tuple(dict.fromkeys(folders)), _top(packages))


def _flit(tool: Mapping[str, Any]) -> BuildLayout | None:
    module = _table(tool, "flit", "module")
    name = module.get("name")
    if not isinstance(name, str) or not name:
        return None
    # flit looks for the module in the project folder, then in src/ (flit_core's rule).
    return BuildLayout("pyproject.toml [tool.flit.module]", (".", "src"), _top([name]))


def _setup_cfg(text: str) -> BuildLayout | None:
    import configparser  # (read only when there is a setup.cfg to read)

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(text)
    except configparser.Error:
        return None
    if not parser.has_section("options"):
        return None
    options = parser["options"]

    def lines(value: str) -> list[str]:
        return [item.strip() for line in value.splitlines() for item in line.split(",") if item.strip()]

    folders: list[str] = []
    packages: list[str] = []
    for line in options.get("package_dir", "").splitlines():
        name, separator, target = line.partition("=")
        if not separator or (folder := _folder(target.strip())) is None:
            continue
        name = name.strip()
        if name == "":
            folders.append(folder)
        elif folder.rpartition("/")[2] == name and "." not in name:
            folders.append(folder.rpartition("/")[0] or ".")
    include: list[str] = []
    exclude: list[str] = []
    declared = options.get("packages", "").strip()
    if declared and not declared.startswith("find"):
        packages += lines(declared)
    if parser.has_section("options.packages.find"):
        find = parser["options.packages.find"]
        folders += [f for w in lines(find.get("where", "")) if (f := _folder(w)) is not None]
        include += lines(find.get("include", ""))
        exclude += lines(find.get("exclude", ""))
    packages += lines(options.get("py_modules", ""))
    if not (folders or packages or include):
        return None
    return BuildLayout("setup.cfg [options]", tuple(dict.fromkeys(folders)), _top(packages), tuple(include), tuple(exclude))


def _import_name(project_name: Any) -> str | None:
    """The import name a project name suggests (PEP 503 normalised, '-' and '.' as '_')."""
    if not isinstance(project_name, str) or not project_name.strip():
        return None
    name = re.sub(r"[-_.]+", "_", project_name.strip()).lower()
    return name if name.isidentifier() else None


def _read_text(path: Path) -> str | None:
    try:
        if not path.is_file():
            return None
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def read_build_layout(root: Path) -> BuildLayout | None:
    """The project's build configuration (``pyproject.toml``, else ``setup.cfg``), or None when
    neither says where the packages are."""
    project_name: str | None = None
    text = _read_text(root / "pyproject.toml")
    if text is not None:
        try:
            document = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            document = {}
        tool = _table(document, "tool")
        project_name = _import_name(_table(document, "project").get("name")) or _import_name(_table(tool, "poetry").get("name"))
        for reader in (_setuptools, _hatch, _poetry, _pdm, _flit):
            layout = reader(tool)
            if layout is not None and (layout.folders or layout.names_packages()):
                return _with_name(layout, project_name)
    text = _read_text(root / "setup.cfg")
    if text is not None:
        layout = _setup_cfg(text)
        if layout is not None:
            return _with_name(layout, project_name)
    if project_name is not None:
        return BuildLayout("pyproject.toml [project] name", project_name=project_name)
    return None


def _with_name(layout: BuildLayout, project_name: str | None) -> BuildLayout:
    return BuildLayout(layout.origin, layout.folders, layout.packages, layout.include, layout.exclude, project_name)
