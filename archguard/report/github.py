"""GitHub Actions workflow commands: one annotation per cause on the pull request's diff.

An import statement that breaks several rules is one annotation that lists each rule
(:mod:`archguard.findings.sites`): GitHub shows only the first ten annotations of a step.

``::error file=F,line=L,col=C,endLine=E,title=T::message`` (``::warning`` for warnings), escaped
as the Actions runner expects: ``%``, CR and LF in the message; also ``:`` and ``,`` in the
properties. A last plain line repeats the verdict for the log. The job summary (Markdown, to
``$GITHUB_STEP_SUMMARY``) is written by the CLI with the Markdown reporter.
"""

from __future__ import annotations

from archguard.engine.pipeline import CheckResult
from archguard.findings import Finding
from archguard.findings.sites import SiteGroup, group_by_site, in_file_order, rule_title
from archguard.report import ReportOptions
from archguard.report.escape import workflow_data, workflow_property
from archguard.report.summary import hop_text, plural, repository_path, verdict

escape_data = workflow_data  # %, CR, LF as the runner expects; other control characters visible
escape_property = workflow_property


def _details(finding: Finding, options: ReportOptions, with_import: bool) -> list[str]:
    if finding.chain:
        return [f"  {hop_text(hop, options.path_prefix)}" for hop in finding.chain]
    if finding.import_text and with_import:
        return [f"  {finding.import_text}"]
    return []


def annotation(finding: Finding, result: CheckResult, options: ReportOptions) -> str:
    """The annotation of one finding (an entry of its own)."""
    return group_annotation(SiteGroup((finding,)), result, options)


def group_annotation(group: SiteGroup, result: CheckResult, options: ReportOptions) -> str:
    """One annotation for a cause: a finding, or an import with every rule it breaks."""
    finding = group.first
    properties = [("file", repository_path(finding, result, options.path_prefix))]
    if finding.path and finding.line:
        properties.append(("line", str(finding.line)))
        if finding.column:
            properties.append(("col", str(finding.column)))
        if finding.end_line > finding.line:
            properties.append(("endLine", str(finding.end_line)))
    properties.append(("title", f"archguard {', '.join(group.rule_titles())}"))
    if group.several:
        lines = [f"{group.import_text} {group.summary()}:"]
        for member in group.findings:
            lines.append(f"{rule_title(member)}: {member.message}")
            lines += _details(member, options, with_import=False)
    else:
        lines = [finding.message, *_details(finding, options, with_import=True)]
    remedy = group.remedy()
    if finding.remedy or remedy.kind != "review":
        lines.append(f"fix: {remedy.action}")
    command = group.severity
    props = ",".join(f"{key}={escape_property(value)}" for key, value in properties)
    return f"::{command} {props}::{escape_data(chr(10).join(lines))}"


def render(result: CheckResult, options: ReportOptions) -> str:
    lines = [group_annotation(group, result, options) for group in group_by_site(in_file_order(result.findings))]
    lines.append(f"archguard: {verdict(result)} · {plural(result.analysis.stats.files, 'file')}")
    return "\n".join(lines) + "\n"
