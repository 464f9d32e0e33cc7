"""Clone units and clone groups: plain immutable values."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

CloneType = Literal["exact", "renamed", "near-miss"]
# A unit's identity across edits: where it lives (module, kind, qualified name) and its
# normalised code, never its lines.
UnitKey = tuple[str, str, str, str]

SCOPE_OF_KIND = {"function": "functions", "method": "methods", "class": "classes", "block": "blocks"}


class CloneUnit(NamedTuple):
    """One code unit that takes part in clone detection.

    A named tuple, not a frozen dataclass: a warm run builds every unit of the tree (about
    7,000 on Django) to key the stored report, and a tuple is built ~10x faster."""

    path: str  # relative to the project root, posix
    module: str
    component: str | None  # None: the module is in no component
    kind: str  # function | method | class | block
    name: str  # "Model.save", "parse", "for in Model.save"
    line: int
    end_line: int
    start: int  # token range in the file's near-miss stream
    end: int
    lines: int  # lines that hold code (no blank, comment or docstring lines)
    tokens: int
    exact: str  # hash of the exact normalised code (type 1)
    renamed: str  # hash of the code with names renamed consistently and literals abstracted (type 2)

    @property
    def key(self) -> UnitKey:
        return (self.module, self.kind, self.name, self.renamed)

    @property
    def label(self) -> str:
        """``path:line `name``` as messages show it."""
        return f"{self.path}:{self.line} `{self.name}`"

    def contains(self, other: CloneUnit) -> bool:
        """True when ``other`` is this unit or nested inside it."""
        return self.path == other.path and self.start <= other.start and other.end <= self.end

    @property
    def sort_key(self) -> tuple[str, int, int]:
        return (self.path, self.line, -self.end_line)


@dataclass(frozen=True)
class CloneGroup:
    """Units that are clones of each other (two or more), sorted by location."""

    clone_type: CloneType
    similarity: float  # 1.0 for exact and renamed clones; else the lowest similarity that links the group
    units: tuple[CloneUnit, ...]
    # Units nested inside a larger reported clone: listed as locations, not reported again.
    covered: frozenset[UnitKey] = field(default_factory=frozenset)
    # Near-miss groups: the measured similarity of pairs of members, by renamed fingerprints
    # (sorted pair); members linked only through others have no entry.
    links: tuple[tuple[str, str, float], ...] = ()

    @property
    def fingerprint(self) -> str:
        """Identity of the group: its members' normalised code, never their lines."""
        parts = sorted(unit.renamed for unit in self.units)
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]

    @property
    def lines(self) -> int:
        return max(unit.lines for unit in self.units)

    @property
    def tokens(self) -> int:
        return max(unit.tokens for unit in self.units)

    @property
    def components(self) -> tuple[str, ...]:
        """The components the group spans (``""`` stands for code in no component)."""
        return tuple(sorted({unit.component or "" for unit in self.units}))

    @property
    def cross_component(self) -> bool:
        return len(self.components) > 1

    @property
    def reported(self) -> tuple[CloneUnit, ...]:
        """The units that get a finding: not nested in a larger reported clone."""
        return tuple(unit for unit in self.units if unit.key not in self.covered)

    def others(self, unit: CloneUnit) -> tuple[CloneUnit, ...]:
        return tuple(other for other in self.units if other is not unit)

    def relation(self, unit: CloneUnit, other: CloneUnit) -> tuple[CloneType, float]:
        """How two members are clones: exact, renamed, or near-miss with their similarity."""
        if unit.exact == other.exact:
            return "exact", 1.0
        if unit.renamed == other.renamed:
            return "renamed", 1.0
        pair = tuple(sorted((unit.renamed, other.renamed)))
        for left, right, similarity in self.links:
            if (left, right) == pair:
                return "near-miss", similarity
        return "near-miss", self.similarity

    @property
    def sort_key(self) -> tuple[object, ...]:
        """Cross-component groups first, then the largest, then by first location."""
        return (not self.cross_component, -self.tokens, -self.lines, self.units[0].sort_key)


@dataclass
class SearchStats:
    """What the search did: counts that show it scales (tests assert on them, not on time)."""

    files: int = 0
    units: int = 0  # units that passed the filters
    classes: int = 0  # distinct renamed fingerprints among them
    candidates: int = 0  # near-miss candidate pairs produced by the index
    comparisons: int = 0  # candidate pairs whose similarity was computed
    near_pairs: int = 0  # pairs at or above the similarity threshold
    capped: int = 0  # units whose candidate list was cut to the cap
    reused: int = 0  # similar pairs taken from the last search (only new code was compared)


@dataclass(frozen=True)
class CloneReport:
    groups: tuple[CloneGroup, ...]  # sorted: cross-component first, then largest first
    stats: SearchStats
