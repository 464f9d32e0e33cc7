"""How caches tell that an entry is whole and current: checksummed blobs, code fingerprints.

Pure functions of bytes and file stats; each cache does its own reading and writing.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
from pathlib import Path

from archguard import __version__

_CHECKSUM = 32  # bytes of SHA-256


def seal(magic: bytes, payload: bytes) -> bytes:
    """``magic`` + SHA-256 of the payload + the payload."""
    return magic + hashlib.sha256(payload).digest() + payload


def unseal(magic: bytes, blob: bytes) -> bytes | None:
    """The payload of a :func:`seal`-ed blob, or None when it is torn, corrupt or another kind."""
    if not blob.startswith(magic) or len(blob) < len(magic) + _CHECKSUM:
        return None
    payload = blob[len(magic) + _CHECKSUM :]
    if hashlib.sha256(payload).digest() != blob[len(magic) : len(magic) + _CHECKSUM]:
        return None
    return payload


def code_fingerprint(package: Path, salt: str = "") -> str:
    """archguard's version and the size and time of change of every Python file under ``package``:
    an edited archguard never takes what an older one cached, even without a version bump."""
    digest = hashlib.sha256(f"{__version__}\0{salt}".encode())
    digest.update(_code_files(package))
    return digest.hexdigest()


@functools.lru_cache(maxsize=8)
def _code_files(package: Path) -> bytes:
    """The files' names, sizes and times, read once per process: a process runs the code it
    imported, whatever happens to the files later (several caches of one run ask for it)."""
    listing = []
    top = str(package)
    folders = [top]
    while folders:  # (os.scandir: a third of the time of Path.rglob and a stat per file)
        folder = folders.pop()
        with contextlib.suppress(OSError), os.scandir(folder) as entries:
            for entry in entries:
                if entry.name.endswith(".py") and entry.is_file():
                    with contextlib.suppress(OSError):
                        info = entry.stat()
                        listing.append(f"{entry.path[len(top) + 1 :]}\0{info.st_size}\0{info.st_mtime_ns}\n")
                elif entry.is_dir(follow_symlinks=False) and entry.name != "__pycache__":
                    folders.append(entry.path)
    return "".join(sorted(listing)).encode()
