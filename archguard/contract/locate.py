"""Where the contract is: found without parsing or validating it (no pydantic).

The command line's replay path (:mod:`archguard.cli.replay`) needs the contract's location
and bytes before deciding whether to load anything heavier.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any

from archguard.base.safe_files import CONFIG_LIMIT, read_regular_text

CONTRACT_FILES = ("archguard.toml", ".archguard.toml", "contracts/archguard.toml")
# The keys of archguard's table next to an import-linter configuration
# (:class:`archguard.contract.models.ImportLinterCompanion`; no pydantic here).
COMPANION_KEYS = frozenset({"dynamic", "uncovered", "copies", "suppressions", "pragmas"})


def is_companion(table: object) -> bool:
    """Whether a ``[tool.archguard]`` table holds only the import-linter companion's keys: it then
    configures archguard's checks of an import-linter configuration and is no archguard contract."""
    return isinstance(table, dict) and bool(table) and set(table) <= COMPANION_KEYS


def find_contract(start: Path) -> tuple[Path, str] | None:
    """Walk up from ``start``: the first contract file found, and the table it is in."""
    current = start.resolve()
    for directory in (current, *current.parents):
        for name in CONTRACT_FILES:
            candidate = directory / name
            # Not is_file(): a FIFO, a device or a broken symlink of that name is the contract,
            # and reading it says what is wrong (a contract elsewhere must not silently win).
            if os.path.lexists(candidate) and not candidate.is_dir():
                return candidate, ""
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and has_table(pyproject, ("tool", "archguard")) and not _companion_in(pyproject):
            return pyproject, "tool.archguard"
    return None


def _companion_in(pyproject: Path) -> bool:
    """[tool.archguard] is the companion of a [tool.importlinter] configuration in the same file."""
    try:
        tool: Any = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return isinstance(tool, dict) and isinstance(tool.get("importlinter"), dict) and is_companion(tool.get("archguard"))


def has_table(path: Path, keys: tuple[str, ...]) -> bool:
    try:
        data: Any = tomllib.loads(read_regular_text(path, limit=CONFIG_LIMIT))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return False
        data = data[key]
    return isinstance(data, dict)
