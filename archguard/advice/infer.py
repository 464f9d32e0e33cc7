"""A starter contract inferred from the code as it is (``archguard init``).

The contract describes today's architecture so that ``archguard check`` passes right away
and fails on what changes it:

- **components**: one per package ``depth`` levels below each top-level package (a package
  whose subpackages are components keeps only its own ``__init__``: ``pkg:*``);
- **layers**: from the component graph (:mod:`archguard.advice.layering`): the lightest set of
  imports that closes its cycles is cut, the rest is ordered top to bottom; with
  ``group_cycles`` each cycle stays whole in one layer (the condensation of the graph);
- **allowed**: today's component dependencies, exactly;
- **boundaries**: ``public`` modules where outsiders import a component through a few
  modules only;
- **acyclic**: no new cycle between components.

What today's code already breaks under that contract (the imports that close cycles) is
*frozen*: :func:`freeze` turns the findings of a first evaluation into ``[[ignore]]`` entries
with the reason :data:`FROZEN_REASON`. (When baselines land, writing those same findings to
the baseline file instead is the one change needed: see :func:`infer`.) A second evaluation
proves that the contract passes before it is returned.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from archguard.advice.layering import Layering, infer_layers
from archguard.advice.library import TEST_PARTS, LeftOut, find_library, is_test_module, local_names
from archguard.analysis.digraph import DiGraph
from archguard.analysis.graph import component_graph
from archguard.analysis.resolve import EXTERNAL, STDLIB, ImportSite
from archguard.base.errors import ArchguardError, ContractError, UsageError
from archguard.contract.loading import LoadedContract, parse_contract
from archguard.contract.models import Contract, ProjectConfig
from archguard.engine.pipeline import Analysis, CheckResult, RunOptions, analyze, evaluate, reanalyze
from archguard.findings import Finding
from archguard.gate import baseline
from archguard.rules.duplication import DuplicationRule

FROZEN_REASON = "present when the contract was inferred"
LAYERS_RULE = "inferred-layers"
BOUNDARIES_RULE = "inferred-boundaries"
ALLOWED_RULE = "inferred-dependencies"
ACYCLIC_RULE = "no-new-cycles"
MAX_PUBLIC = 3  # "a few modules": at most this many, and at most a third of the component
SHOWN_SITES = 3  # import sites listed in a comment before "and N more"


@dataclass(frozen=True)
class InitOptions:
    depth: int = 1  # components this many package levels below each top-level package
    group_cycles: bool = False  # keep each cycle whole in one layer instead of cutting it
    roots: tuple[str, ...] | None = None  # source roots (default: discovered)
    packages: tuple[str, ...] | None = None  # top-level packages (default: discovered)
    contract_dir: Path | None = None  # where the contract will live (default: the project root)


@dataclass(frozen=True)
class Component:
    name: str
    prefix: str  # "shop.billing"
    exact: bool  # True: only the module ``prefix`` itself ("shop:*"), its subpackages are components
    modules: tuple[str, ...]
    public: tuple[str, ...] = ()  # suggested public module patterns
    prefixes: tuple[str, ...] = ()  # the test code component: the packages and modules it is made of

    @property
    def patterns(self) -> tuple[str, ...]:
        if self.prefixes:
            return self.prefixes
        return (f"{self.prefix}:*" if self.exact else self.prefix,)

    @property
    def ignore_patterns(self) -> tuple[str, ...]:
        """The patterns ``[[ignore]]`` entries use for every module of this component."""
        if self.prefixes:
            return tuple(f"{prefix}.**" for prefix in self.prefixes)
        return (self.prefix if self.exact else f"{self.prefix}.**",)


@dataclass(frozen=True)
class Dependency:
    """Component ``source`` imports component ``target`` through these import sites."""

    source: str
    target: str
    sites: tuple[ImportSite, ...]


@dataclass(frozen=True)
class FrozenImport:
    """An ``[[ignore]]`` entry for something today's code breaks."""

    importer: str  # module or pattern
    imported: str
    rule: str  # the rule's name in the contract
    sites: tuple[ImportSite, ...]  # where, for the comment next to the entry
    source: str = ""  # the components the import goes between, to group the entries
    target: str = ""


