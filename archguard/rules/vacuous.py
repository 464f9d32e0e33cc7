"""The ``vacuous-rule`` rule: contract entries that cannot fail because they match nothing."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cached_property

from archguard.analysis.digraph import DiGraph
from archguard.analysis.graph import SiteFilter
from archguard.contract.models import (
    AcyclicRule,
    AllowedRule,
    BoundariesRule,
    ForbiddenRule,
    IndependentRule,
    LayersRule,
    RuleBase,
    rule_display_name,
)
from archguard.contract.patterns import ModulePattern
from archguard.contract.selectors import EXTERNAL, UnknownReference
from archguard.contract.validate import allowed_constraints, is_component_reference, layer_components, parse_layer
from archguard.findings import Finding
from archguard.rules.base import Rule, RuleContext

EMPTY_RULE = "empty-rule"  # the kind of finding that says a whole rule checks nothing


class ModuleIndex:
    """Which patterns match any analysed module, answered without scanning every module for
    literal patterns (every dotted prefix of every module is kept in a set)."""

    def __init__(self, modules: tuple[str, ...]) -> None:
        self.modules = modules
        self.exact = frozenset(modules)
        prefixes: set[str] = set()
        for module in modules:
            parts = module.split(".")
            prefixes.update(".".join(parts[:depth]) for depth in range(1, len(parts) + 1))
        self.prefixes = frozenset(prefixes)

    def matches_any(self, pattern: ModulePattern) -> bool:
        if pattern.is_literal:
            return pattern.literal in (self.exact if pattern.exact else self.prefixes)
        return any(pattern.covers(module) for module in self.modules)

    @cached_property
    def tops(self) -> tuple[str, ...]:
        return tuple(sorted({module.split(".")[0] for module in self.modules}))


def layers_connected(view: DiGraph, layer_of: Mapping[str, int], *, through_others: bool) -> bool:
    """True when a module of one layer imports a module of another layer, directly or (when
    ``through_others``) through modules that are in no layer."""
    for start in sorted(layer_of):
        if start not in view:
            continue
        layer = layer_of[start]
        stack, seen = [start], {start}
        while stack:
            node = stack.pop()
            for successor in view.successors(node):
                if successor in seen:
                    continue
                seen.add(successor)
                if successor in layer_of:
                    if layer_of[successor] != layer:
                        return True
                elif through_others:
                    stack.append(successor)
    return False


class VacuousRule(Rule):
    """A contract entry checks nothing: a component, pattern or rule that matches no module, or a layers rule with no import between its layers.

    Its level is ``[drift] vacuous``. A run in which nothing at all is checked (no file, no
    import, no rule matching any module) stops with exit code 2 instead.

    Why: a typo, a renamed or moved package, or a src/ layout without 'roots' turns a rule into
    one that can never fail; the gate goes green without checking anything.
    Fix: correct the component's patterns or the rule's entries (the message says what was
    analysed, and where a package that was not analysed lives), or remove the entry.
    Example:
    [[rules]]
    kind = "forbidden"
    from = ["domain"]
    to = ["infra", "shop.databse"]
    """

    kind = "vacuous-rule"
    implicit = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        index = ModuleIndex(tuple(sorted(ctx.paths)))
        yield from self._components(ctx, index)
        for position, config in enumerate(ctx.contract.rules):
            yield from self._rule(ctx, index, position, config)

    # -- components -----------------------------------------------------------------------
    def _components(self, ctx: RuleContext, index: ModuleIndex) -> Iterator[Finding]:
        for name, component in ctx.contract.components.items():
            patterns = [ModulePattern.parse(text) for text in component.modules]
            unmatched = [i for i, pattern in enumerate(patterns) if not index.matches_any(pattern)]
            if len(unmatched) == len(patterns):
                yield self._finding(
                    ctx,
                    "empty-component",
                    f"components.{name}.modules",
                    f"component {name!r} matches no analysed module (modules: {', '.join(component.modules)})"
                    + self._hint(ctx, index, component.modules),
                    f"fix component {name!r}'s module patterns, or remove the component",
                    subject=name,
                )
            elif not ctx.modules_of(name):
                yield self._finding(
                    ctx,
                    "empty-component",
                    f"components.{name}.modules",
                    f"component {name!r} has no module: every module its patterns match belongs to a more specific component",
                    f"remove component {name!r}, or give it modules no other component claims",
                    subject=name,
                )
            else:
                for i in unmatched:
                    yield self._finding(
                        ctx,
                        "unmatched-pattern",
                        f"components.{name}.modules[{i}]",
                        f"pattern {patterns[i].text!r} of component {name!r} matches no analysed module" + self._hint(ctx, index, [patterns[i].text]),
                        f"fix or remove the pattern {patterns[i].text!r}",
                        subject=f"{name}:{patterns[i].text}",
                    )
            for i, text in enumerate(component.public):
                pattern = ModulePattern.parse(text)
                key = f"components.{name}.public[{i}]"
                if not index.matches_any(pattern):
                    yield self._finding(
                        ctx,
                        "unmatched-public",
                        key,
                        f"public entry {text!r} of component {name!r} matches no analysed module" + self._hint(ctx, index, [text]),
                        f"fix or remove the public entry {text!r}",
                        subject=f"{name}:{text}",
                    )
                elif pattern.exact and pattern.is_literal:
                    missing = [n for n in pattern.names if n != "*" and not ctx.names.defines(pattern.literal, n)]
                    if missing:
                        yield self._finding(
                            ctx,
                            "unknown-public-name",
                            key,
                            f"public entry {text!r} of component {name!r} names {', '.join(missing)}, which {pattern.literal} does not define",
                            f"fix or remove the name{'s' if len(missing) > 1 else ''} {', '.join(missing)} in {text!r}",
                            subject=f"{name}:{text}",
                        )

    # -- rules ----------------------------------------------------------------------------
    def _rule(self, ctx: RuleContext, index: ModuleIndex, position: int, config: RuleBase) -> Iterator[Finding]:
        base = f"rules[{position}]"
        title = f"rule {rule_display_name(config, position)!r} ({base})"
        components = ctx.contract.components

        def empty(names: tuple[str, ...]) -> list[str]:
            return [name for name in names if not ctx.modules_of(name)]

        def describe(names: list[str]) -> str:
            return "; ".join(f"{name} ({', '.join(components[name].modules)})" for name in names)

        def patterns_of(names: list[str]) -> list[str]:
            return [text for name in names for text in components[name].modules]

        if isinstance(config, LayersRule):
            layers = [layer_components(parse_layer(entry, components), components) for entry in config.layers]
            filled = [i for i, layer in enumerate(layers) if any(ctx.modules_of(c) for c in layer)]
            if len(filled) < 2:
                hollow = [c for i, layer in enumerate(layers) if i not in filled for c in layer]
                yield self._empty(ctx, base, title, f"fewer than two of its layers hold a module; empty: {describe(hollow)}", index, patterns_of(hollow))
                return
            layer_of = {m: i for i, layer in enumerate(layers) for c in layer for m in ctx.modules_of(c)}
            # Imports an [[ignore]] entry acknowledges still connect the layers: the rule can fail.
            view = ctx.graph.view(
                SiteFilter(config.exclude_type_checking, config.exclude_dynamic, config.exclude_lazy, exclude_main=ctx.excludes_main(config))
            )
            if not layers_connected(view, layer_of, through_others=not config.allow_indirect):
                yield self._finding(
                    ctx,
                    "no-imports-between-layers",
                    f"{base}.layers",
                    f"{title} checks nothing: no module of one of its layers imports a module of another",
                    "check the layers' components: their modules never import each other, so the rule cannot fail",
                    subject=base,
                )
        elif isinstance(config, BoundariesRule):
            names = ctx.expand(config.components)
            if len(empty(names)) == len(names):
                yield self._empty(ctx, base, title, f"none of its components holds a module: {describe(list(names))}", index, patterns_of(list(names)))
        elif isinstance(config, IndependentRule):
            names = ctx.expand(config.components)
            hollow = empty(names)
            if len(names) - len(hollow) < 2:
                yield self._empty(ctx, base, title, f"fewer than two of its components hold a module; empty: {describe(hollow)}", index, patterns_of(hollow))
        elif isinstance(config, AllowedRule):
            sources = ctx.expand([source for _key, source, _targets in allowed_constraints(config)])
            if sources and len(empty(sources)) == len(sources):
                what = f"none of the components it constrains holds a module: {describe(list(sources))}"
                yield self._empty(ctx, base, title, what, index, patterns_of(list(sources)))
        elif isinstance(config, ForbiddenRule):
            yield from self._forbidden(ctx, index, base, title, config)
        elif isinstance(config, AcyclicRule):
            if config.scope == "components":
                filled_components = [c for c in components if ctx.modules_of(c)]
                if len(filled_components) < 2:
                    what = "fewer than two components hold a module, so there is no cycle to find"
                    yield self._empty(ctx, base, title, what, index, patterns_of(list(components)))
            elif not index.matches_any(ModulePattern.parse(config.scope)):
                yield self._empty(ctx, base, title, f"its scope {config.scope!r} matches no analysed module", index, [config.scope], key=f"{base}.scope")

    def _forbidden(self, ctx: RuleContext, index: ModuleIndex, base: str, title: str, config: ForbiddenRule) -> Iterator[Finding]:
        def selects(entry: str) -> bool:
            if entry.startswith(EXTERNAL):
                return True  # a third-party package nobody imports is what the rule wants
            return bool(ctx.select(entry))

        for side, entries in (("from", config.from_), ("to", config.to)):
            empty = [i for i, entry in enumerate(entries) if not selects(entry)]
            if len(empty) == len(entries):
                listed = ", ".join(entries)
                what = f"its '{side}' entries ({listed}) match no analysed module"
                yield self._empty(ctx, base, title, what, index, self._texts(ctx, entries), key=f"{base}.{side}")
                return
            for i in empty:
                entry = entries[i]
                if is_component_reference(entry) and not entry.startswith("module:"):
                    continue  # an empty component is reported with the component
                yield self._finding(
                    ctx,
                    "unmatched-entry",
                    f"{base}.{side}[{i}]",
                    f"{title}: {side}[{i}] {entry!r} matches no analysed module" + self._hint(ctx, index, self._texts(ctx, [entry])),
                    f"fix or remove {entry!r} in the rule's '{side}'",
                    subject=f"{base}.{side}:{entry}",
                )

    # -- helpers --------------------------------------------------------------------------
    @staticmethod
    def _texts(ctx: RuleContext, entries: list[str]) -> list[str]:
        """Module patterns behind rule entries (a component's patterns for a component or tag)."""
        texts = []
        for entry in entries:
            if entry.startswith(EXTERNAL):
                continue
            if entry.startswith("module:"):
                texts.append(entry.removeprefix("module:"))
            elif is_component_reference(entry):
                try:
                    texts += [t for c in ctx.expand([entry]) for t in ctx.contract.components[c].modules]
                except UnknownReference:
                    continue
            else:
                texts.append(entry)
        return texts

    @staticmethod
    def _hint(ctx: RuleContext, index: ModuleIndex, texts: list[str]) -> str:
        tops = []
        for text in texts:
            first = ModulePattern.parse(text).segments[0]
            if not any(c in first for c in "*?[") and first not in index.tops and first not in tops:
                tops.append(first)
        if not tops:
            return ""
        hints = []
        for top in tops:
            folder = ctx.elsewhere.get(top)
            if folder is not None:
                where = "the project root" if folder == "." else f"'{folder}/'"
                hints.append(f"package {top!r} is under {where}, which is not a source root: set roots = [\"{folder}\"] in [project]")
            else:
                analysed = ", ".join(index.tops) or "none"
                hints.append(f"no analysed package is named {top!r} (analysed: {analysed})")
        return ": " + "; ".join(hints)

    def _empty(self, ctx: RuleContext, base: str, title: str, what: str, index: ModuleIndex, texts: list[str], key: str | None = None) -> Finding:
        return self._finding(
            ctx,
            EMPTY_RULE,
            key or base,
            f"{title} checks nothing: {what}" + self._hint(ctx, index, texts),
            "correct the rule's components or patterns so that it names analysed modules, or remove the rule",
            subject=base,
        )

    def _finding(self, ctx: RuleContext, kind: str, key: str, message: str, action: str, *, subject: str) -> Finding:
        path, line = ctx.contract_location(key)
        return Finding(
            rule=self.kind,
            rule_name=self.name,
            kind=kind,
            severity=self.severity,
            message=message,
            path=path,
            line=line,
            column=1 if line else 0,
            end_line=line,
            remedy=action,
            fix=self.remedy("fix-contract", action, reason="a rule that matches nothing can never fail"),
            identity=(kind, subject),
            details=(("key", ctx.contract_key(key)),),
        )
