"""Helpers for the report tests: a project that exercises every part of a report."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import make_project

# A project with something for every corner of a report: direct and indirect violations (a
# chain), a pragma-suppressed finding, a pragma without a reason, a warning-level rule, a
# stale [[ignore]] entry, a parse error, unmapped modules, and two identical findings.
RICH_FILES: dict[str, str | bytes] = {
    "src/app/__init__.py": "",
    "src/app/web/__init__.py": "",
    "src/app/web/views.py": """
        from app.core import rules
        from app.db import session  # archguard: ignore[layers] the health check reads the db directly
    """,
    "src/app/core/__init__.py": "",
    "src/app/core/rules.py": """
        from app.web import views
        from app.web import views  # archguard: ignore[forbidden]
    """,
    "src/app/core/util.py": """
        def helper():
            from app.web import views  # archguard: ignore[layers] lazy import for the debug page
            return views
    """,
    "src/app/db/__init__.py": "",
    "src/app/db/session.py": "import sqlite3\n",
    "src/app/broken.py": "def broken(:\n    pass\n",
    "src/app/stray/__init__.py": "",
}

RICH_CONTRACT = """
[project]
roots = ["src"]

[components]
web  = { modules = ["app.web"] }
core = { modules = ["app.core"] }
db   = { modules = ["app.db"] }
root = { modules = ["app:*", "app.broken"] }

[[rules]]
kind = "layers"
name = "Clean | layering"
layers = ["web", "core", "db"]

[[rules]]
kind = "forbidden"
name = "core stays pure"
severity = "warning"
from = ["core"]
to = ["web"]

[[ignore]]
import = "app.nothing -> app.gone"
reason = "left over from a refactoring"
"""


def make_rich_project(root: Path) -> Path:
    return make_project(root, RICH_FILES, RICH_CONTRACT)