@dataclass(frozen=True)
class Inference:
    """Everything ``archguard init`` inferred, ready to be written as TOML."""

    roots: tuple[str, ...]
    packages: tuple[str, ...]
    packages_given: bool
    starts: tuple[str, ...]  # where the components start: the packages, or the one subpackage a namespace package wraps
    depth: int
    group_cycles: bool
    components: tuple[Component, ...]
    dependencies: tuple[Dependency, ...]
    externals: Mapping[str, tuple[str, ...]]  # component -> third-party packages it imports
    layering: Layering
    excluded: tuple[tuple[str, str], ...] = ()  # (path, why): files archguard cannot analyse
    contract_root: str = "."  # project root relative to the contract file
    frozen: tuple[FrozenImport, ...] = ()
    imports: int = 1  # import sites analysed: with none, no rule can check anything yet
    baselined: int = 0  # findings [[ignore]] cannot name (clones), frozen in the baseline file
    baselined_within: int = 0  # of those, clones inside one component (warnings)
    left_out: tuple[LeftOut, ...] = ()  # Python code that is not the library, and why
    not_layered: tuple[Dependency, ...] = ()  # dependencies made only of imports that do not count for layering

    def component(self, name: str) -> Component:
        return next(c for c in self.components if c.name == name)

    def dependency(self, source: str, target: str) -> Dependency | None:
        return next((d for d in self.dependencies if (d.source, d.target) == (source, target)), None)


@dataclass
class InitResult:
    text: str  # the contract, as TOML
    inference: Inference
    contract: Contract
    check: CheckResult  # the contract evaluated on the code it was inferred from
    frozen_findings: list[Finding] = field(default_factory=list)  # what today's code breaks
    baselined: list[Finding] = field(default_factory=list)  # of those, what goes to the baseline file


# -- the pipeline ------------------------------------------------------------------------------


def infer(root: Path, options: InitOptions | None = None, run: RunOptions | None = None) -> InitResult:
    """Infer, render, validate and evaluate a contract for the project at ``root``."""
    options = options or InitOptions()
    if options.depth < 0:
        raise UsageError("--depth must be 0 or more")
    root = root.resolve()
    contract_dir = (options.contract_dir or root).resolve()
    project = ProjectConfig(
        roots=list(options.roots) if options.roots is not None else None,
        packages=list(options.packages) if options.packages is not None else None,
    )
    loaded = _loaded(Contract(project=project), root, contract_dir, "")
    try:
        analysis = analyze(loaded, run)
    except ContractError as error:
        message = error.message.replace("in [project] packages", "with --package")
        message = message.replace('set roots = ["src"] in [project]', "pass --root src")
        raise UsageError(re.sub(r'set roots = \["([^"]*)"\] in \[project\] \(or pass --root [^)]*\)', r"pass --root \1", message)) from None

    # The library, not the tests, examples, docs or tools next to it (unless --package names them).
    left_out: tuple[LeftOut, ...] = ()
    if options.packages is None:
        library = find_library(analysis.discovery, root)
        left_out = library.left_out
        if library.narrowed:
            project = project.model_copy(update={"roots": list(library.roots), "packages": list(library.packages)})
            analysis = reanalyze(analysis, _loaded(Contract(project=project), root, contract_dir, ""))

    excluded = _unanalysable(analysis)
    if excluded:
        project = project.model_copy(update={"exclude": [path for path, _ in excluded]})
        analysis = reanalyze(analysis, _loaded(Contract(project=project), root, contract_dir, ""))

    inference = infer_from(analysis, options, excluded=excluded, contract_root=_relative(root, contract_dir))
    inference = replace(inference, left_out=left_out)
    text = render(inference)
    contract, result = _evaluate(text, analysis, root, contract_dir)
    # Today's violations under the inferred contract are frozen so that `check` passes now and
    # fails only on what changes. To freeze them in a baseline file instead, write
    # `frozen_findings` there (archguard.gate.baseline) and skip the [[ignore]] entries.
    frozen_findings = list(result.errors)
    for _ in range(3):
        imports = [f for f in result.errors if f.rule != DuplicationRule.kind]
        if not imports:
            break
        inference = replace(inference, frozen=(*inference.frozen, *freeze(imports, inference)))
        text = render(inference)
        contract, result = _evaluate(text, analysis, root, contract_dir)
    # Clones are not imports: [[ignore]] cannot name them. They go to the baseline file, which
    # `archguard check` reads by default (matched by fingerprint, so edits elsewhere keep them):
    # the clones across components (errors) and those inside one (warnings) alike, so that the
    # first `check` shows only what changes from now on.
    baselined = [f for f in result.findings if f.rule == DuplicationRule.kind]
    if baselined:
        within = sum(1 for f in baselined if f.severity != "error")
        inference = replace(inference, baselined=len(baselined), baselined_within=within)
        text = render(inference)
        contract, result = _evaluate(text, analysis, root, contract_dir)
        result = baseline.apply(result, baseline.entries_of(baselined), contract.project.baseline)
    return InitResult(
        text=text, inference=inference, contract=contract, check=result, frozen_findings=frozen_findings, baselined=baselined
    )


