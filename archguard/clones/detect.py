"""Clone groups from per-file clone facts: exact, renamed and near-miss, maximal only.

1. Units that pass the ``[duplication]`` filters (size, scope, tests, ignore globs, generated
   files) are grouped by their renamed fingerprint: equal fingerprints are exact (type 1) or
   renamed (type 2) clones. No pairwise comparison is needed for these.
2. One representative per fingerprint goes into the near-miss search
   (:mod:`archguard.clones.nearmiss`); similar pairs join their fingerprints' groups
   (union-find), so a group can hold exact copies and near-miss variants together.
3. Groups are kept from the largest down; a group whose every unit lies inside a unit of a
   kept group is a nested sub-clone of a reported clone and is dropped. A group that is only
   partly nested is kept, and its nested units are marked ``covered`` (listed as locations,
   never reported twice).
"""

from __future__ import annotations

import hashlib
import marshal
import sys
from array import array
from collections.abc import Callable, Iterable, Mapping
from dataclasses import astuple, dataclass
from typing import Any, Protocol

from archguard.clones.model import CloneGroup, CloneReport, CloneType, CloneUnit, SearchStats, UnitKey
from archguard.clones.nearmiss import MAX_CANDIDATES, similar_pairs
from archguard.clones.units import file_units
from archguard.contract.models import DuplicationConfig
from archguard.extract.clones import SHINGLE
from archguard.extract.facts import FileFacts

_BIG_ENDIAN = sys.byteorder == "big"
SEARCH_VERSION = 3  # bump when the search changes its results: stored reports are then ignored


def collect_units(
    facts: Mapping[str, FileFacts],
    paths: Mapping[str, str],
    component_of: Mapping[str, str | None],
    config: DuplicationConfig,
) -> tuple[list[CloneUnit], dict[str, bytes]]:
    """(units that take part, shingles by path)."""
    units: list[CloneUnit] = []
    streams: dict[str, bytes] = {}
    for source in file_units(facts, paths, component_of, config):
        units.extend(source.units)
        streams[source.path] = source.shingles
    return units, streams


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
    """Where a finished report may be kept between runs (:class:`archguard.cache.ResultCache`)."""

    def get(self, key: str) -> Any: ...

    def put(self, key: str, value: Any) -> None: ...


def find_clones(
    facts: Mapping[str, FileFacts],
    paths: Mapping[str, str],
    component_of: Mapping[str, str | None],
    config: DuplicationConfig,
    store: ResultStore | None = None,
) -> CloneReport:
    """Every clone group of a tree, maximal only, sorted (cross-component first, then largest).

    With a ``store``, a report for exactly the same units and settings is read back instead
    of searched again (a warm run on an unchanged tree costs one hash over the units).
    """
    units, streams = collect_units(facts, paths, component_of, config)
    key = ""
    if store is not None:
        key = _report_key(units, config)
        cached = _decode(store.get(key), units)
        if cached is not None:
            return cached
    report = _search(units, streams, config)
    if store is not None:
        store.put(key, _encode(report, units))
    return report


def _report_key(units: list[CloneUnit], config: DuplicationConfig) -> str:
    inputs = (SEARCH_VERSION, SHINGLE, MAX_CANDIDATES, config.similarity, [unit.as_tuple() for unit in units])
    return hashlib.blake2b(marshal.dumps(inputs), digest_size=16).hexdigest()


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


def _search(units: list[CloneUnit], streams: Mapping[str, bytes], config: DuplicationConfig) -> CloneReport:
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
        for left, right, similarity in _near_miss_pairs(members, streams, config.similarity, stats):
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
    members: list[list[CloneUnit]], streams: Mapping[str, bytes], threshold: float, stats: SearchStats
) -> list[tuple[int, int, float]]:
    """Similar pairs of fingerprint classes, through one representative unit per class.

    Classes whose near-miss token streams are identical (names renamed inconsistently) are
    linked directly, and only the first of them enters the index: thousands of such copies
    cost no comparison at all.
    """
    items: list[array[int]] = []
    indexed: list[int] = []  # class index of each item
    pairs: list[tuple[int, int, float]] = []
    first_with_stream: dict[int, int] = {}
    representatives = [group[0] for group in members]
    # File by file, so only one file's shingles are unpacked at a time.
    by_file = sorted(range(len(representatives)), key=lambda i: (representatives[i].path, i))
    current_path = ""
    file_shingles = array("I")
    found: list[tuple[int, array[int]]] = []
    for index in by_file:
        unit = representatives[index]
        if unit.path != current_path:
            current_path = unit.path
            file_shingles = array("I")
            file_shingles.frombytes(streams[unit.path])
            if _BIG_ENDIAN:
                file_shingles.byteswap()
        window = file_shingles[unit.start : max(unit.start, unit.end - SHINGLE + 1)]
        same = first_with_stream.setdefault(hash(window.tobytes()), index)
        if same != index:
            pairs.append((min(same, index), max(same, index), 1.0))
            continue
        found.append((index, array("I", set(window))))
    del file_shingles
    for index, item in sorted(found, key=lambda pair: pair[0]):
        indexed.append(index)
        items.append(item)
    del found

    def nested(left: int, right: int) -> bool:
        a, b = representatives[indexed[left]], representatives[indexed[right]]
        return a.contains(b) or b.contains(a)

    for left, right, similarity in similar_pairs(items, threshold, stats, nested):
        pairs.append((indexed[left], indexed[right], similarity))
    return pairs


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
