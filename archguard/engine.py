"""The pipeline: contract -> files -> facts (cached, parallel) -> graph -> rules -> findings.

``analyze`` extracts the actual architecture; ``evaluate`` compares it with the contract.
Neither prints nor exits: the CLI and the reporters do that with what they return.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from archguard.cache import CACHE_DIR_NAME, FactsCache, content_hash
from archguard.contract.loading import LoadedContract
from archguard.discover import Discovery, SourceFile, discover
from archguard.extract import extractor_settings
from archguard.extract.facts import FileFacts, ParseProblem
from archguard.findings import Finding, Suppression, sort_findings
from archguard.graph import ModuleGraph
from archguard.mapping import ComponentMap, build_component_map
from archguard.resolve import ImportSite, Resolver
from archguard.rules.base import Rule, RuleContext
from archguard.rules.registry import build_rules
from archguard.suppress import apply_pragmas, stale_ignores

ProgressCallback = Callable[[int, int], None]  # (files done, files to parse)


@dataclass(frozen=True)
class RunOptions:
    jobs: int | None = None  # None: every core
    use_cache: bool = True
    cache_dir: Path | None = None  # default: <root>/.archguard_cache
    progress: ProgressCallback | None = None
    clones: bool | None = None  # extract clone fingerprints; None: when [duplication] is enabled


@dataclass
class Stats:
    files: int = 0
    parsed: int = 0
    cached: int = 0
    modules: int = 0
    imports: int = 0
    seconds: float = 0.0


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


@dataclass
class CheckResult:
    analysis: Analysis
    rules: list[Rule]
    findings: list[Finding]  # active findings, sorted
    suppressed: list[Suppression] = field(default_factory=list)

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "warning"]

    @property
    def exit_code(self) -> int:
        return 1 if self.errors else 0


def read_file(file: SourceFile) -> bytes | OSError:
    try:
        with open(file.path, "rb") as handle:
            return handle.read()
    except OSError as error:
        return error


def extract_files(
    files: list[SourceFile],
    read: Callable[[SourceFile], bytes | OSError],
    options: RunOptions,
    cache: FactsCache | None,
    stats: Stats,
    clones: bool = True,
) -> dict[str, FileFacts]:
    """Facts for each file: from the cache when its bytes are known, else parsed (in parallel)."""
    facts: dict[str, FileFacts] = {}
    missing: list[tuple[SourceFile, str, bytes]] = []
    for file in files:
        data = read(file)
        if isinstance(data, OSError):
            facts[file.module] = FileFacts(problem=ParseProblem(f"cannot read file: {data.strerror or data}"))
            continue
        digest = content_hash(data)
        cached = cache.get(digest) if cache is not None else None
        if cached is not None:
            facts[file.module] = cached
            stats.cached += 1
        else:
            missing.append((file, digest, data))
    if missing:
        from archguard.extract.pool import default_jobs, extract_all

        done = 0
        total = len(missing)

        def advance(count: int) -> None:
            nonlocal done
            done += count
            if options.progress:
                options.progress(done, total)

        results = extract_all([data for _, _, data in missing], options.jobs or default_jobs(), advance, clones)
        for (file, digest, _data), result in zip(missing, results, strict=True):
            facts[file.module] = result
            if cache is not None:
                cache.put(digest, result)
        stats.parsed += len(missing)
    return facts


def build_graph(
    files: list[SourceFile], facts: dict[str, FileFacts], components: ComponentMap
) -> tuple[list[ImportSite], ModuleGraph]:
    resolver = Resolver(f.module for f in files)
    sites: list[ImportSite] = []
    for file in files:
        for raw in facts[file.module].imports:
            sites.extend(resolver.resolve(raw, file.module, file.is_package, file.relpath))
    paths = {f.module: f.relpath for f in files}
    return sites, ModuleGraph(paths, sites, components.component_of)


def analyze(loaded: LoadedContract, options: RunOptions | None = None) -> Analysis:
    """Discover, extract (cached, parallel), resolve and map one working tree."""
    options = options or RunOptions()
    started = time.perf_counter()
    contract = loaded.contract
    discovery = discover(loaded.root, contract.project, contract_file=loaded.display_path)
    files = list(discovery.files)
    stats = Stats(files=len(files))
    clones = contract.duplication.enabled if options.clones is None else options.clones
    cache: FactsCache | None = None
    cache_dir = (options.cache_dir or loaded.root / CACHE_DIR_NAME) if options.use_cache else None
    if cache_dir is not None:
        cache = FactsCache(cache_dir, extractor_settings(clones))
        cache.load()
    facts = extract_files(files, read_file, options, cache, stats, clones)
    if cache is not None:
        cache.save()
    components = build_component_map(contract.components, [f.module for f in files])
    sites, graph = build_graph(files, facts, components)
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
        cache_dir=cache_dir,
    )


def evaluate(analysis: Analysis) -> CheckResult:
    """Run every rule of the contract on an analysis; apply pragmas and report stale ignores."""
    contract = analysis.loaded.contract
    ctx = RuleContext(
        contract=contract,
        graph=analysis.graph,
        components=analysis.components,
        facts=analysis.facts,
        paths=analysis.paths,
        discovery_problems=analysis.discovery.problems,
        ignores=RuleContext.compile_ignores(contract),
        cache_dir=analysis.cache_dir,
    )
    rules = build_rules(contract)
    findings: list[Finding] = []
    for rule in rules:
        findings.extend(rule.check(ctx))
    used = {
        ignore.index
        for ignore in ctx.ignores
        if any(ignore.matches(importer, imported) for importer, imported in analysis.graph.graph.edges())
    }
    findings.extend(stale_ignores(analysis.loaded, ctx.ignores, used))
    facts_by_path = {analysis.paths[m]: f for m, f in analysis.facts.items()}
    kept, suppressed, pragma_warnings = apply_pragmas(findings, facts_by_path)
    return CheckResult(
        analysis=analysis,
        rules=rules,
        findings=sort_findings(kept + pragma_warnings),
        suppressed=sorted(suppressed, key=lambda s: s.finding.sort_key),
    )


def check(loaded: LoadedContract, options: RunOptions | None = None) -> CheckResult:
    """Analyse the working tree and evaluate the contract on it."""
    started = time.perf_counter()
    result = evaluate(analyze(loaded, options))
    result.analysis.stats.seconds = time.perf_counter() - started
    return result
