"""The import-linter dialect as the engine sees it: how to find, load, read and check it.

:data:`RESOLUTION` builds the module graph the way import-linter (grimp) does; it serves
import-linter configurations and archguard contracts that say ``[project] resolution =
"import-linter"`` (converted ones). :data:`DIALECT` loads configurations and turns their
contracts into rules. Both are registered in :mod:`archguard.engine.dialects`.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path

from archguard.analysis.discover import Discovery, DiscoveryProblem, SourceFile
from archguard.analysis.listings import FolderListings
from archguard.analysis.read.facts import FileFacts
from archguard.analysis.resolution import ImportResolver
from archguard.analysis.resolve import EXTERNAL
from archguard.base.lines import physical_lines
from archguard.contract.loading import LoadedContract
from archguard.contract.models import ProjectConfig
from archguard.importlinter.config import ImportExpression, LoadedImportLinter, load_importlinter, load_importlinter_text
from archguard.importlinter.contracts import rule_types
from archguard.importlinter.contracts.common import ImportLinterRule
from archguard.importlinter.contracts.extras import DynamicImportRule, UncoveredModuleRule
from archguard.importlinter.discover import discover_like_importlinter, namespace_packages
from archguard.importlinter.resolve import ImportLinterResolver
from archguard.rules.acknowledged import Acknowledged
from archguard.rules.base import Rule
from archguard.rules.duplication import DuplicationRule
from archguard.rules.implicit import DiscoveryRule, ParseErrorRule


class ImportLinterResolution:
    """grimp's view: no dynamic imports, no re-exports followed, folders without ``__init__.py``
    inside a package are not modules, namespace root packages are graph nodes."""

    name = "import-linter"
    replayable = True

    def discover(self, root: Path, project: ProjectConfig, *, contract_file: str | None = None, listings: FolderListings | None = None) -> Discovery:
        return discover_like_importlinter(root, project, contract_file=contract_file)  # (its walk lists the few package folders)

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
        """grimp's module finder, walking the listing's folders (a git revision's files); the
        listing's own problems (symlinks, blobs too large to read) are reported with it."""
        found = discover_like_importlinter(root, project, contract_file=contract_file, listing=paths)
        return replace(found, problems=tuple(sorted((*found.problems, *problems), key=lambda p: (p.relpath, p.kind))))

    def resolver(self, files: Sequence[SourceFile], facts: Mapping[str, FileFacts], project: ProjectConfig, discovery: Discovery) -> ImportResolver:
        return ImportLinterResolver(
            (f.module for f in files),
            namespace_packages(discovery),
            project.packages or (),
            include_external=bool(project.include_external_packages),
        )

    def sharing_key(self, files: Sequence[SourceFile], project: ProjectConfig, discovery: Discovery) -> str | None:
        # What ImportLinterResolver reads besides the file: the modules, the namespace packages, the settings.
        state = (sorted(f.module for f in files), namespace_packages(discovery), sorted(project.packages or ()), bool(project.include_external_packages))
        return hashlib.blake2b(repr(state).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()

    def fileless_modules(self, discovery: Discovery) -> list[str]:
        return namespace_packages(discovery)


class ImportLinterDialect:
    """import-linter configurations: ``.importlinter``, ``setup.cfg``, ``[tool.importlinter]``."""

    name = "import-linter"
    # A whole-tree check gives import-linter's verdicts only: no "checked nothing" error of its own.
    verdicts_only = True
    replayable = True
    # The base of a diff is checked with the configuration file as it was at the base.
    reads_revisions = True

    def load_text(self, source: str, path: Path, table: str | None, *, display: str, like: LoadedContract | None = None) -> LoadedContract:
        selected = like.selected if isinstance(like, LoadedImportLinter) else ()
        roots = like.roots_given if like is not None else None
        return load_importlinter_text(source, path, display=display, contract_ids=selected, roots=roots)

    # Reads and validates a configuration file (see archguard.engine.dialects.Dialect.load).
    load = staticmethod(load_importlinter)

    def build_rules(self, loaded: LoadedContract) -> list[Rule]:
        """One rule per import-linter contract, in configuration order, then the implicit file rules."""
        if not isinstance(loaded, LoadedImportLinter):
            raise TypeError(f"not an import-linter configuration: {loaded.display_path}")
        config = loaded.importlinter
        kinds = rule_types()
        rules: list[Rule] = []
        seen: set[str] = set()
        for index, contract in enumerate(config.contracts):
            # import-linter allows two contracts with one name; reports tell them apart by their id.
            name = contract.name if contract.name not in seen else f"{contract.name} ({contract.id or index + 1})"
            seen.add(name)
            rules.append(kinds[contract.type](contract, index, session=config.session, name=name))
        rules.append(ParseErrorRule(None, name="parse-error", severity="error"))
        rules.append(DiscoveryRule(None, name="discovery", severity="warning"))
        rules.extend(self.extras(loaded, [rule for rule in rules if isinstance(rule, ImportLinterRule)]))
        return rules

    @staticmethod
    def extras(loaded: LoadedImportLinter, contracts: list[ImportLinterRule]) -> list[Rule]:
        """archguard's checks beyond import-linter's sight, as ``[tool.archguard]`` sets them:
        warnings in a whole-tree check, at their level for a change's new findings."""
        companion = loaded.companion
        extras: list[Rule] = []
        if companion.dynamic != "off":
            extras.append(DynamicImportRule(contracts, loaded.importlinter.session, gate_level=companion.dynamic))
        if companion.uncovered != "off":
            extras.append(UncoveredModuleRule([rule.contract for rule in contracts], gate_level=companion.uncovered))
        if companion.copies != "off":
            copies = DuplicationRule.from_contract(loaded.contract)
            copies.gate_level = companion.copies
            extras.append(copies)
        return extras

    def rule_types(self) -> list[type[Rule]]:
        return [*rule_types().values(), DynamicImportRule, UncoveredModuleRule]

    def acknowledged(self, loaded: LoadedContract) -> list[Acknowledged]:
        """Each contract's ``ignore_imports`` expressions, scoped to that contract."""
        if not isinstance(loaded, LoadedImportLinter):
            return []
        entries = []
        names = [rule.name for rule in self.build_rules(loaded) if rule.reports_verdict]
        for contract, name in zip(loaded.importlinter.contracts, names, strict=False):
            start = contract.origin.field_lines.get("ignore_imports", contract.origin.line or 1)
            for expression in contract.ignore_imports:
                entries.append(
                    Acknowledged(
                        text=str(expression),
                        scope=name,
                        reason="",
                        line=_line_of(loaded.source, start, expression),
                        needs_reason=False,
                        matcher=_matcher(expression),
                    )
                )
        return entries


def _matcher(expression: ImportExpression) -> Callable[[str, str], bool]:
    def matches(importer: str, imported: str) -> bool:
        return expression.importer.matches(importer) and expression.imported.matches(imported.removeprefix(EXTERNAL))

    return matches


def _line_of(source: str, start: int, expression: ImportExpression) -> int:
    """The line (from ``start`` on) that writes the expression, else ``start``."""
    pattern = re.compile(re.escape(expression.importer.text) + r"\s*->\s*" + re.escape(expression.imported.text) + r"(?![\w.*])")
    for number, line in enumerate(physical_lines(source)[start - 1 :], start=start):
        if pattern.search(line):
            return number
    return start


RESOLUTION = ImportLinterResolution()
DIALECT = ImportLinterDialect()
