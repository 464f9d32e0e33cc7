"""Folder listings kept between runs: a folder whose stat is unchanged is not listed again.

Discovery looks into every folder under the source roots (Django: 2,500 folders, most of them
translations). A folder's entries change only with its times: adding, removing or renaming an
entry sets its modification and change times, and the change time cannot be set back (a tool
that restores modification times, such as an archive extraction, still changes it). So the
names and kinds of a folder's entries that the last run listed are taken again while its
(modification time, change time, inode, device) are those recorded. As with the digest index
(:class:`archguard.analysis.cache.DigestIndex`), a folder changed within :attr:`RACY_NS` of the
moment the listing is written is not kept (a later change in the same tick could go unseen).
What a symlink leads to can change without its folder changing: a symlink is listed as a
symlink, and the walk looks where it leads every time.

Stored in the cache folder (``listings.bin``: checksummed ``marshal``, a private file written
atomically); a missing, corrupt or foreign file is ignored.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from archguard.analysis.cache import read_versioned, write_versioned

# Kinds of entries, as the folder's listing tells them (no stat of the entry itself).
OTHER, FILE, FOLDER, SYMLINK = 0, 1, 2, 3

Entry = tuple[str, int]  # (name, kind)
_Key = tuple[int, int, int, int]


def _kind(entry: os.DirEntry[str]) -> int:
    try:
        if entry.is_symlink():
            return SYMLINK
        if entry.is_dir(follow_symlinks=False):
            return FOLDER
        if entry.is_file(follow_symlinks=False):
            return FILE
    except OSError:
        pass
    return OTHER


def scan(folder: str) -> list[Entry]:
    """A folder's entries, listed now (OSError when it cannot be listed)."""
    with os.scandir(folder) as iterator:
        return [(entry.name, _kind(entry)) for entry in iterator]


class FolderListings:
    """Listings of folders by path, reused while a folder's stat is unchanged (see the module)."""

    RACY_NS = 2_000_000_000

    def __init__(self, directory: Path | None) -> None:
        self.path = directory / "listings.bin" if directory is not None else None
        self._stored: dict[str, tuple[_Key, list[Entry]]] = {}
        self._seen: dict[str, tuple[_Key, list[Entry]]] = {}
        self.listed = 0  # folders listed in this run (the others were taken from the record)
        self._dirty = False

    def load(self) -> FolderListings:
        stored = read_versioned(self.path) if self.path is not None else None
        if stored is not None and len(stored) == 1 and isinstance(stored[0], dict):
            self._stored = stored[0]
        return self

    def entries(self, folder: str) -> list[Entry]:
        """The folder's entries: recorded ones when its stat is unchanged, else listed now.
        OSError when it cannot be listed."""
        info = os.stat(folder)
        key = (info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_dev)
        known = self._stored.get(folder)
        if known is not None and known[0] == key and isinstance(known[1], list):
            entries = known[1]
        else:
            entries = scan(folder)
            self.listed += 1
            self._dirty = True
        self._seen[folder] = (key, entries)
        return entries

    def save(self) -> None:
        """Keep the listings of this run's folders (those changed just now left out)."""
        if self.path is None or (not self._dirty and len(self._seen) == len(self._stored)):
            return
        limit = time.time_ns() - self.RACY_NS
        kept = {folder: seen for folder, seen in self._seen.items() if seen[0][0] < limit and seen[0][1] < limit}
        if kept != self._stored:
            write_versioned(self.path, (kept,))
