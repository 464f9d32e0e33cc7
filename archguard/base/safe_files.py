"""Files of an untrusted tree: read only what is safe to read, write only where archguard may.

The analysed tree may come from a pull request of a fork: any name in it may be a FIFO (an
``open()`` blocks forever), a symlink to ``/dev/zero`` (a read never ends), a symlink out of
the project, or a huge file. Every read and write archguard does on such a tree goes through
these primitives:

- :func:`read_regular` opens a path only if it is a regular file (checked with ``stat``
  before opening, and with ``fstat`` on the open descriptor), never blocks (``O_NONBLOCK``),
  reads at most ``limit`` bytes, and, given ``inside``, only when the path resolves (after
  every symlink) to a place inside that folder;
- :func:`write_atomic` replaces a file through a temporary file in the same folder: a symlink
  at the final component is replaced, never followed; given ``inside``, the folder must
  resolve inside that folder;
- :func:`resolve_inside` and :func:`is_inside` say whether a path stays inside a folder.

A path refused for any of these reasons raises :class:`RefusedPath`, an :class:`OSError` whose
``strerror`` says why in words for the user, so code that already handles an unreadable file
handles a refused one the same way.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

# Bounds for files that are not sources (sources use [project] max_file_size).
CONFIG_LIMIT = 16 * 1024 * 1024  # a contract, an import-linter configuration
BASELINE_LIMIT = 128 * 1024 * 1024  # a baseline or a replay record (the reports of a run) of a very large tree
CACHE_LIMIT = 1024 * 1024 * 1024  # the facts cache of a 50k-module tree stays far below this

_READ_FLAGS = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_BINARY", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


class RefusedPath(OSError):
    """A path archguard does not read or write: not a regular file, too large, outside the
    project, or a symlink where none may be. ``strerror`` says which, for the user."""

    def __init__(self, code: int, reason: str, path: str | os.PathLike[str]) -> None:
        super().__init__(code, reason, os.fspath(path))


class FileTooLarge(RefusedPath):
    """A regular file larger than the bound of its kind; ``size`` is its size in bytes."""

    def __init__(self, path: str | os.PathLike[str], size: int, limit: int) -> None:
        super().__init__(errno.EFBIG, f"file too large ({size:,} bytes > {limit:,})", path)
        self.size = size
        self.limit = limit


def kind_of(mode: int) -> str:
    """What a file mode is, in words: "a FIFO", "a character device", "a directory"..."""
    for test, name in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISLNK, "a symlink"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def is_inside(path: str | os.PathLike[str], folder: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is ``folder`` or below it, both taken as they are (call realpath first)."""
    path, folder = os.fspath(path), os.fspath(folder)
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def resolve_inside(path: str | os.PathLike[str], folder: str | os.PathLike[str]) -> str:
    """The real path of ``path`` (every symlink resolved) when it lies inside the real path of
    ``folder``; else :class:`RefusedPath` naming where it leads."""
    real, boundary = os.path.realpath(path), os.path.realpath(folder)
    if not is_inside(real, boundary):
        raise RefusedPath(errno.EXDEV, f"a symlink leads it outside {boundary} (to {real})", path)
    return real


def read_regular(
    path: str | os.PathLike[str],
    *,
    limit: int,
    inside: str | os.PathLike[str] | None = None,
    follow_symlinks: bool = True,
    private: bool = False,
) -> bytes:
    """The bytes of a regular file, read without blocking and at most ``limit`` of them.

    ``inside``: the path must resolve inside this folder. ``follow_symlinks=False``: a symlink
    at the final component is refused. ``private``: on POSIX, only a file this user owns and
    nobody else may read (mode 0600, as :func:`write_atomic` creates them): a file that a
    checkout wrote (0644) is refused, so a cache file committed to the tree is never trusted.
    Raises :class:`FileNotFoundError` and the other :class:`OSError` of the system,
    :class:`RefusedPath` for what is not read on purpose (:class:`FileTooLarge` for a file
    over ``limit``).
    """
    target = os.fspath(path)
    if not follow_symlinks and stat.S_ISLNK(os.lstat(target).st_mode):
        raise RefusedPath(errno.ELOOP, "a symlink (not followed here)", path)
    if inside is not None:
        target = resolve_inside(target, inside)
    info = os.stat(target)  # a stat never blocks and never opens the file (a device's open may act)
    if not stat.S_ISREG(info.st_mode):
        raise RefusedPath(errno.EINVAL, f"{kind_of(info.st_mode)}, not a regular file; never opened", path)
    if info.st_size > limit:
        raise FileTooLarge(path, info.st_size, limit)
    # O_NOFOLLOW once resolved: a symlink put there since is refused (ELOOP), not followed.
    descriptor = os.open(target, _READ_FLAGS | (_NOFOLLOW if inside is not None or not follow_symlinks else 0))
    try:
        opened = os.fstat(descriptor)
        if not stat.S_ISREG(opened.st_mode) or (opened.st_dev, opened.st_ino) != (info.st_dev, info.st_ino):
            raise RefusedPath(errno.EAGAIN, "replaced while being opened; not read", path)
        if private and os.name == "posix" and (opened.st_uid != os.geteuid() or opened.st_mode & 0o077):
            raise RefusedPath(errno.EPERM, "not a private file of this user (not written by archguard); not read", path)
        chunks: list[bytes] = []
        size = 0
        while True:
            chunk = os.read(descriptor, max(65536, min(opened.st_size - size + 1, limit + 1 - size)))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:  # it grew while being read
                raise FileTooLarge(path, size, limit)
        return b"".join(chunks)
    finally:
        os.close(descriptor)


