"""The merge gate an agent cannot talk its way past: every way a change can hide its own
finding (pragma, ignore entry, relaxed contract, regenerated baseline) is itself a finding,
located at what the change wrote; every annotation is on a line the change added.

Real git repositories in tmp_path; archguard runs as a subprocess, as in CI.
"""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.git_helpers import commit_all, edit, git, init_repo
from tests.helpers import run_cli

FILES: dict[str, str | bytes] = {
    "shop/__init__.py": "",
    "shop/api/__init__.py": "",
    "shop/api/views.py": """
        from shop.domain.models import Order


        def format_price(cents: int) -> str:
            return f"{cents / 100:.2f}"
        """,
    "shop/domain/__init__.py": "",
    "shop/domain/models.py": "class Order:\n    pass\n",
    "shop/domain/pricing.py": """
        from shop.domain.models import Order


        def total(order: Order) -> int:
            return 0
        """,
    "shop/infra/__init__.py": "",
    "shop/infra/db.py": "import sqlite3\n",
}

CONTRACT = """
[project]
packages = ["shop"]

[components]
root   = { modules = ["shop:*"] }
api    = { modules = ["shop.api"] }
domain = { modules = ["shop.domain"] }
infra  = { modules = ["shop.infra"] }

[[rules]]
kind = "layers"
name = "Clean layering"
layers = ["api", "domain"]

[[rules]]
kind = "allowed"
[rules.allow]
api = ["domain"]
domain = []

[[rules]]
kind = "forbidden"
name = "Pure domain"
from = ["domain"]
to = ["api", "infra"]

[[rules]]
kind = "acyclic"
scope = "components"
"""

PRICING = "shop/domain/pricing.py"
VIOLATION = "from shop.api.views import format_price"  # breaks layers, allowed, forbidden and closes a cycle


def repository(tmp_path: Path, contract: str = CONTRACT, files: dict[str, str | bytes] | None = None) -> Path:
    root = init_repo(tmp_path / "repo", files or FILES, contract)
    git(root, "checkout", "-q", "-b", "change")
    return root


def add_violation(root: Path, comment: str = "") -> None:
    source = (root / PRICING).read_text()
    first, rest = source.split("\n", 1)
    (root / PRICING).write_text(f"{first}\n{VIOLATION}{comment}\n{rest}")


def edit_contract(root: Path, old: str, new: str) -> None:
    text = (root / "archguard.toml").read_text()
    assert old in text, old
    (root / "archguard.toml").write_text(text.replace(old, new))


def gate(root: Path, fmt: str = "json", *extra: str) -> tuple[int, Any]:
    proc = run_cli("check", "--diff", "main", "--no-cache", "-j", "1", "--format", fmt, *extra, cwd=root)
    assert proc.returncode in (0, 1), proc.stderr
    return proc.returncode, json.loads(proc.stdout) if fmt == "json" else proc.stdout


