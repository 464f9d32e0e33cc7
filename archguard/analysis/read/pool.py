"""Extraction of many files, in a process pool when there is enough work to share.

Workers are forked from a fork server (never from the main process, which may run a
progress thread). If a worker dies (the native parser can crash on pathological input),
the files of its batch are retried one by one in fresh processes and the file that crashes
becomes a ``parse-error`` finding; the run goes on.

The fork server and the workers die with this process, however it ends (``kill -9``
included: :mod:`archguard.analysis.read.lifeline`); Ctrl-C (KeyboardInterrupt) kills the
workers at once and is raised again, with no facts saved (the cache stays as it was).
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from archguard.analysis.read import extract_facts
from archguard.analysis.read.facts import CRASHED, FileFacts, ParseProblem
from archguard.analysis.read.lifeline import OWNER_ENV
from archguard.base.gcpace import fewer_collections, pace_this_process

if TYPE_CHECKING:  # (multiprocessing is imported only when a pool starts: a small change is read here)
    from concurrent.futures import Future, ProcessPoolExecutor

# Bytes of source per worker below which starting processes costs more than it saves.
# Measured with the fast reader (benchmarks/results/pool.md): on a loaded two-core machine two
# workers pay from about 1.5 MB of source (0.8x of one process), and cost more below 800 KB
# (a fork server, then the workers, for a parse that one process does in well under a second).
# So a change of a few dozen files is read in this process.
MIN_BYTES_PER_WORKER = 400_000
# The same without clone fingerprints, where the bodies that cannot import are left unparsed
# (analysis.read.elide): a byte costs about a fifth as much, the pool as much as before. A diff
# of ten SQLAlchemy files (1.0 MB) took 0.42-0.45 s in this process, 0.51-0.54 s with two workers.
MIN_BYTES_PER_WORKER_UNPARSED_BODIES = 2_000_000


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


# Test hook: a worker that meets this marker in a file dies, as if the native parser crashed
# (and the pool is used whatever the amount of work, since that is what is tested).
_CRASH_MARKER = os.environ.get("ARCHGUARD_TEST_CRASH_MARKER", "").encode()


def pool_size(sources: Sequence[bytes], jobs: int, clones: bool = True) -> int:
    """How many worker processes to start for these sources (1: none, extract here)."""
    return _workers([len(data) for data in sources], jobs, clones)


def _workers(sizes: Sequence[int], jobs: int, clones: bool = True) -> int:
    per_worker = 1 if _CRASH_MARKER else MIN_BYTES_PER_WORKER if clones else MIN_BYTES_PER_WORKER_UNPARSED_BODIES
    return max(1, min(jobs, len(sizes), sum(sizes) // per_worker))


def _extract_batch(batch: list[bytes], clones: bool = True) -> list[tuple[Any, ...]]:
    if _CRASH_MARKER and any(_CRASH_MARKER in data for data in batch):
        os._exit(70)
    return [extract_facts(data, clones).to_tuple() for data in batch]


def _context() -> Any:
    import multiprocessing

    method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() and sys.platform != "darwin" else "spawn"
    context = multiprocessing.get_context(method)
    # The processes started from here know their owner (see archguard.analysis.read.lifeline).
    os.environ[OWNER_ENV] = str(os.getpid())
    if method == "forkserver":
        preload = [
            "archguard.analysis.read.lifeline",
            "archguard.analysis.read",
            "archguard.analysis.read.fast",
            "archguard.analysis.read.elide",
            "archguard.analysis.read.clones",
        ]
        context.set_forkserver_preload(preload)
    return context


def _start_worker(owner: int) -> None:
    """Each worker's initializer: it dies with its parent and with ``owner``, ignores Ctrl-C."""
    from archguard.analysis.read.lifeline import start_worker

    start_worker(owner)
    pace_this_process()


def _executor(workers: int) -> ProcessPoolExecutor:
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(max_workers=workers, mp_context=_context(), initializer=_start_worker, initargs=(os.getpid(),))


