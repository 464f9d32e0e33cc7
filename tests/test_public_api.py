"""Name-level public interfaces and re-exports through ``__init__.py``."""

from __future__ import annotations

from pathlib import Path

import pytest

from archguard.analysis.read import extract_facts
from archguard.analysis.read.facts import Binding
from tests.helpers import make_project, run_check, summary

BILLING: dict[str, str | bytes] = {
    "shop/__init__.py": "",
    "shop/api/__init__.py": "",
    "shop/api/views.py": "from shop.billing.api import Invoice, total\n",
    "shop/billing/__init__.py": "from .models import Invoice\n",
    "shop/billing/models.py": "class Invoice: ...\nclass Ledger: ...\n",
    "shop/billing/api.py": """
        from shop.billing.models import Invoice

        __all__ = ["Invoice", "total"]

        def total(): ...

        def _ledger_total(): ...

        def helper(): ...
        """,
}


def contract(public: str, rules: str = "") -> str:
    return f"""
        [project]
        packages = ["shop"]

        [components]
        root    = {{ modules = ["shop:*"] }}
        api     = {{ modules = ["shop.api"] }}
        billing = {{ modules = ["shop.billing"], public = {public} }}

        [[rules]]
        kind = "boundaries"
        components = ["billing"]
        {rules}
        """


def check(tmp_path: Path, views: str, public: str = '["shop.billing.api:*"]', **files: str):
    return run_check(make_project(tmp_path, {**BILLING, "shop/api/views.py": views, **files}, contract(public)))


# --- facts: where each module-level name comes from ----------------------------------------


def test_bindings_record_where_each_module_level_name_comes_from() -> None:
    facts = extract_facts(
        b"from .models import Invoice as Inv, Ledger\n"
        b"import shop.util\nimport shop.db as database\nfrom .. import *\n"
        b"def f():\n    from .hidden import Secret\n"
        b"if TYPE_CHECKING:\n    from .typing_only import Hint\n"
    )
    assert facts.bindings() == (
        Binding("Inv", "models", 1, "Invoice"),
        Binding("Ledger", "models", 1, "Ledger"),
        Binding("shop", "shop", 0, ""),
        Binding("database", "shop.db", 0, ""),
        Binding("*", "", 2, "*"),
    )


@pytest.mark.parametrize(
    ("source", "exported"),
    [
        ('__all__ = ["Invoice", "total"]\nclass Invoice: ...\ndef total(): ...\ndef helper(): ...\n', {"Invoice", "total"}),
        ("class Invoice: ...\ndef _private(): ...\nimport os\n", {"Invoice", "os"}),
        ('__all__ = ["a"]\n__all__ += ["b"]\n__all__ += ("c",)\na = b = c = d = 1\n', {"a", "b", "c"}),
    ],
    ids=["__all__ present", "__all__ absent", "__all__ built with +="],
)
def test_exported_names_come_from_dunder_all_else_public_names(source: str, exported: set[str]) -> None:
    assert extract_facts(source.encode()).exported_names() == exported


# --- name-level public interface -----------------------------------------------------------


def test_names_the_public_module_exports_are_kept(tmp_path: Path) -> None:
    views = "from shop.billing.api import Invoice, total\nfrom shop.billing.api import *\nimport shop.billing.api\n"
    assert check(tmp_path, views).findings == []


def test_a_name_the_public_module_does_not_export_is_a_violation(tmp_path: Path) -> None:
    result = check(tmp_path, "from shop.billing.api import total, _ledger_total, helper\n")
    assert summary(result.findings) == [("boundaries", "unexported-name", "shop.api.views", "shop.billing.api", 1)]
    finding = result.findings[0]
    assert "imports _ledger_total, helper from shop.billing.api, which billing's public interface does not export" in finding.message
    assert finding.structured_remedy.kind == "export-from-public-api"