def added_lines(root: Path, base: str = "main") -> set[tuple[str, int]]:
    """(path, line) of every line ``git diff BASE -U0`` shows as added."""
    added: set[tuple[str, int]] = set()
    path = None
    for line in git(root, "diff", base, "-U0", "--no-color").splitlines():
        if line.startswith("+++ "):
            path = line[6:] if line.startswith("+++ b/") else None
        match = re.match(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", line)
        if match and path:
            start, count = int(match[1]), int(match[2] if match[2] is not None else 1)
            added.update((path, number) for number in range(start, start + count))
    return added


ANNOTATION = re.compile(r"^::(error|warning) (.*?)::(.*)$")


def assert_annotations_on_added_lines(root: Path) -> list[tuple[str, str, int, str]]:
    """Run the gate with --format github; every annotation's file,line is an added line (or the
    finding says why it has none). Returns (level, file, line, message) of each annotation."""
    code, output = gate(root, "github")
    assert code == 1, output
    added = added_lines(root)
    annotations = []
    for text in output.splitlines()[:-1]:
        match = ANNOTATION.match(text)
        assert match, text
        properties = dict(item.split("=", 1) for item in match.group(2).split(","))
        message = match.group(3).replace("%0A", "\n").replace("%25", "%")
        file, line = properties["file"].replace("%2C", ",").replace("%3A", ":"), int(properties.get("line", 0))
        assert (file, line) in added or "not on a line this change added" in message, (file, line, message, sorted(added))
        annotations.append((match.group(1), file, line, message))
    assert annotations
    return annotations


def by_rule(report: dict[str, Any], rule: str) -> list[dict[str, Any]]:
    return [f for f in report["findings"] if f["rule"] == rule]


def line_of(root: Path, path: str, text: str) -> int:
    return next(number for number, line in enumerate((root / path).read_text().splitlines(), 1) if text in line)


# --- the change's own findings ----------------------------------------------------------------


def test_one_import_breaking_four_rules_is_one_cause_located_on_the_added_line(tmp_path: Path) -> None:
    root = repository(tmp_path)
    add_violation(root)
    commit_all(root, "change")
    code, report = gate(root)
    assert code == 1
    findings = report["findings"]
    assert sorted(f["rule"] for f in findings) == ["acyclic", "allowed", "forbidden", "layers"]
    # The cycle closes at the import the change added, not at the old api -> domain import.
    assert {(f["path"], f["line"]) for f in findings} == {(PRICING, 2)}
    assert len({f["site"] for f in findings}) == 1 and findings[0]["site"] == f"{PRICING}:2:1"
    (cycle,) = by_rule(report, "acyclic")
    assert cycle["import"] == VIOLATION
    assert [hop["path"] for hop in cycle["chain"]] == ["shop/api/views.py", PRICING]  # still the whole cycle
    assert cycle["details"]["located"].startswith("at the import this change added to the cycle")
    annotations = assert_annotations_on_added_lines(root)
    assert len(annotations) == 1 and annotations[0][1:3] == (PRICING, 2)
    assert "breaks 4 rules" in annotations[0][3]


def test_the_agent_report_of_an_import_breaking_four_rules_is_one_item(tmp_path: Path, update_goldens: bool) -> None:
    root = repository(tmp_path)
    add_violation(root)
    commit_all(root, "change")
    code, text = gate(root, "agent")
    assert code == 1
    golden = Path(__file__).parent / "golden" / "gate" / "four-rules.agent.txt"
    if update_goldens:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")
    items = [line for line in text.splitlines() if re.match(r"^\d+\. ", line)]
    assert len(items) == 1
    assert "Found:" not in text and "shop.domain.pricing imports shop.api.views" not in text  # the remedy, not the message again


def test_an_old_cycle_keeps_its_place_and_says_why_when_the_change_added_no_line_to_it(tmp_path: Path) -> None:
    # The change deletes a module that broke the cycle's alternative: nothing it adds is on the cycle.
    files = {**FILES, PRICING: "from shop.domain.models import Order\nfrom shop.api.views import format_price\n"}
    root = init_repo(tmp_path / "repo", files, CONTRACT.replace('kind = "acyclic"', 'kind = "acyclic"\nname = "no cycles"'))
    git(root, "checkout", "-q", "-b", "change")
    edit_contract(root, 'domain = []', 'domain = []\ninfra = []')  # an unrelated contract edit: nothing new
    commit_all(root, "change")
    code, report = gate(root)
    assert (code, report["findings"]) == (0, [])


# --- silencing attempts -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("comment", "rules"),
    [("  # archguard: ignore needed", "every rule"), ("  # archguard: ignore[layers,allowed,acyclic,forbidden] x", "layers, allowed, acyclic, forbidden")],
)
def test_a_pragma_the_change_adds_is_a_finding_at_the_pragma_naming_what_it_hides(tmp_path: Path, comment: str, rules: str) -> None:
    root = repository(tmp_path)
    add_violation(root, comment)
    commit_all(root, "change")
    code, report = gate(root)
    assert code == 1
    (finding,) = report["findings"]
    assert (finding["rule"], finding["kind"], finding["severity"], finding["path"], finding["line"]) == ("new-suppression", "pragma", "error", PRICING, 2)
    assert f"this change adds a pragma ignore[{rules}] that hides 4 findings" in finding["message"]
    for hidden in ("layers · Clean layering", "allowed · allowed#2", "forbidden · Pure domain", "acyclic · acyclic#4"):
        assert hidden in finding["message"]
    assert finding["fix"]["action"].startswith("remove the pragma this change added and fix the import instead")
    assert len(report["suppressed"]) == 4  # what it hides is still listed
    annotations = assert_annotations_on_added_lines(root)
    assert [(level, file, line) for level, file, line, _ in annotations] == [("error", PRICING, 2)]


