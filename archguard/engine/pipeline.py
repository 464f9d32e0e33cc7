"""The pipeline: contract -> files -> facts (cached, parallel) -> graph -> rules -> findings.

``analyze`` extracts the actual architecture; ``evaluate`` compares it with the contract.
Neither prints nor exits: the CLI and the reporters do that with what they return.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from archguard.analysis.cache import DigestIndex, FactsCache, cache_directory, content_hash
from archguard.analysis.discover import Discovery, SourceFile, find_outside_roots, resolve_roots
from archguard.analysis.graph import ModuleGraph, component_edge_counts
from archguard.analysis.listings import FolderListings
from archguard.analysis.mapping import ComponentMap, build_component_map
from archguard.analysis.read import extractor_settings
from archguard.analysis.read.facts import FileFacts, ParseProblem
from archguard.analysis.resolve import ImportSite
from archguard.base.errors import NothingCheckedError
from archguard.base.gcpace import fewer_collections
from archguard.base.safe_files import FileTooLarge, read_regular
from archguard.base.timeline import phase
from archguard.contract.loading import LoadedContract
from archguard.contract.models import Contract, ProjectConfig
from archguard.contract.selectors import referenced_packages
from archguard.engine.dialects import dialect_of, resolution_of
from archguard.engine.recall import EvaluationKey, evaluation_key, recall, remember, remember_content
from archguard.engine.suppress import apply_pragmas, stale_ignores
from archguard.findings import Finding, Suppression, prefer_reexports, sort_findings
from archguard.rules.base import Rule, RuleContext

if TYPE_CHECKING:  # the gate's outcomes are only set by baseline and diff runs, which import them
    from archguard.findings.matching import BaselineOutcome, DiffOutcome

ProgressCallback = Callable[[int, int], None]  # (files done, files to parse)


# Work a caller runs while files are parsed: called with the facts known so far and the files
# still being parsed; returns True when done, False to be called again once every file's facts
# are known (then with nothing pending; its return value is ignored).
Meanwhile = Callable[[dict[str, FileFacts], frozenset[str]], bool]


@dataclass(frozen=True)
class RunOptions:
    """How a run reads the tree: processes, cache, progress and limits."""

    jobs: int | None = None  # None: every core
    use_cache: bool = True
    cache_dir: Path | None = None  # default: <root>/.archguard_cache
    progress: ProgressCallback | None = None
    max_file_size: int = 10_000_000  # bytes; the contract's [project] max_file_size wins
    clones: bool | None = None  # extract clone fingerprints; None: when [duplication] is enabled


@dataclass
class Stats:
    """Counts of one analysis (files, parses, cache hits, imports) for the summary line."""

    files: int = 0
    parsed: int = 0
    cached: int = 0
    reused: int = 0  # facts taken from another tree's analysis (diff mode: files the change left alone)
    modules: int = 0
    imports: int = 0
    seconds: float = 0.0
    digests: dict[str, str] = field(default_factory=dict)  # module -> content hash of the bytes read
    extractor: str = ""  # the extractor's settings the facts were read with (analysis.read.extractor_settings)
    recalled: bool = False  # the findings were those of an earlier evaluation with the same inputs (engine.recall)


@dataclass
class Analysis:
    """The actual architecture of one tree."""

    loaded: LoadedContract
    discovery: Discovery
    facts: dict[str, FileFacts]  # module -> facts
    paths: dict[str, str]  # module -> relative path
    sites: list[ImportSite]
    graph: ModuleGraph
    components: ComponentMap
    stats: Stats
    cache_dir: Path | None = None  # where derived results may be cached (None: --no-cache)
    # (source, target) -> (import sites, module edges) between components, when recalled with the
    # evaluation or counted for its record (:meth:`edges_between_components` counts them otherwise).
    component_edges: dict[tuple[str, str], tuple[int, int]] | None = None

    def edges_between_components(self) -> dict[tuple[str, str], tuple[int, int]]:
        """(source, target) -> (import sites, module edges) for every component dependency in the
        code: recalled with the evaluation when it was (the module graph is then not built for them)."""
        if self.component_edges is not None:
            return self.component_edges
        return component_edge_counts(self.graph.graph, self.components.component_of)


class DeferredAnalysis(Analysis):
    """An analysis whose import sites and module graph are resolved when first read: a check
    whose evaluation is recalled (:mod:`archguard.engine.recall`) and whose reports do not
    read them never builds them. ``stats.imports`` is set when they are built (or recalled)."""

    def __init__(self, build: Callable[[], tuple[list[ImportSite], ModuleGraph]] | None = None, **fields: object) -> None:
        if build is None:  # (dataclasses.replace passes every field)
            super().__init__(**fields)  # type: ignore[arg-type]
            return
        self.__dict__.update(fields)
        self.__dict__["_build"] = build

    def __getattr__(self, name: str) -> object:
        build = self.__dict__.get("_build")
        if name not in ("sites", "graph") or build is None:
            raise AttributeError(name)
        self.__dict__["sites"], self.__dict__["graph"] = build()
        del self.__dict__["_build"]
        return self.__dict__[name]

    @property
    def graph_built(self) -> bool:
        return "_build" not in self.__dict__


@dataclass
class CheckResult:
    """An evaluated analysis: the rules that ran, their findings and what was suppressed."""

    analysis: Analysis
    rules: list[Rule]
    findings: list[Finding]  # active findings, sorted
    suppressed: list[Suppression] = field(default_factory=list)
    baseline: BaselineOutcome | None = None  # set when a baseline file accepted findings (archguard.gate.baseline)
    diff: DiffOutcome | None = None  # set by `check --diff`: findings are then the ones the change introduced

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0


def read_file(file: SourceFile, limit: int = RunOptions.max_file_size) -> bytes | OSError:
    """A source file's bytes, or why it cannot be read: only a regular file (never blocking on
    a FIFO, never reading a device), at most ``limit`` bytes (beyond: a
    :class:`~archguard.base.safe_files.FileTooLarge`). Discovery lists only files whose
    symlinks stay inside the project, so no realpath is taken per read."""
    try:
        return read_regular(file.path, limit=limit)
    except OSError as error:
        return error


class SourceTree(Protocol):
    """Where :func:`analyze` finds the code: the working tree, or a git revision (archguard.gate.revision)."""

    def discover(self, loaded: LoadedContract) -> Discovery:
        """The files and module names of this tree."""

    def read(self, file: SourceFile) -> bytes | OSError:
        """One file's bytes."""

    def known_facts(self, file: SourceFile) -> FileFacts | None:
        """Facts already known for this file's bytes (from another analysis), or None: read and extract."""


