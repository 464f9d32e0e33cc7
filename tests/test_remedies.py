"""One-line remedies: exact where archguard knows the way out."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import make_project, run_check

CONTRACT = """
[project]
roots = ["src"]
[components]
web     = { modules = ["shop.web"] }
billing = { modules = ["shop.billing"], public = ["shop.billing.api"] }
shop    = { modules = ["shop:*"] }
[[rules]]
kind = "boundaries"
components = ["billing"]
[[rules]]
kind = "acyclic"
"""


def remedies(root: Path, rule: str) -> list[str | None]:
    return [f.remedy for f in run_check(root).findings if f.rule == rule]


def test_boundary_remedy_names_the_public_module_only_when_it_binds_the_name(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "src/shop/__init__.py": "",
            "src/shop/billing/__init__.py": "",
            "src/shop/billing/ledger.py": "class Ledger: ...\nclass Entry: ...\n",
            "src/shop/billing/api.py": "from shop.billing.ledger import Ledger\n",
            "src/shop/web/__init__.py": "",
            "src/shop/web/views.py": (
                "from shop.billing.ledger import Ledger\nfrom shop.billing.ledger import Entry\nimport shop.billing.ledger\n"
            ),
        },
        CONTRACT,
    )
    assert remedies(root, "boundaries") == [
        "import Ledger from shop.billing.api",
        "shop.billing.api does not export Entry: export it there, then import it from shop.billing.api",
        "use billing's public interface shop.billing.api instead",
    ]


def test_cycle_remedy_names_the_thinnest_dependency_with_its_import(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "src/shop/__init__.py": "",
            "src/shop/billing/__init__.py": "",
            "src/shop/billing/api.py": "def total(): ...\n",
            "src/shop/billing/ledger.py": "def helper():\n    from shop.web.views import render\n",
            "src/shop/web/__init__.py": "from shop.billing.api import total\n",
            "src/shop/web/views.py": "from shop.billing.api import total\ndef render(): ...\n",
        },
        CONTRACT,
    )
    thinnest = "billing -> web (1 import, src/shop/billing/ledger.py:2)"
    assert remedies(root, "acyclic") == [f"break the cycle where it is thinnest, {thinnest}: move the shared code down, or invert the import"]


def test_unmapped_remedy_proposes_one_component_for_the_whole_new_package(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {
            "src/shop/__init__.py": "",
            "src/shop/web/__init__.py": "",
            "src/shop/billing/__init__.py": "",
            "src/shop/billing/api.py": "",
            "src/shop/reports/__init__.py": "",
            "src/shop/reports/csv/__init__.py": "",
            "src/shop/reports/csv/export.py": "import json\n",
        },
        CONTRACT,
    )
    expected = 'add it to a component, e.g. reports = { modules = ["shop.reports"] } in [components], or exclude it in [project] exclude'
    assert remedies(root, "unmapped") == [expected] * 3


def test_parse_error_remedy_names_the_exclude_entry(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {"src/shop/__init__.py": "", "src/shop/web/__init__.py": "def broken(:\n", "src/shop/billing/__init__.py": ""},
        CONTRACT,
    )
    assert remedies(root, "parse-error") == ['fix the file, or leave it out with "src/shop/web/__init__.py" in [project] exclude']
