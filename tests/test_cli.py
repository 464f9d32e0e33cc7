"""The command line on the bundled examples and on archguard itself."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.helpers import REPO, run_cli

EXAMPLES = REPO / "examples"


def copy_example(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(EXAMPLES / name, target, ignore=shutil.ignore_patterns(".archguard_cache"))
    return target


def test_clean_example_exits_0(tmp_path: Path) -> None:
    result = run_cli("check", cwd=copy_example("shop", tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no errors" in result.stdout


def test_agent_change_example_reports_each_violation_with_file_line_and_import(tmp_path: Path) -> None:
    result = run_cli("check", "--format", "json", cwd=copy_example("shop-agent-change", tmp_path))
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    found = {(f["rule"], f["kind"], f["path"], f["line"], f["import"]) for f in report["findings"]}
    # The upward import hidden in a function, the reach into billing's internals, the new unmapped code.
    assert ("layers", "direct", "src/shop/domain/pricing.py", 12, "from shop.api.views import format_price") in found
    assert ("boundaries", "internal-import", "src/shop/api/views.py", 4, "from shop.billing.ledger import Ledger") in found
    assert ("unmapped", "unmapped", "src/shop/reports/export.py", 1, None) in found
    assert report["summary"]["verdict"] == "fail"
    assert report["schema"] == "archguard-report/1"


def test_text_report_shows_location_message_import_and_chain(tmp_path: Path) -> None:
    result = run_cli("check", "-v", cwd=copy_example("shop-agent-change", tmp_path))
    assert result.returncode == 1
    out = result.stdout
    assert "src/shop/domain/pricing.py:12:5 error from shop.api.views import format_price breaks 3 rules" in out
    assert "layers · Clean layering: shop.domain.pricing imports shop.api.views" in out
    assert "from shop.billing.ledger import Ledger" in out
    assert "shop.billing.ledger -> shop.infra.db" in out
    assert "fix: import Ledger from shop.billing.api" in out
    assert "archguard: 16 files" in result.stderr


def test_library_example_with_a_cycle(tmp_path: Path) -> None:
    result = run_cli("check", cwd=copy_example("textkit", tmp_path))
    assert result.returncode == 1
    assert "import cycle between children of textkit: textkit.parse -> textkit.render -> textkit.parse" in result.stdout


def test_config_option_and_output_file(tmp_path: Path) -> None:
    root = copy_example("shop-agent-change", tmp_path)
    report = tmp_path / "report.json"
    result = run_cli("check", "--config", str(root / "archguard.toml"), "-f", "json", "-o", str(report), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout == ""
    assert json.loads(report.read_text())["summary"]["errors"] >= 3


def test_unknown_format_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("check", "--format", "xml", cwd=copy_example("shop", tmp_path))
    assert result.returncode == 2
    assert "unknown format 'xml'" in result.stderr


def test_archguard_checks_its_own_architecture() -> None:
    result = run_cli("check", "--no-cache", cwd=REPO)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "contracts/archguard.toml" in result.stdout
