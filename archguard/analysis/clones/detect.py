"""Clone groups from per-file clone facts: exact, renamed and near-miss, maximal only.

1. Units that pass the ``[duplication]`` filters (size, scope, tests, ignore globs, generated
   files) are grouped by their renamed fingerprint: equal fingerprints are exact (type 1) or
   renamed (type 2) clones. No pairwise comparison is needed for these.
2. One representative per fingerprint goes into the near-miss search
   (:mod:`archguard.analysis.clones.nearmiss`); similar pairs join their fingerprints' groups
   (union-find), so a group can hold exact copies and near-miss variants together.
3. Groups are kept from the largest down; a group whose every unit lies inside a unit of a
   kept group is a nested sub-clone of a reported clone and is dropped. A group that is only
   partly nested is kept, and its nested units are marked ``covered`` (listed as locations,
   never reported twice).
"""

from __future__ import annotations

import hashlib
import sys
from array import array
from collections.abc import Callable, Iterable, Mapping
from dataclasses import astuple, dataclass
from typing import Any, Protocol

from archguard.analysis.clones.model import CloneGroup, CloneReport, CloneType, CloneUnit, SearchStats, UnitKey
from archguard.analysis.clones.nearmiss import MAX_CANDIDATES, Items, pairs_with_added, postings_of, similar_pairs
from archguard.analysis.clones.units import SourceStreams, file_units
from archguard.analysis.read.clones import SHINGLE, shingle_window
from archguard.analysis.read.facts import FileFacts
from archguard.contract.models import DuplicationConfig

_BIG_ENDIAN = sys.byteorder == "big"
SEARCH_VERSION = 4  # bump when the search changes its results: stored reports are then ignored


def collect_units(
    facts: Mapping[str, FileFacts],
    paths: Mapping[str, str],
    component_of: Mapping[str, str | None],
    config: DuplicationConfig,
) -> tuple[list[CloneUnit], dict[str, bytes]]:
    """(units that take part, shingles by path)."""
    return _gather(list(file_units(facts, paths, component_of, config)))


def _gather(sources: list[SourceStreams]) -> tuple[list[CloneUnit], dict[str, bytes]]:
    units = [unit for source in sources for unit in source.units]
    return units, {source.path: source.shingles for source in sources}


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, item: int) -> int:
        root = item
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[item] != root:
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, left: int, right: int) -> None:
        a, b = self.find(left), self.find(right)
        if a != b:
            self.parent[max(a, b)] = min(a, b)


class ResultStore(Protocol):
    """Where a finished report may be kept between runs (:class:`archguard.analysis.cache.ResultCache`)."""

    def get(self, key: str) -> Any: ...

    def put(self, key: str, value: Any) -> None: ...


def find_clones(
    facts: Mapping[str, FileFacts],
    paths: Mapping[str, str],
    component_of: Mapping[str, str | None],
    config: DuplicationConfig,
    store: ResultStore | None = None,
    memory: ResultStore | None = None,
) -> CloneReport:
    """Every clone group of a tree, maximal only, sorted (cross-component first, then largest).

    With a ``store``, a report for exactly the same units and settings is read back instead
    of searched again (a warm run on an unchanged tree costs one hash over the units). With a
    ``memory``, the near-miss search reuses the pairs of the last search and compares only new
    code (see :func:`_near_miss_pairs`).
    """
    sources = list(file_units(facts, paths, component_of, config))
    units, streams = _gather(sources)
    key = ""
    if store is not None:
        key = _report_key(sources, config)
        cached = _decode(store.get(key), units)
        if cached is not None:
            return cached
    report = _search(units, streams, config, memory)
    if store is not None:
        store.put(key, _encode(report, units))
    return report


