"""One project's analysis, kept in memory and updated one buffer at a time.

The first load is an ordinary ``check`` (warm from the facts cache). After that, an edit to a
Python file re-reads only that file's bytes (the editor's unsaved text, or the file on disk)
with the fast reader, re-resolves that file's imports, and re-evaluates the contract's rules on
the updated graph. A file that other files' imports go through (a package ``__init__``, or any
module whose names another module imports) re-resolves every import, since re-exports may have
changed. A change to the contract, the import-linter configuration or the baseline reloads
everything (:meth:`Workspace.load`).

Gate mode (``base``): the findings shown are those the working tree (with its unsaved buffers)
adds against the base revision, matched the way ``check --diff`` matches them; the base side
is analysed once, at load.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from archguard.analysis.discover import SourceFile
from archguard.analysis.read import extract_facts
from archguard.analysis.read.facts import FileFacts, ParseProblem
from archguard.analysis.resolve import ImportSite
from archguard.base.errors import ArchguardError
from archguard.base.safe_files import read_regular
from archguard.contract.loading import LoadedContract
from archguard.engine.dialects import load_config, resolution_of
from archguard.engine.pipeline import Analysis, CheckResult, RuleMemo, RunOptions, Stats, analyze, build_graph, evaluate
from archguard.findings import Finding
from archguard.findings.matching import BaselineEntry, ChangedFile, Revision
from archguard.gate.delta import WORKING_TREE, Comparison, at_gate_level, compare, compare_revisions

# Rules that search the whole tree on every run (not one file's imports): while the user types they
# keep their last findings, and run again on open and save (see Workspace.set_buffer).
WHOLE_TREE_RULES = frozenset({"duplication"})

# Files whose change reloads the contract, besides the contract itself and the baseline.
CONFIG_NAMES = frozenset({"archguard.toml", ".archguard.toml", ".importlinter", "setup.cfg", "pyproject.toml", "tox.ini"})


@dataclass(frozen=True)
class Settings:
    """How the server finds and runs the check (the command line's options; the client's
    initialization options replace ``config`` and ``base``)."""

    config: Path | None = None  # the contract; None: searched upwards from the workspace root
    base: str | None = None  # gate mode: the git revision to compare with
    roots: tuple[Path, ...] = ()  # --root folders
    jobs: int | None = None
    use_cache: bool = True
    cache_dir: Path | None = None


@dataclass(frozen=True)
class Update:
    """What one recomputation did, for the server's log and the benchmark."""

    seconds: float
    full: bool  # every import was resolved again
    resolved: int = 0  # modules whose imports were resolved again (all of them when full)


