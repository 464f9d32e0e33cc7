"""Why one dependency is or is not allowed (``archguard explain A B``).

Two questions, answered from the contract and from the code:

- **May A depend on B?** Every rule of the contract that has an opinion about A -> B gives
  its decision (allows, restricts, forbids) with the reason and the rule's rationale (its
  documented *Why* and *Fix*); A may depend on B when no rule forbids it. A dependency that
  every layers rule allows but that lies on a cycle is *on a cycle* for the ``acyclic`` rule,
  not forbidden by it: the answer names the rule that allows it, the cycle, and the import
  that closes the cycle (the one a layers rule forbids).
- **Does A depend on B today?** Every import site from A into B, and the shortest chains
  through other modules (one per first import), each hop with file:line; for each, what
  decides it: the findings ``archguard check`` reports, the pragmas that suppress them, the
  ``[[ignore]]`` entries and import filters that leave the import out of a rule.

The answer comes from the same check that ``archguard check`` runs, so the two never disagree.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import Any, Literal

from archguard.analysis.graph import component_graph, indirect_chains, shortest_chain
from archguard.analysis.resolve import EXTERNAL, ImportSite
from archguard.base.errors import UsageError
from archguard.contract.models import AcyclicRule as AcyclicConfig
from archguard.contract.models import AllowedRule as AllowedConfig
from archguard.contract.models import BoundariesRule as BoundariesConfig
from archguard.contract.models import ForbiddenRule as ForbiddenConfig
from archguard.contract.models import IndependentRule as IndependentConfig
from archguard.contract.models import LayersRule as LayersConfig
from archguard.contract.patterns import ModulePattern, PatternError
from archguard.contract.validate import parse_layer
from archguard.engine.pipeline import CheckResult
from archguard.findings import Finding, Hop
from archguard.rules.base import Rule, RuleContext
from archguard.rules.boundaries import is_public

SCHEMA = "archguard-explain/1"
MAX_CHAINS = 5
Decision = Literal["allows", "restricts", "forbids", "on-cycle"]
DECISION_ORDER = {"forbids": 0, "on-cycle": 1, "restricts": 2, "allows": 3}


@dataclass(frozen=True)
class Party:
    """One side of the question, as the user named it and as archguard resolved it."""

    text: str
    kind: str  # "component" | "modules" | "external"
    modules: tuple[str, ...]  # graph nodes (modules, or one external:NAME node)
    components: tuple[str, ...]  # components those modules belong to

    def to_json(self) -> dict[str, Any]:
        return {"name": self.text, "kind": self.kind, "modules": list(self.modules), "components": list(self.components)}

    def describe(self, limit: int = 4) -> str:
        shown = ", ".join(self.modules[:limit]) + (", ..." if len(self.modules) > limit else "")
        count = f"{len(self.modules)} module{'s' * (len(self.modules) != 1)}"
        if self.kind == "component":
            return f"component {self.text} ({count}: {shown})"
        if self.kind == "external":
            return f"third-party package {self.text.removeprefix(EXTERNAL)}"
        where = f"; component {', '.join(self.components)}" if self.components else "; in no component"
        return f"{count} ({shown}{where})"


@dataclass(frozen=True)
class Opinion:
    """One rule's decision about the dependency."""

    rule: str  # the rule's name in reports
    kind: str
    decision: Decision
    reason: str
    indirect: bool  # whether the rule also counts chains through other modules
    severity: str = "error"
    why: str = ""
    fix: str = ""
    description: str = ""
    cycle: tuple[str, ...] = ()  # on-cycle: the cycle's components, from the source round to it again
    closing: tuple[Hop, ...] = ()  # on-cycle: the imports that close the cycle (one per closing dependency)

    def to_json(self) -> dict[str, Any]:
        data = {
            "rule": self.rule,
            "kind": self.kind,
            "decision": self.decision,
            "reason": self.reason,
            "counts_indirect": self.indirect,
            "severity": self.severity,
            "why": self.why,
            "fix": self.fix,
            "description": self.description,
        }
        if self.decision == "on-cycle":
            data["cycle"] = list(self.cycle)
            data["closing_imports"] = [hop.to_json() for hop in self.closing]
        return data