def test_an_old_pragma_on_an_untouched_line_is_not_the_changes_doing(tmp_path: Path) -> None:
    files = {**FILES, "shop/infra/db.py": "import sqlite3\nfrom shop.api import views  # archguard: ignore legacy debug hook\n"}
    root = repository(tmp_path, files=files)
    (root / "shop/infra/db.py").write_text("import sqlite3\n\nTIMEOUT = 3\nfrom shop.api import views  # archguard: ignore legacy debug hook\n")
    commit_all(root, "change")
    code, report = gate(root)
    assert code == 0, report["findings"]
    assert not by_rule(report, "new-suppression")


def test_an_old_pragma_in_a_file_the_change_only_moved_is_not_new(tmp_path: Path) -> None:
    # git mv makes every line of the file "added": the pragma it carries is still the base's.
    legacy = f"{VIOLATION}  # archguard: ignore legacy price hook, tracked in #12\n"
    root = repository(tmp_path, files={**FILES, "shop/domain/legacy.py": legacy})
    at_base = json.loads(run_cli("check", "--no-cache", "--format", "json", cwd=root).stdout)
    assert len(at_base["suppressed"]) == 3  # the pragma hides real findings (layers, allowed, forbidden)
    git(root, "mv", "shop/domain/legacy.py", "shop/domain/old_prices.py")
    commit_all(root, "move")
    code, report = gate(root)
    assert code == 0, report["findings"]
    assert not by_rule(report, "new-suppression")
    # A pragma the moving change adds in the moved file is still the change's doing.
    moved = root / "shop/domain/old_prices.py"
    moved.write_text(moved.read_text() + "from shop.api import views  # archguard: ignore shortcut\n")
    commit_all(root, "pragma")
    code, report = gate(root)
    assert code == 1
    assert [(f["path"], f["line"]) for f in by_rule(report, "new-suppression")] == [("shop/domain/old_prices.py", 2)]


def test_a_new_ignore_entry_is_a_finding_at_the_entry(tmp_path: Path) -> None:
    root = repository(tmp_path)
    add_violation(root)
    (root / "archguard.toml").write_text(CONTRACT + '\n[[ignore]]\nimport = "shop.domain.pricing -> shop.api.views"\nreason = "temporary"\n')
    commit_all(root, "change")
    code, report = gate(root)
    assert code == 1
    (finding,) = report["findings"]
    assert (finding["rule"], finding["kind"], finding["path"]) == ("new-suppression", "ignore", "archguard.toml")
    assert finding["line"] == line_of(root, "archguard.toml", 'import = "shop.domain.pricing -> shop.api.views"')
    assert "ignore entry 'shop.domain.pricing -> shop.api.views'" in finding["message"] and "hides 4 findings" in finding["message"]
    assert "shop.domain.pricing imports shop.api.views" in finding["message"]
    assert_annotations_on_added_lines(root)


