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
        if pyproject.is_file() and has_table(pyproject, ("tool", "archguard")):
            return pyproject, "tool.archguard"
    return None


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
