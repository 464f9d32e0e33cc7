"""Where a command's time goes: the wall-clock phases of one run (``check -v``, benchmarks).

A phase is a region of code (``with phase("parsing"): ...``). Phases nest: the time of a phase
is its own, without the phases inside it (as a profiler counts self time), so the phases of a
run add up to the time they cover, and what falls outside every phase is "other". The base
side of ``check --diff`` runs its own discovery, reading and rules: they count under the same
names. Start-up is the time from the import of this module (archguard's first moments in the
process; the interpreter's own start comes before) to the first phase.

A command calls :func:`begin_run` first: the first run of a process keeps the clock started
at import, a later one in the same process (tests, ``--watch``) starts it again.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

STARTED = time.perf_counter()

_own: dict[str, float] = {}  # phase -> its own seconds (nested phases excluded)
_stack: list[list[float]] = []  # per open phase: [its start, seconds of the phases inside it]
_first: list[float] = []  # when the first phase of the run started
_runs = 0  # runs begun in this process


@contextmanager
def phase(name: str) -> Iterator[None]:
    """Count the time of the block as ``name`` (less the phases inside it)."""
    started = time.perf_counter()
    if not _first:
        _first.append(started)
    _own.setdefault(name, 0.0)  # (phases are listed in the order the run first meets them)
    _stack.append([started, 0.0])
    try:
        yield
    finally:
        _, inside = _stack.pop()
        elapsed = time.perf_counter() - started
        _own[name] = _own.get(name, 0.0) + elapsed - inside
        if _stack:
            _stack[-1][1] += elapsed


def begin_run() -> None:
    """A command starts: count its phases alone (and, unless it is the process's first, from now)."""
    global _runs
    if _runs:
        reset()
    else:
        _own.clear()
        _stack.clear()
        _first.clear()
    _runs += 1


def reset() -> None:
    """Start counting a new run (``STARTED`` becomes now)."""
    global STARTED
    STARTED = time.perf_counter()
    _own.clear()
    _stack.clear()
    _first.clear()


def phases() -> dict[str, float]:
    """Seconds by phase so far, in the order a run meets them: start-up first, other last."""
    now = time.perf_counter()
    start_up = (_first[0] if _first else now) - STARTED
    counted = sum(_own.values())
    return {"start-up and imports": start_up, **_own, "other": max(0.0, now - STARTED - start_up - counted)}


def describe() -> str:
    """One line: ``start-up and imports 0.190 s · contract 0.071 s · ... · total 0.957 s``."""
    spent = phases()
    parts = [f"{name} {seconds:.3f} s" for name, seconds in spent.items()]
    return " · ".join([*parts, f"total {sum(spent.values()):.3f} s"])
