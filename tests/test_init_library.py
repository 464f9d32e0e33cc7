"""`archguard init` on a repository as it is: the library, not its tests, examples or tools;
type-checking imports that close no cycle; local and typing-only names that are not
third-party; today's clones frozen so that the first check is quiet."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

from archguard.advice.infer import InitOptions, counts_for_layering, infer
from archguard.advice.library import is_test_module, kind_of
from archguard.analysis.resolve import ImportSite
from archguard.contract.loading import load_contract
from archguard.contract.validate import parse_layer
from tests.helpers import run_check, run_cli, write_tree

LIBRARY = {
    "shop/__init__.py": "",
    "shop/api.py": "from shop import domain\n",
    "shop/domain.py": "import os\n",
}


def layers_of(text: str) -> list[list[str]]:
    rules = tomllib.loads(text).get("rules", [])
    layers = next((rule["layers"] for rule in rules if rule["kind"] == "layers"), [])
    return [list(parse_layer(entry).components) for entry in layers]


def test_init_finds_the_library_and_says_what_it_left_out_and_why(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            **LIBRARY,
            "tests/__init__.py": "",
            "tests/test_api.py": "import shop.api\n",
            "tests/test_domain.py": "import shop.domain\n",
            "examples/__init__.py": "",
            "examples/demo.py": "import shop.api\n",
            "docs/conf.py": "project = 'shop'\n",
            "benchmarks/bench_api.py": "import shop.api\n",
        },
    )
    completed = run_cli("init", cwd=root)
    assert completed.returncode == 0, completed.stderr
    text = (root / "archguard.toml").read_text(encoding="utf-8")
    contract = load_contract(root / "archguard.toml").contract
    assert contract.project.packages == ["shop"]
    assert sorted(contract.components) == ["api", "domain", "shop"]  # no test_* component
    assert "#   benchmarks/  benchmarks; not a package (no __init__.py)" in text
    assert "#   docs/        documentation; not a package (no __init__.py)" in text
    assert "#   examples/    example code" in text
    assert "#   tests/       test code" in text
    assert "left out (not the library): benchmarks/ (benchmarks), docs/ (documentation), examples/ (example code), tests/ (test code)" in completed.stderr
    assert run_cli("check", cwd=root).returncode == 0


def test_the_build_configuration_says_which_packages_are_the_library(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            **LIBRARY,
            "helpers/__init__.py": "import shop\n",  # a name no heuristic knows: the build configuration decides
            "pyproject.toml": '[project]\nname = "shop"\n[tool.setuptools.packages.find]\ninclude = ["shop*"]\n',
        },
    )
    result = infer(root, InitOptions())
    assert result.inference.packages == ("shop",)
    assert [(item.path, item.why) for item in result.inference.left_out] == [
        ("helpers/", "not a package the build configuration ships (pyproject.toml [tool.setuptools])")
    ]
    assert result.check.exit_code == 0


def test_a_lib_layout_is_found_and_its_neighbours_are_left_out(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            **{f"lib/{path}": text for path, text in LIBRARY.items()},
            "test/__init__.py": "",
            "test/test_api.py": "import shop.api\n",
            "examples/__init__.py": "",
            "examples/one.py": "import shop\n",
        },
    )
    completed = run_cli("init", cwd=root)
    assert completed.returncode == 0, completed.stderr
    contract = load_contract(root / "archguard.toml").contract
    assert contract.project.roots == ["lib"]
    assert sorted(contract.components) == ["api", "domain", "shop"]
    assert "left out (not the library): examples/ (example code), test/ (test code)" in completed.stderr
    assert run_cli("check", cwd=root).returncode == 0


def test_a_namespace_package_the_build_configuration_names_is_the_library(tmp_path: Path) -> None:
    # poetry-core's layout: src/poetry has no __init__.py and holds one package, poetry.core.
    root = write_tree(
        tmp_path,
        {
            **{f"src/acme/{path}": text.replace("shop", "acme.shop") for path, text in LIBRARY.items()},
            "tests/__init__.py": "",
            "tests/test_api.py": "import acme.shop.api\n",
            "pyproject.toml": '[tool.poetry]\nname = "acme-shop"\npackages = [{ include = "acme", from = "src" }]\n',
        },
    )
    completed = run_cli("init", cwd=root)
    assert completed.returncode == 0, completed.stderr
    contract = load_contract(root / "archguard.toml").contract
    assert (contract.project.roots, contract.project.packages) == (["src"], ["acme"])  # found only when named
    # The components are the parts of acme.shop, not acme.shop as one part.
    assert sorted(contract.components) == ["api", "domain", "shop"]
    assert "# Components: the packages 1 level below acme.shop" in (root / "archguard.toml").read_text()
    assert run_cli("check", cwd=root).returncode == 0


def test_test_code_inside_the_library_is_one_component(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            **LIBRARY,
            "shop/billing/__init__.py": "",
            "shop/billing/core.py": "from shop import domain\n",
            "shop/billing/tests/__init__.py": "",
            "shop/billing/tests/test_core.py": "from shop.billing import core\n",
            "shop/test_api.py": "import shop.api\n",
            "shop/conftest.py": "import shop.domain\n",
            # A module named like a test that library code imports is library code.
            "shop/test_support.py": "def helper(): ...\n",
            "shop/orders.py": "from shop.test_support import helper\n",
        },
    )
    result = infer(root, InitOptions())
    components = {c.name: c for c in result.inference.components}
    assert components["tests"].patterns == ("shop.billing.tests", "shop.conftest", "shop.test_api")
    assert [c for c in components if c.startswith("test_")] == ["test_support"]
    assert not any(c in components for c in ("conftest", "test_api"))
    assert result.check.exit_code == 0
    (root / "archguard.toml").write_text(result.text, encoding="utf-8")
    assert run_check(root).exit_code == 0


def test_type_checking_imports_neither_create_cycles_nor_block_layers(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from app.views import View\n",
            "app/views.py": "from app import models\n",
        },
    )
    result = infer(root, InitOptions())
    assert result.inference.layering.cycles == ()
    assert layers_of(result.text) == [["views"], ["models"]]
    assert "exclude_type_checking = true  # imports for type checking only do not pin the layers" in result.text
    assert "#   models -> views: 1 import\n#     app/models.py:3  from app.views import View  (type-checking)" in result.text
    assert "[[ignore]]" not in result.text
    assert result.check.exit_code == 0
    # A run-time import back up is still a cycle.
    (root / "app" / "models.py").write_text("def late():\n    from app.views import View\n", encoding="utf-8")
    assert infer(root, InitOptions()).inference.layering.cycles == (("models", "views"),)


def test_a_dependency_only_in_main_blocks_is_not_allowed_so_the_first_check_has_no_stale_entry(tmp_path: Path) -> None:
    # rich's demo code: `if __name__ == "__main__":` blocks import half the library. The allowed
    # rule leaves those imports out, so allowing them would be "absent" (stale) at the first check.
    root = write_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/models.py": "X = 1\n",
            "app/text.py": "from app import models\n\nif __name__ == \"__main__\":\n    from app.panel import demo\n    demo()\n",
            "app/panel.py": "from app import text\n\ndef demo():\n    pass\n",
        },
    )
    completed = run_cli("init", "--depth", "1", cwd=root)
    assert completed.returncode == 0, completed.stderr
    contract = tomllib.loads((root / "archguard.toml").read_text(encoding="utf-8"))
    (allowed,) = [rule for rule in contract["rules"] if rule["kind"] == "allowed"]
    assert allowed["allow"]["text"] == ["models"] and allowed["allow"]["panel"] == ["text"]
    assert "#   text -> panel: 1 import" in (root / "archguard.toml").read_text(encoding="utf-8")
    check = run_cli("check", cwd=root)
    assert check.returncode == 0, check.stdout
    assert "warning" not in check.stdout, check.stdout
    # A run-time import of the same dependency is a new dependency the rule reports.
    (root / "app" / "text.py").write_text("from app import models, panel\n", encoding="utf-8")
    assert run_cli("check", cwd=root).returncode == 1


def test_main_and_type_checking_imports_do_not_count_for_layering_through_one_predicate() -> None:
    site = ImportSite(importer="a", imported="b", path="a.py", line=1, column=1, end_line=1, text="import b", requested="b")
    assert counts_for_layering(site) and counts_for_layering(site._replace(lazy=True))
    assert not counts_for_layering(site._replace(type_checking=True))


def test_typing_only_and_local_names_are_not_third_party_packages(tmp_path: Path) -> None:
    root = write_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/core.py": (
                "from typing import TYPE_CHECKING\nimport requests\nimport typing_extensions\n"
                "if TYPE_CHECKING:\n    from _typeshed import StrPath\n"
            ),
            "app/plugin.py": "import conftest\nimport siblings\nfrom app import core\n",
            "app/siblings.py": "",
            "conftest.py": "import app\n",
        },
    )
    result = infer(root, InitOptions())
    assert dict(result.inference.externals) == {"core": ("requests", "typing_extensions")}
    assert "#   core: requests, typing_extensions" in result.text
    assert "_typeshed" not in result.text and "conftest" not in result.text


def test_todays_clones_inside_a_component_are_baselined_so_the_first_check_is_quiet(tmp_path: Path) -> None:
    body = "".join(f"    total = total + {i} * value\n" for i in range(8))
    root = write_tree(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/one.py": f"def first(value):\n    total = 0\n{body}    return total\n",
            "app/two.py": f"def second(value):\n    total = 0\n{body}    return total\n",
            "app/three.py": "from app import one, two\n",
        },
    )
    completed = run_cli("init", "--depth", "0", cwd=root)
    assert completed.returncode == 0, completed.stderr
    text = (root / "archguard.toml").read_text(encoding="utf-8")
    assert 'within_component = "warning"' in text
    entries = json.loads((root / "archguard-baseline.json").read_text(encoding="utf-8"))["findings"]
    assert entries and all(entry["rule"] == "duplication" for entry in entries)
    check = run_cli("check", cwd=root)
    assert check.returncode == 0
    assert "warning" not in check.stdout
    # A new copy inside the component is reported (as a warning).
    (root / "app" / "four.py").write_text(f"def fourth(value):\n    total = 0\n{body}    return total\n", encoding="utf-8")
    assert "warning" in run_cli("check", cwd=root).stdout


def test_names_of_code_that_is_not_the_library() -> None:
    assert [kind_of(n) for n in ("tests", "Examples", "docs", "bench", "scripts", "test_utils", "shop")] == [
        "test code",
        "example code",
        "documentation",
        "benchmarks",
        "tooling",
        "test code",
        None,
    ]
    assert is_test_module("shop.tests.test_x") and is_test_module("shop.conftest") and is_test_module("shop.x_test")
    assert not is_test_module("tests") and not is_test_module("shop.testing") and not is_test_module("shop.test")