def _report_key(sources: list[SourceStreams], config: DuplicationConfig) -> str:
    """A hash of the search's inputs: each file that takes part (where it is, and its clone facts'
    fingerprint, computed once at extraction), the filters that chose its units, and the search's
    settings. Hashing the ~7,000 units of Django instead took 26 ms on every warm run.

    ``repr``, not ``marshal``: marshal's bytes depend on which equal strings are the same object
    (back-references), so the base side of a diff, whose facts come from two sources, would never
    find the report a check of the base stored."""
    filters = (config.min_lines, config.min_tokens, sorted(config.scopes))
    files = [(source.path, source.module, source.component, source.fingerprint) for source in sources]
    inputs = (SEARCH_VERSION, SHINGLE, MAX_CANDIDATES, config.similarity, filters, files)
    return hashlib.blake2b(repr(inputs).encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


def _encode(report: CloneReport, units: list[CloneUnit]) -> tuple[Any, ...]:
    position = {id(unit): index for index, unit in enumerate(units)}
    groups = tuple(
        (
            group.clone_type,
            group.similarity,
            tuple(position[id(unit)] for unit in group.units),
            tuple(position[id(unit)] for unit in group.units if unit.key in group.covered),
            group.links,
        )
        for group in report.groups
    )
    return (groups, astuple(report.stats))


def _decode(value: Any, units: list[CloneUnit]) -> CloneReport | None:
    """A stored report back into objects; None when it does not fit (then search again)."""
    if value is None:
        return None
    try:
        raw_groups, raw_stats = value
        groups = []
        for clone_type, similarity, members, covered, links in raw_groups:
            group_units = tuple(units[index] for index in members)
            covered_keys = frozenset(units[index].key for index in covered)
            groups.append(CloneGroup(clone_type, similarity, group_units, covered_keys, tuple(tuple(link) for link in links)))
        return CloneReport(tuple(groups), SearchStats(*raw_stats))
    except (TypeError, ValueError, IndexError):
        return None


def _search(
    units: list[CloneUnit], streams: Mapping[str, bytes], config: DuplicationConfig, memory: ResultStore | None = None
) -> CloneReport:
    stats = SearchStats(files=len(streams), units=len(units))
    by_fingerprint: dict[str, list[CloneUnit]] = {}
    for unit in sorted(units, key=lambda u: u.sort_key):
        by_fingerprint.setdefault(unit.renamed, []).append(unit)
    fingerprints = sorted(by_fingerprint)
    stats.classes = len(fingerprints)
    members = [by_fingerprint[fingerprint] for fingerprint in fingerprints]
    union = _UnionFind(len(members))
    similar: dict[int, dict[int, float]] = {}  # class -> similar class -> similarity
    if config.similarity < 1.0 and len(members) > 1:
        for left, right, similarity in _near_miss_pairs(members, streams, config.similarity, stats, memory):
            union.union(left, right)
            similar.setdefault(left, {})[right] = similarity
            similar.setdefault(right, {})[left] = similarity

    clusters: dict[int, list[int]] = {}
    for index in range(len(members)):
        clusters.setdefault(union.find(index), []).append(index)
    class_of = {id(unit): index for index, group in enumerate(members) for unit in group}

    candidates: list[CloneGroup] = []
    for indexes in clusters.values():
        group_units = [unit for index in indexes for unit in members[index]]
        if len(group_units) < 2:
            continue
        group_units = _outermost(group_units)
        if len(group_units) < 2:
            continue
        classes = sorted({class_of[id(unit)] for unit in group_units})
        clone_type: CloneType
        links: tuple[tuple[str, str, float], ...] = ()
        if len(classes) > 1:
            clone_type, similarity = "near-miss", _group_similarity(classes, similar)
            found: list[tuple[str, str, float]] = []
            in_group = set(classes)
            for left in classes:
                for right, value in similar.get(left, {}).items():
                    if left < right and right in in_group:
                        first, second = sorted((fingerprints[left], fingerprints[right]))
                        found.append((first, second, round(value, 4)))
            links = tuple(sorted(found))
        else:
            clone_type = "exact" if len({unit.exact for unit in group_units}) == 1 else "renamed"
            similarity = 1.0
        ordered = tuple(sorted(group_units, key=lambda u: u.sort_key))
        candidates.append(CloneGroup(clone_type, round(similarity, 4), ordered, links=links))
    return CloneReport(tuple(sorted(_maximal(candidates), key=lambda g: g.sort_key)), stats)


def _group_similarity(classes: list[int], similar: Mapping[int, Mapping[int, float]]) -> float:
    """How similar a group is: each member's best match inside the group, the lowest of those.

    Members linked only through units that were dropped as nested have no direct match; they
    do not lower the figure (and the group is still held together by the search).
    """
    members = set(classes)
    best = [max((value for other, value in similar.get(index, {}).items() if other in members), default=None) for index in classes]
    known = [value for value in best if value is not None]
    return min(known) if known else 1.0


def _outermost(units: list[CloneUnit]) -> list[CloneUnit]:
    """Drop units nested inside another unit of the same group (a near-miss chain can link them)."""
    ordered = sorted(units, key=lambda u: (u.path, u.start, -u.end))
    kept: list[CloneUnit] = []
    for unit in ordered:
        if kept and kept[-1].contains(unit):
            continue
        kept.append(unit)
    return kept


def _near_miss_pairs(
    members: list[list[CloneUnit]],
    streams: Mapping[str, bytes],
    threshold: float,
    stats: SearchStats,
    memory: ResultStore | None = None,
) -> list[tuple[int, int, float]]:
    """Similar pairs of fingerprint classes, through one representative unit per class.

    Classes whose near-miss token streams are identical (names renamed inconsistently) are
    linked directly, and only the first of them enters the index: thousands of such copies
    cost no comparison at all.

    With a ``memory`` (the cache), the similar pairs of the last search are kept by the content
    of their shingle windows, and a later search compares only the windows that are new
    (:func:`archguard.analysis.clones.nearmiss.pairs_with_added`): after a change to a few files the
    search costs a lookup per new unit, not a search of the whole tree.
    """
    keys: list[bytes] = []  # content of each item's window
    indexed: list[int] = []  # class index of each item
    spans: list[tuple[str, int, int]] = []  # each item's window: path, first shingle, end
    pairs: list[tuple[int, int, float]] = []
    first_with_stream: dict[bytes, int] = {}
    representatives = [group[0] for group in members]
    found: list[tuple[int, bytes, tuple[str, int, int]]] = []
    for index in sorted(range(len(representatives)), key=lambda i: (representatives[i].path, i)):
        unit = representatives[index]
        _, stop = shingle_window(unit.start, unit.end)
        # The window's bytes as stored (little-endian on every platform), not unpacked: most
        # windows are never unpacked when the search is incremental (see _Windows).
        key = hashlib.blake2b(streams[unit.path][4 * unit.start : 4 * stop], digest_size=_ITEM_KEY).digest()
        same = first_with_stream.setdefault(key, index)
        if same != index:
            pairs.append((min(same, index), max(same, index), 1.0))
            continue
        found.append((index, key, (unit.path, unit.start, stop)))
    for index, key, span in sorted(found, key=lambda entry: entry[0]):
        indexed.append(index)
        keys.append(key)
        spans.append(span)
    del found
    items = _Windows(streams, spans)

    def nested(left: int, right: int) -> bool:
        a, b = representatives[indexed[left]], representatives[indexed[right]]
        return a.contains(b) or b.contains(a)

    similar = _similar_items(items, keys, threshold, stats, memory, items.postings)
    kept = [(left, right, value) for left, right, value in similar if not nested(left, right)]
    stats.near_pairs = len(kept)
    pairs.extend((indexed[left], indexed[right], value) for left, right, value in kept)
    return pairs


_ITEM_KEY = 16  # bytes of an item's content key


def _memory_key(threshold: float) -> str:
    return f"pairs/{SEARCH_VERSION}/{SHINGLE}/{MAX_CANDIDATES}/{threshold!r}"


class _Windows:
    """The items of the near-miss search: the distinct shingles of each window, unpacked from
    the file's stream when first asked for. After a small change the incremental search builds
    the new items and their candidates only; every other window is scanned once, raw, for the
    posting lists of the new items' shingles (Django: 0.13-0.19 s of building every item and
    0.05-0.07 s of scanning them, down to 0.1 s of scanning raw windows)."""

    def __init__(self, streams: Mapping[str, bytes], spans: list[tuple[str, int, int]]) -> None:
        self._streams = streams
        self._spans = spans
        self._files: dict[str, array[int]] = {}
        self._items: dict[int, array[int]] = {}

    def __len__(self) -> int:
        return len(self._spans)

    def __getitem__(self, item: int) -> array[int]:
        found = self._items.get(item)
        if found is None:
            found = self._items[item] = array("I", set(self._window(item)))
        return found

    def postings(self, wanted: set[int]) -> dict[int, list[int]]:
        """:func:`archguard.analysis.clones.nearmiss.postings_of` over the raw windows (repeats and all)."""
        return postings_of(map(self._window, range(len(self._spans))), wanted)

    def _window(self, item: int) -> array[int]:
        path, start, stop = self._spans[item]
        shingles = self._files.get(path)
        if shingles is None:
            shingles = self._files[path] = array("I")
            shingles.frombytes(self._streams[path])
            if _BIG_ENDIAN:
                shingles.byteswap()
        return shingles[start:stop]


def _similar_items(
    items: Items,
    keys: list[bytes],
    threshold: float,
    stats: SearchStats,
    memory: ResultStore | None,
    postings: Callable[[set[int]], dict[int, list[int]]] | None = None,
) -> list[tuple[int, int, float]]:
    """Every similar pair of items: from the last search's pairs plus a lookup of the new items
    when the memory has a usable result, else from a whole search. Either way the result is
    stored for the next run (unless the whole search had to cap a candidate list: its pairs
    then depend on the order of the whole tree, and cannot be reused)."""
    similar: list[tuple[int, int, float]] | None = None
    remembered = _recall(memory.get(_memory_key(threshold)) if memory is not None else None)
    if remembered is not None:
        old_keys, old_pairs = remembered
        position = {key: index for index, key in enumerate(keys)}
        added = [index for index, key in enumerate(keys) if key not in old_keys]
        if len(added) <= max(_MAX_ADDED, len(keys) // 5):
            similar = pairs_with_added(items, added, threshold, stats, postings=postings)
        if similar is not None:
            reused = []
            for left_key, right_key, value in old_pairs:
                left, right = position.get(left_key), position.get(right_key)
                if left is not None and right is not None:
                    reused.append((left, right, value) if left < right else (right, left, value))
            stats.reused = len(reused)
            similar = sorted(similar + reused)
    if similar is None:
        similar = similar_pairs([items[item] for item in range(len(items))], threshold, stats)
    if memory is not None and not stats.capped:
        memory.put(_memory_key(threshold), (b"".join(keys), [(left, right, value) for left, right, value in similar]))
    return similar


_MAX_ADDED = 200  # new items looked up one by one, at most (or a fifth of the tree, if more)


def _recall(value: Any) -> tuple[frozenset[bytes], list[tuple[bytes, bytes, float]]] | None:
    """A stored search result: (item keys, similar pairs by key); None when absent or unusable."""
    try:
        blob, raw_pairs = value
        if not isinstance(blob, bytes) or len(blob) % _ITEM_KEY:
            return None
        keys = [blob[offset : offset + _ITEM_KEY] for offset in range(0, len(blob), _ITEM_KEY)]
        pairs = [(keys[left], keys[right], float(similarity)) for left, right, similarity in raw_pairs]
    except (TypeError, ValueError, IndexError):
        return None
    return frozenset(keys), pairs


def _maximal(groups: list[CloneGroup]) -> list[CloneGroup]:
    """Keep groups from the largest down; drop those nested entirely in kept ones."""
    kept: list[CloneGroup] = []
    kept_units: dict[str, list[CloneUnit]] = {}
    for group in sorted(groups, key=lambda g: (-g.tokens, -g.lines, g.units[0].sort_key)):
        covered = frozenset(
            unit.key for unit in group.units if any(outer.contains(unit) for outer in kept_units.get(unit.path, ()))
        )
        if len(covered) == len(group.units):
            continue
        if covered:
            group = CloneGroup(group.clone_type, group.similarity, group.units, covered, group.links)
        kept.append(group)
        for unit in group.units:
            kept_units.setdefault(unit.path, []).append(unit)
    return kept


# -- diff mode ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AddedClone:
    """New code that duplicates other code: what a change adds."""

    unit: CloneUnit  # the new unit
    existing: tuple[CloneUnit, ...]  # units of its group that were there before the change
    also_new: tuple[CloneUnit, ...]  # other new units of the same group
    group: CloneGroup


def added_clones(report: CloneReport, is_new: Callable[[CloneUnit], bool]) -> list[AddedClone]:
    """The clones a change adds: for every reported unit that ``is_new``, what it duplicates.

    ``is_new`` decides which units the change added, e.g. :func:`new_since` (units whose
    location did not exist in the base revision) or a test on changed line ranges.
    """
    added: list[AddedClone] = []
    for group in report.groups:
        fresh = [unit for unit in group.units if is_new(unit)]
        if not fresh:
            continue
        old = tuple(unit for unit in group.units if not is_new(unit))
        for unit in fresh:
            if unit.key in group.covered:
                continue
            added.append(AddedClone(unit, old, tuple(u for u in fresh if u is not unit), group))
    return added


def unit_keys(units: Iterable[CloneUnit]) -> frozenset[UnitKey]:
    """Identities (module, kind, name, renamed fingerprint) of units, e.g. of a base revision."""
    return frozenset(unit.key for unit in units)


def new_since(base: Iterable[CloneUnit], *, by: str = "location") -> Callable[[CloneUnit], bool]:
    """A predicate for :func:`added_clones`: is a unit new compared with the base's units?

    ``by="location"``: new when no unit of the same module, kind and qualified name existed
    (added code only). ``by="code"``: also when its normalised code changed (added or
    modified code).
    """
    if by == "code":
        keys = unit_keys(base)
        return lambda unit: unit.key not in keys
    if by != "location":
        raise ValueError(f"by must be 'location' or 'code', not {by!r}")
    locations = frozenset(unit.key[:3] for unit in base)
    return lambda unit: unit.key[:3] not in locations
