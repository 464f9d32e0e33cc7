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


# What a lent site-packages leaves out: the installer's own tools and archguard itself, so that
# the archguard that runs is the one pip installed from the repository under test.
NOT_LENT = ("setuptools", "pkg_resources", "_distutils_hack", "distutils-precedence", "pip", "wheel", "archguard", "__editable__")


def offline_pip_env(tmp_path: Path) -> dict[str, str]:
    """Environment variables under which ``pip install REPO`` works offline: pip neither looks
    at an index nor resolves dependencies, builds with the target environment's setuptools,
    and the dependencies are lent on PYTHONPATH from this interpreter's site-packages."""
    import sysconfig

    lent = tmp_path / "lent-site-packages"
    lent.mkdir(exist_ok=True)
    for entry in Path(sysconfig.get_paths()["purelib"]).iterdir():
        if not entry.name.startswith(NOT_LENT) and entry.suffix != ".pth" and not (lent / entry.name).exists():
            (lent / entry.name).symlink_to(entry)
    return {
        "PIP_NO_INDEX": "1",
        "PIP_NO_DEPS": "1",
        "PIP_NO_BUILD_ISOLATION": "0",  # pip's spelling of "no build isolation"
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "VIRTUALENV_NO_DOWNLOAD": "1",
        "PYTHONPATH": str(lent),
    }


def clean_environ(*prefixes: str) -> dict[str, str]:
    """This process's environment without variables that start with ``prefixes``."""
    return {k: v for k, v in os.environ.items() if not k.startswith(prefixes)}


def repository_copy(path: Path, *extra: str) -> Path:
    """A committed git repository holding archguard's package, pyproject.toml, README.md and ``extra``
    files or folders of this checkout: what pip and pre-commit need to install archguard from it."""
    import shutil

    from tests.helpers import REPO

    path.mkdir(parents=True)
    for name in ("archguard", "pyproject.toml", "README.md", *extra):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, path / name)
    git("init", "-q", cwd=path)
    git("add", "-A", cwd=path)
    git("commit", "-q", "-m", "archguard", cwd=path)
    return path


def git(*args: str, cwd: Path) -> str:
    result = subprocess.run(
        ["git", "-c", "user.email=t@example.test", "-c", "user.name=test", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout.strip()