class WorkingTree:
    """The files on disk under the project root (``cache_dir``: where the folder listings of the
    last run are kept, :mod:`archguard.analysis.listings`; None: every folder is listed)."""

    def __init__(self, max_file_size: int = RunOptions.max_file_size, cache_dir: Path | None = None) -> None:
        self.max_file_size = max_file_size
        self.cache_dir = cache_dir

    def discover(self, loaded: LoadedContract) -> Discovery:
        project = loaded.contract.project
        listings = FolderListings(self.cache_dir).load() if self.cache_dir is not None else None
        discovery = resolution_of(project).discover(loaded.root, project, contract_file=loaded.display_path, listings=listings)
        if listings is not None:
            listings.save()
        return discovery

    def read(self, file: SourceFile) -> bytes | OSError:
        return read_file(file, self.max_file_size)

    def known_facts(self, file: SourceFile) -> FileFacts | None:
        return None


class KnownFactsTree:
    """Another tree whose files' facts are already known (by relpath): nothing known is read again."""

    def __init__(self, tree: SourceTree, facts: dict[str, FileFacts]) -> None:
        self.tree = tree
        self.facts = facts

    def discover(self, loaded: LoadedContract) -> Discovery:
        return self.tree.discover(loaded)

    def read(self, file: SourceFile) -> bytes | OSError:
        return self.tree.read(file)

    def known_facts(self, file: SourceFile) -> FileFacts | None:
        return self.facts.get(file.relpath) or self.tree.known_facts(file)


