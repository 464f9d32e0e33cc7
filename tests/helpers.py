"""Helpers shared by the tests: fake packages in tmp_path, the CLI in a subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from archguard.contract.loading import load_contract
from archguard.engine.pipeline import CheckResult, RunOptions, check
from archguard.findings import Finding

REPO = Path(__file__).resolve().parent.parent


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Write ``{"src/shop/api.py": "import os"}`` under root; text is dedented."""
    for relative, content in files.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


def make_project(root: Path, files: dict[str, str | bytes], contract: str) -> Path:
    """A project: files plus an archguard.toml (dedented) at its root."""
    write_tree(root, files)
    (root / "archguard.toml").write_text(textwrap.dedent(contract).lstrip("\n"), encoding="utf-8")
    return root


def run_check(root: Path, *, jobs: int = 1, use_cache: bool = False, cache_dir: Path | None = None) -> CheckResult:
    loaded = load_contract(root / "archguard.toml")
    return check(loaded, RunOptions(jobs=jobs, use_cache=use_cache, cache_dir=cache_dir))


def summary(findings: list[Finding]) -> list[tuple[str, str, str | None, str | None, int]]:
    """(rule, kind, importer, imported, line) of each finding: what tests assert on."""
    return [(f.rule, f.kind, f.importer, f.imported, f.line) for f in findings]


def run_cli(*args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run ``python -m archguard ARGS`` in a subprocess, with this checkout on the path."""
    full_env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1", **(env or {})}
    full_env.pop("GITHUB_ACTIONS", None)
    full_env.pop("GITHUB_STEP_SUMMARY", None)
    return subprocess.run(
        [sys.executable, "-m", "archguard", *args],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
