"""A contract for a tree that has none: the given folders and files, default settings.

``archguard dupes PATH ...`` runs on any tree, as a clone detector would: without a contract
file it analyses every Python file under the given paths with the default duplication
settings and no components (so there is no cross-component level). Nothing is written into
the tree for this; the analysis caches as usual unless ``--no-cache``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from archguard.base.errors import UsageError
from archguard.contract.loading import LoadedContract
from archguard.contract.models import Contract, ProjectConfig

# The folders a tree walk skips: tool and environment folders, never the project's code.
_SKIPPED = frozenset({"__pycache__", "node_modules", "site-packages", ".archguard_cache"})
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

NO_CONTRACT_NOTICE = "{reason}: analysing {what} with the default duplication settings, without components"


def _entries(folder: Path) -> list[str]:
    """What a folder holds that Python could import as top-level packages or modules: folders
    with an identifier name (regular or namespace packages) and ``.py`` files. Symlinked
    folders are left out (they may lead outside the tree)."""
    names: list[str] = []
    try:
        with os.scandir(folder) as listing:
            children = sorted(listing, key=lambda entry: entry.name)
    except OSError as error:
        raise UsageError(f"cannot list {folder}: {error.strerror or error}") from None
    for child in children:
        if child.name.startswith(".") or child.name in _SKIPPED:
            continue
        if child.is_dir(follow_symlinks=False) and _IDENTIFIER.match(child.name):
            names.append(child.name)
        elif child.name.endswith(".py") and child.is_file() and child.name != "__init__.py":
            names.append(child.name[: -len(".py")])
    return names


def _relative(path: Path, root: Path) -> str:
    relative = path.relative_to(root).as_posix()
    return relative or "."


def contract_for_paths(paths: Sequence[Path], cwd: Path | None = None, *, reason: str = "no contract found") -> LoadedContract:
    """A loaded contract that analyses ``paths`` (folders or ``.py`` files; default the working
    directory) with default settings. The project root is the working directory when every
    path lies inside it (reports then give paths as the user typed them), else the paths'
    common folder. Raises :class:`UsageError` for a path that is neither a folder nor a
    ``.py`` file. ``reason`` says why no contract applies (the first words of the notice)."""
    cwd = (cwd or Path.cwd()).resolve()
    given = [Path(p) for p in paths] or [Path(".")]
    resolved: list[Path] = []
    for path in given:
        full = (cwd / path).resolve()
        if not full.is_dir() and not (full.is_file() and full.suffix == ".py"):
            raise UsageError(f"{path}: not a folder or a .py file")
        resolved.append(full)
    inside = all(full == cwd or cwd in full.parents for full in resolved)
    root = cwd if inside else Path(os.path.commonpath([p if p.is_dir() else p.parent for p in resolved]))
    roots: list[str] = []
    packages: list[str] = []
    for full in resolved:
        if full.is_dir():
            folder, names = full, _entries(full)
        else:
            folder, names = full.parent, [full.stem]
        relative = _relative(folder, root)
        if relative not in roots:
            roots.append(relative)
        packages += [name for name in names if name not in packages]
    if not packages:
        raise UsageError(f"no Python file in {', '.join(str(p) for p in given)}")
    contract = Contract(project=ProjectConfig(roots=roots, packages=packages))
    what = ", ".join(str(p) for p in given)
    return LoadedContract(
        contract=contract,
        path=root / "(no contract)",
        root=root,
        source="",
        notice=NO_CONTRACT_NOTICE.format(reason=reason, what=what),
    )
