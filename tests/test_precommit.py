"""The pre-commit hooks of .pre-commit-hooks.yaml, run by pre-commit itself (``try-repo``) on a
sample git repository, offline.

``archguard`` (``language: python``): pre-commit creates a virtualenv and pip-installs archguard
from the hook repository itself. Offline, pip may not fetch archguard's dependencies, so the test
tells pip not to (PIP_NO_INDEX, PIP_NO_DEPS) and lends them to the hook's environment on
PYTHONPATH from this interpreter, without archguard itself, setuptools or pip: archguard is
still built and installed from the hook repository by pre-commit, and the installed copy runs.
``archguard-system`` (``language: system``) runs the archguard on PATH: here a launcher for
this checkout.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import REPO, write_tree
from tests.reporting import clean_environ, git, offline_pip_env, repository_copy

pytest.importorskip("pre_commit")


def sample_repository(path: Path, *, violation: bool) -> Path:
    rules = "from app.web import views\n" if violation else "import os\n"
    write_tree(
        path,
        {
            "src/app/__init__.py": "",
            "src/app/web/__init__.py": "",
            "src/app/web/views.py": "from app.core import rules\n",
            "src/app/core/__init__.py": "",
            "src/app/core/rules.py": rules,
            "README.md": "sample\n",
            "archguard.toml": """
                [components]
                web = { modules = ["app.web"] }
                core = { modules = ["app.core"] }
                root = { modules = ["app:*"] }

                [[rules]]
                kind = "layers"
                name = "web over core"
                layers = ["web", "core"]
            """,
        },
    )
    git("init", "-q", cwd=path)
    git("add", "-A", cwd=path)
    git("commit", "-q", "-m", "sample", cwd=path)
    return path


@pytest.fixture
def offline_env(tmp_path: Path) -> dict[str, str]:
    launcher = tmp_path / "bin" / "archguard"
    launcher.parent.mkdir()
    launcher.write_text(f'#!/bin/sh\nPYTHONPATH="{REPO}" exec "{sys.executable}" -m archguard "$@"\n', encoding="utf-8")
    launcher.chmod(0o755)
    env = clean_environ("PIP_", "PRE_COMMIT", "VIRTUALENV_", "GITHUB_")
    env.update(offline_pip_env(tmp_path))
    env.update(
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        PATH=f"{launcher.parent}{os.pathsep}{env.get('PATH', '')}",
        NO_COLOR="1",
    )
    return env


def try_repo(hooks: Path, sample: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", "try-repo", str(hooks), *args, "--color", "never"],
        cwd=sample,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_both_hooks_fail_a_commit_that_breaks_the_contract_and_pass_a_clean_one(tmp_path: Path, offline_env: dict[str, str]) -> None:
    hooks = repository_copy(tmp_path / "hooks", ".pre-commit-hooks.yaml")
    sample = sample_repository(tmp_path / "sample", violation=True)

    proc = try_repo(hooks, sample, offline_env, "--all-files")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert output.count("archguard....") == 2 and output.count("Failed") == 2
    assert output.count("src/app/core/rules.py:1:1 error layers · web over core: app.core.rules imports app.web.views") == 2
    assert "Installing environment" in output  # the python hook built its own environment offline

    (sample / "src/app/core/rules.py").write_text("import os\n", encoding="utf-8")
    git("commit", "-q", "-am", "fix", cwd=sample)
    proc = try_repo(hooks, sample, offline_env, "archguard-system", "--all-files")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout


def test_the_hook_skips_commits_without_python_or_contract_changes(tmp_path: Path, offline_env: dict[str, str]) -> None:
    hooks = repository_copy(tmp_path / "hooks", ".pre-commit-hooks.yaml")
    sample = sample_repository(tmp_path / "sample", violation=True)
    proc = try_repo(hooks, sample, offline_env, "archguard-system", "--files", "README.md")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "(no files to check)Skipped" in proc.stdout
    proc = try_repo(hooks, sample, offline_env, "archguard-system", "--files", "archguard.toml")
    assert proc.returncode == 1 and "Failed" in proc.stdout
