"""Where reports go: ``--format`` on stdout, ``--output FORMAT=PATH`` to files, the GitHub job
summary; and the report options that depend on the environment (colour, repository paths,
source links).

A bad ``--output`` spec or a file that cannot be written is a ``UsageError`` (exit 2).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import click

from archguard.base.errors import UsageError
from archguard.cli.common import use_color, write_output
from archguard.engine.pipeline import CheckResult
from archguard.report import ReportOptions, reporters

FORMATS_HELP = "text, json, sarif, junit, github, markdown or agent"


@dataclass(frozen=True)
class Output:
    """One report a run writes: its format, and its file (None: standard output)."""

    format: str
    path: Path | None  # None: standard output


def parse_outputs(stdout_format: str, specs: Collection[str], formats: Collection[str]) -> list[Output]:
    """The reports a run writes: ``--format`` on stdout unless a bare ``--output PATH`` takes it,
    plus one per ``--output FORMAT=PATH``."""
    expected = ", ".join(formats)
    if stdout_format not in formats:
        raise UsageError(f"unknown format {stdout_format!r} for --format; expected one of: {expected}")
    outputs: list[Output] = []
    stdout_taken = False
    for spec in specs:
        name, separator, path = spec.partition("=")
        if not separator:
            name, path, stdout_taken = stdout_format, spec, True
        elif name not in formats:
            raise UsageError(f"--output {spec!r}: unknown format {name!r}; expected FORMAT=PATH with FORMAT one of: {expected}")
        if not path:
            raise UsageError(f"--output {spec!r}: no file name; expected FORMAT=PATH, e.g. sarif=archguard.sarif")
        target = Path(path)
        if target.is_dir():
            raise UsageError(f"--output {spec!r}: {path} is a directory; give a file name")
        outputs.append(Output(name, target))
    targets = [os.path.abspath(output.path) for output in outputs if output.path is not None]
    duplicates = sorted({t for t in targets if targets.count(t) > 1})
    if duplicates:
        raise UsageError(f"--output: two reports would be written to {duplicates[0]}")
    if not stdout_taken:
        outputs.insert(0, Output(stdout_format, None))
    return outputs


def repository_prefix(root: Path) -> str:
    """The project root relative to the enclosing git work tree, as a path prefix ("" or
    "examples/shop/"): CI hosts want paths relative to the repository."""
    root = root.resolve()
    for directory in (root, *root.parents):
        if (directory / ".git").exists():
            relative = root.relative_to(directory).as_posix()
            return "" if relative == "." else relative + "/"
    return ""


def source_url(environ: Mapping[str, str] = os.environ) -> str | None:
    """Base URL of the checked files for links: ARCHGUARD_SOURCE_URL, else GitHub Actions' or
    GitLab CI's variables for this commit."""
    if environ.get("ARCHGUARD_SOURCE_URL"):
        return environ["ARCHGUARD_SOURCE_URL"]
    server, repository, sha = (environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"))
    if server and repository and sha:
        return f"{server}/{repository}/blob/{sha}"
    project, commit = environ.get("CI_PROJECT_URL"), environ.get("CI_COMMIT_SHA")
    if project and commit:
        return f"{project}/-/blob/{commit}"
    return None


def write_text(path: Path, text: str, *, append: bool = False, what: str) -> None:
    """A report to a file (see :func:`~archguard.cli.common.write_output`); ``append`` adds to
    the file the CI host named (``$GITHUB_STEP_SUMMARY``)."""
    if not append:
        write_output(path, text.encode("utf-8"), what=what)
        return
    try:
        with open(path, "a", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as error:
        raise UsageError(f"cannot write the {what} to {path}: {error.strerror or error}") from None


def emit_reports(
    result: CheckResult,
    outputs: list[Output],
    base: ReportOptions,
    color: str,
    written_texts: list[tuple[Path | None, str]] | None = None,
) -> bool:
    """Render and deliver every requested report; append the Markdown job summary to
    ``$GITHUB_STEP_SUMMARY`` when a ``github`` report is asked for. True when the text report
    on stdout carried the timing (so the caller need not print it again). Each report written
    is also appended to ``written_texts`` (None for stdout) when given."""
    available = reporters()
    timed = False
    for output in outputs:
        options = base
        if output.path is None:
            terminal = sys.stdout.isatty()
            options = replace(base, color=use_color(color), timing=output.format == "text" and terminal and not base.quiet)
            timed = timed or options.timing
            text = available[output.format](result, options)
            click.echo(text, nl=False, color=options.color)
        else:
            text = available[output.format](result, options)
            write_text(output.path, text, what=f"{output.format} report")
        if written_texts is not None:
            written_texts.append((output.path, text))
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    written = {os.path.abspath(output.path) for output in outputs if output.path is not None}
    if summary and any(output.format == "github" for output in outputs) and os.path.abspath(summary) not in written:
        write_text(Path(summary), available["markdown"](result, base), append=True, what="GitHub job summary")
    return timed


def report_options(
    result: CheckResult, *, quiet: bool = False, verbose: bool = False, clone_detail: bool = False, repository_paths: bool = True
) -> ReportOptions:
    """Report options from the run and the environment (colour is decided per destination).
    ``repository_paths``: the CI and agent formats give paths relative to the git repository."""
    return ReportOptions(
        quiet=quiet,
        verbose=verbose,
        clone_detail=clone_detail,
        path_prefix=repository_prefix(result.analysis.loaded.root) if repository_paths else "",
        source_url=source_url(),
    )
