"""The ``archguard dupes`` report: clone groups, text or JSON (schema ``archguard-dupes/1``).

Deterministic: groups in report order (cross-component first, then largest), locations by
path and line, no timings.
"""

from __future__ import annotations

import json
from io import StringIO
from typing import Any

from rich.markup import escape as escape_markup

from archguard import __version__
from archguard.analysis.clones import CloneGroup, CloneReport, CloneUnit
from archguard.contract.models import DuplicationConfig
from archguard.report import ReportOptions
from archguard.report.escape import terminal
from archguard.report.text import text_console
from archguard.rules.duplication import group_severity, unit_title

SCHEMA = "archguard-dupes/1"


def clone_type_label(group: CloneGroup) -> str:
    """What a reviewer reads: "exact copies", "renamed copies", "similar copies (87% shared)"
    (the share rounded down, so code that differs never reads as 100%)."""
    if group.clone_type == "near-miss":
        return f"similar copies ({min(99, int(group.similarity * 100))}% shared)"
    return f"{group.clone_type} copies"


def _level(group: CloneGroup, config: DuplicationConfig) -> str:
    return group_severity(group, config) or "off"


def error_groups(report: CloneReport, config: DuplicationConfig) -> int:
    """Groups whose findings are errors (the ``dupes`` exit code is 1 when there are any)."""
    return sum(1 for group in report.groups if group.reported and _level(group, config) == "error")


def _location(unit: CloneUnit) -> dict[str, Any]:
    return {
        "path": unit.path,
        "line": unit.line,
        "end_line": unit.end_line,
        "kind": unit.kind,
        "name": unit.name,
        "module": unit.module,
        "component": unit.component,
        "lines": unit.lines,
        "tokens": unit.tokens,
    }


def report_data(report: CloneReport, config: DuplicationConfig, contract: str) -> dict[str, Any]:
    groups = []
    for group in report.groups:
        locations = []
        for unit in group.units:
            location = _location(unit)
            location["nested_in_reported_clone"] = unit.key in group.covered
            locations.append(location)
        groups.append(
            {
                "fingerprint": group.fingerprint,
                "type": group.clone_type,
                "similarity": group.similarity,
                "lines": group.lines,
                "tokens": group.tokens,
                "cross_component": group.cross_component,
                "components": [c or None for c in group.components],
                "severity": _level(group, config),
                "locations": locations,
            }
        )
    stats = report.stats
    return {
        "schema": SCHEMA,
        "archguard": __version__,
        "contract": contract,
        "settings": {
            "min_lines": config.min_lines,
            "min_tokens": config.min_tokens,
            "similarity": config.similarity,
            "scopes": list(config.scopes),
            "include_tests": config.include_tests,
            "ignore": list(config.ignore),
        },
        "summary": {
            "groups": len(report.groups),
            "cross_component": sum(1 for g in report.groups if g.cross_component),
            "error_groups": error_groups(report, config),
            "files": stats.files,
            "units": stats.units,
            "near_miss_candidates": stats.candidates,
            "near_miss_comparisons": stats.comparisons,
            "near_miss_reused_pairs": stats.reused,
        },
        "groups": groups,
    }


def render_json(report: CloneReport, config: DuplicationConfig, contract: str) -> str:
    return json.dumps(report_data(report, config, contract), indent=2, ensure_ascii=False) + "\n"


def escape(text: str) -> str:
    """A name from the tree in rich markup: neither markup nor a control character acts."""
    return escape_markup(terminal(text))


def _what(unit: CloneUnit) -> str:
    """"function `parse`", or "the `if` block at line 42 of `urlparse`"."""
    return unit_title(unit) if unit.kind == "block" else f"{unit.kind} {unit_title(unit)}"


def render_text(report: CloneReport, config: DuplicationConfig, contract: str, options: ReportOptions) -> str:
    buffer = StringIO()
    console = text_console(buffer, options)
    groups = report.groups
    across = sum(1 for g in groups if g.cross_component)
    console.print(
        f"[bold]archguard dupes[/] · {escape(contract)} · {len(groups)} clone group{'s' * (len(groups) != 1)}"
        f" ({across} across components) in {report.stats.units} units of {report.stats.files} files"
    )
    for number, group in enumerate(groups, start=1):
        level = _level(group, config)
        style = {"error": "red", "warning": "yellow"}.get(level, "dim")
        if group.cross_component:
            scope = f" · across components: {', '.join(c or '(none)' for c in group.components)}"
        else:
            scope = f" · within {group.components[0]}" if group.components[0] else ""
        console.print()
        console.print(
            f"[bold]{number}. {escape(clone_type_label(group))}[/] · {group.lines} lines, {group.tokens} tokens"
            f"{escape(scope)} · [{style}]{level}[/]"
        )
        width = max(len(f"{u.path}:{u.line}-{u.end_line}") for u in group.units)
        for unit in group.units:
            where = f"{unit.path}:{unit.line}-{unit.end_line}".ljust(width)
            component = f" [{unit.component}]" if unit.component else ""
            nested = " (inside a larger clone above)" if unit.key in group.covered else ""
            console.print(
                f"   [cyan]{escape(where)}[/]  {escape(_what(unit))}"
                f"[dim]{escape(component)} {unit.lines} lines, {unit.tokens} tokens{escape(nested)}[/]"
            )
    console.print()
    errors = error_groups(report, config)
    if errors:
        console.print(f"[bold red]✗ {errors} clone group{'s' * (errors != 1)} at error level[/]")
    else:
        console.print("[bold green]✓ no clone groups at error level[/]")
    return buffer.getvalue()
