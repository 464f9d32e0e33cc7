"""Where the contract is: found without parsing or validating it (no pydantic).

The command line's replay path (:mod:`archguard.cli.replay`) needs the contract's location
and bytes before deciding whether to load anything heavier.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

CONTRACT_FILES = ("archguard.toml", ".archguard.toml", "contracts/archguard.toml")


def find_contract(start: Path) -> tuple[Path, str] | None:
    """Walk up from ``start``: the first contract file found, and the table it is in."""
    current = start.resolve()
    for directory in (current, *current.parents):
        for name in CONTRACT_FILES:
            candidate = directory / name
            if candidate.is_file():
                return candidate, ""
        pyproject = directory / "pyproject.toml"
        if pyproject.is_file() and has_table(pyproject, ("tool", "archguard")):
            return pyproject, "tool.archguard"
    return None


def has_table(path: Path, keys: tuple[str, ...]) -> bool:
    try:
        data: Any = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    for key in keys:
        if not isinstance(data, dict) or key not in data:
            return False
        data = data[key]
    return isinstance(data, dict)
