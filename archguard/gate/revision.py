"""A git revision as a source tree: files listed and read from git objects, never checked out.

:class:`RevisionTree` plugs into :func:`archguard.engine.pipeline.analyze` like the working tree does:
discovery runs over the revision's file list (same roots, packages, exclusions and module
names), bytes come from one ``git cat-file --batch``, and files whose bytes are known to be
unchanged can take their facts from another analysis without being read at all. Symlinks
stored in the tree are followed inside the project root, as on disk.
"""

from __future__ import annotations

import bisect
import posixpath
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from archguard.analysis.discover import Discovery, DiscoveryProblem, SourceFile
from archguard.analysis.read.facts import FileFacts
from archguard.base.errors import ContractError, GitError
from archguard.base.safe_files import CONFIG_LIMIT, FileTooLarge
from archguard.contract.loading import LoadedContract, with_roots
from archguard.engine.dialects import dialect_of, resolution_of
from archguard.engine.pipeline import RunOptions
from archguard.gate.git import SUBMODULE_MODE, SYMLINK_MODE, Repository, TreeEntry

MAX_SYMLINK_HOPS = 40


@dataclass(frozen=True)
class ContractAtRevision:
    """The contract a revision is checked with, and which one it is."""

    loaded: LoadedContract
    description: str  # which contract, in words: "archguard.toml at main"


def contract_at(repository: Repository, commit: str, label: str, current: LoadedContract) -> ContractAtRevision:
    """The contract as it was at a revision (same file path, same dialect), else the current one,
    and which it is."""
    display = current.display_path
    dialect = dialect_of(current)
    if not dialect.reads_revisions:
        return ContractAtRevision(current, f"{display} from the working tree")
    try:
        path_in_repo = repository.relative(current.path)
    except GitError:
        return ContractAtRevision(current, f"{display} (outside the repository: the same contract on both sides)")
    source = repository.read_path(commit, path_in_repo, limit=CONFIG_LIMIT)
    if source is None:
        return ContractAtRevision(current, f"{display} from the working tree (not present at {label})")
    try:
        text = source.decode("utf-8")
        if text == current.source:
            # The same text: the same contract, named the same way on both sides (so that the base's
            # evaluation is the one a check of that tree recorded: archguard.engine.recall).
            return ContractAtRevision(current, f"{display} at {label} (the same as the working tree's)")
        loaded = dialect.load_text(text, current.path, current.table or None, display=f"{display} at {label}", like=current)
        loaded = with_roots(loaded, current.roots_given)
    except (UnicodeDecodeError, ContractError) as error:
        reason = str(error) if isinstance(error, ContractError) else "not UTF-8 text"
        return ContractAtRevision(current, f"{display} from the working tree (the one at {label} is not usable: {reason})")
    # Reports name the contract the same way on both sides, so its findings match.
    return ContractAtRevision(replace(loaded, path=current.path), f"{display} at {label}")


@dataclass(frozen=True)
class _Listing:
    """A revision's Python files under the project root (by blob id), and the files it cannot read."""

    files: dict[str, str]  # path relative to the project root -> blob id
    problems: tuple[DiscoveryProblem, ...]


class RevisionTree:
    """One revision's files under the project root, for :func:`archguard.engine.pipeline.analyze`."""

    def __init__(
        self,
        repository: Repository,
        commit: str,
        label: str,
        *,
        known: Mapping[str, FileFacts] | None = None,
    ) -> None:
        """``known``: facts for paths (relative to the project root) whose bytes are unchanged."""
        self.repository = repository
        self.commit = commit
        self.label = label
        self.known = dict(known or {})
        self.note: str | None = None  # set when the revision holds no analysable code
        self._listing: _Listing | None = None
        self._pending: list[SourceFile] = []
        self._blobs: dict[str, bytes] | None = None
        self._sizes: dict[str, int] = {}  # blob id -> bytes, of the blobs to read (git cat-file --batch-check)
        self.max_file_size = RunOptions.max_file_size  # the contract's, once discovered: larger blobs are never read

    def listing(self, root: Path) -> _Listing:
        if self._listing is None:
            prefix = self.repository.relative(root)
            # Discovery looks at Python files only (and symlinks, which may lead to some).
            entries = self.repository.tree(self.commit, prefix, suffix=".py")
            blobs, links = split_tree(entries, prefix)
            if links:
                # A symlink's blob is its target's path: a long one is no path worth following.
                sizes = self.repository.blob_sizes(list(links.values()))
                texts = self.repository.read_blobs([i for i in links.values() if 0 <= sizes.get(i, -1) <= 4096])
                targets = {object_id: data.decode("utf-8", "surrogateescape") for object_id, data in texts.items()}
                self._listing = resolve_links(blobs, links, targets, root)
            else:
                self._listing = _Listing(blobs, ())
        return self._listing

    def blob_ids(self, root: Path) -> dict[str, str]:
        return self.listing(root).files

    def discover(self, loaded: LoadedContract) -> Discovery:
        listing = self.listing(loaded.root)
        self.max_file_size = loaded.contract.project.max_file_size
        try:
            project = loaded.contract.project
            discovery = resolution_of(project).discover_listing(
                loaded.root,
                project,
                listing.files,
                where=f"{loaded.root} at {self.label}",
                contract_file=loaded.display_path,
                problems=listing.problems,
            )
        except ContractError as error:
            # The code did not exist yet at this revision (or not where the contract says).
            self.note = f"no code to analyse at {self.label}: {error.message}"
            discovery = Discovery(root=loaded.root, roots=(), packages=(), files=())
        self._pending = [f for f in discovery.files if f.relpath not in self.known]
        return discovery

    def known_facts(self, file: SourceFile) -> FileFacts | None:
        return self.known.get(file.relpath)

    def read(self, file: SourceFile) -> bytes | OSError:
        listing = self._listing
        if listing is None:
            return OSError(f"{file.relpath} is not in {self.label}")
        if self._blobs is None:
            wanted = [listing.files[f.relpath] for f in self._pending if f.relpath in listing.files]
            self._sizes = self.repository.blob_sizes(wanted)
            self._blobs = self.repository.read_blobs([i for i in wanted if self._sizes.get(i, -1) <= self.max_file_size])
        object_id = listing.files.get(file.relpath)
        if object_id is None:
            return OSError(f"{file.relpath} is not in {self.label}")
        if object_id not in self._sizes:
            self._sizes.update(self.repository.blob_sizes([object_id]))
        size = self._sizes.get(object_id, -1)
        if size > self.max_file_size:  # a huge blob is never read into memory
            return FileTooLarge(file.relpath, size, self.max_file_size)
        data = self._blobs.get(object_id)
        if data is None:
            data = self.repository.read_blobs([object_id]).get(object_id)
        if data is None:
            return OSError(f"git object {object_id} of {file.relpath} is missing at {self.label}")
        return data


