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
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from tests.helpers import REPO, write_tree

pytest.importorskip("pre_commit")

NOT_LENT = ("setuptools", "pkg_resources", "_distutils_hack", "distutils-precedence", "pip", "wheel", "archguard", "__editable__")


def git(*args: str, cwd: Path) -> None:
    subprocess.run(
        ["git", "-c", "user.email=t@example.test", "-c", "user.name=test", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def hook_repository(path: Path) -> Path:
    """A git repository holding what pre-commit needs of this checkout, committed."""
    path.mkdir()
    shutil.copytree(REPO / "archguard", path / "archguard", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(REPO / name, path / name)
    git("init", "-q", cwd=path)
    git("add", "-A", cwd=path)
    git("commit", "-q", "-m", "hooks", cwd=path)
    return path


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
    lent = tmp_path / "lent-site-packages"
    lent.mkdir()
    site_packages = Path(sysconfig.get_paths()["purelib"])
    for entry in site_packages.iterdir():
        if not entry.name.startswith(NOT_LENT) and entry.suffix != ".pth":
            (lent / entry.name).symlink_to(entry)
    launcher = tmp_path / "bin" / "archguard"
    launcher.parent.mkdir()
    launcher.write_text(f'#!/bin/sh\nPYTHONPATH="{REPO}" exec "{sys.executable}" -m archguard "$@"\n', encoding="utf-8")
    launcher.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "PRE_COMMIT", "VIRTUALENV_", "GITHUB_"))}
    env.update(
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit-home"),
        PIP_NO_INDEX="1",
        PIP_NO_DEPS="1",
        PIP_NO_BUILD_ISOLATION="0",  # pip's spelling of "no build isolation": build with the env's setuptools
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        VIRTUALENV_NO_DOWNLOAD="1",
        PYTHONPATH=str(lent),
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
    hooks = hook_repository(tmp_path / "hooks")
    sample = sample_repository(tmp_path / "sample", violation=True)

    proc = try_repo(hooks, sample, offline_env, "--all-files")
    output = proc.stdout + proc.stderr
    assert proc.returncode == 1, output
    assert output.count("archguard....") == 2 and output.count("Failed") == 2
    assert output.count("src/app/core/rules.py:1:1 error app.core.rules imports app.web.views") == 2
    assert "Installing environment" in output  # the python hook built its own environment offline

    (sample / "src/app/core/rules.py").write_text("import os\n", encoding="utf-8")
    git("commit", "-q", "-am", "fix", cwd=sample)
    proc = try_repo(hooks, sample, offline_env, "archguard-system", "--all-files")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Passed" in proc.stdout


def test_the_hook_skips_commits_without_python_or_contract_changes(tmp_path: Path, offline_env: dict[str, str]) -> None:
    hooks = hook_repository(tmp_path / "hooks")
    sample = sample_repository(tmp_path / "sample", violation=True)
    proc = try_repo(hooks, sample, offline_env, "archguard-system", "--files", "README.md")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "(no files to check)Skipped" in proc.stdout
    proc = try_repo(hooks, sample, offline_env, "archguard-system", "--files", "archguard.toml")
    assert proc.returncode == 1 and "Failed" in proc.stdout
