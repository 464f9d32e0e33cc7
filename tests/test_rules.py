"""Each rule kind: a kept case and a broken case, asserting the exact findings."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import make_project, run_check, summary

SHOP = {
    "shop/__init__.py": "",
    "shop/api/__init__.py": "",
    "shop/api/views.py": """
        from shop.orders.service import place
        from shop.billing.api import total
        """,
    "shop/orders/__init__.py": "",
    "shop/orders/service.py": """
        from shop.domain.models import Order
        from shop.billing import api
        """,
    "shop/billing/__init__.py": "",
    "shop/billing/api.py": "from shop.billing.ledger import Ledger\n",
    "shop/billing/ledger.py": "from shop.infra.db import execute\n",
    "shop/domain/__init__.py": "",
    "shop/domain/models.py": "import dataclasses\n",
    "shop/infra/__init__.py": "",
    "shop/infra/db.py": "import sqlite3\nfrom shop.domain.models import Order\n",
}

COMPONENTS = """
[project]
packages = ["shop"]

[components]
root    = { modules = ["shop:*"] }
api     = { modules = ["shop.api"] }
orders  = { modules = ["shop.orders"], public = ["shop.orders.service"] }
billing = { modules = ["shop.billing"], public = ["shop.billing.api"] }
domain  = { modules = ["shop.domain"] }
infra   = { modules = ["shop.infra"] }
"""


def project(tmp_path: Path, rules: str, **changes: str) -> Path:
    files: dict[str, str | bytes] = {**SHOP, **changes}
    return make_project(tmp_path, files, COMPONENTS + rules)


def findings(tmp_path: Path, rules: str, **changes: str) -> list[tuple[str, str, str | None, str | None, int]]:
    return summary(run_check(project(tmp_path, rules, **changes)).findings)


LAYERS = """
[[rules]]
kind = "layers"
layers = ["api", "orders", "billing", "domain"]
"""


def test_layers_kept(tmp_path: Path) -> None:
    assert findings(tmp_path, LAYERS) == []


def test_layers_broken_by_a_lazy_upward_import_reports_its_line(tmp_path: Path) -> None:
    result = run_check(
        project(
            tmp_path,
            LAYERS,
            **{"shop/domain/models.py": "import dataclasses\n\ndef show():\n    from shop.api.views import render\n"},
        )
    )
    assert summary(result.findings) == [("layers", "direct", "shop.domain.models", "shop.api.views", 4)]
    finding = result.findings[0]
    assert finding.path == "shop/domain/models.py"
    assert finding.column == 5
    assert finding.import_text == "from shop.api.views import render"
    assert "domain must not depend on api, a higher layer" in finding.message


def test_layers_indirect_chain_through_an_unlayered_module(tmp_path: Path) -> None:
    # domain -> infra (not layered) -> api: an indirect upward dependency (billing's ledger too).
    change = {"shop/infra/db.py": "from shop.api import views\n", "shop/domain/models.py": "from shop.infra import db\n"}
    result = run_check(project(tmp_path, LAYERS, **change))
    assert summary(result.findings) == [
        ("layers", "indirect", "shop.billing.ledger", "shop.api.views", 1),
        ("layers", "indirect", "shop.domain.models", "shop.api.views", 1),
    ]
    chain = result.findings[1].chain
    assert [(h.importer, h.imported, h.path, h.line) for h in chain] == [
        ("shop.domain.models", "shop.infra.db", "shop/domain/models.py", 1),
        ("shop.infra.db", "shop.api.views", "shop/infra/db.py", 1),
    ]


def test_layers_allow_indirect_reports_only_direct_imports(tmp_path: Path) -> None:
    rules = LAYERS + "allow_indirect = true\n"
    assert findings(tmp_path, rules, **{"shop/infra/db.py": "from shop.api import views\n", "shop/domain/models.py": "from shop.infra import db\n"}) == []


def test_independent_siblings_in_one_layer(tmp_path: Path) -> None:
    rules = '[[rules]]\nkind = "layers"\nlayers = ["api", "orders | billing", "domain"]\n'
    assert findings(tmp_path, rules) == [("layers", "direct", "shop.orders.service", "shop.billing.api", 2)]
    rules_open = '[[rules]]\nkind = "layers"\nlayers = ["api", "orders : billing", "domain"]\n'
    assert findings(tmp_path, rules_open) == []


def test_layers_can_leave_out_type_checking_imports(tmp_path: Path) -> None:
    change = {"shop/domain/models.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from shop.api import views\n"}
    assert findings(tmp_path, LAYERS, **change) == [("layers", "direct", "shop.domain.models", "shop.api.views", 3)]
    assert findings(tmp_path, LAYERS + "exclude_type_checking = true\n", **change) == []


def test_dynamic_imports_count_unless_excluded(tmp_path: Path) -> None:
    change = {"shop/domain/models.py": "import importlib\nviews = importlib.import_module('shop.api.views')\n"}
    assert findings(tmp_path, LAYERS, **change) == [("layers", "direct", "shop.domain.models", "shop.api.views", 2)]
    assert findings(tmp_path, LAYERS + "exclude_dynamic = true\n", **change) == []


def test_imports_in_a_main_block_are_left_out_unless_the_rule_counts_them(tmp_path: Path) -> None:
    change = {"shop/domain/models.py": 'import dataclasses\n\nif __name__ == "__main__":\n    from shop.api import views\n'}
    assert findings(tmp_path / "default", LAYERS, **change) == []
    assert findings(tmp_path / "counted", LAYERS + "exclude_main = false\n", **change) == [
        ("layers", "direct", "shop.domain.models", "shop.api.views", 4)
    ]
    # Under import-linter's resolution (converted contracts) they count by default, as in lint-imports.
    parity = COMPONENTS.replace('packages = ["shop"]', 'packages = ["shop"]\nresolution = "import-linter"')
    root = make_project(tmp_path / "parity", {**SHOP, **change}, parity + LAYERS)
    assert summary(run_check(root).findings) == [("layers", "direct", "shop.domain.models", "shop.api.views", 4)]


BOUNDARIES = """
[[rules]]
kind = "boundaries"
components = ["orders", "billing"]
"""


def test_boundaries_kept(tmp_path: Path) -> None:
    assert findings(tmp_path, BOUNDARIES) == []


def test_boundaries_broken_by_a_reach_into_internals(tmp_path: Path) -> None:
    change = {"shop/api/views.py": "from shop.orders.service import place\nfrom shop.billing.ledger import Ledger\n"}
    result = run_check(project(tmp_path, BOUNDARIES, **change))
    assert summary(result.findings) == [("boundaries", "internal-import", "shop.api.views", "shop.billing.ledger", 2)]
    # shop.billing.api imports Ledger from the ledger, so outsiders can take it from there.
    assert result.findings[0].remedy == "import Ledger from shop.billing.api"
    edit = result.findings[0].structured_remedy.edit
    assert edit is not None and (edit.line, edit.column, edit.end_line, edit.end_column) == (2, 1, 2, 39)
    assert edit.new == "from shop.billing.api import Ledger"


def test_boundaries_remedy_without_a_public_reexport_says_to_export_it(tmp_path: Path) -> None:
    change = {"shop/api/views.py": "from shop.billing.ledger import Ledger\n", "shop/billing/api.py": "def total(): ...\n"}
    result = run_check(project(tmp_path, BOUNDARIES, **change))
    assert result.findings[0].remedy == "shop.billing.api does not export Ledger: export it there, then import it from shop.billing.api"
    assert result.findings[0].structured_remedy.edit is None


def test_boundaries_package_module_is_private_unless_listed(tmp_path: Path) -> None:
    change = {"shop/api/views.py": "import shop.billing\n"}
    assert findings(tmp_path, BOUNDARIES, **change) == [("boundaries", "internal-import", "shop.api.views", "shop.billing", 1)]
    contract = COMPONENTS.replace('public = ["shop.billing.api"]', 'public = ["shop.billing.api", "shop.billing:*"]') + BOUNDARIES
    make_project(tmp_path, {**SHOP, **change}, contract)
    assert summary(run_check(tmp_path).findings) == []


ALLOWED = """
[[rules]]
kind = "allowed"
include_external = false
[rules.allow]
api = ["orders", "billing"]
orders = ["domain", "billing"]
billing = ["infra"]
domain = []
infra = ["domain"]
"""


def test_allowed_kept(tmp_path: Path) -> None:
    assert findings(tmp_path, ALLOWED) == []


def test_allowed_broken_by_an_unlisted_dependency(tmp_path: Path) -> None:
    change = {"shop/orders/service.py": "from shop.domain.models import Order\nfrom shop.billing import api\nfrom shop.infra import db\n"}
    result = run_check(project(tmp_path, ALLOWED, **change))
    assert summary(result.findings) == [("allowed", "not-allowed", "shop.orders.service", "shop.infra.db", 3)]
    assert "orders may depend on domain, billing, not on infra" in result.findings[0].message


def test_allowed_with_external_packages(tmp_path: Path) -> None:
    rules = ALLOWED.replace("include_external = false", "include_external = true")
    change = {"shop/billing/ledger.py": "import requests\nimport json\nfrom shop.infra.db import execute\n"}
    # json is standard library: always allowed; requests is not listed.
    assert findings(tmp_path, rules, **change) == [("allowed", "not-allowed", "shop.billing.ledger", "external:requests", 1)]
    # infra imports sqlite3 (stdlib) without listing it: fine.


FORBIDDEN = """
[[rules]]
kind = "forbidden"
name = "pure domain"
from = ["domain"]
to = ["infra", "external:sqlalchemy"]
"""


def test_forbidden_kept(tmp_path: Path) -> None:
    assert findings(tmp_path, FORBIDDEN) == []


def test_forbidden_direct_external_and_indirect(tmp_path: Path) -> None:
    change = {
        "shop/domain/models.py": "import sqlalchemy\nfrom shop.domain import helpers\n",
        "shop/domain/helpers.py": "from shop.billing import ledger\n",
    }
    result = run_check(project(tmp_path, FORBIDDEN, **change))
    assert summary(result.findings) == [
        ("forbidden", "indirect", "shop.domain.helpers", "shop.infra.db", 1),
        ("forbidden", "direct", "shop.domain.models", "external:sqlalchemy", 1),
    ]
    indirect = result.findings[0]
    assert [h.imported for h in indirect.chain] == ["shop.billing.ledger", "shop.infra.db"]
    assert indirect.rule_name == "pure domain"


def test_forbidden_with_module_patterns(tmp_path: Path) -> None:
    rules = '[[rules]]\nkind = "forbidden"\nfrom = ["shop.api.*"]\nto = ["shop.billing.ledger"]\n'
    change = {"shop/api/views.py": "from shop.billing import ledger\n"}
    assert findings(tmp_path, rules, **change) == [("forbidden", "direct", "shop.api.views", "shop.billing.ledger", 1)]


INDEPENDENT = """
[[rules]]
kind = "independent"
components = ["orders", "infra"]
"""


def test_independent_kept_and_broken_in_both_directions(tmp_path: Path) -> None:
    # orders reaches infra only through billing: kept when indirect imports are allowed.
    assert findings(tmp_path, INDEPENDENT + "allow_indirect = true\n") == []
    assert findings(tmp_path, INDEPENDENT) == [("independent", "indirect", "shop.orders.service", "shop.infra.db", 2)]
    change = {"shop/infra/db.py": "import sqlite3\nfrom shop.orders import service\n"}
    result = run_check(project(tmp_path, INDEPENDENT, **change))
    # infra -> orders directly, and orders -> billing -> infra indirectly.
    assert summary(result.findings) == [
        ("independent", "direct", "shop.infra.db", "shop.orders.service", 2),
        ("independent", "indirect", "shop.orders.service", "shop.infra.db", 2),
    ]


ACYCLIC = """
[[rules]]
kind = "acyclic"
scope = "components"
"""


def test_acyclic_kept_and_broken(tmp_path: Path) -> None:
    assert findings(tmp_path, ACYCLIC) == []
    change = {"shop/domain/models.py": "from shop.infra import db\n"}
    result = run_check(project(tmp_path, ACYCLIC, **change))
    assert summary(result.findings) == [("acyclic", "cycle", "shop.domain.models", "shop.infra.db", 1)]
    assert result.findings[0].message == "import cycle between components: domain -> infra -> domain"
    assert [(h.importer, h.imported) for h in result.findings[0].chain] == [
        ("shop.domain.models", "shop.infra.db"),
        ("shop.infra.db", "shop.domain.models"),
    ]


def test_acyclic_among_the_children_of_a_package(tmp_path: Path) -> None:
    rules = '[[rules]]\nkind = "acyclic"\nscope = "shop.billing"\n'
    assert findings(tmp_path, rules) == []
    change = {"shop/billing/ledger.py": "from shop.billing.api import total\n"}
    result = run_check(project(tmp_path, rules, **change))
    assert summary(result.findings) == [("acyclic", "cycle", "shop.billing.api", "shop.billing.ledger", 1)]
    assert "children of shop.billing: shop.billing.api -> shop.billing.ledger -> shop.billing.api" in result.findings[0].message


def test_unmapped_module_is_reported_at_the_configured_level(tmp_path: Path) -> None:
    change = {"shop/reports/__init__.py": "", "shop/reports/export.py": "import csv\n"}
    assert findings(tmp_path, "", **change) == [
        ("unmapped", "unmapped", "shop.reports", None, 1),
        ("unmapped", "unmapped", "shop.reports.export", None, 1),
    ]
    result = run_check(project(tmp_path, "[drift]\nunmapped = 'warning'\n", **change))
    assert [f.severity for f in result.findings] == ["warning", "warning"]
    assert result.exit_code == 0
    assert findings(tmp_path, "[drift]\nunmapped = 'off'\n", **change) == []


def test_ignore_entry_removes_the_import_for_every_rule_and_stale_entries_are_errors(tmp_path: Path) -> None:
    change = {"shop/domain/models.py": "from shop.infra import db\n"}
    ignore = '\n[[ignore]]\nimport = "shop.domain.models -> shop.infra.*"\nreason = "legacy, ARCH-12"\n'
    assert findings(tmp_path, FORBIDDEN + ACYCLIC + ignore, **change) == []
    stale = '\n[[ignore]]\nimport = "shop.domian.models -> shop.infra.db"\nreason = "typo"\n'
    root = project(tmp_path, FORBIDDEN + stale)
    line = (root / "archguard.toml").read_text().splitlines().index('import = "shop.domian.models -> shop.infra.db"') + 1
    result = run_check(root)
    assert summary(result.findings) == [("stale-ignore", "stale-ignore", None, None, line)]
    assert result.findings[0].path == "archguard.toml"
    assert result.exit_code == 1


def test_ignore_for_one_rule_only(tmp_path: Path) -> None:
    change = {"shop/domain/models.py": "from shop.infra import db\n"}
    ignore = '\n[[ignore]]\nimport = "shop.domain.models -> shop.infra.db"\nreason = "accepted cycle"\nrule = "acyclic"\n'
    assert findings(tmp_path, FORBIDDEN + ACYCLIC + ignore, **change) == [("forbidden", "direct", "shop.domain.models", "shop.infra.db", 1)]


def test_pragma_suppresses_the_finding_at_its_line_and_is_listed(tmp_path: Path) -> None:
    change = {"shop/domain/models.py": "from shop.infra import db  # archguard: ignore[pure domain] migration in progress\n"}
    result = run_check(project(tmp_path, FORBIDDEN, **change))
    assert result.findings == []
    assert [(s.finding.rule, s.source, s.reason) for s in result.suppressed] == [
        ("forbidden", "pragma at shop/domain/models.py:1", "migration in progress")
    ]


def test_unused_pragma_and_pragma_without_reason_are_warnings(tmp_path: Path) -> None:
    change = {
        "shop/domain/models.py": "from shop.infra import db  # archguard: ignore[forbidden]\n",
        "shop/api/views.py": "import json  # archguard: ignore[layers] not needed\n",
    }
    result = run_check(project(tmp_path, FORBIDDEN, **change))
    assert [(f.rule, f.kind, f.path, f.severity) for f in result.findings] == [
        ("pragma", "unused", "shop/api/views.py", "warning"),
        ("pragma", "no-reason", "shop/domain/models.py", "warning"),
    ]
    assert result.exit_code == 0


def test_parse_errors_are_findings_and_the_rest_is_still_checked(tmp_path: Path) -> None:
    change = {
        "shop/api/broken.py": "def oops(:\n",
        "shop/domain/models.py": "from shop.api import views\n",
    }
    result = run_check(project(tmp_path, LAYERS, **change))
    assert summary(result.findings) == [
        ("layers", "direct", "shop.domain.models", "shop.api.views", 1),
        ("parse-error", "parse-error", "shop.api.broken", None, 1),
    ]
    assert result.exit_code == 1


PRIVATE = {
    "shop/billing/__init__.py": "from shop.billing._ledger import Ledger\n",
    "shop/billing/_ledger.py": "class Ledger:\n    pass\n",
    "shop/billing/api.py": "from shop.billing._ledger import Ledger\n",  # inside the package: fine
    "shop/billing/_rates/__init__.py": "",
    "shop/billing/_rates/table.py": "RATES = {}\n",
}


def test_private_modules_of_a_component_are_for_their_package_alone(tmp_path: Path) -> None:
    contract = COMPONENTS.replace(
        'billing = { modules = ["shop.billing"], public = ["shop.billing.api"] }',
        'billing = { modules = ["shop.billing"], public = ["shop.billing.api"], private = ["_*"] }',
    )
    files = {
        **SHOP,
        **PRIVATE,
        "shop/api/views.py": "from shop.billing._ledger import Ledger\nfrom shop.billing._rates.table import RATES\nfrom shop.billing import Ledger as Fine\n",
    }
    result = run_check(make_project(tmp_path, files, contract))
    private = [f for f in result.findings if f.rule == "private"]
    assert summary(private) == [
        ("private", "private-import", "shop.api.views", "shop.billing._ledger", 1),
        ("private", "private-import", "shop.api.views", "shop.billing._rates.table", 2),
    ]
    expected = "shop.api.views imports shop.billing._ledger, a private module of shop.billing (only shop.billing and its modules may import it)"
    assert private[0].message == expected
    # The public module that binds the same object, with the statement to write.
    fix = private[0].structured_remedy
    assert (fix.kind, fix.action) == ("use-public-api", "import Ledger from shop.billing")
    assert fix.edit is not None and fix.edit.new == "from shop.billing import Ledger"
    assert private[1].structured_remedy.action.startswith("import RATES from shop.billing, the package's public module")


def test_without_private_modules_there_is_no_private_rule(tmp_path: Path) -> None:
    files = {**SHOP, **PRIVATE, "shop/api/views.py": "from shop.billing._ledger import Ledger\n"}
    result = run_check(make_project(tmp_path, files, COMPONENTS))
    assert "private" not in {rule.kind for rule in result.rules}
