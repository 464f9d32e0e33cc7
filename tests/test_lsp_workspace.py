"""The language server's in-memory analysis: after any sequence of edits, the incremental
result is the result a fresh `archguard check` gives on the same text."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from archguard.engine.dialects import load_config
from archguard.engine.pipeline import RunOptions, check
from archguard.lsp.workspace import Workspace
from tests.helpers import make_project, write_tree

CONTRACT = """
[project]
roots = ["src"]

[components]
web     = { modules = ["shop.web"] }
billing = { modules = ["shop.billing"], public = ["shop.billing", "shop.billing.api"] }
core    = { modules = ["shop.core"] }
shop    = { modules = ["shop:*"] }

[[rules]]
kind = "boundaries"
components = ["billing"]

[[rules]]
kind = "layers"
layers = ["web", "billing", "core"]
"""

FILES: dict[str, str | bytes] = {
    "src/shop/__init__.py": "",
    "src/shop/core/__init__.py": "from shop.core.money import *\n",
    "src/shop/core/money.py": "class Money: ...\n",
    "src/shop/billing/__init__.py": "from shop.billing.api import Invoice\n",
    "src/shop/billing/api.py": "from shop.billing.internal.invoices import Invoice\n",
    "src/shop/billing/internal/__init__.py": "",
    "src/shop/billing/internal/invoices.py": "from shop.core.money import Money\n\nclass Invoice: ...\n",
    "src/shop/web/__init__.py": "",
    "src/shop/web/views.py": "from shop.billing import Invoice\n",
    "src/shop/web/forms.py": "x = 1\n",
    "src/shop/billing/pricing.py": "from shop.core import Money\n",  # through the star import of core's __init__
}

# (file, new text, which imports are resolved again: "one" (the file's), "takers" (also those of
# the files that take names from a package that re-exports from it), "all")
EDITS: list[tuple[str, str, str]] = [
    ("src/shop/web/forms.py", "from shop.billing.internal.invoices import Invoice\n", "one"),  # an internal import: boundaries
    ("src/shop/core/money.py", "from shop.web import views\n\nclass Money: ...\n", "takers"),  # upward, in a module others take names from
    ("src/shop/billing/__init__.py", "from shop.billing.internal.invoices import Invoice\n", "all"),  # the re-export goes around the api
    ("src/shop/billing/api.py", "class Invoice: ...\n", "one"),  # nobody takes names from the api any more
    ("src/shop/web/forms.py", "from shop.billing import (\n", "one"),  # a syntax error mid-typing
    ("src/shop/web/forms.py", "from shop.billing import Invoice\n", "one"),
    ("src/shop/core/money.py", "class Money: ...\n", "takers"),
    ("src/shop/core/money.py", "class Money:\n    cents = 0\n", "one"),  # a body edit: what it binds is the same
    ("src/shop/core/money.py", "class Money: ...\n\ndef parse(): ...\n", "takers"),  # a new module-level name
    ("src/shop/core/money.py", "def parse(): ...\n", "takers"),  # Money is gone: pricing's import finds it nowhere
    ("src/shop/core/money.py", "from shop.web.views import Invoice as Money\n", "takers"),  # ...and now it comes from web
    ("src/shop/billing/__init__.py", "from shop.billing.api import Invoice\n", "all"),
    ("src/shop/billing/api.py", "from shop.billing.internal.invoices import Invoice as Invoice\n", "takers"),  # views and forms reach it through __init__
]


def fingerprints(findings: list) -> Counter[tuple[str, str | None, int]]:  # type: ignore[type-arg]
    return Counter((f.fingerprint, f.path, f.line) for f in findings)


IMPORTLINTER = """
[importlinter]
root_package = shop

[importlinter:contract:layers]
name = layering
type = layers
layers =
    shop.web
    shop.billing
    shop.core

[importlinter:contract:forbidden]
name = web keeps out of billing internals
type = forbidden
source_modules =
    shop.web
forbidden_modules =
    shop.billing.internal
