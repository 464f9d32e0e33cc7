"""``archguard report``: the architecture as declared and as found, in text or JSON.

Renderers take the plain :class:`archguard.gate.drift.ArchitectureReport`; a new format (HTML, ...)
is one more function in :data:`FORMATS`.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from archguard.gate.drift import ArchitectureReport, Dependency
from archguard.report import ReportOptions
from archguard.report.gate_text import Printer, print_finding_line
from archguard.report.summary import plural
from archguard.report.text import Lines, finish


def render_json(report: ArchitectureReport, options: ReportOptions) -> str:
    return json.dumps(report.to_json(), indent=2, ensure_ascii=False) + "\n"


def _dependencies(console: Printer, title: str, items: tuple[Dependency, ...], line: Callable[[Dependency], str], style: str = "") -> None:
    console.print()
    if not items:
        console.print((title, "bold"), ": none")
        return
    console.print((title, "bold"), f" ({len(items)})")
    width = max(len(f"{d.source} -> {d.target}") for d in items)
    for dependency in items:
        name = f"{dependency.source} -> {dependency.target}".ljust(width)
        console.print("  ", (name, style) if style else name, "  ", line(dependency))


def render_text(report: ArchitectureReport, options: ReportOptions) -> str:
    console = Lines()
    console.print(
        ("archguard report", "bold"),
        f" · {report.contract} · {plural(report.files, 'file')}, {plural(report.imports, 'import')}, "
        f"{plural(len(report.components), 'component')}",
    )
    if report.components:
        console.print()
        console.print(("components", "bold"))
        width = max(len(c.name) for c in report.components)
        for component in report.components:
            about = ("  " + component.description, "dim") if component.description else ""
            console.print(f"  {component.name.ljust(width)}  {plural(component.modules, 'module'):>11}", about)

    reflexion = report.reflexion
    _dependencies(
        console,
        "convergences: declared and present",
        reflexion.convergences,
        lambda d: f"{plural(d.sites, 'import site')} ({', '.join(d.declared_by)})"
        + (f"; {plural(d.violations, 'violation')} ({', '.join(d.rules)})" if d.violations else ""),
        "green",
    )
    _dependencies(
        console,
        "divergences: present, not allowed",
        reflexion.divergences,
        lambda d: f"{plural(d.violations, 'violation')} ({', '.join(d.rules)})" + (", through other modules" if d.indirect else ""),
        "red",
    )
    if reflexion.absent_level != "off":
        _dependencies(
            console,
            f"absences: declared, unused (contract is stale; {reflexion.absent_level})",
            reflexion.absences,
            lambda d: f"declared by {', '.join(d.declared_by)}",
            "yellow",
        )
    _dependencies(console, "unconstrained: present, no rule covers them", reflexion.unconstrained, lambda d: plural(d.sites, "import site"))
    if reflexion.unmapped_level != "off":
        console.print()
        if reflexion.unmapped:
            console.print(("unmapped modules", "bold"), f" ({len(reflexion.unmapped)}, {reflexion.unmapped_level})")
            for item in reflexion.unmapped:
                console.print(f"  {item.module}  ", (item.path or "", "cyan"))
        else:
            console.print(("unmapped modules", "bold"), ": none")

    if report.coupling:
        console.print()
        console.print(("coupling", "bold"), " (fan-in/fan-out: components; instability = fan-out / (fan-in + fan-out))")
        width = max(len(c.component) for c in report.coupling)
        console.print(f"  {'component'.ljust(width)}  {'fan-in':>6}  {'fan-out':>7}  {'instability':>11}  {'import sites in/out':>19}")
        for coupling in report.coupling:
            instability = "-" if coupling.instability is None else f"{coupling.instability:.2f}"
            sites = f"{coupling.imports_in}/{coupling.imports_out}"
            console.print(f"  {coupling.component.ljust(width)}  {coupling.fan_in:>6}  {coupling.fan_out:>7}  {instability:>11}  {sites:>19}")

    console.print()
    if report.findings:
        console.print(("findings", "bold"), f" ({len(report.findings)})")
    else:
        console.print(("findings", "bold"), ": none")
    for finding in report.findings:
        print_finding_line(console, finding)
    if report.accepted:
        console.print()
        console.print(("accepted by the baseline", "bold"), f" {report.baseline} ({len(report.accepted)})")
        for finding in report.accepted:
            print_finding_line(console, finding)
    console.print()
    warnings = len(report.findings) - report.errors
    mark, style = ("✗", "bold red") if report.errors else ("✓", "bold green")
    accepted = f", {len(report.accepted)} accepted by the baseline" if report.accepted else ""
    console.print(
        (f"{mark} {plural(report.errors, 'error')}", style),
        f", {plural(warnings, 'warning')}{accepted}; {len(reflexion.convergences)} convergent, {len(reflexion.divergences)} divergent, "
        f"{len(reflexion.absences)} absent, {len(reflexion.unmapped)} unmapped",
    )
    return finish(console, options)


ArchitectureRenderer = Callable[[ArchitectureReport, ReportOptions], str]
FORMATS: dict[str, ArchitectureRenderer] = {"text": render_text, "json": render_json}
