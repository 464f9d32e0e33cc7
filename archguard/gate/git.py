"""Read-only access to git: revisions, trees and file bytes, straight from the object store.

archguard never checks anything out: a revision's files are listed with ``git ls-tree`` and
read with ``git cat-file --batch``, so the user's working tree, index and branches are never
touched (every command runs with ``GIT_OPTIONAL_LOCKS=0``, which also stops git from
refreshing the index behind our back), and no program the repository's configuration names
runs (``core.fsmonitor=false``, ``--no-ext-diff``, ``--no-textconv``). Every failure is a :class:`GitError` whose message
says what to do, e.g. which ``git fetch`` a shallow CI checkout needs.
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from archguard.base.errors import GitError
from archguard.base.timeline import phase

SYMLINK_MODE = "120000"
SUBMODULE_MODE = "160000"
_ANCESTRY = re.compile(r"^(?P<base>.+?)(?P<steps>(?:[~^]\d*)+)$")
_HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")
_HEX = re.compile(r"^[0-9a-fA-F]{7,64}$")


# The characters of the paths one git command names: at most 1 MB of UTF-8 (Linux allows 2 MB of
# arguments and environment together, macOS 1 MB).
PATHS_PER_CALL = 256 * 1024


def _parts(paths: list[str], limit: int) -> Iterator[list[str]]:
    """``paths`` in consecutive runs whose lengths (plus one each) add up to at most ``limit``
    (a longer path alone)."""
    part: list[str] = []
    size = 0
    for path in paths:
        if part and size + len(path) + 1 > limit:
            yield part
            part, size = [], 0
        part.append(path)
        size += len(path) + 1
    if part:
        yield part


def _added_range(line: bytes) -> tuple[int, int] | None:
    """(first, last) line (1-based) that a ``@@ -a,b +start,count @@`` hunk header adds; None for
    any other line, and for a hunk that only removes lines."""
    match = _HUNK.match(line)
    if not match:
        return None
    start, count = int(match[1]), int(match[2] if match[2] is not None else 1)
    return (start, start + count - 1) if count else None


@dataclass(frozen=True, slots=True)
class TreeEntry:
    """One file of a revision's tree."""

    path: str  # relative to the repository's top, posix
    mode: str  # "100644", "100755", SYMLINK_MODE, SUBMODULE_MODE
    object_id: str


@dataclass(frozen=True, slots=True)
class FileChange:
    """One line of ``git diff --name-status --find-renames``."""

    status: str  # A (added), D (deleted), M (modified), R (renamed), C (copied), T (type changed)
    path: str  # the path after the change (relative to the repository's top)
    old_path: str | None = None  # the path before, for renames and copies
    similarity: int | None = None  # percent, for renames and copies


# The repository's own configuration may name programs that git runs on read-only commands:
# an fsmonitor hook (run by every command that looks at the working tree). A hostile
# repository's hook never runs (diff and textconv drivers are off per command: --no-ext-diff,
# --no-textconv).
_SAFE_CONFIG = ("-c", "core.fsmonitor=false")


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    # (the paths archguard names are paths, never patterns: a file named `a[1].py` is that file)
    env.update({"GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0", "GIT_LITERAL_PATHSPECS": "1", "LC_ALL": "C", "LANGUAGE": ""})
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):  # we name the repository ourselves
        env.pop(name, None)
    return env