"""


def fresh_check(root: Path) -> list:  # type: ignore[type-arg]
    """What `archguard check` finds in ``root`` (either dialect), from scratch."""
    return check(load_config(None, start=root), RunOptions(jobs=1, use_cache=False)).findings


@pytest.mark.parametrize("dialect", ["archguard", "importlinter"])
def test_incremental_results_equal_a_fresh_check_after_every_edit(tmp_path: Path, dialect: str) -> None:
    root = make_project(tmp_path / "live", dict(FILES), CONTRACT)
    if dialect == "importlinter":
        (root / "archguard.toml").unlink()
        (root / ".importlinter").write_text(IMPORTLINTER, encoding="utf-8")
    workspace = Workspace(root, use_cache=False)
    workspace.load()
    assert workspace.error is None
    assert fingerprints(workspace.findings()) == fingerprints(fresh_check(root))
    mirror = tmp_path / "mirror"
    shutil.copytree(root, mirror)
    seen: set[str] = set()
    for relpath, text, scope in EDITS:
        assert workspace.set_buffer(relpath, text.encode())
        update = workspace.refresh()
        assert update.full is (scope == "all"), relpath
        if dialect == "archguard":  # (import-linter's resolution follows no re-export: the scope differs)
            assert (update.resolved == 1) is (scope == "one"), (relpath, update)
        write_tree(mirror, {relpath: text})
        expected = fresh_check(mirror)
        assert fingerprints(workspace.findings()) == fingerprints(expected), relpath
        seen.update(f.rule for f in expected)
    assert {"parse-error", "layers" if dialect == "archguard" else "importlinter-layers"} <= seen  # the edits did break rules
    assert (root / "src/shop/web/forms.py").read_text() == "x = 1\n"  # buffers never touch the disk


def test_closing_a_buffer_brings_back_the_file_on_disk(tmp_path: Path) -> None:
    root = make_project(tmp_path / "live", dict(FILES), CONTRACT)
    workspace = Workspace(root, use_cache=False)
    workspace.load()
    before = fingerprints(workspace.findings())
    workspace.set_buffer("src/shop/core/money.py", b"from shop.web import views\n")
    assert [f.rule for f in workspace.findings()] == ["layers"]
    workspace.set_buffer("src/shop/core/money.py", None)
    assert fingerprints(workspace.findings()) == before


def test_a_broken_contract_is_an_error_not_an_exception(tmp_path: Path) -> None:
    root = make_project(tmp_path / "live", dict(FILES), "[components\n")
    workspace = Workspace(root, use_cache=False)
    workspace.load()
    assert workspace.error is not None
    assert "archguard.toml" in str(workspace.error)
    assert workspace.findings() == []


@pytest.mark.parametrize("name", ["archguard.toml", "archguard-baseline.json", ".importlinter"])
def test_the_contract_the_baseline_and_configurations_at_the_root_reload(tmp_path: Path, name: str) -> None:
    root = make_project(tmp_path / "live", dict(FILES), CONTRACT)
    workspace = Workspace(root, use_cache=False)
    workspace.load()
    assert workspace.is_configuration(root / name)
    assert not workspace.is_configuration(root / "src/shop/web/views.py")
    assert not workspace.is_configuration(root / "src" / name)


COPY = (
    "def total(items):\n    result = 0\n    for item in items:\n"
    "        if item.price > 0:\n            result += item.price * item.count\n    return result\n"
)


def test_while_typing_the_copy_search_keeps_its_findings_until_the_next_save(tmp_path: Path) -> None:
    files = {**FILES, "src/shop/web/forms.py": COPY, "src/shop/core/money.py": "class Money: ...\n\n\n" + COPY.replace("total", "amount")}
    root = make_project(tmp_path / "live", files, CONTRACT + "\n[duplication]\nmin_lines = 3\nmin_tokens = 10\n")
    workspace = Workspace(root, use_cache=False)
    workspace.load()
    assert {f.path for f in workspace.findings() if f.rule == "duplication"} == {"src/shop/web/forms.py", "src/shop/core/money.py"}
    # Typing the copy away: the dependency rules follow at once, the copy search waits for the save.
    typed = "from shop.web import views\n\nclass Money: ...\n"
    workspace.set_buffer("src/shop/core/money.py", typed.encode(), typing=True)
    rules = {(f.rule, f.path) for f in workspace.findings()}
    assert ("layers", "src/shop/core/money.py") in rules
    assert ("duplication", "src/shop/core/money.py") in rules
    # Opening another file runs the copy search again, on the typed text.
    workspace.set_buffer("src/shop/web/views.py", (root / "src/shop/web/views.py").read_bytes())
    assert not [f for f in workspace.findings() if f.rule == "duplication"]
    workspace.set_buffer("src/shop/core/money.py", typed.encode())  # saved
    rules = {(f.rule, f.path) for f in workspace.findings()}
    assert ("layers", "src/shop/core/money.py") in rules
    assert not [rule for rule, _ in rules if rule == "duplication"]


def test_a_file_written_on_disk_is_read_again_unless_a_buffer_holds_it(tmp_path: Path) -> None:
    root = make_project(tmp_path / "live", dict(FILES), CONTRACT)
    workspace = Workspace(root, use_cache=False)
    workspace.load()
    assert workspace.findings() == []
    write_tree(root, {"src/shop/core/money.py": "from shop.web import views\n"})  # an agent, or git, wrote it
    workspace.file_changed("src/shop/core/money.py")
    assert [(f.rule, f.path) for f in workspace.findings()] == [("layers", "src/shop/core/money.py")]
    workspace.set_buffer("src/shop/core/money.py", b"class Money: ...\n")  # the editor's text wins
    write_tree(root, {"src/shop/core/money.py": "from shop.web import forms\n"})
    workspace.file_changed("src/shop/core/money.py")
    assert workspace.findings() == []
    # A new file: the tree is discovered again.
    write_tree(root, {"src/shop/core/rates.py": "from shop.web import forms\n"})
    workspace.file_changed("src/shop/core/rates.py")
    assert ("layers", "src/shop/core/rates.py") in {(f.rule, f.path) for f in workspace.findings()}