@dataclass(frozen=True)
class Ruling:
    """What decides one import site or chain: a finding, a pragma, an ignore entry, a filter."""

    verdict: Literal["reported", "suppressed", "ignored", "not-counted"]
    rule: str
    detail: str
    remedy: str = ""  # of a reported finding

    def to_json(self) -> dict[str, Any]:
        return {"verdict": self.verdict, "rule": self.rule, "detail": self.detail, "remedy": self.remedy or None}


@dataclass(frozen=True)
class Dependency:
    """A direct import site (one hop) or a chain of imports, and what decides it."""

    hops: tuple[Hop, ...]
    flags: tuple[str, ...] = ()  # of a direct import site
    rulings: tuple[Ruling, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"hops": [hop.to_json() for hop in self.hops], "flags": list(self.flags), "rulings": [r.to_json() for r in self.rulings]}


@dataclass(frozen=True)
class Explanation:
    source: Party
    target: Party
    opinions: tuple[Opinion, ...]
    silent: tuple[tuple[str, str, str], ...]  # (rule, kind, why it has no opinion)
    direct: tuple[Dependency, ...]
    chains: tuple[Dependency, ...]
    more_chains: int = 0  # chains found but not shown
    notes: tuple[str, ...] = field(default=())

    @property
    def allowed(self) -> bool:
        return not any(o.decision == "forbids" for o in self.opinions)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "source": self.source.to_json(),
            "target": self.target.to_json(),
            "verdict": "allowed" if self.allowed else "forbidden",
            "rules": [o.to_json() for o in self.opinions],
            "no_opinion": [{"rule": r, "kind": k, "reason": why} for r, k, why in self.silent],
            "today": {
                "direct": [d.to_json() for d in self.direct],
                "indirect": [d.to_json() for d in self.chains],
                "indirect_not_shown": self.more_chains,
            },
            "notes": list(self.notes),
        }


# -- resolving names ----------------------------------------------------------------------------


def _context(result: CheckResult) -> RuleContext:
    analysis = result.analysis
    contract = analysis.loaded.contract
    return RuleContext(
        contract=contract,
        graph=analysis.graph,
        components=analysis.components,
        facts=analysis.facts,
        paths=analysis.paths,
        discovery_problems=analysis.discovery.problems,
        ignores=RuleContext.compile_ignores(contract),
    )


def resolve_party(ctx: RuleContext, text: str, *, target: bool) -> Party:
    """A component name, a module (and everything under it), a pattern, or ``external:NAME``."""
    text = text.strip()
    if text.startswith(EXTERNAL):
        if not target:
            raise UsageError(f"{text!r}: a third-party package can only be the second name (what is imported)")
        name = text[len(EXTERNAL) :].split(".")[0]
        if not name:
            raise UsageError("expected a package name after 'external:'")
        return Party(EXTERNAL + name, "external", (EXTERNAL + name,), ())
    if text in ctx.contract.components:
        modules = tuple(sorted(ctx.modules_of(text)))
        return Party(text, "component", modules, (text,))
    pattern_text = text.removeprefix("module:")
    try:
        pattern = ModulePattern.parse(pattern_text)
    except PatternError as error:
        raise UsageError(str(error)) from None
    modules = tuple(sorted(m for m in ctx.paths if pattern.covers(m)))
    if not modules:
        candidates = sorted(ctx.contract.components) + sorted(ctx.paths)
        close = difflib.get_close_matches(text, candidates, n=3)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        raise UsageError(f"{text!r} is neither a component of the contract nor an analysed module{hint}")
    components = tuple(sorted({c for m in modules if (c := ctx.component_of(m)) is not None}))
    return Party(pattern_text, "modules", modules, components)


