"""The command line: a thin layer over the library.

Each command lives in its own module and only parses options, calls the library and maps
errors to exit codes: 0 no findings (or only warnings), 1 findings at error level,
2 usage, contract or environment error.
"""

from __future__ import annotations

import os

from archguard.base import timeline  # noqa: F401 - its clock starts here (check -v: where the time went)

# pydantic looks for plugins by scanning every installed distribution's metadata on first
# use (about 0.1 s); archguard's command line needs none. Set before pydantic is imported.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

import sys
import warnings
from importlib import import_module
from typing import Any

import click

from archguard import __version__
from archguard.base.errors import ArchguardWarning
from archguard.base.gcpace import pace_this_process

# name -> "module:attribute". Commands are imported when used, so `archguard check` does not
# pay for the imports of `graph`, `fix` or `init`.
COMMANDS: dict[str, str] = {
    "check": "archguard.cli.check:check_command",
    "diff": "archguard.cli.diff:diff_command",
    "baseline": "archguard.cli.baseline:baseline_command",
    "report": "archguard.cli.report:report_command",
    "init": "archguard.cli.init:init_command",
    "explain": "archguard.cli.explain:explain_command",
    "fix": "archguard.cli.fix:fix_command",
    "graph": "archguard.cli.graph:graph_command",
    "convert": "archguard.cli.convert:convert_command",
    "dupes": "archguard.cli.dupes:dupes_command",
    "lsp": "archguard.cli.lsp:lsp_command",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, _, attribute = target.partition(":")
        command: click.Command = getattr(import_module(module), attribute)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="archguard")
def cli() -> None:
    """archguard: keep a Python codebase's architecture coherent.

    Declare components, layers and boundaries in archguard.toml; archguard reads the code
    statically (it never imports or runs it) and reports what breaks the contract.

    Exit codes: 0 clean (or warnings only), 1 findings at error level,
    2 usage, contract or environment error.
    """
    show_warnings_on_stderr()


def show_warnings_on_stderr() -> None:
    """archguard's warnings (:class:`ArchguardWarning`) as one line each on stderr, escaped
    (they may name paths from the tree): ``archguard: warning: ...``; each said once."""
    original = warnings.showwarning

    def show(message: Warning | str, category: type[Warning], filename: str, lineno: int, file: Any = None, line: str | None = None) -> None:
        if not issubclass(category, ArchguardWarning):
            original(message, category, filename, lineno, file, line)
            return
        from archguard.report.escape import terminal

        click.echo(f"archguard: warning: {terminal(str(message))}", err=True)

    warnings.showwarning = show
    warnings.simplefilter("default", ArchguardWarning)


def main() -> None:
    """The console script: a check whose inputs did not change is replayed (see replay.py)."""
    pace_this_process()  # see archguard.base.gcpace
    argv = sys.argv[1:]
    try:
        if argv[:1] == ["check"]:
            from archguard.cli.replay import prepare, replay

            invocation = prepare(argv[1:])
            if invocation is not None:
                code = replay(invocation)
                if code is not None:
                    sys.exit(code)
        warm_up_parsing(argv)
        cli()
    except KeyboardInterrupt:  # Ctrl-C outside a command (the replay path): no traceback
        print("archguard: interrupted", file=sys.stderr)
        exit_now(SystemExit(130))
    except SystemExit as done:
        exit_now(done)


def warm_up_parsing(argv: list[str]) -> bool:
    """Start the parsing pool's fork server now when the command will parse the whole tree:
    ``check --no-cache``. The server's start (an interpreter importing the fast reader) then
    overlaps the command's own imports. A change of a few dozen files is read in this process
    (:data:`archguard.analysis.read.pool.MIN_BYTES_PER_WORKER`), so ``check --diff`` and ``diff``
    start the server only when the files they must parse are enough for a pool
    (:func:`archguard.engine.pipeline.prestart_pool`). Not with ``--jobs 1`` or on one core.
    Returns whether it started.
    """
    command, options = argv[:1], argv[1:]
    likely = command == ["check"] and "--no-cache" in options
    return likely and start_parsing_server(options)


def start_parsing_server(options: list[str]) -> bool:
    """Start the parsing pool's fork server for a command line with these options (their ``--jobs``)."""
    if "--help" in options or "-h" in options:
        return False
    jobs: int | None = None
    for index, arg in enumerate(options):
        value = None
        if arg in ("--jobs", "-j") and index + 1 < len(options):
            value = options[index + 1]
        elif arg.startswith("--jobs="):
            value = arg.partition("=")[2]
        elif arg.startswith("-j") and len(arg) > 2 and not arg.startswith("--"):
            value = arg[2:]
        if value is not None:
            jobs = int(value) if value.isdigit() else 1  # a bad value: click reports it, start nothing
    from archguard.analysis.read.pool import start_server

    return start_server(jobs)


def exit_now(done: SystemExit) -> None:
    """Exit without the interpreter's teardown: freeing every object of an analysis one by one
    (facts, import sites, the graph) takes 0.05-0.4 s and has no effect outside the process.
    Output is flushed first; every file archguard writes is closed by then (written
    atomically), and the parsing pool has been shut down. Under coverage measurement the
    normal exit runs, so that coverage can save its data."""
    if "coverage" in sys.modules:
        raise done
    code = done.code
    if code is not None and not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe (archguard check | head): nothing more to say
        code = code or 0
    os._exit(code or 0)