def extract_files(
    files: list[SourceFile],
    read: Callable[[SourceFile], bytes | OSError],
    options: RunOptions,
    cache: FactsCache | None,
    stats: Stats,
    clones: bool = True,
    index: DigestIndex | None = None,
    infos: dict[str, os.stat_result | None] | None = None,
    remembered: dict[str, str | None] | None = None,
    meanwhile: Meanwhile | None = None,
) -> dict[str, FileFacts]:
    """Facts for each file: from the cache when its bytes are known, else parsed (in parallel).

    ``meanwhile(known, pending)``: the facts known so far and the modules still being parsed,
    while a pool parses; called again once everything is known (pending empty) unless it
    returned True (done) the first time. See :data:`Meanwhile`.

    With an ``index`` (working tree only), a file whose stat is unchanged since it was last
    read is not read again: its content hash comes from the index. ``infos`` and
    ``remembered``: the files' stat and the index's content hash by module, when the caller
    already looked them up (see :func:`stat_files`, :func:`remembered_digests`).
    """
    facts: dict[str, FileFacts] = {}
    missing: list[tuple[SourceFile, str, bytes]] = []
    done_meanwhile = False
    infos = infos if infos is not None else stat_files(files) if index is not None else {}
    if remembered is None:
        remembered = remembered_digests(files, infos, index)
    for file in files:
        info = infos.get(file.module)
        if index is not None:
            known = remembered.get(file.module)
            if known is not None and cache is not None and info is not None and info.st_size <= options.max_file_size:
                cached_facts = cache.get(known)
                if cached_facts is not None:
                    stats.digests[file.module] = known
                    facts[file.module] = cached_facts
                    remember_content(cached_facts, known)
                    stats.cached += 1
                    continue
        data = read(file)
        if isinstance(data, FileTooLarge):
            message = f"file too large to analyse ({data.size:,} bytes > max_file_size {options.max_file_size:,}); generated code?"
            facts[file.module] = FileFacts(problem=ParseProblem(message))
            stats.digests[file.module] = f"too-large:{data.size}"
            continue
        if isinstance(data, OSError):
            facts[file.module] = FileFacts(problem=ParseProblem(f"cannot read file: {data.strerror or data}"))
            stats.digests[file.module] = f"unreadable:{data.errno}"
            continue
        digest = content_hash(data)
        stats.digests[file.module] = digest
        if index is not None and info is not None:
            index.record(str(file.path), info, digest)
        if len(data) > options.max_file_size:
            message = f"file too large to analyse ({len(data):,} bytes > max_file_size {options.max_file_size:,}); generated code?"
            facts[file.module] = FileFacts(problem=ParseProblem(message))
            continue
        cached = cache.get(digest) if cache is not None else None
        if cached is not None:
            facts[file.module] = cached
            remember_content(cached, digest)
            stats.cached += 1
        else:
            missing.append((file, digest, data))
    if missing:
        from archguard.analysis.read.facts import cacheable
        from archguard.analysis.read.pool import default_jobs, extract_all

        done = 0
        total = len(missing)

        def advance(count: int) -> None:
            nonlocal done
            done += count
            if options.progress:
                options.progress(done, total)

        during = None
        if meanwhile is not None:
            callback = meanwhile

            def during() -> None:
                nonlocal done_meanwhile
                done_meanwhile = callback(dict(facts), frozenset(file.module for file, _, _ in missing))

        with phase("parsing"):
            results = extract_all([data for _, _, data in missing], options.jobs or default_jobs(), advance, clones, during)
        for (file, digest, _data), result in zip(missing, results, strict=True):
            facts[file.module] = result
            remember_content(result, digest)
            if cache is not None and cacheable(result):
                cache.put(digest, result)
        stats.parsed += len(missing)
    if meanwhile is not None and not done_meanwhile:
        meanwhile(dict(facts), frozenset())
    return facts


def stat_files(files: list[SourceFile]) -> dict[str, os.stat_result | None]:
    """Each file's stat by module (None: it cannot be stat'ed)."""
    infos: dict[str, os.stat_result | None] = {}
    for file in files:
        try:
            infos[file.module] = os.stat(file.path)
        except OSError:
            infos[file.module] = None
    return infos


