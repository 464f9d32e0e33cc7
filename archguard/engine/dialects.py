"""The registry of contract dialects: the one place that knows which dialects exist.

A *dialect* is a contract format with its own semantics: archguard's contract
(``archguard.toml``) and import-linter's configurations (:mod:`archguard.importlinter`). The
pipeline receives a :class:`Dialect` for the loaded contract (:func:`dialect_of`) and a
:class:`~archguard.analysis.resolution.Resolution` for its ``[project] resolution``
(:func:`resolution_of`), and asks them how to discover, resolve and build rules; it never
asks which one it has. A new dialect is a package that provides both objects, and one line
in :data:`_DIALECTS` (and :data:`_RESOLUTIONS` when it reads code its own way).

Foreign dialects are imported on first use, so that a run of an archguard contract never
imports them.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from archguard.base.errors import NoContractError, UsageError
from archguard.contract.loading import CONTRACT_FILES, LoadedContract, find_contract, load_contract, with_roots

if TYPE_CHECKING:  # (imported where used: loading a contract needs neither the rules nor the graph)
    from archguard.analysis.resolution import Resolution
    from archguard.contract.models import ProjectConfig
    from archguard.rules.acknowledged import Acknowledged
    from archguard.rules.base import Rule


class Dialect(Protocol):
    """What the pipeline needs of a contract format."""

    name: str
    verdicts_only: bool  # True: a whole-tree check gives only the dialect's own verdicts (no "checked nothing")
    replayable: bool  # a recorded answer may be replayed when nothing changed
    reads_revisions: bool  # a diff reads the contract as it was at the base (else the working tree's on both sides)

    def load_text(self, source: str, path: Path, table: str | None, *, display: str, like: LoadedContract | None = None) -> LoadedContract:
        """A contract of this dialect from its text, as if read from ``path`` (e.g. the file at a
        git revision), selected as ``like`` was (the same contracts); raises ContractError when
        the text is not a valid contract."""

    def build_rules(self, loaded: LoadedContract) -> list[Rule]:
        """The rules a loaded contract of this dialect asks for, in its order."""

    def rule_types(self) -> list[type[Rule]]:
        """Every rule type the dialect can build (for SARIF rule descriptors and the docs)."""

    def acknowledged(self, loaded: LoadedContract) -> list[Acknowledged]:
        """The import exceptions the contract writes down (ignore entries), in file order."""


class ConfigFiles(Protocol):
    """Which files hold a foreign dialect's configuration (cheap: nothing is validated)."""

    names: tuple[str, ...]  # the file names looked for in each folder

    def claims(self, path: Path) -> bool:
        """Whether ``--config PATH`` is a file of this dialect."""

    def find(self, start: Path) -> Path | None:
        """Its configuration file, found walking up from ``start``."""


class ForeignDialect(Dialect, Protocol):
    """A dialect whose configuration files are found and loaded besides archguard's own."""

    def load(
        self,
        path: Path,
        *,
        auto_detected: bool = False,
        contract_ids: Iterable[str] = (),
        roots: Sequence[str] | None = None,
        cached: bool = False,
        cache_dir: Path | None = None,
    ) -> LoadedContract:
        """Read and validate a configuration file; ``roots`` (``--root``, relative to its folder)
        are the only folders where its packages are looked for (``cached``: see
        :func:`archguard.contract.loading.load_contract`)."""


class ArchguardDialect:
    """archguard's own contract: ``archguard.toml`` or ``[tool.archguard]``."""

    name = "archguard"
    verdicts_only = False
    replayable = True
    reads_revisions = True

    def load_text(self, source: str, path: Path, table: str | None, *, display: str, like: LoadedContract | None = None) -> LoadedContract:
        from archguard.contract.loading import load_contract_text

        return load_contract_text(source, path, table, display=display, check_root=False)

    def build_rules(self, loaded: LoadedContract) -> list[Rule]:
        from archguard.rules.registry import build_rules

        return build_rules(loaded.contract)

    def rule_types(self) -> list[type[Rule]]:
        from archguard.rules.registry import rule_types

        return rule_types()

    def acknowledged(self, loaded: LoadedContract) -> list[Acknowledged]:
        from archguard.rules.acknowledged import archguard_acknowledged

        return archguard_acknowledged(loaded)


ARCHGUARD_DIALECT = ArchguardDialect()


def _importlinter() -> ForeignDialect:
    from archguard.importlinter.dialect import DIALECT

    return DIALECT


def _importlinter_files() -> ConfigFiles:
    from archguard.importlinter.files import FILES  # (not the configuration's models: see that module)

    return FILES


def _archguard_resolution() -> Resolution:
    from archguard.analysis.resolution import ARCHGUARD

    return ARCHGUARD


def _importlinter_resolution() -> Resolution:
    from archguard.importlinter.dialect import RESOLUTION

    return RESOLUTION


