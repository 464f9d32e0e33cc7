"""Atomic file replacement, and writing into archguard's cache folder.

A reader sees the old file or the new one, never half of one. The implementation lives with
the other primitives for untrusted trees (:mod:`archguard.base.safe_files`): it never writes
through a symlink at the final component.
"""

from __future__ import annotations

import os
import stat
import warnings
from pathlib import Path

from archguard.base.errors import ArchguardWarning
from archguard.base.safe_files import is_inside, kind_of, make_folder, write_atomic

__all__ = ["CACHE_DIR_NAME", "cache_directory", "write_atomic", "write_in_cache"]

# The folder under the project root where archguard keeps its caches (facts, contracts, replays).
CACHE_DIR_NAME = ".archguard_cache"


def write_in_cache(directory: Path, path: Path, data: bytes) -> bool:
    """Write a cache file atomically (private to this user, as every cache file: see
    :func:`archguard.base.safe_files.read_regular`), creating the cache folder itself (never
    its parents) with a ``.gitignore`` that keeps it out of commits. False when it cannot be
    written: a read-only tree still works, only slower next time."""
    try:
        make_folder(directory)
        ignore = directory / ".gitignore"
        if not os.path.lexists(ignore):
            write_atomic(ignore, b"# archguard cache: never commit\n*\n", private=True, make_parents=False)
        write_atomic(path, data, private=True, make_parents=False)
    except OSError:
        return False
    return True


def cache_directory(root: Path, given: Path | None = None) -> Path | None:
    """Where this run keeps its caches: ``given`` (``--cache-dir``: the user's choice, used as
    is), else ``.archguard_cache`` under the project root, or None when that name is something
    the tree planted: a symlink (``.archguard_cache -> ..`` would write the cache, and a
    ``.gitignore`` holding ``*``, into another folder) or anything but a folder. Then the run
    goes on without a cache, and says so once (an :class:`ArchguardWarning`)."""
    if given is not None:
        return given
    directory = root / CACHE_DIR_NAME
    try:
        info = os.lstat(directory)
    except OSError:
        return directory  # not there yet: created on first write
    if stat.S_ISDIR(info.st_mode):
        return directory
    if stat.S_ISLNK(info.st_mode):
        target = os.path.realpath(directory)
        where = "outside the project" if not is_inside(target, os.path.realpath(root)) else "inside the project"
        reason = f"is a symlink to {target} ({where})"
    else:
        reason = f"is {kind_of(info.st_mode)}, not a folder"
    warnings.warn(
        ArchguardWarning(f"{CACHE_DIR_NAME} {reason}; the cache is neither read nor written (remove it, or pass --cache-dir)"),
        stacklevel=1,  # one location: the contract's and the facts' caches ask alike, told once
    )
    return None
