"""The facts cache: FileFacts by content hash, in one packed, checksummed file and its log.

One file loads much faster than thousands of small ones. The packed file is replaced
atomically (write to a temporary file, then ``os.replace``), so concurrent runs never see a
torn file, and every version on disk is complete. A run that parsed a few files does not
rewrite it: it appends their entries to a log next to it, as one checksummed record (a run
that reads the cache takes the packed file, then every whole record of the log). When the log
has grown to a quarter of the packed file, the next save folds it in (and drops entries no
run has used lately); a run that saves after another replaced the file merges the other's
entries (:meth:`FactsCache.save`). A file or record that fails its checksum, was written by
another archguard version, or cannot be decoded is ignored and rebuilt.

Layout: ``MAGIC`` + 32-byte SHA-256 of the payload + payload, where the payload is
``marshal`` of ``(version, key, {content_hash: facts_tuple})``; a log record is a 4-byte
length, the SHA-256 and such a payload. marshal only builds plain values (no code runs while
loading); the checksum guards against truncation and garbage.
"""

from __future__ import annotations

import contextlib
import hashlib
import marshal
import os
import struct
import time
from pathlib import Path
from typing import Any

from archguard import __version__
from archguard.analysis.read.facts import FileFacts
from archguard.base.fileio import CACHE_DIR_NAME, cache_directory, write_in_cache
from archguard.base.integrity import seal, unseal
from archguard.base.safe_files import CACHE_LIMIT, make_folder, read_regular

__all__ = ["CACHE_DIR_NAME", "DigestIndex", "FactsCache", "ResultCache", "cache_directory", "content_hash"]

MAGIC = b"ARCHGUARD-FACTS\x01"
# The log is folded into the packed file once it holds this share of the packed file's bytes
# (and at least LOG_MIN_BYTES: a small cache is simply rewritten).
LOG_SHARE = 4
LOG_MIN_BYTES = 64_000
_RECORD_HEAD = struct.Struct("<I32s")