# -- the rules' opinions ------------------------------------------------------------------------


def _pairs(source: Party, target: Party) -> list[tuple[str, str]]:
    return [(s, t) for s in source.components for t in target.components if s != t]


def _unmapped(source: Party, target: Party) -> str | None:
    """Why a rule about components cannot judge: one side belongs to no component."""
    for party in (source, target):
        if not party.components:
            return f"{party.text} is {'a third-party package' if party.kind == 'external' else 'in no component'}"
    return None


def _limit(items: list[str], count: int = 3) -> str:
    return "; ".join(items[:count]) + (f"; and {len(items) - count} more" if len(items) > count else "")


def _layers(rule: Rule, ctx: RuleContext, source: Party, target: Party) -> tuple[Decision, str] | str:
    config: LayersConfig = rule.config
    if (why := _unmapped(source, target)) is not None:
        return why
    layers = [parse_layer(entry) for entry in config.layers]
    index = {component: i for i, layer in enumerate(layers) for component in layer.components}
    independent = {component for layer in layers if layer.independent for component in layer.components}
    forbidden, allowed = [], []
    for s, t in _pairs(source, target):
        if s not in index or t not in index:
            continue
        if index[s] > index[t]:
            forbidden.append(f"{s} (layer {index[s] + 1}) is below {t} (layer {index[t] + 1})")
        elif index[s] == index[t] and s in independent:
            forbidden.append(f"{s} and {t} are independent siblings in layer {index[s] + 1}")
        elif index[s] == index[t]:
            allowed.append(f"{s} and {t} share layer {index[s] + 1}, where components may import each other")
        else:
            allowed.append(f"{s} (layer {index[s] + 1}) is above {t} (layer {index[t] + 1})")
    if forbidden:
        return "forbids", _limit(forbidden)
    if allowed:
        return "allows", _limit(allowed)
    outside = sorted({c for c in (*source.components, *target.components) if c not in index})
    return f"{', '.join(outside)} {'is' if len(outside) == 1 else 'are'} in no layer" if outside else "the same component"


def _boundaries(rule: Rule, ctx: RuleContext, source: Party, target: Party) -> tuple[Decision, str] | str:
    config: BoundariesConfig = rule.config
    if target.kind == "external":
        return "third-party packages have no boundary"
    results: list[tuple[Decision, str]] = []
    for component in config.components:
        inside = [m for m in target.modules if ctx.component_of(m) == component]
        outsiders = [m for m in source.modules if ctx.component_of(m) != component]
        if not inside or not outsiders:
            continue
        patterns = [ModulePattern.parse(p) for p in ctx.contract.components[component].public]
        public_text = ", ".join(p.text for p in patterns) or "nothing"
        internal = [m for m in inside if not is_public(m, patterns)]
        if not internal:
            results.append(("allows", f"{', '.join(inside[:3])} {'is' if len(inside) == 1 else 'are'} public in {component}"))
        elif len(internal) < len(inside) or target.kind == "component":
            results.append(("restricts", f"only through {component}'s public modules ({public_text})"))
        else:
            verb = "is" if len(internal) == 1 else "are"
            results.append(("forbids", f"{', '.join(internal[:3])} {verb} internal to {component} (public: {public_text})"))
    if not results:
        if any(c in config.components for c in source.components) and set(target.components) <= set(source.components):
            return "inside the component"
        return f"{', '.join(target.components) or target.text} {'has' if len(target.components) <= 1 else 'have'} no boundary here"
    order = {"forbids": 0, "restricts": 1, "allows": 2}
    decision = min((d for d, _ in results), key=order.__getitem__)
    return decision, _limit([reason for _, reason in results])