def test_a_widened_ignore_entry_is_a_finding_at_the_entry(tmp_path: Path) -> None:
    legacy = CONTRACT + '\n[[ignore]]\nimport = "shop.infra.db -> shop.api.views"\nreason = "debug hook"\n'
    files = {**FILES, "shop/infra/db.py": "import sqlite3\nfrom shop.api import views\n"}
    root = repository(tmp_path, legacy, files)
    add_violation(root)
    edit_contract(root, 'import = "shop.infra.db -> shop.api.views"', 'import = "shop.** -> shop.api.views"')
    commit_all(root, "change")
    code, report = gate(root)
    assert code == 1
    (finding,) = report["findings"]
    assert (finding["rule"], finding["kind"]) == ("new-suppression", "ignore")
    assert "'shop.** -> shop.api.views'" in finding["message"]
    assert finding["line"] == line_of(root, "archguard.toml", "shop.** -> shop.api.views")
    assert_annotations_on_added_lines(root)


def test_removing_the_rules_a_new_import_breaks_is_contract_relaxed_at_the_import(tmp_path: Path) -> None:
    root = repository(tmp_path)
    add_violation(root)
    text = (root / "archguard.toml").read_text()
    (root / "archguard.toml").write_text(text[: text.index("[[rules]]")])  # every rule deleted
    commit_all(root, "change")
    code, report = gate(root)
    assert code == 1
    relaxed = by_rule(report, "contract-relaxed")
    assert len(relaxed) == 4 and {f["kind"] for f in relaxed} == {"removed"}
    assert {(f["path"], f["line"], f["severity"]) for f in relaxed} == {(PRICING, 2, "error")}
    expected = "(rule 'Clean layering' removed in archguard.toml): layers · Clean layering: shop.domain.pricing imports shop.api.views"
    assert any(expected in f["message"] for f in relaxed)
    annotations = assert_annotations_on_added_lines(root)
    assert len(annotations) == 1 and "4 findings" in annotations[0][3]


def test_loosening_a_rule_is_contract_relaxed(tmp_path: Path) -> None:
    root = repository(tmp_path)
    add_violation(root)
    edit_contract(root, 'to = ["api", "infra"]', 'to = ["infra"]')  # the forbidden rule no longer names api
    commit_all(root, "change")
    code, report = gate(root)
    assert code == 1
    (relaxed,) = by_rule(report, "contract-relaxed")
    assert (relaxed["kind"], relaxed["path"], relaxed["line"]) == ("loosened", PRICING, 2)
    assert "rule 'Pure domain' loosened in archguard.toml" in relaxed["message"]
    assert sorted(f["rule"] for f in report["findings"]) == ["acyclic", "allowed", "contract-relaxed", "layers"]
    assert_annotations_on_added_lines(root)


def test_a_change_cannot_switch_the_policy_off_for_itself(tmp_path: Path) -> None:
    root = repository(tmp_path)
    add_violation(root, "  # archguard: ignore needed")
    (root / "archguard.toml").write_text(CONTRACT + '\n[gate]\nsuppressions = "allow"\n')
    commit_all(root, "change")
    code, report = gate(root)
    assert code == 1  # the base's [gate] table decides
    assert [f["rule"] for f in report["findings"]] == ["new-suppression"]


def test_with_suppressions_allowed_the_gate_passes_and_lists_what_the_change_hides(tmp_path: Path) -> None:
    root = repository(tmp_path, CONTRACT + '\n[gate]\nsuppressions = "allow"\n')
    add_violation(root, "  # archguard: ignore[layers,allowed,acyclic,forbidden] the price formatter moves to domain in ARCH-7")
    commit_all(root, "change")
    code, report = gate(root)
    assert (code, report["findings"]) == (0, [])
    assert sorted(s["finding"]["rule"] for s in report["suppressed"]) == ["acyclic", "allowed", "forbidden", "layers"]


