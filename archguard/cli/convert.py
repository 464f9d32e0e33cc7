"""``archguard convert``: turn an import-linter configuration into an archguard contract."""

from __future__ import annotations

from pathlib import Path

import click

from archguard.base.errors import UsageError
from archguard.cli.common import handle_errors, write_output


@click.command("convert")
@click.option(
    "--from-importlinter",
    "source",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The import-linter configuration to convert (.importlinter, setup.cfg, or pyproject.toml with [tool.importlinter]).",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the archguard contract to this file (default: stdout).",
)
@click.option("--force", is_flag=True, help="Overwrite the output file if it exists.")
@click.option("--debug", is_flag=True, help="Show a traceback for internal errors.")
@handle_errors
def convert_command(source: Path, output: Path | None, force: bool, debug: bool) -> None:
    """Write the archguard contract that gives the same verdicts as an import-linter configuration.

    What the archguard contract cannot express exactly is listed in comments at its top and
    on stderr.

    \b
    Example:
      archguard convert --from-importlinter .importlinter -o archguard.toml
      archguard check
    """
    from archguard.importlinter.config import load_importlinter
    from archguard.importlinter.convert import convert_importlinter

    loaded = load_importlinter(source)
    if output is not None and output.exists() and not force:
        raise UsageError(f"{output} exists; use --force to overwrite it")
    conversion = convert_importlinter(loaded, output.parent if output is not None else None)
    for note in conversion.notes:
        click.echo(f"archguard: note: {note}", err=True)
    if output is None:
        click.echo(conversion.text, nl=False)
        return
    write_output(output, conversion.text.encode("utf-8"), what="contract")
    rules = sum(len(names) for names in conversion.rule_names.values())
    click.echo(f"wrote {output}: {len(loaded.importlinter.contracts)} contracts as {rules} rules", err=True)
