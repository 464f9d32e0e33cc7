"""The composite GitHub Action (action.yml), run step by step the way the runner does, offline.

The runner's part is simulated: each step's ``${{ }}`` expressions are evaluated from a
context of inputs, ``github.*`` and earlier step outputs; ``if:`` conditions are evaluated;
each ``run:`` step runs in bash with GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, GITHUB_ACTION_PATH,
RUNNER_TEMP and the step's ``env``; ``uses:`` steps are not run, only their inputs checked.
The install step really pip-installs archguard from a copy of this repository (offline: see
``tests.reporting.offline_pip_env``). ``check --diff`` is not part of this branch's archguard:
the check step detects that and checks the whole tree (first test); a recording stand-in for
archguard shows what the step passes when ``--diff`` exists (other tests).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import REPO
from tests.reporting import clean_environ, git, make_rich_project, offline_pip_env, repository_copy

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
_EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


def lookup(path: str, context: dict[str, Any]) -> str:
    value: Any = context
    for part in path.split("."):
        value = value.get(part, "") if isinstance(value, dict) else ""
    return "" if value is None else str(value)


def evaluate(expression: str, context: dict[str, Any]) -> str:
    """The subset of GitHub's expression language action.yml uses: paths, '||', literals."""
    for alternative in expression.split("||"):
        alternative = alternative.strip()
        value = alternative[1:-1] if alternative.startswith("'") else lookup(alternative, context)
        if value:
            return value
    return ""


def interpolate(text: str, context: dict[str, Any]) -> str:
    return _EXPRESSION.sub(lambda m: evaluate(m.group(1), context), text)


def condition(text: str | None, context: dict[str, Any]) -> bool:
    if text is None:
        return True
    result = True
    for term in (t.strip() for t in text.split("&&")):
        if term == "always()":
            continue
        match = re.fullmatch(r"([\w.-]+)\s*(==|!=)\s*'(.*)'", term)
        assert match, f"unsupported condition {term!r}"
        equal = lookup(match.group(1), context) == match.group(3)
        result = result and (equal if match.group(2) == "==" else not equal)
    return result


def run_action(inputs: dict[str, str], github: dict[str, Any], workspace: Path, tmp: Path, env: dict[str, str]) -> dict[str, Any]:
    """Run action.yml's steps; returns the context (step outputs) and what each step printed."""
    defaults = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    context: dict[str, Any] = {"inputs": {**defaults, **inputs}, "github": github, "steps": {}}
    summary = tmp / "step_summary.md"
    summary.touch()
    logs: dict[str, str] = {}
    uses: dict[str, dict[str, str]] = {}
    for index, step in enumerate(ACTION["runs"]["steps"]):
        name = step.get("id", f"step{index}")
        if not condition(step.get("if"), context):
            logs[name] = "<skipped>"
            continue
        if "uses" in step:
            uses[step["uses"]] = {k: interpolate(str(v), context) for k, v in step.get("with", {}).items()}
            continue
        assert step["shell"] == "bash"
        output = tmp / f"output-{index}"
        output.touch()
        step_env = {
            **env,
            "GITHUB_ACTIONS": "true",
            "GITHUB_OUTPUT": str(output),
            "GITHUB_STEP_SUMMARY": str(summary),
            "GITHUB_ACTION_PATH": github["action_path"],
            "GITHUB_WORKSPACE": str(workspace),
            "RUNNER_TEMP": str(tmp / "runner-temp"),
            **{k: interpolate(str(v), context) for k, v in step.get("env", {}).items()},
        }
        cwd = workspace / interpolate(step.get("working-directory", "."), context)
        proc = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=cwd, env=step_env, capture_output=True, text=True, timeout=300)
        logs[name] = proc.stdout + proc.stderr
        assert proc.returncode == 0 or name != "install", logs[name]
        context["steps"][name] = {"outputs": dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)}
        context["steps"][name]["conclusion"] = "success" if proc.returncode == 0 else f"failure ({proc.returncode})"
    return {"context": context, "logs": logs, "uses": uses, "summary": summary.read_text(encoding="utf-8")}


def pull_request(action_path: Path, base_sha: str = "") -> dict[str, Any]:
    return {
        "action_path": str(action_path),
        "server_url": "https://github.com",
        "repository": "acme/shop",
        "sha": "merge000",
        "base_ref": "main",
        "event": {"pull_request": {"base": {"sha": base_sha}, "head": {"sha": "head1234"}}},
    }


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    project = make_rich_project(tmp_path / "workspace")
    git("init", "-q", cwd=project)
    git("add", "-A", cwd=project)
    git("commit", "-q", "-m", "base", cwd=project)
    return project


