"""The HTML report: one self-contained page to open in a browser during a review.

Everything is inline (the SVG of the component graph, the CSS, a little vanilla JavaScript);
the page loads nothing from the network. Sections:

- the component graph (click a component to filter the findings by it);
- the verdict per rule;
- the findings, sortable by any column and filterable by rule, component, severity and text;
- coupling metrics per component (fan-in, fan-out, instability);
- the reflexion summary (convergent / divergent / absent / unmapped) and the clone groups
  side by side with their code, when the caller has them (other analyses produce them;
  without them the sections are left out, not shown empty).

The page is a pure function of its inputs: the same result gives byte-identical HTML.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from archguard import __version__
from archguard.analysis.coupling import Coupling
from archguard.base.lines import physical_lines
from archguard.engine.pipeline import CheckResult
from archguard.findings import Finding
from archguard.render.dot import GraphvizMissingError, node_id, render, to_dot
from archguard.render.model import UNMAPPED, Picture, component_picture, readable


@dataclass(frozen=True)
class CloneLocation:
    path: str
    start_line: int
    end_line: int
    code: str
    component: str | None = None
    name: str | None = None  # the function or method, when the clone is one


@dataclass(frozen=True)
class CloneGroup:
    """Code that exists more than once: every location, with its code."""

    locations: tuple[CloneLocation, ...]
    lines: int
    tokens: int
    cross_component: bool = False
    similarity: float = 1.0
    kind: str = "exact"  # exact | renamed | near-miss


@dataclass(frozen=True)
class Reflexion:
    """Declared versus actual architecture, as component dependencies."""

    convergent: tuple[tuple[str, str], ...] = ()  # declared and present in the code
    divergent: tuple[tuple[str, str], ...] = ()  # present in the code, not allowed
    absent: tuple[tuple[str, str], ...] = ()  # declared, not in the code
    unmapped: tuple[str, ...] = ()  # modules in no component


def reflexion_of(result: CheckResult) -> Reflexion:
    """The reflexion model of :func:`archguard.gate.drift.reflexion`, as the page shows it."""
    from archguard.gate.drift import reflexion

    model = reflexion(result)
    return Reflexion(
        convergent=tuple((d.source, d.target) for d in model.convergences),
        divergent=tuple((d.source, d.target) for d in model.divergences),
        absent=tuple((d.source, d.target) for d in model.absences),
        unmapped=tuple(u.module for u in model.unmapped),
    )


def clone_groups_of(result: CheckResult) -> list[CloneGroup]:
    """The clone groups of the result's tree with their code, when its contract turns
    duplication on (else none): the groups ``check`` reports (an off level leaves a group out)."""
    from archguard.rules.duplication import cached_clone_report, group_severity, unit_title

    analysis = result.analysis
    config = analysis.loaded.contract.duplication
    if not config.enabled:
        return []
    report = cached_clone_report(analysis.facts, analysis.paths, analysis.components.component_of, config, analysis.cache_dir)
    texts: dict[str, list[str]] = {}

    def code(path: str, start: int, end: int) -> str:
        if path not in texts:
            try:
                texts[path] = physical_lines((analysis.loaded.root / path).read_text(encoding="utf-8", errors="replace"))
            except OSError:
                texts[path] = []
        return "\n".join(texts[path][start - 1 : end])

    groups = []
    for group in report.groups:
        if group_severity(group, config) is None or not group.reported:
            continue
        locations = tuple(
            CloneLocation(
                unit.path, unit.line, unit.end_line, code(unit.path, unit.line, unit.end_line),
                unit.component,
                unit_title(unit).replace("`", "") if unit.kind == "block" else f"{unit.kind} {unit.name}",
            )
            for unit in group.units
        )
        groups.append(CloneGroup(locations, group.lines, group.tokens, group.cross_component, group.similarity, group.clone_type))
    return groups


def _e(value: object) -> str:
    return html.escape(str(value), quote=True)


def finding_component(result: CheckResult, finding: Finding, module_at: Mapping[str, str] | None = None) -> str:
    """The component a finding belongs to: its importer's (or its file's module's).

    ``module_at``: file path -> module, when the caller looks up many findings.
    """
    component_of = result.analysis.components.component_of
    module = finding.importer
    if module is None and finding.path is not None:
        if module_at is None:
            module_at = {path: name for name, path in result.analysis.paths.items()}
        module = module_at.get(finding.path)
    if module is None or module not in component_of:
        return ""
    return component_of[module] or UNMAPPED


def component_coupling(result: CheckResult) -> list[Coupling]:
    """Fan-in, fan-out and instability of every component: the numbers `archguard report`
    gives (:func:`archguard.gate.drift.coupling`); unmapped modules are no component."""
    from archguard.gate.drift import coupling

    return coupling(result.analysis)


def graph_svg(picture: Picture) -> str:
    """The picture as inline SVG: Graphviz's output without its XML prologue and doctype."""
    svg = render(to_dot(picture), "svg").decode("utf-8")
    svg = re.sub(r"<\?xml[^>]*\?>\s*", "", svg)
    svg = re.sub(r"<!DOCTYPE[^>]*>\s*", "", svg)
    svg = re.sub(r"<!--.*?-->\s*", "", svg, flags=re.S)
    return svg.strip()


