"""Reading import-linter configurations, and what ``archguard check`` does with them."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from archguard.base.errors import ContractError
from archguard.engine.pipeline import RunOptions, check
from archguard.importlinter.config import (
    ForbiddenContract,
    LayersContract,
    load_importlinter,
    parse_importlinter,
    parse_module_expression,
)
from archguard.importlinter.files import find_importlinter_config
from tests.helpers import run_cli, write_tree
from tests.importlinter_oracle import oracle, run_lint_imports

PACKAGE = {
    "pkg/__init__.py": "",
    "pkg/high.py": "",
    "pkg/low.py": "import pkg.high\n",
    "pkg/other.py": "",
}


def ini(text: str):  # type: ignore[no-untyped-def]
    return parse_importlinter(textwrap.dedent(text).lstrip("\n"), display=".importlinter", fmt="ini")


def error_of(text: str, fmt: str = "ini") -> ContractError:
    with pytest.raises(ContractError) as caught:
        parse_importlinter(textwrap.dedent(text).lstrip("\n"), display="cfg", fmt=fmt)  # type: ignore[arg-type]
    return caught.value


def test_ini_layers_contract_is_read_with_import_linters_value_rules() -> None:
    config = ini(
        """
        [importlinter]
        root_packages =
            pkg
            other
        include_external_packages = true
        exclude_type_checking_imports = True

        [importlinter:contract:one]
        name = Layers
        type = layers
        layers =
            high

            (medium) | side
            low : base
        containers = pkg.*
        exhaustive = TRUE
        exhaustive_ignores = utils
        broken_contract_guidance =
            Move shared code down.
            See the wiki.
        """
    )
    assert config is not None
    assert config.session.root_packages == ("pkg", "other")
    assert config.session.include_external_packages is True
    assert config.session.exclude_type_checking_imports is True
    (contract,) = config.contracts
    assert isinstance(contract, LayersContract)
    assert contract.id == "one"
    assert [(layer.text, layer.independent) for layer in contract.layers] == [
        ("high", True),
        ("(medium) | side", True),
        ("low : base", False),
    ]
    assert [(m.name, m.optional) for m in contract.layers[1].modules] == [("medium", True), ("side", False)]
    assert [c.text for c in contract.containers] == ["pkg.*"]
    assert contract.exhaustive is True and contract.exhaustive_ignores == ("utils",)
    assert contract.broken_contract_guidance == "Move shared code down.\nSee the wiki."
    assert contract.origin.line == 8
    assert contract.origin.field_lines["layers"] == 11


def test_toml_booleans_and_lists_are_read_like_import_linter() -> None:
    config = parse_importlinter(
        textwrap.dedent(
            """
            [tool.importlinter]
            root_package = "pkg"
            include_external_packages = true

            [[tool.importlinter.contracts]]
            id = "f"
            name = "Forbidden"
            type = "forbidden"
            source_modules = "pkg.low"
            forbidden_modules = ["pkg.high", "django"]
            as_packages = false
            allow_indirect_imports = true
            ignore_imports = ["pkg.* -> pkg.high"]
            unmatched_ignore_imports_alerting = "warn"
            """
        ),
        display="pyproject.toml",
        fmt="toml",
    )
    assert config is not None
    (contract,) = config.contracts
    assert isinstance(contract, ForbiddenContract)
    assert [m.text for m in contract.source_modules] == ["pkg.low"]
    assert [m.text for m in contract.forbidden_modules] == ["pkg.high", "django"]
    assert (contract.as_packages, contract.allow_indirect_imports) == (False, True)
    assert str(contract.ignore_imports[0]) == "pkg.* -> pkg.high"
    assert contract.unmatched_ignore_imports_alerting == "warn"
    assert contract.origin.key == "tool.importlinter.contracts[0]"
    assert contract.origin.field_lines["as_packages"] == 12


def test_include_external_packages_is_on_only_for_true() -> None:
    for value, expected in (("True", True), ("true", True), ("yes", False), ("1", False), ("False", False)):
        config = ini(
            f"[importlinter]\nroot_package = pkg\ninclude_external_packages = {value}\n"
            "[importlinter:contract:c]\nname = c\ntype = independence\nmodules = pkg.a\n"
        )
        assert config is not None and config.session.include_external_packages is expected


@pytest.mark.parametrize(
    ("expression", "matches", "misses"),
    [
        ("pkg.*", ["pkg.a"], ["pkg", "pkg.a.b"]),
        ("pkg.**", ["pkg.a", "pkg.a.b.c"], ["pkg"]),
        ("pkg.**.models", ["pkg.a.models", "pkg.a.b.models"], ["pkg.models"]),
        ("**.models", ["pkg.models"], ["models"]),
        ("pkg.*.*", ["pkg.a.b"], ["pkg.a"]),
    ],
)
def test_module_expressions_match_like_import_linter(expression: str, matches: list[str], misses: list[str]) -> None:
    parsed = parse_module_expression(expression)
    assert all(parsed.matches(m) for m in matches)
    assert not any(parsed.matches(m) for m in misses)


@pytest.mark.parametrize(
    ("text", "key", "line", "message"),
    [
        ("[importlinter:contract:x]\nname = X\nlayers = a\n", "importlinter:contract:x", 4, "needs a 'type'"),
        ("[importlinter:contract:x]\nname = X\ntype = layer\nlayers = a\n", "importlinter:contract:x.type", 6, "did you mean 'layers'"),
        ("[importlinter:contract:x]\ntype = layers\nlayers = a\n", "importlinter:contract:x", 4, "needs a 'name'"),
        (
            "[importlinter:contract:x]\nname = X\ntype = layers\nlayers =\n    a | b : c\n",
            "importlinter:contract:x.layers",
            7,
            "cannot mix",
        ),
        (
            "[importlinter:contract:x]\nname = X\ntype = layers\nlayers =\n    a\n    a\n",
            "importlinter:contract:x.layers",
            7,
            "more than one layer",
        ),
        (
            "[importlinter:contract:x]\nname = X\ntype = layers\nlayers =\n    a\n    a.b\n",
            "importlinter:contract:x.layers",
            7,
            "'a' contains 'a.b'",
        ),
        (
            "[importlinter:contract:x]\nname = X\ntype = layers\nlayers = a\nexhaustive = true\n",
            "importlinter:contract:x.exhaustive",
            8,
            "needs containers",
        ),
        (
            "[importlinter:contract:x]\nname = X\ntype = layers\nlayers = a\nexhaustiv = true\n",
            "importlinter:contract:x.exhaustiv",
            8,
            "did you mean 'exhaustive'",
        ),
        (
            "[importlinter:contract:x]\nname = X\ntype = forbidden\nsource_modules = a\n",
            "importlinter:contract:x.forbidden_modules",
            4,
            "is required",
        ),
        (
            "[importlinter:contract:x]\nname = X\ntype = forbidden\nsource_modules = a\nforbidden_modules = b\nas_packages = yes\n",
            "importlinter:contract:x.as_packages",
            9,
            "expected true or false",
        ),
        (
            "[importlinter:contract:x]\nname = X\ntype = forbidden\nsource_modules = pkg.a*\nforbidden_modules = b\n",
            "importlinter:contract:x.source_modules",
            7,
            "whole module name",
        ),
        (
            "[importlinter:contract:x]\nname = X\ntype = forbidden\nsource_modules = a.**.*\nforbidden_modules = b\n",
            "importlinter:contract:x.source_modules",
            7,
            "recursive wildcard",
        ),
        (
            "[importlinter:contract:x]\nname = X\ntype = forbidden\nsource_modules = a\nforbidden_modules = b\nignore_imports = a b\n",
            "importlinter:contract:x.ignore_imports",
            9,
            "package.importer -> package.imported",
        ),
        (
            "[importlinter:contract:x]\nname = X\ntype = acyclic_siblings\nancestors = a\ndepth = -1\n",
            "importlinter:contract:x.depth",
            8,
            ">= 0",
        ),
        (
            "[importlinter:contract:x]\nname = X\ntype = acyclic_siblings\nancestors = a\nskip_descendants = a\n",
            "importlinter:contract:x.skip_descendants",
            8,
            "also an ancestor",
        ),
        (
            "[importlinter:contract:x]\nname = X\ntype = private_modules\npackages_with_private_modules = a._b\n",
            "importlinter:contract:x.packages_with_private_modules",
            7,
            "private",
        ),
        (
            "[importlinter:contract:x]\nname = X\ntype = forbidden\nsource_modules = a\nforbidden_modules = b\n"
            "unmatched_ignore_imports_alerting = loud\n",
            "importlinter:contract:x.unmatched_ignore_imports_alerting",
            9,
            "'error', 'warn' or 'none'",
        ),
    ],
)
def test_malformed_contracts_name_the_file_line_contract_and_field(text: str, key: str, line: int, message: str) -> None:
    error = error_of("[importlinter]\nroot_package = pkg\n\n" + text)
    assert error.file == "cfg"
    assert error.key == key
    assert error.line == line
    assert message in error.message
    if "name = X" in text:
        assert 'contract "X"' in error.message


def test_custom_contract_types_are_refused_by_name() -> None:
    error = error_of(
        """
        [importlinter]
        root_package = pkg
        contract_types =
            my_type: pkg.contracts.MyContract

        [importlinter:contract:x]
        name = Custom
        type = my_type
        """
    )
    assert "custom contract type 'my_type' (pkg.contracts.MyContract" in error.message
    assert "not supported" in error.message
    assert error.key == "importlinter:contract:x.type"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[importlinter]\ninclude_external_packages = True\n[importlinter:contract:c]\nname = c\ntype = independence\nmodules = a\n",
            "root_package",
        ),
        (
            "[importlinter]\nroot_package = my-package\n[importlinter:contract:c]\nname = c\ntype = independence\nmodules = a\n",
            "importable",
        ),
        (
            "[importlinter]\nroot_package = pkg\ninclude_externals = True\n"
            "[importlinter:contract:c]\nname = c\ntype = independence\nmodules = a\n",
            "did you mean 'include_external_packages'",
        ),
        ("[importlinter]\nroot_package = pkg\n", "no contracts"),
        ("[importlinter]\nroot_package = pkg\nthis is not an option\n", "invalid INI"),
    ],
)
def test_malformed_session_options_are_contract_errors(text: str, message: str) -> None:
    assert message in error_of(text).message


def test_duplicate_toml_ids_are_refused() -> None:
    error = error_of(
        """
        [tool.importlinter]
        root_package = "pkg"

        [[tool.importlinter.contracts]]
        id = "same"
        name = "One"
        type = "independence"
        modules = ["pkg.a"]

        [[tool.importlinter.contracts]]
        id = "same"
        name = "Two"
        type = "independence"
        modules = ["pkg.b"]
        """,
        fmt="toml",
    )
    assert "already used" in error.message and error.key == "tool.importlinter.contracts[1].id"


def test_configuration_is_found_walking_up_in_import_linters_order(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.importlinter]\nroot_package = "pkg"\n', encoding="utf-8")
    (tmp_path / "setup.cfg").write_text("[metadata]\nname = x\n", encoding="utf-8")
    (tmp_path / "sub" / "deeper").mkdir(parents=True)
    assert find_importlinter_config(tmp_path / "sub" / "deeper") == (tmp_path / "pyproject.toml").resolve()
    (tmp_path / ".importlinter").write_text("[importlinter]\nroot_package = pkg\n", encoding="utf-8")
    assert find_importlinter_config(tmp_path / "sub") == (tmp_path / ".importlinter").resolve()
    (tmp_path / "setup.cfg").write_text("[importlinter]\nroot_package = pkg\n", encoding="utf-8")
    assert find_importlinter_config(tmp_path) == (tmp_path / "setup.cfg").resolve()


# -- the command line ---------------------------------------------------------------------------

CONFIG = """
[importlinter]
root_package = pkg

