"""Near-miss (type 3) clone search: token shingles, an inverted index, no all-pairs comparison.

Each unit is the set of its *shingles* (runs of up to four consecutive tokens of the file's
near-miss stream, cut at a line end, where plain names and literals are abstracted; hashed by the extractor,
:func:`archguard.analysis.read.clones.shingle_bytes`). Two units are
near-miss clones when the Dice coefficient of their shingle sets reaches ``similarity``:

    similarity(A, B) = 2 |A & B| / (|A| + |B|)

(Measured on the labelled benchmark, Dice separates near-miss clones from unrelated code of
the same size better than SourcererCC's |A & B| / max(|A|, |B|): one inserted statement in a
12-line function costs it less, and unrelated functions stay far below; see
benchmarks/results/duplication.md.)

The search follows SourcererCC (Sajnani et al., ICSE 2016), with Dice's bounds:

- with ``t = similarity``, a pair needs ``|A & B| >= t (|A| + |B|) / 2``, so a unit ``X`` must
  share at least ``ceil(t |X| / (2 - t))`` shingles with any partner of its size or larger,
  and a partner of a larger unit ``A`` has at least ``t |A| / (2 - t)`` shingles (the size
  filter);
- a global order puts rare shingles first. Two units that share at least ``o`` shingles
  share one among the first ``|X| - o + 1`` of each (the prefix-filtering principle), and any
  lower bound of ``o`` known from one side alone will do for that side. Units are processed
  from the smallest to the largest: the current unit ``A`` looks up its first
  ``|A| - ceil(t |A| / (2 - t)) + 1`` shingles in the inverted index, then adds its first
  ``|A| - ceil(t |A|) + 1`` to it (as the smaller unit of any later pair, it shares at least
  ``t |A|`` shingles with its partner). No clone is lost, and common shingles, which sort
  last, never produce candidates;
- every candidate is no larger than the current unit, and each posting list is trimmed
  from its front once its units are too small for every later unit;
- a candidate is verified by intersecting the two shingle sets.

A unit with more than :data:`MAX_CANDIDATES` candidates (thousands of near-identical
generated functions) keeps those sharing the most prefix shingles; the count of such units
is reported (``SearchStats.capped``), so the cost stays linear even in that case.
"""

from __future__ import annotations

import math
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from itertools import chain
from operator import itemgetter
from typing import Protocol

from archguard.analysis.clones.model import SearchStats

MAX_CANDIDATES = 400  # candidates verified per unit, at most


def similar_pairs(
    items: Sequence[Sequence[int]],
    threshold: float,
    stats: SearchStats,
    skip: Callable[[int, int], bool] | None = None,
    max_candidates: int = MAX_CANDIDATES,
) -> list[tuple[int, int, float]]:
    """Pairs ``(i, j, similarity)`` of items whose overlap reaches ``threshold`` (i < j).

    Each item is a collection of distinct shingle ids (an ``array`` keeps it compact).
    ``skip(i, j)``: pairs never to report (a unit and the unit nested inside it).
    """
    if threshold <= 0:
        threshold = 1e-9
    frequency = Counter(chain.from_iterable(items))
    # Rare shingles first; ties broken by value, so the order is total and deterministic.
    ranked = sorted(frequency.items(), key=itemgetter(1, 0))
    rank = {shingle: position for position, (shingle, _count) in enumerate(ranked)}
    del ranked, frequency
    ordered = [array("q", sorted(map(rank.__getitem__, item))) for item in items]
    del rank
    size = [len(values) for values in ordered]
    sets: dict[int, frozenset[int]] = {}  # built when an item is first compared

    def shingle_set(item: int) -> frozenset[int]:
        found = sets.get(item)
        if found is None:
            found = sets[item] = frozenset(ordered[item])
        return found

    by_size = sorted(range(len(items)), key=lambda i: (size[i], i))
    index: dict[int, list[int]] = {}
    front: dict[int, int] = {}  # posting list -> first entry still large enough
    pairs: list[tuple[int, int, float]] = []
    for current in by_size:
        length = size[current]
        if length == 0:
            continue
        bound = math.ceil(threshold * length / (2 - threshold) - 1e-9)  # shared with any partner; smallest partner size
        values = ordered[current]
        prefix = values[: length - bound + 1]
        shared: dict[int, int] = {}
        for shingle in prefix:
            postings = index.get(shingle)
            if not postings:
                continue
            start = front.get(shingle, 0)
            while start < len(postings) and size[postings[start]] < bound:
                start += 1  # too small for this unit, so for every later (larger) one
            if start:
                front[shingle] = start
            for other in postings[start:]:
                shared[other] = shared.get(other, 0) + 1
        stats.candidates += len(shared)
        candidates = list(shared)
        if len(candidates) > max_candidates:
            stats.capped += 1
            candidates = sorted(candidates, key=lambda other: (-shared[other], other))[:max_candidates]
        mine = shingle_set(current)
        stats.comparisons += len(candidates)
        for other in candidates:
            overlap = len(mine & shingle_set(other))
            similarity = 2 * overlap / (length + size[other])
            if similarity >= threshold - 1e-12 and (skip is None or not skip(current, other)):
                left, right = (current, other) if current < other else (other, current)
                pairs.append((left, right, similarity))
        for shingle in values[: length - math.ceil(threshold * length - 1e-9) + 1]:
            index.setdefault(shingle, []).append(current)
    stats.near_pairs += len(pairs)
    return sorted(pairs)


