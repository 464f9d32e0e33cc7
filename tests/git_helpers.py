"""Real git repositories in tmp_path for the diff-mode tests."""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import subprocess
from pathlib import Path

from tests.helpers import make_project, write_tree

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.invalid",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_SYSTEM": os.devnull,
}


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, env={**os.environ, **GIT_ENV}, check=False)
    assert result.returncode == 0, f"git {' '.join(args)} failed: {result.stderr}"
    return result.stdout


def init_repo(root: Path, files: dict[str, str | bytes], contract: str, *, branch: str = "main") -> Path:
    """A project committed on ``branch``."""
    make_project(root, files, contract)
    git(root, "init", "-q", "-b", branch)
    commit_all(root, "base")
    return root


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


def edit(root: Path, files: dict[str, str | bytes]) -> None:
    write_tree(root, files)


def state(repo: Path) -> dict[str, str]:
    """Everything archguard must leave alone: working tree status, HEAD, branch, index bytes, refs."""
    git_dir = Path(git(repo, "rev-parse", "--absolute-git-dir").strip())
    index = git_dir / "index"
    return {
        "status": git(repo, "status", "--porcelain", "--untracked-files=all"),
        "head": git(repo, "rev-parse", "HEAD"),
        "branch": git(repo, "symbolic-ref", "-q", "HEAD"),
        "index": hashlib.sha256(index.read_bytes()).hexdigest() if index.exists() else "",
        "refs": git(repo, "for-each-ref"),
        "stash": git(repo, "stash", "list"),
    }


def suggested_fetch(message: str) -> list[str]:
    """The `git fetch ...` command an error message suggests, as argv."""
    match = re.search(r"`(git fetch [^`]+)`", message)
    assert match, f"no git fetch command in: {message}"
    return shlex.split(match.group(1))