[importlinter:contract:layers]
name = Layers
type = layers
layers =
    pkg.high
    pkg.low
broken_contract_guidance = Invert the dependency with a Protocol in pkg.low.

[importlinter:contract:kept]
name = Kept
type = forbidden
source_modules = pkg.other
forbidden_modules = pkg.high
"""


def project(root: Path, config: str = CONFIG, name: str = ".importlinter") -> Path:
    write_tree(root, PACKAGE)
    (root / name).write_text(textwrap.dedent(config).lstrip("\n"), encoding="utf-8")
    return root


def test_check_auto_detects_the_configuration_and_says_so_on_its_first_line(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "sub").mkdir()
    result = run_cli("check", "--no-cache", cwd=root / "sub")
    lines = result.stdout.splitlines()
    assert lines[0].startswith("archguard · using the import-linter configuration in ")
    assert "(no archguard contract found)" in lines[0]
    assert "  Layers BROKEN (1 error)" in lines
    assert "      Invert the dependency with a Protocol in pkg.low." in lines
    assert "  Kept KEPT" in lines
    assert "Contracts: 1 kept, 1 broken." in lines
    expected = "pkg/low.py:1:1 error importlinter-layers · Layers: pkg.low imports pkg.high: pkg.low is not allowed to import pkg.high (a higher layer)"
    assert expected in result.stdout
    assert result.returncode == 1


def test_an_archguard_contract_wins_over_an_import_linter_configuration(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "archguard.toml").write_text('[project]\npackages = ["pkg"]\n[components]\nall = { modules = ["pkg"] }\n', encoding="utf-8")
    result = run_cli("check", "--no-cache", cwd=root)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "import-linter" not in result.stdout


@pytest.mark.parametrize("name", [".importlinter", "setup.cfg", "custom.ini"])
def test_config_option_reads_ini_files(tmp_path: Path, name: str) -> None:
    root = project(tmp_path, name=name)
    result = run_cli("check", "--no-cache", "--config", name, cwd=root)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith(f"archguard · using the import-linter configuration in {name} ·")


def test_config_option_reads_pyproject_toml(tmp_path: Path) -> None:
    config = """
    [tool.importlinter]
    root_package = "pkg"

    [[tool.importlinter.contracts]]
    id = "kept"
    name = "Kept"
    type = "forbidden"
    source_modules = ["pkg.other"]
    forbidden_modules = ["pkg.high"]
    """
    root = project(tmp_path, config, "pyproject.toml")
    result = run_cli("check", "--no-cache", "--config", "pyproject.toml", "--format", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert [(r["name"], r["kind"], r.get("verdict")) for r in report["rules"] if r["kind"].startswith("importlinter")] == [
        ("Kept", "importlinter-forbidden", "kept"),
        ("dynamic imports", "importlinter-dynamic", None),  # archguard's checks next to the contracts: no verdict
        ("uncovered modules", "importlinter-uncovered", None),
    ]
    assert result.stderr.splitlines()[0] == "archguard: using the import-linter configuration in pyproject.toml"


def test_contract_option_checks_only_the_chosen_contracts(tmp_path: Path) -> None:
    root = project(tmp_path)
    kept = run_cli("check", "--no-cache", "--contract", "kept", cwd=root)
    assert kept.returncode == 0
    assert "Layers" not in kept.stdout and "  Kept KEPT" in kept.stdout
    unknown = run_cli("check", "--no-cache", "--contract", "nope", cwd=root)
    assert unknown.returncode == 2
    assert "no contract with id 'nope' (contract ids: kept, layers)" in unknown.stderr


def test_json_report_gives_each_contracts_verdict(tmp_path: Path) -> None:
    root = project(tmp_path)
    result = run_cli("check", "--no-cache", "--format", "json", cwd=root)
    report = json.loads(result.stdout)
    verdicts = {r["name"]: r["verdict"] for r in report["rules"] if "verdict" in r}
    assert verdicts == {"Layers": "broken", "Kept": "kept"}
    (finding,) = report["findings"]
    assert (finding["rule"], finding["importer"], finding["imported"], finding["line"]) == ("importlinter-layers", "pkg.low", "pkg.high", 1)


@pytest.mark.parametrize(
    ("contract", "message"),
    [
        ("name = X\ntype = layers\nlayers =\n    pkg.high\n    pkg.gone\n", "missing layer 'pkg.gone'"),
        ("name = X\ntype = forbidden\nsource_modules = pkg.gone\nforbidden_modules = pkg.high\n", "module 'pkg.gone' does not exist"),
        ("name = X\ntype = forbidden\nsource_modules = pkg.low\nforbidden_modules = django\n", "include_external_packages"),
        ("name = X\ntype = acyclic_siblings\nancestors = pkg.nothing.*\n", "did not match any modules"),
        ("name = X\ntype = layers\nlayers = a | b : c\n", "cannot mix"),
        ("type = layers\nlayers = a\n", "needs a 'name'"),
        ("name = X\ntype = nonsense\n", "unknown contract type 'nonsense'"),
    ],
)
def test_configuration_errors_are_refused_like_import_linter_refuses_them(tmp_path: Path, contract: str, message: str) -> None:
    root = project(tmp_path, "[importlinter]\nroot_package = pkg\n\n[importlinter:contract:bad]\n" + contract)
    with pytest.raises(ContractError) as caught:
        check(load_importlinter(root / ".importlinter"), RunOptions(jobs=1, use_cache=False))
    assert message in caught.value.message
    assert caught.value.file is not None and caught.value.file.endswith(".importlinter")
    assert (caught.value.key or "").startswith("importlinter:contract:bad")
    assert caught.value.line is not None
    assert "error" in oracle().ask(root, ".importlinter")  # import-linter refuses the same configuration


def test_a_configuration_error_exits_2_with_file_line_and_key(tmp_path: Path) -> None:
    root = project(
        tmp_path, "[importlinter]\nroot_package = pkg\n\n[importlinter:contract:bad]\nname = X\ntype = layers\nlayers = pkg.gone\n"
    )
    ours = run_cli("check", "--no-cache", cwd=root)
    assert ours.returncode == 2
    assert ours.stderr.splitlines()[-1] == (
        "archguard: error: .importlinter:7: importlinter:contract:bad.layers: "
        "contract \"X\": missing layer 'pkg.gone': module pkg.gone does not exist"
    )
    assert run_lint_imports(root, ".importlinter").returncode == 1  # lint-imports fails on it too


def test_root_package_not_found_is_a_contract_error(tmp_path: Path) -> None:
    (tmp_path / ".importlinter").write_text(
        "[importlinter]\nroot_package = missing\n[importlinter:contract:c]\nname = c\ntype = independence\nmodules = missing.a\n",
        encoding="utf-8",
    )
    result = run_cli("check", "--no-cache", cwd=tmp_path)
    assert result.returncode == 2
    assert "importlinter.root_package: package 'missing' not found" in result.stderr


def test_packages_under_src_are_found(tmp_path: Path) -> None:
    write_tree(tmp_path, {f"src/{path}": text for path, text in PACKAGE.items()})
    (tmp_path / ".importlinter").write_text(textwrap.dedent(CONFIG), encoding="utf-8")
    result = run_cli("check", "--no-cache", cwd=tmp_path)
    assert result.returncode == 1
    assert "src/pkg/low.py:1:1 error importlinter-layers · Layers: pkg.low imports pkg.high" in result.stdout


def test_two_contracts_with_one_name_get_their_own_verdicts(tmp_path: Path) -> None:
    config = CONFIG.replace("name = Kept", "name = Layers")
    root = project(tmp_path, config)
    result = check(load_importlinter(root / ".importlinter"), RunOptions(jobs=1, use_cache=False))
    verdicts = {rule.name: any(f.rule_name == rule.name for f in result.errors) for rule in result.rules if rule.reports_verdict}
    assert verdicts == {"Layers": True, "Layers (kept)": False}


def test_a_configuration_read_before_is_rebuilt_from_the_cache_without_validators(tmp_path: Path) -> None:
    # In a fresh interpreter: the second load of the same text is not parsed again, gives the
    # same configuration (tuples stay tuples), and a contract can still be selected by id.
    # Neither load builds a validator or imports pydantic: archguard parses every field of an
    # import-linter configuration itself, so its records are taken as they are (record.checked).
    import subprocess
    import sys

    from tests.helpers import REPO

    (tmp_path / "shop" / "api").mkdir(parents=True)
    (tmp_path / "shop" / "__init__.py").write_text("")
    (tmp_path / ".importlinter").write_text(
        "[importlinter]\nroot_package = shop\n\n[importlinter:contract:one]\nname = layers\ntype = layers\n"
        "layers =\n    shop.api\n    shop.domain\nignore_imports =\n    shop.api.* -> shop.domain\n\n"
        "[importlinter:contract:two]\nname = forbidden\ntype = forbidden\nsource_modules = shop.domain\nforbidden_modules = shop.api\n"
        "\n[archguard]\ncopies = off\n"  # the companion section is cached too
    )
    script = (
        "from pathlib import Path\n"
        "import sys\n"
        "from archguard.contract.record import Record, is_validated\n"
        "from archguard.importlinter import config\n"
        "parsed = []\n"
        "parse = config.parse_importlinter\n"
        "config.parse_importlinter = lambda *a, **k: parsed.append(1) or parse(*a, **k)\n"
        "loaded = config.load_importlinter(Path('.importlinter'), cached=True)\n"
        "picked = config.load_importlinter(Path('.importlinter'), cached=True, contract_ids=['two'])\n"
        "built = sorted(n for n, v in vars(config).items() if isinstance(v, type) and issubclass(v, Record) and is_validated(v))\n"
        "print(repr(loaded.importlinter), [c.name for c in picked.importlinter.contracts], bool(built), loaded.companion.copies,\n"
        "      'pydantic' in sys.modules, len(parsed), sep='|')\n"
    )

    def load() -> list[str]:
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, env={"PYTHONPATH": str(REPO)})
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().split("|")

    first, second = load(), load()
    assert first[5] != "0" and second[5] == "0"  # rebuilt from the cache
    assert first[2] == second[2] == "False" and first[4] == second[4] == "False"  # no validator, no pydantic
    assert first[3] == second[3] == "off"
    assert first[:2] == second[:2] and second[1] == "['forbidden']"
    assert "ignore_imports=(ImportExpression(" in second[0]


@pytest.mark.parametrize("separator", ["\x0c", "\x1c", "\u2028", "\x85"])
def test_line_numbers_count_line_ends_only(separator: str) -> None:
    # configparser ends lines at line ends only; a form feed or a Unicode separator in a comment
    # or a value is text (str.splitlines would count one more line after it)
    error = error_of(
        f"[importlinter]\nroot_package = pkg\n# a{separator}b\n\n[importlinter:contract:x]\nname = X{separator}Y\ntype = layer\nlayers = a\n"
    )
    assert (error.key, error.line) == ("importlinter:contract:x.type", 7)