def _prose(text: str) -> str:
    """Documentation text as HTML: ``literal`` (reStructuredText) as <code>, the rest escaped."""
    parts = re.split(r"``(.+?)``", text)
    return "".join(f"<code>{_e(part)}</code>" if index % 2 else _e(part) for index, part in enumerate(parts))


def _location(finding: Finding) -> str:
    if not finding.path:
        return ""
    return f"{finding.path}:{finding.line}" if finding.line else finding.path


def _rule_rows(result: CheckResult) -> str:
    rows = []
    for rule in result.rules:
        findings = [f for f in result.findings if f.rule_name == rule.name]
        errors = sum(1 for f in findings if f.severity == "error")
        warnings = len(findings) - errors
        suppressed = sum(1 for s in result.suppressed if s.finding.rule_name == rule.name)
        verdict, css = ("broken", "bad") if errors else ("warnings", "warn") if warnings else ("kept", "good")
        summary = rule.doc().summary
        rows.append(
            f'<tr data-rule="{_e(rule.name)}"><td><span class="badge {css}">{verdict}</span></td>'
            f"<td><b>{_e(rule.name)}</b></td><td><code>{_e(rule.kind)}</code></td>"
            f'<td class="num">{errors}</td><td class="num">{warnings}</td><td class="num">{suppressed}</td>'
            f'<td class="muted">{_e(rule.description) if rule.description else _prose(summary)}</td></tr>'
        )
    return "\n".join(rows)


# Findings shown open on the page before later groups start collapsed: about a screenful.
SCREENFUL = 25


def _finding_row(result: CheckResult, finding: Finding, is_accepted: bool, component: str) -> str:
    level: str = finding.severity
    css = "bad" if finding.severity == "error" else "warn"
    if is_accepted:
        level, css = "accepted", "good"
    chain = ""
    if finding.chain:
        hops = "".join(
            f'<li><code>{_e(h.importer)} → {_e(h.imported)}</code> <span class="muted">{_e(h.path or "")}:{h.line}</span></li>'
            for h in finding.chain
        )
        chain = f'<ol class="chain">{hops}</ol>'
    code = f'<div><code class="import">{_e(finding.import_text)}</code></div>' if finding.import_text and not finding.chain else ""
    remedy = f'<div class="remedy">fix: {_e(finding.remedy)}</div>' if finding.remedy else ""
    return (
        f'<tr class="finding" data-rule="{_e(finding.rule_name)}" data-component="{_e(component)}" '
        f'data-severity="{level}" data-sort-location="{_e(finding.path or "")}:{finding.line:08d}">'
        f'<td><span class="badge {css}">{level}</span></td>'
        f"<td>{_e(finding.rule_name)}</td><td>{_e(component)}</td>"
        f"<td><code>{_e(_location(finding))}</code></td>"
        f"<td>{_e(finding.message)}{code}{chain}{remedy}</td></tr>"
    )