def test_the_action_installs_archguard_annotates_uploads_sarif_and_fails_the_job(tmp_path: Path, workspace: Path) -> None:
    action_path = repository_copy(tmp_path / "action", "action.yml", "action")
    venv = tmp_path / "runner-temp" / "archguard-venv"
    subprocess.run([sys.executable, "-m", "virtualenv", "-q", str(venv)], check=True, env={**os.environ, "VIRTUALENV_NO_DOWNLOAD": "1"})
    env = {**clean_environ("PIP_", "GITHUB_", "VIRTUALENV_", "NO_COLOR"), **offline_pip_env(tmp_path), "ARCHGUARD_VENV": str(venv)}
    # The pull request adds the whole project: its base is an empty commit, so every finding is new.
    base = git("commit-tree", git("hash-object", "-t", "tree", "/dev/null", cwd=workspace), "-m", "empty base", cwd=workspace)

    run = run_action({"python-version": ""}, pull_request(action_path, base), workspace, tmp_path, env)

    steps = run["context"]["steps"]
    assert steps["install"]["outputs"]["archguard"] == str(venv / "bin" / "archguard")
    assert "archguard, version 0.1.0" in run["logs"]["install"]
    log = run["logs"]["check"]
    assert f"archguard check --format github --diff {base} --output sarif=archguard.sarif" in log
    assert f"archguard: note: no code to analyse at {base}" in log
    assert "::error file=src/app/core/rules.py,line=1,col=1,title=archguard forbidden · core stays pure%2C layers · Clean | layering::" in log
    # The stale [[ignore]] entry is stale at the base too (the same contract): not new, not annotated.
    # One annotation per cause: the import that breaks both rules is one error annotation; the
    # whole project is new, so its pragmas are new suppressions too (each with what it hides).
    assert log.count("::error file=") == 5 and log.count("::warning file=") == 2
    assert "title=archguard layers · Clean | layering%2C new-suppression::" in log
    assert "title=archguard stale-ignore" not in log
    assert steps["check"]["outputs"]["exit-code"] == "1"
    sarif = Path(steps["check"]["outputs"]["sarif-file"])
    assert sarif == workspace / "archguard.sarif"
    assert len(json.loads(sarif.read_text(encoding="utf-8"))["runs"][0]["results"]) == 12  # 10 findings, 2 suppressed
    assert run["uses"]["github/codeql-action/upload-sarif@v4"] == {"sarif_file": str(sarif), "category": "archguard"}
    assert run["summary"].startswith("### ❌ archguard: 6 new errors in 4 rules")
    assert "(https://github.com/acme/shop/blob/head1234/src/app/core/rules.py#L1)" in run["summary"]  # links to the PR head
    assert steps["step4"]["conclusion"] == "failure (1)"  # the last step fails the job with archguard's code
    assert "actions/setup-python@v5" not in run["uses"]  # python-version: "" skips it


@pytest.fixture
def recorder(tmp_path: Path) -> Path:
    """A stand-in for an archguard that has --diff: records its arguments, exits 0."""
    script = tmp_path / "fake-archguard"
    script.write_text(
        '#!/usr/bin/env bash\nif [[ " $* " == *" --help "* ]]; then echo "  --diff BASE"; exit 0; fi\n'
        f'printf "%s\\n" "$@" > "{tmp_path}/args"\nexit 0\n',
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script


def check_step(recorder: Path, workspace: Path, tmp_path: Path, step_env: dict[str, str]) -> tuple[list[str], str, str]:
    output = tmp_path / "output"
    output.write_text("")
    env = {**clean_environ("GITHUB_"), "ARCHGUARD": str(recorder), "GITHUB_OUTPUT": str(output), **step_env}
    proc = subprocess.run(["bash", str(REPO / "action" / "check.sh")], cwd=workspace, env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    args = (tmp_path / "args").read_text().splitlines()
    return args, proc.stdout + proc.stderr, output.read_text()


def test_the_check_step_diffs_against_the_pull_requests_base(recorder: Path, workspace: Path, tmp_path: Path) -> None:
    base = git("rev-parse", "HEAD", cwd=workspace)
    env = {"PR_BASE_SHA": base, "PR_BASE_REF": "main", "ARCHGUARD_SARIF": "out/a.sarif"}
    args, log, outputs = check_step(recorder, workspace, tmp_path, env)
    assert args == ["check", "--format", "github", "--diff", base, "--output", "sarif=out/a.sarif"]
    assert "cannot fetch" not in log  # the base commit is present
    assert outputs == "exit-code=0\nsarif-file=\n"  # the stand-in wrote no SARIF


def test_the_check_step_fetches_a_missing_base_and_warns_when_it_cannot(recorder: Path, workspace: Path, tmp_path: Path) -> None:
    args, log, _ = check_step(recorder, workspace, tmp_path, {"PR_BASE_REF": "main"})
    assert args == ["check", "--format", "github", "--diff", "origin/main"]
    assert "::warning title=archguard::cannot fetch origin/main; use actions/checkout with fetch-depth: 0" in log


def test_the_base_input_and_extra_arguments_win_and_push_events_check_the_whole_tree(
    recorder: Path, workspace: Path, tmp_path: Path
) -> None:
    base = git("rev-parse", "HEAD", cwd=workspace)
    env = {"ARCHGUARD_BASE": base, "PR_BASE_SHA": "0" * 40, "ARCHGUARD_ARGS": "--jobs 2  -v", "ARCHGUARD_CONFIG": "archguard.toml"}
    args, _, _ = check_step(recorder, workspace, tmp_path, env)
    assert args == ["check", "--format", "github", "--config", "archguard.toml", "--diff", base, "--jobs", "2", "-v"]
    args, _, _ = check_step(recorder, workspace, tmp_path, {})
    assert args == ["check", "--format", "github"]


def test_action_metadata_is_complete() -> None:
    assert ACTION["runs"]["using"] == "composite"
    for name, spec in ACTION["inputs"].items():
        assert spec["description"] and "default" in spec, name
    for step in ACTION["runs"]["steps"]:
        if "run" in step:
            assert "${{" not in step["run"], "inputs reach scripts through env, never interpolated into code"
    assert all((REPO / "action" / name).is_file() for name in ("install.sh", "check.sh"))
