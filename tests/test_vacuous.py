"""Contracts that cannot pass by accident: entries that match nothing, runs that check nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from archguard.base.errors import NothingCheckedError
from tests.helpers import REPO, make_project, run_check, run_cli, write_tree

FILES: dict[str, str | bytes] = {
    "shop/__init__.py": "",
    "shop/api/__init__.py": "",
    "shop/api/views.py": "from shop.domain.models import Order\nfrom shop.util import helper\n",
    "shop/domain/__init__.py": "",
    "shop/domain/models.py": "import dataclasses\n",
    "shop/util.py": "from shop.domain.models import Order\n",
}

COMPONENTS = """
[project]
packages = ["shop"]

[components]
root   = { modules = ["shop:*", "shop.util"] }
api    = { modules = ["shop.api"] }
domain = { modules = ["shop.domain"] }
"""

LAYERS = """
[[rules]]
kind = "layers"
name = "Clean layering"
layers = ["api", "domain"]
"""


def vacuous(tmp_path: Path, contract: str, files: dict[str, str | bytes] | None = None) -> list[tuple[str, str, int, str]]:
    result = run_check(make_project(tmp_path, files or FILES, contract))
    return [(f.kind, f.severity, f.line, dict(f.details)["key"]) for f in result.findings if f.rule == "vacuous-rule"]


def test_a_contract_that_matches_the_code_has_no_vacuous_findings(tmp_path: Path) -> None:
    assert vacuous(tmp_path, COMPONENTS + LAYERS) == []


@pytest.mark.parametrize("example", ["shop", "shop-agent-change", "textkit"])
def test_the_bundled_examples_have_no_vacuous_findings(example: str) -> None:
    result = run_check(REPO / "examples" / example)
    assert [f for f in result.findings if f.rule in ("vacuous-rule", "stale-ignore")] == []


def test_a_component_that_matches_nothing_is_an_error_at_its_line(tmp_path: Path) -> None:
    contract = COMPONENTS + 'infra  = { modules = ["shop.infra"] }\n' + LAYERS
    result = run_check(make_project(tmp_path, FILES, contract))
    (finding,) = [f for f in result.findings if f.rule == "vacuous-rule"]
    assert (finding.kind, finding.severity, finding.path, finding.line) == ("empty-component", "error", "archguard.toml", 8)
    assert finding.message == "component 'infra' matches no analysed module (modules: shop.infra)"
    assert finding.structured_remedy.kind == "fix-contract"
    assert result.exit_code == 1


def test_a_dead_pattern_next_to_a_live_one(tmp_path: Path) -> None:
    contract = COMPONENTS.replace('["shop.domain"]', '["shop.domain", "shop.db"]') + LAYERS
    assert vacuous(tmp_path, contract) == [("unmatched-pattern", "error", 7, "components.domain.modules[1]")]


def test_a_component_whose_modules_all_belong_to_more_specific_components(tmp_path: Path) -> None:
    contract = COMPONENTS + 'everything = { modules = ["shop.api"] }\n' + LAYERS
    contract = contract.replace('api    = { modules = ["shop.api"] }', 'api    = { modules = ["shop.api.views", "shop.api:*"] }')
    found = vacuous(tmp_path, contract)
    assert [(kind, key) for kind, _, _, key in found] == [("empty-component", "components.everything.modules")]


def test_public_entries_that_match_nothing_or_name_undefined_names(tmp_path: Path) -> None:
    contract = COMPONENTS.replace('["shop.domain"] }', '["shop.domain"], public = ["shop.domain.modles", "shop.domain.models:Order,dataclasses,Gone"] }')
    result = run_check(make_project(tmp_path, FILES, contract + LAYERS))
    found = [(f.kind, f.message) for f in result.findings if f.rule == "vacuous-rule"]
    assert found == [
        (
            "unknown-public-name",
            "public entry 'shop.domain.models:Order,dataclasses,Gone' of component 'domain' names Order, Gone, which shop.domain.models does not define",
        ),
        ("unmatched-public", "public entry 'shop.domain.modles' of component 'domain' matches no analysed module"),
    ]


def test_forbidden_entries_that_match_nothing(tmp_path: Path) -> None:
    rules = '\n[[rules]]\nkind = "forbidden"\nfrom = ["domain", "shop.domian.*"]\nto = ["api", "external:requests"]\n'
    assert vacuous(tmp_path / "a", COMPONENTS + rules) == [("unmatched-entry", "error", 11, "rules[0].from[1]")]
    rules = '\n[[rules]]\nkind = "forbidden"\nfrom = ["shop.domian"]\nto = ["api"]\n'
    assert vacuous(tmp_path / "b", COMPONENTS + LAYERS + rules) == [("empty-rule", "error", 16, "rules[1].from")]


def test_a_layers_rule_with_no_import_between_its_layers(tmp_path: Path) -> None:
    files = {**FILES, "shop/api/views.py": "import json\n", "shop/util.py": ""}
    result = run_check(make_project(tmp_path, files, COMPONENTS + LAYERS))
    (finding,) = [f for f in result.findings if f.rule == "vacuous-rule"]
    assert finding.kind == "no-imports-between-layers"
    assert finding.message == "rule 'Clean layering' (rules[0]) checks nothing: no module of one of its layers imports a module of another"


def test_layers_connected_only_through_an_unlayered_module_are_not_vacuous_unless_indirect_is_off(tmp_path: Path) -> None:
    files = {**FILES, "shop/api/views.py": "from shop.util import helper\n"}
    assert vacuous(tmp_path / "a", COMPONENTS + LAYERS, files) == []
    direct_only = LAYERS + "allow_indirect = true\n"
    assert [kind for kind, *_ in vacuous(tmp_path / "b", COMPONENTS + direct_only, files)] == ["no-imports-between-layers"]


def test_an_acyclic_scope_that_matches_nothing(tmp_path: Path) -> None:
    rules = '\n[[rules]]\nkind = "acyclic"\nscope = "shop.orders"\n'
    assert vacuous(tmp_path, COMPONENTS + LAYERS + rules) == [("empty-rule", "error", 16, "rules[1].scope")]


def test_the_level_is_configurable(tmp_path: Path) -> None:
    contract = COMPONENTS + 'infra  = { modules = ["shop.infra"] }\n' + LAYERS
    assert [s for _, s, _, _ in vacuous(tmp_path / "w", contract + '\n[drift]\nvacuous = "warning"\n')] == ["warning"]
    assert vacuous(tmp_path / "o", contract + '\n[drift]\nvacuous = "off"\n') == []


def test_in_pyproject_the_key_and_line_point_into_the_tool_table(tmp_path: Path) -> None:
    body = (COMPONENTS + 'infra  = { modules = ["shop.infra"] }\n').replace("[project]", "[tool.archguard.project]")
    body = body.replace("[components]", "[tool.archguard.components]")
    write_tree(tmp_path, {**FILES, "pyproject.toml": '[project]\nname = "shop"\n' + body})
    result = run_cli("check", "--no-cache", "--format", "json", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert '"key": "tool.archguard.components.infra.modules"' in result.stdout
    assert '"path": "pyproject.toml"' in result.stdout and '"line": 11' in result.stdout


# --- checked nothing: exit 2 -----------------------------------------------------------------


def test_a_renamed_package_exits_2_naming_the_rule_and_the_pattern(tmp_path: Path) -> None:
    renamed = {path.replace("shop/", "store/"): text.replace("shop.", "store.") for path, text in FILES.items()}
    make_project(tmp_path, renamed, COMPONENTS.replace('packages = ["shop"]\n', "") + LAYERS)
    result = run_cli("check", "--no-cache", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert "archguard: error: archguard.toml:8: rules[0]: checked nothing: no rule of the contract matches any analysed module" in result.stderr
    expected = "rule 'Clean layering' (rules[0]) checks nothing: fewer than two of its layers hold a module; empty: api (shop.api); domain (shop.domain)"
    assert expected in result.stderr
    assert "no analysed package is named 'shop' (analysed: store)" in result.stderr


def test_a_renamed_package_named_in_project_packages_lists_what_is_there(tmp_path: Path) -> None:
    renamed = {path.replace("shop/", "store/"): text for path, text in FILES.items()}
    make_project(tmp_path, renamed, COMPONENTS + LAYERS)
    result = run_cli("check", "--no-cache", cwd=tmp_path)
    assert result.returncode == 2
    assert "project.packages[0]: package 'shop' not found: archguard looked in the project folder, src/ (absent), lib/ (absent)" in result.stderr
    assert "no folder of the project holds it (packages there: store)" in result.stderr


def test_a_run_over_zero_files_exits_2(tmp_path: Path) -> None:
    make_project(tmp_path, {"shop/__init__.py": "", "shop/api/__init__.py": ""}, COMPONENTS + '\nexclude = ["shop/**"]\n'.join(["", ""]))
    (tmp_path / "archguard.toml").write_text('[project]\npackages = ["shop"]\nexclude = ["shop/**", "shop"]\n', encoding="utf-8")
    result = run_cli("check", "--no-cache", cwd=tmp_path)
    assert result.returncode == 2
    assert "checked nothing: no Python file was analysed (source roots: '.'; packages: shop" in result.stderr


def test_a_run_over_files_without_imports_exits_2_unless_vacuous_is_off(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {"shop/__init__.py": "", "shop/api/__init__.py": "X = 1\n"}
    contract = '[project]\npackages = ["shop"]\n'
    with pytest.raises(NothingCheckedError, match="the 2 files analysed hold no import"):
        run_check(make_project(tmp_path / "a", files, contract))
    assert run_check(make_project(tmp_path / "b", files, contract + '[drift]\nvacuous = "off"\n')).findings == []


def test_files_that_do_not_parse_are_reported_rather_than_checked_nothing(tmp_path: Path) -> None:
    result = run_check(make_project(tmp_path, {"shop/__init__.py": "def broken(:\n"}, '[project]\npackages = ["shop"]\n'))
    assert [f.rule for f in result.findings] == ["parse-error"]


# --- src/ layouts given without roots ---------------------------------------------------------

SRC_LAYOUT: dict[str, str | bytes] = {
    "src/shop/__init__.py": "",
    "src/shop/api/__init__.py": "from shop.domain import models\n",
    "src/shop/domain/__init__.py": "",
    "src/shop/domain/models.py": "import dataclasses\n",
    "tests/__init__.py": "",
    "tests/test_shop.py": "import shop\n",
}
SRC_CONTRACT = """
[components]
root   = { modules = ["shop:*"] }
api    = { modules = ["shop.api"] }
domain = { modules = ["shop.domain"] }

