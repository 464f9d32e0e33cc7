"""Reporters: one module per output format, each a pure function of a check result.

Every reporter returns text; the CLI decides where it goes. Output is deterministic: the same
findings give byte-identical text (no timings, no absolute paths, sorted everything), except
the text report's summary line when ``ReportOptions.timing`` asks for the wall time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from importlib import import_module

from archguard.engine.pipeline import CheckResult
from archguard.findings import Related

# Where the rules are documented for users: SARIF help links and Markdown reports point here.
DOCS_URL = "https://github.com/archguard/archguard/blob/main/docs/index.md"
RULES_URL = "https://github.com/archguard/archguard/blob/main/docs/contract.md#rules"


@dataclass(frozen=True)
class ReportOptions:
    """How reports are written: colour, width, detail, and where paths are relative to."""

    color: bool = False
    width: int = 100
    verbose: bool = False
    quiet: bool = False  # text: only the errors, no header and no summary line
    # text and Markdown: list each clone group within one component (warnings), instead of one
    # line that counts them (``check --all-clones``)
    clone_detail: bool = False
    timing: bool = False  # text: wall time and cache counts on the summary line (not deterministic)
    # The project root relative to the repository root ("" or "examples/shop/"). The one rule
    # for paths: the formats read by CI hosts and agents (SARIF, GitHub, JUnit, Markdown, agent)
    # give every path relative to the repository, in locations and inside messages alike (the
    # other copies of a clone, the code to reuse); text and JSON give them relative to the
    # project root. ``check --paths project`` makes this prefix empty (every path project-relative).
    path_prefix: str = ""
    # Base URL of the repository's files at the checked commit ("https://github.com/o/r/blob/SHA"):
    # the Markdown report links each finding to its line there.
    source_url: str | None = None

    def repository_path(self, path: str) -> str:
        """A project-relative path as a path relative to the repository root."""
        return self.path_prefix + path


Reporter = Callable[[CheckResult, ReportOptions], str]


def presented(result: CheckResult) -> CheckResult:
    """The result as every report shows it: one finding per clone group (at its first copy that
    is still reported, naming the others). The gate and baselines match each copy on its own;
    reports count each group once. Applying it twice changes nothing."""
    from archguard.rules.duplication import one_per_group

    if not any(f.rule == "duplication" for f in result.findings):
        return result
    return replace(result, findings=one_per_group(result.findings))


# Format name -> module of archguard.report with its ``render``. The one place formats are registered.
_FORMATS = {
    "text": "text",
    "json": "json_report",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
    "markdown": "markdown",
    "agent": "agent",
}


# The formats that give paths relative to the repository root (``ReportOptions.path_prefix``).
REPOSITORY_FORMATS = frozenset({"sarif", "github", "junit", "markdown", "agent"})


def with_paths_in_text(result: CheckResult, prefix: str) -> CheckResult:
    """The result with the paths that findings name in their text (the other copies of a clone,
    the code to reuse) prefixed as their locations are, so that one line never mixes
    repository- and project-relative paths. Locations themselves are left to the format."""
    if not prefix or not any(f.related for f in result.findings):
        return result

    def prefixed(text: str, places: tuple[Related, ...]) -> str:
        for path in sorted({place.path for place in places}, key=len, reverse=True):
            text = re.sub(rf"(?<![\w./-]){re.escape(path)}(?=:\d)", (prefix + path).replace("\\", "\\\\"), text)
        return text

    findings = []
    for finding in result.findings:
        if finding.related:
            fix = finding.fix
            if fix is not None:
                fix = replace(fix, action=prefixed(fix.action, finding.related))
            remedy = prefixed(finding.remedy, finding.related) if finding.remedy else finding.remedy
            finding = replace(finding, message=prefixed(finding.message, finding.related), remedy=remedy, fix=fix)
        findings.append(finding)
    return replace(result, findings=findings)


def _on_first_use(module: str) -> Reporter:
    def render(result: CheckResult, options: ReportOptions) -> str:
        renderer: Reporter = import_module(f"archguard.report.{module}").render
        shown = presented(result)
        if module in REPOSITORY_FORMATS:
            shown = with_paths_in_text(shown, options.path_prefix)
        return renderer(shown, options)

    return render


def reporters() -> dict[str, Reporter]:
    """Format name -> reporter; each reporter's module is imported when it first renders."""
    return {name: _on_first_use(module) for name, module in _FORMATS.items()}
