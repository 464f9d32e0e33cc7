"""The one interface every rule implements, and the context rules read from.

A rule says what it checks, why, and how to fix it (its docstring, which feeds ``archguard
explain``, SARIF help and the README table) and yields findings. It never prints, never
reads files and never knows about output formats: everything it needs is in the context.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise
from pathlib import Path
from typing import Any, ClassVar

import networkx as nx

from archguard.contract.models import Contract, RuleBase, rule_display_name
from archguard.contract.patterns import ModulePattern
from archguard.contract.validate import parse_ignore_import
from archguard.discover import DiscoveryProblem
from archguard.extract.facts import FileFacts
from archguard.findings import Finding, Hop, Severity
from archguard.graph import ModuleGraph, SiteFilter
from archguard.mapping import ComponentMap
from archguard.resolve import EXTERNAL, STDLIB, ImportSite


@dataclass(frozen=True)
class RuleDoc:
    kind: str
    summary: str
    why: str
    fix: str
    example: str

    @property
    def markdown(self) -> str:
        parts = [f"**{self.summary}**"]
        if self.why:
            parts.append(f"*Why:* {self.why}")
        if self.fix:
            parts.append(f"*Fix:* {self.fix}")
        if self.example:
            parts.append(f"*Example:*\n\n```toml\n{self.example}\n```")
        return "\n\n".join(parts)


def _section(text: str, name: str) -> str:
    match = re.search(rf"^\s*{name}:\s*(.*?)(?=^\s*(?:Why|Fix|Example):|\Z)", text, re.S | re.M)
    if not match:
        return ""
    lines = [line.strip() for line in match.group(1).strip().splitlines()]
    return "\n".join(lines) if name == "Example" else " ".join(lines)


@dataclass(frozen=True)
class CompiledIgnore:
    index: int
    importer: ModulePattern
    imported: ModulePattern
    rule: str | None
    reason: str

    def applies_to(self, rule: Rule) -> bool:
        return self.rule is None or self.rule in (rule.kind, rule.name)

    def matches(self, importer: str, imported: str) -> bool:
        if imported.startswith(EXTERNAL):
            target_ok = self.imported.text in (imported, imported[len(EXTERNAL) :]) or self.imported.matches_exactly(imported[len(EXTERNAL) :])
        else:
            target_ok = self.imported.matches_exactly(imported)
        return target_ok and self.importer.matches_exactly(importer)


@dataclass
class RuleContext:
    """Everything a rule may look at: the contract, the graph, the component map, the facts."""

    contract: Contract
    graph: ModuleGraph
    components: ComponentMap
    facts: Mapping[str, FileFacts]  # module -> facts
    paths: Mapping[str, str]  # module -> relative path
    discovery_problems: tuple[DiscoveryProblem, ...] = ()
    ignores: tuple[CompiledIgnore, ...] = ()
    cache_dir: Path | None = None  # where a rule may cache derived results (None: no cache)

    @classmethod
    def compile_ignores(cls, contract: Contract) -> tuple[CompiledIgnore, ...]:
        compiled = []
        for index, entry in enumerate(contract.ignore):
            importer, imported = parse_ignore_import(entry.import_)
            compiled.append(CompiledIgnore(index, importer, imported, entry.rule, entry.reason))
        return tuple(compiled)

    def view_for(self, rule: Rule) -> nx.DiGraph:
        """The graph as this rule sees it: its import filters and its ignore entries applied."""
        config = rule.config
        removed: set[tuple[str, str]] = set()
        applicable = [ignore for ignore in self.ignores if ignore.applies_to(rule)]
        if applicable:
            for importer, imported in self.graph.graph.edges():
                for ignore in applicable:
                    if ignore.matches(importer, imported):
                        removed.add((importer, imported))
        site_filter = SiteFilter(
            exclude_type_checking=getattr(config, "exclude_type_checking", False),
            exclude_dynamic=getattr(config, "exclude_dynamic", False),
            exclude_lazy=getattr(config, "exclude_lazy", False),
            removed_edges=frozenset(removed),
        )
        return self.graph.view(site_filter)

    def modules_of(self, component: str) -> tuple[str, ...]:
        return self.components.modules_of.get(component, ())

    def component_of(self, module: str) -> str | None:
        return self.components.component_of.get(module)

    @cached_property
    def _internal_modules(self) -> tuple[str, ...]:
        return tuple(sorted(self.paths))

    def select(self, entry: str, view: nx.DiGraph | None = None) -> set[str]:
        """Nodes named by a rule entry: a component, a module pattern, or ``external:NAME``."""
        graph = view if view is not None else self.graph.graph
        if entry.startswith(EXTERNAL):
            name = entry[len(EXTERNAL) :].strip()
            return {n for n in graph if n == EXTERNAL + name.split(".")[0]}
        if entry.startswith("module:"):
            pattern = ModulePattern.parse(entry[len("module:") :])
            return {m for m in self._internal_modules if pattern.covers(m)}
        if "." not in entry and "*" not in entry:
            return set(self.modules_of(entry))
        pattern = ModulePattern.parse(entry)
        return {m for m in self._internal_modules if pattern.covers(m)}

    @staticmethod
    def first_site(view: nx.DiGraph, importer: str, imported: str) -> ImportSite:
        sites: tuple[ImportSite, ...] = view.edges[importer, imported]["sites"]
        return sites[0]

    def hops(self, view: nx.DiGraph, chain: list[str]) -> tuple[Hop, ...]:
        return tuple(Hop.from_site(self.first_site(view, a, b)) for a, b in pairwise(chain))

    @staticmethod
    def is_stdlib(node: str) -> bool:
        return node.startswith(EXTERNAL) and node[len(EXTERNAL) :] in STDLIB


class Rule(ABC):
    """A rule checks one section of the contract and yields findings."""

    kind: ClassVar[str]
    implicit: ClassVar[bool] = False  # created from the contract's other sections, not [[rules]]

    def __init__(self, config: Any, index: int = 0, *, name: str | None = None, severity: Severity | None = None) -> None:
        self.config = config
        self.index = index
        if name is not None:
            self.name = name
        elif isinstance(config, RuleBase):
            self.name = rule_display_name(config, index)
        else:
            self.name = self.kind
        self.severity: Severity = severity or getattr(config, "severity", None) or "error"

    @abstractmethod
    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        """Yield this rule's findings."""

    @classmethod
    def doc(cls) -> RuleDoc:
        text = cls.__doc__ or ""
        summary = text.strip().splitlines()[0] if text.strip() else cls.kind
        return RuleDoc(
            kind=cls.kind,
            summary=summary,
            why=_section(text, "Why"),
            fix=_section(text, "Fix"),
            example=_section(text, "Example"),
        )

    @property
    def description(self) -> str | None:
        return getattr(self.config, "description", None)
