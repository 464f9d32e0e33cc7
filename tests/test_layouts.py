"""Project layouts: the source roots are found where the project's own tooling finds them.

Each layout is a fake project on disk, checked end to end through the command line, with an
archguard contract and with an import-linter configuration; in import-linter mode the real
``lint-imports`` runs on the same tree with the ``PYTHONPATH`` that layout needs, and both
must give the same verdicts (or both refuse the configuration).
"""

from __future__ import annotations

import os
import subprocess
import textwrap
from pathlib import Path

import pytest

from archguard.analysis.buildconfig import read_build_layout
from archguard.analysis.discover import discover
from archguard.analysis.roots import FileSystemTree, default_roots, find_package, search_path
from archguard.base.errors import ContractError
from archguard.contract.models import ProjectConfig
from tests.helpers import REPO, run_cli, write_tree
from tests.importlinter_oracle import LINT_IMPORTS, lint_imports_verdicts

# A package whose low layer imports the high one: the layers contract is broken, the forbidden one kept.
PACKAGE = {
    "shop/__init__.py": "",
    "shop/api.py": "from shop import domain\n",
    "shop/domain.py": "import shop.api\n",
    "shop/util.py": "import os\n",
}
IMPORTLINTER = """
[importlinter]
root_package = shop

[importlinter:contract:layers]
name = Layered
type = layers
layers =
    shop.api
    shop.domain

[importlinter:contract:forbidden]
name = Util stays alone
type = forbidden
source_modules = shop.util
forbidden_modules = shop.api
"""
CONTRACT = """
[components]
api = { modules = ["shop.api"] }
domain = { modules = ["shop.domain"] }
rest = { modules = ["shop"] }

[[rules]]
kind = "layers"
layers = ["api", "domain"]
"""
VERDICTS = {"Layered": "BROKEN", "Util stays alone": "KEPT"}

# Layouts: (folder holding the package, extra files that declare it).
LAYOUTS: dict[str, tuple[str, dict[str, str]]] = {
    "lib-folder": ("lib", {}),
    "src-folder": ("src", {}),
    "setuptools-package-dir": ("python", {"pyproject.toml": '[tool.setuptools]\npackage-dir = {"" = "python"}\n'}),
    "setuptools-find-where": ("code", {"pyproject.toml": '[tool.setuptools.packages.find]\nwhere = ["code"]\n'}),
    "setup-cfg": ("lib", {"setup.cfg": "[options]\npackages = find:\npackage_dir =\n    =lib\n\n[options.packages.find]\nwhere = lib\n"}),
    "hatch": ("code", {"pyproject.toml": '[tool.hatch.build.targets.wheel]\npackages = ["code/shop"]\n'}),
    "poetry": ("code", {"pyproject.toml": '[tool.poetry]\nname = "shop"\npackages = [{ include = "shop", from = "code" }]\n'}),
    "pdm": ("code", {"pyproject.toml": '[tool.pdm.build]\npackage-dir = "code"\n'}),
    "flit": ("src", {"pyproject.toml": '[project]\nname = "shop"\n[tool.flit.module]\nname = "shop"\n'}),
}


def _reported(report: str, location: str, message: str) -> bool:
    """Whether the text report has a finding at ``location`` whose message says ``message``."""
    return any(line.strip().startswith(location) and message in line for line in report.splitlines())


def layout_project(root: Path, folder: str, extra: dict[str, str]) -> Path:
    files: dict[str, str | bytes] = {f"{folder}/{path}": text for path, text in PACKAGE.items()}
    files.update(extra)
    # Things that are not the library, next to it: never taken for the source root.
    files["tests/__init__.py"] = ""
    files["tests/test_shop.py"] = "import shop.api\n"
    return write_tree(root, files)