def _loaded(contract: Contract, root: Path, contract_dir: Path, source: str) -> LoadedContract:
    contract = contract.model_copy(update={"project": contract.project.model_copy(update={"root": _relative(root, contract_dir)})})
    return LoadedContract(contract=contract, path=contract_dir / "archguard.toml", root=root, source=source)


def _relative(root: Path, contract_dir: Path) -> str:
    return Path(os.path.relpath(root, contract_dir)).as_posix()


def _evaluate(text: str, analysis: Analysis, root: Path, contract_dir: Path) -> tuple[Contract, CheckResult]:
    try:
        contract = parse_contract(tomllib.loads(text), display="<inferred contract>", source=text)
    except (tomllib.TOMLDecodeError, ContractError) as error:  # a bug in the renderer, never the user's input
        raise ArchguardError(f"the inferred contract does not validate: {error}") from None
    loaded = LoadedContract(contract=contract, path=contract_dir / "archguard.toml", root=root, source=text)
    return contract, evaluate(reanalyze(analysis, loaded))


def _unanalysable(analysis: Analysis) -> tuple[tuple[str, str], ...]:
    """Files archguard cannot analyse today (a finding at error level that no contract can fix)."""
    found = {
        analysis.paths[module]: f"{facts.problem.message} (line {facts.problem.line})"
        for module, facts in analysis.facts.items()
        if facts.problem
    }
    for problem in analysis.discovery.problems:
        if problem.kind == "unreadable":
            found[problem.relpath] = problem.message
    return tuple(sorted(found.items()))


# -- inference ---------------------------------------------------------------------------------


