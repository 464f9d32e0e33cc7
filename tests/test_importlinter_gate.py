"""import-linter teams get the whole gate: what a change adds beyond lint-imports' sight (a
dynamic import that breaks a contract, a module no contract covers, a copied helper) fails
``check --diff``; a whole-tree check keeps lint-imports' verdicts and exit code (checked
against the real ``lint-imports``) and reports those extras as warnings.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from tests.git_helpers import commit_all, git
from tests.helpers import run_cli, write_tree
from tests.importlinter_oracle import lint_imports_verdicts, run_lint_imports
from tests.test_gate_silencing import added_lines

HELPER = """
def summarize(rows, currency="EUR"):
    totals = {}
    for row in rows:
        key = row["customer"]
        amount = row["amount"]
        if amount < 0:
            continue
        totals[key] = totals.get(key, 0) + amount
    lines = [f"{name}: {value} {currency}" for name, value in sorted(totals.items())]
    return "\\n".join(lines)
"""

COPY = """
def order_report(entries, money="USD"):
    sums = {}
    for entry in entries:
        who = entry["customer"]
        value = entry["amount"]
        if value < 0:
            continue
        sums[who] = sums.get(who, 0) + value
    lines = [f"{name}: {value} {money}" for name, value in sorted(sums.items())]
    return "\\n".join(lines)
"""

FILES: dict[str, str | bytes] = {
    "shop/__init__.py": "",
    "shop/api/__init__.py": "",
    "shop/api/views.py": "from shop.domain import models\n",
    "shop/domain/__init__.py": "",
    "shop/domain/models.py": HELPER,
    "shop/domain/rules.py": "",
    "shop/infra/__init__.py": "",
    "shop/infra/db.py": "import sqlite3\n",
    "setup.cfg": "",
}

CONFIG = """
[importlinter]
root_package = shop

[importlinter:contract:layers]
name = Layers
type = layers
layers =
    shop.api
    shop.domain
    shop.infra

