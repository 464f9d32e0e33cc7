"""Which code units take part: the facts' units, filtered by the ``[duplication]`` settings."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from archguard.analysis.clones.model import SCOPE_OF_KIND, CloneUnit
from archguard.analysis.read.clones import FACT_KEY
from archguard.analysis.read.facts import FileFacts
from archguard.contract.models import DuplicationConfig
from archguard.contract.patterns import glob_to_regex

# Test code: a 'tests' folder, test_*.py, *_test.py, tests.py, conftest.py.
_TEST_PATH = re.compile(r"(^|/)tests/|(^|/)(test_[^/]*|[^/]*_test|tests|conftest)\.py$")


def is_test_path(path: str) -> bool:
    return bool(_TEST_PATH.search(path))


def imported_by_library(facts: Mapping[str, FileFacts], paths: Mapping[str, str]) -> set[str]:
    """Modules that code outside the tests imports (``from .test_types import *`` in a
    package's ``__init__``, a test-suite module a library ships): a module named like a test
    that library code imports is library code. Read from the raw imports (relative ones made
    absolute from the importer's name); no resolution needed."""
    targets: set[str] = set()
    for module, file_facts in facts.items():
        path = paths.get(module, module)
        if is_test_path(path):
            continue
        package = module if path.endswith("__init__.py") else module.rpartition(".")[0]
        for raw in file_facts.imports:
            if raw.level:
                parts = package.split(".") if package else []
                base = ".".join(parts[: len(parts) - (raw.level - 1)]) if raw.level - 1 <= len(parts) else ""
                target = f"{base}.{raw.module}" if raw.module and base else (raw.module or base)
            else:
                target = raw.module
            if target:
                targets.add(target)
                targets.update(f"{target}.{name}" for name in raw.names if name != "*")
    return targets


@dataclass(frozen=True, slots=True)
class SourceStreams:
    """One file's clone facts: its units and the shingles of its near-miss token stream."""

    path: str
    module: str
    component: str | None
    shingles: bytes  # little-endian uint32 per token position (see archguard.analysis.read.clones)
    units: tuple[CloneUnit, ...]  # the file's units that pass the size and scope filters
    fingerprint: str  # hash of the file's clone facts (all its units, before the filters, and shingles)


def file_units(
    facts: Mapping[str, FileFacts],
    paths: Mapping[str, str],
    component_of: Mapping[str, str | None],
    config: DuplicationConfig,
) -> Iterator[SourceStreams]:
    """Files that take part (not generated, not ignored, tests only when asked: a test-named
    module that library code imports is library code), sorted by path, with their units that
    are large enough and of a scope the contract compares."""
    ignores = [glob_to_regex(glob) for glob in config.ignore]
    kinds = {kind for kind, scope in SCOPE_OF_KIND.items() if scope in config.scopes}
    min_lines, min_tokens = config.min_lines, config.min_tokens
    library: set[str] | None = None  # computed on the first test-named module met
    for module in sorted(facts, key=lambda m: paths.get(m, m)):
        path = paths.get(module, module)
        data = facts[module].get_extra(FACT_KEY)
        if not data:
            continue
        generated, shingles, raw_units, fingerprint = data
        if generated or not raw_units:
            continue
        if not config.include_tests and is_test_path(path):
            if library is None:
                library = imported_by_library(facts, paths)
            if module not in library:
                continue
        if any(rx.match(path) for rx in ignores):
            continue
        component = component_of.get(module)
        # raw: (kind, name, line, end_line, start, end, lines, tokens, exact, renamed)
        units = tuple(
            CloneUnit(path, module, component, *raw)
            for raw in raw_units
            if raw[6] >= min_lines and raw[7] >= min_tokens and raw[0] in kinds
        )
        if units:
            yield SourceStreams(path, module, component, shingles, units, fingerprint)
