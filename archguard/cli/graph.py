"""``archguard graph``: draw the architecture (Graphviz, Mermaid) and write the HTML report."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from archguard.base.errors import UsageError
from archguard.cli.common import apply_baseline, baseline_options, config_option, handle_errors, resolve_contract, run_options, write_output
from archguard.engine.pipeline import RunOptions, check

FORMATS = ("svg", "png", "pdf", "dot", "mermaid")
SUFFIXES = {
    ".svg": "svg",
    ".png": "png",
    ".pdf": "pdf",
    ".dot": "dot",
    ".gv": "dot",
    ".mmd": "mermaid",
    ".mermaid": "mermaid",
    ".md": "mermaid",
}


def _write(data: bytes, output: Path | None, binary: bool) -> None:
    if output is None:
        if binary and sys.stdout.isatty():
            raise UsageError("png and pdf are binary: write them to a file with --output PATH")
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    write_output(output, data, what="graph")


@click.command("graph")
@config_option
@run_options
@click.option(
    "--format", "-f", "output_format", type=click.Choice(FORMATS), help="Drawing format (default: from the --output suffix, else svg)."
)
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the drawing to this file instead of stdout.")
@click.option("--component", "component", metavar="NAME", help="Drill down: the modules of one component and the edges leaving it.")
@click.option("--package", "package", metavar="PKG", help="Drill down: the modules of one package and the edges leaving it.")
@click.option("--focus", "focus", metavar="MODULE", help="One module: what it imports and what imports it.")
@click.option("--depth", type=click.IntRange(min=1), default=1, show_default=True, help="Steps each way around --focus.")
@click.option("--externals", is_flag=True, help="Also draw third-party packages (those a rule flags are always drawn).")
@click.option("--layers-rule", metavar="NAME", help="The layers rule that ranks the components (default: the contract's first).")
@click.option(
    "--all-edges", is_flag=True, help="Draw every dependency, also those other allowed dependencies imply (large graphs leave them out)."
)
@click.option("--all-modules", is_flag=True, help="Drill-downs: draw every module instead of collapsing deep subpackages of large ones.")
@click.option("--no-legend", is_flag=True, help="Leave out the legend.")
@click.option(
    "--diff",
    "base",
    metavar="BASE",
    help="Overlay what the change since git revision BASE did: dependencies it added (green, red when they break a rule) and removed.",
)
@click.option(
    "--html",
    "html_path",
    type=click.Path(dir_okay=False, path_type=Path),
    metavar="PATH",
    help="Also (or only) write the self-contained HTML report to PATH.",
)
@baseline_options
@click.option("--quiet", "-q", is_flag=True, help="No summary line on stderr.")
@click.option("--debug", is_flag=True, help="Show a traceback for internal errors.")
@handle_errors
def graph_command(
    config_path: Path | None,
    jobs: int | None,
    no_cache: bool,
    cache_dir: Path | None,
    output_format: str | None,
    output: Path | None,
    component: str | None,
    package: str | None,
    focus: str | None,
    depth: int,
    externals: bool,
    layers_rule: str | None,
    all_edges: bool,
    all_modules: bool,
    no_legend: bool,
    base: str | None,
    html_path: Path | None,
    baseline_file: Path | None,
    no_baseline: bool,
    quiet: bool,
    debug: bool,
) -> None:
    """Draw the architecture: components by layer, what breaks the contract in red.

    Allowed dependencies are thin and grey, dependencies that break a rule red with their
    import count and the rule's name, declared-but-unused ones dashed, cycles purple; unmapped
    modules sit in one amber box. svg/png/pdf need Graphviz's `dot` binary; dot and mermaid
    are text and need nothing. Exits 0 when the drawing was written, whatever it shows.

    \b
    Examples:
      archguard graph -o architecture.svg
      archguard graph --component billing -o billing.png
      archguard graph --focus shop.api.views --depth 2 -f dot
      archguard graph -f mermaid > architecture.mmd
      archguard graph --html report.html
      archguard graph --diff origin/main -o change.svg
    """
    from archguard.render.dot import render, to_dot
    from archguard.render.mermaid import to_mermaid
    from archguard.render.model import component_picture, module_picture, readable

    if sum(x is not None for x in (component, package, focus)) > 1:
        raise UsageError("choose at most one of --component, --package and --focus")
    if depth != 1 and focus is None:
        raise UsageError("--depth goes with --focus")
    if base is not None and (component, package, focus) != (None, None, None):
        raise UsageError("--diff overlays the component graph: it does not combine with --component, --package or --focus")
    if output_format is None and output is not None:
        output_format = SUFFIXES.get(output.suffix.lower())
        if output_format is None:
            raise UsageError(f"cannot tell the format from {output.name!r}; pass --format ({', '.join(FORMATS)})")
    draw = output_format is not None or output is not None or html_path is None
    output_format = output_format or "svg"

    loaded = resolve_contract(config_path)
    run = RunOptions(jobs=jobs, use_cache=not no_cache, cache_dir=cache_dir)
    if base is not None:
        from archguard.gate.delta import compare_revisions
        from archguard.render.model import apply_delta, picture_delta

        comparison = compare_revisions(loaded, base, None, run)
        result = comparison.head
        overview = component_picture(result, externals=externals, layers_rule=layers_rule)
        overview = apply_delta(overview, picture_delta(component_picture(comparison.base, externals=externals), overview))
    else:
        result = check(loaded, run)
        overview = component_picture(result, externals=externals, layers_rule=layers_rule)
    if draw:
        if component is None and package is None and focus is None:
            picture = overview
        else:
            picture = module_picture(
                result,
                component=component,
                package=package,
                focus=focus,
                depth=depth,
                externals=externals,
                max_nodes=None if all_modules else 60,
            )
        picture = readable(picture, all_edges=all_edges)
        if output_format == "mermaid":
            _write(to_mermaid(picture).encode("utf-8"), output, binary=False)
        else:
            graph = to_dot(picture, legend=not no_legend)
            data = graph.source.encode("utf-8") if output_format == "dot" else render(graph, output_format)
            _write(data, output, binary=output_format in ("png", "pdf"))
        if not quiet and output is not None:
            click.echo(f"wrote {output} ({len(picture.nodes)} nodes, {len(picture.edges)} edges)", err=True)
    if html_path is not None:
        from archguard.render.html import clone_groups_of, reflexion_of, render_html

        # The HTML report counts findings as `check` does: those the baseline accepts are listed as accepted.
        from archguard.report import presented

        # one finding per clone group, as `check` counts them
        shown = presented(result if no_baseline else apply_baseline(result, loaded, baseline_file)[0])
        page = render_html(
            shown, picture=readable(overview, all_edges=all_edges), reflexion=reflexion_of(result), clone_groups=clone_groups_of(result)
        )
        _write(page.encode("utf-8"), html_path, binary=False)
        if not quiet:
            accepted = f", {len(shown.baseline.accepted)} accepted by the baseline" if shown.baseline is not None else ""
            click.echo(f"wrote {html_path} ({len(shown.findings)} findings{accepted})", err=True)