class Workspace:
    """The analysis of the project that holds ``start``, with the editor's buffers laid over it."""

    def __init__(self, start: Path, settings: Settings | None = None, *, use_cache: bool = True) -> None:
        self.start = start
        self.settings = settings or Settings(use_cache=use_cache)
        self.config = self.settings.config
        self.base = self.settings.base
        self.options = RunOptions(jobs=self.settings.jobs, use_cache=self.settings.use_cache, cache_dir=self.settings.cache_dir)
        self.loaded: LoadedContract | None = None
        self.error: ArchguardError | None = None  # why the contract cannot be loaded (then nothing is shown)
        self.buffers: dict[str, bytes] = {}  # relpath -> unsaved text the editor holds
        self._files: dict[str, SourceFile] = {}  # relpath -> file
        self._facts: dict[str, FileFacts] = {}  # module -> facts
        self._sites: dict[str, list[ImportSite]] = {}  # importer -> its sites
        self._analysis: Analysis | None = None
        self._result: CheckResult | None = None  # the evaluated result, before baseline and gate
        self._shown: list[Finding] = []
        self._stale = True
        self._full = False
        self._baseline: tuple[list[BaselineEntry], str] | None = None
        self._comparison: Comparison | None = None
        self._pending: set[str] = set()  # modules whose imports must be resolved again
        self._without_clones: set[str] = set()  # files read without clone fingerprints (while typing)
        self._by_source: dict[str, set[ImportSite]] | None = None  # module -> the sites that name it (imported, requested, via)
        self._rebound: set[str] = set()  # modules whose module-level names changed
        self._owns_graph = False  # the graph was copied from the first analysis (it is changed in place)
        self._memo = RuleMemo()
        self._whole_tree_rules: set[str] = set()
        self._defer_whole_tree = False  # the next refresh may keep the whole-tree rules' last findings

    # -- loading -----------------------------------------------------------------------------

    def load(self) -> None:
        """(Re)load the contract, the baseline and the tree; in gate mode, analyse the base.
        A contract that cannot be loaded sets :attr:`error` instead of raising."""
        self.error = None
        self._analysis = None
        self._result = None
        try:
            loaded = load_config(self.config, start=self.start, roots=self.settings.roots, cached=self.options.use_cache, cache_dir=self.options.cache_dir)
            if self.base is not None:
                self._comparison = compare_revisions(loaded, self.base, None, self.options)
                analysis = self._comparison.head.analysis
            else:
                self._comparison = None
                analysis = analyze(loaded, self.options)
            self._baseline = None if self.base is not None else _load_baseline(loaded)
        except ArchguardError as error:
            self.loaded = None
            self.error = error
            self._shown = []
            return
        self.loaded = loaded
        self._analysis = analysis
        self._files = {f.relpath: f for f in analysis.discovery.files}
        self._facts = dict(analysis.facts)
        self._sites = {}
        for site in analysis.sites:
            self._sites.setdefault(site.importer, []).append(site)
        self._pending, self._rebound = set(), set()
        self._without_clones = set()
        self._by_source = None
        self._owns_graph = False
        self._memo = RuleMemo()
        for relpath, data in self.buffers.items():
            self._read(relpath, data)
        self._stale = True
        self._full = bool(self.buffers)

    @property
    def root(self) -> Path | None:
        return self.loaded.root if self.loaded is not None else None

    def relpath(self, path: Path) -> str | None:
        """``path`` relative to the project root (posix), or None when it is outside."""
        if self.loaded is None:
            return None
        try:
            return path.resolve().relative_to(self.loaded.root.resolve()).as_posix()
        except ValueError:
            return None

    def is_analysed(self, relpath: str) -> bool:
        return relpath in self._files

    def is_configuration(self, path: Path) -> bool:
        """Whether a change to ``path`` reloads the contract: the contract file, the baseline, or
        a configuration file at the project root (a new contract may be written there)."""
        resolved = path.resolve()
        if self.loaded is not None:
            if resolved == self.loaded.path.resolve():
                return True
            if resolved == (self.loaded.root / self.loaded.contract.project.baseline).resolve():
                return True
            return path.name in CONFIG_NAMES and resolved.parent == self.loaded.root.resolve()
        return path.name in CONFIG_NAMES

    # -- edits ---------------------------------------------------------------------------------

    def set_buffer(self, relpath: str, data: bytes | None, *, typing: bool = False) -> bool:
        """The editor holds ``data`` for this file (None: it closed it; the file on disk counts
        again). Returns whether the file is one the contract analyses.

        ``typing``: an unsaved change while the user types. The whole-tree search for copied
        code (the duplication rule) then keeps its last findings until the next change without
        ``typing`` (open, save): the dependency rules run on every change."""
        if relpath in self._files and not typing:
            self._defer_whole_tree = False
        elif relpath in self._files and not self._stale:
            self._defer_whole_tree = True
        if data is None:
            self.buffers.pop(relpath, None)
        else:
            self.buffers[relpath] = data
        if relpath not in self._files:
            return False
        self._read(relpath, data, clones=not typing)
        return True

    def file_changed(self, relpath: str) -> None:
        """A file changed on disk (not through the editor): re-read it unless a buffer holds it;
        a Python file the analysis does not know (created or deleted) reloads the tree."""
        if relpath in self.buffers:
            return
        if relpath in self._files and (self.root is None or (self.root / relpath).is_file()):
            self._read(relpath, None)
        else:
            self.load()

    def _read(self, relpath: str, data: bytes | None, clones: bool = True) -> None:
        """Extract the file's facts again (``clones``: with its clone fingerprints; without them
        while the user types, until the next refresh that runs the copy search)."""
        file = self._files[relpath]
        if data is None:
            limit = self.loaded.contract.project.max_file_size if self.loaded else RunOptions.max_file_size
            try:
                data = read_regular(file.path, limit=limit)
            except OSError as error:
                self._facts[file.module] = FileFacts(problem=ParseProblem(f"cannot read file: {error.strerror or error}"))
                self._stale = self._full = True
                return
        enabled = self.loaded is not None and self.loaded.contract.duplication.enabled
        before = self._facts.get(file.module)
        facts = extract_facts(data, enabled and clones, whole=True)
        if enabled and not clones:
            self._without_clones.add(relpath)
        else:
            self._without_clones.discard(relpath)
        self._facts[file.module] = facts
        self._stale = True
        if file.is_package:
            # A package's __init__ decides what `from pkg import x` and its submodules mean.
            self._full = True
        elif before is None or _surface(before) != _surface(facts):
            # What it binds changed: the files that take names from it may resolve differently.
            self._rebound.add(file.module)
        self._pending.add(file.module)

    # -- results -------------------------------------------------------------------------------

    def findings(self) -> list[Finding]:
        """The findings to show: after the baseline (or, in gate mode, what the change adds)."""
        if self._stale:
            self.refresh()
        return self._shown

    def refresh(self) -> Update:
        """Recompute the findings from the current facts."""
        started = time.perf_counter()
        full = self._full
        if self.loaded is None or self._analysis is None:
            self._shown, self._stale = [], False
            return Update(time.perf_counter() - started, full)
        deferred = self._defer_whole_tree and not full
        if not deferred:
            self._add_clones()
        analysis, resolved = self._rebuilt(full)
        self._memo.keep = frozenset(self._whole_tree_rules) if deferred else frozenset()
        result = evaluate(analysis, self._memo)
        self._whole_tree_rules = {rule.name for rule in result.rules if rule.kind in WHOLE_TREE_RULES}
        self._result = result
        self._shown = self._filtered(result)
        self._stale = self._full = self._defer_whole_tree = False
        self._pending.clear()
        self._rebound.clear()
        return Update(time.perf_counter() - started, full, resolved)

    def _add_clones(self) -> None:
        """The clone fingerprints of the files read without them while the user typed (the
        same bytes: their imports are unchanged)."""
        for relpath in sorted(self._without_clones):
            file = self._files.get(relpath)
            data = self.buffers.get(relpath)
            if file is None:
                continue
            if data is None:
                try:
                    data = read_regular(file.path, limit=self.loaded.contract.project.max_file_size if self.loaded else RunOptions.max_file_size)
                except OSError:
                    continue
            self._facts[file.module] = extract_facts(data, True)
        self._without_clones.clear()

    @property
    def result(self) -> CheckResult | None:
        """The last evaluated result (all findings, before the baseline and the gate)."""
        if self._stale:
            self.refresh()
        return self._result

    def _rebuilt(self, full: bool) -> tuple[Analysis, int]:
        """The analysis with the pending files' imports resolved again, and how many files that was."""
        assert self.loaded is not None and self._analysis is not None
        previous = self._analysis
        files = list(previous.discovery.files)
        project = self.loaded.contract.project
        if full:
            sites, graph = build_graph(files, self._facts, previous.components, project, previous.discovery)
            self._sites = {}
            for site in sites:
                self._sites.setdefault(site.importer, []).append(site)
            self._by_source = None
            self._owns_graph = True
            count = len(files)
        else:
            graph = previous.graph
            if not self._owns_graph:  # the first analysis's graph may be shared (gate mode): change a copy
                graph = previous.graph.copy()
                self._owns_graph = True
            packages = {f.module for f in files if f.is_package}
            if self._by_source is None:
                self._by_source = _by_source(self._sites)
            again = self._pending | _takers_of(self._rebound, self._sites, self._by_source, packages)
            count = len(again)
            if again:
                resolver = resolution_of(project).resolver(files, self._facts, project, previous.discovery)
                by_module = {f.module: f for f in files}
                replaced: list[ImportSite] = []
                for module in sorted(again):
                    file = by_module[module]
                    resolved: list[ImportSite] = []
                    for raw in self._facts[module].imports:
                        resolved.extend(resolver.resolve(raw, module, file.is_package, file.relpath))
                    _unindex(self._by_source, self._sites.get(module, ()))
                    _index(self._by_source, resolved)
                    self._sites[module] = resolved
                    replaced.extend(resolved)
                graph = graph.replace_sites(again, replaced)
            sites = [site for file in files for site in self._sites.get(file.module, ())]
        stats = Stats(files=len(files), modules=len(files), imports=sum(1 for site in sites if not site.via))
        self._analysis = replace(previous, facts=dict(self._facts), sites=sites, graph=graph, stats=stats)
        return self._analysis, count

    def _filtered(self, result: CheckResult) -> list[Finding]:
        comparison = self._comparison
        if comparison is not None:
            base = comparison.base
            files = {f.path: f for f in comparison.outcome.files}
            for relpath in self.buffers:
                if relpath not in files and relpath in base.analysis.paths.values():
                    files[relpath] = ChangedFile("modified", relpath)
            added = comparison.added
            outcome = compare(
                base,
                result,
                sorted(files.values(), key=lambda f: f.path),
                base=comparison.outcome.base,
                head=Revision(WORKING_TREE, None, comparison.outcome.head.contract),
                added_lines=lambda path: (added.ranges(path) if added is not None else None) or [],
            )
            return at_gate_level(outcome.new, result)
        if self._baseline is not None:
            from archguard.gate import baseline

            entries, shown = self._baseline
            return baseline.apply(result, entries, shown).findings
        return result.findings