def remembered_digests(files: list[SourceFile], infos: dict[str, os.stat_result | None], index: DigestIndex | None) -> dict[str, str | None]:
    """The content hash the digest index holds for each file whose stat is unchanged (else None)."""
    if index is None:
        return {}
    return {f.module: index.lookup(str(f.path), info) if (info := infos.get(f.module)) is not None else None for f in files}


def prestart_pool(
    files: list[SourceFile], infos: dict[str, os.stat_result | None], remembered: dict[str, str | None], jobs: int | None, clones: bool = True
) -> None:
    """Start the parsing pool's fork server early (:func:`archguard.analysis.read.pool.prestart`)
    when the files the digest index does not know (all of them, without an index) are enough
    source for a pool: its start then overlaps loading the cache and hashing files."""
    sizes = [info.st_size for file in files if (info := infos.get(file.module)) is not None and remembered.get(file.module) is None]
    if sizes:  # (a warm run does not import the pool's modules)
        from archguard.analysis.read.pool import default_jobs, prestart

        prestart(sizes, jobs or default_jobs(), clones)


# Import sites of one file by (resolution's sharing key, module, is_package, path), with the facts
# object they were resolved from (held, so that its identity is not reused): the head of
# `check --diff` takes the base's sites of the files the change left alone.
_SITES: dict[tuple[str | None, str, bool, str], tuple[FileFacts, list[ImportSite]]] = {}
_SITES_LIMIT = 200_000


def build_graph(
    files: list[SourceFile],
    facts: dict[str, FileFacts],
    components: ComponentMap,
    project: ProjectConfig,
    discovery: Discovery,
) -> tuple[list[ImportSite], ModuleGraph]:
    """Resolve every import and build the module graph, the way the project's ``resolution`` says."""
    resolution = resolution_of(project)
    resolver = resolution.resolver(files, facts, project, discovery)
    shared = resolution.sharing_key(files, project, discovery)
    if len(_SITES) > _SITES_LIMIT:
        _SITES.clear()  # a long-lived process: forget, the sites are resolved again
    sites: list[ImportSite] = []
    for file in files:
        file_facts = facts[file.module]
        key = (shared, file.module, file.is_package, file.relpath)
        known = _SITES.get(key) if shared is not None else None
        if known is not None and known[0] is file_facts:
            sites.extend(known[1])
            continue
        resolved = [site for raw in file_facts.imports for site in resolver.resolve(raw, file.module, file.is_package, file.relpath)]
        if shared is not None:
            _SITES[key] = (file_facts, resolved)
        sites.extend(resolved)
    paths = {f.module: f.relpath for f in files}
    graph = ModuleGraph(paths, sites, components.component_of)
    for module in resolution.fileless_modules(discovery):
        if module not in graph.graph:
            graph.graph.add_node(module, path=None, component=components.component_of.get(module), external=False)
    return sites, graph


def analyze(
    loaded: LoadedContract,
    options: RunOptions | None = None,
    tree: SourceTree | None = None,
    meanwhile: Meanwhile | None = None,
    *,
    defer_graph: bool = False,
) -> Analysis:
    """Discover, extract (cached, parallel), resolve and map one tree (default: the working tree).

    ``meanwhile``: other work, run while files are parsed; see :data:`Meanwhile` (by relpath
    here). `check --diff` analyses the base there while the change's files are parsed.
    ``defer_graph``: resolve the imports and build the graph when first read (a
    :class:`DeferredAnalysis`), for a caller that evaluates the analysis next.
    """
    with fewer_collections():
        return _analyze(loaded, options, tree, meanwhile, defer_graph)


