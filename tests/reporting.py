"""Helpers for the report tests: a project that exercises every part of a report."""

from __future__ import annotations

import os
import subprocess
import sys
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


def run_cli_on_terminal(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120) -> tuple[int, str]:
    """Run ``python -m archguard ARGS`` with stdout and stderr on a pseudo-terminal, as a user
    at a terminal would: (exit code, everything the terminal received)."""
    import pty
    import select
    import time

    from tests.helpers import REPO

    full_env = {**os.environ, "PYTHONPATH": str(REPO), "COLUMNS": "100", "TERM": "xterm-256color", **(env or {})}
    for name in ("NO_COLOR", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "FORCE_COLOR", "CI"):
        if name not in (env or {}):
            full_env.pop(name, None)
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "archguard", *args], cwd=cwd, env=full_env, stdin=subprocess.DEVNULL, stdout=terminal, stderr=terminal
    )
    os.close(terminal)
    chunks: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([controller], [], [], 0.1)
        if ready:
            try:
                data = os.read(controller, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not data:
                break
            chunks.append(data)
        elif process.poll() is not None:
            break
    os.close(controller)
    code = process.wait(timeout=10)
    return code, b"".join(chunks).decode("utf-8", "replace")


def run_cli_in_ci(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Like ``tests.helpers.run_cli``, but keeps the CI variables (GITHUB_*) that ``env`` sets."""
    from tests.helpers import REPO

    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "CI_"))}
    full_env.update({"PYTHONPATH": str(REPO), "NO_COLOR": "1", **env})
    return subprocess.run([sys.executable, "-m", "archguard", *args], cwd=cwd, env=full_env, capture_output=True, text=True, timeout=120)
