"""Diff mode on real git repositories: only what a change introduced, nothing of the user's touched."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from archguard.base.errors import GitError
from archguard.contract.loading import load_contract
from archguard.engine.pipeline import RunOptions
from archguard.gate.delta import Comparison, compare_revisions
from archguard.report import ReportOptions
from archguard.report.delta_report import render_text
from tests.git_helpers import commit_all, edit, git, init_repo, state, suggested_fetch
from tests.helpers import run_cli

CONTRACT = """
[project]
roots = ["src"]
packages = ["shop"]

[components]
root    = { modules = ["shop:*"] }
api     = { modules = ["shop.api", "shop.web"] }
orders  = { modules = ["shop.orders"], public = ["shop.orders.service"] }
billing = { modules = ["shop.billing"], public = ["shop.billing.api"] }
domain  = { modules = ["shop.domain"] }

[[rules]]
kind = "layers"
name = "Clean layering"
layers = ["api", "orders | billing", "domain"]

[[rules]]
kind = "boundaries"
name = "Service boundaries"
components = ["orders", "billing"]

[drift]
unmapped = "error"
absent = "off"
vacuous = "off"  # shop.web appears only when a test moves code there
"""

BASE = {
    "src/shop/__init__.py": "",
    "src/shop/api/__init__.py": "",
    "src/shop/api/views.py": """
        from shop.orders.service import place_order
        from shop.billing.api import invoice


        def show(order_id):
            return place_order(order_id), invoice(order_id)
        """,
    "src/shop/api/helpers.py": """
        from shop.billing.ledger import Ledger


        def balance():
            return Ledger().total()
        """,
    "src/shop/orders/__init__.py": "",
    "src/shop/orders/service.py": """
        from shop.domain.models import Order


        def place_order(order_id):
            return Order(order_id)
        """,
    "src/shop/billing/__init__.py": "",
    "src/shop/billing/api.py": """
        from shop.billing.ledger import Ledger


        def invoice(order_id):
            return Ledger().charge(order_id)
        """,
    "src/shop/billing/ledger.py": """
        class Ledger:
            def charge(self, order_id):
                return order_id

            def total(self):
                return 0
        """,
    "src/shop/domain/__init__.py": "",
    "src/shop/domain/models.py": """
        class Order:
            def __init__(self, order_id):
                self.order_id = order_id
        """,
    "src/shop/domain/pricing.py": """
        from shop.api.views import show


        def price(order_id):
            return show(order_id)
        """,
}

PRE_EXISTING = ("layers", "shop.domain.pricing", "shop.api.views")  # in BASE: an upward import
PRE_EXISTING_BOUNDARY = ("boundaries", "shop.api.helpers", "shop.billing.ledger")


def compare(root: Path, base: str, head: str | None = None, **options: object) -> Comparison:
    jobs = int(options.get("jobs", 1))  # type: ignore[call-overload]
    run = RunOptions(jobs=jobs, use_cache=bool(options.get("use_cache", False)), cache_dir=options.get("cache_dir"))  # type: ignore[arg-type]
    return compare_revisions(load_contract(root / "archguard.toml"), base, head, run)


def keys(findings: object) -> set[tuple[str, str | None, str | None]]:
    return {(f.rule, f.importer, f.imported) for f in findings}  # type: ignore[attr-defined]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return init_repo(tmp_path / "repo", BASE, CONTRACT)


def make_agent_change(root: Path) -> None:
    """(a)+(e) committed on a branch, (b) an unstaged edit, (c) an untracked file."""
    git(root, "checkout", "-q", "-b", "feature")
    edit(
        root,
        {
            # (a) an upward import hidden in a function
            "src/shop/domain/models.py": """
                class Order:
                    def __init__(self, order_id):
                        self.order_id = order_id

                    def confirm(self):
                        from shop.orders.service import place_order

                        return place_order(self.order_id)
                """,
            # (e) an unrelated edit above the existing violation: its line moves from 1 to 6
            "src/shop/domain/pricing.py": """
                \"\"\"Prices.\"\"\"

                TAX = 0.2

                from shop.api.views import show


                def price(order_id):
                    return show(order_id) * (1 + TAX)
                """,
        },
    )
    commit_all(root, "agent change, part 1")
    # (b) a reach into another service's internals, not committed
    views = (root / "src/shop/api/views.py").read_text()
    (root / "src/shop/api/views.py").write_text("from shop.billing.ledger import Ledger\n" + views)
    # (c) a new module outside every component, not even added to git
    edit(root, {"src/shop/reports.py": "def export():\n    return []\n"})


def test_diff_reports_exactly_what_the_change_introduced(repo: Path) -> None:
    make_agent_change(repo)
    comparison = compare(repo, "main")
    assert keys(comparison.outcome.new) == {
        ("layers", "shop.domain.models", "shop.orders.service"),  # (a)
        ("boundaries", "shop.api.views", "shop.billing.ledger"),  # (b)
        ("unmapped", "shop.reports", None),  # (c)
    }
    lazy = next(f for f in comparison.outcome.new if f.rule == "layers")
    assert (lazy.path, lazy.line) == ("src/shop/domain/models.py", 6)
    # (e) and the pre-existing violations are on both sides, matched despite the line shift
    head_keys = keys(comparison.head.findings)
    assert PRE_EXISTING in head_keys and PRE_EXISTING_BOUNDARY in head_keys
    assert comparison.outcome.unchanged == 2
    assert comparison.outcome.resolved == ()
    shifted = next(f for f in comparison.head.findings if (f.rule, f.importer) == PRE_EXISTING[:2])
    assert shifted.line == 5
    # What the change did to the architecture: new component dependencies with counts.
    edges = {(e.source, e.target): (e.before, e.after) for e in comparison.outcome.edges}
    assert edges == {("domain", "orders"): (0, 1), ("api", "billing"): (2, 3)}
    files = {(f.status, f.path) for f in comparison.outcome.files}
    assert files == {
        ("modified", "src/shop/domain/models.py"),
        ("modified", "src/shop/domain/pricing.py"),
        ("modified", "src/shop/api/views.py"),
        ("added", "src/shop/reports.py"),
    }


def test_check_diff_cli_gates_and_leaves_the_repository_untouched(repo: Path) -> None:
    make_agent_change(repo)
    before = state(repo)
    result = run_cli("check", "--diff", "main", cwd=repo)
    assert result.returncode == 1, result.stderr
    assert state(repo) == before
    out = result.stdout
    assert "src/shop/domain/models.py:6:9 error layers · Clean layering: shop.domain.models imports shop.orders.service" in out
    assert "src/shop/api/views.py:1:1 error boundaries · Service boundaries: shop.api.views imports shop.billing.ledger" in out
    assert "shop.reports is not in any component" in out
    assert "pricing" not in out.split("component dependencies")[0].split("changed:")[1]  # the old violation is not listed
    assert "+ domain -> orders" in out and "1 import site (new dependency)" in out
    assert "~ api -> billing" in out and "2 -> 3 import sites" in out
    assert "compared working tree with main (" in out
    assert "contract: archguard.toml; at the base: archguard.toml at main (the same as the working tree's)" in out
    assert "✗ 3 new errors in 3 rules (2 unchanged)" in out
    assert "archguard: base 12 files (9 unchanged, 0 cached, 3 parsed)" in result.stderr


def test_check_diff_json_lists_new_and_resolved(repo: Path) -> None:
    make_agent_change(repo)
    # Also fix the old boundary violation: it is resolved by the change.
    (repo / "src/shop/api/helpers.py").write_text("from shop.billing.api import invoice\n")
    result = run_cli("check", "--diff", "main", "--format", "json", "--no-cache", cwd=repo)
    assert result.returncode == 1, result.stderr
    report = json.loads(result.stdout)
    assert {(f["rule"], f["importer"]) for f in report["findings"]} == {
        ("layers", "shop.domain.models"),
        ("boundaries", "shop.api.views"),
        ("unmapped", "shop.reports"),
    }
    diff = report["diff"]
    assert [(f["rule"], f["importer"], f["imported"]) for f in diff["resolved"]] == [PRE_EXISTING_BOUNDARY]
    assert diff["unchanged"] == 1
    assert diff["base"]["label"] == "main" and len(diff["base"]["commit"]) == 40
    assert diff["head"] == {"label": "working tree", "commit": None, "contract": "archguard.toml"}


def test_clean_change_exits_0(repo: Path) -> None:
    edit(repo, {"src/shop/orders/extra.py": "from shop.domain.models import Order\n"})
    result = run_cli("check", "--diff", "main", "--no-cache", cwd=repo)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "✓ no new errors (2 unchanged)" in result.stdout


def test_a_second_identical_violation_is_new_and_located_on_the_added_line(repo: Path) -> None:
    helpers = (repo / "src/shop/api/helpers.py").read_text()
    # The same import again, in a function above the old one: same fingerprint, one more.
    (repo / "src/shop/api/helpers.py").write_text("def early():\n    from shop.billing.ledger import Ledger\n    return Ledger\n\n\n" + helpers)
    # Also the same import text lazily: a different context but the same identity.
    comparison = compare(repo, "HEAD")
    assert [(f.rule, f.importer, f.line) for f in comparison.outcome.new] == [("boundaries", "shop.api.helpers", 2)]
    assert comparison.outcome.unchanged == 2


def test_unchanged_files_are_not_read_or_parsed_for_the_base(repo: Path, tmp_path: Path) -> None:
    make_agent_change(repo)
    cache = tmp_path / "cache"
    first = compare(repo, "main", use_cache=True, cache_dir=cache)
    base_stats = first.base.analysis.stats
    # 12 files at main; the change touched 3 of them (reports.py is new): 9 taken from the head.
    assert (base_stats.files, base_stats.reused, base_stats.parsed) == (12, 9, 3)
    again = compare(repo, "main", use_cache=True, cache_dir=cache)
    assert (again.base.analysis.stats.parsed, again.base.analysis.stats.cached) == (0, 3)
    assert again.head.analysis.stats.parsed == 0
    assert keys(again.outcome.new) == keys(first.outcome.new)


def test_the_base_is_analysed_while_the_changed_files_are_parsed_with_the_same_outcome(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A change large enough for the parsing pool: the base side runs while the pool parses
    # the changed files, taking the head's cached facts of the files the change left alone.
    import archguard.analysis.read.pool as pool
    import archguard.gate.delta as delta
    from archguard.analysis.read.pool import MIN_BYTES_PER_WORKER

    parsing: list[bool] = []
    base_during_parse: list[bool] = []
    real_extract_all, real_check_side = pool.extract_all, delta._check_side

    def extract_all(*args: Any, **kwargs: Any) -> Any:
        parsing.append(True)
        try:
            return real_extract_all(*args, **kwargs)
        finally:
            parsing.pop()

    def check_side(*args: Any, **kwargs: Any) -> Any:
        base_during_parse.append(bool(parsing))
        return real_check_side(*args, **kwargs)

    monkeypatch.setattr(pool, "extract_all", extract_all)
    monkeypatch.setattr(delta, "_check_side", check_side)

    padding = "\n".join(f"VALUE_{i} = {i}" for i in range(MIN_BYTES_PER_WORKER // 12)) + "\n"
    cache = tmp_path / "cache"
    compare(repo, "main", use_cache=True, cache_dir=cache)  # the base's facts, as a check of main leaves them
    make_agent_change(repo)
    for name in ("src/shop/domain/models.py", "src/shop/api/views.py"):
        path = repo / name
        path.write_text(path.read_text() + padding)
    base_during_parse.clear()
    overlapped = compare(repo, "main", jobs=2, use_cache=True, cache_dir=cache)
    assert base_during_parse == [True]
    alone = compare(repo, "main", jobs=1, use_cache=False)
    assert base_during_parse == [True, False]  # one process: the base after the head, as before
    assert overlapped.head.analysis.stats.parsed >= 2  # the padded files, through the pool
    base = overlapped.base.analysis.stats
    assert (base.files, base.reused, base.parsed) == (12, 9, 0)  # 9 from the head, 3 from the cache
    assert keys(overlapped.outcome.new) == keys(alone.outcome.new) and overlapped.outcome.new
    assert [f.to_json() for f in overlapped.outcome.new] == [f.to_json() for f in alone.outcome.new]


def test_a_file_moved_to_another_package_keeps_its_findings_and_the_report_says_so(repo: Path) -> None:
    edit(repo, {"src/shop/web/__init__.py": ""})
    git(repo, "mv", "src/shop/api/helpers.py", "src/shop/web/helpers.py")  # staged, not committed
    comparison = compare(repo, "main")
    assert comparison.outcome.new == ()
    assert comparison.outcome.resolved == ()
    assert [(m.old_path, m.path, m.old_module, m.module, m.kept) for m in comparison.outcome.moves] == [
        ("src/shop/api/helpers.py", "src/shop/web/helpers.py", "shop.api.helpers", "shop.web.helpers", 1)
    ]
    result = run_cli("check", "--diff", "main", "--no-cache", cwd=repo)
    assert result.returncode == 0, result.stdout
    assert (
        "src/shop/web/helpers.py moved from src/shop/api/helpers.py (shop.api.helpers -> shop.web.helpers): "
        "1 existing finding moved with it" in result.stdout
    )


def test_a_committed_move_with_an_edit_keeps_the_old_finding_and_reports_the_new_import(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "move")
    edit(repo, {"src/shop/web/__init__.py": ""})
    git(repo, "mv", "src/shop/api/helpers.py", "src/shop/web/helpers.py")
    helpers = (repo / "src/shop/web/helpers.py").read_text()
    (repo / "src/shop/web/helpers.py").write_text(helpers + "\n\nfrom shop.orders.models import Cart\n")
    edit(repo, {"src/shop/orders/models.py": "class Cart:\n    pass\n"})
    commit_all(repo, "move helpers to web")
    comparison = compare(repo, "main", "move")
    assert keys(comparison.outcome.new) == {("boundaries", "shop.web.helpers", "shop.orders.models")}
    assert [(m.path, m.kept) for m in comparison.outcome.moves] == [("src/shop/web/helpers.py", 1)]
    assert comparison.outcome.head.commit == git(repo, "rev-parse", "move").strip()


def test_a_move_git_does_not_know_about_is_found_by_content(repo: Path) -> None:
    (repo / "src/shop/web").mkdir()
    (repo / "src/shop/web/__init__.py").write_text("")
    shutil.move(repo / "src/shop/api/helpers.py", repo / "src/shop/web/helpers.py")  # untracked: plain mv
    comparison = compare(repo, "main")
    assert comparison.outcome.new == ()
    assert [(m.old_path, m.path, m.kept) for m in comparison.outcome.moves] == [("src/shop/api/helpers.py", "src/shop/web/helpers.py", 1)]


def test_imports_of_a_moved_module_that_follow_it_stay_matched(repo: Path) -> None:
    # domain.pricing imports shop.api.views (a pre-existing upward import); views moves to web.
    edit(repo, {"src/shop/web/__init__.py": ""})
    git(repo, "mv", "src/shop/api/views.py", "src/shop/web/views.py")
    pricing = (repo / "src/shop/domain/pricing.py").read_text().replace("shop.api.views", "shop.web.views")
    (repo / "src/shop/domain/pricing.py").write_text(pricing)
    comparison = compare(repo, "main")
    assert comparison.outcome.new == ()
    assert comparison.outcome.resolved == ()
    assert comparison.outcome.unchanged == 2


def test_a_new_cycle_is_new_and_an_unchanged_cycle_is_not(repo: Path) -> None:
    contract = (repo / "archguard.toml").read_text() + '\n[[rules]]\nkind = "acyclic"\nname = "no cycles"\n'
    (repo / "archguard.toml").write_text(contract)
    commit_all(repo, "acyclic")  # base has the cycle api -> orders -> domain -> api
    edit(repo, {"src/shop/billing/ledger.py": "from shop.orders.service import place_order\n"})  # billing -> orders
    comparison = compare(repo, "HEAD")
    assert {(f.rule, f.kind) for f in comparison.outcome.new} == {("layers", "direct"), ("acyclic", "cycle")}
    assert [f.rule for f in comparison.outcome.resolved] == ["acyclic"]  # the old cycle is now part of a bigger one
    (repo / "src/shop/billing/ledger.py").write_text("class Ledger:\n    pass\n")
    comparison = compare(repo, "HEAD")
    assert comparison.outcome.new == () and comparison.outcome.resolved == ()


def test_base_contract_is_the_one_at_base(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(repo)
    # The change allows the upward import by removing the layers rule: the old violation is not
    # resolved, it is hidden by the change's contract; a warning (the base had it already).
    contract = (repo / "archguard.toml").read_text()
    start = contract.index("[[rules]]\nkind = \"layers\"")
    end = contract.index("[[rules]]\nkind = \"boundaries\"")
    (repo / "archguard.toml").write_text(contract[:start] + contract[end:])
    comparison = compare(repo, "main")
    assert comparison.outcome.base.contract == "archguard.toml at main"
    (relaxed,) = comparison.outcome.new
    assert (relaxed.rule, relaxed.kind, relaxed.severity) == ("contract-relaxed", "removed", "warning")
    assert "(rule 'Clean layering' removed in archguard.toml)" in relaxed.message and "already at the base" in relaxed.message
    assert comparison.outcome.resolved == ()


def test_base_without_a_contract_uses_the_working_trees(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    edit(root, {"README": "nothing yet\n"})
    commit_all(root, "empty")
    init_files = {**BASE}
    edit(root, init_files)
    (root / "archguard.toml").write_text(CONTRACT)
    comparison = compare(root, "main")
    assert comparison.outcome.base.contract == "repo/archguard.toml from the working tree (not present at main)"
    assert keys(comparison.outcome.new) == {PRE_EXISTING, PRE_EXISTING_BOUNDARY}
    assert any("no code to analyse at main" in note for note in comparison.notes)


def test_merge_base_syntax(repo: Path) -> None:
    git(repo, "checkout", "-q", "-b", "feature")
    edit(repo, {"src/shop/orders/service.py": "from shop.api.views import show\n"})  # orders -> api: upward
    commit_all(repo, "feature")
    git(repo, "checkout", "-q", "main")
    (repo / "src/shop/api/helpers.py").write_text("")  # main fixes the old boundary violation meanwhile
    commit_all(repo, "main moves on")
    git(repo, "checkout", "-q", "feature")
    direct = compare(repo, "main")
    # Against main's tip, the old violation that main fixed looks new in this branch.
    assert PRE_EXISTING_BOUNDARY in keys(direct.outcome.new)
    merge_base = compare(repo, "main...")
    assert keys(merge_base.outcome.new) == {("layers", "shop.orders.service", "shop.api.views")}


def test_diff_command_between_two_commits_with_coupling(repo: Path) -> None:
    first = git(repo, "rev-parse", "HEAD").strip()
    make_agent_change(repo)
    before = state(repo)
    result = run_cli("diff", first, "feature", "--format", "json", "--no-cache", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert state(repo) == before
    data = json.loads(result.stdout)
    assert data["schema"] == "archguard-diff/1"
    # Only the committed part (a) and (e): (b) and (c) are not in the feature commit.
    assert [(f["rule"], f["importer"]) for f in data["new"]] == [("layers", "shop.domain.models")]
    coupling = {row["component"]: row for row in data["coupling"]}
    # domain is used by orders and depends on api; the change adds domain -> orders.
    assert coupling["domain"]["before"] == {
        "component": "domain", "modules": 3, "fan_in": 1, "fan_out": 1, "instability": 0.5, "imports_in": 1, "imports_out": 1,
    }
    assert (coupling["domain"]["after"]["fan_out"], coupling["domain"]["after"]["imports_out"]) == (2, 2)
    assert coupling["domain"]["after"]["instability"] == 0.67
    text = render_text(compare(repo, first, "feature"), ReportOptions())
    assert "* domain" in text and "0.50 -> 0.67" in text
    assert "1 new finding (1 at error level), 0 resolved, 2 unchanged; 1 component dependency changed" in text


def test_not_a_repository_and_unknown_revision_exit_2(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    edit(root, BASE)
    (root / "archguard.toml").write_text(CONTRACT)
    result = run_cli("check", "--diff", "main", cwd=root)
    assert result.returncode == 2
    assert "is not inside a git repository" in result.stderr
    repo = init_repo(tmp_path / "repo", BASE, CONTRACT)
    with pytest.raises(GitError) as info:
        compare(repo, "no-such-branch")
    assert info.value.message == (
        "unknown revision 'no-such-branch': not a branch, tag or commit of this repository, and there is no remote to fetch it from"
    )
    with pytest.raises(GitError, match="invalid revision"):
        compare(repo, "--output=x")


def shallow_setup(tmp_path: Path) -> tuple[Path, Path]:
    """An origin with main (2 commits) and feature (1 more); a depth-1 clone of feature."""
    origin = init_repo(tmp_path / "origin", BASE, CONTRACT)
    edit(origin, {"src/shop/orders/notes.py": "NOTE = 1\n"})
    commit_all(origin, "second on main")
    git(origin, "checkout", "-q", "-b", "feature")
    edit(origin, {"src/shop/orders/service.py": "from shop.api.views import show\n"})
    commit_all(origin, "feature")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "feature", f"file://{origin}", str(clone))
    return origin, clone


def test_shallow_clone_names_the_fetch_it_needs_and_works_after_it(tmp_path: Path) -> None:
    _origin, clone = shallow_setup(tmp_path)
    result = run_cli("check", "--diff", "origin/main", cwd=clone)
    assert result.returncode == 2
    assert "unknown revision 'origin/main': not a branch, tag or commit of this shallow clone" in result.stderr
    fetch = suggested_fetch(result.stderr)
    assert fetch == ["git", "fetch", "--depth=1", "origin", "main:refs/remotes/origin/main"]
    git(clone, *fetch[1:])
    comparison = compare(clone, "origin/main")
    assert keys(comparison.outcome.new) == {("layers", "shop.orders.service", "shop.api.views")}
    # The merge base needs more history than a depth-1 fetch gives.
    with pytest.raises(GitError) as info:
        compare(clone, "origin/main...")
    assert "no merge base in this shallow clone" in info.value.message
    assert suggested_fetch(info.value.message) == ["git", "fetch", "--unshallow"]
    git(clone, "fetch", "-q", "--unshallow")
    assert keys(compare(clone, "origin/main...").outcome.new) == {("layers", "shop.orders.service", "shop.api.views")}


def test_deepen_suggestion_works(tmp_path: Path) -> None:
    _origin, clone = shallow_setup(tmp_path)
    with pytest.raises(GitError) as info:
        compare(clone, "HEAD~1")
    assert "revision 'HEAD~1' is not in this shallow clone" in info.value.message
    fetch = suggested_fetch(info.value.message)
    assert fetch == ["git", "fetch", "--deepen=1"]
    git(clone, *fetch[1:])
    comparison = compare(clone, "HEAD~1")
    assert keys(comparison.outcome.new) == {("layers", "shop.orders.service", "shop.api.views")}


def test_a_contract_outside_the_repository_evaluates_both_sides(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo", BASE, CONTRACT)
    (repo / "archguard.toml").unlink()
    commit_all(repo, "no contract in the repository")
    outside = tmp_path / "contracts/shop.toml"
    outside.parent.mkdir()
    outside.write_text(CONTRACT.replace('[project]\n', '[project]\nroot = "../repo"\n'))
    edit(repo, {"src/shop/orders/service.py": "from shop.api.views import show\n"})
    comparison = compare_revisions(load_contract(outside), "HEAD", None, RunOptions(jobs=1, use_cache=False))
    assert comparison.outcome.base.contract.endswith("(outside the repository: the same contract on both sides)")
    assert keys(comparison.outcome.new) == {("layers", "shop.orders.service", "shop.api.views")}


def test_graph_overlays_the_change_on_the_component_graph(repo: Path) -> None:
    make_agent_change(repo)
    before = state(repo)
    result = run_cli("graph", "--diff", "main", "--format", "dot", "--no-cache", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert state(repo) == before
    # domain -> orders is new: marked "+ 1 import", red as it breaks the layering (drawn
    # against the layers, so its arrow points back); nothing was removed.
    assert result.stdout.count('label="+ ') == 1
    assert 'n_orders -> n_domain [label="+ 1 import' in result.stdout
    assert 'edgetooltip="domain -> orders: 1 import; flagged by Clean layering"' in result.stdout
    assert "removed" not in result.stdout.replace("removed by the change", "")
    mixed = run_cli("graph", "--diff", "main", "--component", "api", "--format", "dot", cwd=repo)
    assert mixed.returncode == 2 and "--diff overlays the component graph" in mixed.stderr


IMPORTLINTER = """
[importlinter]
root_package = shop