def _stop(executor: ProcessPoolExecutor) -> None:
    """Kill the workers now (an interrupted run does not wait for their batches)."""
    processes = dict(getattr(executor, "_processes", None) or {})
    for process in processes.values():
        with contextlib.suppress(OSError, ValueError, AttributeError):
            process.kill()
    executor.shutdown(wait=False, cancel_futures=True)


def prestart(sizes: Sequence[int], jobs: int, clones: bool = True) -> bool:
    """Start the fork server now if extracting sources of these sizes will use a pool.

    The fork server is a fresh interpreter that imports the fast reader; started early, that
    overlaps the caller's own work (loading the facts cache, hashing files) instead of being
    waited for in :func:`extract_all`. Returns whether it was started.
    """
    if _workers(sizes, jobs, clones) <= 1 or _context().get_start_method() != "forkserver":
        return False
    return _start_server()


_server_started = False  # this process started the fork server (it stays up until the process ends)


def _start_server() -> bool:
    global _server_started
    from multiprocessing import forkserver

    forkserver.ensure_running()
    _server_started = True
    return True


def start_server(jobs: int | None = None) -> bool:
    """Start the fork server before the work is known (see ``archguard.cli.warm_up_parsing``):
    when the run turns out to parse too little for a pool, it was started for nothing, which
    costs a few milliseconds here and its imports on another core. Returns whether it started."""
    if (jobs or default_jobs()) <= 1 or _context().get_start_method() != "forkserver":
        return False
    return _start_server()


def extract_all(
    sources: Sequence[bytes],
    jobs: int,
    progress: Callable[[int], None] | None = None,
    clones: bool = True,
    meanwhile: Callable[[], None] | None = None,
) -> list[FileFacts]:
    """Facts for each source, in order. ``progress(n)`` is called as n more files finish.

    ``clones``: also compute clone fingerprints (see :func:`archguard.analysis.read.extract_facts`).
    ``meanwhile``: work of the caller's that does not need these facts, run while the
    workers parse; never called without a pool (there would be nothing to overlap). If it
    raises, the batches not started are cancelled.
    """
    workers = pool_size(sources, jobs, clones)
    if workers <= 1:
        results = []
        with fewer_collections():
            for data in sources:
                results.append(extract_facts(data, clones))
                if progress:
                    progress(1)
        return results

    from concurrent.futures import as_completed
    from concurrent.futures.process import BrokenProcessPool

    # Small batches keep both cores busy to the end; big files first balances the load.
    order = sorted(range(len(sources)), key=lambda i: -len(sources[i]))
    batch_count = workers * 8
    batches: list[list[int]] = [order[i::batch_count] for i in range(batch_count)]
    batches = [b for b in batches if b]
    results_by_index: dict[int, FileFacts] = {}
    failed: list[int] = []
    executor = _executor(workers)
    try:
        futures: dict[Future[list[tuple[Any, ...]]], list[int]] = {
            executor.submit(_extract_batch, [sources[i] for i in batch], clones): batch for batch in batches
        }
        if meanwhile is not None:
            meanwhile()
        for future in as_completed(futures):
            batch = futures[future]
            try:
                facts = future.result()
            except BrokenProcessPool:
                failed.extend(batch)
                continue
            for index, raw in zip(batch, facts, strict=True):
                results_by_index[index] = FileFacts.from_tuple(raw)
            if progress:
                progress(len(batch))
    except BaseException:  # Ctrl-C, or the caller's work failed: stop now, keep nothing
        _stop(executor)
        raise
    executor.shutdown(wait=True)
    for index in sorted(failed):
        results_by_index[index] = _extract_isolated(sources[index], clones)
        if progress:
            progress(1)
    return [results_by_index[i] for i in range(len(sources))]


def _extract_isolated(data: bytes, clones: bool) -> FileFacts:
    """One file in its own process: a crash costs only this file."""
    from concurrent.futures.process import BrokenProcessPool

    executor = _executor(1)
    try:
        return FileFacts.from_tuple(executor.submit(_extract_batch, [data], clones).result()[0])
    except BrokenProcessPool:
        return FileFacts(problem=ParseProblem(CRASHED))
    except BaseException:
        _stop(executor)
        raise
    finally:
        executor.shutdown(wait=True)