def _allowed(rule: Rule, ctx: RuleContext, source: Party, target: Party) -> tuple[Decision, str] | str:
    config: AllowedConfig = rule.config
    if not source.components:
        return f"{source.text} is in no component"
    if target.kind != "external" and not target.components:
        return f"{target.text} is in no component"
    forbidden, allowed = [], []
    for s in source.components:
        if s not in config.allow:
            continue
        listed = config.allow[s]
        names = list(target.components) if target.kind != "external" else [target.text]
        if target.kind == "external" and (not config.include_external or ctx.is_stdlib(target.text)):
            continue
        for t in names:
            if t == s:
                continue
            if t in listed or t.removeprefix(EXTERNAL) in (x.removeprefix(EXTERNAL) for x in listed if x.startswith(EXTERNAL)):
                allowed.append(f"{t} is in allow.{s}")
            else:
                forbidden.append(f"{s} may depend on {', '.join(listed) or 'nothing'}, not on {t}")
    if forbidden:
        return "forbids", _limit(forbidden)
    if allowed:
        return "allows", _limit(allowed)
    unconstrained = [s for s in source.components if s not in config.allow]
    if unconstrained:
        return f"{', '.join(unconstrained)} {'is' if len(unconstrained) == 1 else 'are'} not listed (unconstrained)"
    return "third-party packages are not checked by this rule" if target.kind == "external" else "the same component"


def _forbidden(rule: Rule, ctx: RuleContext, source: Party, target: Party) -> tuple[Decision, str] | str:
    config: ForbiddenConfig = rule.config
    targets: set[str] = set()
    for entry in config.to:
        targets |= ctx.select(entry)
    if target.kind == "external":
        targets |= {EXTERNAL + e.removeprefix(EXTERNAL).split(".")[0] for e in config.to if e.startswith(EXTERNAL)}
    sources: set[str] = set()
    for entry in config.from_:
        sources |= ctx.select(entry)
    sources -= targets
    hit_sources = [m for m in source.modules if m in sources]
    hit_targets = [m for m in target.modules if m in targets]
    if hit_sources and hit_targets:
        return "forbids", f"{', '.join(config.from_)} must not depend on {', '.join(config.to)}"
    if not hit_sources:
        return f"{source.text} is not in its 'from' ({', '.join(config.from_)})"
    return f"{target.text} is not in its 'to' ({', '.join(config.to)})"


def _independent(rule: Rule, ctx: RuleContext, source: Party, target: Party) -> tuple[Decision, str] | str:
    config: IndependentConfig = rule.config
    pairs = [(s, t) for s, t in _pairs(source, target) if s in config.components and t in config.components]
    if pairs:
        return "forbids", _limit([f"{s} and {t} must be independent" for s, t in pairs])
    return "not between two of its components"


def _acyclic_graph(rule: Rule, ctx: RuleContext) -> tuple[Any, Any, dict[str, str]]:
    """(the rule's view of the module graph, its component graph, module -> node) for an acyclic rule."""
    config: AcyclicConfig = rule.config
    view = ctx.view_for(rule)
    if config.scope == "components":
        owner: dict[str, str] = {m: c for m, c in ctx.components.component_of.items() if c is not None}
    else:
        prefix = config.scope + "."
        owner = {m: prefix + m[len(prefix) :].split(".")[0] for m in ctx.paths if m.startswith(prefix)}
    return view, component_graph(view, owner), owner


def _acyclic(rule: Rule, ctx: RuleContext, source: Party, target: Party) -> tuple[Decision, str] | str:
    config: AcyclicConfig = rule.config
    _view, graph, owner = _acyclic_graph(rule, ctx)
    starts = sorted({owner[m] for m in source.modules if m in owner})
    ends = sorted({owner[m] for m in target.modules if m in owner})
    pairs = [(s, t) for s in starts for t in ends if s != t]
    if not pairs:
        return "not between two of its components" if config.scope == "components" else f"not between two children of {config.scope}"
    closing = []
    for s, t in pairs:
        back = shortest_chain(graph, t, s)
        if back is not None:
            closing.append(f"{' -> '.join(back)} exists, so {s} -> {t} {'closes' if graph.has_edge(s, t) else 'would close'} a cycle")
    if closing:
        return "forbids", _limit(closing)
    return "allows", _limit([f"{t} does not depend on {s}" for s, t in pairs])