def infer_from(
    analysis: Analysis,
    options: InitOptions,
    *,
    excluded: tuple[tuple[str, str], ...] = (),
    contract_root: str = ".",
) -> Inference:
    """The inferred architecture of an analysed tree (a pure function of the analysis)."""
    graph = analysis.graph.graph
    tests = test_modules(analysis.paths, graph)
    packages = analysis.discovery.packages
    starts = tuple(wrapped_package(p, [m for m in analysis.paths if m not in tests]) for p in packages)
    keys = {module: component_key(module, starts, options.depth) for module in analysis.paths if module not in tests}
    prefixes = sorted(set(keys.values()))
    names = component_names(prefixes)
    has_children = {p for p in prefixes if any(other.startswith(p + ".") for other in prefixes)}
    owner = {module: names[key] for module, key in keys.items()}
    test_name = next(n for n in ("tests", "test_code", "test_modules") if n not in names.values())
    owner.update(dict.fromkeys(tests, test_name))
    members: dict[str, list[str]] = {}
    for module, name in sorted(owner.items()):
        members.setdefault(name, []).append(module)

    components_graph = component_graph(graph, owner)
    dependencies = []
    for source, target, data in sorted(components_graph.edges(data=True)):
        sites = sorted(
            (site for importer, imported in data["edges"] for site in graph.edges[importer, imported]["sites"]),
            key=lambda s: (s.path, s.line, s.column, s.imported),
        )
        dependencies.append(Dependency(source, target, tuple(sites)))
    # Layers and cycles come from the imports that count at run time: an import only for type
    # checking (or only for running a module as a script) neither closes a cycle nor pins a layer.
    layered = DiGraph()
    layered.add_nodes_from(components_graph.nodes())
    weights: dict[tuple[str, str], int] = {}
    not_layered = []
    for dependency in dependencies:
        counted = sum(1 for site in dependency.sites if counts_for_layering(site))
        if counted:
            layered.add_edge(dependency.source, dependency.target)
            weights[(dependency.source, dependency.target)] = counted
        else:
            not_layered.append(dependency)
    layering = infer_layers(layered, weights, group_cycles=options.group_cycles)

    entries = public_entries(graph, owner)
    package_modules = {m for m, f in ((f.module, f) for f in analysis.discovery.files) if f.is_package}
    components = []
    for prefix in prefixes:
        name = names[prefix]
        modules = tuple(members.get(name, ()))
        public = suggest_public(modules, entries.get(name, set()), package_modules)
        components.append(Component(name=name, prefix=prefix, exact=prefix in has_children, modules=modules, public=public))
    if tests:
        components.append(
            Component(name=test_name, prefix=test_name, exact=False, modules=tuple(sorted(tests)), prefixes=test_prefixes(tests, analysis.paths))
        )

    externals: dict[str, set[str]] = {}
    local = local_names(analysis.discovery)
    for importer, imported in graph.edges():
        package = imported[len(EXTERNAL) :]
        if imported.startswith(EXTERNAL) and package not in STDLIB and package not in local and not package.startswith("__") and owner.get(importer):
            externals.setdefault(owner[importer], set()).add(package)
    return Inference(
        roots=analysis.discovery.roots,
        packages=packages,
        # A namespace package (no __init__.py) is only found when named: write the names down.
        packages_given=analysis.loaded.contract.project.packages is not None or not set(packages) <= set(analysis.paths),
        starts=starts,
        depth=options.depth,
        group_cycles=options.group_cycles,
        components=tuple(sorted(components, key=lambda c: c.name)),
        dependencies=tuple(dependencies),
        externals={name: tuple(sorted(found)) for name, found in sorted(externals.items())},
        layering=layering,
        excluded=excluded,
        contract_root=contract_root,
        imports=analysis.stats.imports,
        not_layered=tuple(not_layered),
    )


def counts_for_layering(site: ImportSite) -> bool:
    """Whether an import pins the layers and can close a cycle in the inferred contract.

    Not an import inside ``if TYPE_CHECKING:`` (the inferred ``layers`` and ``acyclic`` rules
    say ``exclude_type_checking = true``), nor one inside ``if __name__ == "__main__":`` (a
    demo or script entry point: every rule of an archguard contract leaves those out by default).
    """
    return not (site.type_checking or site.main)


def test_modules(modules: Iterable[str], graph: DiGraph) -> set[str]:
    """Test code inside the library: modules that look like tests and that no other code imports."""
    tests = {m for m in modules if is_test_module(m)}
    changed = True
    while changed:  # a test module imported by library code is library code (and so is what it imports)
        library = {m for m in tests if m in graph and any(p not in tests and not p.startswith(EXTERNAL) for p in graph.predecessors(m))}
        changed = bool(library)
        tests -= library
    return tests


