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

from archguard.contract.loading import CONTRACT_FILES, LoadedContract, find_contract, load_contract
from archguard.errors import ArchguardError, ContractError, UsageError

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def config_option(function: F) -> F:
    return click.option(
        "--config",
        "-c",
        "config_path",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Contract file (default: archguard.toml or [tool.archguard] in pyproject.toml, searched upwards).",
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
            help="Colour in text output (NO_COLOR is respected).",
        ),
        click.option("--quiet", "-q", is_flag=True, help="Only the findings: no header, no summary line."),
        click.option("--verbose", "-v", is_flag=True, help="Also show each finding's remedy and more detail."),
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


def resolve_contract(config_path: Path | None) -> LoadedContract:
    if config_path is not None:
        return load_contract(config_path)
    found = find_contract(Path.cwd())
    if found is None:
        raise ContractError(
            f"no contract found in {Path.cwd()} or its parents (looked for {', '.join(CONTRACT_FILES)} "
            "and [tool.archguard] in pyproject.toml); pass --config or write one (see the README)"
        )
    path, table = found
    return load_contract(path, table or None)


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
        except Exception as error:
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
    """Write a report to ``output``, or to stdout when there is none."""
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write {output}: {error.strerror}") from None