def read_regular_text(
    path: str | os.PathLike[str],
    *,
    limit: int = CONFIG_LIMIT,
    inside: str | os.PathLike[str] | None = None,
) -> str:
    """:func:`read_regular` decoded as UTF-8 (raises :class:`UnicodeDecodeError`). Universal
    newlines, as ``Path.read_text`` reads them."""
    data = read_regular(path, limit=limit, inside=inside)
    return data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")


def current_umask() -> int:
    """The process's umask (read by setting it and putting it back: there is no getter)."""
    mask = os.umask(0o077)
    os.umask(mask)
    return mask


def write_atomic(
    path: Path,
    data: bytes,
    *,
    keep_mode: bool = False,
    private: bool = False,
    make_parents: bool = True,
    inside: str | os.PathLike[str] | None = None,
) -> None:
    """Replace ``path`` with ``data`` through a temporary file in the same folder.

    A reader sees the old file or the new one, never half of one. A symlink at ``path`` is
    replaced by the file, never written through. ``keep_mode`` keeps the permissions of the
    file being replaced (source files rewritten by ``archguard fix``); ``private`` makes the
    file readable by its owner only (0600: cache files, see docs/safety.md); otherwise a new
    file gets the mode the user's umask gives (baselines, reports). ``make_parents``
    creates missing folders. ``inside``: the folder (after resolving every symlink, also of
    folders still to create) must lie inside this one, else :class:`RefusedPath`. Raises
    :class:`OSError`; the temporary file never outlives a failure.
    """
    mode = None if private else 0o666 & ~current_umask()
    if keep_mode:
        info = os.lstat(path)
        mode = None if stat.S_ISLNK(info.st_mode) else info.st_mode & 0o7777
    parent = path.parent
    if inside is not None:
        _check_folder_inside(parent, inside)
    if make_parents:
        parent.mkdir(parents=True, exist_ok=True)
        if inside is not None:
            _check_folder_inside(parent, inside)
    descriptor, temporary = _new_temporary(parent, path.name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _new_temporary(folder: Path, name: str) -> tuple[int, str]:
    """A new file in ``folder`` for ``name``'s next bytes, opened for writing, as
    ``tempfile.mkstemp`` makes one: mode 0600, a random name, never an existing file or a
    symlink (O_EXCL, O_NOFOLLOW). (Without importing tempfile, which brings shutil, random, bz2
    and lzma: 3 ms of every run that writes to its cache.)"""
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    for _attempt in range(100):
        temporary = os.path.join(folder, f"{name}.{os.urandom(6).hex()}.tmp")
        try:
            return os.open(temporary, flags, 0o600), temporary
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no unused temporary file name", str(folder))


def _check_folder_inside(folder: Path, inside: str | os.PathLike[str]) -> None:
    """The nearest existing ancestor of ``folder`` (the folder itself when it exists) must
    resolve inside ``inside``: folders created below it then are inside too."""
    existing = folder
    while not os.path.lexists(existing) and existing.parent != existing:
        existing = existing.parent
    resolve_inside(existing, inside)


def make_folder(path: Path) -> None:
    """Create ``path`` (its parent must exist: a mistyped path never becomes a tree of folders)."""
    try:
        path.mkdir(exist_ok=True)
    except FileNotFoundError:
        raise FileNotFoundError(errno.ENOENT, f"its parent folder {path.parent} does not exist", str(path)) from None