def lint_imports(root: Path, pythonpath: list[str]) -> subprocess.CompletedProcess[str]:
    """The real lint-imports, from the project folder, with these folders on PYTHONPATH."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(str(root / p) for p in pythonpath), "NO_COLOR": "1", "COLUMNS": "200"}
    return subprocess.run([LINT_IMPORTS, "--no-cache", "--no-logo"], cwd=root, env=env, capture_output=True, text=True, timeout=120)


def archguard(root: Path, *args: str, pythonpath: list[str] = ()) -> subprocess.CompletedProcess[str]:  # type: ignore[assignment]
    path = os.pathsep.join([str(REPO), *(str(root / p) for p in pythonpath)])
    return run_cli("check", "--no-cache", *args, cwd=root, env={"PYTHONPATH": path})


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_an_archguard_contract_finds_the_package_where_the_layout_puts_it(tmp_path: Path, layout: str) -> None:
    folder, extra = LAYOUTS[layout]
    root = layout_project(tmp_path, folder, extra)
    (root / "archguard.toml").write_text(textwrap.dedent(CONTRACT), encoding="utf-8")
    result = archguard(root)
    assert result.returncode == 1, result.stderr
    assert _reported(result.stdout, f"{folder}/shop/domain.py:1:1 error", "shop.domain imports shop.api")
    assert "tests" not in result.stdout  # the tests folder is not a source root: no unmapped test module


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_an_importlinter_configuration_gives_lint_imports_verdicts_on_every_layout(tmp_path: Path, layout: str) -> None:
    folder, extra = LAYOUTS[layout]
    root = layout_project(tmp_path, folder, extra)
    (root / ".importlinter").write_text(textwrap.dedent(IMPORTLINTER), encoding="utf-8")
    theirs = lint_imports(root, [folder])  # what the project's CI does: the package's folder on the path
    assert lint_imports_verdicts(theirs.stdout) == VERDICTS, theirs.stdout + theirs.stderr
    for pythonpath in ([folder], []):  # archguard also finds it without PYTHONPATH
        ours = archguard(root, pythonpath=pythonpath)
        assert ours.returncode == theirs.returncode == 1, ours.stderr
        assert {name: lint_imports_verdicts(ours.stdout).get(name) for name in VERDICTS} == VERDICTS


def test_a_folder_on_pythonpath_is_a_source_root_in_both_modes(tmp_path: Path) -> None:
    root = layout_project(tmp_path, "vendor/python", {})
    (root / ".importlinter").write_text(textwrap.dedent(IMPORTLINTER), encoding="utf-8")
    theirs = lint_imports(root, ["vendor/python"])
    refused = archguard(root)
    assert refused.returncode == 2
    assert "package 'shop' not found: archguard looked in the project folder" in refused.stderr
    assert "it is in vendor/python/: run with PYTHONPATH=vendor/python (as lint-imports needs), or pass --root vendor/python" in refused.stderr
    assert lint_imports(root, []).returncode == 1 and "Could not find package 'shop'" in lint_imports(root, []).stdout
    ours = archguard(root, pythonpath=["vendor/python"])
    assert lint_imports_verdicts(ours.stdout) == lint_imports_verdicts(theirs.stdout) == VERDICTS
    assert archguard(root, "--root", "vendor/python").returncode == 1

    (root / ".importlinter").unlink()
    (root / "archguard.toml").write_text(textwrap.dedent(CONTRACT), encoding="utf-8")
    result = archguard(root, pythonpath=["vendor/python"])
    assert result.returncode == 1
    assert _reported(result.stdout, "vendor/python/shop/domain.py:1:1 error", "shop.domain imports shop.api")


def test_several_roots_from_the_command_line_and_from_the_contract(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "one/shop/__init__.py": "",
            "one/shop/api.py": "import billing.core\n",
            "two/billing/__init__.py": "",
            "two/billing/core.py": "import shop.api\n",
            ".importlinter": """
                [importlinter]
                root_packages =
                    shop
                    billing

                [importlinter:contract:independent]
                name = Apart
                type = independence
                modules =
                    shop
                    billing
                """,
        },
    )
    theirs = lint_imports(tmp_path, ["one", "two"])
    ours = archguard(tmp_path, "--root", "one", "--root", "two")
    assert lint_imports_verdicts(theirs.stdout) == lint_imports_verdicts(ours.stdout) == {"Apart": "BROKEN"}
    assert ours.returncode == theirs.returncode == 1
    assert archguard(tmp_path, pythonpath=["one", "two"]).returncode == 1

    (tmp_path / ".importlinter").unlink()
    contract = '[project]\nroots = ["one", "two"]\n[components]\nshop = { modules = ["shop"] }\nbilling = { modules = ["billing"] }\n'
    contract += '[[rules]]\nkind = "independent"\ncomponents = ["shop", "billing"]\n'
    (tmp_path / "archguard.toml").write_text(contract, encoding="utf-8")
    result = archguard(tmp_path)
    assert result.returncode == 1
    assert _reported(result.stdout, "one/shop/api.py:1:1 error", "shop.api imports billing.core")
    assert "two/billing/core.py" in result.stdout


def test_a_missing_root_package_names_where_archguard_looked_and_where_it_is(tmp_path: Path) -> None:
    root = layout_project(tmp_path, "deep/inside", {})
    (root / "archguard.toml").write_text('[project]\npackages = ["shop"]\n' + textwrap.dedent(CONTRACT), encoding="utf-8")
    result = archguard(root)
    assert result.returncode == 2
    assert (
        "archguard.toml: project.packages[0]: package 'shop' not found: archguard looked in the project folder, src/ (absent), "
        'lib/ (absent); it is in deep/inside/: set roots = ["deep/inside"] in [project] (or pass --root deep/inside)'
    ) in result.stderr
    assert archguard(root, "--root", "deep/inside").returncode == 1


def test_root_option_must_be_a_folder_inside_the_project(tmp_path: Path) -> None:
    root = layout_project(tmp_path / "project", "src", {})
    (root / "archguard.toml").write_text(textwrap.dedent(CONTRACT), encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    outside = archguard(root, "--root", str(tmp_path / "elsewhere"))
    assert outside.returncode == 2
    assert "--root" in outside.stderr and "outside the project" in outside.stderr
    missing = archguard(root, "--root", "nowhere")
    assert missing.returncode == 2 and "--root nowhere: not a directory" in missing.stderr


# -- import-linter's refusals, refused the same way -------------------------------------------------


def quirk_project(root: Path, session: str, files: dict[str, str] | None = None) -> Path:
    config = textwrap.dedent(session).strip() + "\n\n[importlinter:contract:c]\nname = C\ntype = independence\nmodules =\n    shop.api\n    shop.domain\n"
    tree: dict[str, str | bytes] = {**PACKAGE, ".importlinter": config}
    tree.update(files or {})
    return write_tree(root, tree)


def test_a_one_line_root_packages_is_refused_as_import_linter_reads_it(tmp_path: Path) -> None:
    root = quirk_project(tmp_path, "[importlinter]\nroot_packages = shop")
    theirs = lint_imports(root, ["."])
    assert theirs.returncode == 1 and "Could not find package 's'" in theirs.stdout
    ours = archguard(root)
    assert ours.returncode == 2
    assert (
        "importlinter.root_packages: root_packages = shop is one value, and import-linter 2.17 reads it character by character, "
        "as the packages 's', 'h', 'o', 'p'"
    ) in ours.stderr
    assert "write 'root_package = shop', or put each package on a line of its own" in ours.stderr


def test_a_one_line_root_packages_whose_letters_are_packages_is_checked_like_lint_imports(tmp_path: Path) -> None:
    files = {"a/__init__.py": "", "a/x.py": "import b.y\n", "b/__init__.py": "", "b/y.py": ""}
    config = "[importlinter]\nroot_packages = ab\n\n[importlinter:contract:c]\nname = C\ntype = independence\nmodules =\n    a\n    b\n"
    write_tree(tmp_path, {**files, ".importlinter": config})
    theirs = lint_imports(tmp_path, ["."])
    ours = archguard(tmp_path)
    assert lint_imports_verdicts(theirs.stdout) == lint_imports_verdicts(ours.stdout) == {"C": "BROKEN"}


def test_a_toml_string_root_packages_is_refused_with_the_list_to_write(tmp_path: Path) -> None:
    config = '[tool.importlinter]\nroot_packages = "shop"\n[[tool.importlinter.contracts]]\nname = "C"\ntype = "independence"\n'
    config += 'modules = ["shop.api", "shop.domain"]\n'
    write_tree(tmp_path, {**PACKAGE, "pyproject.toml": config})
    ours = archguard(tmp_path, "--config", "pyproject.toml")
    assert ours.returncode == 2
    assert "write 'root_packages = [\"shop\"]' (a list) or 'root_package = \"shop\"'" in ours.stderr
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    theirs = subprocess.run([LINT_IMPORTS, "--no-cache", "--no-logo"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert theirs.returncode == 1 and "Could not find package 's'" in theirs.stdout


def test_a_subpackage_of_a_regular_package_is_no_root_package_for_either_tool(tmp_path: Path) -> None:
    root = quirk_project(tmp_path, "[importlinter]\nroot_package = shop.api", {"shop/api/__init__.py": "", "shop/api.py": ""})
    (root / "shop" / "api.py").unlink()
    assert lint_imports(root, ["."]).returncode == 1
    ours = archguard(root)
    assert ours.returncode == 2
    assert "'shop.api' is not a top-level package: import-linter 2.17 stops on it" in ours.stderr
    assert "write root_package = shop and name shop.api in the contracts" in ours.stderr


def test_a_root_module_is_refused_by_both(tmp_path: Path) -> None:
    write_tree(tmp_path, {"single.py": "import os\n"})
    (tmp_path / ".importlinter").write_text(
        "[importlinter]\nroot_package = single\n[importlinter:contract:c]\nname = C\ntype = independence\nmodules =\n    single\n", encoding="utf-8"
    )
    theirs = lint_imports(tmp_path, ["."])
    assert theirs.returncode == 1 and "is a module, not a package" in theirs.stdout
    ours = archguard(tmp_path)
    assert ours.returncode == 2 and "'single' is a module, not a package" in ours.stderr


def test_the_project_folder_comes_first_as_on_lint_imports_path(tmp_path: Path) -> None:
    # shop at the top of the project and a different shop in lib/: lint-imports (cwd first) takes the top one.
    files = {**PACKAGE, **{f"lib/{p}": "" for p in PACKAGE}}
    write_tree(tmp_path, {**files, ".importlinter": textwrap.dedent(IMPORTLINTER)})
    theirs = lint_imports(tmp_path, ["lib"])
    ours = archguard(tmp_path, pythonpath=["lib"])
    assert lint_imports_verdicts(theirs.stdout) == lint_imports_verdicts(ours.stdout) == VERDICTS
    assert "lib/shop" not in ours.stdout


# -- the parts, directly -------------------------------------------------------------------------------


def test_build_configurations_are_read_for_every_backend(tmp_path: Path) -> None:
    expectations = {
        "setuptools-package-dir": (("python",), ()),
        "setuptools-find-where": (("code",), ()),
        "setup-cfg": (("lib",), ()),
        "hatch": (("code",), ("shop",)),
        "poetry": (("code",), ("shop",)),
        "pdm": (("code",), ()),
        "flit": ((".", "src"), ("shop",)),
    }
    for layout, (folders, packages) in expectations.items():
        project = tmp_path / layout
        write_tree(project, LAYOUTS[layout][1])
        found = read_build_layout(project)
        assert found is not None, layout
        assert (found.folders, found.packages) == (folders, packages), layout


def test_django_style_include_patterns_say_which_packages_ship(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": '[project]\nname = "Django"\n[tool.setuptools.packages.find]\ninclude = ["django*"]\n'})
    found = read_build_layout(tmp_path)
    assert found is not None and found.project_name == "django"
    assert [p for p in ("django", "tests", "scripts") if found.ships(p)] == ["django"]


def test_hatch_only_include_of_a_source_root_ships_the_whole_root(tmp_path: Path) -> None:
    # black's configuration: the wheel takes src/ and strips it; src is a root, not a package.
    pyproject = '[project]\nname = "black"\n[tool.hatch.build.targets.wheel]\nonly-include = ["src"]\nsources = ["src"]\n'
    write_tree(
        tmp_path, {"pyproject.toml": pyproject, "src/black/__init__.py": "", "src/blackd/__init__.py": "", "scripts/__init__.py": "", "tests/__init__.py": ""}
    )
    found = read_build_layout(tmp_path)
    assert found is not None and found.folders == ("src",) and found.packages == ()
    assert [f.path for f in default_roots(FileSystemTree(tmp_path), tmp_path, environ={})] == ["src"]


def test_poetry_glob_entries_say_which_packages_ship(tmp_path: Path) -> None:
    pyproject = '[tool.poetry]\nname = "shop"\npackages = [{ include = "shop_*", from = "src" }, { include = "extra" }]\n'
    write_tree(tmp_path, {"pyproject.toml": pyproject})
    found = read_build_layout(tmp_path)
    assert found is not None and found.folders == ("src", ".")
    assert [p for p in ("shop_core", "shop_api", "extra", "tests", "shopping") if found.ships(p)] == ["shop_core", "shop_api", "extra"]


def test_a_broken_build_configuration_is_no_layout(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": "[tool.setuptools\n", "lib/shop/__init__.py": "", "src/other/__init__.py": ""})
    assert read_build_layout(tmp_path) is None
    assert [f.path for f in default_roots(FileSystemTree(tmp_path), tmp_path, environ={})] == ["src"]


def test_a_lib_folder_next_to_the_library_is_not_taken_for_the_layout(tmp_path: Path) -> None:
    write_tree(tmp_path, {"mylib/__init__.py": "", "lib/vendored/__init__.py": "", "tests/__init__.py": ""})
    assert [f.path for f in default_roots(FileSystemTree(tmp_path), tmp_path, environ={})] == ["."]
    (tmp_path / "mylib" / "__init__.py").unlink()
    (tmp_path / "mylib").rmdir()
    assert [f.path for f in default_roots(FileSystemTree(tmp_path), tmp_path, environ={})] == ["lib"]


def test_packages_are_found_as_pythons_path_finder_finds_them(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "a/ns/one.py": "",  # a namespace portion first
            "b/ns/__init__.py": "",  # then a regular package: it wins
            "c/ns/two.py": "",
            "a/mod.py": "",
            "b/mod/__init__.py": "",
            "a/spread/x.py": "",
            "c/spread/y.py": "",
        },
    )
    tree = FileSystemTree(tmp_path)
    regular = find_package(tree, "ns", ["a", "b", "c"])
    assert regular is not None and (regular.kind, regular.places) == ("package", (("b", "b/ns"),))
    module = find_package(tree, "mod", ["a", "b"])
    assert module is not None and (module.kind, module.places) == ("module", (("a", "a/mod.py"),))
    spread = find_package(tree, "spread", ["a", "b", "c"])
    assert spread is not None and (spread.kind, spread.roots) == ("namespace", ("a", "c"))
    assert find_package(tree, "spread.y", ["a", "b", "c"]) is not None
    assert find_package(tree, "nothing", ["a", "b", "c"]) is None


def test_pythonpath_entries_outside_the_project_are_never_searched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {"project/src/shop/__init__.py": "", "outside/other/__init__.py": ""})
    project = tmp_path / "project"
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(tmp_path / "outside"), str(project / "src")]))
    assert [(f.path, f.origin) for f in search_path(project)][:2] == [(".", "the project folder"), ("src", "PYTHONPATH")]
    assert [f.module for f in discover(project, ProjectConfig(packages=["shop"])).files] == ["shop"]
    with pytest.raises(ContractError) as caught:
        discover(project, ProjectConfig(packages=["other"]))
    assert f"it is in {tmp_path / 'outside'} (on PYTHONPATH), outside the project" in caught.value.message