def test_with_suppressions_allowed_ignore_entries_and_relaxed_rules_are_listed_with_what_hid_them(tmp_path: Path) -> None:
    allow = '\n[gate]\nsuppressions = "allow"\n'
    root = repository(tmp_path / "ignore", CONTRACT + allow)
    add_violation(root)
    edit(root, {"archguard.toml": CONTRACT + allow + '\n[[ignore]]\nimport = "shop.domain.pricing -> shop.api.views"\nreason = "ARCH-7"\n'})
    commit_all(root, "change")
    code, report = gate(root)
    assert (code, report["findings"]) == (0, [])
    assert len(report["suppressed"]) == 4
    line = line_of(root, "archguard.toml", "import = ")
    assert {s["source"] for s in report["suppressed"]} == {
        f"ignore entry 'shop.domain.pricing -> shop.api.views' at archguard.toml:{line}, added or widened by this change"
    }
    root = repository(tmp_path / "loosened", CONTRACT + allow)
    add_violation(root)
    edit_contract(root, 'name = "Pure domain"\n', 'name = "Pure domain"\nseverity = "warning"\n')
    edit_contract(root, 'domain = []', 'domain = ["api"]')
    edit_contract(root, 'name = "Clean layering"\n', 'name = "Clean layering"\nseverity = "warning"\n')
    edit_contract(root, '[[rules]]\nkind = "acyclic"\nscope = "components"\n', "")
    commit_all(root, "change")
    code, report = gate(root)
    assert code == 0, report["findings"]
    assert [(f["rule"], f["severity"]) for f in report["findings"]] == [("forbidden", "warning"), ("layers", "warning")]
    sources = {s["source"] for s in report["suppressed"]}
    assert sources == {
        "rule 'Pure domain' loosened in archguard.toml by this change",
        "rule 'allowed#2' loosened in archguard.toml by this change",
        "rule 'Clean layering' loosened in archguard.toml by this change",
        "rule 'acyclic#4' removed in archguard.toml by this change",
    }


def test_lowering_a_rules_severity_is_contract_relaxed(tmp_path: Path) -> None:
    root = repository(tmp_path)
    add_violation(root)
    edit_contract(root, 'name = "Pure domain"\n', 'name = "Pure domain"\nseverity = "warning"\n')
    commit_all(root, "change")
    code, report = gate(root)
    assert code == 1
    (relaxed,) = by_rule(report, "contract-relaxed")
    assert (relaxed["kind"], relaxed["severity"]) == ("loosened", "error")
    assert "rule 'Pure domain' loosened in archguard.toml" in relaxed["message"]


def test_a_pragma_without_a_reason_is_an_error_even_when_suppressions_are_allowed(tmp_path: Path) -> None:
    root = repository(tmp_path, CONTRACT + '\n[gate]\nsuppressions = "allow"\n')
    add_violation(root, "  # archguard: ignore")
    commit_all(root, "change")
    code, report = gate(root)
    assert code == 1
    (finding,) = by_rule(report, "new-suppression")
    assert (finding["rule"], finding["severity"]) == ("new-suppression", "error")
    assert "without a reason" in finding["message"]


def test_suppressions_as_warnings_report_but_do_not_fail(tmp_path: Path) -> None:
    root = repository(tmp_path, CONTRACT + '\n[gate]\nsuppressions = "warning"\n')
    add_violation(root, "  # archguard: ignore needed for the demo")
    commit_all(root, "change")
    code, report = gate(root)
    assert code == 0
    assert [(f["rule"], f["severity"]) for f in report["findings"]] == [("new-suppression", "warning")]


def test_pragmas_switched_off_silence_nothing(tmp_path: Path) -> None:
    root = repository(tmp_path, CONTRACT + "\n[gate]\npragmas = false\n")
    add_violation(root, "  # archguard: ignore needed")
    commit_all(root, "change")
    proc = run_cli("check", "--no-cache", "-j", "1", "--format", "json", cwd=root)
    report = json.loads(proc.stdout)
    assert proc.returncode == 1
    assert sorted(f["rule"] for f in report["findings"]) == ["acyclic", "allowed", "forbidden", "layers"]
    assert report["suppressed"] == []


# --- baselines in the gate --------------------------------------------------------------------------


def baseline_repository(tmp_path: Path) -> Path:
    """A base with a legacy violation accepted in the baseline."""
    files = {**FILES, "shop/infra/db.py": "import sqlite3\nfrom shop.api import views\n"}
    root = init_repo(tmp_path / "repo", files, CONTRACT.replace('to = ["api", "infra"]', 'to = ["api"]'))
    assert run_cli("baseline", cwd=root).returncode == 0
    commit_all(root, "baseline")
    git(root, "checkout", "-q", "-b", "change")
    return root