def _finding_groups(result: CheckResult, module_at: Mapping[str, str]) -> str:
    """The findings grouped by rule (in contract order) and component, one ``<tbody>`` each
    with a heading row that opens and closes it. Groups are open until about a screenful of
    findings is shown; later ones start closed (a filter opens those it matches). Findings the
    baseline accepts come last in their group, marked "accepted" (not failures)."""
    order = {rule.name: index for index, rule in enumerate(result.rules)}
    accepted = result.baseline.accepted if result.baseline is not None else ()
    groups: dict[tuple[str, str], list[tuple[Finding, bool]]] = {}
    for finding, is_accepted in [*((f, False) for f in result.findings), *((f, True) for f in accepted)]:
        groups.setdefault((finding.rule_name, finding_component(result, finding, module_at)), []).append((finding, is_accepted))
    bodies = []
    shown = 0
    for (rule, component), members in sorted(groups.items(), key=lambda item: (order.get(item[0][0], len(order)), item[0])):
        errors = sum(1 for f, is_accepted in members if f.severity == "error" and not is_accepted)
        warnings = sum(1 for f, is_accepted in members if f.severity == "warning" and not is_accepted)
        taken = len(members) - errors - warnings
        kinds = ((errors, "error" + "s" * (errors != 1)), (warnings, "warning" + "s" * (warnings != 1)), (taken, "accepted"))
        counts = ", ".join(f"{count} {word}" for count, word in kinds if count)
        is_open = shown == 0 or shown + len(members) <= SCREENFUL
        shown += len(members) if is_open else 0
        rows = "".join(_finding_row(result, finding, is_accepted, component) for finding, is_accepted in members)
        where = f" · {_e(component)}" if component else ""
        bodies.append(
            f'<tbody class="group{"" if is_open else " collapsed"}" data-rule="{_e(rule)}" data-component="{_e(component)}">'
            f'<tr class="group-head"><td colspan="5"><button type="button" class="toggle" aria-expanded="{"true" if is_open else "false"}">'
            f'<b>{_e(rule)}</b>{where}</button> <span class="muted group-count">{len(members)} · {counts}</span></td></tr>'
            f"{rows}</tbody>"
        )
    return "\n".join(bodies)


def _metric_rows(metrics: Sequence[Coupling]) -> str:
    rows = []
    for metric in metrics:
        instability = metric.instability
        shown = "–" if instability is None else f"{instability:.2f}"
        bar = "" if instability is None else f'<span class="bar"><span style="width:{instability * 100:.0f}%"></span></span>'
        rows.append(
            f'<tr data-component="{_e(metric.component)}"><td><b>{_e(metric.component)}</b></td>'
            f'<td class="num">{metric.modules}</td><td class="num">{metric.fan_in}</td><td class="num">{metric.fan_out}</td>'
            f'<td class="num">{metric.imports_in}</td><td class="num">{metric.imports_out}</td>'
            f'<td class="num" data-value="{"" if instability is None else f"{instability:.4f}"}">{shown} {bar}</td></tr>'
        )
    return "\n".join(rows)


def _reflexion_section(reflexion: Reflexion) -> str:
    def edges(items: Sequence[tuple[str, str]]) -> str:
        if not items:
            return '<p class="muted">none</p>'
        return "<ul>" + "".join(f"<li><code>{_e(a)} → {_e(b)}</code></li>" for a, b in items) + "</ul>"

    unmapped = (
        "<ul>" + "".join(f"<li><code>{_e(m)}</code></li>" for m in reflexion.unmapped) + "</ul>"
        if reflexion.unmapped
        else '<p class="muted">none</p>'
    )
    cards = [
        ("convergent", "good", "declared and in the code", edges(reflexion.convergent), len(reflexion.convergent)),
        ("divergent", "bad", "in the code, not allowed", edges(reflexion.divergent), len(reflexion.divergent)),
        ("absent", "warn", "declared, no code uses it", edges(reflexion.absent), len(reflexion.absent)),
        ("unmapped", "warn", "modules in no component", unmapped, len(reflexion.unmapped)),
    ]
    body = "".join(
        f'<div class="card {css}" id="reflexion-{name}"><h3>{name} <span class="count">{count}</span></h3>'
        f'<p class="muted">{_e(what)}</p>{content}</div>'
        for name, css, what, content, count in cards
    )
    return f'<section id="reflexion"><h2>Reflexion: declared versus actual</h2><div class="cards">{body}</div></section>'


