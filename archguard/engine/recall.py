"""An evaluation's outcome, kept between runs by the inputs it is a pure function of.

:func:`archguard.engine.pipeline.evaluate` runs the contract's rules on an analysis. What it
returns (the findings after pragmas, the suppressions, and the ignored-import counts that
import-linter's contracts keep for the reports) depends only on: archguard's code and the
Python version (the standard library's module names), the loaded contract, the discovery (root,
source roots, packages, each file's module name and path, the discovery problems), the packages
found outside the roots, and each file's facts. A run whose inputs are all those of an earlier
run takes that run's outcome instead of evaluating again: an edit that leaves a file's facts
as they were (a comment, code that moves no import or definition), or the base side of
``check --diff`` when a check of the base left its outcome.

The key is a digest of all of those inputs; a file's facts enter it through a digest of the
facts themselves (not of the file's bytes), so an edit that changes the bytes but not the facts
finds the entry. Computing the facts' digest of every file on every run would cost as much as
what it saves (clone fingerprints make facts large), so the digest of each file's facts is kept
by the content hash of its bytes (:class:`FactsDigests`): only the facts of files whose bytes
were never seen are digested. Facts reused from another tree's analysis (``check --diff``'s base
takes the head's facts of unchanged files) are known by object: :func:`remember_content`.

Entries are written with the other results (:class:`archguard.analysis.cache.ResultCache`:
checksummed ``marshal``, private files, the latest few kept). Findings are stored as plain
values naming their classes (only the finding classes below); an entry that does not decode,
or names another class, is ignored and the rules run.
"""

from __future__ import annotations

import dataclasses
import hashlib
import sys
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from archguard.analysis.cache import ResultCache
from archguard.analysis.read.facts import FileFacts, cacheable
from archguard.base.integrity import code_fingerprint
from archguard.contract.cache import to_plain
from archguard.findings import Edit, Finding, Hop, Related, Remedy, Suppression

if TYPE_CHECKING:
    from archguard.engine.pipeline import Analysis
    from archguard.rules.base import Rule

FORMAT = 1
_CLASSES: dict[str, type[Any]] = {cls.__name__: cls for cls in (Finding, Hop, Edit, Related, Remedy, Suppression)}
_CLASS = "\x00class"  # a dataclass in the plain form: {_CLASS: name, _FIELDS: [values]}
_FIELDS = "\x00fields"
_FIELD_NAMES: dict[type[Any], tuple[str, ...]] = {cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in _CLASSES.values()}
_SCALARS = frozenset({str, int, float, bool, type(None)})
# Facts objects whose bytes' content hash is known in this process (by object identity; the
# object is held so that its id is not reused): the head's facts that check --diff's base reuses.
_CONTENT: dict[int, tuple[FileFacts, str]] = {}
_CONTENT_LIMIT = 200_000


def remember_content(facts: FileFacts, digest: str) -> None:
    """Note that ``facts`` were extracted from bytes with this content hash."""
    if len(_CONTENT) >= _CONTENT_LIMIT:
        _CONTENT.clear()  # a long-lived process: forget, the digests are computed again
    _CONTENT[id(facts)] = (facts, digest)


def content_of(facts: FileFacts) -> str | None:
    entry = _CONTENT.get(id(facts))
    return entry[1] if entry is not None and entry[0] is facts else None