def test_a_baseline_regenerated_in_the_change_does_not_hide_its_findings(tmp_path: Path) -> None:
    root = baseline_repository(tmp_path)
    add_violation(root)
    assert run_cli("baseline", cwd=root).returncode == 0
    commit_all(root, "change and a regenerated baseline")
    code, report = gate(root)
    assert code == 1
    (finding,) = report["findings"]
    assert (finding["rule"], finding["kind"], finding["path"]) == ("new-suppression", "baseline", "archguard-baseline.json")
    assert "this change adds 4 baseline entries for findings it introduced" in finding["message"]
    assert report["baseline"]["stale"] == [] and report["baseline"]["grown"] == 4
    assert_annotations_on_added_lines(root)
    text = gate(root, "text")[1]
    assert "no longer occur" not in text and "this change added 4 entries for findings it introduced" in text


def test_a_baseline_lists_no_legacy_entry_as_fixed_in_a_gate_run(tmp_path: Path) -> None:
    root = baseline_repository(tmp_path)
    add_violation(root)
    commit_all(root, "change")
    code, report = gate(root)
    assert code == 1
    assert sorted(f["rule"] for f in report["findings"]) == ["acyclic", "allowed", "forbidden", "layers"]
    assert report["baseline"]["stale"] == [] and report["baseline"]["grown"] == 0
    assert "no longer occur" not in gate(root, "text")[1]


# --- import-linter configurations ------------------------------------------------------------------

IMPORTLINTER = """
[importlinter]
root_package = shop

[importlinter:contract:layers]
name = Layers
type = layers
layers =
    shop.api
    shop.domain
ignore_imports =
    shop.infra.db -> shop.api.views
"""


def importlinter_repository(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    files = {**FILES, "shop/infra/db.py": "import sqlite3\nfrom shop.api import views\n", "setup.cfg": ""}
    init_repo(root, files, "")
    (root / "archguard.toml").unlink()
    (root / ".importlinter").write_text(textwrap.dedent(IMPORTLINTER).lstrip())
    commit_all(root, "import-linter")
    git(root, "checkout", "-q", "-b", "change")
    return root


def test_an_ignore_imports_entry_added_to_an_importlinter_config_is_judged_against_the_bases(tmp_path: Path) -> None:
    root = importlinter_repository(tmp_path)
    add_violation(root)
    text = (root / ".importlinter").read_text()
    (root / ".importlinter").write_text(text + "    shop.domain.pricing -> shop.api.views\n")
    commit_all(root, "change")
    code, report = gate(root)
    assert code == 1
    (finding,) = report["findings"]
    assert (finding["rule"], finding["kind"], finding["path"]) == ("new-suppression", "ignore", ".importlinter")
    assert finding["line"] == line_of(root, ".importlinter", "shop.domain.pricing -> shop.api.views")
    assert "shop.domain.pricing imports shop.api.views" in finding["message"]
    assert_annotations_on_added_lines(root)
    header = gate(root, "text")[1]
    assert "at the base: .importlinter at main" in header


def test_deleting_the_importlinter_contract_a_new_import_breaks_is_contract_relaxed(tmp_path: Path) -> None:
    root = importlinter_repository(tmp_path)
    add_violation(root)
    (root / ".importlinter").write_text(
        "[importlinter]\nroot_package = shop\n\n[importlinter:contract:other]\nname = Other\ntype = forbidden\n"
        "source_modules =\n    shop.infra\nforbidden_modules =\n    shop.domain\n"
    )
    commit_all(root, "change")
    code, report = gate(root)
    assert code == 1
    relaxed = by_rule(report, "contract-relaxed")
    assert [(f["kind"], f["path"], f["line"], f["severity"]) for f in relaxed] == [("removed", PRICING, 2, "error")]
    assert "rule 'Layers' removed in .importlinter" in relaxed[0]["message"]
    assert_annotations_on_added_lines(root)