class Items(Protocol):
    """What the incremental search reads of its items: a list of shingle collections will do,
    and so will a view that builds each item only when it is asked for."""

    def __getitem__(self, item: int, /) -> Sequence[int]: ...

    def __len__(self) -> int: ...


def postings_of(items: Iterable[Iterable[int]], wanted: set[int]) -> dict[int, list[int]]:
    """For each shingle of ``wanted``, the items that hold it (ascending)."""
    postings: dict[int, list[int]] = {shingle: [] for shingle in wanted}
    for position, values in enumerate(items):
        for shingle in wanted.intersection(values):
            postings[shingle].append(position)
    return postings


def pairs_with_added(
    items: Items,
    added: Sequence[int],
    threshold: float,
    stats: SearchStats,
    max_candidates: int = MAX_CANDIDATES,
    postings: Callable[[set[int]], dict[int, list[int]]] | None = None,
) -> list[tuple[int, int, float]] | None:
    """The pairs of :func:`similar_pairs` that involve at least one item of ``added``.

    The incremental search: the pairs among the other items are known from an earlier search
    (the similarity of two items depends on those two alone). Each added item ``A`` is looked
    up against every item through a one-sided prefix filter: a partner shares at least
    ``ceil(t |A| / (2 - t))`` of ``A``'s shingles whatever its size, so it holds one of ``A``'s
    ``|A| - ceil(t |A| / (2 - t)) + 1`` rarest ones (the pigeonhole principle holds for any
    order of ``A`` alone). The posting lists are complete for those shingles only.

    Returns None when an added item has more than ``max_candidates`` candidates: the whole
    search must run then, so that its cap decides which ones are compared, as it would without
    the earlier result.

    ``postings(wanted)``: the posting lists of those shingles over all items, when the caller
    can find them without building every item (default: :func:`postings_of` over the items).
    """
    if threshold <= 0:
        threshold = 1e-9
    prefixes: dict[int, list[int]] = {}
    wanted: set[int] = set()
    for item in added:
        wanted.update(items[item])
    scan = postings or (lambda shingles: postings_of(map(items.__getitem__, range(len(items))), shingles))
    index = scan(wanted)
    for item in added:
        values = sorted(set(items[item]), key=lambda shingle: (len(index[shingle]), shingle))
        length = len(values)
        bound = math.ceil(threshold * length / (2 - threshold) - 1e-9)
        prefixes[item] = values[: length - bound + 1] if length else []
    is_added = set(added)
    pairs: list[tuple[int, int, float]] = []
    for item in sorted(added):
        mine = frozenset(items[item])
        length = len(mine)
        found = {other for shingle in prefixes[item] for other in index[shingle]}
        found.discard(item)
        # A pair of two added items is looked up from the first of them only.
        candidates = sorted(other for other in found if other not in is_added or other > item)
        if len(candidates) > max_candidates:
            return None
        stats.candidates += len(candidates)
        stats.comparisons += len(candidates)
        for other in candidates:
            theirs = items[other]
            overlap = len(mine.intersection(theirs))
            similarity = 2 * overlap / (length + len(theirs))
            if similarity >= threshold - 1e-12:
                pairs.append((item, other, similarity) if item < other else (other, item, similarity))
    return sorted(pairs)
