"""The command line: a thin layer over the library.

Each command lives in its own module and only parses options, calls the library and maps
errors to exit codes: 0 no findings (or only warnings), 1 findings at error level,
2 usage, contract or environment error.
"""

from __future__ import annotations

import click

from archguard import __version__
from archguard.cli.check import check_command
from archguard.cli.dupes import dupes_command

COMMANDS: list[click.Command] = [check_command, dupes_command]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="archguard")
def main() -> None:
    """archguard: keep a Python codebase's architecture coherent.

    Declare components, layers and boundaries in archguard.toml; archguard reads the code
    statically (it never imports or runs it) and reports what breaks the contract.

    Exit codes: 0 clean (or warnings only), 1 findings at error level,
    2 usage, contract or environment error.
    """


for _command in COMMANDS:
    main.add_command(_command)