[importlinter:contract:layers]
name = Clean layering
type = layers
layers =
    shop.api
    shop.orders | shop.billing
    shop.domain
"""


def test_an_import_linter_configuration_gates_a_change_too(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from archguard.importlinter.config import load_importlinter

    root = init_repo(tmp_path / "repo", BASE, CONTRACT)
    (root / "archguard.toml").unlink()
    (root / ".importlinter").write_text(IMPORTLINTER)
    (root / "setup.cfg").write_text("")  # import-linter's roots: the repository root, with src/ on the path
    commit_all(root, "import-linter configuration")
    monkeypatch.chdir(root)
    edit(root, {"src/shop/orders/service.py": "from shop.api.views import show\n"})  # orders -> api: upward
    loaded = load_importlinter(root / ".importlinter")
    comparison = compare_revisions(loaded, "HEAD", None, RunOptions(jobs=1, use_cache=False))
    assert comparison.outcome.base.contract == ".importlinter at HEAD (the same as the working tree's)"
    # The base is read from git and discovered the way import-linter does: only the new upward import is new.
    assert keys(comparison.outcome.new) == {("importlinter-layers", "shop.orders.service", "shop.api.views")}
    assert comparison.outcome.unchanged == 1  # shop.domain.pricing -> shop.api.views, at the base already
    assert (comparison.base.analysis.stats.files, comparison.base.analysis.stats.reused) == (12, 11)


# (d) an agent writes again a helper that exists in another service, with renamed variables.
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
RENAMED_COPY = """
def order_report(entries, money="USD"):
    sums = {}
    for entry in entries:
        who = entry["customer"]
        value = entry["amount"]
        if value < 0:
            continue
        sums[who] = sums.get(who, 0) + value
    out = [f"{name}: {total} {money}" for name, total in sorted(sums.items())]
    return "\\n".join(out)