def _kind_label(group: CloneGroup) -> str:
    """"exact copies", "renamed copies", "similar copies (87% shared)" (rounded down: never 100%)."""
    if group.kind == "near-miss":
        return f"similar copies ({min(99, int(group.similarity * 100))}% shared)"
    return f"{group.kind} copies"


def _clone_section(groups: Sequence[CloneGroup]) -> str:
    ordered = sorted(groups, key=lambda g: (not g.cross_component, -g.lines, g.locations[0].path if g.locations else ""))
    parts = []
    for index, group in enumerate(ordered, 1):
        components = sorted({loc.component for loc in group.locations if loc.component})
        badge = '<span class="badge bad">crosses components</span>' if group.cross_component else ""
        columns = "".join(
            f'<div class="clone"><div class="clone-head"><code>{_e(loc.path)}:{loc.start_line}-{loc.end_line}</code>'
            f"{' <b>' + _e(loc.name) + '</b>' if loc.name else ''}"
            f"{' <span class=muted>(' + _e(loc.component) + ')</span>' if loc.component else ''}</div>"
            f"<pre><code>{_e(loc.code)}</code></pre></div>"
            for loc in group.locations
        )
        parts.append(
            f'<div class="clone-group" data-component="{_e(" ".join(components))}">'
            f"<h3>clone group {index} {badge}</h3>"
            f'<p class="muted">{_e(_kind_label(group))}, {len(group.locations)} copies, {group.lines} lines, {group.tokens} tokens</p>'
            f'<div class="clones">{columns}</div></div>'
        )
    return f'<section id="clones"><h2>Duplicated code <span class="count">{len(ordered)}</span></h2>{"".join(parts)}</section>'


