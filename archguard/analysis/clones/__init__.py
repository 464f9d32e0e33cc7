"""Duplication: clone groups from the per-file clone facts (:mod:`archguard.analysis.read.clones`).

The public API:

- :func:`find_clones` (facts, paths, components, ``[duplication]`` settings) -> :class:`CloneReport`
  with every maximal clone group, cross-component groups first, then the largest;
- :func:`added_clones` (report, ``is_new``) -> the clones a change adds, each with the
  existing code it duplicates; :func:`new_since` builds ``is_new`` from a base revision's
  units (:func:`collect_units` on the base's facts).
"""

from __future__ import annotations

from archguard.analysis.clones.detect import AddedClone, added_clones, collect_units, find_clones, new_since, unit_keys
from archguard.analysis.clones.model import CloneGroup, CloneReport, CloneType, CloneUnit, SearchStats, UnitKey
from archguard.analysis.clones.units import is_test_path

__all__ = [
    "AddedClone",
    "CloneGroup",
    "CloneReport",
    "CloneType",
    "CloneUnit",
    "SearchStats",
    "UnitKey",
    "added_clones",
    "collect_units",
    "find_clones",
    "is_test_path",
    "new_since",
    "unit_keys",
]
