"""``archguard diff``: the architecture delta between two revisions, as text or JSON (``archguard-diff/1``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from archguard import __version__
from archguard.analysis.coupling import Coupling
from archguard.gate.delta import Comparison
from archguard.gate.drift import coupling_json
from archguard.report import ReportOptions
from archguard.report.gate_text import print_diff_header, print_diff_sections, print_finding_line
from archguard.report.summary import plural
from archguard.report.text import Lines, finish

SCHEMA = "archguard-diff/1"


def coupling_rows(comparison: Comparison) -> list[tuple[str, Coupling | None, Coupling | None]]:
    """(component, before, after) for every component on either side, in contract order."""
    before, after = comparison.coupling()
    old = {c.component: c for c in before}
    new = {c.component: c for c in after}
    names = [c.component for c in after] + [c.component for c in before if c.component not in new]
    return [(name, old.get(name), new.get(name)) for name in names]


def diff_data(comparison: Comparison) -> dict[str, Any]:
    outcome = comparison.outcome
    return {
        "schema": SCHEMA,
        "archguard": __version__,
        **outcome.to_json(),
        "coupling": [
            {"component": name, "before": coupling_json(b) if b else None, "after": coupling_json(a) if a else None}
            for name, b, a in coupling_rows(comparison)
        ],
        "notes": list(comparison.notes),
    }


def render_json(comparison: Comparison, options: ReportOptions) -> str:
    return json.dumps(diff_data(comparison), indent=2, ensure_ascii=False) + "\n"


def _instability(coupling: Coupling | None) -> str:
    if coupling is None:
        return "-"
    value = coupling.instability
    return "-" if value is None else f"{value:.2f}"


def _counts(coupling: Coupling | None) -> str:
    return "-" if coupling is None else f"{coupling.fan_in}/{coupling.fan_out}"


def render_text(comparison: Comparison, options: ReportOptions) -> str:
    console = Lines()
    outcome = comparison.outcome
    console.print(("archguard diff", "bold"))
    print_diff_header(console, outcome)
    for note in comparison.notes:
        console.print(f"  note: {note}")
    console.print()
    if outcome.new:
        console.print(("new findings", "bold"), f" ({len(outcome.new)})")
        for finding in outcome.new:
            print_finding_line(console, finding)
    else:
        console.print(("new findings", "bold"), ": none")
    print_diff_sections(console, outcome)
    rows = coupling_rows(comparison)
    if rows:
        console.print()
        console.print(("coupling", "bold"), " (fan-in/fan-out: components; instability = fan-out / (fan-in + fan-out))")
        width = max(len(name) for name, _, _ in rows)
        console.print(f"  {'component'.ljust(width)}  {'before':>9}  {'after':>9}  {'instability':>16}")
        for name, before, after in rows:
            moved = _instability(before) + " -> " + _instability(after)
            mark = " " if _counts(before) == _counts(after) else "*"
            console.print(f"{mark} {name.ljust(width)}  {_counts(before):>9}  {_counts(after):>9}  {moved:>16}")
    console.print()
    errors = sum(1 for f in outcome.new if f.severity == "error")
    edges = len(outcome.edges)
    console.print(
        f"{plural(len(outcome.new), 'new finding')} ({errors} at error level), {len(outcome.resolved)} resolved, "
        f"{outcome.unchanged} unchanged; {edges} component {'dependency' if edges == 1 else 'dependencies'} changed"
    )
    return finish(console, options)


DiffRenderer = Callable[[Comparison, ReportOptions], str]
FORMATS: dict[str, DiffRenderer] = {"text": render_text, "json": render_json}