def content_hash(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


# What this process loaded last, by cache file: (stats of the file and its log, entries, ...).
_LOADED: dict[Path, tuple[Any, dict[str, Any], bool, int, int]] = {}


class FactsCache:
    """Facts by content hash, for one set of extractor settings."""

    def __init__(self, directory: Path, settings: str) -> None:
        self.directory = directory
        self.settings = settings
        self.key = hashlib.sha256(f"{__version__}\x00{settings}".encode()).hexdigest()[:16]
        self.path = directory / f"facts-{self.key}.bin"
        self.log_path = directory / f"facts-{self.key}.log"
        self._raw: dict[str, Any] = {}
        self._loaded: dict[str, FileFacts] = {}
        self._used: dict[str, Any] = {}
        self._dirty = False
        self._signature: tuple[int, int, int] | None = None  # the packed file's stat when loaded
        self._packed_size = 0
        self._log_size = 0
        self.loaded_ok = False

    def load(self) -> None:
        self._signature = _signature(self.path)
        # The two sides of `check --diff` load the same cache: the second takes what the first
        # read, when neither file changed since (entries are only ever added to it).
        seen = (self._signature, _signature(self.log_path))
        shared = _LOADED.get(self.path)
        if shared is not None and shared[0] == seen:
            _, self._raw, self.loaded_ok, self._packed_size, self._log_size = shared
            return
        entries = self._read()
        if entries is not None:
            self._raw = entries
            self.loaded_ok = True
            self._packed_size = self._signature[1] if self._signature else 0
        logged, self._log_size = self._read_log()
        if logged:
            self._raw = {**self._raw, **logged}
        _LOADED.clear()  # only the last one: a long-lived process does not keep every cache it read
        _LOADED[self.path] = (seen, self._raw, self.loaded_ok, self._packed_size, self._log_size)

    def _read(self) -> dict[str, Any] | None:
        stored = _read_versioned(self.path)
        if stored is None or len(stored) != 2:
            return None
        key, entries = stored
        if key != self.key or not isinstance(entries, dict):
            return None
        return entries

    def _read_log(self) -> tuple[dict[str, Any], int]:
        """The entries of every whole record of the log, and the log's size in bytes."""
        entries: dict[str, Any] = {}
        blob = _read_log_bytes(self.log_path)
        for payload in _records(blob):
            try:
                value = marshal.loads(payload)
            except (ValueError, EOFError, TypeError):
                break
            if not (isinstance(value, tuple) and len(value) == 3 and value[0] == __version__ and value[1] == self.key and isinstance(value[2], dict)):
                break
            entries.update(value[2])
        return entries, len(blob)

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
        """Append this run's new entries to the log; or, when the log has grown large (or there
        is no packed file yet), write the packed file: entries used in this run, plus older ones
        up to ``keep_old`` times as many.

        When another run changed the files since this one loaded them (a concurrent archguard,
        or the base side of `check --diff`, which runs while the head's files are parsed), its
        entries are kept too, before this run's older ones: the last writer does not drop
        what the other one just parsed."""
        if not self._dirty:
            return
        new = {digest: raw for digest, raw in self._used.items() if digest not in self._raw}
        if not new:
            self._dirty = False
            return
        if self.loaded_ok and _signature(self.path) == self._signature:
            payload = marshal.dumps((__version__, self.key, new))
            if self._log_size + len(payload) < max(LOG_MIN_BYTES, self._packed_size // LOG_SHARE):
                if _append_checked(self.directory, self.log_path, payload):
                    self._raw.update(new)
                    self._log_size += _RECORD_HEAD.size + len(payload)
                    self._dirty = False
                return
        self._compact(keep_old)

    def _compact(self, keep_old: int) -> None:
        entries = dict(self._used)
        budget = max(1000, keep_old * len(entries))
        older = [self._read_log()[0], self._raw]
        if _signature(self.path) != self._signature:
            older.insert(0, self._read() or {})
        for raw_entries in older:
            for digest, raw in raw_entries.items():
                if len(entries) >= budget:
                    break
                entries.setdefault(digest, raw)
        if _write_checked(self.directory, self.path, marshal.dumps((__version__, self.key, entries))):
            _remove(self.log_path)
            self._raw = entries
            self._signature = _signature(self.path)
            self._packed_size = self._signature[1] if self._signature else 0
            self._log_size = 0
            self.loaded_ok = True
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
        # (a diff reads its evaluations' file up to three times: the base's lookup, the head's,
        # and the head's record; read once while the file is the one this process saw)
        signature = _signature(self.path)
        if signature is None:
            return []  # (no file)
        known = _RESULTS_READ.get(self.path)
        if known is not None and known[0] == signature:
            return known[1]
        stored = _read_versioned(self.path)
        if stored is None or len(stored) != 1 or not isinstance(stored[0], list):
            return []
        entries = [entry for entry in stored[0] if isinstance(entry, tuple) and len(entry) == 2 and isinstance(entry[0], str)]
        _remember_read(self.path, signature, entries)
        return entries

    def get(self, key: str) -> Any:
        """The value stored under ``key``, or None."""
        return next((value for stored, value in self._entries() if stored == key), None)

    def put(self, key: str, value: Any) -> None:
        entries = [(key, value), *((k, v) for k, v in self._entries() if k != key)][: self.KEEP]
        try:
            payload = marshal.dumps((__version__, entries))
        except ValueError:
            return  # not plain data: nothing is cached
        if _write_checked(self.directory, self.path, payload) and (signature := _signature(self.path)) is not None:
            _remember_read(self.path, signature, entries)


# Result files as this process last read or wrote them: path -> (their signature then, their entries).
_RESULTS_READ: dict[Path, tuple[tuple[int, int, int], list[tuple[str, Any]]]] = {}


def _remember_read(path: Path, signature: tuple[int, int, int], entries: list[tuple[str, Any]]) -> None:
    if len(_RESULTS_READ) >= 16:
        _RESULTS_READ.clear()  # (a long-lived process: a few files at a time)
    _RESULTS_READ[path] = (signature, entries)


def read_versioned(path: Path) -> tuple[Any, ...] | None:
    """The values a cache file written with :func:`write_versioned` holds, or None (see :func:`_read_versioned`)."""
    return _read_versioned(path)


def write_versioned(path: Path, values: tuple[Any, ...]) -> bool:
    """Write plain values (with archguard's version) to a cache file: checksummed, private, atomic."""
    return _write_checked(path.parent, path, marshal.dumps((__version__, *values)))


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
    return unseal(MAGIC, blob)


def _read_log_bytes(path: Path) -> bytes:
    """The log's bytes (empty when there is none, it cannot be read, or it is not a private
    regular file of this user: see :func:`_read_checked`)."""
    try:
        return read_regular(path, limit=CACHE_LIMIT, follow_symlinks=False, private=True)
    except OSError:
        return b""


def _records(blob: bytes) -> list[bytes]:
    """The payloads of the log's whole, intact records, up to the first torn or corrupt one."""
    payloads: list[bytes] = []
    offset = 0
    while offset + _RECORD_HEAD.size <= len(blob):
        length, checksum = _RECORD_HEAD.unpack_from(blob, offset)
        start = offset + _RECORD_HEAD.size
        payload = blob[start : start + length]
        if len(payload) != length or hashlib.sha256(payload).digest() != checksum:
            break
        payloads.append(payload)
        offset = start + length
    return payloads


def _append_checked(directory: Path, path: Path, payload: bytes) -> bool:
    """Append one record to a log, in one write (never through a symlink)."""
    record = _RECORD_HEAD.pack(len(payload), hashlib.sha256(payload).digest()) + payload
    try:
        make_folder(directory)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0), 0o600)
        try:
            written = os.write(fd, record)
        finally:
            os.close(fd)
    except OSError:
        return False
    return written == len(record)


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


def _write_checked(directory: Path, path: Path, payload: bytes) -> bool:
    return write_in_cache(directory, path, seal(MAGIC, payload))


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
