"""Near-miss (type 3) clone search: token shingles, an inverted index, no all-pairs comparison.

Each unit is the set of its *shingles* (runs of :data:`SHINGLE` consecutive tokens of the
file's near-miss stream, where plain names and literals are abstracted). Two units are
near-miss clones when they share at least ``similarity`` of the larger one's shingles:

    overlap(A, B) = |A & B| / max(|A|, |B|)  >=  similarity

The search follows SourcererCC (Sajnani et al., ICSE 2016):

- a global order puts rare shingles first; only the first ``|A| - ceil(similarity*|A|) + 1``
  shingles of a unit (its *prefix*) go into the inverted index: two units that reach the
  threshold must share a shingle in their prefixes (the prefix-filtering principle), so no
  clone is lost and common shingles never produce candidates;
- units are processed from the smallest to the largest and a candidate must have at least
  ``similarity`` times the current unit's size (the size filter), which also trims each
  posting list from its front once its units are too small for every later unit;
- a candidate is verified by intersecting the two shingle sets.

A unit with more than :data:`MAX_CANDIDATES` candidates (thousands of near-identical
generated functions) keeps those sharing the most prefix shingles; the count of such units
is reported (``SearchStats.capped``), so the cost stays linear even in that case.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence
from itertools import chain
from operator import itemgetter

from archguard.clones.model import SearchStats

SHINGLE = 4  # tokens per shingle
MAX_CANDIDATES = 400  # candidates verified per unit, at most


def shingles(token_ids: Sequence[int]) -> list[int]:
    """The shingle ids of a token id sequence: one per position (hashes of int tuples are stable)."""
    return list(map(hash, zip(*(token_ids[offset:] for offset in range(SHINGLE)), strict=False)))


def similar_pairs(
    items: Sequence[frozenset[int]],
    threshold: float,
    stats: SearchStats,
    skip: Callable[[int, int], bool] | None = None,
) -> list[tuple[int, int, float]]:
    """Pairs ``(i, j, similarity)`` of items whose overlap reaches ``threshold`` (i < j).

    ``skip(i, j)``: pairs never to report (a unit and the unit nested inside it).
    """
    if threshold <= 0:
        threshold = 1e-9
    frequency = Counter(chain.from_iterable(items))
    # Rare shingles first; ties broken by value, so the order is total and deterministic.
    ranked = sorted(frequency.items(), key=itemgetter(1, 0))
    rank = {shingle: position for position, (shingle, _count) in enumerate(ranked)}
    del ranked, frequency
    ordered = [sorted(map(rank.__getitem__, item)) for item in items]
    sets = [frozenset(values) for values in ordered]
    by_size = sorted(range(len(items)), key=lambda i: (len(ordered[i]), i))
    size = [len(values) for values in ordered]
    index: dict[int, list[int]] = {}
    front: dict[int, int] = {}  # posting list -> first entry still large enough
    pairs: list[tuple[int, int, float]] = []
    for current in by_size:
        length = size[current]
        if length == 0:
            continue
        needed = math.ceil(threshold * length - 1e-9)  # shared shingles for the pair to count
        smallest = needed  # a smaller candidate could not share `needed` shingles
        prefix = ordered[current][: length - needed + 1]
        shared: Counter[int] = Counter()
        for shingle in prefix:
            postings = index.get(shingle)
            if not postings:
                continue
            start = front.get(shingle, 0)
            while start < len(postings) and size[postings[start]] < smallest:
                start += 1
            if start:
                front[shingle] = start
            shared.update(postings[start:])
        stats.candidates += len(shared)
        candidates = list(shared)
        if len(candidates) > MAX_CANDIDATES:
            stats.capped += 1
            candidates = [other for other, _count in sorted(shared.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_CANDIDATES]]
        mine = sets[current]
        for other in candidates:
            if skip is not None and skip(current, other):
                continue
            stats.comparisons += 1
            overlap = len(mine & sets[other])
            if overlap >= needed:
                similarity = overlap / length
                left, right = (current, other) if current < other else (other, current)
                pairs.append((left, right, similarity))
        for shingle in prefix:
            index.setdefault(shingle, []).append(current)
    stats.near_pairs += len(pairs)
    return sorted(pairs)