"""


def test_diff_reports_a_copied_helper_once_at_the_copy_naming_the_existing_code(tmp_path: Path) -> None:
    repo = init_repo(tmp_path / "repo", {**BASE, "src/shop/billing/reports.py": HELPER}, CONTRACT)
    git(repo, "checkout", "-q", "-b", "feature")
    edit(repo, {"src/shop/orders/report.py": RENAMED_COPY})  # (d), untracked
    edit(repo, {"src/shop/billing/api.py": (repo / "src/shop/billing/api.py").read_text() + "\n\nVERSION = 2\n"})  # unrelated
    comparison = compare(repo, "main")
    # In the head both copies are findings (each names the other); the change wrote only one.
    assert sorted(f.path for f in comparison.head.findings if f.rule == "duplication") == [
        "src/shop/billing/reports.py",
        "src/shop/orders/report.py",
    ]
    (copy,) = comparison.outcome.new
    assert (copy.rule, copy.path, copy.line, copy.severity) == ("duplication", "src/shop/orders/report.py", 1, "error")
    assert "duplicates code that already exists at src/shop/billing/reports.py:1 `summarize` (renamed copy)" in copy.message
    assert "the copies span components billing, orders" in copy.message
    assert comparison.outcome.unchanged == 3  # the 2 pre-existing violations, and the original: not "new"
    result = run_cli("check", "--diff", "main", "-q", cwd=repo)
    assert result.returncode == 1
    assert result.stdout.count("duplicates code that already exists") == 1
    # Copying existing code again once a baseline holds the first copy: still the new one only.
    commit_all(repo, "first copy")
    edit(repo, {"src/shop/api/report.py": RENAMED_COPY.replace("order_report", "api_report")})
    again = compare(repo, "feature")
    assert [(f.rule, f.path) for f in again.outcome.new] == [("duplication", "src/shop/api/report.py")]
