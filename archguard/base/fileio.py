"""Atomic file replacement: a reader sees the old file or the new one, never half of one."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

# The folder under the project root where archguard keeps its caches (facts, contracts, replays).
CACHE_DIR_NAME = ".archguard_cache"


def write_in_cache(directory: Path, path: Path, data: bytes) -> bool:
    """Write a cache file atomically, creating the cache folder (with a ``.gitignore`` that keeps
    it out of commits). False when it cannot be written: a read-only tree still works, slower."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        ignore = directory / ".gitignore"
        if not ignore.exists():
            write_atomic(ignore, b"# archguard cache: never commit\n*\n")
        write_atomic(path, data)
    except OSError:
        return False
    return True


def write_atomic(path: Path, data: bytes, *, keep_mode: bool = False, make_parents: bool = True) -> None:
    """Replace ``path`` with ``data`` through a temporary file in the same folder.

    ``keep_mode`` keeps the permissions of the file being replaced (source files rewritten by
    ``archguard fix``). Raises :class:`OSError`; the temporary file never outlives a failure.
    """
    mode = path.stat().st_mode & 0o7777 if keep_mode else None
    if make_parents:
        path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
