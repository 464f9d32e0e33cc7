"""GitHub Actions workflow commands: one annotation per finding on the pull request's diff.

``::error file=F,line=L,col=C,endLine=E,title=T::message`` (``::warning`` for warnings), escaped
as the Actions runner expects: ``%``, CR and LF in the message; also ``:`` and ``,`` in the
properties. A last plain line repeats the verdict for the log. The job summary (Markdown, to
``$GITHUB_STEP_SUMMARY``) is written by the CLI with the Markdown reporter.
"""

from __future__ import annotations

from archguard.engine.pipeline import CheckResult
from archguard.findings import Finding
from archguard.report import ReportOptions
from archguard.report.escape import workflow_data, workflow_property
from archguard.report.summary import hop_text, plural, repository_path, verdict

escape_data = workflow_data  # %, CR, LF as the runner expects; other control characters visible
escape_property = workflow_property


def annotation(finding: Finding, result: CheckResult, options: ReportOptions) -> str:
    properties = [("file", repository_path(finding, result, options.path_prefix))]
    if finding.path and finding.line:
        properties.append(("line", str(finding.line)))
        if finding.column:
            properties.append(("col", str(finding.column)))
        if finding.end_line > finding.line:
            properties.append(("endLine", str(finding.end_line)))
    title = finding.rule if finding.rule == finding.rule_name else f"{finding.rule} · {finding.rule_name}"
    properties.append(("title", f"archguard {title}"))
    lines = [finding.message]
    if finding.chain:
        lines += [f"  {hop_text(hop, options.path_prefix)}" for hop in finding.chain]
    elif finding.import_text:
        lines.append(f"  {finding.import_text}")
    if finding.remedy:
        lines.append(f"fix: {finding.remedy}")
    command = "error" if finding.severity == "error" else "warning"
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{command} {props}::{escape_data(chr(10).join(lines))}"


def render(result: CheckResult, options: ReportOptions) -> str:
    lines = [annotation(finding, result, options) for finding in result.findings]
    lines.append(f"archguard: {verdict(result)} · {plural(result.analysis.stats.files, 'file')}")
    return "\n".join(lines) + "\n"