OPINIONS = {
    "layers": _layers,
    "boundaries": _boundaries,
    "allowed": _allowed,
    "forbidden": _forbidden,
    "independent": _independent,
    "acyclic": _acyclic,
}


def opinions(ctx: RuleContext, rules: list[Rule], source: Party, target: Party) -> tuple[list[Opinion], list[tuple[str, str, str]]]:
    """Each contract rule's decision about source -> target, and the rules without one (with why)."""
    found: list[Opinion] = []
    silent: list[tuple[str, str, str]] = []
    for rule in rules:
        judge = OPINIONS.get(rule.kind)
        if judge is None:
            continue
        answer = judge(rule, ctx, source, target)
        if isinstance(answer, str):
            silent.append((rule.name, rule.kind, answer))
            continue
        decision, reason = answer
        doc = type(rule).doc()
        found.append(
            Opinion(
                rule=rule.name,
                kind=rule.kind,
                decision=decision,
                reason=reason,
                indirect=rule.kind in ("layers", "forbidden", "independent") and not getattr(rule.config, "allow_indirect", False),
                severity=rule.severity,
                why=doc.why,
                fix=doc.fix,
                description=rule.description or "",
            )
        )
    found = _cycles_elsewhere(ctx, rules, found, source, target)
    found.sort(key=lambda o: DECISION_ORDER[o.decision])
    return found, silent


def _component_party(ctx: RuleContext, component: str) -> Party:
    return Party(component, "component", tuple(sorted(ctx.modules_of(component))), (component,))


def _cycles_elsewhere(ctx: RuleContext, rules: list[Rule], found: list[Opinion], source: Party, target: Party) -> list[Opinion]:
    """An acyclic rule "forbids" a dependency that closes a cycle; when every layers rule with an
    opinion allows that dependency, the cycle is the problem, not the dependency: the acyclic
    opinion becomes "on-cycle", naming the cycle and the imports that close it."""
    layers = [o for o in found if o.kind == "layers"]
    if not layers or any(o.decision != "allows" for o in layers):
        return found
    layer_rules = [r for r in rules if r.kind == "layers" and r.name in {o.rule for o in layers}]
    by_name = {rule.name: rule for rule in rules}
    changed = []
    for opinion in found:
        rule = by_name.get(opinion.rule)
        if opinion.kind != "acyclic" or opinion.decision != "forbids" or rule is None:
            changed.append(opinion)
            continue
        cycle = _cycle_through(ctx, rule, layer_rules, source, target)
        if cycle is None:
            changed.append(opinion)
            continue
        members, closing, reason = cycle
        allowing = ", ".join(o.rule for o in layers)
        text = f"{source.text} -> {target.text} is allowed by {allowing}; it lies on the cycle {' -> '.join(members)}, and {reason}"
        changed.append(replace(opinion, decision="on-cycle", reason=text, cycle=members, closing=closing))
    return changed


