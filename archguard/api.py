"""archguard as a library: load a contract, check a tree, read or render the result.

This module is the public API; everything else in the package is private (its names and
modules may change between releases). Nothing here prints or exits, and nothing imports or
runs the analysed code::

    from archguard.api import check, load, render_html, to_json

    loaded = load("archguard.toml")      # or an import-linter configuration; None: search upwards
    result = check(loaded)               # analyze + evaluate; raises NothingCheckedError when nothing was checked
    result.exit_code                     # 0 clean (or warnings only), 1 errors
    for finding in result.errors:
        print(finding.path, finding.line, finding.rule, finding.message)
    document = to_json(result)           # the JSON report, schema archguard-report/1
    page = render_html(result)           # one self-contained HTML page

``analyze`` and ``evaluate`` are the two halves of ``check`` for callers that evaluate
several contracts on one analysed tree (``evaluate(analyze(loaded))`` is ``check(loaded)``
without the "checked nothing" guard). Errors a user can act on are :class:`ArchguardError`
subclasses carrying the file, key and line.
"""

from __future__ import annotations

from pathlib import Path

from archguard.base.errors import ArchguardError, ContractError, NothingCheckedError
from archguard.contract.loading import LoadedContract
from archguard.engine.pipeline import Analysis, CheckResult, RunOptions, analyze, check, evaluate
from archguard.findings import Finding

__all__ = [
    "Analysis",
    "ArchguardError",
    "CheckResult",
    "ContractError",
    "Finding",
    "LoadedContract",
    "NothingCheckedError",
    "RunOptions",
    "analyze",
    "check",
    "evaluate",
    "load",
    "render_html",
    "report",
    "to_json",
]


def load(config: str | Path | None = None, *, contract_ids: tuple[str, ...] = (), start: str | Path | None = None) -> LoadedContract:
    """Read and validate a contract: an archguard contract (``archguard.toml``, ``pyproject.toml``
    with ``[tool.archguard]``) or an import-linter configuration (``.importlinter``,
    ``setup.cfg``, ``[tool.importlinter]``). With ``config=None``, the contract is searched
    upwards from ``start`` (default: the working directory) the way the CLI searches.
    ``contract_ids`` selects import-linter contracts by id. Raises :class:`ContractError`."""
    from archguard.engine.dialects import load_config

    return load_config(Path(config) if config is not None else None, contract_ids, start=Path(start) if start is not None else None)


def to_json(result: CheckResult) -> str:
    """The JSON report of a check (``archguard check --format json``)."""
    from archguard.report.json_report import render

    return render(result)


def report(result: CheckResult, format: str = "text") -> str:
    """A check's report in one of the CLI's formats: text, json, sarif, junit, github, markdown, agent."""
    from archguard.base.errors import UsageError
    from archguard.report import ReportOptions, reporters

    available = reporters()
    if format not in available:
        raise UsageError(f"unknown format {format!r}; expected one of: {', '.join(available)}")
    return available[format](result, ReportOptions())


def render_html(result: CheckResult, *, title: str | None = None) -> str:
    """One self-contained HTML page with the architecture graph and the findings
    (``archguard graph --html``); without Graphviz's ``dot`` the page has everything but the drawing."""
    from archguard.render.html import clone_groups_of, reflexion_of
    from archguard.render.html import render_html as render

    return render(result, title=title, reflexion=reflexion_of(result), clone_groups=clone_groups_of(result))
