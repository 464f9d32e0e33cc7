"""The parsing pool's processes die with the archguard process that started them.

A ``kill -9`` of archguard must not leave its fork server and workers running (they would
hold the facts of an untrusted tree in memory, and a CI runner's slot, forever): on their
own they wait for work that never comes. Two mechanisms, both in the children:

- on Linux, the kernel sends SIGKILL to a process when its parent dies
  (``prctl(PR_SET_PDEATHSIG)``): the fork server, whose parent is archguard, sets it when it
  imports this module (it is one of the server's preloaded modules); each worker, whose
  parent is the fork server, sets it when it starts (:func:`start_worker`);
- everywhere, each worker watches archguard's process itself (a ``pidfd`` where the system
  has one, else a poll every 0.2 s) and exits the moment it is gone.

Workers ignore SIGINT: Ctrl-C reaches the whole process group, and archguard itself stops
the pool (:func:`archguard.analysis.read.pool.extract_all`), so that the run ends at once
with exit code 130 instead of each worker printing a traceback.

Importing this module has an effect only in the fork server: a ``python -c`` process running
``multiprocessing.forkserver`` whose environment names its parent as the pool's owner
(:data:`OWNER_ENV`, set by the pool before it starts the fork server).
"""

from __future__ import annotations

import os
import select
import signal
import sys
import threading
import time

# The pid of the archguard process that owns the pool. Not "ARCHGUARD_...": such variables
# are inputs of a check (archguard.cli.replay), and this one differs in every process.
OWNER_ENV = "_ARCHGUARD_POOL_OWNER"
_PR_SET_PDEATHSIG = 1
POLL_SECONDS = 0.2


def die_with_parent() -> bool:
    """Linux: SIGKILL this process when its parent dies. Returns whether the kernel agreed."""
    if not sys.platform.startswith("linux"):
        return False
    import ctypes  # (here: a run that starts no pool does not load it)

    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)  # glibc; find_library runs ldconfig, once per process
    except OSError:
        import ctypes.util

        try:
            libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so", use_errno=True)
        except OSError:
            return False
    try:
        return int(libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False


def _owner() -> int | None:
    value = os.environ.get(OWNER_ENV, "")
    return int(value) if value.isdigit() else None


def watch(owner: int) -> None:
    """Exit this process as soon as process ``owner`` is gone (a daemon thread watches it)."""
    threading.Thread(target=_watch, args=(owner,), name="archguard-lifeline", daemon=True).start()


def _watch(owner: int) -> None:
    try:
        descriptor = os.pidfd_open(owner)  # readable once the process has exited
    except (AttributeError, OSError):
        descriptor = None
    if descriptor is not None:
        select.select([descriptor], [], [])
        os._exit(1)
    while _alive(owner):
        time.sleep(POLL_SECONDS)
    os._exit(1)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start_worker(owner: int) -> None:
    """Set up a pool worker: it dies with its parent and with ``owner``, and ignores Ctrl-C."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    die_with_parent()
    if not _alive(owner):
        os._exit(1)
    watch(owner)


def _on_import() -> None:
    """In the fork server (``python -c``, a child of the owner): die with the owner."""
    owner = _owner()
    if owner is None or sys.argv != ["-c"] or "multiprocessing.forkserver" not in sys.modules:
        return  # not the pool's fork server: importing this module does nothing
    if os.getppid() != owner:
        os._exit(1)  # its archguard is already gone
    die_with_parent()
    if os.getppid() != owner:  # the owner died before the kernel was asked
        os._exit(1)


_on_import()
