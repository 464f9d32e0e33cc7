"""``archguard graph`` as a user runs it: formats, drill-downs, errors, the HTML report."""

from __future__ import annotations

import os
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from tests.helpers import REPO, make_project, run_cli
from tests.test_render_model import FILES, LAYERED

EXAMPLE = REPO / "examples" / "shop-agent-change"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project", FILES, LAYERED)


@pytest.mark.needs("dot")
def test_svg_file_from_the_output_suffix(project: Path) -> None:
    result = run_cli("graph", "--no-cache", "-o", "arch.svg", cwd=project)
    assert result.returncode == 0, result.stderr
    root = ET.parse(project / "arch.svg").getroot()
    classes = {g.get("class") for g in root.iter("{http://www.w3.org/2000/svg}g")}
    assert {"node component", "edge violation", "edge unused"} <= classes
    assert "wrote arch.svg" in result.stderr


def test_dot_and_mermaid_go_to_stdout(project: Path) -> None:
    dot = run_cli("graph", "--no-cache", "--format", "dot", cwd=project)
    assert dot.returncode == 0 and dot.stdout.startswith("digraph archguard {")
    mermaid = run_cli("graph", "--no-cache", "-f", "mermaid", cwd=project)
    assert mermaid.returncode == 0 and mermaid.stdout.startswith("flowchart TB")


@pytest.mark.needs("dot")
@pytest.mark.parametrize("name,magic", [("arch.png", b"\x89PNG"), ("arch.pdf", b"%PDF")])
def test_binary_formats_to_files(project: Path, name: str, magic: bytes) -> None:
    assert run_cli("graph", "--no-cache", "-o", name, cwd=project).returncode == 0
    assert (project / name).read_bytes().startswith(magic)


def test_drill_downs(project: Path) -> None:
    component = run_cli("graph", "--no-cache", "-f", "dot", "--component", "service", cwd=project)
    assert component.returncode == 0 and "n_app_service_orders" in component.stdout and "modules of component service" in component.stdout
    focus = run_cli("graph", "--no-cache", "-f", "dot", "--focus", "app.core.model", "--depth", "2", cwd=project)
    assert focus.returncode == 0 and "n_app_web_views" in focus.stdout and "2 steps each way" in focus.stdout


@pytest.mark.parametrize(
    "args,message",
    [
        (["--component", "servce"], "unknown component 'servce'; did you mean service?"),
        (["--component", "web", "--focus", "app.web.views"], "choose at most one"),
        (["--depth", "2"], "--depth goes with --focus"),
        (["-o", "arch.txt"], "cannot tell the format"),
        (["--layers-rule", "nope"], "unknown layers rule"),
    ],
)
def test_usage_errors_exit_2(project: Path, args: list[str], message: str) -> None:
    result = run_cli("graph", "--no-cache", *args, cwd=project)
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


def test_missing_dot_exits_2_but_text_formats_work(project: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty-path"
    empty.mkdir()
    env = {"PATH": str(empty)}
    assert shutil.which("dot", path=str(empty)) is None
    svg = run_cli("graph", "--no-cache", "-o", "arch.svg", cwd=project, env=env)
    assert svg.returncode == 2 and "`dot` binary is not installed" in svg.stderr and "apt-get install graphviz" in svg.stderr
    assert not (project / "arch.svg").exists()
    assert run_cli("graph", "--no-cache", "-f", "dot", cwd=project, env=env).returncode == 0
    html = run_cli("graph", "--no-cache", "--html", "report.html", cwd=project, env=env)
    assert html.returncode == 0 and "needs Graphviz" in (project / "report.html").read_text()


@pytest.mark.needs("dot")
def test_html_report_of_the_example(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = run_cli("graph", "--no-cache", "--html", str(out), "--config", str(EXAMPLE / "archguard.toml"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "<svg" in page and 'id="findings-table"' in page
    assert not (tmp_path / "graph.svg").exists() and os.listdir(tmp_path) == ["report.html"]