def render_html(
    result: CheckResult,
    *,
    title: str | None = None,
    picture: Picture | None = None,
    svg: str | None = None,
    clone_groups: Sequence[CloneGroup] | None = None,
    reflexion: Reflexion | None = None,
) -> str:
    """One self-contained HTML page for a check result.

    ``picture`` defaults to the component picture of the result; ``svg`` (already rendered)
    skips running Graphviz. Without Graphviz's ``dot`` the page still has everything but the
    drawing, and says how to get it. ``clone_groups`` and ``reflexion`` add their sections.
    """
    from archguard.rules.duplication import one_per_group

    # One finding per clone group, as every report counts them (`check`, `report`).
    result = replace(result, findings=one_per_group(result.findings))
    analysis = result.analysis
    picture = picture if picture is not None else readable(component_picture(result))
    if svg is None:
        try:
            svg = graph_svg(picture)
        except GraphvizMissingError as error:
            svg = f'<p class="notice">The component graph needs Graphviz: {_e(error)}</p>'
    node_names = {f"node-{node_id(n.name)}": n.name for n in picture.nodes if n.kind in ("component", "unmapped")}
    errors, warnings = len(result.errors), len(result.warnings)
    accepted = f", {len(result.baseline.accepted)} accepted by the baseline" if result.baseline is not None and result.baseline.accepted else ""
    verdict = "fail" if errors else "pass"
    metrics = component_coupling(result)
    rule_names = [rule.name for rule in result.rules]
    module_at = {path: module for module, path in analysis.paths.items()}
    components = sorted({finding_component(result, f, module_at) for f in result.findings} - {""})
    stats = analysis.stats
    heading = title or f"archguard report · {analysis.loaded.display_path}"
    sections = [
        f'<section id="graph"><h2>Component graph</h2>'
        f'<p class="muted">Click a component to see its findings. <button type="button" id="zoom">actual size</button></p>'
        f'<div class="graph" id="graph-box">{svg}</div></section>',
        f'<section id="rules"><h2>Rules</h2><table class="sortable" id="rules-table"><thead><tr>'
        f"<th>verdict</th><th>rule</th><th>kind</th><th>errors</th><th>warnings</th><th>suppressed</th><th>what it checks</th>"
        f"</tr></thead><tbody>{_rule_rows(result)}</tbody></table></section>",
        '<section id="findings"><h2>Findings <span class="count">' + str(len(result.findings)) + "</span></h2>"
        '<div class="filters">'
        '<label>rule <select id="filter-rule"><option value="">all</option>'
        + "".join(f'<option value="{_e(n)}">{_e(n)}</option>' for n in rule_names)
        + '</select></label> <label>component <select id="filter-component"><option value="">all</option>'
        + "".join(f'<option value="{_e(c)}">{_e(c)}</option>' for c in components)
        + '</select></label> <label>severity <select id="filter-severity"><option value="">all</option>'
        '<option value="error">error</option><option value="warning">warning</option><option value="accepted">accepted</option>'
        "</select></label> "
        '<label>text <input id="filter-text" type="search" placeholder="module, file, message"></label> '
        '<button type="button" id="filter-reset">reset</button> <button type="button" id="expand-all">open all groups</button> '
        '<span id="shown" class="muted"></span></div>'
        '<table class="sortable" id="findings-table"><thead><tr><th>severity</th><th>rule</th><th>component</th>'
        f'<th data-key="location">location</th><th>message</th></tr></thead>{_finding_groups(result, module_at)}</table>'
        + ('<p class="muted" id="no-findings">No findings: the code keeps every rule.</p>' if not result.findings else "")
        + "</section>",
        '<section id="metrics"><h2>Coupling per component</h2>'
        '<p class="muted">fan-in: components that import it · fan-out: components it imports · '
        "instability = fan-out / (fan-in + fan-out): 0 stable, 1 free to change</p>"
        '<table class="sortable" id="metrics-table"><thead><tr><th>component</th><th>modules</th><th>fan-in</th>'
        "<th>fan-out</th><th>imports in</th><th>imports out</th><th>instability</th></tr></thead>"
        f"<tbody>{_metric_rows(metrics)}</tbody></table></section>",
    ]
    if reflexion is not None:
        sections.append(_reflexion_section(reflexion))
    if clone_groups:
        sections.append(_clone_section(clone_groups))
    nav = "".join(
        f'<a href="#{anchor}">{label}</a>'
        for anchor, label in (
            ("graph", "graph"),
            ("rules", "rules"),
            ("findings", "findings"),
            ("metrics", "coupling"),
            *((("reflexion", "reflexion"),) if reflexion is not None else ()),
            *((("clones", "duplication"),) if clone_groups else ()),
        )
    )
    summary = (
        f'<span class="badge big {"bad" if errors else "good"}">{verdict}</span> '
        f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}, "
        f"{len(result.suppressed)} suppressed{accepted} · {stats.files} files, {stats.imports} imports, "
        f"{len(analysis.components.order)} components, {len(result.rules)} rules"
    )
    data = json.dumps({"nodes": node_names}, sort_keys=True).replace("</", "<\\/")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="archguard {_e(__version__)}">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'; img-src data:\">"
        f"<title>{_e(heading)}</title><style>{CSS}</style></head><body>"
        f'<header><h1>{_e(heading)}</h1><p id="summary">{summary}</p><nav>{nav}</nav></header><main>'
        + "\n".join(sections)
        + f'</main><script type="application/json" id="archguard-data">{data}</script><script>{SCRIPT}</script></body></html>\n'
    )