# Foreign dialects in the order a configuration file is looked for (after archguard's own):
# name -> (its configuration files, the dialect).
_FOREIGN: dict[str, tuple[Callable[[], ConfigFiles], Callable[[], ForeignDialect]]] = {"import-linter": (_importlinter_files, _importlinter)}
_DIALECTS: dict[str, Callable[[], Dialect]] = {"archguard": lambda: ARCHGUARD_DIALECT, **{name: make for name, (_, make) in _FOREIGN.items()}}
_RESOLUTIONS: dict[str, Callable[[], Resolution]] = {"archguard": _archguard_resolution, "import-linter": _importlinter_resolution}


def dialect_of(loaded: LoadedContract) -> Dialect:
    """The dialect that loaded this contract."""
    return _DIALECTS[loaded.dialect]()


def resolution_of(project: ProjectConfig) -> Resolution:
    """How this project's tree is read into modules and import sites (``[project] resolution``)."""
    return _RESOLUTIONS[project.resolution]()


def replayable(loaded: LoadedContract) -> bool:
    """Whether a check of this contract may be recorded and replayed when nothing changed."""
    return dialect_of(loaded).replayable and resolution_of(loaded.contract.project).replayable


def all_rule_types() -> list[type[Rule]]:
    """Every rule type of every dialect, archguard's first."""
    return [rule for make in _DIALECTS.values() for rule in make().rule_types()]


def load_config(
    config_path: Path | None,
    contract_ids: tuple[str, ...] = (),
    *,
    start: Path | None = None,
    roots: Sequence[Path] = (),
    cached: bool = False,
    cache_dir: Path | None = None,
) -> LoadedContract:
    """The contract to check: ``config_path`` (read by the dialect that claims it), else
    archguard's own contract searched upwards from ``start`` (default: the working directory),
    else the first foreign dialect's configuration found there. ``contract_ids`` select
    contracts of a foreign configuration by id. ``roots`` (``--root``): the folders that hold
    the top-level packages, instead of the contract's (relative paths from the working directory).
    ``cached``/``cache_dir``: see :func:`archguard.contract.loading.load_contract`."""
    start = start or Path.cwd()
    if config_path is not None:
        for files, make in _FOREIGN.values():
            if files().claims(config_path):
                return make().load(
                    config_path, contract_ids=contract_ids, roots=_given_roots(roots, config_path.resolve().parent), cached=cached, cache_dir=cache_dir
                )
        loaded = load_contract(config_path, cached=cached, cache_dir=cache_dir)
    else:
        found = find_contract(start)
        if found is None:
            for files, make in _FOREIGN.values():
                path = files().find(start)
                if path is not None:
                    return make().load(
                        path,
                        auto_detected=True,
                        contract_ids=contract_ids,
                        roots=_given_roots(roots, path.resolve().parent),
                        cached=cached,
                        cache_dir=cache_dir,
                    )
            raise NoContractError(
                f"no contract found in {start} or its parents (looked for {', '.join(CONTRACT_FILES)}, "
                "[tool.archguard] in pyproject.toml, and import-linter configurations); pass --config or write one (see docs/contract.md)"
                + _not_regular(start)
            )
        path, table = found
        loaded = load_contract(path, table or None, cached=cached, cache_dir=cache_dir)
    if contract_ids:
        raise UsageError("--contract selects import-linter contracts by id; this is an archguard contract")
    return with_roots(loaded, _given_roots(roots, loaded.root))


def _not_regular(start: Path) -> str:
    """The configuration files found on the way up that are not regular files (a FIFO, a device,
    a broken link): never opened, so never read; said, so that it is not a mystery."""
    names = {*CONTRACT_FILES, "pyproject.toml", *(name for files, _ in _FOREIGN.values() for name in files().names)}
    odd = []
    current = start.resolve()
    for folder in (current, *current.parents):
        for name in sorted(names):
            candidate = folder / name
            if os.path.lexists(candidate) and not candidate.is_file():
                odd.append(f"{candidate} is not a regular file, so it was not read")
    return "; " + "; ".join(odd) if odd else ""


def _given_roots(roots: Sequence[Path], project_root: Path) -> tuple[str, ...] | None:
    """``--root`` folders as paths relative to the project root (posix); each must be a folder inside it."""
    if not roots:
        return None
    found: list[str] = []
    base = project_root.resolve()
    for folder in roots:
        path = folder.resolve()
        if not path.is_dir():
            raise UsageError(f"--root {folder}: not a directory")
        try:
            relative = path.relative_to(base).as_posix() or "."
        except ValueError:
            raise UsageError(f"--root {folder}: outside the project ({base}); archguard reads only files inside the project") from None
        if relative not in found:
            found.append(relative)
    return tuple(found)
