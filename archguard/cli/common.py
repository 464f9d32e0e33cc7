"""Options and plumbing shared by every command."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from archguard.base.errors import ArchguardError, UsageError
from archguard.base.safe_files import is_inside, write_atomic
from archguard.contract.loading import LoadedContract

if TYPE_CHECKING:
    from archguard.engine.pipeline import CheckResult
    from archguard.gate.delta import Comparison

F = TypeVar("F", bound=Callable[..., Any])

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def baseline_options(function: F) -> F:
    """``--baseline FILE`` and ``--no-baseline``, for every command that reports findings."""
    decorators = [
        click.option(
            "--baseline",
            "baseline_file",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Baseline file of accepted findings (default: [project] baseline, used when it exists).",
        ),
        click.option("--no-baseline", is_flag=True, help="Ignore the baseline file: report every finding."),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def apply_baseline(
    result: CheckResult, loaded: LoadedContract, baseline_file: Path | None, comparison: Comparison | None = None
) -> tuple[CheckResult, Path]:
    """The result without the findings of the baseline file, when there is one (they are then
    in ``result.baseline.accepted``); and the file. With ``check --diff`` (a comparison),
    entries the change itself added do not hide its findings."""
    default = loaded.root / loaded.contract.project.baseline
    if baseline_file is None and not os.path.lexists(default):
        return result, default  # no baseline: the baseline code is not even imported
    from archguard.gate import baseline

    path = baseline.baseline_path(loaded, baseline_file)
    shown = baseline.display(path, loaded)
    entries = baseline.load(path, shown, baseline.confinement(loaded, baseline_file))
    if entries is None:
        if baseline_file is not None:
            raise UsageError(f"baseline file {baseline_file} not found (write one with `archguard baseline`)")
        return result, path
    if comparison is not None and comparison.added is not None:
        base_entries = baseline.at_revision(comparison.added, path, shown)
        text = path.read_text(encoding="utf-8")
        policy = comparison.base.analysis.loaded.contract.gate
        return baseline.apply_to_change(result, entries, base_entries, shown, text, comparison.added, policy), path
    return baseline.apply(result, entries, shown), path


ROOTS_KEY = "archguard.roots"  # where --root keeps its folders for resolve_contract (click's ctx.meta)


def _remember_roots(ctx: click.Context, _param: click.Parameter, value: tuple[Path, ...]) -> None:
    ctx.meta[ROOTS_KEY] = value


def config_option(function: F) -> F:
    """``--config`` and ``--root``: which contract, and (optionally) where its packages live.

    ``--root`` is not passed to the command: :func:`resolve_contract` reads it, so every
    command that loads a contract takes it."""
    function = click.option(
        "--root",
        "roots",
        multiple=True,
        type=click.Path(file_okay=False, path_type=Path),
        metavar="DIR",
        expose_value=False,
        callback=_remember_roots,
        help=(
            "Folder that holds the top-level packages (repeatable), instead of [project] roots or the folders "
            "archguard finds (build configuration, src/, lib/, PYTHONPATH). Also for import-linter configurations."
        ),
    )(function)
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
            callback=_existing_parent,
            help="Where to keep the facts cache (default: .archguard_cache/ under the project root); its parent folder must exist.",
        ),
    ]
    for decorator in reversed(decorators):
        function = decorator(function)
    return function


def _existing_parent(context: click.Context, parameter: click.Parameter, value: Path | None) -> Path | None:
    """``--cache-dir``: created if missing, but only the last folder (a typo never becomes a tree)."""
    if value is not None and not value.exists() and not value.absolute().parent.is_dir():
        raise click.BadParameter(f"{value}: its parent folder {value.absolute().parent} does not exist", context, parameter)
    return value


def output_options(function: F) -> F:
    decorators = [
        click.option(
            "--color",
            type=click.Choice(["auto", "always", "never"]),
            default="auto",
            show_default=True,
            help="Colour in the text report: auto means on a terminal unless NO_COLOR is set.",
        ),
        click.option("--quiet", "-q", is_flag=True, help="Less output: only the errors (no warnings), no header, summary, progress bar or timing."),
        click.option("--verbose", "-v", is_flag=True, help="Also show each finding's remedy, the rules that passed, run statistics and where the time went."),
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
    configuration (``setup.cfg``/``.importlinter``/``[tool.importlinter]``), searched upwards;
    with the command's ``--root`` folders, if any. ``cached``: the validated contract may come
    from (and goes to) the cache folder."""
    from archguard.base.timeline import phase
    from archguard.engine.dialects import load_config

    context = click.get_current_context(silent=True)
    roots: tuple[Path, ...] = context.meta.get(ROOTS_KEY, ()) if context is not None else ()
    with phase("contract"):
        return load_config(config_path, contract_ids, roots=roots, cached=cached, cache_dir=cache_dir)


def handle_errors(function: F) -> F:
    """Turn archguard's errors into exit code 2 with a one-paragraph message."""

    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = kwargs.get("debug", False)
        try:
            return function(*args, **kwargs)
        except ArchguardError as error:
            from archguard.report.escape import terminal_block  # (the report package imports the pipeline)

            click.echo(terminal_block(f"archguard: error: {error}"), err=True)
            sys.exit(EXIT_ERROR)
        except KeyboardInterrupt:
            click.echo("archguard: interrupted", err=True)
            sys.exit(130)
        except (click.exceptions.Exit, click.ClickException, SystemExit):
            raise
        except Exception as error:  # noqa: BLE001 - never a bare traceback for users
            if debug:
                import traceback  # (only here: not imported by every run)

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
    write_output(output, text.encode("utf-8"), what="report")


def write_output(path: Path, data: bytes, *, what: str) -> None:
    """Write a file the user asked for (``--output``) atomically. A symlink at ``path`` is
    replaced, never written through; a path below the working directory must stay below it
    once symlinked folders are resolved (a folder the checked-out tree planted as a symlink
    does not lead a report elsewhere). A path outside the working directory is the user's
    choice and is used as given. Missing folders are created. Errors: exit 2 with the reason."""
    cwd = os.path.realpath(os.getcwd())
    inside = cwd if is_inside(os.path.abspath(path.parent), cwd) else None
    try:
        write_atomic(path, data, inside=inside)
    except OSError as error:
        raise UsageError(f"cannot write the {what} to {path}: {error.strerror or error}") from None


def choose_format(name: str, available: dict[str, Any]) -> Any:
    if name not in available:
        raise UsageError(f"unknown format {name!r}; expected one of: {', '.join(available)}")
    return available[name]