def _load_baseline(loaded: LoadedContract) -> tuple[list[BaselineEntry], str] | None:
    """The baseline file's entries when there is one (raises BaselineError for a broken one)."""
    default = loaded.root / loaded.contract.project.baseline
    if not os.path.lexists(default):
        return None
    from archguard.gate import baseline

    path = baseline.baseline_path(loaded)
    shown = baseline.display(path, loaded)
    entries = baseline.load(path, shown, baseline.confinement(loaded))
    return (entries, shown) if entries is not None else None


def _surface(facts: FileFacts) -> tuple[object, ...]:
    """What other modules' imports can see of a module: the names it binds and exports."""
    return (facts.bindings(), facts.defined_names, facts.all_names)


def _by_source(sites: dict[str, list[ImportSite]]) -> dict[str, set[ImportSite]]:
    """Module -> the sites that name it (as imported, requested, or a re-exporting package)."""
    index: dict[str, set[ImportSite]] = {}
    for importer_sites in sites.values():
        _index(index, importer_sites)
    return index


def _index(index: dict[str, set[ImportSite]], sites: Iterable[ImportSite]) -> None:
    for site in sites:
        for source in {site.imported, site.requested, *site.via}:
            index.setdefault(source, set()).add(site)


def _unindex(index: dict[str, set[ImportSite]], sites: Iterable[ImportSite]) -> None:
    for site in sites:
        for source in {site.imported, site.requested, *site.via}:
            index.get(source, set()).discard(site)


def _takers_of(modules: set[str], sites: dict[str, list[ImportSite]], by_source: dict[str, set[ImportSite]], packages: set[str]) -> set[str]:
    """The modules whose import sites may change when what ``modules`` bind changes.

    Imports are resolved through re-exports only in packages' ``__init__``
    (:meth:`archguard.analysis.resolve.NameIndex.origin`): a changed module matters to the
    files that take names from a package that imports from it (``from .models import Invoice``
    in ``pkg/__init__.py``), and from the packages that import from those, and so on. Of those
    files, the ones whose names the packages' bindings led to the changed module are affected
    (a name bound by name keeps leading there, whatever the module now holds); all of them when
    a package star-imports it (a new name may appear, or shadow another)."""
    if not modules:
        return set()
    found: set[str] = set()
    seen = set(modules)
    todo = list(modules)
    while todo:
        module = todo.pop()
        for site in by_source.get(module, ()):
            package = site.importer
            if package not in packages or package in seen:
                continue
            seen.add(package)
            todo.append(package)
            star = any(s.names == ("*",) for s in sites.get(package, ()) if module in (s.imported, s.requested))
            for taker in by_source.get(package, ()):
                if taker.names and (star or taker.imported in modules):
                    found.add(taker.importer)
    return found