def test_prefixes(tests: set[str], modules: Iterable[str]) -> tuple[str, ...]:
    """The fewest module patterns that cover the test modules and nothing else."""
    others = [m for m in modules if m not in tests]
    found: set[str] = set()
    for module in sorted(tests):
        parts = module.split(".")
        first = next(i for i in range(1, len(parts)) if parts[i] in TEST_PARTS or parts[i].startswith("test_") or parts[i].endswith("_test"))
        prefix = ".".join(parts[: first + 1])
        clean = not any(o == prefix or o.startswith(prefix + ".") for o in others)
        found.add(prefix if clean else f"{module}:*")
    return tuple(sorted(p for p in found if not any(p != q and not q.endswith(":*") and p.startswith(q + ".") for q in found)))


def wrapped_package(package: str, modules: Iterable[str]) -> str:
    """The package where the code starts: a namespace package with nothing of its own but one
    subpackage (poetry-core's ``poetry`` holds only ``poetry.core``) stands for that subpackage,
    so that the components are the parts of the code, not the code as one part."""
    below = [m for m in modules if m == package or m.startswith(package + ".")]
    while below and package not in below:
        children = {m[len(package) + 1 :].split(".")[0] for m in below}
        if len(children) != 1 or f"{package}.{next(iter(children))}" not in below:
            break  # more than one part, or a namespace package again: stop at this level
        package = f"{package}.{children.pop()}"
    return package


def component_key(module: str, packages: Iterable[str], depth: int) -> str:
    """The module prefix that names ``module``'s component: ``depth`` names below its top-level package."""
    top = max((p for p in packages if module == p or module.startswith(p + ".")), key=len, default=module.split(".")[0])
    parts = module.split(".")
    return ".".join(parts[: len(top.split(".")) + depth])


def component_names(prefixes: Iterable[str]) -> dict[str, str]:
    """A short unique name per prefix: its last name, or as many trailing names as it takes, joined by '_'."""
    prefixes = sorted(set(prefixes))
    names: dict[str, str] = {}
    for prefix in prefixes:
        parts = prefix.split(".")
        for count in range(1, len(parts) + 1):
            candidate = "_".join(parts[-count:])
            clashes = [p for p in prefixes if p != prefix and "_".join(p.split(".")[-count:]) == candidate]
            if not clashes:
                names[prefix] = candidate
                break
        else:
            names[prefix] = "_".join(parts)
    return names


def public_entries(graph: DiGraph, owner: Mapping[str, str]) -> dict[str, set[str]]:
    """For each component, its modules that some module outside it imports today."""
    entries: dict[str, set[str]] = {}
    for importer, imported in graph.edges():
        target = owner.get(imported)
        if target is not None and owner.get(importer) not in (None, target):
            entries.setdefault(target, set()).add(imported)
    return entries


