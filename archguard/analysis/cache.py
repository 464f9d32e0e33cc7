"""The facts cache: FileFacts by content hash, in one packed, checksummed file.

One file loads much faster than thousands of small ones. The file is replaced atomically
(write to a temporary file, then ``os.replace``), so concurrent runs never see a torn file,
and every version on disk is complete; a run that saves after another replaced the file
merges the other's entries (:meth:`FactsCache.save`). A file that fails its checksum,
was written by another archguard version, or cannot be decoded is ignored and rebuilt.

Layout: ``MAGIC`` + 32-byte SHA-256 of the payload + payload, where the payload is
``marshal`` of ``(version, key, {content_hash: facts_tuple})``. marshal only builds plain
values (no code runs while loading); the checksum guards against truncation and garbage.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import stat
import time
import warnings
from pathlib import Path
from typing import Any

from archguard import __version__
from archguard.analysis.read.facts import FileFacts
from archguard.base.errors import ArchguardWarning
from archguard.base.safe_files import CACHE_LIMIT, is_inside, kind_of, make_folder, read_regular, write_atomic

MAGIC = b"ARCHGUARD-FACTS\x01"
CACHE_DIR_NAME = ".archguard_cache"


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
        stacklevel=2,
    )
    return None


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class FactsCache:
    """Facts by content hash, for one set of extractor settings."""

    def __init__(self, directory: Path, settings: str) -> None:
        self.directory = directory
        self.settings = settings
        self.key = hashlib.sha256(f"{__version__}\x00{settings}".encode()).hexdigest()[:16]
        self.path = directory / f"facts-{self.key}.bin"
        self._raw: dict[str, Any] = {}
        self._loaded: dict[str, FileFacts] = {}
        self._used: dict[str, Any] = {}
        self._dirty = False
        self._signature: tuple[int, int, int] | None = None  # the file's stat when loaded
        self.loaded_ok = False

    def load(self) -> None:
        self._signature = _signature(self.path)
        entries = self._read()
        if entries is not None:
            self._raw = entries
            self.loaded_ok = True

    def _read(self) -> dict[str, Any] | None:
        stored = _read_versioned(self.path)
        if stored is None or len(stored) != 2:
            return None
        key, entries = stored
        if key != self.key or not isinstance(entries, dict):
            return None
        return entries

    def get(self, digest: str) -> FileFacts | None:
        facts = self._loaded.get(digest)
        if facts is not None:
            return facts
        raw = self._raw.get(digest)
        if raw is None:
            return None
        try:
            facts = FileFacts.from_tuple(raw)
        except (TypeError, ValueError):
            return None
        self._loaded[digest] = facts
        self._used[digest] = raw
        return facts

    def put(self, digest: str, facts: FileFacts) -> None:
        self._loaded[digest] = facts
        self._used[digest] = facts.to_tuple()
        self._dirty = True

    def save(self, keep_old: int = 2) -> None:
        """Write entries used in this run, plus older ones up to ``keep_old`` times as many.

        When another run replaced the file since this one loaded it (a concurrent archguard, or
        the base side of `check --diff`, which runs while the head's files are parsed), its
        entries are kept too, before this run's older ones: the last writer does not drop
        what the other one just parsed."""
        if not self._dirty:
            return
        entries = dict(self._used)
        budget = max(1000, keep_old * len(entries))
        older = [self._raw]
        if _signature(self.path) != self._signature:
            older.insert(0, self._read() or {})
        for raw_entries in older:
            for digest, raw in raw_entries.items():
                if len(entries) >= budget:
                    break
                entries.setdefault(digest, raw)
        if _write_checked(self.directory, self.path, marshal.dumps((__version__, self.key, entries))):
            self._dirty = False


class ResultCache:
    """Derived results (e.g. the clone report of a tree) keyed by a digest of their inputs.

    Same file format as the facts (checksummed marshal, atomic replace); one file per name,
    holding the latest few results, so that the two sides of a diff (the base revision and the
    working tree) both stay cached. Values must be plain data (marshal).
    """

    KEEP = 4

    def __init__(self, directory: Path, name: str) -> None:
        self.directory = directory
        self.path = directory / f"result-{name}.bin"

    def _entries(self) -> list[tuple[str, Any]]:
        stored = _read_versioned(self.path)
        if stored is None or len(stored) != 1 or not isinstance(stored[0], list):
            return []
        entries = stored[0]
        return [entry for entry in entries if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], str)]

    def get(self, key: str) -> Any:
        """The value stored under ``key``, or None."""
        return next((value for stored, value in self._entries() if stored == key), None)

    def put(self, key: str, value: Any) -> None:
        entries = [(key, value), *((k, v) for k, v in self._entries() if k != key)][: self.KEEP]
        try:
            payload = marshal.dumps((__version__, entries))
        except ValueError:
            return  # not plain data: nothing is cached
        _write_checked(self.directory, self.path, payload)


def _read_versioned(path: Path) -> tuple[Any, ...] | None:
    """The values a cache file holds after its archguard version, or None when it is missing,
    torn, corrupt or written by another version."""
    payload = _read_checked(path)
    if payload is None:
        return None
    try:
        value = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    if not isinstance(value, tuple) or not value or value[0] != __version__:
        return None
    return value[1:]


def _signature(path: Path) -> tuple[int, int, int] | None:
    """What tells that a file was replaced: (inode, size, modification time), None if absent."""
    try:
        info = path.stat()
    except OSError:
        return None
    return (info.st_ino, info.st_size, info.st_mtime_ns)


def _read_checked(path: Path) -> bytes | None:
    """The payload of a cache file, or None when it is missing, torn or corrupt, or not one
    archguard wrote: the file names are predictable and a tree may carry a planted
    ``.archguard_cache`` (a FIFO, a symlink to ``/dev/zero``, or forged facts that would hide
    a violation), so only a private regular file of this user is read (see ``read_regular``)."""
    try:
        blob = read_regular(path, limit=CACHE_LIMIT, follow_symlinks=False, private=True)
    except OSError:
        return None
    if not blob.startswith(MAGIC) or len(blob) < len(MAGIC) + 32:
        return None
    payload = blob[len(MAGIC) + 32 :]
    if hashlib.sha256(payload).digest() != blob[len(MAGIC) : len(MAGIC) + 32]:
        return None
    return payload


def _write_checked(directory: Path, path: Path, payload: bytes) -> bool:
    blob = MAGIC + hashlib.sha256(payload).digest() + payload
    try:
        make_folder(directory)
        ignore = directory / ".gitignore"
        if not os.path.lexists(ignore):
            write_atomic(ignore, b"# archguard cache: never commit\n*\n", make_parents=False)
        write_atomic(path, blob, make_parents=False)
    except OSError:
        return False  # a read-only tree: the run still works, only slower next time
    return True


class DigestIndex:
    """Content hashes of files by their ``stat``, so that a warm run does not read unchanged files.

    Like git's index: an entry holds the file's size, modification and change times (ns), device
    and inode, and the content hash computed when the file was last read. A file whose stat is
    the same is taken to have the same bytes. The change time cannot be set by tools that
    restore modification times (``cp -p``, ``touch -d``, archive extraction), so a rewrite in
    place is still seen. Entries for files changed within :data:`RACY_NS` of the moment the
    index is written are not kept (a later write in the same timestamp tick could go unseen),
    so those files are read again next time.
    """

    RACY_NS = 2_000_000_000

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.path = directory / "digests.bin"
        self._entries: dict[str, tuple[int, int, int, int, int, str]] = {}
        self._seen: dict[str, tuple[int, int, int, int, int, str]] = {}
        self._dirty = False

    def load(self) -> None:
        stored = _read_versioned(self.path)
        if stored is not None and len(stored) == 1 and isinstance(stored[0], dict):
            self._entries = stored[0]

    @staticmethod
    def _key(info: os.stat_result) -> tuple[int, int, int, int, int]:
        return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_dev, info.st_ino)

    def lookup(self, path: str, info: os.stat_result) -> str | None:
        """The content hash recorded for this file when its stat is unchanged, else None."""
        entry = self._entries.get(path)
        if entry is None or entry[:5] != self._key(info):
            return None
        self._seen[path] = entry
        return entry[5]

    def record(self, path: str, info: os.stat_result, digest: str) -> None:
        entry = (*self._key(info), digest)
        if self._entries.get(path) != entry:
            self._dirty = True
        self._seen[path] = entry

    def save(self) -> None:
        """Write the entries of this run's files (racy ones left out); nothing when unchanged."""
        if not self._dirty and len(self._seen) == len(self._entries):
            return
        limit = time.time_ns() - self.RACY_NS
        entries = {path: entry for path, entry in self._seen.items() if entry[1] < limit and entry[2] < limit}
        if entries != self._entries:
            _write_checked(self.directory, self.path, marshal.dumps((__version__, entries)))