def facts_digest(facts: FileFacts) -> str:
    """A digest of the facts that evaluation reads (equal facts, equal digest: ``repr`` of plain
    values is the same in every process, unlike ``marshal``, whose bytes depend on object
    sharing). Every fact but the file's line count, which no rule reads (a test holds the rules
    to that): a line added at the end of a file changes no finding."""
    plain = dataclasses.replace(facts, line_count=0).to_tuple()
    return hashlib.blake2b(repr(plain).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class FactsDigests:
    """The digest of the facts of files by the content hash of their bytes, for one extractor setting."""

    def __init__(self, directory: Path, extractor: str) -> None:
        self.store = ResultCache(directory, "facts-digests")
        self.key = hashlib.blake2b(f"{FORMAT}\x00{extractor}".encode(), digest_size=16).hexdigest()
        stored = self.store.get(self.key)
        self.known: dict[str, str] = dict(stored) if isinstance(stored, dict) else {}  # (a copy: the read file stays as read)
        self.used: dict[str, str] = {}
        self.added = False

    def digest(self, content: str | None, facts: FileFacts) -> str:
        # ("too-large:..."/"unreadable:..." name no bytes; a crashed worker's facts are not the bytes')
        if content is not None and ":" not in content and cacheable(facts):
            known = self.known.get(content)
            if known is None:
                known = self.known[content] = facts_digest(facts)
                self.added = True
            self.used[content] = known
            return known
        return facts_digest(facts)

    def save(self) -> None:
        """Keep the digests of this run's files (and older ones, up to three times as many)."""
        if not self.added:
            return
        kept = dict(self.used)
        for content, digest in self.known.items():
            if len(kept) >= 3 * max(len(self.used), 1000):
                break
            kept.setdefault(content, digest)
        self.store.put(self.key, kept)


def _describe(value: Any) -> str:
    return repr(to_plain(value))


@dataclasses.dataclass(frozen=True)
class EvaluationKey:
    """Where an evaluation's outcome is kept: ``contract`` digests archguard's code and the
    loaded contract (the entry's file: one per contract), ``key`` everything (the entry)."""

    contract: str
    key: str


def evaluation_key(analysis: Analysis, elsewhere: dict[str, str]) -> EvaluationKey:
    """The digest of everything an evaluation of ``analysis`` depends on (see the module's docstring)."""
    loaded = analysis.loaded
    discovery = analysis.discovery
    digest = hashlib.blake2b(digest_size=20)

    def add(text: str) -> None:
        digest.update(text.encode("utf-8", "surrogatepass"))
        digest.update(b"\x00")

    add(f"{FORMAT}\x00{code_fingerprint(Path(__file__).resolve().parent.parent)}\x00{sys.version_info[:2]}")
    add(f"{type(loaded).__module__}.{type(loaded).__qualname__}\x00{loaded.dialect}\x00{loaded.display_path}\x00{loaded.relpath}")
    for field in dataclasses.fields(loaded):
        if field.name != "notice":  # (said on the first line of output; no rule reads it)
            add(f"{field.name}={_describe(getattr(loaded, field.name))}")
    contract = digest.copy().hexdigest()[:16]
    add(repr((str(discovery.root), discovery.roots, discovery.packages, sorted(elsewhere.items()))))
    add(repr([(p.relpath, p.kind, p.message) for p in discovery.problems]))
    add(analysis.stats.extractor)
    facts_digests = FactsDigests(analysis.cache_dir, analysis.stats.extractor) if analysis.cache_dir is not None else None
    contents = analysis.stats.digests
    lines = []  # (one update for every file: the bytes add() would give, a line at a time)
    for file in discovery.files:
        facts = analysis.facts[file.module]
        content = contents.get(file.module) or content_of(facts)
        one = facts_digests.digest(content, facts) if facts_digests is not None else facts_digest(facts)
        lines.append(f"{file.module}\x00{file.relpath}\x00{file.is_package}\x00{one}\x00")
    digest.update("".join(lines).encode("utf-8", "surrogatepass"))
    if facts_digests is not None:
        facts_digests.save()
    return EvaluationKey(contract, digest.hexdigest())


ComponentEdges = dict[tuple[str, str], tuple[int, int]]


def recall(directory: Path, key: EvaluationKey, rules: list[Rule]) -> tuple[list[Finding], list[Suppression], int, ComponentEdges | None] | None:
    """The findings and suppressions an evaluation with this key returned, the analysis's count
    of imports and its component edges (None when an older record has none), with the rules'
    ignored-import counts set as that evaluation left them; None when none is kept."""
    stored = ResultCache(directory, f"evaluation-{key.contract}").get(key.key)
    try:
        names, counts, findings, suppressed, imports = stored[:5]
        if not isinstance(imports, int):
            return None
        edges = _edges(stored[5]) if len(stored) > 5 and stored[5] is not None else None
        if list(names) != [rule.name for rule in rules] or len(counts) != len(rules):
            return None
        found = [_from_plain(item) for item in findings]
        silenced = [_from_plain(item) for item in suppressed]
    except (TypeError, ValueError, KeyError):
        return None
    if not all(isinstance(f, Finding) for f in found) or not all(isinstance(s, Suppression) for s in silenced):
        return None
    for rule, count in zip(rules, counts, strict=True):
        if count is not None:
            rule.ignored_import_count = count  # type: ignore[attr-defined]
    return found, silenced, imports, edges


def _edges(stored: Any) -> ComponentEdges | None:
    """Component edges as :func:`remember` keeps them (rows of source, target, sites, module edges)."""
    edges: ComponentEdges = {}
    for source, target, sites, module_edges in stored:
        if not (isinstance(source, str) and isinstance(target, str) and isinstance(sites, int) and isinstance(module_edges, int)):
            return None
        edges[(source, target)] = (sites, module_edges)
    return edges


def remember(
    directory: Path,
    key: EvaluationKey,
    rules: list[Rule],
    findings: list[Finding],
    suppressed: list[Suppression],
    imports: int,
    edges: ComponentEdges | None = None,
) -> None:
    """Keep an evaluation's outcome under its key (nothing when a value is not plain data)."""
    try:
        value = (
            [rule.name for rule in rules],
            [getattr(rule, "ignored_import_count", None) for rule in rules],
            [_to_plain(f) for f in findings],
            [_to_plain(s) for s in suppressed],
            imports,
            None if edges is None else [[source, target, sites, module_edges] for (source, target), (sites, module_edges) in edges.items()],
        )
    except TypeError:
        return
    ResultCache(directory, f"evaluation-{key.contract}").put(key.key, value)


def _to_plain(value: Any) -> Any:
    """Findings as plain values: a finding class becomes a dict naming it (no other dict occurs)."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is tuple:
        return tuple([item if type(item) in _SCALARS else _to_plain(item) for item in value])
    names = _FIELD_NAMES.get(kind)
    if names is not None:
        return {_CLASS: kind.__name__, _FIELDS: [item if type(item) in _SCALARS else _to_plain(item) for item in map(getattr, repeat(value), names)]}
    if isinstance(value, str | int | float):  # (a subclass: an enum's value)
        return value
    if isinstance(value, tuple):
        return tuple(_to_plain(item) for item in value)
    raise TypeError(f"not plain data: {kind.__name__}")


def _from_plain(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        cls = _CLASSES[value[_CLASS]]
        return cls(*[_from_plain(item) if type(item) in _NESTED else item for item in value[_FIELDS]])
    if kind is tuple:
        return tuple([_from_plain(item) if type(item) in _NESTED else item for item in value])
    if value is None or kind in (str, int, float, bool):
        return value
    raise TypeError(f"not plain data: {kind.__name__}")


_NESTED = (dict, tuple)
