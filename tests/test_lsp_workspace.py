"""The language server's in-memory analysis: after any sequence of edits, the incremental
result is the result a fresh `archguard check` gives on the same text."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from archguard.lsp.workspace import Workspace
from tests.helpers import make_project, run_check, write_tree

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
    "src/shop/core/__init__.py": "",
    "src/shop/core/money.py": "class Money: ...\n",
    "src/shop/billing/__init__.py": "from shop.billing.api import Invoice\n",
    "src/shop/billing/api.py": "from shop.billing.internal.invoices import Invoice\n",
    "src/shop/billing/internal/__init__.py": "",
    "src/shop/billing/internal/invoices.py": "from shop.core.money import Money\n\nclass Invoice: ...\n",
    "src/shop/web/__init__.py": "",
    "src/shop/web/views.py": "from shop.billing import Invoice\n",
    "src/shop/web/forms.py": "x = 1\n",
}

# (file, new text, whether only that file's imports need resolving again)
EDITS: list[tuple[str, str, bool]] = [
    ("src/shop/web/forms.py", "from shop.billing.internal.invoices import Invoice\n", True),  # an internal import: boundaries
    ("src/shop/core/money.py", "from shop.web import views\n\nclass Money: ...\n", False),  # upward, in a module others take names from
    ("src/shop/billing/__init__.py", "from shop.billing.internal.invoices import Invoice\n", False),  # the re-export now goes around the api
    ("src/shop/billing/api.py", "class Invoice: ...\n", True),  # nobody takes names from the api any more: local
    ("src/shop/web/forms.py", "from shop.billing import (\n", True),  # a syntax error mid-typing
    ("src/shop/web/forms.py", "from shop.billing import Invoice\n", True),
    ("src/shop/core/money.py", "class Money: ...\n", False),
    ("src/shop/core/money.py", "class Money:\n    cents = 0\n", True),  # a body edit: what it binds is the same
    ("src/shop/core/money.py", "class Money: ...\n\ndef parse(): ...\n", False),  # a new module-level name
    ("src/shop/billing/__init__.py", "from shop.billing.api import Invoice\n", False),
]


def fingerprints(findings: list) -> Counter[tuple[str, str | None, int]]:  # type: ignore[type-arg]
    return Counter((f.fingerprint, f.path, f.line) for f in findings)


def test_incremental_results_equal_a_fresh_check_after_every_edit(tmp_path: Path) -> None:
    root = make_project(tmp_path / "live", dict(FILES), CONTRACT)
    workspace = Workspace(root, use_cache=False)
    workspace.load()
    assert workspace.error is None
    assert fingerprints(workspace.findings()) == fingerprints(run_check(root).findings)
    mirror = tmp_path / "mirror"
    shutil.copytree(root, mirror)
    for relpath, text, local in EDITS:
        assert workspace.set_buffer(relpath, text.encode())
        update = workspace.refresh()
        assert update.full is not local, relpath
        write_tree(mirror, {relpath: text})
        expected = run_check(mirror).findings
        assert fingerprints(workspace.findings()) == fingerprints(expected), relpath
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