def split_tree(entries: list[TreeEntry], prefix: str) -> tuple[dict[str, str], dict[str, str]]:
    """(files, symlinks) under ``prefix``, as path relative to it -> blob id. Submodules are left out."""
    strip = len(prefix) + 1 if prefix else 0
    blobs: dict[str, str] = {}
    links: dict[str, str] = {}
    for entry in entries:
        if entry.mode == SUBMODULE_MODE:
            continue  # another repository's commit: no files here
        (links if entry.mode == SYMLINK_MODE else blobs)[entry.path[strip:]] = entry.object_id
    return blobs, links


def resolve_links(blobs: dict[str, str], links: dict[str, str], targets: Mapping[str, str], root: Path) -> _Listing:
    """``links``: path -> blob id of the link; ``targets``: blob id -> link text (relative to ``root``)."""
    files = dict(blobs)
    problems: list[DiscoveryProblem] = []
    ordered = sorted([*blobs, *links])

    def under(directory: str) -> list[str]:
        start = bisect.bisect_left(ordered, directory + "/")
        end = bisect.bisect_left(ordered, directory + "0")  # "0" sorts right after "/"
        return ordered[start:end]

    def lookup(path: str, hops: int = 0) -> tuple[str, str]:
        """("file", blob id) | ("dir", path) | ("missing" | "outside" | "loop", text)."""
        parts = path.split("/")
        current = ""
        for index, part in enumerate(parts):
            candidate = f"{current}/{part}" if current else part
            if candidate in links:
                if hops >= MAX_SYMLINK_HOPS:
                    return ("loop", candidate)
                text = targets.get(links[candidate])
                if text is None:  # its blob is missing, or too long to be a path: a broken link
                    return ("missing", candidate)
                joined = posixpath.normpath(posixpath.join(posixpath.dirname(candidate), text))
                if text.startswith("/") or joined == ".." or joined.startswith("../"):
                    return ("outside", text)
                rest = "/".join(parts[index + 1 :])
                return lookup(f"{joined}/{rest}" if rest else joined, hops + 1)
            current = candidate
        if current in blobs:
            return ("file", blobs[current])
        if under(current):
            return ("dir", current)
        return ("missing", current)

    for link in sorted(links):
        name = link.rsplit("/", 1)[-1]
        kind, value = lookup(link)
        if kind == "file":
            files[link] = value
        elif kind == "dir":
            expanded = _expand(link, value, lookup, under)
            if expanded is None:
                problems.append(DiscoveryProblem(link, "symlink-loop", "symlink loop (directory already visited); not followed"))
            else:
                files.update(expanded)
        elif kind == "outside" and (name.endswith(".py") or "." not in name):
            target = posixpath.normpath(posixpath.join(root.as_posix(), posixpath.dirname(link), value))
            problems.append(DiscoveryProblem(link, "outside-root", f"symlink to {target} outside the project root; not followed"))
        elif kind == "loop" and (name.endswith(".py") or "." not in name):
            problems.append(DiscoveryProblem(link, "symlink-loop", "symlink loop; not followed"))
        elif kind == "missing" and (name.endswith(".py") or "." not in name):
            problems.append(DiscoveryProblem(link, "broken-symlink", "broken symlink; not analysed"))
    return _Listing(files, tuple(problems))


def _expand(
    link: str,
    directory: str,
    lookup: Callable[[str, int], tuple[str, str]],
    under: Callable[[str], list[str]],
) -> dict[str, str] | None:
    """Files under a symlinked directory, seen through the link; None for a loop."""
    if link == directory or link.startswith(directory + "/"):
        return None  # the link points at a folder that contains it
    files: dict[str, str] = {}
    for path in under(directory):
        kind, value = lookup(path, 1)
        if kind == "file":
            files[link + path[len(directory) :]] = value
    return files
