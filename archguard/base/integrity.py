"""How caches tell that an entry is whole and current: checksummed blobs, code fingerprints.

Pure functions of bytes and file stats; each cache does its own reading and writing.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
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
    for path in sorted(package.rglob("*.py")):
        with contextlib.suppress(OSError):
            info = path.stat()
            listing.append(f"{path.relative_to(package)}\0{info.st_size}\0{info.st_mtime_ns}\n")
    return "".join(listing).encode()