def _analyze(
    loaded: LoadedContract,
    options: RunOptions | None,
    tree: SourceTree | None,
    meanwhile: Meanwhile | None = None,
    defer_graph: bool = False,
) -> Analysis:
    options = options or RunOptions()
    cache_dir = cache_directory(loaded.root, options.cache_dir) if options.use_cache else None
    tree = tree or WorkingTree(loaded.contract.project.max_file_size, cache_dir)
    started = time.perf_counter()
    contract = loaded.contract
    with phase("discovery"):
        discovery = tree.discover(loaded)
    files = list(discovery.files)
    clones = contract.duplication.enabled if options.clones is None else options.clones
    stats = Stats(files=len(files), extractor=extractor_settings(clones))
    known = {f.module: found for f in files if (found := tree.known_facts(f)) is not None}
    stats.reused = len(known)
    unknown = [f for f in files if f.module not in known]
    cache: FactsCache | None = None
    index: DigestIndex | None = None
    infos: dict[str, os.stat_result | None] | None = None
    remembered: dict[str, str | None] | None = None
    on_disk = type(tree) is WorkingTree  # its reads are the files on disk, which stat and the index describe
    if cache_dir is not None and unknown and on_disk:
        index = DigestIndex(cache_dir)
        index.load()
    if on_disk and unknown:
        infos = stat_files(unknown)
        remembered = remembered_digests(unknown, infos, index)
        prestart_pool(unknown, infos, remembered, options.jobs, clones)
    if cache_dir is not None and unknown:
        cache = FactsCache(cache_dir, extractor_settings(clones))
        cache.load()
    options = replace(options, max_file_size=contract.project.max_file_size)
    during: Meanwhile | None = None
    if meanwhile is not None:
        relpaths = {f.module: f.relpath for f in files}
        callback = meanwhile

        def during(found: dict[str, FileFacts], pending: frozenset[str]) -> bool:
            by_path = {relpaths[module]: facts for module, facts in {**known, **found}.items()}
            return callback(by_path, frozenset(relpaths[module] for module in pending))

    with phase("reading"):
        extracted = extract_files(unknown, tree.read, options, cache, stats, clones, index, infos, remembered, during)
    facts = {f.module: known[f.module] if f.module in known else extracted[f.module] for f in files}
    if cache is not None:
        cache.save()
    if index is not None:
        index.save()
    components = build_component_map(contract.components, [f.module for f in files])
    stats.modules = len(files)

    def build() -> tuple[list[ImportSite], ModuleGraph]:
        with fewer_collections(), phase("graph"):
            sites, graph = build_graph(files, facts, components, contract.project, discovery)
        stats.imports = sum(1 for site in sites if not site.via)  # a re-export's second site is not another import
        return sites, graph

    paths = {f.module: f.relpath for f in files}
    if defer_graph:
        stats.seconds = time.perf_counter() - started
        return DeferredAnalysis(
            build, loaded=loaded, discovery=discovery, facts=facts, paths=paths, components=components, stats=stats, cache_dir=cache_dir
        )
    sites, graph = build()
    stats.seconds = time.perf_counter() - started
    return Analysis(
        loaded=loaded,
        discovery=discovery,
        facts=facts,
        paths=paths,
        sites=sites,
        graph=graph,
        components=components,
        stats=stats,
        cache_dir=cache_dir,
    )


@dataclass
class RuleMemo:
    """Findings of rules kept between evaluations of one changing tree (the language server).

    ``findings``: each rule's findings (by rule name, before pragmas) from the last evaluation
    that ran it; ``keep``: the rules not to run again this time when their findings are known
    (their inputs did not change, or the caller accepts their last findings for now)."""

    findings: dict[str, list[Finding]] = field(default_factory=dict)
    keep: frozenset[str] = frozenset()


def evaluate(analysis: Analysis, memo: RuleMemo | None = None) -> CheckResult:
    """Run every rule of the contract on an analysis; apply pragmas and report stale ignores.
    ``memo``: see :class:`RuleMemo` (rules it keeps are not run; the others' findings are stored)."""
    with fewer_collections(), phase("rules"):
        return _evaluate(analysis, memo)