def _cycle_through(
    ctx: RuleContext, rule: Rule, layer_rules: list[Rule], source: Party, target: Party
) -> tuple[tuple[str, ...], tuple[Hop, ...], str] | None:
    """The shortest cycle through source -> target in the acyclic rule's graph, the imports that
    close it (the dependencies on its way back that a layers rule forbids), and a sentence."""
    view, graph, owner = _acyclic_graph(rule, ctx)
    for s in sorted({owner[m] for m in source.modules if m in owner}):
        for t in sorted({owner[m] for m in target.modules if m in owner}):
            back = shortest_chain(graph, t, s) if s != t else None
            if back is None:
                continue
            members = (s, *back)
            closing: list[tuple[str, str, str, Hop | None]] = []  # (from, to, the layers rule's reason, first import)
            for a, b in pairwise(back):
                for layer_rule in layer_rules:
                    answer = _layers(layer_rule, ctx, _component_party(ctx, a), _component_party(ctx, b))
                    if isinstance(answer, tuple) and answer[0] == "forbids":
                        closing.append((a, b, f"{layer_rule.name} forbids it: {answer[1]}", _first_import(view, graph, a, b)))
                        break
            if closing:
                parts = [
                    f"{a} -> {b} closes it ({why})" + (f", at {hop.path}:{hop.line} `{hop.text}`" if hop and hop.path else "")
                    for a, b, why, hop in closing
                ]
                reason = "; ".join(parts) + ": resolve that import, not this one"
            else:
                hops = [f"{a} -> {b}" for a, b in pairwise(back)]
                reason = f"no layers rule says which of {', '.join(hops)} goes against the layers"
            return members, tuple(hop for *_, hop in closing if hop is not None), reason
    return None


def _first_import(view: Any, graph: Any, a: str, b: str) -> Hop | None:
    """The first import (by file and line) of the dependency between two nodes of a component graph."""
    sites = [site for importer, imported in graph.edges[a, b]["edges"] for site in view.edges[importer, imported].get("sites", ())]
    if not sites:
        return None
    return Hop.from_site(min(sites, key=lambda site: (site.path, site.line, site.column)))


# -- what the code does today --------------------------------------------------------------------


def _filters(config: Any, ctx: RuleContext) -> list[tuple[str, str]]:
    found = [
        (flag, option)
        for flag, option in (("type_checking", "exclude_type_checking"), ("dynamic", "exclude_dynamic"), ("lazy", "exclude_lazy"))
        if getattr(config, option, False)
    ]
    if ctx.excludes_main(config):
        found.append(("main", "exclude_main"))
    return found


def _rulings_for_edge(
    ctx: RuleContext, rules: list[Rule], deciding: set[str], site: ImportSite | None, importer: str, imported: str
) -> Iterator[Ruling]:
    """Ignore entries and import filters that leave this import out of a deciding rule."""
    for rule in rules:
        if rule.name not in deciding:
            continue
        for ignore in ctx.ignores:
            if ignore.applies_to(rule) and ignore.matches(importer, imported):
                entry = f"ignore[{ignore.index}] '{ignore.importer.text} -> {ignore.imported.text}'"
                yield Ruling("ignored", rule.name, f"{entry}: {ignore.reason}")
        if site is not None:
            for flag, option in _filters(rule.config, ctx):
                if not getattr(site, flag):
                    continue
                if flag == "main" and getattr(rule.config, option, None) is None:
                    yield Ruling("not-counted", rule.name, 'imports in an `if __name__ == "__main__":` block are left out by default (exclude_main)')
                else:
                    yield Ruling("not-counted", rule.name, f"{option} = true leaves out this {flag.replace('_', '-')} import")


def _same_site(finding: Finding, site: ImportSite) -> bool:
    where = (finding.path, finding.line, finding.importer, finding.import_text)
    return where == (site.path, site.line, site.importer, site.text) and not finding.chain


