"""External packages at submodule level, and the standard library as a group."""

from __future__ import annotations

from pathlib import Path

import pytest

from archguard.base.errors import ContractError
from archguard.contract.selectors import ExternalTarget
from tests.helpers import make_project, run_check, summary

FILES: dict[str, str | bytes] = {
    "app/__init__.py": "",
    "app/domain/__init__.py": "",
    "app/domain/model.py": """
        import django
        from django.http import HttpResponse
        from django.db.models import Model
        import os.path
        import subprocess
        import socket
        import requests.adapters
        import requests
        """,
    "app/domain/pure.py": "from app.infra import store\n",
    "app/infra/__init__.py": "",
    "app/infra/store.py": "import django.db.transaction\nimport django.utils\n",
}


def contract(to: list[str], *, allow_indirect: bool = False) -> str:
    return f"""
        [project]
        packages = ["app"]

        [components]
        root   = {{ modules = ["app:*"] }}
        domain = {{ modules = ["app.domain"] }}
        infra  = {{ modules = ["app.infra"] }}

        [[rules]]
        kind = "forbidden"
        from = ["domain"]
        to = {to!r}
        allow_indirect = {str(allow_indirect).lower()}
        """.replace("'", '"')


def forbidden(tmp_path: Path, *to: str, allow_indirect: bool = True, files: dict[str, str | bytes] | None = None) -> list[tuple[str, int, str]]:
    result = run_check(make_project(tmp_path, files or FILES, contract(list(to), allow_indirect=allow_indirect)))
    return [(f.importer or "", f.line, f.import_text or "") for f in result.findings]


def test_a_submodule_entry_matches_only_imports_of_that_module_and_below(tmp_path: Path) -> None:
    assert forbidden(tmp_path, "external:django.db") == [("app.domain.model", 3, "from django.db.models import Model")]


def test_a_top_level_entry_matches_every_import_of_the_package(tmp_path: Path) -> None:
    assert [line for _, line, _ in forbidden(tmp_path, "external:django")] == [1, 2, 3]


def test_the_stdlib_group_matches_standard_library_modules_only(tmp_path: Path) -> None:
    assert [text for _, _, text in forbidden(tmp_path, "external:stdlib")] == ["import os.path", "import subprocess", "import socket"]


@pytest.mark.parametrize("entry", ["external:stdlib:subprocess", "external:subprocess"])
def test_one_standard_library_module(tmp_path: Path, entry: str) -> None:
    assert forbidden(tmp_path, entry) == [("app.domain.model", 5, "import subprocess")]


def test_a_standard_library_submodule(tmp_path: Path) -> None:
    assert forbidden(tmp_path, "external:stdlib:os.path") == [("app.domain.model", 4, "import os.path")]
    assert forbidden(tmp_path / "b", "external:os.getcwd") == []


def test_a_submodule_entry_of_a_third_party_package(tmp_path: Path) -> None:
    assert forbidden(tmp_path, "external:requests.adapters") == [("app.domain.model", 7, "import requests.adapters")]


def test_the_message_names_the_module_the_import_asks_for(tmp_path: Path) -> None:
    result = run_check(make_project(tmp_path, FILES, contract(["external:django.db"], allow_indirect=True)))
    assert "app.domain.model imports django.db.models (external:django), which is forbidden" in result.findings[0].message
    assert result.findings[0].remedy == "remove the dependency on django.db.models: depend on an interface you own and inject the implementation"


def test_chains_end_at_an_import_of_the_forbidden_submodule(tmp_path: Path) -> None:
    files = {**FILES, "app/domain/model.py": "from django.http import HttpResponse\n"}
    result = run_check(make_project(tmp_path, files, contract(["external:django.db"])))
    assert summary(result.findings) == [("forbidden", "indirect", "app.domain.pure", "external:django", 1)]
    finding = result.findings[0]
    assert [(hop.importer, hop.imported, hop.text) for hop in finding.chain] == [
        ("app.domain.pure", "app.infra.store", "from app.infra import store"),
        ("app.infra.store", "external:django", "import django.db.transaction"),
    ]
    assert "depends on django.db.transaction through app.infra.store" in finding.message
    # The package's other modules are not forbidden: no chain through an import of django.utils.
    files["app/infra/store.py"] = "import django.utils\n"
    assert run_check(make_project(tmp_path / "b", files, contract(["external:django.db"]))).findings == []


def test_mixed_whole_and_partial_entries_for_one_package(tmp_path: Path) -> None:
    assert [line for _, line, _ in forbidden(tmp_path, "external:django.db", "external:django")] == [1, 2, 3]


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("external:", "expected a package name after 'external:'"),
        ("external:stdlib:requests", "'requests' is not a standard-library module"),
        ("external:django..db", "expected a dotted module name"),
    ],
)
def test_malformed_external_entries_are_contract_errors_naming_the_key(tmp_path: Path, entry: str, message: str) -> None:
    with pytest.raises(ContractError) as caught:
        run_check(make_project(tmp_path, FILES, contract(["infra", entry])))
    assert message in str(caught.value)
    assert caught.value.key == "rules[0].to[1]"


def test_external_target_parsing() -> None:
    assert ExternalTarget.parse("external:stdlib").module is None
    assert ExternalTarget.parse("external:stdlib:os.path").module == "os.path"
    target = ExternalTarget.parse("external:django.db")
    assert (target.top, target.whole_package) == ("django", False)
    assert target.matches("django.db") and target.matches("django.db.models")
    assert not target.matches("django.dbx") and not target.matches("django")
    assert target.covers_node("external:django") and not target.covers_node("external:djangox")


ALLOWED = """
[project]
packages = ["app"]

[components]
root   = { modules = ["app:*"] }
domain = { modules = ["app.domain"] }
infra  = { modules = ["app.infra"] }

[[rules]]
kind = "allowed"
include_external = true
[rules.allow]
domain = ["infra", "external:django.http", "external:requests"]
"""


def test_allowed_accepts_external_submodules_and_keeps_the_stdlib_allowed(tmp_path: Path) -> None:
    result = run_check(make_project(tmp_path, FILES, ALLOWED))
    assert [(f.line, f.import_text) for f in result.findings] == [
        (1, "import django"),
        (3, "from django.db.models import Model"),
    ]