def _run(args: list[str], cwd: Path, *, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    try:
        with phase("git"):
            return subprocess.run(["git", *_SAFE_CONFIG, *args], cwd=cwd, input=stdin, capture_output=True, env=_environment(), check=False)
    except OSError as error:
        raise _not_run(error) from None


def _start(args: list[str], cwd: Path, *, stdin: int | None = None, stdout: int | None = None, stderr: int | None = None) -> subprocess.Popen[bytes]:
    """git started with ``args`` (its streams: ``subprocess.PIPE``, ``DEVNULL`` or None), not waited for."""
    try:
        with phase("git"):
            return subprocess.Popen(["git", *_SAFE_CONFIG, *args], cwd=cwd, env=_environment(), stdin=stdin, stdout=stdout, stderr=stderr)
    except OSError as error:
        raise _not_run(error) from None


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop a git started ahead of need whose output nothing read (and reap it)."""
    process.kill()
    process.communicate()


def _not_run(error: OSError) -> GitError:
    if isinstance(error, FileNotFoundError):
        return GitError("git is not installed (or not on PATH); diff mode reads the base revision with git")
    return GitError(f"cannot run git: {error.strerror}")


def _stderr(result: subprocess.CompletedProcess[bytes]) -> str:
    text = result.stderr.decode("utf-8", "replace").strip()
    return text.splitlines()[0] if text else f"git exited with status {result.returncode}"


class Repository:
    """A git repository, read through git's plumbing commands (never modified)."""

    def __init__(self, top: Path) -> None:
        self.top = top
        # A `git diff` of added lines started ahead of need (:meth:`prefetch_added_lines`):
        # (base, head, its paths, the running process).
        self._prefetched: tuple[str, str | None, frozenset[str], subprocess.Popen[bytes]] | None = None
        self._started: dict[tuple[str, ...], subprocess.Popen[bytes]] = {}  # (:meth:`prefetch`)

    @classmethod
    def find(cls, path: Path) -> Repository:
        """The repository that holds ``path``; GitError when there is none."""
        result = _run(["rev-parse", "--show-toplevel"], path)
        if result.returncode != 0:
            raise GitError(f"{path} is not inside a git repository ({_stderr(result)}); diff mode compares git revisions")
        return cls(Path(result.stdout.decode("utf-8", "surrogateescape").strip()))

    def prefetch(self, *args: str) -> None:
        """Start ``git args`` now, in the background: a later :meth:`git` with the same arguments
        reads its output (git works on another core meanwhile). :meth:`close` stops it if none does."""
        if args not in self._started:
            with contextlib.suppress(GitError):  # (the call that needs the output runs git again and says what failed)
                self._started[args] = _start(list(args), self.top, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def git(self, *args: str, stdin: bytes | None = None) -> bytes:
        started = self._started.pop(args, None) if stdin is None else None
        if started is not None:
            with phase("git"):
                output, _ = started.communicate()
            if started.returncode == 0:
                return output
        result = _run(list(args), self.top, stdin=stdin)
        if result.returncode != 0:
            raise GitError(f"git {args[0]} failed: {_stderr(result)}")
        return result.stdout

    # -- revisions ---------------------------------------------------------------------
    def is_shallow(self) -> bool:
        result = _run(["rev-parse", "--is-shallow-repository"], self.top)
        return result.returncode == 0 and result.stdout.strip() == b"true"

    def remotes(self) -> list[str]:
        result = _run(["remote"], self.top)
        return result.stdout.decode("utf-8", "replace").split() if result.returncode == 0 else []

    def resolve(self, revision: str) -> str:
        """The commit id a revision names; GitError saying what to fetch when it is missing."""
        if not revision or revision.startswith("-"):
            raise GitError(f"invalid revision {revision!r}")
        result = _run(["rev-parse", "--verify", "--quiet", "--end-of-options", revision + "^{commit}"], self.top)
        if result.returncode == 0:
            return result.stdout.decode().strip()
        raise GitError(self._missing_revision_message(revision))

    def _missing_revision_message(self, revision: str) -> str:
        shallow = self.is_shallow()
        remotes = self.remotes()
        remote = "origin" if "origin" in remotes else (remotes[0] if remotes else None)
        where = "this shallow clone" if shallow else "this repository"
        ancestry = _ANCESTRY.match(revision)
        if shallow and ancestry and _run(["rev-parse", "--verify", "--quiet", ancestry["base"] + "^{commit}"], self.top).returncode == 0:
            steps = sum(int(step[1:] or 1) if step[0] == "~" else 1 for step in re.findall(r"[~^]\d*", ancestry["steps"]))
            return (
                f"revision {revision!r} is not in this shallow clone (its history stops before it): "
                f"fetch it with `git fetch --deepen={steps}` (or `git fetch --unshallow` for the whole history)"
            )
        if remote is None:
            return f"unknown revision {revision!r}: not a branch, tag or commit of {where}, and there is no remote to fetch it from"
        depth = "--depth=1 " if shallow else ""
        if _HEX.match(revision):
            return f"unknown revision {revision!r}: commit not in {where}; fetch it with `git fetch {depth}{remote} {revision}`"
        branch = revision
        for name in remotes:
            if revision.startswith(name + "/"):
                remote, branch = name, revision[len(name) + 1 :]
                break
        ref = f"refs/remotes/{remote}/{branch}"
        return (
            f"unknown revision {revision!r}: not a branch, tag or commit of {where}; if it is the branch {branch!r} "
            f"of {remote}, fetch it with `git fetch {depth}{remote} {branch}:{ref}` and pass {remote}/{branch}"
        )

    def merge_base(self, base: str, head: str) -> str:
        """The best common ancestor (for ``BASE...``); GitError when history is too shallow."""
        result = _run(["merge-base", base, head], self.top)
        if result.returncode == 0:
            return result.stdout.decode().strip()
        if self.is_shallow():
            raise GitError(
                "no merge base in this shallow clone (the history of both sides stops before they meet): "
                "fetch more history with `git fetch --unshallow` (or `git fetch --deepen=N` with a large enough N)"
            )
        raise GitError(f"the revisions have no common ancestor ({_stderr(result)})")

    def short(self, commit: str) -> str:
        return commit[:12]

    # -- trees and files -----------------------------------------------------------------
    def tree(self, commit: str, prefix: str = "", *, suffix: str = "") -> list[TreeEntry]:
        """Every file of the commit under ``prefix`` (a folder relative to the top, '' for all).

        With ``suffix`` (e.g. ".py"), only files whose name ends with it, and every symlink.
        """
        wanted = suffix.encode("utf-8", "surrogateescape")
        link = SYMLINK_MODE.encode()
        entries = []
        for record in self.git(*self.tree_args(commit, prefix)).split(b"\0"):
            if not record or not (record.endswith(wanted) or record.startswith(link)):
                continue
            meta, _, path = record.partition(b"\t")
            mode, _kind, object_id = meta.decode().split()
            entries.append(TreeEntry(path.decode("utf-8", "surrogateescape"), mode, object_id))
        return entries

    @staticmethod
    def tree_args(commit: str, prefix: str = "") -> tuple[str, ...]:
        """The ``git`` arguments :meth:`tree` runs (for :meth:`prefetch`)."""
        # (no --long: the size of every blob costs a read of each object's header; the few blobs
        # read later are sized by blob_sizes)
        args: tuple[str, ...] = ("ls-tree", "-r", "-z", "--full-tree", commit)
        return (*args, "--", prefix.rstrip("/") + "/") if prefix else args

    def blob_sizes(self, object_ids: list[str]) -> dict[str, int]:
        """The size in bytes of each blob, from one ``git cat-file --batch-check`` (nothing is
        read); missing objects and other kinds of object are left out."""
        unique = sorted(set(object_ids))
        if not unique:
            return {}
        sizes: dict[str, int] = {}
        for line in self.git("cat-file", "--batch-check", stdin=("\n".join(unique) + "\n").encode()).decode().splitlines():
            parts = line.split(" ")
            if len(parts) == 3 and parts[1] == "blob" and parts[2].isdigit():
                sizes[parts[0]] = int(parts[2])
        return sizes

    def read_blobs(self, object_ids: list[str]) -> dict[str, bytes]:
        """The bytes of many blobs in one ``git cat-file --batch``; missing objects are left out."""
        unique = sorted(set(object_ids))
        if not unique:
            return {}
        output = self.git("cat-file", "--batch", stdin=("\n".join(unique) + "\n").encode())
        blobs: dict[str, bytes] = {}
        position = 0
        while position < len(output):
            end = output.index(b"\n", position)
            header = output[position:end].decode().split(" ")
            position = end + 1
            if len(header) != 3:  # "<id> missing"
                continue
            object_id, _kind, size = header
            blobs[object_id] = output[position : position + int(size)]
            position += int(size) + 1
        return blobs

    def read_path(self, commit: str, path: str, limit: int | None = None) -> bytes | None:
        """One file of a commit by path, or None when the commit has no such file (or, with
        ``limit``, when the file is larger than that: it is never read)."""
        if limit is not None and not any(c in path for c in "\n\r"):
            return self._read_path_within(f"{commit}:{path}", limit)
        if limit is not None:
            size = _run(["cat-file", "-s", f"{commit}:{path}"], self.top)
            if size.returncode != 0 or not size.stdout.strip().isdigit() or int(size.stdout) > limit:
                return None
        result = _run(["cat-file", "blob", f"{commit}:{path}"], self.top)
        return result.stdout if result.returncode == 0 else None

    def _read_path_within(self, name: str, limit: int) -> bytes | None:
        """A blob by name from one ``git cat-file --batch``: its header first, and its bytes only
        when they are at most ``limit`` (a larger blob is never read: git is stopped)."""
        process = _start(["cat-file", "--batch"], self.top, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            with phase("git"):
                assert process.stdin is not None and process.stdout is not None
                process.stdin.write(name.encode("utf-8", "surrogateescape") + b"\n")
                process.stdin.close()
                header = process.stdout.readline(256).split(b" ")  # "<id> blob <size>" or "<name> missing"
                if len(header) != 3 or header[1] != b"blob" or not header[2].strip().isdigit() or int(header[2]) > limit:
                    return None
                size = int(header[2])
                data = process.stdout.read(size)
                return data if len(data) == size else None
        except OSError:
            return None
        finally:
            process.kill()
            process.wait()

    def changes(self, base: str, head: str | None, prefix: str = "") -> list[FileChange]:
        """What changed from ``base`` to ``head`` (a commit, or None: the working tree), renames detected.

        Files git does not track (untracked, ignored) are not listed; the caller sees them as
        present in one tree only.
        """
        args = ["diff", "--name-status", "-z", "--find-renames", "--no-ext-diff", "--no-textconv", "--ignore-submodules", base]
        if head is not None:
            args.append(head)
        if prefix:
            args += ["--", prefix.rstrip("/") + "/"]
        fields = self.git(*args).split(b"\0")
        changes: list[FileChange] = []
        index = 0
        while index < len(fields) and fields[index]:
            status = fields[index].decode()
            letter = status[0]
            if letter in "RC":
                old, new = (f.decode("utf-8", "surrogateescape") for f in fields[index + 1 : index + 3])
                changes.append(FileChange(letter, new, old, int(status[1:] or 0)))
                index += 3
            else:
                changes.append(FileChange(letter, fields[index + 1].decode("utf-8", "surrogateescape")))
                index += 2
        return changes

    @staticmethod
    def _added_lines_args(base: str, head: str | None, paths: Iterable[str]) -> list[str]:
        args = ["diff", "-U0", "--no-color", "--no-ext-diff", "--no-textconv", "--no-renames", "--src-prefix=a/", "--dst-prefix=b/", base]
        if head is not None:
            args.append(head)
        return [*args, "--", *sorted(set(paths))]

    def prefetch_added_lines(self, base: str, head: str | None, paths: Iterable[str]) -> None:
        """Start the ``git diff`` that :meth:`added_lines_of` reads, for ``paths``, now: git works
        on another core while archguard checks the trees (on SQLAlchemy the diff of 10 large files
        is 20 ms). A later :meth:`added_lines_of` for some of these paths reads its output; one
        for others runs its own. :meth:`close` stops a prefetch nothing read."""
        if self._prefetched is not None:  # (an earlier one, for other paths)
            _stop(self._prefetched[3])
            self._prefetched = None
        wanted = frozenset(paths)
        if not wanted or sum(len(path) + 1 for path in wanted) > PATHS_PER_CALL:
            return  # (nothing to read, or more paths than one call names: read in parts when asked)
        try:
            process = _start(self._added_lines_args(base, head, wanted), self.top, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except GitError:
            return  # (the call that needs the lines runs git again and says what failed)
        self._prefetched = (base, head, wanted, process)

    def close(self) -> None:
        """Stop the prefetched commands whose output nothing read."""
        processes = list(self._started.values())
        self._started.clear()
        if self._prefetched is not None:
            processes.append(self._prefetched[3])
            self._prefetched = None
        for process in processes:
            _stop(process)

    def _diff_output(self, base: str, head: str | None, wanted: set[str]) -> bytes:
        """The output of the added lines' ``git diff`` of the ``wanted`` paths (or of more: each
        file's part of a diff does not depend on the other files named)."""
        prefetched = self._prefetched
        if prefetched is not None and prefetched[:2] == (base, head) and wanted <= prefetched[2]:
            self._prefetched = None
            with phase("git"):
                stdout, _ = prefetched[3].communicate()
            if prefetched[3].returncode == 0:
                return stdout
        # One call per part of the paths: a change of tens of thousands of files would pass the
        # system's limit on the length of a command line (git diff takes no pathspec file).
        return b"".join(self.git(*self._added_lines_args(base, head, part)) for part in _parts(sorted(wanted), PATHS_PER_CALL))

    def added_lines_of(self, base: str, head: str | None, paths: list[str]) -> dict[str, list[tuple[int, int]]]:
        """:meth:`added_lines` of many paths from one ``git diff``: by path, for the paths whose
        header names them plainly (a path git quotes is left out: ask :meth:`added_lines`)."""
        wanted = set(paths)
        seen: dict[str, list[tuple[int, int]]] = {}
        unplain = False  # a header this reading does not take apart (a quoted path)
        current: list[tuple[int, int]] | None = None
        for line in self._diff_output(base, head, wanted).splitlines():
            if line.startswith(b"diff --git "):
                current = None
            elif line.startswith(b"+++ "):
                name = line[4:].decode("utf-8", "surrogateescape")
                if name.startswith("b/"):
                    # (another file's part, in a prefetched diff of more files: not read)
                    current = seen.setdefault(name[2:], []) if name[2:] in wanted else None
                else:
                    unplain = unplain or name != "/dev/null"
                    current = None
            elif current is not None:
                added = _added_range(line)
                if added is not None:
                    current.append(added)
        # Without output a path has no added line; unless a header was not read (then only the ones seen are known).
        return seen if unplain else {path: seen.get(path, []) for path in wanted}

    def added_lines(self, base: str, head: str | None, path: str) -> list[tuple[int, int]]:
        """Line ranges (first, last; 1-based) of ``path`` that the change added or rewrote."""
        args = ["diff", "-U0", "--no-color", "--no-ext-diff", "--no-textconv", "--no-renames", base]
        if head is not None:
            args.append(head)
        return [added for line in self.git(*args, "--", path).splitlines() if (added := _added_range(line)) is not None]

    def relative(self, path: Path) -> str:
        """``path`` relative to the repository's top ('' for the top itself); GitError if outside."""
        try:
            relative = path.resolve().relative_to(self.top.resolve()).as_posix()
        except ValueError:
            raise GitError(f"{path} is outside the git repository at {self.top}") from None
        return "" if relative == "." else relative

    def moved_lines(self, base: str, head: str | None, old: str, new: str) -> list[tuple[int, int]] | None:
        """Line ranges of ``new`` that the change added, compared with ``old`` at ``base``, for a
        file the change moved (``git diff --find-renames`` of the two paths: a pure move adds no
        line); None when git does not pair them as a rename (then every line of ``new`` is new)."""
        args = ["diff", "-U0", "--no-color", "--no-ext-diff", "--no-textconv", "--find-renames", base]
        if head is not None:
            args.append(head)
        lines = self.git(*args, "--", old, new).splitlines()
        if not any(line.startswith(b"rename to ") for line in lines):
            return None
        return [added for line in lines if (added := _added_range(line)) is not None]