def explain(result: CheckResult, source_text: str, target_text: str, *, max_chains: int = MAX_CHAINS) -> Explanation:
    """The explanation of source -> target under ``result``'s contract, on ``result``'s code."""
    ctx = _context(result)
    source = resolve_party(ctx, source_text, target=False)
    target = resolve_party(ctx, target_text, target=True)
    overlap = set(source.modules) & set(target.modules)
    if overlap:
        raise UsageError(f"{source.text!r} and {target.text!r} overlap ({', '.join(sorted(overlap)[:3])}); name two separate parts")
    found, silent = opinions(ctx, result.rules, source, target)
    deciding = {o.rule for o in found if o.decision != "allows"}
    graph = result.analysis.graph.graph
    suppressed = result.suppressed

    direct: list[Dependency] = []
    targets = set(target.modules)
    for importer in source.modules:
        if importer not in graph:
            continue
        for imported in sorted(graph.successors(importer)):
            if imported not in targets:
                continue
            for site in graph.edges[importer, imported]["sites"]:
                rulings = [
                    Ruling("reported", f.rule_name, f.message, f.remedy or "")
                    for f in result.findings
                    if _same_site(f, site) and f.imported == imported
                ]
                rulings += [
                    Ruling("suppressed", s.finding.rule_name, f"{s.source}: {s.reason or 'no reason given'}")
                    for s in suppressed
                    if _same_site(s.finding, site) and s.finding.imported == imported
                ]
                rulings += _rulings_for_edge(ctx, result.rules, deciding, site, importer, imported)
                direct.append(Dependency(hops=(Hop.from_site(site),), flags=site.flags, rulings=tuple(rulings)))

    all_chains = indirect_chains(graph, source.modules, targets)
    all_chains.sort(key=lambda chain: (len(chain), chain))
    chains: list[Dependency] = []
    for chain in all_chains[:max_chains]:
        hops = tuple(Hop.from_site(graph.edges[a, b]["sites"][0]) for a, b in pairwise(chain))
        def follows(finding: Finding, chain: list[str] = chain) -> bool:
            if not finding.chain or finding.importer != chain[0]:
                return False
            return finding.imported in targets and finding.chain[0].imported == chain[1]

        rulings = [Ruling("reported", f.rule_name, f.message, f.remedy or "") for f in result.findings if follows(f)]
        rulings += [
            Ruling("suppressed", s.finding.rule_name, f"{s.source}: {s.reason or 'no reason given'}")
            for s in suppressed
            if follows(s.finding)
        ]
        for a, b in pairwise(chain):
            rulings += _rulings_for_edge(ctx, result.rules, deciding, None, a, b)
        chains.append(Dependency(hops=hops, rulings=tuple(rulings)))

    notes = []
    unmapped = [m for m in (*source.modules, *target.modules) if not m.startswith(EXTERNAL) and ctx.component_of(m) is None]
    if unmapped:
        one = len(unmapped) == 1
        notes.append(
            f"{', '.join(unmapped[:3])} {'is' if one else 'are'} in no component: component rules cannot judge {'it' if one else 'them'}"
        )
    return Explanation(
        source=source,
        target=target,
        opinions=tuple(found),
        silent=tuple(silent),
        direct=tuple(direct),
        chains=tuple(chains),
        more_chains=max(0, len(all_chains) - max_chains),
        notes=tuple(notes),
    )


# -- rendering -------------------------------------------------------------------------------------

MARKS = {"forbids": "✗", "restricts": "~", "allows": "✓", "on-cycle": "!"}


def _hop_lines(hops: tuple[Hop, ...], indent: str) -> list[str]:
    links = [f"{hop.importer} -> {hop.imported}" for hop in hops]
    places = [f"{hop.path}:{hop.line}" if hop.path else "" for hop in hops]
    link_width, place_width = max(map(len, links)), max(map(len, places))
    return [
        f"{indent}{link.ljust(link_width)}  {place.ljust(place_width)}  {hop.text}".rstrip()
        for link, place, hop in zip(links, places, hops, strict=True)
    ]


def _ruling_lines(rulings: tuple[Ruling, ...], indent: str, allowed_text: str) -> list[str]:
    if not rulings:
        return [f"{indent}✓ {allowed_text}"]
    marks = {"reported": "✗ reported by", "suppressed": "~ suppressed for", "ignored": "~ ignored by", "not-counted": "~ not counted by"}
    lines = []
    for ruling in rulings:
        lines.append(f"{indent}{marks[ruling.verdict]} {ruling.rule}: {ruling.detail}")
        if ruling.remedy:
            lines.append(f"{indent}  fix: {ruling.remedy}")
    return lines


