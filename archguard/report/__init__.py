"""Reporters: one module per output format, each a pure function of a check result.

Every reporter returns text; the CLI decides where it goes. Output is deterministic: the same
findings give byte-identical text (no timings, no absolute paths, sorted everything).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from archguard.engine import CheckResult


@dataclass(frozen=True)
class ReportOptions:
    color: bool = False
    width: int = 100
    verbose: bool = False


Reporter = Callable[[CheckResult, ReportOptions], str]


def reporters() -> dict[str, Reporter]:
    """Format name -> reporter. The one place formats are registered."""
    from archguard.report import json_report, text

    return {"text": text.render, "json": json_report.render}
