"""``archguard convert --from-importlinter``: the converted contract gives import-linter's verdicts."""

from __future__ import annotations

import json
import textwrap
import tomllib
from pathlib import Path

import pytest

from archguard.importlinter.config import load_importlinter
from archguard.importlinter.convert import convert_importlinter
from tests.helpers import run_cli, write_tree
from tests.importlinter_oracle import Stats, converted_differences
from tests.test_importlinter_fixtures import FIXTURES


@pytest.mark.parametrize("fixture", sorted(name for name in FIXTURES if not name.startswith("errors")))
def test_converted_contract_gives_import_linters_verdicts(fixture: str, tmp_path: Path) -> None:
    files, config = FIXTURES[fixture]
    write_tree(tmp_path, files)
    (tmp_path / ".importlinter").write_text(textwrap.dedent(config).lstrip("\n"), encoding="utf-8")
    stats = Stats()
    problems = converted_differences(tmp_path, ".importlinter", stats)
    assert not problems, "\n".join(problems)
    assert stats.contracts >= (0 if "exhaustive" in fixture else 1)


CONFIG = """
[importlinter]
root_package = pkg
include_external_packages = True

[importlinter:contract:layers]
name = Layers
type = layers
layers =
    high
    (optional)
    low
containers = pkg
exhaustive = true
ignore_imports = pkg.low.legacy -> pkg.high.**

[importlinter:contract:pure]
name = Pure low layer
type = forbidden
source_modules = pkg.low
forbidden_modules =
    django
    pkg.*

[importlinter:contract:private]
name = Private
type = private_modules

[importlinter:contract:models]
name = Models
type = protected
protected_modules = pkg.high._models
allowed_importers = pkg.high.repository
as_packages = false
"""

FILES = {
    "pkg/__init__.py": "",
    "pkg/high/__init__.py": "",
    "pkg/high/_models.py": "",
    "pkg/high/repository.py": "from pkg.high import _models\n",
    "pkg/low/__init__.py": "",
    "pkg/low/legacy.py": "import pkg.high.repository\n",
    "pkg/low/db.py": "import django.db\n",
    "pkg/extra.py": "",
}


def test_convert_writes_a_valid_contract_and_says_what_it_could_not_express(tmp_path: Path) -> None:
    write_tree(tmp_path, FILES)
    (tmp_path / ".importlinter").write_text(CONFIG.lstrip("\n"), encoding="utf-8")
    result = run_cli("convert", "--from-importlinter", ".importlinter", "-o", "contracts/archguard.toml", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    text = (tmp_path / "contracts" / "archguard.toml").read_text(encoding="utf-8")
    document = tomllib.loads(text)
    assert document["project"] == {
        "root": "..",
        "roots": ["."],
        "packages": ["pkg"],
        "resolution": "import-linter",
        "include_external_packages": True,
    }
    rules = {rule["name"]: rule for rule in document["rules"]}
    # pkg.high's modules are split by the protected contract's components: layers become forbidden rules
    assert rules["Layers · pkg · pkg.low"] == {
        "kind": "forbidden",
        "name": "Layers · pkg · pkg.low",
        "from": ["pkg.low"],
        "to": ["pkg.high"],
    }
    assert rules["Pure low layer · pkg.low"] == {
        "kind": "forbidden",
        "name": "Pure low layer · pkg.low",
        "from": ["pkg.low"],
        "to": ["external:django", "pkg.extra", "pkg.high"],
    }
    assert rules["Models"]["to"] == ["pkg.high._models:*"] and rules["Models"]["allow_indirect"] is True
    assert "pkg_high_repository_module" not in rules["Models"]["from"] and "pkg_high" in rules["Models"]["from"]
    assert document["ignore"] == [
        {
            "import": "pkg.low.legacy -> pkg.high.*.**",
            "reason": 'ignore_imports of import-linter contract "Layers"',
            "rule": "Layers · pkg · pkg.low",
        }
    ]
    notes = [line for line in result.stderr.splitlines() if line.startswith("archguard: note:")]
    assert any("optional layer optional does not exist today" in n for n in notes)
    assert any("exhaustive is not expressible" in n and "pkg.extra is not a layer today" in n for n in notes)
    assert any("overlap" in n for n in notes)
    assert any("each layer becomes a forbidden rule" in n for n in notes)
    for note in notes:
        assert f"# - {note.removeprefix('archguard: note: ')}" in text
    checked = run_cli("check", "--no-cache", "--config", "contracts/archguard.toml", "--format", "json", cwd=tmp_path)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    report = json.loads(checked.stdout)
    assert {(f["rule_name"], f["importer"], f["imported"]) for f in report["findings"] if f["severity"] == "error"} == {
        ("Pure low layer · pkg.low", "pkg.low.db", "external:django"),
        ("Pure low layer · pkg.low", "pkg.low.legacy", "pkg.high.repository"),
    }


def test_convert_refuses_to_overwrite_without_force(tmp_path: Path) -> None:
    write_tree(tmp_path, FILES)
    (tmp_path / ".importlinter").write_text(CONFIG.lstrip("\n"), encoding="utf-8")
    (tmp_path / "archguard.toml").write_text("# mine\n", encoding="utf-8")
    refused = run_cli("convert", "--from-importlinter", ".importlinter", "-o", "archguard.toml", cwd=tmp_path)
    assert refused.returncode == 2 and "use --force" in refused.stderr
    assert (tmp_path / "archguard.toml").read_text(encoding="utf-8") == "# mine\n"


def test_convert_prints_to_stdout_by_default(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, FILES)
    (tmp_path / ".importlinter").write_text(CONFIG.lstrip("\n"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    loaded = load_importlinter(tmp_path / ".importlinter")
    result = run_cli("convert", "--from-importlinter", ".importlinter", cwd=tmp_path)
    assert result.returncode == 0
    assert result.stdout == convert_importlinter(loaded).text


def test_layers_and_independence_become_components_with_layers_and_independent_rules(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pkg/__init__.py": "", "pkg/api.py": "", "pkg/orders.py": "", "pkg/billing.py": "", "pkg/domain.py": ""})
    (tmp_path / ".importlinter").write_text(
        "[importlinter]\nroot_package = pkg\n\n"
        "[importlinter:contract:layers]\nname = Layers\ntype = layers\n"
        "layers =\n    pkg.api\n    pkg.orders | pkg.billing\n    pkg.domain\n\n"
        "[importlinter:contract:independent]\nname = Features\ntype = independence\nmodules =\n    pkg.orders\n    pkg.billing\n",
        encoding="utf-8",
    )
    document = tomllib.loads(convert_importlinter(load_importlinter(tmp_path / ".importlinter")).text)
    assert document["components"]["pkg_orders"] == {"modules": ["pkg.orders"], "description": "layer pkg.orders"}
    assert document["rules"] == [
        {"kind": "layers", "name": "Layers", "layers": ["pkg_api", "pkg_orders | pkg_billing", "pkg_domain"]},
        {"kind": "independent", "name": "Features", "components": ["pkg_orders", "pkg_billing"]},
    ]