CSS = """
:root { --text:#202124; --muted:#5f6368; --line:#dadce0; --bg:#f8f9fa; --red:#d93025; --amber:#e37400; --green:#188038; --blue:#1a73e8; }
* { box-sizing: border-box; }
body { margin:0; font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif; color:var(--text); background:white; }
header { padding:18px 28px 10px; border-bottom:1px solid var(--line); background:var(--bg); }
h1 { margin:0 0 4px; font-size:20px; }
h2 { font-size:17px; margin:0 0 10px; }
h3 { font-size:15px; margin:0 0 6px; }
nav a { margin-right:16px; color:var(--blue); text-decoration:none; }
main { padding:8px 28px 40px; }
section { margin:22px 0 30px; }
.muted { color:var(--muted); }
.count { font-size:12px; background:var(--bg); border:1px solid var(--line); border-radius:10px; padding:1px 8px;
         color:var(--muted); vertical-align:middle; }
.badge { display:inline-block; font-size:12px; font-weight:600; padding:1px 8px; border-radius:10px; color:white; }
.badge.big { font-size:14px; padding:2px 12px; text-transform:uppercase; }
.badge.bad { background:var(--red); } .badge.warn { background:var(--amber); } .badge.good { background:var(--green); }
.graph { overflow:auto; border:1px solid var(--line); border-radius:8px; padding:8px; background:white; }
.graph.actual { max-height:85vh; }
.graph svg { max-width:100%; height:auto; }
.graph.actual svg { max-width:none; }
.graph g.node.component, .graph g.node.unmapped { cursor:pointer; }
.graph g.node.selected path, .graph g.node.selected polygon { stroke-width:3px; stroke:var(--blue); }
.notice { padding:12px; background:#fef7e0; border:1px solid var(--amber); border-radius:6px; }
table { border-collapse:collapse; width:100%; }
th, td { text-align:left; vertical-align:top; padding:6px 8px; border-bottom:1px solid var(--line); }
th { background:var(--bg); position:sticky; top:0; cursor:pointer; user-select:none; white-space:nowrap; }
th.sorted-asc::after { content:" ▲"; font-size:10px; } th.sorted-desc::after { content:" ▼"; font-size:10px; }
td.num { text-align:right; font-variant-numeric:tabular-nums; white-space:nowrap; }
code { font:12.5px/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace; }
code.import { color:var(--muted); }
.remedy { color:var(--green); font-size:12.5px; margin-top:3px; }
ol.chain { margin:4px 0 0; padding-left:20px; }
.filters { display:flex; flex-wrap:wrap; gap:10px; align-items:center; margin-bottom:10px; }
.filters select, .filters input { font:inherit; padding:3px 6px; }
.bar { display:inline-block; width:60px; height:8px; background:var(--bg); border:1px solid var(--line); border-radius:4px;
       vertical-align:middle; margin-left:6px; }
.bar span { display:block; height:100%; background:var(--blue); border-radius:4px; }
.cards { display:grid; grid-template-columns:repeat(auto-fit,minmax(220px,1fr)); gap:12px; }
.card { border:1px solid var(--line); border-top:4px solid var(--line); border-radius:8px; padding:10px 14px; }
.card.good { border-top-color:var(--green); } .card.bad { border-top-color:var(--red); } .card.warn { border-top-color:var(--amber); }
.card ul { margin:0; padding-left:18px; max-height:220px; overflow:auto; }
.clone-group { border:1px solid var(--line); border-radius:8px; padding:10px 14px; margin-bottom:14px; }
.clones { display:grid; grid-template-columns:repeat(auto-fit,minmax(320px,1fr)); gap:10px; }
.clone pre { margin:4px 0 0; background:var(--bg); border:1px solid var(--line); border-radius:6px; padding:8px;
             overflow:auto; max-height:360px; }
tr.hidden, tbody.hidden { display:none; }
tbody.collapsed tr.finding { display:none; }
table.filtering tbody.collapsed tr.finding:not(.hidden) { display:table-row; }
tr.group-head td { background:#eef1f5; border-top:2px solid var(--line); }
button.toggle { font:inherit; border:0; background:none; cursor:pointer; padding:0; color:var(--text); }
button.toggle::before { content:"▾ "; color:var(--muted); }
tbody.collapsed button.toggle::before { content:"▸ "; }
table.filtering tbody.collapsed button.toggle::before { content:"▾ "; }
"""

