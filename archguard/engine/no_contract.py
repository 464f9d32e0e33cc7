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
    directory) with default settings. A folder that is a package is analysed as that package
    (its ``__init__`` included, its modules named ``pkg.mod``); another folder, as the packages
    and modules it holds. The project root is the working directory when every source root
    lies inside it (reports then give paths as the user typed them), else their common folder.
    Raises :class:`UsageError` for a path that is neither a folder nor a ``.py`` file.
    ``reason`` says why no contract applies (the first words of the notice)."""
    cwd = (cwd or Path.cwd()).resolve()
    given = [Path(p) for p in paths] or [Path(".")]
    places: list[tuple[Path, list[str]]] = []  # (source root, top-level packages or modules in it)
    for path in given:
        full = (cwd / path).resolve()
        if full.is_dir() and (full / "__init__.py").is_file() and _IDENTIFIER.match(full.name):
            places.append((full.parent, [full.name]))  # a package: analysed as itself, __init__ included
        elif full.is_dir():
            places.append((full, _entries(full)))
        elif full.is_file() and full.name == "__init__.py":
            places.append((full.parent.parent, [full.parent.name]))
        elif full.is_file() and full.suffix == ".py":
            places.append((full.parent, [full.stem]))
        else:
            raise UsageError(f"{path}: not a folder or a .py file")
    folders = [folder for folder, _ in places]
    inside = all(folder == cwd or cwd in folder.parents for folder in folders)
    root = cwd if inside else Path(os.path.commonpath(folders))
    roots: list[str] = []
    packages: list[str] = []
    for folder, names in places:
        relative = _relative(folder, root)
        if relative not in roots:
            roots.append(relative)
        packages += [name for name in names if name not in packages]
    if not packages:
        raise UsageError(f"no Python file in {', '.join(str(p) for p in given)}")
    # (valid by construction: lists of folder and package names; nothing to validate, no pydantic to import)
    contract = Contract.model_construct(project=ProjectConfig.model_construct(roots=roots, packages=packages))
    what = ", ".join(str(p) for p in given)
    return LoadedContract(
        contract=contract,
        path=root / "(no contract)",
        root=root,
        source="",
        notice=NO_CONTRACT_NOTICE.format(reason=reason, what=what),
    )
