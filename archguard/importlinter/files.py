"""Which files hold an import-linter configuration: detection only, no parsing into models.

Kept apart from :mod:`archguard.importlinter.config` (pydantic models, about 18 ms to
import) so that ``archguard check --config archguard.toml`` decides it is no import-linter
file without importing them.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Literal

from archguard.base.safe_files import CONFIG_LIMIT, read_regular_text
from archguard.contract.locate import is_companion

INI_FILES = ("setup.cfg", ".importlinter")  # in import-linter's order of preference
TOML_FILE = "pyproject.toml"
INI_SECTION = "importlinter"
TOML_TABLE = "tool.importlinter"


def config_format(path: Path) -> Literal["ini", "toml"]:
    """import-linter's rule: ``*.toml`` files are TOML, anything else is INI."""
    return "toml" if path.name.endswith(".toml") else "ini"


def has_importlinter_section(path: Path) -> bool:
    """Whether the file holds an import-linter configuration (cheap text check, then a parse)."""
    try:
        text = read_regular_text(path, limit=CONFIG_LIMIT)
    except (OSError, UnicodeDecodeError):
        return False
    if config_format(path) == "toml":
        if "importlinter" not in text:
            return False
        try:
            tool = tomllib.loads(text).get("tool", {})
        except tomllib.TOMLDecodeError:
            return False
        return isinstance(tool, dict) and isinstance(tool.get("importlinter"), dict) and bool(tool["importlinter"])
    return re.search(rf"^\s*\[{INI_SECTION}\]", text, re.M) is not None


def find_importlinter_config(start: Path) -> Path | None:
    """Walk up from ``start``: the first file with an import-linter configuration.

    In each directory the files are tried in import-linter's order: ``setup.cfg``,
    ``.importlinter``, then ``pyproject.toml``.
    """
    current = start.resolve()
    for directory in (current, *current.parents):
        for name in (*INI_FILES, TOML_FILE):
            candidate = directory / name
            if candidate.is_file() and has_importlinter_section(candidate):
                return candidate
    return None


def is_importlinter_file(path: Path) -> bool:
    """Should ``--config PATH`` be read as an import-linter configuration?

    INI files always are (archguard contracts are TOML); a TOML file is when it has a
    ``[tool.importlinter]`` table and no ``[tool.archguard]`` table other than the companion
    of the import-linter configuration (:func:`archguard.contract.locate.is_companion`).
    """
    if config_format(path) == "ini":
        return True
    if not has_importlinter_section(path):
        return False
    try:
        tool = tomllib.loads(read_regular_text(path, limit=CONFIG_LIMIT)).get("tool", {})
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
    return not (isinstance(tool, dict) and "archguard" in tool and not is_companion(tool["archguard"]))


class ImportLinterFiles:
    """The registry's view of these files (:class:`archguard.engine.dialects.ConfigFiles`)."""

    names: tuple[str, ...] = (*INI_FILES, TOML_FILE)

    def claims(self, path: Path) -> bool:
        return is_importlinter_file(path)

    def find(self, start: Path) -> Path | None:
        return find_importlinter_config(start)


FILES = ImportLinterFiles()
