"""How often Python's cyclic garbage collector runs while archguard works.

An analysis is many long-lived objects (libcst trees while a file is parsed, then facts,
import sites, the graph) and almost no garbage cycles. At the default pace (a young
collection every 700 allocations, a full one after 100 young ones) the collector rescans
them over and over: about a quarter of a warm check on Django, and 10-15 % of extraction.
``ARCHGUARD_GC_DEFAULT=1`` keeps Python's default everywhere (to measure the difference).
"""

from __future__ import annotations

import gc
import os
from collections.abc import Iterator
from contextlib import contextmanager

GC_THRESHOLD = (100_000, 50, 100)  # Python's default: (700, 10, 10)


def default_pace() -> bool:
    return bool(os.environ.get("ARCHGUARD_GC_DEFAULT"))


@contextmanager
def fewer_collections() -> Iterator[None]:
    """Collect less often inside; the caller's thresholds are restored on exit."""
    if default_pace():
        yield
        return
    before = gc.get_threshold()
    gc.set_threshold(*(max(mine, theirs) for mine, theirs in zip(GC_THRESHOLD, before, strict=True)))
    try:
        yield
    finally:
        gc.set_threshold(*before)


def pace_this_process() -> None:
    """For a process that only runs archguard (the command line, a parsing worker): what is
    loaded so far (imported modules) is moved out of the collector's reach, and it runs less
    often from now on."""
    if default_pace():
        return
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLD)
