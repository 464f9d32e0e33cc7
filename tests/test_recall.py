"""An evaluation's outcome recalled by its inputs (archguard.engine.recall): reused only when
every input is the same; a stale reuse is the bug these tests look for. Each run with the
cache is compared with a run without it (the rules run every time there)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from archguard.analysis.cache import CACHE_DIR_NAME
from archguard.contract.loading import load_contract
from archguard.engine.dialects import dialect_of, load_config
from archguard.engine.pipeline import CheckResult, RunOptions, analyze, check, packages_outside_roots
from archguard.engine.recall import evaluation_key, recall
from tests.git_helpers import commit_all, init_repo
from tests.helpers import make_project, run_check, run_cli

CONTRACT = """
[components]
api = { modules = ["shop.api"] }
domain = { modules = ["shop.domain"] }
root = { modules = ["shop:*"] }

[[rules]]
kind = "layers"
layers = ["api", "domain"]
"""

FILES: dict[str, str | bytes] = {
    "shop/__init__.py": "",
    "shop/api/__init__.py": "",
    "shop/api/views.py": "from shop.domain import model\n",
    "shop/domain/__init__.py": "",
    "shop/domain/model.py": "import json\n\n\ndef load():\n    from shop.api import views\n    return views\n",
    "shop/domain/rules.py": "from shop.domain import model\n",
}


def outcome(result: CheckResult) -> list[dict[str, object]]:
    return [f.to_json() for f in result.findings] + [{"suppressed": s.finding.to_json(), "source": s.source} for s in result.suppressed]


def cached_and_fresh(root: Path) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    return outcome(run_check(root, use_cache=True)), outcome(run_check(root, use_cache=False))


def was_recalled(root: Path) -> bool:
    """Whether the evaluation of the tree as it is now would be taken from the cache."""
    loaded = load_contract(root / "archguard.toml")
    analysis = analyze(loaded, RunOptions(jobs=1))
    rules = dialect_of(loaded).build_rules(loaded)
    return recall(root / CACHE_DIR_NAME, evaluation_key(analysis, packages_outside_roots(analysis)), rules) is not None


def test_a_comment_added_at_the_end_of_a_file_recalls_the_same_findings(tmp_path: Path) -> None:
    root = make_project(tmp_path, FILES, CONTRACT)
    first = outcome(run_check(root, use_cache=True))
    assert first and was_recalled(root)
    with (root / "shop/domain/model.py").open("a") as handle:
        handle.write("# a comment at the end\n")
    cached, fresh = cached_and_fresh(root)
    assert cached == fresh == first


def test_the_run_says_when_its_findings_were_recalled(tmp_path: Path) -> None:
    root = make_project(tmp_path, FILES, CONTRACT)
    no_replay = {"ARCHGUARD_NO_REPLAY": "1"}
    first = run_cli("check", cwd=root, env=no_replay)
    assert first.returncode == 1 and "parsed) in" in first.stderr and "recalled" not in first.stderr
    with (root / "shop/domain/model.py").open("a") as handle:
        handle.write("# a comment at the end\n")
    again = run_cli("check", cwd=root, env=no_replay)
    assert (again.returncode, again.stdout) == (first.returncode, first.stdout)
    assert "(findings recalled: the same facts and contract as an earlier run)" in again.stderr
    with (root / "shop/domain/model.py").open("a") as handle:
        handle.write("import json.decoder\n")
    changed = run_cli("check", cwd=root, env=no_replay)
    assert "parsed) in" in changed.stderr and "recalled" not in changed.stderr


def test_an_import_moved_by_an_inserted_line_is_reported_at_its_new_line(tmp_path: Path) -> None:
    root = make_project(tmp_path, FILES, CONTRACT)
    before = run_check(root, use_cache=True)
    path = root / "shop/domain/model.py"
    path.write_text("# a new first line\n" + path.read_text())
    assert not was_recalled(root)
    cached, fresh = cached_and_fresh(root)
    assert cached == fresh
    assert [f["line"] for f in cached] == [f.line + 1 for f in before.findings] == [6]


def test_an_edited_import_changes_the_findings(tmp_path: Path) -> None:
    root = make_project(tmp_path, FILES, CONTRACT)
    run_check(root, use_cache=True)
    (root / "shop/domain/rules.py").write_text("from shop.api import views as model\n")  # (binds the same name as before)
    cached, fresh = cached_and_fresh(root)
    assert cached == fresh
    assert [(f["importer"], f["imported"]) for f in cached] == [("shop.domain.model", "shop.api.views"), ("shop.domain.rules", "shop.api.views")]


def test_a_renamed_folder_changes_module_names_and_paths(tmp_path: Path) -> None:
    root = make_project(tmp_path, FILES, CONTRACT.replace('domain = { modules = ["shop.domain"] }', 'domain = { modules = ["shop.domain", "shop.core"] }'))
    run_check(root, use_cache=True)
    (root / "shop/domain").rename(root / "shop/core")
    for path in (root / "shop/core").glob("*.py"):
        path.write_text(path.read_text().replace("shop.domain", "shop.core"))
    (root / "shop/api/views.py").write_text("from shop.core import model\n")
    cached, fresh = cached_and_fresh(root)
    assert cached == fresh
    assert [(f["path"], f["importer"]) for f in cached if f.get("rule") == "layers"] == [("shop/core/model.py", "shop.core.model")]


def test_a_folder_renamed_with_its_files_unchanged_is_not_taken_for_the_old_one(tmp_path: Path) -> None:
    # The bytes (and so the facts) of every file are the same; only the module names and paths differ.
    files = {**FILES, "shop/extra/__init__.py": "", "shop/extra/tool.py": "from shop.api import views\n"}
    contract = CONTRACT.replace('root = { modules = ["shop:*"] }', 'root = { modules = ["shop:*"] }\nextra = { modules = ["shop.extra", "shop.more"] }')
    contract = contract.replace('layers = ["api", "domain"]', 'layers = ["api", "extra", "domain"]')
    root = make_project(tmp_path, files, contract)
    first = outcome(run_check(root, use_cache=True))
    assert [f["path"] for f in first if f.get("rule") == "layers"] == ["shop/domain/model.py", "shop/extra/tool.py"]
    (root / "shop/extra").rename(root / "shop/more")
    cached, fresh = cached_and_fresh(root)
    assert cached == fresh
    assert [f["path"] for f in cached if f.get("rule") == "layers"] == ["shop/domain/model.py", "shop/more/tool.py"]


def test_a_changed_contract_changes_the_findings(tmp_path: Path) -> None:
    root = make_project(tmp_path, FILES, CONTRACT)
    run_check(root, use_cache=True)
    (root / "archguard.toml").write_text(CONTRACT.replace('layers = ["api", "domain"]', 'layers = ["domain", "api"]'))
    cached, fresh = cached_and_fresh(root)
    assert cached == fresh
    assert [(f["importer"], f["imported"]) for f in cached] == [("shop.api.views", "shop.domain.model")]


def test_a_pragma_added_in_a_comment_silences_the_finding(tmp_path: Path) -> None:
    root = make_project(tmp_path, FILES, CONTRACT)
    run_check(root, use_cache=True)
    path = root / "shop/domain/model.py"
    path.write_text(path.read_text().replace("from shop.api import views", "from shop.api import views  # archguard: ignore[layers] legacy"))
    cached, fresh = cached_and_fresh(root)
    assert cached == fresh
    assert [entry["source"] for entry in cached if "source" in entry] == ["pragma at shop/domain/model.py:5"]


def test_a_corrupt_recorded_evaluation_is_ignored(tmp_path: Path) -> None:
    root = make_project(tmp_path, FILES, CONTRACT)
    first = outcome(run_check(root, use_cache=True))
    for entry in (root / CACHE_DIR_NAME).glob("result-evaluation-*.bin"):
        blob = entry.read_bytes()
        entry.write_bytes(blob[:-10] + b"0123456789")
    assert not was_recalled(root)
    assert outcome(run_check(root, use_cache=True)) == first


def test_import_linter_ignored_import_counts_are_recalled_with_the_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = {**FILES, "shop/domain/rules.py": "from shop.api import views\n"}
    make_project(tmp_path, files, CONTRACT)
    (tmp_path / ".importlinter").write_text(
        "[importlinter]\nroot_package = shop\n\n[importlinter:contract:layers]\nname = layers\ntype = layers\n"
        "layers =\n    shop.api\n    shop.domain\nignore_imports =\n    shop.domain.rules -> shop.api.views\n"
    )
    first = run_cli("check", "-v", "--config", ".importlinter", cwd=tmp_path, env={"ARCHGUARD_NO_REPLAY": "1"})
    monkeypatch.chdir(tmp_path)  # (the contract's path as the command line gave it is an input: messages name it)
    loaded = load_config(Path(".importlinter"), cached=True)
    analysis = analyze(loaded, RunOptions(jobs=1))
    rules = dialect_of(loaded).build_rules(loaded)
    assert recall(tmp_path / CACHE_DIR_NAME, evaluation_key(analysis, packages_outside_roots(analysis)), rules) is not None
    assert getattr(rules[0], "ignored_import_count", None) == 1
    second = run_cli("check", "-v", "--config", ".importlinter", cwd=tmp_path, env={"ARCHGUARD_NO_REPLAY": "1"})
    timing = re.compile(r"\d+\.\d+ s")
    assert (second.returncode, timing.sub("", second.stdout)) == (first.returncode, timing.sub("", first.stdout))
    assert "layers BROKEN (1 ignored import, 1 error)" in " ".join(second.stdout.split())


def test_a_diff_against_another_base_revision_uses_that_base_s_findings(tmp_path: Path) -> None:
    from archguard.gate.delta import compare_revisions

    root = init_repo(tmp_path, FILES, CONTRACT)
    (root / "shop/domain/rules.py").write_text("from shop.api import views\n")
    second = commit_all(root, "rules imports the api")
    (root / "shop/domain/model.py").write_text("import json\n")
    commit_all(root, "model no longer imports the api")
    loaded = load_contract(root / "archguard.toml")
    run = RunOptions(jobs=1)
    against_first = compare_revisions(loaded, "HEAD~2", None, run)
    against_second = compare_revisions(loaded, second, None, run)
    fresh = compare_revisions(loaded, second, None, RunOptions(jobs=1, use_cache=False))
    assert [f.importer for f in against_first.base.findings] == ["shop.domain.model"]
    assert [f.importer for f in against_second.base.findings] == ["shop.domain.model", "shop.domain.rules"]
    assert [f.to_json() for f in against_second.outcome.resolved] == [f.to_json() for f in fresh.outcome.resolved]
    assert [f.importer for f in against_second.outcome.resolved] == ["shop.domain.model"]
    assert [f.importer for f in against_first.outcome.new] == ["shop.domain.rules"]
    again = check(loaded, run)
    assert [f.importer for f in again.findings] == ["shop.domain.rules"]


def test_no_rule_reads_a_file_s_line_count_which_the_evaluation_key_leaves_out() -> None:
    # recall.facts_digest leaves the line count out (a line added at the end changes no finding):
    # a rule, a contract type or the pragmas reading it would be recalled stale.
    package = Path(__file__).resolve().parent.parent / "archguard"
    readers = [package / "rules", package / "importlinter", package / "engine", package / "findings", package / "analysis" / "clones"]
    readers += [package / "analysis" / name for name in ("graph.py", "resolve.py", "mapping.py", "resolution.py", "reexports.py", "digraph.py")]
    found = []
    for place in readers:
        for path in [place] if place.is_file() else place.rglob("*.py"):
            if path.is_file() and "line_count" in path.read_text(encoding="utf-8") and path.name != "recall.py":
                found.append(path.relative_to(package).as_posix())
    assert found == []


def test_a_recalled_check_resolves_no_import_until_the_graph_is_read(tmp_path: Path) -> None:
    from archguard.engine.pipeline import DeferredAnalysis

    root = make_project(tmp_path, FILES, CONTRACT)
    first = run_check(root, use_cache=True)
    second = run_check(root, use_cache=True)
    analysis = second.analysis
    assert isinstance(analysis, DeferredAnalysis) and not analysis.graph_built
    assert analysis.stats.imports == first.analysis.stats.imports == 4
    assert outcome(second) == outcome(first)
    assert sorted(analysis.graph.graph.edges) == sorted(first.analysis.graph.graph.edges)  # built when read
    assert analysis.graph_built and analysis.sites == first.analysis.sites


IMPORTLINTER = (
    "[importlinter]\nroot_package = shop\n\n[importlinter:contract:layers]\nname = layers\ntype = layers\n"
    "layers =\n    shop.api\n    shop.domain\n"
)


def test_the_head_of_a_diff_takes_the_base_s_import_sites_only_for_the_same_modules(tmp_path: Path) -> None:
    from archguard.gate.delta import compare_revisions

    root = init_repo(tmp_path, {**FILES, ".importlinter": IMPORTLINTER, "shop/domain/rules.py": "import shop.extra\n"}, CONTRACT)
    loaded = load_config(root / ".importlinter")
    (root / "shop/api/views.py").write_text("from shop.domain import model\nfrom shop.domain import rules\n")
    same_modules = compare_revisions(loaded, "HEAD", None, RunOptions(jobs=1))
    base_sites = {id(site) for site in same_modules.base.analysis.sites}
    unchanged = [s for s in same_modules.head.analysis.sites if s.importer == "shop.domain.model"]
    assert unchanged and all(id(site) in base_sites for site in unchanged)  # resolved once, for both sides
    edited = {site.imported for site in same_modules.head.analysis.sites if site.importer == "shop.api.views"}
    assert edited == {"shop.domain.model", "shop.domain.rules"}  # the edited file: resolved again
    # A module added by the change: shop.extra, external at the base, is one of the head's modules.
    (root / "shop/extra.py").write_text("")
    added = compare_revisions(loaded, "HEAD", None, RunOptions(jobs=1))
    fresh = compare_revisions(loaded, "HEAD", None, RunOptions(jobs=1, use_cache=False))
    head_targets = {site.imported for site in added.head.analysis.sites if site.importer == "shop.domain.rules"}
    base_targets = {site.imported for site in added.base.analysis.sites if site.importer == "shop.domain.rules"}
    assert head_targets == {"shop.extra"} and base_targets == {"shop"}  # (the nearest module that exists)
    assert sorted(added.head.analysis.sites) == sorted(fresh.head.analysis.sites)
    assert sorted(added.base.analysis.sites) == sorted(fresh.base.analysis.sites)


def test_a_diff_whose_base_is_recalled_builds_no_base_graph_and_reports_the_same_edges(tmp_path: Path) -> None:
    from archguard.engine.pipeline import DeferredAnalysis
    from archguard.gate.delta import compare_revisions

    root = init_repo(tmp_path, FILES, CONTRACT)
    loaded = load_contract(root / "archguard.toml")
    check(loaded, RunOptions(jobs=1))  # records the base's evaluation (the base is the tree as committed)
    (root / "shop/domain/rules.py").write_text("from shop.api import views\n")  # a new domain -> api edge
    recalled = compare_revisions(loaded, "HEAD", None, RunOptions(jobs=1))
    fresh = compare_revisions(loaded, "HEAD", None, RunOptions(jobs=1, use_cache=False))
    base = recalled.base.analysis
    assert recalled.base.analysis.stats.recalled and isinstance(base, DeferredAnalysis) and not base.graph_built
    assert base.component_edges == {("api", "domain"): (1, 1), ("domain", "api"): (1, 1)}
    assert recalled.outcome.edges == fresh.outcome.edges
    assert [(e.source, e.target, e.before, e.after) for e in recalled.outcome.edges] == [("domain", "api", 1, 2)]
    assert recalled.coupling() == fresh.coupling()  # fan-in and fan-out from the same edges
    assert not base.graph_built  # the edges came with the recalled evaluation


def test_an_evaluation_recorded_without_component_edges_is_still_recalled(tmp_path: Path) -> None:
    from archguard.analysis.cache import ResultCache
    from archguard.engine.pipeline import DeferredAnalysis

    root = make_project(tmp_path, FILES, CONTRACT)
    first = run_check(root, use_cache=True)
    loaded = load_contract(root / "archguard.toml")
    analysis = analyze(loaded, RunOptions(jobs=1))
    key = evaluation_key(analysis, packages_outside_roots(analysis))
    store = ResultCache(root / CACHE_DIR_NAME, f"evaluation-{key.contract}")
    store.put(key.key, tuple(store.get(key.key)[:5]))  # as an earlier archguard recorded it
    second = run_check(root, use_cache=True)
    assert second.analysis.stats.recalled and isinstance(second.analysis, DeferredAnalysis)
    assert second.analysis.component_edges is None
    from archguard.gate.drift import component_edges

    assert component_edges(second.analysis) == component_edges(first.analysis) == {("api", "domain"): (1, 1), ("domain", "api"): (1, 1)}