def test_without_dunder_all_the_public_names_are_exported(tmp_path: Path) -> None:
    api = "from shop.billing.models import Invoice\ndef total(): ...\ndef _ledger_total(): ...\n"
    files = {"shop/billing/api.py": api}
    assert check(tmp_path / "a", "from shop.billing.api import Invoice, total\n", **files).findings == []
    result = check(tmp_path / "b", "from shop.billing.api import _ledger_total\n", **files)
    assert summary(result.findings) == [("boundaries", "unexported-name", "shop.api.views", "shop.billing.api", 1)]


def test_dunder_all_built_with_plus_equals_counts_every_part(tmp_path: Path) -> None:
    api = '__all__ = ["total"]\n__all__ += ["helper"]\ndef total(): ...\ndef helper(): ...\ndef other(): ...\n'
    files = {"shop/billing/api.py": api}
    assert check(tmp_path / "a", "from shop.billing.api import total, helper\n", **files).findings == []
    result = check(tmp_path / "b", "from shop.billing.api import other\n", **files)
    assert [f.kind for f in result.findings] == ["unexported-name"]


def test_explicit_public_names(tmp_path: Path) -> None:
    public = '["shop.billing.api:Invoice"]'
    assert check(tmp_path / "a", "from shop.billing.api import Invoice\n", public).findings == []
    result = check(tmp_path / "b", "from shop.billing.api import total\n", public)
    assert [(f.kind, f.imported) for f in result.findings] == [("unexported-name", "shop.billing.api")]


def test_a_reexported_name_taken_from_its_internal_module_points_at_the_public_api(tmp_path: Path) -> None:
    result = check(tmp_path, "from shop.billing.models import Invoice\n")
    assert summary(result.findings) == [("boundaries", "internal-import", "shop.api.views", "shop.billing.models", 1)]
    finding = result.findings[0]
    assert finding.remedy == "import Invoice from shop.billing.api"
    remedy = finding.structured_remedy
    assert remedy.kind == "use-public-api"
    assert remedy.reason == "billing's internals are private"
    assert remedy.edit is not None
    assert (remedy.edit.old, remedy.edit.new) == ("from shop.billing.models import Invoice", "from shop.billing.api import Invoice")
    assert (remedy.edit.line, remedy.edit.column, remedy.edit.end_line, remedy.edit.end_column) == (1, 1, 1, 40)


def test_the_replacement_keeps_aliases_indentation_and_spans_a_multiline_statement(tmp_path: Path) -> None:
    views = "def view():\n    from shop.billing.models import (\n        Invoice as Bill,\n    )\n    return Bill\n"
    edit = check(tmp_path, views).findings[0].structured_remedy.edit
    assert edit is not None
    assert edit.new == "from shop.billing.api import Invoice as Bill"
    assert (edit.line, edit.column, edit.end_line, edit.end_column) == (2, 5, 4, 6)


def test_no_replacement_when_the_public_api_lacks_a_name_of_the_statement(tmp_path: Path) -> None:
    finding = check(tmp_path, "from shop.billing.models import Invoice, Ledger\n").findings[0]
    assert finding.structured_remedy.edit is None
    assert finding.remedy == "shop.billing.api does not export Ledger: export it there, then import it from shop.billing.api"


# --- re-exports through __init__.py --------------------------------------------------------


def test_import_through_a_public_package_init_that_reexports_is_kept(tmp_path: Path) -> None:
    result = check(tmp_path, "from shop.billing import Invoice\n", '["shop.billing:*"]')
    assert result.findings == []
    sites = [(s.imported, s.via, s.requested) for s in result.analysis.sites if s.importer == "shop.api.views"]
    # The package's __init__ runs (a dependency on shop.billing), and Invoice comes from the models.
    assert sites == [("shop.billing", (), "shop.billing"), ("shop.billing.models", ("shop.billing",), "shop.billing")]