SCRIPT = r"""
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("archguard-data").textContent);
  var table = document.getElementById("findings-table");
  var rows = Array.prototype.slice.call(table.querySelectorAll("tr.finding"));
  var groups = Array.prototype.slice.call(table.querySelectorAll("tbody.group"));
  var rule = document.getElementById("filter-rule"), component = document.getElementById("filter-component"),
      severity = document.getElementById("filter-severity"), text = document.getElementById("filter-text"),
      shown = document.getElementById("shown");
  function applyFilters() {
    var needle = text.value.trim().toLowerCase(), count = 0;
    var filtering = !!(rule.value || component.value || severity.value || needle);
    rows.forEach(function (row) {
      var keep = (!rule.value || row.dataset.rule === rule.value) &&
                 (!component.value || row.dataset.component === component.value) &&
                 (!severity.value || row.dataset.severity === severity.value) &&
                 (!needle || row.textContent.toLowerCase().indexOf(needle) >= 0);
      row.classList.toggle("hidden", !keep);
      if (keep) { count += 1; }
    });
    groups.forEach(function (group) {
      group.classList.toggle("hidden", !group.querySelector("tr.finding:not(.hidden)"));
    });
    table.classList.toggle("filtering", filtering);  // a filter shows every match, closed groups too
    shown.textContent = "showing " + count + " of " + rows.length;
    document.querySelectorAll("#graph-box g.node").forEach(function (node) {
      node.classList.toggle("selected", !!component.value && data.nodes[node.id] === component.value);
    });
  }
  function setOpen(group, open) {
    group.classList.toggle("collapsed", !open);
    group.querySelector("button.toggle").setAttribute("aria-expanded", open ? "true" : "false");
  }
  groups.forEach(function (group) {
    group.querySelector("button.toggle").addEventListener("click", function () {
      setOpen(group, group.classList.contains("collapsed"));
    });
  });
  document.getElementById("expand-all").addEventListener("click", function () {
    var open = groups.some(function (group) { return group.classList.contains("collapsed"); });
    groups.forEach(function (group) { setOpen(group, open); });
    this.textContent = open ? "close all groups" : "open all groups";
  });
  [rule, component, severity].forEach(function (el) { el.addEventListener("change", applyFilters); });
  text.addEventListener("input", applyFilters);
  document.getElementById("filter-reset").addEventListener("click", function () {
    rule.value = ""; component.value = ""; severity.value = ""; text.value = ""; applyFilters();
  });
  document.querySelectorAll("#graph-box g.node").forEach(function (node) {
    var name = data.nodes[node.id];
    if (!name) { return; }
    node.addEventListener("click", function () {
      var has = Array.prototype.some.call(component.options, function (o) { return o.value === name; });
      if (!has) {
        var option = document.createElement("option");
        option.value = name; option.textContent = name; component.appendChild(option);
      }
      component.value = component.value === name ? "" : name;
      applyFilters();
      document.getElementById("findings").scrollIntoView({behavior: "smooth"});
    });
  });
  document.getElementById("zoom").addEventListener("click", function () {
    var box = document.getElementById("graph-box");
    box.classList.toggle("actual");
    this.textContent = box.classList.contains("actual") ? "fit to width" : "actual size";
  });
  function cellValue(row, index, key) {
    if (key === "location") { return row.dataset.sortLocation || ""; }
    var cell = row.cells[index];
    if (cell.dataset.value !== undefined) { return cell.dataset.value === "" ? -1 : parseFloat(cell.dataset.value); }
    var value = cell.textContent.trim();
    return /^-?[0-9.]+$/.test(value) ? parseFloat(value) : value.toLowerCase();
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var headers = table.querySelectorAll("thead th");
    headers.forEach(function (th, index) {
      th.addEventListener("click", function () {
        var descending = th.classList.contains("sorted-asc");
        headers.forEach(function (h) { h.classList.remove("sorted-asc", "sorted-desc"); });
        th.classList.add(descending ? "sorted-desc" : "sorted-asc");
        Array.prototype.forEach.call(table.tBodies, function (body) {
          var list = Array.prototype.filter.call(body.rows, function (row) { return !row.classList.contains("group-head"); });
          list.sort(function (a, b) {
            var x = cellValue(a, index, th.dataset.key), y = cellValue(b, index, th.dataset.key);
            var order = x < y ? -1 : x > y ? 1 : 0;
            return descending ? -order : order;
          });
          list.forEach(function (row) { body.appendChild(row); });
        });
      });
    });
  });
  applyFilters();
})();
"""