def render_text(explanation: Explanation) -> str:
    e = explanation
    width = max(len(e.source.text), len(e.target.text)) + 1
    out = [
        f"archguard explain {e.source.text} -> {e.target.text}",
        f"  {(e.source.text + ':').ljust(width)} {e.source.describe()}",
        f"  {(e.target.text + ':').ljust(width)} {e.target.describe()}",
        "",
    ]
    forbidding = [o for o in e.opinions if o.decision == "forbids"]
    if forbidding:
        out.append(f"May {e.source.text} depend on {e.target.text}? No: forbidden by {len(forbidding)} rule{'s' * (len(forbidding) != 1)}.")
    elif e.opinions:
        restricted = any(o.decision == "restricts" for o in e.opinions)
        answer = f"May {e.source.text} depend on {e.target.text}? Yes{', through public modules only' if restricted else ''}"
        on_cycle = [o for o in e.opinions if o.decision == "on-cycle"]
        if on_cycle:
            allowing = sorted({o.rule for o in e.opinions if o.kind == "layers" and o.decision == "allows"})
            verb = "allows" if len(allowing) == 1 else "allow"
            answer += f" ({', '.join(allowing)} {verb} it), but it lies on a cycle: the import that closes the cycle is the problem"
        out.append(answer + ".")
    else:
        out.append(f"May {e.source.text} depend on {e.target.text}? Yes: no rule has an opinion.")
    for opinion in e.opinions:
        scope = " (direct and indirect)" if opinion.indirect and opinion.decision == "forbids" else ""
        if opinion.severity == "warning" and opinion.decision != "allows":
            scope += " [warning]"
        verb = "on a cycle" if opinion.decision == "on-cycle" else opinion.decision
        out.append(f"  {MARKS[opinion.decision]} {opinion.rule} ({opinion.kind}) {verb}{scope}: {opinion.reason}")
        if opinion.decision != "allows":
            if opinion.description:
                out.append(f"      rule: {opinion.description}")
            if opinion.why:
                out.append(f"      why: {opinion.why}")
            if opinion.fix:
                out.append(f"      fix: {opinion.fix}")
    if e.silent:
        out.append("  no opinion: " + "; ".join(f"{rule} ({why})" for rule, _kind, why in e.silent))
    out.append("")

    chain_count = len(e.chains) + e.more_chains
    if not e.direct and not chain_count:
        out.append(f"Does {e.source.text} depend on {e.target.text} today? No.")
    else:
        parts = []
        if e.direct:
            parts.append(f"{len(e.direct)} import{'s' * (len(e.direct) != 1)}")
        if chain_count:
            parts.append(f"{chain_count} indirect chain{'s' * (chain_count != 1)}")
        out.append(f"Does {e.source.text} depend on {e.target.text} today? Yes: {' and '.join(parts)}.")
    for dependency in e.direct:
        hop = dependency.hops[0]
        flags = f"  ({', '.join(dependency.flags)})" if dependency.flags else ""
        out.append(f"  {hop.path}:{hop.line}:{hop.column}  {hop.importer} -> {hop.imported}  {hop.text}{flags}")
        out += _ruling_lines(dependency.rulings, "      ", "allowed: no rule reports it")
    for number, chain in enumerate(e.chains, start=1):
        modules = [chain.hops[0].importer] + [hop.imported for hop in chain.hops]
        out.append(f"  chain {number}: {' -> '.join(modules)}")
        out += _hop_lines(chain.hops, "      ")
        out += _ruling_lines(chain.rulings, "      ", "no rule reports this chain")
    if e.more_chains:
        out.append(f"  ... and {e.more_chains} more chain{'s' * (e.more_chains != 1)} (--chains N shows more)")
    for note in e.notes:
        out += ["", f"Note: {note}."]
    return "\n".join(out) + "\n"


def render_json(explanation: Explanation) -> str:
    return json.dumps(explanation.to_json(), indent=2, ensure_ascii=False) + "\n"