def _evaluate(analysis: Analysis, memo: RuleMemo | None = None) -> CheckResult:
    contract = analysis.loaded.contract
    ignores = RuleContext.compile_ignores(contract)
    elsewhere = packages_outside_roots(analysis)
    rules = dialect_of(analysis.loaded).build_rules(analysis.loaded)
    key: EvaluationKey | None = None
    if memo is None and analysis.cache_dir is not None:
        # The outcome is a pure function of the inputs: a run with an earlier run's inputs takes its outcome.
        key = evaluation_key(analysis, elsewhere)
        recalled = recall(analysis.cache_dir, key, rules)
        if recalled is not None:
            findings_recalled, suppressed_recalled, analysis.stats.imports, edges = recalled
            analysis.stats.recalled = True
            if edges is not None:
                analysis.component_edges = edges
            return CheckResult(analysis=analysis, rules=rules, findings=findings_recalled, suppressed=suppressed_recalled)
    ctx = RuleContext(
        contract=contract,
        graph=analysis.graph,
        components=analysis.components,
        facts=analysis.facts,
        paths=analysis.paths,
        discovery_problems=analysis.discovery.problems,
        ignores=ignores,
        loaded=analysis.loaded,
        elsewhere=elsewhere,
        cache_dir=analysis.cache_dir,
    )
    findings: list[Finding] = []
    for rule in rules:
        known = memo.findings.get(rule.name) if memo is not None and rule.name in memo.keep else None
        found = known if known is not None else prefer_reexports(list(rule.check(ctx)))
        if memo is not None:
            memo.findings[rule.name] = found
        findings.extend(found)
    used = {ignore.index for ignore in ctx.ignores if ctx.ignored_edges[ignore.index]}
    if contract.drift.stale_ignore != "off":
        findings.extend(stale_ignores(analysis.loaded, ctx.ignores, used, contract.drift.stale_ignore))
    facts_by_path = {analysis.paths[m]: f for m, f in analysis.facts.items()}
    if contract.gate.pragmas:
        kept, suppressed, pragma_warnings = apply_pragmas(findings, facts_by_path)
    else:  # [gate] pragmas = false: a pragma silences nothing
        kept, suppressed, pragma_warnings = findings, [], []
    result = CheckResult(
        analysis=analysis,
        rules=rules,
        findings=sort_findings(kept + pragma_warnings),
        suppressed=sorted(suppressed, key=lambda s: s.finding.sort_key),
    )
    if key is not None and analysis.cache_dir is not None:
        edges = component_edge_counts(analysis.graph.graph, analysis.components.component_of)
        analysis.component_edges = edges  # (what the gate's comparison and drift read: not counted twice)
        remember(analysis.cache_dir, key, rules, result.findings, result.suppressed, analysis.stats.imports, edges)
    return result


def packages_outside_roots(analysis: Analysis) -> dict[str, str]:
    """Top-level packages the contract names that are not analysed but exist elsewhere under
    the project root (``src/shop`` when the roots are ``["."]``): name -> folder."""
    analysed = {module.split(".")[0] for module in analysis.paths}
    missing = sorted(referenced_packages(analysis.loaded.contract) - analysed)
    if not missing:
        return {}
    return find_outside_roots(analysis.discovery.root, analysis.discovery.roots, missing)


def duplication_active(contract: Contract) -> bool:
    """Whether the contract asks for clone detection (a [duplication] section) and reports it at some level."""
    config = contract.duplication
    declared = "duplication" in contract.model_fields_set
    return declared and config.enabled and (config.cross_component != "off" or config.within_component != "off")


def ensure_something_checked(result: CheckResult) -> None:
    """Raise :class:`NothingCheckedError` when the run could not have failed: a contract with
    no component, rule or duplication check (an empty file), no file analysed, no import in
    any file, or every rule of the contract matching no module (unless the contract sets
    ``[drift] vacuous`` to "warning" or "off")."""
    analysis = result.analysis
    loaded = analysis.loaded
    contract = loaded.contract
    if contract.drift.vacuous != "error" or dialect_of(loaded).verdicts_only:
        return  # "warning"/"off" let such a run pass; import-linter configurations get its verdicts only
    stats = analysis.stats
    parse_errors = any(f.rule == "parse-error" for f in result.findings)
    key, line = None, None
    if stats.files == 0:
        roots = ", ".join(repr(r) for r in analysis.discovery.roots)
        packages = ", ".join(analysis.discovery.packages) or "none"
        reason = f"no Python file was analysed (source roots: {roots}; packages: {packages}; check [project] packages and exclude)"
    elif stats.imports == 0 and not parse_errors:
        if not contract.rules and duplication_active(contract):
            return  # a contract for duplication only: the clone search checked the files
        reason = f"the {plural_files(stats.files)} analysed hold no import, so no dependency rule can fail"
    elif not contract.rules and not contract.components and not duplication_active(contract) and not parse_errors:
        reason = (
            "the contract declares no component and no rule (an empty contract, or only [project]); "
            "declare [components] and [[rules]] (`archguard init` infers a starting point)"
        )
    else:
        from archguard.rules.registry import EMPTY_RULE_KIND  # (an import-linter configuration needs none of archguard's rules)

        empty = {f.identity[1]: f for f in result.findings if f.rule == "vacuous-rule" and f.kind == EMPTY_RULE_KIND}
        if not contract.rules or len(empty) < len(contract.rules):
            return
        first = min(empty.values(), key=lambda f: f.line)
        key, line = dict(first.details).get("key"), first.line or None
        reason = "no rule of the contract matches any analysed module:\n  " + "\n  ".join(f.message for f in sorted(empty.values(), key=lambda f: f.line))
    message = f"checked nothing: {reason}. (Set [drift] vacuous = \"warning\" to let such a run pass.)"
    raise NothingCheckedError(message, file=loaded.display_path, key=key, line=line)