[importlinter:contract:protected]
name = Only infra touches the db
type = protected
protected_modules = shop.infra.db
allowed_importers = shop.infra
"""


def repository(tmp_path: Path, config: str = CONFIG) -> Path:
    root = tmp_path / "repo"
    write_tree(root, FILES)
    (root / ".importlinter").write_text(textwrap.dedent(config).lstrip(), encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "base")
    git(root, "checkout", "-q", "-b", "change")
    return root


def gate(root: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    proc = run_cli("check", "--diff", "main", "--no-cache", "-j", "1", "--format", "json", *extra, cwd=root)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout)


CHANGES: dict[str, dict[str, str | bytes]] = {
    "dynamic import": {"shop/domain/loader.py": 'import importlib\n\ndb = importlib.import_module("shop.infra.db")\n'},
    "uncovered module": {"shop/tools.py": "import os\n"},
    "copied helper": {"shop/infra/report.py": COPY},
}


def test_a_dynamic_import_an_uncovered_module_and_a_copied_helper_each_fail_the_gate(tmp_path: Path) -> None:
    expected = {
        "dynamic import": ("importlinter-dynamic", "shop/domain/loader.py", 3),
        "uncovered module": ("importlinter-uncovered", "shop/tools.py", 1),
        "copied helper": ("duplication", "shop/infra/report.py", 1),
    }
    for index, (name, change) in enumerate(CHANGES.items()):
        root = repository(tmp_path / str(index))
        write_tree(root, change)
        commit_all(root, name)
        code, report = gate(root)
        assert code == 1, (name, report["findings"])
        assert [(f["rule"], f["path"], f["line"], f["severity"]) for f in report["findings"]] == [(*expected[name], "error")], name
        assert all(rule.get("verdict") in (None, "kept") for rule in report["rules"])  # lint-imports' verdicts: kept
        added = added_lines(root)
        assert all((f["path"], f["line"]) in added for f in report["findings"]), name
    # What the dynamic import breaks, and how to fix it, as the contract says.
    root = tmp_path / "0" / "repo"
    (finding,) = gate(root)[1]["findings"]
    assert "shop.domain.loader imports shop.infra.db: only the allowed importers may import the protected shop.infra.db" in finding["message"]
    assert "through a dynamic import lint-imports does not see (contract 'Only infra touches the db')" in finding["message"]
    assert finding["fix"]["kind"] == "use-public-api" and "through one of its allowed importers (shop.infra)" in finding["fix"]["action"]
    copied = gate(tmp_path / "2" / "repo")[1]["findings"][0]
    assert copied["fix"]["location"] == "shop/domain/models.py:1"


def test_the_whole_tree_keeps_lint_imports_verdicts_and_exit_code_and_warns_about_the_extras(tmp_path: Path) -> None:
    root = repository(tmp_path)
    for change in CHANGES.values():
        write_tree(root, change)
    write_tree(root, {"shop/domain/rules.py": "from shop.api import views\n"})  # breaks Layers, which lint-imports sees
    theirs = run_lint_imports(root, ".importlinter")
    ours = run_cli("check", "--no-cache", "-j", "1", cwd=root)
    expected = lint_imports_verdicts(theirs.stdout)
    assert expected == {"Layers": "BROKEN", "Only infra touches the db": "KEPT"}, theirs.stdout + theirs.stderr
    assert {name: lint_imports_verdicts(ours.stdout).get(name) for name in expected} == expected
    assert ours.returncode == theirs.returncode == 1
    report = json.loads(run_cli("check", "--no-cache", "-j", "1", "--format", "json", cwd=root).stdout)
    extras = sorted((f["rule"], f["severity"]) for f in report["findings"] if not f["rule"].startswith("importlinter-layers"))
    assert extras == [
        ("duplication", "warning"),  # one finding per clone group
        ("importlinter-dynamic", "warning"),
        ("importlinter-uncovered", "warning"),
    ]
    # Without the contract lint-imports sees broken, both tools pass: the extras never fail a whole-tree run.
    write_tree(root, {"shop/domain/rules.py": ""})
    assert run_lint_imports(root, ".importlinter").returncode == 0
    assert run_cli("check", "--no-cache", "-j", "1", cwd=root).returncode == 0


def test_an_uncovered_package_is_one_finding_and_a_module_added_to_it_is_not_new(tmp_path: Path) -> None:
    root = repository(tmp_path)
    write_tree(root, {"shop/tools/__init__.py": "", "shop/tools/cli.py": "import os\n", "shop/tools/fmt/__init__.py": "", "shop/tools/fmt/text.py": ""})
    report = json.loads(run_cli("check", "--no-cache", "-j", "1", "--format", "json", cwd=root).stdout)
    uncovered = [f for f in report["findings"] if f["rule"] == "importlinter-uncovered"]
    assert [(f["path"], f["message"]) for f in uncovered] == [
        ("shop/tools/__init__.py", "shop.tools and the 3 modules below it are in no import-linter contract: lint-imports checks nothing about them")
    ]
    # The package was uncovered at the base: one more module in it is nothing new for the gate;
    # a new uncovered package is.
    commit_all(root, "tools")
    git(root, "branch", "-f", "main")
    write_tree(root, {"shop/tools/more.py": "", "shop/extra.py": ""})
    commit_all(root, "more")
    code, gated = gate(root)
    assert code == 1
    assert [(f["rule"], f["path"]) for f in gated["findings"]] == [("importlinter-uncovered", "shop/extra.py")]


def test_the_extras_are_switched_in_an_archguard_section_next_to_the_configuration(tmp_path: Path) -> None:
    config = CONFIG + "\n[archguard]\ndynamic = off\nuncovered = warning\ncopies = error\n"
    root = repository(tmp_path, config)
    for change in CHANGES.values():
        write_tree(root, change)
    commit_all(root, "change")
    code, report = gate(root)
    assert code == 1
    assert sorted((f["rule"], f["severity"]) for f in report["findings"]) == [("duplication", "error"), ("importlinter-uncovered", "warning")]
    (root / ".importlinter").write_text(textwrap.dedent(CONFIG).lstrip() + "\n[archguard]\ndynamics = off\n")
    proc = run_cli("check", "--no-cache", cwd=root)
    assert proc.returncode == 2
    assert ".importlinter" in proc.stderr and "archguard.dynamics" in proc.stderr and "unknown key" in proc.stderr


def test_a_tool_archguard_table_next_to_tool_importlinter_configures_it_and_is_no_contract(tmp_path: Path) -> None:
    root = repository(tmp_path)
    (root / ".importlinter").unlink()
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [tool.importlinter]
            root_package = "shop"

            [[tool.importlinter.contracts]]
            name = "Only infra touches the db"
            type = "protected"
            protected_modules = ["shop.infra.db"]
            allowed_importers = ["shop.infra"]

            [tool.archguard]
            uncovered = "off"
            copies = "off"
            suppressions = "allow"
            """
        )
    )
    commit_all(root, "pyproject")
    for change in CHANGES.values():
        write_tree(root, change)
    commit_all(root, "change")
    proc = run_cli("check", "--diff", "main", "--no-cache", "--format", "json", cwd=root)
    assert "using the import-linter configuration in pyproject.toml" in proc.stderr
    report = json.loads(proc.stdout)
    assert proc.returncode == 1
    assert [f["rule"] for f in report["findings"]] == ["importlinter-dynamic"]


def test_an_import_linter_change_gets_the_same_kind_of_remedies_and_agent_items(tmp_path: Path) -> None:
    root = repository(tmp_path)
    views = "from shop.domain import models\nfrom shop.infra import db\n"
    write_tree(root, {"shop/domain/rules.py": "from shop.api import views\n", "shop/api/views.py": views})
    commit_all(root, "change")
    code, report = gate(root)
    assert code == 1
    by_rule = {f["rule"]: f for f in report["findings"]}
    layers, protected = by_rule["importlinter-layers"], by_rule["importlinter-protected"]
    assert layers["fix"]["kind"] == "invert-dependency"
    assert layers["fix"]["action"] == (
        "move what shop.domain needs from shop.api down into shop.domain or a layer below it, "
        "or invert the dependency with an interface declared in shop.domain"
    )
    assert protected["fix"]["kind"] == "use-public-api"
    agent = run_cli("check", "--diff", "main", "--no-cache", "--format", "agent", cwd=root).stdout
    assert "Review" not in agent and "Found:" not in agent
    assert "Move what shop.domain needs from shop.api down" in agent


def test_a_layers_chain_through_several_importers_names_each_importers_line(tmp_path: Path) -> None:
    root = repository(tmp_path)
    write_tree(
        root,
        {
            "shop/domain/rules.py": "from shop import helpers\n",
            "shop/domain/more.py": "# more rules\n\nfrom shop import helpers\n",
            "shop/helpers.py": "from shop.api import views\n",
        },
    )
    proc = run_cli("check", "--no-cache", "--format", "json", cwd=root)
    (finding,) = [f for f in json.loads(proc.stdout)["findings"] if f["rule"] == "importlinter-layers"]
    assert "(also imported from shop.domain.rules (shop/domain/rules.py:1))" in finding["message"]
    assert finding["path"] == "shop/domain/more.py" and finding["line"] == 3