def suggest_public(modules: tuple[str, ...], entries: set[str], packages: set[str]) -> tuple[str, ...]:
    """Public patterns when outsiders use the component through a few of its modules only."""
    if len(modules) < 3 or not entries:
        return ()
    if len(entries) > min(MAX_PUBLIC, max(1, len(modules) // 3)):
        return ()
    return tuple(f"{m}:*" if m in packages else m for m in sorted(entries))


def freeze(findings: Iterable[Finding], inference: Inference) -> tuple[FrozenImport, ...]:
    """``[[ignore]]`` entries that silence exactly these findings (each scoped to its rule)."""
    owner = {m: c.name for c in inference.components for m in c.modules}
    sites_of = {(d.source, d.target): d.sites for d in inference.dependencies}
    entries: dict[tuple[str, str, str], FrozenImport] = {}
    for finding in findings:
        if finding.rule == "acyclic":
            # A cycle is frozen by leaving out, for this rule only, the dependencies that close it.
            members = set(finding.identity[2:])
            for source, target in inference.layering.cut:
                if source in members and target in members:
                    for importer in inference.component(source).ignore_patterns:
                        for imported in inference.component(target).ignore_patterns:
                            entries[(importer, imported, finding.rule_name)] = FrozenImport(
                                importer, imported, finding.rule_name, sites_of.get((source, target), ()), source, target
                            )
            continue
        if finding.chain:
            importer, imported = finding.chain[0].importer, finding.chain[0].imported
        elif finding.importer and finding.imported:
            importer, imported = finding.importer, finding.imported
        else:
            continue  # nothing an [[ignore]] entry can name (an unmapped module, a parse error)
        source, target = owner.get(importer, ""), owner.get(imported, "")
        sites = tuple(s for s in sites_of.get((source, target), ()) if (s.importer, s.imported) == (importer, imported))
        entries[(importer, imported, finding.rule_name)] = FrozenImport(importer, imported, finding.rule_name, sites, source, target)
    return tuple(entries[key] for key in sorted(entries))


# -- rendering ---------------------------------------------------------------------------------


def toml_string(text: str) -> str:
    """A TOML basic string (JSON's escapes are a subset of TOML's)."""
    return json.dumps(text, ensure_ascii=False)


def toml_list(items: Iterable[str]) -> str:
    return "[" + ", ".join(toml_string(item) for item in items) + "]"


def _site_line(site: ImportSite) -> str:
    flags = f"  ({', '.join(site.flags)})" if site.flags else ""
    return f"{site.path}:{site.line}  {site.text}{flags}"


def _site_comments(sites: tuple[ImportSite, ...], indent: str) -> list[str]:
    lines = [f"# {indent}{_site_line(site)}" for site in sites[:SHOWN_SITES]]
    if len(sites) > SHOWN_SITES:
        lines.append(f"# {indent}... and {len(sites) - SHOWN_SITES} more")
    return lines


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def render(inference: Inference) -> str:
    """The contract as readable TOML: every section says where it came from."""
    out: list[str] = []
    packages = ", ".join(inference.starts)
    if inference.depth == 0:
        depth_text = f"the top-level packages ({packages})"
    else:
        depth_text = f"{_plural(inference.depth, 'level')} below {packages} (archguard init --depth {inference.depth})"
    out += [
        "# archguard contract inferred by `archguard init` from the code as it is.",
        "# `archguard check` passes on today's code and fails on what changes its architecture.",
        "# It is a starting point: rename components, merge them, tighten the rules, and delete",
        "# what your team does not mean to keep. Every key is described in archguard's docs/contract.md.",
        "",
        "[project]",
    ]
    if inference.contract_root != ".":
        out.append(f"root = {toml_string(inference.contract_root)}")
    out.append(f"roots = {toml_list(inference.roots)}")
    if inference.packages_given:
        out.append(f"packages = {toml_list(inference.packages)}")
    else:
        out.append(f"# packages: every package found under the roots ({', '.join(inference.packages)})")
    if inference.left_out:
        out.append("# Left out: not the library (add a package to `packages`, and its folder to `roots`, to check it too).")
        width = max(len(item.path) for item in inference.left_out)
        out += [f"#   {item.path.ljust(width)}  {item.why}" for item in inference.left_out]
    if inference.excluded:
        out.append("# Files archguard cannot analyse today; fix them, then remove them from this list.")
        out.append("exclude = [")
        for path, why in inference.excluded:
            out.append(f"    {toml_string(path)},  # {' '.join(why.split())}")  # a comment is one line
        out.append("]")

    out += ["", f"# Components: the packages {depth_text}."]
    if any(c.exact for c in inference.components):
        out.append('# "pkg:*" is the module pkg alone (its subpackages are components of their own).')
    if any(c.public for c in inference.components):
        out.append("# public: the only modules that other components import today (see inferred-boundaries).")
    out.append("[components]")
    width = max(len(c.name) for c in inference.components)
    body = []
    for component in inference.components:
        value = f"{{ modules = {toml_list(component.patterns)}"
        if component.public:
            value += f", public = {toml_list(component.public)}"
        value += " }"
        body.append((f"{component.name.ljust(width)} = {value}", _plural(len(component.modules), "module")))
    value_width = max(len(line) for line, _ in body)
    out += [f"{line.ljust(value_width)}  # {comment}" for line, comment in body]

    out += _render_layers(inference)
    out += _render_boundaries(inference)
    out += _render_allowed(inference)
    if len(inference.components) >= 2:  # with one component there is no cycle to find
        out += [
            "",
            "# No import cycle between components"
            + (" beyond the ones frozen at the end of this file." if inference.layering.cycles else "."),
            "[[rules]]",
            'kind = "acyclic"',
            f'name = "{ACYCLIC_RULE}"',
            'scope = "components"',
        ]
        if _type_checking_between_components(inference):
            out.append("exclude_type_checking = true  # an import for type checking only closes no cycle at run time")
    if inference.baselined:
        within = inference.baselined_within
        across = inference.baselined - within
        out += [
            "",
            f"# Duplicated code: {_plural(inference.baselined, 'clone finding')} of today's code ({across} across",
            f"# components, {within} inside one) are frozen in the baseline file (archguard-baseline.json),",
            "# so the first check shows only new copies: a copy across components fails the check, one",
            "# inside a component is a warning. Remove copies, then `archguard baseline --prune`.",
            "[duplication]",
            'cross_component = "error"',
            'within_component = "warning"',
        ]
    out += ["", "# New code must belong to a component.", "[drift]", 'unmapped = "error"']
    if not inference.imports:
        out += ['vacuous = "warning"  # today\'s code holds no import: nothing to check yet; set "error" once it does']
    out += _render_frozen(inference)
    return "\n".join(out) + "\n"


def _render_layers(inference: Inference) -> list[str]:
    layering = inference.layering
    out = [""]
    if layering.cycles:
        out.append("# Cycles: these components import each other, so no layering holds them all.")
        if inference.group_cycles:
            out.append("# Each cycle shares one layer below. To break it, resolve these imports (the fewest that close it):")
        else:
            out.append("# The layers below leave out these imports (the fewest that close the cycles); they are")
            out.append("# frozen at the end of this file. Resolve them (move the shared code down, or invert the")
            out.append("# import), then delete their [[ignore]] entries.")
        for number, members in enumerate(layering.cycles, start=1):
            out.append(f"#   cycle {number}: {', '.join(members)}")
            for source, target in layering.cut:
                if source in members and target in members:
                    dependency = inference.dependency(source, target)
                    sites = tuple(site for site in dependency.sites if counts_for_layering(site)) if dependency else ()
                    out.append(f"#     {source} -> {target}: {_plural(len(sites), 'import')}")
                    out += _site_comments(sites, "      ")
    if layering.cycles:
        out.append("")
    not_layered = _render_not_layered(inference)
    if not_layered:
        out += [*not_layered, ""]
    if len(layering.layers) < 2:
        out.append("# No layers rule: the components do not form two or more layers.")
        return out
    out.append("# Layers, top to bottom: a component may import the components in the layers below its own.")
    if any(len(layer) > 1 for layer in layering.layers):
        out.append('# "a : b" puts components in one layer; they may import each other.')
    if layering.unlayered:
        out.append(f"# Not layered (no dependency either way today): {', '.join(layering.unlayered)}.")
    out += ["[[rules]]", 'kind = "layers"', f'name = "{LAYERS_RULE}"']
    if _type_checking_between_components(inference):
        out.append("exclude_type_checking = true  # imports for type checking only do not pin the layers")
    out.append("layers = [")
    out += [f"    {toml_string(' : '.join(layer))}," for layer in layering.layers]
    out.append("]")
    return out


def _type_checking_between_components(inference: Inference) -> bool:
    return any(site.type_checking for dependency in inference.dependencies for site in dependency.sites)


def _render_not_layered(inference: Inference) -> list[str]:
    """The dependencies that exist only through imports that do not count for layering."""
    if not inference.not_layered:
        return []
    out = [
        "# Left out of the layers and cycles: these dependencies exist only in imports for type",
        "# checking (inside `if TYPE_CHECKING:`), which do not run, or inside",
        "# `if __name__ == \"__main__\":` blocks (demo or script code).",
    ]
    for dependency in inference.not_layered:
        out.append(f"#   {dependency.source} -> {dependency.target}: {_plural(len(dependency.sites), 'import')}")
        out += _site_comments(dependency.sites, "    ")
    return out


def _render_boundaries(inference: Inference) -> list[str]:
    guarded = [c.name for c in inference.components if c.public]
    if not guarded:
        return []
    return [
        "",
        "# Other components may import only the public modules of these components.",
        "[[rules]]",
        'kind = "boundaries"',
        f'name = "{BOUNDARIES_RULE}"',
        f"components = {toml_list(guarded)}",
    ]


def _render_allowed(inference: Inference) -> list[str]:
    out = [
        "",
        "# Today's dependencies between components, exactly: a new one fails the check until it is",
        "# added here (in the same change, so reviewers see it).",
        "[[rules]]",
        'kind = "allowed"',
        f'name = "{ALLOWED_RULE}"',
        "[rules.allow]",
    ]
    targets: dict[str, list[str]] = {c.name: [] for c in inference.components}
    demo_only = []
    for dependency in inference.dependencies:
        if all(site.main for site in dependency.sites):
            demo_only.append(dependency)  # the rule leaves these imports out: allowing it would be stale at once
        else:
            targets[dependency.source].append(dependency.target)
    if inference.externals:
        out[3:3] = [
            "# Third-party packages the components import today (not checked by this rule; a",
            '# "forbidden" rule with to = ["external:NAME"] keeps one out of a component):',
            *(f"#   {name}: {', '.join(packages)}" for name, packages in inference.externals.items()),
        ]
    width = max(len(name) for name in targets)
    out += [f"{name.ljust(width)} = {toml_list(sorted(allowed))}" for name, allowed in targets.items()]
    if demo_only:
        out += [
            "# Not allowed above: these dependencies exist only inside `if __name__ == \"__main__\":`",
            "# blocks (demo or script code), which every rule leaves out by default:",
        ]
        for dependency in demo_only:
            out.append(f"#   {dependency.source} -> {dependency.target}: {_plural(len(dependency.sites), 'import')}")
    return out


def _render_frozen(inference: Inference) -> list[str]:
    if not inference.frozen:
        return []
    count = len(inference.frozen)
    out = [
        "",
        f"# Frozen: what today's code breaks in the rules above ({count} {'entry' if count == 1 else 'entries'}).",
        "# Each entry silences one import (or, for a cycle, one dependency between components) for",
        "# one rule. Resolve them and delete their entries; archguard warns about an entry that no",
        "# longer matches any import.",
    ]
    groups: dict[tuple[str, str, str], list[FrozenImport]] = {}
    for frozen in inference.frozen:
        groups.setdefault((frozen.rule, frozen.source, frozen.target), []).append(frozen)
    order = {LAYERS_RULE: 0, ACYCLIC_RULE: 2}
    for rule, source, target in sorted(groups, key=lambda key: (order.get(key[0], 1), key)):
        entries = groups[(rule, source, target)]
        sites = sum(len(e.sites) for e in entries)
        heading = f"{rule}: {source} -> {target}" if source and target else rule
        out += ["", f"# {heading} ({_plural(sites, 'import')})"]
        for frozen in entries:
            where = ""
            if frozen.sites:
                where = f"  # {frozen.sites[0].path}:{frozen.sites[0].line}"
                if len(frozen.sites) > 1:
                    where += f" and {len(frozen.sites) - 1} more"
            out += [
                "[[ignore]]",
                f"import = {toml_string(f'{frozen.importer} -> {frozen.imported}')}{where}",
                f"rule = {toml_string(frozen.rule)}",
                f"reason = {toml_string(FROZEN_REASON)}",
            ]
    return out
