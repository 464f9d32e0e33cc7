"""Options and plumbing shared by every command."""

from __future__ import annotations

import functools
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from archguard.base.errors import ArchguardError, UsageError
from archguard.contract.loading import LoadedContract

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def config_option(function: F) -> F:
    return click.option(
        "--config",
        "-c",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help=(
            "Contract file (default: archguard.toml or [tool.archguard] in pyproject.toml, searched upwards; "
            "else an import-linter configuration: setup.cfg, .importlinter or [tool.importlinter])."
        ),
    )(function)


def run_options(function: F) -> F:
    decorators = [
        click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Parallel parsing processes (default: all cores)."),
        click.option("--no-cache", is_flag=True, help="Parse every file; neither read nor write the facts cache."),
        click.option(
            "--cache-dir",
            type=click.Path(file_okay=False, path_type=Path),
            envvar="ARCHGUARD_CACHE_DIR",
            help="Where to keep the facts cache (default: .archguard_cache/ under the project root).",
        ),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def output_options(function: F) -> F:
    decorators = [
        click.option(
            "--color",
            type=click.Choice(["auto", "always", "never"]),
            default="auto",
            show_default=True,
            help="Colour in the text report: auto means on a terminal unless NO_COLOR is set.",
        ),
        click.option("--quiet", "-q", is_flag=True, help="Only the findings: no header, summary, progress bar or timing."),
        click.option("--verbose", "-v", is_flag=True, help="Also show each finding's remedy, the rules that passed and run statistics."),
        click.option("--debug", is_flag=True, help="Show a traceback for internal errors."),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def use_color(choice: str, stream: Any = None) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    stream = stream or sys.stdout
    return bool(getattr(stream, "isatty", lambda: False)())


PROGRESS_MIN_FILES = 200  # smaller trees parse in about a second: no bar


def progress_bar(enabled: bool) -> Callable[[int, int], None] | None:
    """A progress callback drawing a bar on stderr while many files are parsed, or None.

    Only on a terminal (a CI log gets no bar) and only once at least PROGRESS_MIN_FILES files
    need parsing; call it with (-1, -1) at the end to remove the bar.
    """
    if not enabled or not sys.stderr.isatty():
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if done < 0:
            if "progress" in state:
                state["progress"].stop()
            return
        if "progress" not in state:
            if total < PROGRESS_MIN_FILES:
                return
            progress = Progress(TextColumn("parsing"), BarColumn(), MofNCompleteColumn(), transient=True, console=Console(stderr=True))
            progress.start()
            state["progress"] = progress
            state["task"] = progress.add_task("parse", total=total)
        state["progress"].update(state["task"], completed=done)

    return update


def resolve_contract(
    config_path: Path | None, contract_ids: tuple[str, ...] = (), *, cached: bool = False, cache_dir: Path | None = None
) -> LoadedContract:
    """The contract to check: ``--config``, else archguard's own contract, else an import-linter
    configuration (``setup.cfg``/``.importlinter``/``[tool.importlinter]``), searched upwards.
    ``cached``: the validated contract may come from (and goes to) the cache folder."""
    from archguard.engine.dialects import load_config

    return load_config(config_path, contract_ids, cached=cached, cache_dir=cache_dir)


def handle_errors(function: F) -> F:
    """Turn archguard's errors into exit code 2 with a one-paragraph message."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = kwargs.get("debug", False)
        try:
            return function(*args, **kwargs)
        except ArchguardError as error:
            click.echo(f"archguard: error: {error}", err=True)
            sys.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            click.echo("archguard: interrupted", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as error:  # noqa: BLE001 - never a bare traceback for users
            if debug:
                traceback.print_exc()
            click.echo(
                f"archguard: internal error: {type(error).__name__}: {error}\n"
                "This is a bug in archguard; please report it (run with --debug for the traceback).",
                err=True,
            )
            sys.exit(EXIT_ERROR)

    return wrapper  # type: ignore[return-value]


def emit(text: str, output: Path | None) -> None:
    """Write a report to ``output``, or to stdout."""
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write {output}: {error.strerror}") from None


def choose_format(name: str, available: dict[str, Any]) -> Any:
    if name not in available:
        raise UsageError(f"unknown format {name!r}; expected one of: {', '.join(available)}")
    return available[name]
