"""`archguard fix`: round trips that change the import's module and not one other byte."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archguard.advice.fix import Rewrite, _apply_rewrites, apply, plan_fixes
from archguard.base.errors import UsageError
from archguard.findings import Finding
from tests.helpers import REPO, make_project, run_check, run_cli

CONTRACT = """
[project]
roots = ["src"]

[components]
web     = { modules = ["shop.web"] }
billing = { modules = ["shop.billing"], public = ["shop.billing.api"] }
shop    = { modules = ["shop:*"] }

[[rules]]
kind = "boundaries"
name = "service boundaries"
components = ["billing"]

[[rules]]
kind = "layers"
layers = ["web", "billing"]
"""

BILLING = {
    "src/shop/__init__.py": "",
    "src/shop/billing/__init__.py": "",
    "src/shop/billing/internal/__init__.py": "",
    "src/shop/billing/internal/invoices.py": "class Invoice: ...\n\n\ndef total(invoice): ...\n\n\nclass Draft: ...\n",
    "src/shop/billing/api.py": "from shop.billing.internal.invoices import Invoice, total\n\n__all__ = ['Invoice', 'total']\n",
    "src/shop/web/__init__.py": "",
}


def fingerprints(findings: list[Finding]) -> Counter[str]:
    return Counter(f.fingerprint for f in findings)


def project(tmp_path: Path, views: str | bytes, extra: dict[str, str | bytes] | None = None) -> Path:
    files: dict[str, str | bytes] = {**BILLING, "src/shop/web/views.py": views, **(extra or {})}
    return make_project(tmp_path / "project", files, CONTRACT)


def round_trip(root: Path) -> tuple[list[Finding], list[Finding], list[str]]:
    """(findings before, findings after applying every fix, the rewritten paths)."""
    before = run_check(root)
    plan = plan_fixes(before)
    written = apply(plan, root)
    after = run_check(root)
    return before.findings, after.findings, written


def test_an_internal_import_is_pointed_at_the_public_module_that_reexports_it(tmp_path: Path) -> None:
    views = "# views\nfrom shop.billing.internal.invoices import Invoice  # the invoice type\n\nx = Invoice()\n"
    root = project(tmp_path, views)
    before, after, written = round_trip(root)
    assert written == ["src/shop/web/views.py"]
    assert (root / "src/shop/web/views.py").read_text() == views.replace("shop.billing.internal.invoices", "shop.billing.api")
    fixed = [f for f in before if f.rule == "boundaries"]
    assert len(fixed) == 1
    assert not [f for f in after if f.rule == "boundaries"]
    assert fingerprints(after) == fingerprints(before) - fingerprints(fixed)


def test_formatting_comments_and_aliases_survive_byte_for_byte(tmp_path: Path) -> None:
    views = (
        b"# -*- coding: latin-1 -*-\r\n"
        b"'''caf\xe9'''\r\n"
        b"from   shop.billing.internal.invoices   import (  # why\r\n"
        b"    Invoice as Bill,\r\n"
        b"\ttotal,  # trailing\r\n"
        b")\r\n"
        b"if True:\r\n"
        b"    from shop.billing.internal.invoices import total as t  ;  y = 1\r\n"
    )
    root = project(tmp_path, views)
    before, after, _written = round_trip(root)
    assert (root / "src/shop/web/views.py").read_bytes() == views.replace(b"shop.billing.internal.invoices", b"shop.billing.api")
    assert len([f for f in before if f.rule == "boundaries"]) == 2
    assert not [f for f in after if f.rule == "boundaries"]


def test_a_byte_order_mark_and_wide_characters_before_the_import_are_kept(tmp_path: Path) -> None:
    views = "\ufeff# naïve\nx = '日本'; from shop.billing.internal.invoices import Invoice\n".encode()
    root = project(tmp_path, views)
    round_trip(root)
    assert (root / "src/shop/web/views.py").read_bytes() == views.replace(b"shop.billing.internal.invoices", b"shop.billing.api")


def test_relative_imports_stay_relative(tmp_path: Path) -> None:
    root = project(tmp_path, "from ..billing.internal.invoices import Invoice\n")
    round_trip(root)
    assert (root / "src/shop/web/views.py").read_text() == "from ..billing.api import Invoice\n"


def test_reexports_through_a_package_and_a_star_import_are_followed(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        "from shop.billing.internal import Invoice\n",
        {
            "src/shop/billing/internal/__init__.py": "from .invoices import *\n",
            "src/shop/billing/api.py": "from shop.billing.internal.invoices import *\n",
        },
    )
    _before, after, written = round_trip(root)
    assert written == ["src/shop/web/views.py"]
    assert (root / "src/shop/web/views.py").read_text() == "from shop.billing.api import Invoice\n"
    assert not [f for f in after if f.rule == "boundaries"]


@pytest.mark.parametrize(
    ("api", "reason"),
    [
        ("from shop.billing.internal.invoices import Invoice\n", "shop.billing.api does not export Draft"),
        ("from shop.billing.internal.invoices import Invoice\nclass Draft: ...\n", "shop.billing.api binds Draft, but not the object from"),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from shop.billing.internal.invoices import Draft\n",
            "shop.billing.api does not export Draft",
        ),
        ("from shop.web.views import helper\nfrom shop.billing.internal.invoices import Draft\n", "import cycle"),
    ],
    ids=["not-exported", "a-different-object", "type-checking-only", "would-create-a-cycle"],
)
def test_no_rewrite_unless_the_public_module_binds_the_same_object(tmp_path: Path, api: str, reason: str) -> None:
    views = "from shop.billing.internal.invoices import Draft\n\ndef helper(): ...\n"
    root = project(tmp_path, views, {"src/shop/billing/api.py": api})
    result = run_check(root)
    plan = plan_fixes(result)
    assert plan.files == []
    (skip,) = plan.skipped
    assert reason in skip.reason
    assert apply(plan, root) == []
    assert (root / "src/shop/web/views.py").read_text() == views


def test_a_rewrite_that_would_add_a_finding_is_not_offered(tmp_path: Path) -> None:
    # shop.billing.api itself is forbidden to web, so pointing the import at it trades one finding for another.
    root = project(tmp_path, "from shop.billing.internal.invoices import Invoice\n")
    forbidden = '[[rules]]\nkind = "forbidden"\nname = "no api"\nfrom = ["web"]\nto = ["shop.billing.api"]\n'
    contract = (root / "archguard.toml").read_text() + "\n" + forbidden
    (root / "archguard.toml").write_text(contract)
    plan = plan_fixes(run_check(root))
    assert plan.files == []
    assert "would add a finding" in plan.skipped[0].reason


def test_plain_and_star_imports_have_no_mechanical_fix(tmp_path: Path) -> None:
    root = project(tmp_path, "import shop.billing.internal.invoices\nfrom shop.billing.internal.invoices import *\n")
    plan = plan_fixes(run_check(root))
    assert plan.files == []
    reasons = sorted(s.reason.split(":")[0] for s in plan.skipped)
    assert reasons == ["'import shop.billing.internal.invoices' imports the module itself", "a star import"]


def test_files_that_do_not_parse_are_left_alone(tmp_path: Path) -> None:
    broken = b"from shop.billing.internal.invoices import Invoice\ndef broken(:\n"
    root = project(tmp_path, "from shop.billing.internal.invoices import Invoice\n", {"src/shop/web/broken.py": broken})
    _before, _after, written = round_trip(root)
    assert written == ["src/shop/web/views.py"]
    assert (root / "src/shop/web/broken.py").read_bytes() == broken
    # And the codemod itself refuses a file it cannot parse, whatever it is asked.
    finding = Finding(rule="boundaries", rule_name="b", kind="internal-import", severity="error", message="m")
    rewrite = Rewrite(finding, "x.py", 1, 1, "", "", 0, "shop.billing.api")
    assert _apply_rewrites("x.py", broken, [rewrite]) == "the file could not be parsed; it is never rewritten"


def test_apply_refuses_a_file_changed_since_the_plan(tmp_path: Path) -> None:
    root = project(tmp_path, "from shop.billing.internal.invoices import Invoice\n")
    plan = plan_fixes(run_check(root))
    (root / "src/shop/web/views.py").write_text("from shop.billing.internal.invoices import Invoice\nx = 1\n")
    with pytest.raises(UsageError, match="changed since it was analysed"):
        apply(plan, root)
    assert (root / "src/shop/web/views.py").read_text().endswith("x = 1\n")


def test_cli_dry_run_prints_a_diff_and_writes_nothing_then_apply_writes(tmp_path: Path) -> None:
    root = tmp_path / "shop"
    shutil.copytree(REPO / "examples" / "shop-agent-change", root, ignore=shutil.ignore_patterns(".archguard_cache"))
    original = (root / "src/shop/api/views.py").read_bytes()
    dry = run_cli("fix", cwd=root)
    assert dry.returncode == 1, dry.stderr
    assert dry.stdout == (
        "--- a/src/shop/api/views.py\n"
        "+++ b/src/shop/api/views.py\n"
        "@@ -1,7 +1,7 @@\n"
        ' """HTTP views: turn requests into calls to the services."""\n'
        " \n"
        " from shop.billing.api import invoice_total\n"
        "-from shop.billing.ledger import Ledger\n"
        "+from shop.billing.api import Ledger\n"
        " from shop.domain.models import Order\n"
        " from shop.orders.service import place_order\n"
        " \n"
    )
    assert "1 import in 1 file to rewrite" in dry.stderr
    assert (root / "src/shop/api/views.py").read_bytes() == original
    before = run_check(root, cache_dir=tmp_path / "cache")
    applied = run_cli("fix", "--apply", cwd=root)
    assert applied.returncode == 0, applied.stderr
    expected = original.replace(b"from shop.billing.ledger import Ledger", b"from shop.billing.api import Ledger")
    assert (root / "src/shop/api/views.py").read_bytes() == expected
    after = run_check(root)
    fixed = [f for f in before.findings if f.rule == "boundaries"]
    assert fixed and not [f for f in after.findings if f.rule == "boundaries"]
    assert fingerprints(after.findings) == fingerprints(before.findings) - fingerprints(fixed)
    again = run_cli("fix", cwd=root)
    assert again.returncode == 0 and again.stdout == ""


# -- property: any formatting of the statement survives --------------------------------------------

spaces = st.sampled_from([" ", "  ", "\t"])
comments = st.sampled_from(["", "  # note", "  # archguard-unrelated: é"])


@st.composite
def import_statements(draw: st.DrawFn) -> str:
    names = draw(st.lists(st.sampled_from(["Invoice", "total"]), min_size=1, max_size=2, unique=True))
    aliases = [f"{n} as {n.lower()}_alias" if draw(st.booleans()) else n for n in names]
    gap = draw(spaces)
    if draw(st.booleans()):
        inner = "".join(f"\n    {alias},{draw(comments)}" for alias in aliases)
        body = f"({draw(comments)}{inner}\n)"
    else:
        body = f",{draw(spaces)}".join(aliases)
    return f"from{gap}shop.billing.internal.invoices{draw(spaces)}import{draw(spaces)}{body}{draw(comments)}\n"


@settings(max_examples=25)
@given(statement=import_statements(), before=st.sampled_from(["", "x = 1\n", "# head\n\n"]), after=st.sampled_from(["", "y = 2  # tail\n"]))
def test_any_formatting_of_the_statement_survives_the_rewrite(
    tmp_path_factory: pytest.TempPathFactory, statement: str, before: str, after: str
) -> None:
    views = before + statement + after
    root = project(tmp_path_factory.mktemp("fmt"), views)
    plan = plan_fixes(run_check(root))
    assert len(plan.files) == 1, [s.reason for s in plan.skipped]
    (file,) = plan.files
    assert file.after.decode() == before + statement.replace("shop.billing.internal.invoices", "shop.billing.api") + after