def test_import_from_a_private_package_init_is_reported_once_with_the_public_api(tmp_path: Path) -> None:
    # shop.billing (the package) is not public: one finding about what the statement names.
    result = check(tmp_path, "from shop.billing import Invoice\n")
    assert summary(result.findings) == [("boundaries", "internal-import", "shop.api.views", "shop.billing", 1)]
    finding = result.findings[0]
    assert finding.remedy == "import Invoice from shop.billing.api"
    assert finding.structured_remedy.edit is not None
    assert finding.structured_remedy.edit.new == "from shop.billing.api import Invoice"


def test_import_through_an_outside_init_that_reexports_internals_names_the_init(tmp_path: Path) -> None:
    # The root package re-exports billing's internal model: importing it from the root is
    # allowed as far as the root goes, but reaches billing's internals through shop's __init__.
    result = check(tmp_path, "from shop import Invoice\n", **{"shop/__init__.py": "from shop.billing.models import Invoice\n"})
    found = [f for f in result.findings if f.importer == "shop.api.views"]
    assert summary(found) == [("boundaries", "internal-import", "shop.api.views", "shop.billing.models", 1)]
    finding = found[0]
    assert finding.message.endswith("(through shop's __init__)")
    assert finding.via == ("shop",)
    assert finding.to_json()["via"] == ["shop"]
    assert finding.remedy == "import Invoice from shop.billing.api"
    assert finding.structured_remedy.edit is not None
    assert finding.structured_remedy.edit.new == "from shop.billing.api import Invoice"


DEEP = {
    "pkg/__init__.py": "from .a import Thing\n",  # depth 3: pkg -> pkg.a -> pkg.a.b -> pkg.a.b.impl
    "pkg/a/__init__.py": "from .b import *\n",
    "pkg/a/b/__init__.py": "from .impl import Thing as Thing\n__all__ = ['Thing']\n",
    "pkg/a/b/impl.py": "class Thing: ...\n",
    "pkg/user.py": "",
}


@pytest.mark.parametrize(
    ("statement", "via"),
    [
        ("from pkg.a.b import Thing", ("pkg.a.b",)),
        ("from pkg.a import Thing", ("pkg.a", "pkg.a.b")),
        ("from pkg import Thing", ("pkg", "pkg.a", "pkg.a.b")),
    ],
    ids=["depth 1", "depth 2 (star import)", "depth 3"],
)
def test_reexport_chains_through_init_files_resolve_to_the_defining_module(tmp_path: Path, statement: str, via: tuple[str, ...]) -> None:
    files = {**DEEP, "pkg/user.py": statement + "\n"}
    result = run_check(make_project(tmp_path, files, '[project]\npackages = ["pkg"]\n[components]\nall = { modules = ["pkg"] }\n'))
    plain, reexport = [s for s in result.analysis.sites if s.importer == "pkg.user"]
    assert (plain.imported, plain.via) == (via[0], ())
    assert (reexport.imported, reexport.via, reexport.symbols, reexport.text) == ("pkg.a.b.impl", via, ("Thing",), statement)
    assert result.analysis.stats.imports == 4  # the second site of a re-export is not another import


def test_follow_reexports_false_keeps_import_linters_semantics(tmp_path: Path) -> None:
    files = {**DEEP, "pkg/user.py": "from pkg import Thing\n"}
    result = run_check(make_project(tmp_path, files, '[project]\npackages = ["pkg"]\nfollow_reexports = false\n[components]\nall = { modules = ["pkg"] }\n'))
    assert [(s.imported, s.via) for s in result.analysis.sites if s.importer == "pkg.user"] == [("pkg", ())]


def test_a_name_the_init_defines_itself_stays_on_the_package(tmp_path: Path) -> None:
    files = {**DEEP, "pkg/__init__.py": "from .a import Thing\nVERSION = 1\n", "pkg/user.py": "from pkg import Thing, VERSION\n"}
    result = run_check(make_project(tmp_path, files, '[project]\npackages = ["pkg"]\n[components]\nall = { modules = ["pkg"] }\n'))
    sites = sorted((s.imported, s.via, s.names) for s in result.analysis.sites if s.importer == "pkg.user")
    assert sites == [("pkg", (), ("Thing", "VERSION")), ("pkg.a.b.impl", ("pkg", "pkg.a", "pkg.a.b"), ("Thing",))]


