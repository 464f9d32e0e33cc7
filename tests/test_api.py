"""The documented library API (archguard.api): what the README's Python section shows."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from archguard import api
from tests.helpers import REPO, make_project, run_cli, write_tree

SHOP = {
    "shop/__init__.py": "",
    "shop/api/__init__.py": "",
    "shop/api/views.py": "from shop.domain import model\n",
    "shop/domain/__init__.py": "",
    "shop/domain/model.py": "def helper():\n    from shop.api import views\n",
}
CONTRACT = """
    [project]
    packages = ["shop"]

    [components]
    root   = { modules = ["shop:*"] }
    api    = { modules = ["shop.api"] }
    domain = { modules = ["shop.domain"] }

    [[rules]]
    kind = "layers"
    layers = ["api", "domain"]
    """


def test_check_returns_the_findings_and_exit_code_the_cli_gives(tmp_path: Path) -> None:
    root = make_project(tmp_path, SHOP, CONTRACT)
    result = api.check(api.load(root / "archguard.toml"), api.RunOptions(jobs=1, use_cache=False))
    assert result.exit_code == 1
    assert [(f.rule, f.importer, f.imported, f.path, f.line) for f in result.errors] == [
        ("layers", "shop.domain.model", "shop.api.views", "shop/domain/model.py", 2)
    ]
    assert run_cli("check", "--no-cache", cwd=root).returncode == result.exit_code


def test_analyze_then_evaluate_is_check(tmp_path: Path) -> None:
    root = make_project(tmp_path, SHOP, CONTRACT)
    loaded = api.load(root / "archguard.toml")
    options = api.RunOptions(jobs=1, use_cache=False)
    two_steps = api.evaluate(api.analyze(loaded, options))
    assert [f.fingerprint for f in two_steps.findings] == [f.fingerprint for f in api.check(loaded, options).findings]


def test_load_searches_upwards_like_the_cli(tmp_path: Path) -> None:
    root = make_project(tmp_path, SHOP, CONTRACT)
    loaded = api.load(start=root / "shop" / "api")
    assert loaded.path == root / "archguard.toml"


def test_to_json_is_the_cli_json_report(tmp_path: Path) -> None:
    root = make_project(tmp_path, SHOP, CONTRACT)
    result = api.check(api.load(root / "archguard.toml"), api.RunOptions(jobs=1, use_cache=False))
    document = json.loads(api.to_json(result))
    assert document["schema"] == "archguard-report/1"
    cli = json.loads(run_cli("check", "--no-cache", "--format", "json", cwd=root).stdout)
    assert document["findings"] == cli["findings"]


def test_report_renders_each_cli_format_and_refuses_an_unknown_one(tmp_path: Path) -> None:
    root = make_project(tmp_path, SHOP, CONTRACT)
    result = api.check(api.load(root / "archguard.toml"), api.RunOptions(jobs=1, use_cache=False))
    assert "shop/domain/model.py:2" in api.report(result)
    assert json.loads(api.report(result, "sarif"))["version"] == "2.1.0"
    with pytest.raises(api.ArchguardError, match="unknown format 'yaml'"):
        api.report(result, "yaml")


def test_render_html_is_one_self_contained_page(tmp_path: Path) -> None:
    root = make_project(tmp_path, SHOP, CONTRACT)
    result = api.check(api.load(root / "archguard.toml"), api.RunOptions(jobs=1, use_cache=False))
    page = api.render_html(result, title="shop")
    assert page.startswith("<!DOCTYPE html>") and "<title>shop</title>" in page
    assert "shop.domain.model" in page and "<script src=" not in page


def test_an_import_linter_configuration_loads_and_checks_through_the_same_calls(tmp_path: Path) -> None:
    root = write_tree(tmp_path, SHOP)
    (root / ".importlinter").write_text(
        "[importlinter]\nroot_package = shop\n\n[importlinter:contract:1]\nname = layered\ntype = layers\nlayers =\n    shop.api\n    shop.domain\n"
    )
    result = api.check(api.load(root / ".importlinter"), api.RunOptions(jobs=1, use_cache=False))
    assert result.exit_code == 1
    assert {(f.rule, f.importer, f.imported) for f in result.errors} == {("importlinter-layers", "shop.domain.model", "shop.api.views")}


def test_a_broken_contract_raises_a_contract_error_naming_file_and_key(tmp_path: Path) -> None:
    root = make_project(tmp_path, SHOP, CONTRACT + '\n[[rules]]\nkind = "layerz"\n')
    with pytest.raises(api.ContractError) as raised:
        api.load(root / "archguard.toml")
    assert "archguard.toml" in str(raised.value) and "layerz" in str(raised.value)


def test_everything_the_api_exports_exists_and_the_readme_example_names_only_exports() -> None:
    for name in api.__all__:
        assert hasattr(api, name), name
    readme = (REPO / "docs" / "python-api.md").read_text(encoding="utf-8") if (REPO / "docs" / "python-api.md").exists() else api.__doc__ or ""
    assert "from archguard.api import" in readme
    for line in readme.splitlines():
        if line.strip().startswith("from archguard.api import"):
            names = [n.strip() for n in line.split("import", 1)[1].split(",")]
            assert set(names) <= set(api.__all__), names
