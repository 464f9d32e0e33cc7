"""``archguard lsp``: the language server on stdin/stdout (see :mod:`archguard.lsp.server`)."""

from __future__ import annotations

from pathlib import Path

import click

from archguard.cli.common import ROOTS_KEY, config_option, handle_errors, run_options


@click.command("lsp")
@config_option
@run_options
@click.option("--diff", "base", metavar="BASE", help="Gate mode: show only what the working tree adds against git revision BASE (like check --diff).")
@click.option("--debug", is_flag=True, help="Show a traceback for internal errors.")
@handle_errors
def lsp_command(config_path: Path | None, jobs: int | None, no_cache: bool, cache_dir: Path | None, base: str | None, debug: bool) -> None:
    """Run archguard's language server over stdio, for editors and coding agents.

    Diagnostics on open, change and save, at each import that breaks the contract, with the
    rule, the chain and the remedy; a quick fix where the remedy is a mechanical edit. The
    client's initializationOptions may set {"config": PATH, "base": REV}; --config and --diff
    are the defaults for them. See docs/editors-and-agents.md.

    \b
    Example (the command an LSP client runs):
      archguard lsp
      archguard lsp --diff main     # only what the working tree adds against main
    """
    from archguard.lsp.server import serve
    from archguard.lsp.workspace import Settings

    context = click.get_current_context()
    roots: tuple[Path, ...] = context.meta.get(ROOTS_KEY, ())
    settings = Settings(
        config=config_path.resolve() if config_path is not None else None,
        base=base,
        roots=tuple(root.resolve() for root in roots),
        jobs=jobs,
        use_cache=not no_cache,
        cache_dir=cache_dir.resolve() if cache_dir is not None else None,
    )
    serve(Path.cwd(), settings)
