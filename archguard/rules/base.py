"""The one interface every rule implements, and the context rules read from.

A rule says what it checks, why, and how to fix it (its docstring, which feeds ``archguard
explain``, SARIF help and the docs' rule pages) and yields findings. It never prints, never
reads files and never knows about output formats: everything it needs is in the context.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from itertools import pairwise
from pathlib import Path
from typing import Any, ClassVar

from archguard.analysis.digraph import DiGraph
from archguard.analysis.discover import DiscoveryProblem
from archguard.analysis.graph import ModuleGraph, SiteFilter
from archguard.analysis.mapping import ComponentMap
from archguard.analysis.read.facts import FileFacts, RawImport
from archguard.analysis.resolve import EXTERNAL, STDLIB, ImportSite, NameIndex
from archguard.contract.loading import LoadedContract, locate_key
from archguard.contract.models import Contract, RuleBase, rule_display_name
from archguard.contract.patterns import ModulePattern
from archguard.contract.selectors import ExternalTarget, expand_all
from archguard.findings import Edit, Finding, Hop, Remedy, Severity


@dataclass(frozen=True)
class RuleDoc:
    """A rule's documentation, parsed from its class docstring (ruff's model: the text lives
    with the rule and feeds ``archguard explain``, SARIF ``help`` and the docs site).

    The docstring's shape: the summary line; optional paragraphs that say more; then the
    sections ``Why:``, ``Fix:``, ``Example:`` (the contract section that configures the rule)
    and ``Breaks:`` (code that breaks the example: ``# path/to/file.py`` headers, each followed
    by that file's text)."""

    kind: str
    summary: str
    why: str
    fix: str
    example: str
    details: str = ""
    breaks: tuple[tuple[str, str], ...] = ()  # (path, text) of the files that break the example

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

    @classmethod
    def parse(cls, kind: str, docstring: str) -> RuleDoc:
        """The documentation a docstring of the shape above gives."""
        text = docstring.strip()
        if not text:
            return cls(kind=kind, summary=kind, why="", fix="", example="")
        first, _, rest = text.partition("\n")
        import textwrap  # (only here: not imported by every run)

        body = textwrap.dedent(rest)
        section = re.search(rf"^(?:{_SECTIONS}):", body, re.M)
        details = body[: section.start()] if section else body
        return cls(
            kind=kind,
            summary=first.strip(),
            why=_section(body, "Why"),
            fix=_section(body, "Fix"),
            example=_section(body, "Example"),
            details="\n\n".join(" ".join(paragraph.split()) for paragraph in re.split(r"\n\s*\n", details) if paragraph.strip()),
            breaks=_files(_section(body, "Breaks")),
        )


_SECTIONS = "Why|Fix|Example|Breaks"


def _section(body: str, name: str) -> str:
    match = re.search(rf"^{name}:[ \t]*(.*?)(?=^(?:{_SECTIONS}):|\Z)", body, re.S | re.M)
    if not match:
        return ""
    if name in ("Example", "Breaks"):  # code: keep its indentation
        import textwrap  # (only here: not imported by every run)

        return textwrap.dedent(match.group(1)).strip("\n").rstrip()
    return " ".join(line.strip() for line in match.group(1).strip().splitlines())


def _files(text: str) -> tuple[tuple[str, str], ...]:
    """``# path`` headers (Python files, or the contract a change edits), each followed by that file's text."""
    files: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        header = re.fullmatch(r"# (\S+\.(?:py|toml|cfg|json)|\S*\.importlinter)", line.strip())
        if header:
            files.append((header.group(1), []))
        elif files:
            files[-1][1].append(line)
    return tuple((path, "\n".join(lines).strip("\n") + "\n") for path, lines in files)


@dataclass(frozen=True)
class CompiledIgnore:
    """An [[ignore]] entry with its module patterns compiled."""

    index: int
    importer: ModulePattern
    imported: ModulePattern
    rule: str | None
    reason: str

    def applies_to(self, rule: Rule) -> bool:
        return self.applies_to_rule(rule.kind, rule.name)

    def applies_to_rule(self, kind: str, name: str) -> bool:
        return self.rule is None or self.rule in (kind, name)

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
    loaded: LoadedContract | None = None  # where the contract came from: findings about it point there
    # Top-level packages the contract names that exist outside the source roots -> their folder.
    elsewhere: Mapping[str, str] = field(default_factory=dict)

    def contract_key(self, key: str) -> str:
        """A key path of the contract as written in its file (``tool.archguard.`` in pyproject.toml)."""
        return (self.loaded.table + "." if self.loaded is not None and self.loaded.table else "") + key

    def contract_location(self, key: str) -> tuple[str | None, int]:
        """(contract file relative to the project root, line of ``key``) for findings about the contract."""
        if self.loaded is None:
            return None, 0
        return self.loaded.relpath, locate_key(self.loaded.source, self.contract_key(key)) or 0
    cache_dir: Path | None = None  # where a rule may cache derived results (None: no cache)

    @classmethod
    def compile_ignores(cls, contract: Contract) -> tuple[CompiledIgnore, ...]:
        if not contract.ignore:
            return ()  # (an import-linter configuration has none: nothing to import to parse them)
        from archguard.contract.validate import parse_ignore_import

        compiled = []
        for index, entry in enumerate(contract.ignore):
            importer, imported = parse_ignore_import(entry.import_)
            compiled.append(CompiledIgnore(index, importer, imported, entry.rule, entry.reason))
        return tuple(compiled)

    def view_for(self, rule: Rule, partial_externals: frozenset[tuple[str, str]] = frozenset()) -> DiGraph:
        """The graph as this rule sees it: its import filters and its ignore entries applied;
        on edges into the ``partial_externals`` nodes, only imports of those modules."""
        return self.view_for_config(rule.config, rule.kind, rule.name, partial_externals)

    def view_for_config(
        self, config: Any, kind: str, name: str, partial_externals: frozenset[tuple[str, str]] = frozenset()
    ) -> DiGraph:
        """The graph as the rule of this kind, name and configuration sees it (see ``view_for``)."""
        removed: set[tuple[str, str]] = set()
        removed_via: set[tuple[str, str]] = set()
        for ignore in self.ignores:
            if ignore.applies_to_rule(kind, name):
                pairs = self.ignored_edges[ignore.index]
                removed |= pairs  # the edges, where they are edges
                removed_via |= pairs  # imports re-exported through a package, where it is one
        site_filter = SiteFilter(
            exclude_type_checking=getattr(config, "exclude_type_checking", False),
            exclude_dynamic=getattr(config, "exclude_dynamic", False),
            exclude_lazy=getattr(config, "exclude_lazy", False),
            exclude_main=self.excludes_main(config),
            removed_edges=frozenset(removed),
            removed_via=frozenset(removed_via),
            partial_externals=partial_externals,
        )
        return self.graph.view(site_filter)

    def excludes_main(self, config: Any) -> bool:
        """Whether a rule with this configuration leaves out imports in ``if __name__ == "__main__":``
        blocks: its ``exclude_main``, by default yes, except under import-linter's resolution (parity)."""
        value = getattr(config, "exclude_main", None)
        if value is None:
            return self.contract.project.resolution != "import-linter"
        return bool(value)

    @cached_property
    def ignored_edges(self) -> dict[int, frozenset[tuple[str, str]]]:
        """The import edges each [[ignore]] entry matches, by entry index (computed once per run).

        Importers are matched first and only their own edges are tried, so a contract with
        hundreds of entries costs (modules x entries) cheap name comparisons, not (edges x entries).
        """
        targets: dict[str, list[str]] = {}
        for importer, imported in self._dependency_pairs:  # edges, and (importer, package) through __init__
            targets.setdefault(importer, []).append(imported)
        found: dict[int, frozenset[tuple[str, str]]] = {}
        for ignore in self.ignores:
            edges = {
                (importer, imported)
                for importer, imported_list in targets.items()
                if ignore.importer.matches_exactly(importer)
                for imported in imported_list
                if ignore.matches(importer, imported)
            }
            found[ignore.index] = frozenset(edges)
        return found

    def modules_of(self, component: str) -> tuple[str, ...]:
        return self.components.modules_of.get(component, ())

    def expand(self, entries: list[str]) -> tuple[str, ...]:
        """The components that rule entries name: component names, or tags ('type:domain')."""
        return expand_all(entries, self.contract.components)

    def component_of(self, module: str) -> str | None:
        return self.components.component_of.get(module)

    @cached_property
    def _dependency_pairs(self) -> set[tuple[str, str]]:
        return self.graph.dependency_pairs()

    @cached_property
    def _internal_modules(self) -> tuple[str, ...]:
        return tuple(sorted(self.paths))

    def select(self, entry: str, view: DiGraph | None = None) -> set[str]:
        """Nodes named by a rule entry: a component, a module pattern, or ``external:NAME``."""
        graph = view if view is not None else self.graph.graph
        if entry.startswith(EXTERNAL):
            target = ExternalTarget.parse(entry)
            # import-linter's resolution also has namespace portions as nodes ("external:ns.bar").
            return {n for n in self.graph.externals if n in graph and (target.covers_node(n) or n == entry.strip())}
        if entry.startswith("module:"):
            pattern = ModulePattern.parse(entry[len("module:") :])
            return {m for m in self._internal_modules if pattern.covers(m)}
        from archguard.contract.validate import is_component_reference

        if is_component_reference(entry):
            return {m for component in self.expand([entry]) for m in self.modules_of(component)}
        pattern = ModulePattern.parse(entry)
        return {m for m in self._internal_modules if pattern.covers(m)}

    @cached_property
    def names(self) -> NameIndex:
        """Module-level names of every analysed module: bindings, exports, re-exports."""
        packages = (m for m, path in self.paths.items() if path.rpartition("/")[2] == "__init__.py")
        return NameIndex(self.facts, packages)

    def raw_import(self, site: ImportSite) -> RawImport | None:
        """The import statement (as extracted) that an import site comes from."""
        facts = self.facts.get(site.importer)
        if facts is None:
            return None
        for raw in facts.imports:
            if raw.line != site.line or raw.column != site.column or raw.dynamic != site.dynamic:
                continue
            if (set(site.names) <= set(raw.names)) if raw.names else site.requested == raw.module:
                return raw
        return None

    @staticmethod
    def first_site(view: DiGraph, importer: str, imported: str) -> ImportSite:
        sites: tuple[ImportSite, ...] = view.edges[importer, imported]["sites"]
        return sites[0]

    def hops(self, view: DiGraph, chain: list[str]) -> tuple[Hop, ...]:
        return tuple(Hop.from_site(self.first_site(view, a, b)) for a, b in pairwise(chain))

    @staticmethod
    def is_stdlib(node: str) -> bool:
        return node.startswith(EXTERNAL) and node[len(EXTERNAL) :] in STDLIB


_DOCS: dict[type[Rule], RuleDoc] = {}


class Rule(ABC):
    """A rule checks one section of the contract and yields findings."""

    kind: ClassVar[str]
    implicit: ClassVar[bool] = False  # created from the contract's other sections, not [[rules]]
    reports_verdict: ClassVar[bool] = False  # reports say KEPT or BROKEN for it (import-linter contracts)
    # check --diff: the level of a change's new findings of this rule, when it differs from the
    # rule's level in a whole-tree check (archguard's checks next to an import-linter configuration).
    gate_level: Severity | None = None

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

    def remedy(self, kind: str, action: str, *, reason: str = "", edit: Edit | None = None, location: str | None = None) -> Remedy:
        """A structured remedy: the rule's documented rationale, and the contract's description
        of this rule (when it has one) as the short reason."""
        return Remedy(
            kind=kind,
            action=action,
            reason=self.description or reason,
            rationale=self.doc().why,
            edit=edit,
            location=location,
        )

    @classmethod
    def doc(cls) -> RuleDoc:
        cached = _DOCS.get(cls)
        if cached is None:
            cached = _DOCS[cls] = cls._parse_doc()
        return cached

    @classmethod
    def _parse_doc(cls) -> RuleDoc:
        return RuleDoc.parse(cls.kind, cls.__doc__ or "")

    @property
    def description(self) -> str | None:
        return getattr(self.config, "description", None)