[[rules]]
kind = "layers"
layers = ["api", "domain"]
"""
SRC_HINT = "package 'shop' is under 'src/', which is not a source root: set roots = [\"src\"] in [project]"


def test_src_layout_without_roots_is_found_by_itself(tmp_path: Path) -> None:
    result = run_check(make_project(tmp_path, SRC_LAYOUT, SRC_CONTRACT))
    assert result.analysis.discovery.roots == ("src",)
    assert result.findings == []


def test_src_layout_with_roots_dot_and_another_package_is_explained(tmp_path: Path) -> None:
    make_project(tmp_path, SRC_LAYOUT, '[project]\nroots = ["."]\n' + SRC_CONTRACT)
    result = run_cli("check", "--no-cache", cwd=tmp_path)
    assert result.returncode == 2
    assert SRC_HINT in result.stderr


def test_src_layout_with_roots_dot_and_only_a_warning_level_still_explains(tmp_path: Path) -> None:
    contract = '[project]\nroots = ["."]\n' + SRC_CONTRACT + '\n[[rules]]\nkind = "acyclic"\nscope = "tests"\n'
    result = run_check(make_project(tmp_path, SRC_LAYOUT, contract))
    messages = [f.message for f in result.findings if f.rule == "vacuous-rule"]
    assert messages and all(SRC_HINT in m for m in messages)


def test_src_layout_with_roots_dot_and_named_packages_is_explained(tmp_path: Path) -> None:
    make_project(tmp_path, SRC_LAYOUT, '[project]\nroots = ["."]\npackages = ["shop"]\n' + SRC_CONTRACT)
    result = run_cli("check", "--no-cache", cwd=tmp_path)
    assert result.returncode == 2
    assert "package 'shop' not found: archguard looked in the project folder ([project] roots); it is in src/" in result.stderr
    assert 'set roots = ["src"] in [project] (or pass --root src)' in result.stderr


def test_src_layout_with_roots_dot_and_nothing_else_is_explained(tmp_path: Path) -> None:
    files = {k: v for k, v in SRC_LAYOUT.items() if not k.startswith("tests/")}
    make_project(tmp_path, files, '[project]\nroots = ["."]\n' + SRC_CONTRACT)
    result = run_cli("check", "--no-cache", cwd=tmp_path)
    assert result.returncode == 2
    assert "(there is a 'src/' folder: set roots = [\"src\"] in [project])" in result.stderr


def test_src_namespace_layout_without_roots_is_explained(tmp_path: Path) -> None:
    # No __init__.py in src/shop: src/ is not taken as the source root by itself.
    files = {k.replace("src/shop/__init__.py", "src/shop/py.typed"): v for k, v in SRC_LAYOUT.items()}
    make_project(tmp_path, files, SRC_CONTRACT)
    result = run_cli("check", "--no-cache", cwd=tmp_path)
    assert result.returncode == 2
    assert SRC_HINT in result.stderr


# --- stale [[ignore]] entries ----------------------------------------------------------------

STALE = '\n[[ignore]]\nimport = "shop.api.views -> shop.gone"\nreason = "left over"\n'


def test_a_stale_ignore_entry_is_an_error_by_default(tmp_path: Path) -> None:
    result = run_check(make_project(tmp_path, FILES, COMPONENTS + LAYERS + STALE))
    assert [(f.rule, f.severity, f.line) for f in result.findings] == [("stale-ignore", "error", 15)]
    assert result.exit_code == 1
    assert result.findings[0].structured_remedy.kind == "fix-contract"


def test_the_stale_ignore_level_is_configurable(tmp_path: Path) -> None:
    contract = COMPONENTS + LAYERS + STALE + '\n[drift]\nstale_ignore = "warning"\n'
    result = run_check(make_project(tmp_path, FILES, contract))
    assert [(f.rule, f.severity) for f in result.findings] == [("stale-ignore", "warning")]
    assert result.exit_code == 0