LAYERED = {
    "app/__init__.py": "",
    "app/web/__init__.py": "",
    "app/web/views.py": "def render(): ...\n",
    "app/util/__init__.py": "from app.web.views import render\n",
    "app/core/__init__.py": "",
    "app/core/rules.py": "from app.util import render\n",
}
LAYERED_CONTRACT = """
[project]
packages = ["app"]

[components]
web  = { modules = ["app.web"] }
core = { modules = ["app.core"] }
util = { modules = ["app.util", "app:*"] }

[[rules]]
kind = "layers"
layers = ["web", "core"]
allow_indirect = true
"""


def test_the_package_stays_a_dependency_so_independence_still_sees_it(tmp_path: Path) -> None:
    # billing takes slug from orders' __init__, which only re-exports it from a shared module:
    # orders' __init__ still runs, so billing depends on orders.
    files = {
        "m/__init__.py": "",
        "m/orders/__init__.py": "from m.shared import slug\n",
        "m/billing/__init__.py": "from m.orders import slug\n",
        "m/shared.py": "def slug(): ...\n",
    }
    rules = """
        [project]
        packages = ["m"]
        [components]
        root = { modules = ["m:*", "m.shared"] }
        orders = { modules = ["m.orders"] }
        billing = { modules = ["m.billing"] }
        [[rules]]
        kind = "independent"
        components = ["orders", "billing"]
        """
    result = run_check(make_project(tmp_path, files, rules))
    assert summary(result.findings) == [("independent", "direct", "m.billing", "m.orders", 1)]


def test_a_rule_refusing_both_the_package_and_the_defining_module_reports_once(tmp_path: Path) -> None:
    files = {**LAYERED, "app/web/__init__.py": "from app.web.views import render\n", "app/core/rules.py": "from app.web import render\n"}
    result = run_check(make_project(tmp_path, files, LAYERED_CONTRACT))
    assert summary(result.findings) == [("layers", "direct", "app.core.rules", "app.web", 1)]
    assert result.findings[0].message == "app.core.rules imports app.web: core must not depend on web, a higher layer"
    # A chain through the package and one through the re-export to the same module: one finding.
    indirect = LAYERED_CONTRACT.replace("allow_indirect = true\n", "")
    files["app/util/__init__.py"] = "from app.util.mid import render\n"
    files["app/util/mid.py"] = "from app.web.views import render\n"
    files["app/core/rules.py"] = "from app.util import render\n"
    result = run_check(make_project(tmp_path / "chains", files, indirect))
    assert [(f.kind, f.imported) for f in result.findings] == [("indirect", "app.web.views")]
    assert [hop.imported for hop in result.findings[0].chain] == ["app.util", "app.util.mid", "app.web.views"]


def test_a_reexport_is_a_direct_dependency_for_layers(tmp_path: Path) -> None:
    result = run_check(make_project(tmp_path, LAYERED, LAYERED_CONTRACT))
    assert summary(result.findings) == [("layers", "direct", "app.core.rules", "app.web.views", 1)]
    assert result.findings[0].message.endswith("(through app.util's __init__)")
    # import-linter's semantics: the dependency is on app.util, and only a chain reaches app.web.
    plain = LAYERED_CONTRACT.replace('packages = ["app"]', 'packages = ["app"]\nfollow_reexports = false')
    assert [f for f in run_check(make_project(tmp_path / "plain", LAYERED, plain)).findings if f.rule == "layers"] == []


def test_an_ignore_entry_naming_the_init_silences_the_reexported_import(tmp_path: Path) -> None:
    ignore = '\n[[ignore]]\nimport = "app.core.rules -> app.util"\nreason = "util re-exports on purpose"\n'
    result = run_check(make_project(tmp_path, LAYERED, LAYERED_CONTRACT + ignore))
    assert result.findings == []
