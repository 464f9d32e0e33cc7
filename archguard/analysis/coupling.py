"""Coupling metrics per component: fan-in, fan-out and instability (Robert C. Martin).

- **fan-in** (afferent coupling, Ca): how many other components depend on this one;
- **fan-out** (efferent coupling, Ce): how many other components this one depends on;
- **instability** ``I = Ce / (Ca + Ce)``: 0 for a component everything leans on and that
  leans on nothing (stable), 1 for one that only depends on others (free to change).
  Undefined (``None``) for a component with no dependencies in either direction.

Counted on the component graph of the analysed code: component -> component edges, the
import sites they carry, never third-party packages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Coupling:
    """A component's coupling: fan-in, fan-out and import sites across its boundary."""

    component: str
    modules: int  # modules in the component
    fan_in: int  # components that import this one
    fan_out: int  # components this one imports
    imports_in: int  # import sites from other components into this one
    imports_out: int  # import sites from this one into other components

    @property
    def instability(self) -> float | None:
        total = self.fan_in + self.fan_out
        return self.fan_out / total if total else None


def coupling_metrics(
    edge_sites: Mapping[tuple[str, str], int],
    module_counts: Mapping[str, int],
    components: Iterable[str] | None = None,
) -> list[Coupling]:
    """Metrics for every component, in the given order (default: sorted by name).

    ``edge_sites``: ``(source, target) -> import sites`` between distinct components;
    ``module_counts``: modules per component. Self-edges are ignored.
    """
    names = list(components) if components is not None else sorted(set(module_counts))
    fan_in: dict[str, set[str]] = {name: set() for name in names}
    fan_out: dict[str, set[str]] = {name: set() for name in names}
    imports_in = dict.fromkeys(names, 0)
    imports_out = dict.fromkeys(names, 0)
    for (source, target), sites in edge_sites.items():
        if source == target or source not in fan_out or target not in fan_in or sites <= 0:
            continue
        fan_out[source].add(target)
        fan_in[target].add(source)
        imports_out[source] += sites
        imports_in[target] += sites
    return [
        Coupling(
            component=name,
            modules=module_counts.get(name, 0),
            fan_in=len(fan_in[name]),
            fan_out=len(fan_out[name]),
            imports_in=imports_in[name],
            imports_out=imports_out[name],
        )
        for name in names
    ]
