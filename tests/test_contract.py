"""The contract: loading, discovery, and the messages of every kind of mistake."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from archguard.base.errors import ContractError
from archguard.contract.loading import find_contract, load_contract, locate_key
from archguard.contract.schema import render_schema
from tests.helpers import REPO, run_cli, write_tree

GOOD = """
[project]
packages = ["shop"]

[components]
api = { modules = ["shop.api"] }
domain = { modules = ["shop.domain"] }

[[rules]]
kind = "layers"
layers = ["api", "domain"]
"""


def load_text(tmp_path: Path, text: str, name: str = "archguard.toml") -> None:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    load_contract(path)


def error_of(tmp_path: Path, text: str, name: str = "archguard.toml") -> ContractError:
    (tmp_path / "shop").mkdir(exist_ok=True)
    with pytest.raises(ContractError) as info:
        load_text(tmp_path, text, name)
    return info.value


def test_a_good_contract_loads(tmp_path: Path) -> None:
    load_text(tmp_path, GOOD)


def test_typo_in_a_rule_key_names_file_line_key_and_suggestion(tmp_path: Path) -> None:
    error = error_of(tmp_path, GOOD + "allow_indirectt = true\n")
    assert error.file == "archguard.toml" or error.file.endswith("archguard.toml")
    assert error.key == "rules[0].allow_indirectt"
    assert error.line == 11
    assert "unknown key 'allow_indirectt' (did you mean 'allow_indirect'?)" in error.message


def test_typo_in_a_component_key(tmp_path: Path) -> None:
    error = error_of(tmp_path, GOOD.replace('domain = { modules = ["shop.domain"] }', 'domain = { modules = ["shop.domain"], publc = [] }'))
    assert (error.key, error.line) == ("components.domain.publc", 6)
    assert "did you mean 'public'" in error.message


def test_unknown_top_level_section(tmp_path: Path) -> None:
    error = error_of(tmp_path, GOOD + "\n[dupliction]\nmin_lines = 3\n")
    assert error.key == "dupliction"
    assert "did you mean 'duplication'" in error.message


def test_unknown_component_in_a_rule(tmp_path: Path) -> None:
    error = error_of(tmp_path, GOOD.replace('layers = ["api", "domain"]', 'layers = ["api", "domian"]'))
    assert error.key == "rules[0].layers[1]"
    assert error.line == 10
    assert "unknown component 'domian' (known components: api, domain)" in error.message


def test_component_in_two_layers(tmp_path: Path) -> None:
    error = error_of(tmp_path, GOOD.replace('layers = ["api", "domain"]', 'layers = ["api", "domain | api"]'))
    assert error.key == "rules[0].layers[1]"
    assert "already in layers[0]" in error.message


def test_empty_pattern_and_missing_required_key(tmp_path: Path) -> None:
    error = error_of(tmp_path, GOOD.replace('["shop.api"]', '[""]'))
    assert error.key == "components.api.modules[0]"
    assert "empty" in error.message
    error = error_of(tmp_path, GOOD.replace('layers = ["api", "domain"]', ""))
    assert (error.key, error.message) == ("rules[0].layers", "this key is required")


def test_missing_and_unknown_rule_kind(tmp_path: Path) -> None:
    error = error_of(tmp_path, GOOD.replace('kind = "layers"', 'kind = "layer"'))
    assert error.key == "rules[0]"
    assert "unknown rule kind 'layer' (did you mean 'layers'?)" in error.message
    error = error_of(tmp_path, GOOD.replace('kind = "layers"\n', ""))
    assert "needs a 'kind'" in error.message


def test_wrong_type_says_what_was_expected(tmp_path: Path) -> None:
    error = error_of(tmp_path, GOOD + 'allow_indirect = "yes please"\n')
    assert error.key == "rules[0].allow_indirect"
    assert "boolean" in error.message and "'yes please'" in error.message


def test_toml_syntax_error_has_a_line(tmp_path: Path) -> None:
    error = error_of(tmp_path, GOOD + "\nbroken = = 1\n")
    assert error.line == 12
    assert error.message.startswith("invalid TOML")


def test_ignore_entries_need_a_reason_and_valid_syntax(tmp_path: Path) -> None:
    error = error_of(tmp_path, GOOD + '\n[[ignore]]\nimport = "shop.api -> shop.domain"\n')
    assert (error.key, error.message) == ("ignore[0].reason", "this key is required")
    error = error_of(tmp_path, GOOD + '\n[[ignore]]\nimport = "shop.api shop.domain"\nreason = "x"\n')
    assert error.key == "ignore[0].import"
    assert "importer -> imported" in error.message


def test_unknown_rule_named_in_an_ignore(tmp_path: Path) -> None:
    error = error_of(tmp_path, GOOD + '\n[[ignore]]\nimport = "a.b -> c.d"\nreason = "x"\nrule = "layer"\n')
    assert error.key == "ignore[0].rule"


def test_pyproject_table_is_found_and_its_keys_are_prefixed(tmp_path: Path) -> None:
    write_tree(tmp_path, {"shop/__init__.py": ""})
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n\n[tool.archguard.components]\napi = { modules = ["shop.api"], nope = 1 }\n')
    found = find_contract(tmp_path / "shop")
    assert found == (tmp_path / "pyproject.toml", "tool.archguard")
    with pytest.raises(ContractError) as info:
        load_contract(tmp_path / "pyproject.toml")
    assert info.value.key == "tool.archguard.components.api.nope"
    assert info.value.line == 5


def test_contract_is_found_by_walking_up(tmp_path: Path) -> None:
    write_tree(tmp_path, {"shop/api/__init__.py": "", "archguard.toml": GOOD})
    assert find_contract(tmp_path / "shop" / "api") == (tmp_path / "archguard.toml", "")
    assert find_contract(Path("/")) is None or find_contract(Path("/"))[0] != tmp_path / "archguard.toml"


def test_locate_key_finds_nested_and_array_table_keys() -> None:
    text = textwrap.dedent(
        """
        [project]
        roots = ["src"]

        [[rules]]
        kind = "layers"

        [[rules]]
        kind = "forbidden"
        from = ["a"]

        [components.api]
        modules = ["x"]
        """
    ).lstrip("\n")
    assert locate_key(text, "project.roots") == 2
    assert locate_key(text, "rules[1].from[0]") == 9
    assert locate_key(text, "rules[1]") == 7
    assert locate_key(text, "components.api.modules") == 12


def test_cli_reports_contract_errors_with_exit_2_and_no_traceback(tmp_path: Path) -> None:
    write_tree(tmp_path, {"shop/__init__.py": "", "archguard.toml": GOOD.replace('"domain"]\n', '"infra"]\n')})
    result = run_cli("check", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("archguard: error: archguard.toml:10: rules[0].layers[1]: unknown component 'infra'")
    assert "Traceback" not in result.stderr


def test_cli_without_any_contract_exits_2(tmp_path: Path) -> None:
    result = run_cli("check", cwd=tmp_path)
    assert result.returncode == 2
    assert "no contract found" in result.stderr


def test_a_configuration_file_that_is_not_a_regular_file_is_named_when_no_contract_is_found(tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / ".importlinter")  # never opened (it would block): said, not silently passed over
    result = run_cli("check", cwd=tmp_path, timeout=60)
    assert result.returncode == 2
    assert f"{tmp_path.resolve() / '.importlinter'} is not a regular file, so it was not read" in result.stderr
    assert "no contract found" in result.stderr


def test_shipped_json_schema_is_up_to_date() -> None:
    shipped = (REPO / "contracts" / "archguard.schema.json").read_text(encoding="utf-8")
    assert shipped == render_schema(), "run: python -m archguard.contract.schema > contracts/archguard.schema.json"
    assert json.loads(shipped)["additionalProperties"] is False


def test_a_validated_contract_is_rebuilt_from_the_cache_without_building_validators(tmp_path: Path) -> None:
    # In a fresh interpreter (the models build their validators on first use): the first load
    # validates and stores the contract; the second rebuilds the same contract from the cache
    # and builds no validator. Another text validates again; a corrupt entry is ignored.
    # (`similarity = 1`, an integer for a float, is pydantic's to convert: without it, every value
    # has its field's type and no validator is built even the first time, see record.checked.)
    import subprocess
    import sys

    from tests.helpers import REPO

    (tmp_path / "shop").mkdir()
    (tmp_path / "shop" / "__init__.py").write_text("")
    contract = tmp_path / "archguard.toml"
    contract.write_text(
        '[project]\nexclude = ["**/gen/**"]\n[components]\napi = { modules = ["shop.api"], tags = ["edge"] }\n'
        'domain = { modules = ["shop.domain"] }\n[[rules]]\nkind = "layers"\nlayers = ["api", "domain"]\nallow_indirect = true\n'
        '[duplication]\nmin_lines = 8\nsimilarity = 1\n[[ignore]]\nimport = "shop.api -> shop.domain"\nreason = "legacy"\n'
    )
    script = (
        "import sys\n"
        "from pathlib import Path\n"
        "from archguard.contract import models\n"
        "from archguard.contract.loading import load_contract\n"
        "loaded = load_contract(Path(sys.argv[1]), cached=True)\n"
        "from archguard.contract.record import is_validated\n"
        "built = [n for n in ('Contract', 'LayersRule', 'ComponentConfig') if is_validated(getattr(models, n))]\n"
        "print(repr(loaded.contract), sorted(loaded.contract.model_fields_set), built, 'pydantic' in sys.modules, sep='|')\n"
    )

    def load() -> list[str]:
        done = subprocess.run([sys.executable, "-c", script, str(contract)], capture_output=True, text=True, cwd=tmp_path, env={"PYTHONPATH": str(REPO)})
        assert done.returncode == 0, done.stderr
        return done.stdout.strip().split("|")

    first, second = load(), load()
    assert first[2] == "['Contract', 'LayersRule', 'ComponentConfig']" and first[3] == "True"
    assert second[2] == "[]" and second[3] == "False"  # rebuilt from the cache: pydantic not even imported
    assert first[:2] == second[:2] and "allow_indirect=True" in second[0] and "min_lines=8" in second[0] and "similarity=1.0" in second[0]
    (entry,) = (tmp_path / ".archguard_cache").glob("contract-*.bin")
    entry.write_bytes(entry.read_bytes()[:-5])
    assert load()[:2] == first[:2]  # validated again, and stored again
    contract.write_text(contract.read_text().replace("min_lines = 8", "min_lines = 9"))
    again = load()
    assert again[2] == "['Contract', 'LayersRule', 'ComponentConfig']" and "min_lines=9" in again[0]


@pytest.mark.parametrize("separator", ["\u2028", "\x85", "\u2029"])
def test_a_line_separator_inside_a_string_is_no_line_end(tmp_path: Path, separator: str) -> None:
    # TOML ends lines at LF and CRLF only; str.splitlines would count one more line here
    text = GOOD.replace('domain = { modules = ["shop.domain"] }', f'domain = {{ modules = ["shop.domain"], description = "a{separator}b" }}')
    error = error_of(tmp_path, text + "allow_indirectt = true\n")
    assert (error.key, error.line) == ("rules[0].allow_indirectt", 11)