def plural_files(count: int) -> str:
    return f"{count} file" if count == 1 else f"{count} files"


def check(
    loaded: LoadedContract,
    options: RunOptions | None = None,
    tree: SourceTree | None = None,
    meanwhile: Meanwhile | None = None,
) -> CheckResult:
    """Analyse a tree (default: the working tree) and evaluate the contract on it. Raises NothingCheckedError
    when the run checked nothing (see :func:`ensure_something_checked`). ``meanwhile``: see :func:`analyze`."""
    started = time.perf_counter()
    result = evaluate(analyze(loaded, options, tree, meanwhile, defer_graph=True))
    result.analysis.stats.seconds = time.perf_counter() - started
    ensure_something_checked(result)
    return result


def reanalyze(analysis: Analysis, loaded: LoadedContract, replaced: dict[str, bytes] | None = None) -> Analysis:
    """The same tree under another contract, and with some files' bytes replaced (by relpath).

    No file is parsed twice: facts of unchanged files come from ``analysis``; only files in
    ``replaced`` (and files the first analysis did not see) are extracted. ``archguard init``
    uses this to evaluate the contract it infers, ``archguard fix`` to verify its rewrites.
    """
    from archguard.analysis.read import extract_facts

    started = time.perf_counter()
    replaced = replaced or {}
    project, before = loaded.contract.project, analysis.loaded.contract.project
    same_tree = (
        loaded.root == analysis.loaded.root
        and (project.packages, project.exclude, project.resolution) == (before.packages, before.exclude, before.resolution)
        and resolve_roots(loaded.root, project, contract_file=loaded.display_path) == analysis.discovery.roots
    )
    discovery = analysis.discovery if same_tree else resolution_of(project).discover(loaded.root, project, contract_file=loaded.display_path)
    files = list(discovery.files)
    facts: dict[str, FileFacts] = {}
    stats = Stats(files=len(files))
    for file in files:
        if file.relpath in replaced:
            facts[file.module] = extract_facts(replaced[file.relpath])
            stats.parsed += 1
        elif file.module in analysis.facts and analysis.paths.get(file.module) == file.relpath:
            facts[file.module] = analysis.facts[file.module]
            stats.cached += 1
        else:
            data = read_file(file, loaded.contract.project.max_file_size)
            facts[file.module] = (
                FileFacts(problem=ParseProblem(f"cannot read file: {data.strerror or data}"))
                if isinstance(data, OSError)
                else extract_facts(data)
            )
            stats.parsed += 1
    components = build_component_map(loaded.contract.components, [f.module for f in files])
    if same_tree and not replaced:  # the same files and facts: the import sites resolve the same way
        sites = analysis.sites
        graph = ModuleGraph({f.module: f.relpath for f in files}, sites, components.component_of)
    else:
        sites, graph = build_graph(files, facts, components, project, discovery)
    stats.modules = len(files)
    stats.imports = len(sites)
    stats.seconds = time.perf_counter() - started
    return Analysis(
        loaded=loaded,
        discovery=discovery,
        facts=facts,
        paths={f.module: f.relpath for f in files},
        sites=sites,
        graph=graph,
        components=components,
        stats=stats,
    )
