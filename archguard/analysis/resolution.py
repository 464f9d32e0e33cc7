"""How a tree becomes modules and import sites: the :class:`Resolution` a dialect brings.

A resolution answers two questions for the pipeline: which files are modules (discovery, on
disk or over a git tree's file list) and what each import statement points at (a resolver).
archguard's own (:data:`ARCHGUARD`) is :mod:`archguard.analysis.discover` and
:class:`~archguard.analysis.resolve.Resolver`; import-linter's lives in
:mod:`archguard.importlinter`. The contract's ``[project] resolution`` names one, and
:mod:`archguard.engine.dialects` gives the pipeline the object: the pipeline never asks which.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from archguard.analysis.discover import Discovery, DiscoveryProblem, SourceFile, discover, discover_paths
from archguard.analysis.listings import FolderListings
from archguard.analysis.read.facts import FileFacts, RawImport
from archguard.analysis.resolve import ImportSite, NameIndex, Resolver
from archguard.contract.models import ProjectConfig


class ImportResolver(Protocol):
    """Resolves one file's raw imports into import sites."""

    def resolve(self, raw: RawImport, importer: str, is_package: bool, path: str) -> list[ImportSite]:
        """The import sites one statement makes (none: not a dependency)."""


class Resolution(Protocol):
    """Discovery and import resolution, one way of building the module graph."""

    name: str
    # Whether a recorded answer may be replayed when nothing changed (cli.replay re-checks the
    # files the way archguard's own discovery lists them).
    replayable: bool

    def discover(self, root: Path, project: ProjectConfig, *, contract_file: str | None = None, listings: FolderListings | None = None) -> Discovery:
        """The modules of the tree on disk under ``root`` (``listings``: folder listings kept
        between runs, where the resolution's walk uses them)."""

    def discover_listing(
        self,
        root: Path,
        project: ProjectConfig,
        paths: Iterable[str],
        *,
        where: str,
        contract_file: str | None = None,
        problems: Iterable[DiscoveryProblem] = (),
    ) -> Discovery:
        """The modules of a tree given as a list of file paths relative to ``root`` (a git revision)."""

    def resolver(self, files: Sequence[SourceFile], facts: Mapping[str, FileFacts], project: ProjectConfig, discovery: Discovery) -> ImportResolver:
        """A resolver for this set of files."""

    def sharing_key(self, files: Sequence[SourceFile], project: ProjectConfig, discovery: Discovery) -> str | None:
        """When a file's import sites depend only on its own facts, its module name and path, and
        what this key digests (the set of modules, the settings), the key: two trees with the
        same key resolve a file with the same facts the same way (``check --diff``'s base and
        head share them). None when they also depend on other files' facts (re-exports)."""

    def fileless_modules(self, discovery: Discovery) -> list[str]:
        """Modules of the graph that no file holds (import-linter's namespace packages)."""


class ArchguardResolution:
    """archguard's own: namespace packages are analysed, dynamic imports count, re-exports are
    followed when ``[project] follow_reexports`` says so."""

    name = "archguard"
    replayable = True

    def discover(self, root: Path, project: ProjectConfig, *, contract_file: str | None = None, listings: FolderListings | None = None) -> Discovery:
        return discover(root, project, contract_file=contract_file, listings=listings)

    def discover_listing(
        self,
        root: Path,
        project: ProjectConfig,
        paths: Iterable[str],
        *,
        where: str,
        contract_file: str | None = None,
        problems: Iterable[DiscoveryProblem] = (),
    ) -> Discovery:
        return discover_paths(root, project, paths, where=where, contract_file=contract_file, problems=problems)

    def resolver(self, files: Sequence[SourceFile], facts: Mapping[str, FileFacts], project: ProjectConfig, discovery: Discovery) -> ImportResolver:
        names = NameIndex(facts, (f.module for f in files if f.is_package)) if project.follow_reexports else None
        return Resolver((f.module for f in files), names)

    def sharing_key(self, files: Sequence[SourceFile], project: ProjectConfig, discovery: Discovery) -> str | None:
        return None  # (re-exports: a file's sites depend on the __init__ files it imports from)

    def fileless_modules(self, discovery: Discovery) -> list[str]:
        return []


ARCHGUARD = ArchguardResolution()
