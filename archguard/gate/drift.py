"""Drift: the declared architecture against the actual one (the reflexion model), and coupling.

For each component dependency:

- **convergent**: declared (an ``allowed`` entry) or permitted (a higher layer on a lower one)
  and present in the code, with the number of import sites;
- **divergent**: present and not allowed: the violations of the dependency rules, grouped by
  component pair;
- **absent**: declared in an ``allowed`` rule and used by no code (the contract is stale);
- **unconstrained**: present, and no rule says anything about it;

plus the **unmapped** modules, which belong to no component. Coupling per component (fan-in,
fan-out, instability, after Robert C. Martin) comes from :mod:`archguard.analysis.coupling`, counted on
the same component graph.

Everything here returns plain data (:class:`ArchitectureReport` and its ``to_json``), so the
text, JSON and HTML renderers draw the same facts.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from typing import Any

from archguard import __version__
from archguard.analysis.coupling import Coupling, coupling_metrics
from archguard.engine.pipeline import Analysis, CheckResult
from archguard.findings import Finding, sort_findings
from archguard.rules.absent import declared_dependencies

DEPENDENCY_RULES = frozenset({"layers", "boundaries", "allowed", "forbidden", "independent", "acyclic"})
REPORT_SCHEMA = "archguard-architecture/1"


@dataclass(frozen=True)
class Dependency:
    """One component -> component dependency, as declared and as found."""

    source: str
    target: str
    sites: int  # import sites in the code (0: absent)
    modules: int  # module -> module edges behind those sites
    declared_by: tuple[str, ...] = ()  # rules that declare or permit it
    violations: int = 0  # findings of dependency rules on it
    rules: tuple[str, ...] = ()  # the rules those findings come from
    indirect: bool = False  # violated only through chains of imports (no direct import site)

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "target": self.target,
            "sites": self.sites,
            "modules": self.modules,
            "declared_by": list(self.declared_by),
            "violations": self.violations,
            "rules": list(self.rules),
            "indirect": self.indirect,
        }


def coupling_json(coupling: Coupling) -> dict[str, Any]:
    instability = coupling.instability
    return {
        "component": coupling.component,
        "modules": coupling.modules,
        "fan_in": coupling.fan_in,
        "fan_out": coupling.fan_out,
        "instability": None if instability is None else round(instability, 2),
        "imports_in": coupling.imports_in,
        "imports_out": coupling.imports_out,
    }


@dataclass(frozen=True)
class Unmapped:
    """A module that no component claims."""

    module: str
    path: str | None

    def to_json(self) -> dict[str, Any]:
        return {"module": self.module, "path": self.path}


@dataclass(frozen=True)
class Reflexion:
    """The reflexion model: declared dependencies against the ones the code has."""

    convergences: tuple[Dependency, ...]
    divergences: tuple[Dependency, ...]
    absences: tuple[Dependency, ...]
    unconstrained: tuple[Dependency, ...]
    unmapped: tuple[Unmapped, ...]
    absent_level: str  # [drift] absent
    unmapped_level: str  # [drift] unmapped

    def to_json(self) -> dict[str, Any]:
        return {
            "convergences": [d.to_json() for d in self.convergences],
            "divergences": [d.to_json() for d in self.divergences],
            "absences": [d.to_json() for d in self.absences],
            "unconstrained": [d.to_json() for d in self.unconstrained],
            "unmapped": [u.to_json() for u in self.unmapped],
            "levels": {"absent": self.absent_level, "unmapped": self.unmapped_level},
        }


@dataclass(frozen=True)
class ComponentSummary:
    """A component as the architecture report lists it."""

    name: str
    modules: int
    description: str | None

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "modules": self.modules, "description": self.description}


@dataclass(frozen=True)
class ArchitectureReport:
    """Everything ``archguard report`` shows, as plain data."""

    contract: str
    files: int
    modules: int
    imports: int
    components: tuple[ComponentSummary, ...]
    reflexion: Reflexion
    coupling: tuple[Coupling, ...]
    findings: tuple[Finding, ...]
    rules: tuple[tuple[str, str, str, int], ...]  # (name, kind, severity, findings)
    accepted: tuple[Finding, ...] = ()  # findings the baseline accepts: not failures
    baseline: str | None = None  # the baseline file that accepted them

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity == "error")

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": REPORT_SCHEMA,
            "archguard": __version__,
            "contract": self.contract,
            "summary": {
                "verdict": "fail" if self.errors else "pass",
                "errors": self.errors,
                "warnings": len(self.findings) - self.errors,
                "accepted": len(self.accepted),
                "files": self.files,
                "modules": self.modules,
                "imports": self.imports,
                "components": len(self.components),
                "convergences": len(self.reflexion.convergences),
                "divergences": len(self.reflexion.divergences),
                "absences": len(self.reflexion.absences),
                "unmapped": len(self.reflexion.unmapped),
            },
            "components": [c.to_json() for c in self.components],
            "reflexion": self.reflexion.to_json(),
            "coupling": [coupling_json(c) for c in self.coupling],
            "rules": [{"name": n, "kind": k, "severity": s, "findings": c} for n, k, s, c in self.rules],
            "findings": [f.to_json() for f in self.findings],
            "accepted": {"baseline": self.baseline, "findings": [f.to_json() for f in self.accepted]},
        }


def component_edges(analysis: Analysis) -> dict[tuple[str, str], tuple[int, int]]:
    """(source, target) -> (import sites, module edges) for every component dependency in the
    code: recalled with the evaluation when it was (the module graph is then not built for them)."""
    return analysis.edges_between_components()


def coupling(analysis: Analysis) -> list[Coupling]:
    """Fan-in, fan-out and instability of every component, in contract order (:mod:`archguard.analysis.coupling`)."""
    sites = {pair: count for pair, (count, _modules) in component_edges(analysis).items()}
    counts = {name: len(analysis.components.modules_of.get(name, ())) for name in analysis.components.order}
    return coupling_metrics(sites, counts, analysis.components.order)


def _violated_edges(result: CheckResult) -> dict[tuple[str, str], list[Finding]]:
    component_of = result.analysis.components.component_of
    edges: dict[tuple[str, str], list[Finding]] = defaultdict(list)

    def component(module: str | None) -> str | None:
        if module is None:
            return None
        return component_of.get(module) or (module if module.startswith("external:") else None)

    for finding in result.findings:
        if finding.rule not in DEPENDENCY_RULES:
            continue
        pairs: set[tuple[str | None, str | None]] = set()
        if finding.kind == "cycle":
            pairs = {(component(hop.importer), component(hop.imported)) for hop in finding.chain}
        else:
            pairs = {(component(finding.importer), component(finding.imported))}
        for source, target in pairs:
            if source is not None and target is not None and source != target:
                edges[(source, target)].append(finding)
    return edges


def reflexion(result: CheckResult) -> Reflexion:
    """The reflexion model of one checked tree."""
    analysis = result.analysis
    contract = analysis.loaded.contract
    present = component_edges(analysis)
    declared: dict[tuple[str, str], list[str]] = defaultdict(list)
    explicit: set[tuple[str, str]] = set()
    for entry in declared_dependencies(contract):
        names = declared[(entry.source, entry.target)]
        if entry.rule_name not in names:
            names.append(entry.rule_name)
        if entry.explicit:
            explicit.add((entry.source, entry.target))
    violated = _violated_edges(result)

    def dependency(pair: tuple[str, str]) -> Dependency:
        sites, modules = present.get(pair, (0, 0))
        findings = violated.get(pair, [])
        return Dependency(
            source=pair[0],
            target=pair[1],
            sites=sites,
            modules=modules,
            declared_by=tuple(declared.get(pair, ())),
            violations=len(findings),
            rules=tuple(sorted({f.rule_name for f in findings})),
            indirect=bool(findings) and sites == 0 and all(f.kind == "indirect" for f in findings),
        )

    convergences = [dependency(p) for p in sorted(present) if p in declared]
    divergences = [dependency(p) for p in sorted(violated)]
    absences = [dependency(p) for p in sorted(explicit) if p not in present] if contract.drift.absent != "off" else []
    unconstrained = [dependency(p) for p in sorted(present) if p not in declared and p not in violated]
    paths = analysis.paths
    unmapped = []
    if contract.components and contract.drift.unmapped != "off":
        unmapped = [Unmapped(m, paths.get(m)) for m in analysis.components.unmapped]
    return Reflexion(
        convergences=tuple(convergences),
        divergences=tuple(divergences),
        absences=tuple(absences),
        unconstrained=tuple(unconstrained),
        unmapped=tuple(unmapped),
        absent_level=contract.drift.absent,
        unmapped_level=contract.drift.unmapped,
    )


def architecture_report(result: CheckResult) -> ArchitectureReport:
    """The full architecture report of a checked tree: components, reflexion model, coupling,
    findings (one per clone group, as `check` counts them)."""
    from archguard.rules.duplication import one_per_group

    analysis = result.analysis
    contract = analysis.loaded.contract
    findings = one_per_group(result.findings)
    per_rule = Counter(f.rule_name for f in findings)
    accepted = result.baseline.accepted if result.baseline is not None else ()
    return ArchitectureReport(
        contract=analysis.loaded.display_path,
        files=analysis.stats.files,
        modules=analysis.stats.modules,
        imports=analysis.stats.imports,
        components=tuple(
            ComponentSummary(name, len(analysis.components.modules_of.get(name, ())), config.description)
            for name, config in contract.components.items()
        ),
        # The architecture as it is: accepted findings are still divergences.
        reflexion=reflexion(replace(result, findings=sort_findings([*result.findings, *accepted])) if accepted else result),
        coupling=tuple(coupling(analysis)),
        findings=tuple(findings),
        rules=tuple((rule.name, rule.kind, rule.severity, per_rule.get(rule.name, 0)) for rule in result.rules),
        accepted=tuple(accepted),
        baseline=result.baseline.path if result.baseline is not None else None,
    )
