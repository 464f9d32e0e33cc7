"""``archguard check --watch``: check again on every save, print what changed since the last check.

The first check prints its whole report (text or agent format); every later one, run when a
Python file, the contract, an import-linter configuration or the baseline is saved under the
project root, prints only the new and resolved findings (:mod:`archguard.report.watch`). With
``--diff BASE`` every check is a gate against BASE, so "new" means new since the last check
among the findings the change introduces. A contract error on a later check is printed and
the watch goes on; Ctrl-C (or SIGTERM) stops it with exit code 0.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import click

from archguard.base.errors import ArchguardError, UsageError
from archguard.cli.common import use_color
from archguard.cli.outputs import report_options
from archguard.engine.pipeline import CheckResult
from archguard.report.escape import terminal_block

# Files (besides *.py) whose change triggers a check: contracts and import-linter configurations.
CONFIG_NAMES = frozenset({"archguard.toml", ".archguard.toml", ".importlinter", "setup.cfg", "pyproject.toml", "tox.ini"})
DEBOUNCE_MS = 150  # an editor's save is often several writes: they are taken as one change
WAKE_MS = 200  # the watcher wakes this often without a change (the first wake: it is running)


def watch_checks(run: Callable[[], CheckResult], output_format: str, color: str, *, quiet: bool = False, verbose: bool = False) -> int:
    """Run ``run`` now and after every relevant change until Ctrl-C; returns the exit code (0)."""
    import logging

    from archguard.report.watch import WATCH_FORMATS

    logging.getLogger("watchfiles").setLevel(logging.ERROR)  # its own "stopping watch" notice: we say it

    if output_format not in WATCH_FORMATS:
        raise UsageError(f"--watch prints the {' or '.join(WATCH_FORMATS)} format; not {output_format!r}")
    with _stopped_by_signals():
        return _watch(run, output_format, color, quiet=quiet, verbose=verbose)


@contextmanager
def _stopped_by_signals() -> Iterator[None]:
    """Ctrl-C (SIGINT) and SIGTERM stop the watch cleanly, also in a process started in the
    background by a shell (which starts it with SIGINT ignored)."""

    def stop(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    if threading.current_thread() is not threading.main_thread():
        yield
        return
    handlers = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in handlers.items():
            signal.signal(signum, handler)


def _watch(run: Callable[[], CheckResult], output_format: str, color: str, *, quiet: bool, verbose: bool) -> int:
    import watchfiles

    from archguard.report import reporters
    from archguard.report.watch import changes, render

    previous = run()
    loaded = previous.analysis.loaded
    options = report_options(previous, quiet=quiet, verbose=verbose)
    colored = use_color(color)
    click.echo(reporters()[output_format](previous, options), nl=False)
    baseline_name = Path(loaded.contract.project.baseline).name

    def relevant(change: watchfiles.Change, path: str) -> bool:
        name = Path(path).name
        return name.endswith((".py", ".pyi")) or name in CONFIG_NAMES or name == baseline_name or Path(path) == loaded.path

    ignored = watchfiles.DefaultFilter(ignore_dirs=[*watchfiles.DefaultFilter.ignore_dirs, ".archguard_cache"])
    announced = False
    try:
        for batch in watchfiles.watch(
            loaded.root,
            watch_filter=lambda change, path: ignored(change, path) and relevant(change, path),
            debounce=DEBOUNCE_MS,
            raise_interrupt=False,
            rust_timeout=WAKE_MS,
            yield_on_timeout=True,
        ):
            if not batch:  # the watcher is running (a save from now on is seen): say so once
                if not announced:
                    click.echo(f"archguard: watching {loaded.root} for changes (Ctrl-C stops)", err=True)
                    announced = True
                continue
            saved = sorted({_shown(Path(path), loaded.root) for _, path in batch})
            if not quiet:
                click.echo(terminal_block(f"archguard: changed: {', '.join(saved)}"), err=True)
            try:
                current = run()
            except ArchguardError as error:
                click.echo(terminal_block(f"archguard: error: {error}"), err=True)
                continue
            click.echo(render(changes(previous.findings, current.findings), current, options, output_format), nl=False, color=colored)
            previous = current
    except KeyboardInterrupt:  # Ctrl-C while a check runs: the same clean stop
        pass
    click.echo("archguard: stopped watching", err=True)
    return 0


def _shown(path: Path, root: Path) -> str:
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return str(path)
