"""Reading a configuration file's text and TOML, with errors that name the file and line."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from archguard.base.errors import ContractError
from archguard.base.safe_files import CONFIG_LIMIT, read_regular_text


def read_config_text(path: Path, display: str, what: str) -> str:
    """The UTF-8 text of a configuration file; ``what`` names it in errors ("contract", "configuration").
    Only a regular file is read (a FIFO or a device is an error, never a hang), up to
    :data:`~archguard.base.safe_files.CONFIG_LIMIT` bytes."""
    try:
        return read_regular_text(path, limit=CONFIG_LIMIT)
    except FileNotFoundError:
        raise ContractError(f"{what} file not found", file=display) from None
    except UnicodeDecodeError as error:
        raise ContractError(f"not UTF-8 text ({error.reason} at byte {error.start})", file=display) from None
    except OSError as error:
        raise ContractError(f"cannot read {what}: {error.strerror}", file=display) from None


def parse_toml(source: str, display: str) -> dict[str, Any]:
    """The TOML document, or a :class:`ContractError` at the line tomllib names."""
    try:
        return tomllib.loads(source)
    except tomllib.TOMLDecodeError as error:
        message = str(error)
        line = None
        match = re.search(r"\(at line (\d+), column (\d+)\)", message)
        if match:
            line = int(match.group(1))
            message = message[: match.start()].strip()
        raise ContractError(f"invalid TOML: {message}", file=display, line=line) from None
