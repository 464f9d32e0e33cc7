"""``archguard lsp``: the language server on stdin/stdout (see :mod:`archguard.lsp.server`)."""

from __future__ import annotations

from pathlib import Path

import click

from archguard.cli.common import handle_errors


@click.command("lsp")
@click.option(
    "--config", "-c", "config_path", type=click.Path(path_type=Path, dir_okay=False), help="The contract (default: searched upwards from the workspace root)."
)
@click.option("--diff", "base", metavar="BASE", help="Gate mode: show only what the working tree adds against git revision BASE (like check --diff).")
@click.option("--no-cache", is_flag=True, help="Do not read or write the facts cache for the first analysis.")
@click.option("--debug", is_flag=True, help="Show a traceback for internal errors.")
@handle_errors
def lsp_command(config_path: Path | None, base: str | None, no_cache: bool, debug: bool) -> None:
    """Run archguard's language server over stdio, for editors and coding agents.

    Diagnostics on open, change and save, at each import that breaks the contract, with the
    rule, the chain and the remedy; a quick fix where the remedy is a mechanical edit. The
    client's initializationOptions may set {"config": PATH, "base": REV}; --config and --diff
    are the defaults for them.

    \b
    Example (any LSP client):
      archguard lsp
      archguard lsp --diff main     # only what the working tree adds against main
    """
    from archguard.lsp.server import serve

    serve(Path.cwd(), config_path.resolve() if config_path is not None else None, base, use_cache=not no_cache)
