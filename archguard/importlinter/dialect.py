"""The import-linter dialect as the engine sees it: how to find, load, read and check it.

:data:`RESOLUTION` builds the module graph the way import-linter (grimp) does; it serves
import-linter configurations and archguard contracts that say ``[project] resolution =
"import-linter"`` (converted ones). :data:`DIALECT` loads configurations and turns their
contracts into rules. Both are registered in :mod:`archguard.engine.dialects`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from archguard.analysis.discover import Discovery, DiscoveryProblem, SourceFile
from archguard.analysis.read.facts import FileFacts
from archguard.analysis.resolution import ImportResolver
from archguard.contract.loading import LoadedContract
from archguard.contract.models import ProjectConfig
from archguard.importlinter.config import LoadedImportLinter, load_importlinter
from archguard.importlinter.contracts import rule_types
from archguard.importlinter.discover import discover_like_importlinter, namespace_packages
from archguard.importlinter.resolve import ImportLinterResolver
from archguard.rules.base import Rule
from archguard.rules.implicit import DiscoveryRule, ParseErrorRule


class ImportLinterResolution:
    """grimp's view: no dynamic imports, no re-exports followed, folders without ``__init__.py``
    inside a package are not modules, namespace root packages are graph nodes."""

    name = "import-linter"
    replayable = True

    def discover(self, root: Path, project: ProjectConfig, *, contract_file: str | None = None) -> Discovery:
        return discover_like_importlinter(root, project, contract_file=contract_file)

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
        """grimp's module finder, walking the listing's folders (a git revision's files)."""
        return discover_like_importlinter(root, project, contract_file=contract_file, listing=paths)

    def resolver(self, files: Sequence[SourceFile], facts: Mapping[str, FileFacts], project: ProjectConfig, discovery: Discovery) -> ImportResolver:
        return ImportLinterResolver(
            (f.module for f in files),
            namespace_packages(discovery),
            project.packages or (),
            include_external=bool(project.include_external_packages),
        )

    def fileless_modules(self, discovery: Discovery) -> list[str]:
        return namespace_packages(discovery)


class ImportLinterDialect:
    """import-linter configurations: ``.importlinter``, ``setup.cfg``, ``[tool.importlinter]``."""

    name = "import-linter"
    # A whole-tree check gives import-linter's verdicts only: no "checked nothing" error of its own.
    verdicts_only = True
    replayable = True
    # The base of a diff is checked with the working tree's configuration (no revision is read).
    reads_revisions = False

    def load(
        self, path: Path, *, auto_detected: bool = False, contract_ids: Iterable[str] = (), cached: bool = False, cache_dir: Path | None = None
    ) -> LoadedContract:
        return load_importlinter(path, auto_detected=auto_detected, contract_ids=contract_ids, cached=cached, cache_dir=cache_dir)

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
        return rules

    def rule_types(self) -> list[type[Rule]]:
        return list(rule_types().values())


RESOLUTION = ImportLinterResolution()
DIALECT = ImportLinterDialect()
