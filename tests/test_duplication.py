"""Clone groups and the duplication rule, on fake packages written to tmp_path."""

from __future__ import annotations

import hashlib
import json
import textwrap
from array import array
from itertools import combinations
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from archguard.analysis.cache import ResultCache
from archguard.analysis.clones import CloneReport, added_clones, collect_units, find_clones, new_since
from archguard.analysis.clones.detect import _similar_items
from archguard.analysis.clones.model import SearchStats
from archguard.analysis.clones.nearmiss import similar_pairs
from archguard.contract.loading import load_contract
from archguard.contract.models import DuplicationConfig
from archguard.engine.pipeline import Analysis, RunOptions, analyze
from tests.helpers import make_project, run_check, run_cli, write_tree

CONTRACT = """
[components]
orders = {{ modules = ["shop.orders"] }}
billing = {{ modules = ["shop.billing"] }}

[duplication]
{duplication}
"""

PACKAGES = {
    "src/shop/__init__.py": "",
    "src/shop/orders/__init__.py": "",
    "src/shop/billing/__init__.py": "",
}

# A real-looking function of 13 code lines, used as the original in most tests.
ORIGINAL = '''
def summarize_orders(orders, currency="EUR"):
    """Totals per customer."""
    totals = {}
    for order in orders:
        if order.cancelled:
            continue
        customer = order.customer_id
        amount = order.quantity * order.unit_price
        if order.discount:
            amount = amount - amount * order.discount / 100
        totals[customer] = totals.get(customer, 0) + amount
    report = []
    for customer, amount in sorted(totals.items()):
        report.append({"customer": customer, "total": round(amount, 2), "currency": currency})
    return report
'''

# The same code with every name changed consistently, other literals, other layout.
RENAMED = """
def customer_totals(rows, money='USD'):
    # agent-written
    sums = {}
    for row in rows:
        if row.cancelled:
            continue
        who = row.customer_id
        value = row.quantity * row.unit_price
        if row.discount:
            value = value - value * row.discount / 50
        sums[who] = sums.get(who, 0) + value
    out = []
    for who, value in sorted(sums.items()):
        out.append({'customer': who, 'total': round(value, 3), 'currency': money})
    return out
"""

# The same code with one statement added and one changed: a near-miss clone.
NEAR_MISS = """
def summarize_orders_v2(orders, currency="EUR"):
    totals = {}
    for order in orders:
        if order.cancelled or order.is_test:
            continue
        customer = order.customer_id
        amount = order.quantity * order.unit_price
        if order.discount:
            amount = amount - amount * order.discount / 100
        totals[customer] = totals.get(customer, 0) + amount
    report = []
    for customer, amount in sorted(totals.items()):
        report.append({"customer": customer, "total": round(amount, 2), "currency": currency})
    log.debug("summarized %d customers", len(report))
    return report
"""

# Similar size, different code.
UNRELATED = """
def parse_header(line, separator=":"):
    if separator not in line:
        raise ValueError(f"not a header: {line!r}")
    name, _, value = line.partition(separator)
    name = name.strip().lower().replace("_", "-")
    value = value.strip()
    if value.startswith('"') and value.endswith('"'):
        value = value[1:-1]
    if not name:
        raise ValueError("empty header name")
    aliases = {"content-len": "content-length", "ctype": "content-type"}
    name = aliases.get(name, name)
    return name, value
"""


def source(*functions: str, header: str = "") -> str:
    return header + "\n\n".join(textwrap.dedent(f).strip("\n") for f in functions) + "\n"


def project(tmp_path: Path, files: dict[str, str], duplication: str = "") -> Path:
    return make_project(tmp_path, {**PACKAGES, **files}, CONTRACT.format(duplication=duplication))


def report_for(root: Path, **overrides: object) -> tuple[CloneReport, Analysis]:
    loaded = load_contract(root / "archguard.toml")
    analysis = analyze(loaded, RunOptions(jobs=1, use_cache=False))
    config = loaded.contract.duplication.model_copy(update=overrides)
    return find_clones(analysis.facts, analysis.paths, analysis.components.component_of, config), analysis


def locations(report: CloneReport) -> list[tuple[str, list[str]]]:
    return [(group.clone_type, [f"{u.path}:{u.line}" for u in group.units]) for group in report.groups]


def test_exact_clone_across_components_is_an_error_at_both_locations(tmp_path: Path) -> None:
    reformatted = ORIGINAL.replace('"EUR"', "'EUR'").replace("    totals = {}\n", "    totals = {}  # per customer\n\n")
    root = project(
        tmp_path,
        {"src/shop/orders/report.py": source(ORIGINAL), "src/shop/billing/summary.py": source("import logging", reformatted)},
    )
    result = run_check(root)
    found = [(f.path, f.line, dict(f.details)["clone_type"], f.severity) for f in result.findings if f.rule == "duplication"]
    assert found == [
        ("src/shop/billing/summary.py", 3, "exact", "error"),
        ("src/shop/orders/report.py", 1, "exact", "error"),
    ]
    by_path = {f.path: f for f in result.findings if f.rule == "duplication"}
    assert by_path["src/shop/billing/summary.py"].message == (
        "function `summarize_orders` (14 lines) duplicates code that already exists at "
        "src/shop/orders/report.py:1 `summarize_orders` (exact copy); the copies span components billing, orders"
    )
    assert result.exit_code == 1


def test_renamed_variable_clone_is_found_and_typed_renamed(tmp_path: Path) -> None:
    root = project(tmp_path, {"src/shop/orders/report.py": source(ORIGINAL), "src/shop/orders/totals.py": source(RENAMED)})
    report, _ = report_for(root)
    assert locations(report) == [("renamed", ["src/shop/orders/report.py:1", "src/shop/orders/totals.py:1"])]
    assert report.groups[0].cross_component is False


def test_within_component_clones_are_warnings_and_can_be_turned_off(tmp_path: Path) -> None:
    files = {"src/shop/orders/report.py": source(ORIGINAL), "src/shop/orders/totals.py": source(RENAMED)}
    result = run_check(project(tmp_path / "a", files))
    assert {f.severity for f in result.findings if f.rule == "duplication"} == {"warning"}
    assert result.exit_code == 0 or any(f.rule != "duplication" for f in result.errors)
    quiet = run_check(project(tmp_path / "b", files, 'within_component = "off"'))
    assert [f for f in quiet.findings if f.rule == "duplication"] == []


def test_near_miss_is_found_above_the_threshold_and_not_below_it(tmp_path: Path) -> None:
    root = project(tmp_path, {"src/shop/orders/report.py": source(ORIGINAL), "src/shop/billing/summary.py": source(NEAR_MISS)})
    loose, _ = report_for(root, similarity=0.5)
    assert [group.clone_type for group in loose.groups] == ["near-miss"]
    measured = loose.groups[0].similarity
    assert 0.75 < measured < 1.0
    above, _ = report_for(root, similarity=round(measured - 0.01, 4))
    below, _ = report_for(root, similarity=round(measured + 0.01, 4))
    assert locations(above) == [("near-miss", ["src/shop/billing/summary.py:1", "src/shop/orders/report.py:1"])]
    # below the functions' similarity they are no longer clones (their first loops still are)
    assert [[u.kind for u in group.units] for group in below.groups] == [["block", "block"]]
    assert below.groups[0].similarity > measured + 0.01


def test_a_mixed_group_names_how_each_other_copy_relates(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        {
            "src/shop/orders/report.py": source(ORIGINAL),
            "src/shop/billing/summary.py": source(RENAMED),
            "src/shop/orders/stats.py": source(NEAR_MISS),
        },
    )
    result = run_check(root)
    message = next(f.message for f in result.findings if f.path == "src/shop/billing/summary.py")
    assert "src/shop/orders/report.py:1 `summarize_orders` (renamed copy)" in message
    # one condition changed, one statement added: two places differ
    assert "src/shop/orders/stats.py:1 `summarize_orders_v2` (similar: 2 places differ)" in message


def test_similar_size_code_that_is_not_a_clone_is_not_reported(tmp_path: Path) -> None:
    root = project(tmp_path, {"src/shop/orders/report.py": source(ORIGINAL), "src/shop/billing/headers.py": source(UNRELATED)})
    report, _ = report_for(root, similarity=0.6)
    assert report.groups == ()


def test_nested_blocks_of_a_reported_clone_are_not_reported_again(tmp_path: Path) -> None:
    root = project(tmp_path, {"src/shop/orders/report.py": source(ORIGINAL), "src/shop/billing/summary.py": source(RENAMED)})
    report, _ = report_for(root, min_lines=2, min_tokens=10)
    # the for-loops and ifs inside both functions are clones too; only the functions are reported
    assert locations(report) == [("renamed", ["src/shop/billing/summary.py:1", "src/shop/orders/report.py:1"])]


def test_a_block_copied_into_third_code_is_reported_once_at_the_new_place(tmp_path: Path) -> None:
    loop = textwrap.dedent(ORIGINAL).split("\n")[4:13]  # the first for-loop, 9 lines
    third = "def rebuild(orders, totals):\n    audit(orders)\n" + "\n".join(loop) + "\n    return totals\n"
    root = project(
        tmp_path,
        {
            "src/shop/orders/report.py": source(ORIGINAL),
            "src/shop/billing/summary.py": source(RENAMED),
            "src/shop/billing/rebuild.py": third,
        },
    )
    result = run_check(root)
    found = sorted((f.path, f.line, f.kind) for f in result.findings if f.rule == "duplication")
    assert found == [
        ("src/shop/billing/rebuild.py", 3, "clone"),  # the copied loop, named with both other copies
        ("src/shop/billing/summary.py", 1, "clone"),
        ("src/shop/orders/report.py", 1, "clone"),
    ]
    loop_finding = next(f for f in result.findings if f.path == "src/shop/billing/rebuild.py")
    assert loop_finding.message.startswith("the `for` block at line 3 of `rebuild` (8 lines) duplicates code")
    assert loop_finding.message.endswith(
        "already exists at src/shop/billing/summary.py:4 (`for` block of `customer_totals`; renamed copy), "
        "src/shop/orders/report.py:4 (`for` block of `summarize_orders`; exact copy); the copies span components billing, orders"
    )


def test_tests_generated_files_and_ignored_paths_are_left_out_unless_asked(tmp_path: Path) -> None:
    files = {
        "src/shop/orders/report.py": source(ORIGINAL),
        "src/shop/orders/tests/test_report.py": source(RENAMED),
        "src/shop/orders/tests/__init__.py": "",
        "src/shop/billing/generated.py": source(RENAMED, header="# Code generated by protoc. DO NOT EDIT.\n"),
        "src/shop/billing/legacy/old.py": source(RENAMED),
        "src/shop/billing/legacy/__init__.py": "",
    }
    root = project(tmp_path, files, 'ignore = ["**/legacy/**"]')
    report, _ = report_for(root)
    assert report.groups == ()
    with_tests, _ = report_for(root, include_tests=True)
    assert locations(with_tests) == [("renamed", ["src/shop/orders/report.py:1", "src/shop/orders/tests/test_report.py:1"])]


def test_scopes_and_sizes_limit_what_is_compared(tmp_path: Path) -> None:
    root = project(tmp_path, {"src/shop/orders/report.py": source(ORIGINAL), "src/shop/billing/summary.py": source(RENAMED)})
    assert report_for(root, scopes=["methods", "classes"])[0].groups == ()
    assert report_for(root, min_lines=15)[0].groups == ()  # the functions have 14 lines of code
    assert report_for(root, min_tokens=500)[0].groups == ()
    blocks_only, _ = report_for(root, scopes=["blocks"], min_lines=3, min_tokens=20)
    assert {group.units[0].kind for group in blocks_only.groups} == {"block"}


def test_methods_and_classes_are_clones_too(tmp_path: Path) -> None:
    method = textwrap.indent(textwrap.dedent(ORIGINAL).replace("(orders,", "(self, orders,"), "    ")
    root = project(
        tmp_path,
        {
            "src/shop/orders/service.py": "class OrderService:\n" + method,
            "src/shop/billing/service.py": "class BillingService:\n" + method.replace("orders", "items"),
        },
    )
    report, _ = report_for(root)
    assert [(group.clone_type, [u.kind for u in group.units]) for group in report.groups] == [("renamed", ["class", "class"])]


def test_fingerprints_survive_unrelated_edits_and_change_with_the_clone(tmp_path: Path) -> None:
    files = {"src/shop/orders/report.py": source(ORIGINAL), "src/shop/billing/summary.py": source(RENAMED)}
    before = {f.path: f.fingerprint for f in run_check(project(tmp_path / "a", files)).findings if f.rule == "duplication"}
    shifted = {**files, "src/shop/billing/summary.py": source("import os", "X = 1", RENAMED, UNRELATED)}
    after = {f.path: (f.fingerprint, f.line) for f in run_check(project(tmp_path / "b", shifted)).findings if f.rule == "duplication"}
    assert {path: fingerprint for path, (fingerprint, _line) in after.items()} == before
    assert after["src/shop/billing/summary.py"][1] == 5
    edited = {**files, "src/shop/billing/summary.py": source(RENAMED.replace("round(value, 3)", "round(value, 3) or 0"))}
    changed = {
        f.path: f.fingerprint
        for f in run_check(
            project(tmp_path / "c", edited),
        ).findings
        if f.rule == "duplication"
    }
    assert changed["src/shop/orders/report.py"] == before["src/shop/orders/report.py"]
    assert changed["src/shop/billing/summary.py"] != before["src/shop/billing/summary.py"]


def test_pragma_in_the_copy_silences_that_location_only(tmp_path: Path) -> None:
    pragma = RENAMED.replace("    # agent-written", "    # archguard: ignore[duplication] kept on purpose until ARCH-7")
    root = project(tmp_path, {"src/shop/orders/report.py": source(ORIGINAL), "src/shop/billing/summary.py": source(pragma)})
    result = run_check(root)
    assert [f.path for f in result.findings if f.rule == "duplication"] == ["src/shop/orders/report.py"]
    assert [s.finding.path for s in result.suppressed] == ["src/shop/billing/summary.py"]


def test_added_clones_names_the_existing_code_for_new_units_only(tmp_path: Path) -> None:
    base_root = project(tmp_path / "base", {"src/shop/orders/report.py": source(ORIGINAL)})
    head_root = project(tmp_path / "head", {"src/shop/orders/report.py": source(ORIGINAL), "src/shop/billing/summary.py": source(RENAMED)})
    _, base = report_for(base_root)
    head_report, _ = report_for(head_root)
    base_units, _ = collect_units(base.facts, base.paths, base.components.component_of, DuplicationConfig())
    added = added_clones(head_report, new_since(base_units))
    assert [(a.unit.path, [u.label for u in a.existing], a.also_new) for a in added] == [
        ("src/shop/billing/summary.py", ["src/shop/orders/report.py:1 `summarize_orders`"], ())
    ]


def test_a_large_generated_style_file_needs_no_pairwise_comparison(tmp_path: Path) -> None:
    count = 1000
    handlers = "\n\n".join(
        f"def handler_{i}(request, value):\n"
        f"    result = request.lookup_{i}(value)\n"
        f"    if result is None:\n"
        f"        result = request.default_{i}\n"
        f"        request.warn_{i}(value)\n"
        f"    request.log_{i}(result)\n"
        f"    return result.render_{i}()\n"
        for i in range(count)
    )
    root = project(tmp_path, {"src/shop/orders/handlers.py": handlers})
    report, _ = report_for(root, min_lines=5, min_tokens=20)
    stats = report.stats
    assert stats.units == count
    assert stats.classes == count
    # all pairs would be ~500,000 comparisons; the prefix index finds no candidate pair at all
    assert stats.candidates == 0 and stats.comparisons == 0
    assert report.groups == ()


def test_thousands_of_inconsistently_renamed_copies_cost_no_comparison(tmp_path: Path) -> None:
    count = 800
    copies = "\n\n".join(
        f"def f_{i}(a, b):\n    x = a + b\n    y = a * {'x' if i % 2 else 'b'}\n    z = x - y\n    w = {'z' if i % 3 else 'a'} / 2\n    return w\n"
        for i in range(count)
    )
    root = project(tmp_path, {"src/shop/orders/copies.py": copies})
    report, _ = report_for(root, min_lines=5, min_tokens=20)
    assert report.stats.comparisons == 0
    assert [(group.clone_type, len(group.units)) for group in report.groups] == [("near-miss", count)]


def test_the_candidate_cap_bounds_the_worst_case() -> None:
    base = set(range(1000, 1020))
    items = [frozenset(base | {i}) for i in range(400)]  # every pair is 95% similar
    stats = SearchStats()
    pairs = similar_pairs(items, 0.85, stats, max_candidates=25)
    assert stats.capped > 0
    assert stats.candidates > 400 * 399 // 4  # the index offers (nearly) every pair ...
    assert stats.comparisons <= 25 * len(items)  # ... the cap verifies a bounded number
    assert len(pairs) == stats.comparisons  # every verified candidate really is similar
    linked = {i for pair in pairs for i in pair[:2]}
    assert linked == set(range(len(items)))  # still one group: every item is linked


def test_the_report_is_cached_between_runs_and_a_corrupt_entry_is_ignored(tmp_path: Path) -> None:
    root = project(tmp_path, {"src/shop/orders/report.py": source(ORIGINAL), "src/shop/billing/summary.py": source(NEAR_MISS)})
    cache_dir = tmp_path / "cache"
    first = run_check(root, use_cache=True, cache_dir=cache_dir)
    stored = ResultCache(cache_dir, "clones").path
    assert stored.is_file()
    second = run_check(root, use_cache=True, cache_dir=cache_dir)
    assert [f.to_json() for f in second.findings] == [f.to_json() for f in first.findings]
    stored.write_bytes(stored.read_bytes()[:-5] + b"xxxxx")
    third = run_check(root, use_cache=True, cache_dir=cache_dir)
    assert [f.to_json() for f in third.findings] == [f.to_json() for f in first.findings]


def test_disabled_duplication_extracts_no_clone_facts(tmp_path: Path) -> None:
    files = {"src/shop/orders/report.py": source(ORIGINAL), "src/shop/billing/summary.py": source(RENAMED)}
    root = project(tmp_path, files, 'enabled = false\n[drift]\nvacuous = "warning"')
    result = run_check(root)  # nothing else to check: without "warning" the run would be exit 2
    assert [f for f in result.findings if f.rule == "duplication"] == []
    assert all(facts.get_extra("clones") is None for facts in result.analysis.facts.values())


def test_dupes_command_lists_groups_with_locations_and_exits_1_on_errors(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        {
            "src/shop/orders/report.py": source(ORIGINAL, UNRELATED),
            "src/shop/billing/summary.py": source(RENAMED),
            "src/shop/orders/headers.py": source(UNRELATED.replace("parse_header", "read_header")),
        },
    )
    done = run_cli("dupes", "--no-cache", cwd=root)
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith("archguard dupes · archguard.toml · 2 clone groups (1 across components)")
    first = lines.index(next(line for line in lines if line.startswith("1. ")))
    assert "across components: billing, orders" in lines[first] and "error" in lines[first]
    assert "src/shop/billing/summary.py:1-15  function `customer_totals` [billing] 14 lines, 113 tokens" in lines[first + 1]
    assert "within orders" in next(line for line in lines if line.startswith("2. "))
    as_json = run_cli("dupes", "--no-cache", "--format", "json", cwd=root)
    data = json.loads(as_json.stdout)
    assert data["schema"] == "archguard-dupes/1"
    assert [(g["type"], g["cross_component"], g["severity"], [loc["path"] for loc in g["locations"]]) for g in data["groups"]] == [
        ("renamed", True, "error", ["src/shop/billing/summary.py", "src/shop/orders/report.py"]),
        ("renamed", False, "warning", ["src/shop/orders/headers.py", "src/shop/orders/report.py"]),
    ]
    assert data["groups"][1]["locations"][1]["name"] == "parse_header"
    only_big = run_cli("dupes", "--no-cache", "--min-lines", "15", cwd=root)
    assert only_big.returncode == 0 and "0 clone groups" in only_big.stdout


@settings(max_examples=60)
@given(
    st.lists(st.frozensets(st.integers(0, 60), max_size=30), min_size=2, max_size=40),
    st.sampled_from([0.5, 0.7, 0.85, 0.9, 1.0]),
)
def test_the_prefix_index_finds_exactly_the_pairs_that_all_pairs_comparison_finds(items: list[frozenset[int]], threshold: float) -> None:
    found = {(left, right) for left, right, _ in similar_pairs(items, threshold, SearchStats())}
    expected = {
        (left, right)
        for left, right in combinations(range(len(items)), 2)
        if items[left] and items[right] and 2 * len(items[left] & items[right]) / (len(items[left]) + len(items[right])) >= threshold - 1e-12
    }
    assert found == expected


class _Memory:
    """A ResultStore in a dict, counting what the search stores."""

    def __init__(self) -> None:
        self.values: dict[str, object] = {}

    def get(self, key: str) -> object:
        return self.values.get(key)

    def put(self, key: str, value: object) -> None:
        self.values[key] = value


def _keyed(items: list[frozenset[int]]) -> tuple[list[array[int]], list[bytes]]:
    arrays = [array("I", sorted(item)) for item in items]
    return arrays, [hashlib.blake2b(values.tobytes(), digest_size=16).digest() for values in arrays]


@settings(max_examples=80)
@given(
    st.lists(st.frozensets(st.integers(0, 40), max_size=25), min_size=1, max_size=30, unique=True),
    st.lists(st.frozensets(st.integers(0, 40), max_size=25), max_size=8, unique=True),
    st.sets(st.integers(0, 29)),
    st.sampled_from([0.5, 0.7, 0.85, 1.0]),
)
def test_the_incremental_search_finds_what_a_whole_search_finds(
    before: list[frozenset[int]], added: list[frozenset[int]], removed: set[int], threshold: float
) -> None:
    # A search of the tree before a change is remembered; after the change (items removed,
    # items added, the rest in a new order) only the new items are looked up.
    memory = _Memory()
    items, keys = _keyed(before)
    _similar_items(items, keys, threshold, SearchStats(), memory)
    after = [item for index, item in enumerate(before) if index not in removed]
    after = sorted(set(after) | set(added), key=lambda item: (len(item), sorted(item)))
    items, keys = _keyed(after)
    incremental_stats = SearchStats()
    incremental = _similar_items(items, keys, threshold, incremental_stats, memory)
    whole = similar_pairs(items, threshold, SearchStats())
    assert incremental == whole
    new = [item for item in after if item not in before]
    if len(new) < len(after) and len(new) <= 200:
        assert incremental_stats.reused == len([p for p in whole if after[p[0]] in before and after[p[1]] in before])


UNRELATED = """
def parse_header(line, separator=":"):
    name, _, value = line.partition(separator)
    name = name.strip().lower()
    if not name or any(ch.isspace() for ch in name):
        raise ValueError(f"bad header name in {line!r}")
    value = value.strip()
    while value.endswith(";"):
        value = value[:-1].rstrip()
    return name, value
"""


def test_a_changed_tree_compares_only_its_new_code_and_reports_the_same_groups(tmp_path: Path) -> None:
    files = {
        "src/shop/orders/report.py": source(ORIGINAL),
        "src/shop/billing/summary.py": source(NEAR_MISS),
        "src/shop/billing/other.py": source(RENAMED),
    }
    root = project(tmp_path, files)
    cache_dir = tmp_path / "cache"
    run_check(root, use_cache=True, cache_dir=cache_dir)
    # A change: new code unlike the rest, and a statement more in the near-miss copy.
    (root / "src/shop/billing/summary.py").write_text(source(NEAR_MISS).replace("    return ", "    print(orders)\n    return ", 1))
    (root / "src/shop/billing/new.py").write_text(source(UNRELATED))
    loaded = load_contract(root / "archguard.toml")
    analysis = analyze(loaded, RunOptions(use_cache=True, cache_dir=cache_dir))
    config = loaded.contract.duplication
    args = (analysis.facts, analysis.paths, analysis.components.component_of, config)
    incremental = find_clones(*args, memory=ResultCache(cache_dir, "clone-pairs"))
    whole = find_clones(*args)
    assert incremental.groups == whole.groups and len(whole.groups) == 1
    assert incremental.stats.reused == 1  # a similar pair in code the change left alone
    assert incremental.stats.near_pairs == whole.stats.near_pairs == 2


def test_after_a_small_change_only_the_new_items_are_compared() -> None:
    # 200 overlapping windows: each shares 18 of 20 shingles with its neighbour (Dice 0.9).
    before = [frozenset(range(start, start + 20)) for start in range(0, 400, 2)]
    memory = _Memory()
    items, keys = _keyed(before)
    whole_stats = SearchStats()
    whole = _similar_items(items, keys, 0.85, whole_stats, memory)
    assert len(whole) == 199 and whole_stats.comparisons >= 199
    after = [*before[:100], frozenset(range(1000, 1020)), frozenset(range(1001, 1021)), *before[100:]]
    items, keys = _keyed(after)
    stats = SearchStats()
    pairs = _similar_items(items, keys, 0.85, stats, memory)
    assert pairs == similar_pairs(items, 0.85, SearchStats())
    assert stats.reused == 199 and stats.comparisons == 1  # the two new windows, with each other


def test_the_result_cache_keeps_the_latest_few_results(tmp_path: Path) -> None:
    store = ResultCache(tmp_path, "clones")
    for index in range(ResultCache.KEEP + 1):
        store.put(f"tree-{index}", {"groups": index})
    # both sides of a diff (base and working tree) stay cached; the oldest result is dropped
    assert store.get(f"tree-{ResultCache.KEEP}") == {"groups": ResultCache.KEEP}
    assert store.get("tree-1") == {"groups": 1}
    assert store.get("tree-0") is None
    store.put("tree-1", {"groups": "again"})
    assert store.get("tree-1") == {"groups": "again"}


def test_the_report_key_depends_on_the_inputs_values_not_on_shared_objects() -> None:
    # The base side of a diff builds its units from two sources (the head's facts and the
    # base's cache), so equal strings are separate objects there; the key must not notice.
    from archguard.analysis.clones.detect import _report_key
    from archguard.analysis.clones.units import SourceStreams

    def source(path: str, fingerprint: str = "f" * 32, component: str | None = "core") -> SourceStreams:
        return SourceStreams(path=path, module="pkg.mod", component=component, shingles=b"", units=(), fingerprint=fingerprint)

    shared = [source("pkg/mod.py")]
    separate = [source("".join(["pkg/", "mod.py"]), "".join(["f" * 16, "f" * 16]))]
    assert shared == separate and shared[0].path is not separate[0].path
    key = _report_key(shared, DuplicationConfig())
    assert key == _report_key(separate, DuplicationConfig())
    # Every input that decides the units or the search changes the key.
    assert key != _report_key([], DuplicationConfig())
    assert key != _report_key([source("pkg/mod.py", fingerprint="0" * 32)], DuplicationConfig())
    assert key != _report_key([source("pkg/mod.py", component="web")], DuplicationConfig())
    assert key != _report_key([source("pkg/other.py")], DuplicationConfig())
    for change in ({"min_lines": 7}, {"min_tokens": 51}, {"scopes": ["functions"]}, {"similarity": 0.9}):
        assert key != _report_key(shared, DuplicationConfig(**change)), change


def test_the_search_windows_are_unpacked_only_when_asked_and_give_the_same_postings() -> None:
    from archguard.analysis.clones.detect import _Windows
    from archguard.analysis.clones.nearmiss import postings_of

    def stream(values: list[int]) -> bytes:
        return b"".join(value.to_bytes(4, "little") for value in values)  # as the extractor stores them

    streams = {"a.py": stream([7, 8, 7, 9, 10, 4_000_000_000]), "b.py": stream([9, 9, 11])}
    windows = _Windows(streams, [("a.py", 0, 4), ("a.py", 2, 6), ("b.py", 0, 3), ("b.py", 1, 1)])
    wanted = {7, 9, 11, 12}
    postings = windows.postings(wanted)  # from the raw windows: no item is built for it
    assert len(windows) == 4 and not windows._items
    assert sorted(windows[1]) == [7, 9, 10, 4_000_000_000] and set(windows._items) == {1}
    built = [sorted(windows[item]) for item in range(len(windows))]
    assert built == [[7, 8, 9], [7, 9, 10, 4_000_000_000], [9, 11], []]
    assert postings == postings_of(built, wanted) == {7: [0, 1], 9: [0, 1, 2], 11: [2], 12: []}


def three_copies_and_a_local_pair(tmp_path: Path) -> Path:
    """A group of four copies across components (one renamed, one similar), and one pair of
    copies inside the orders component (a warning)."""
    return project(
        tmp_path,
        {
            "src/shop/orders/report.py": source(ORIGINAL, UNRELATED),
            "src/shop/billing/summary.py": source(RENAMED),
            "src/shop/billing/other.py": source(ORIGINAL.replace("summarize_orders", "summarize_all")),
            "src/shop/orders/stats.py": source(NEAR_MISS),
            "src/shop/orders/headers.py": source(UNRELATED.replace("parse_header", "read_header")),
        },
    )


def test_check_reports_each_clone_group_once_at_its_first_copy_naming_the_others(tmp_path: Path) -> None:
    root = three_copies_and_a_local_pair(tmp_path)
    text = run_cli("check", "--no-cache", cwd=root)
    assert text.returncode == 1, text.stderr
    listed = [line for line in text.stdout.splitlines() if "duplicates code that already exists" in line]
    assert listed == [
        "  src/shop/billing/other.py:1:1 error duplication: function `summarize_all` (14 lines) duplicates code that already "
        "exists at src/shop/billing/summary.py:1 `customer_totals` (renamed copy), src/shop/orders/report.py:1 "
        "`summarize_orders` (renamed copy), src/shop/orders/stats.py:1 `summarize_orders_v2` (similar: 2 places differ); "
        "the copies span components billing, orders"
    ]
    data = json.loads(run_cli("check", "--no-cache", "--format", "json", cwd=root).stdout)
    clones = [f for f in data["findings"] if f["rule"] == "duplication"]
    assert [(f["path"], [r["path"] for r in f["related"]]) for f in clones] == [
        ("src/shop/billing/other.py", ["src/shop/billing/summary.py", "src/shop/orders/report.py", "src/shop/orders/stats.py"]),
        ("src/shop/orders/headers.py", ["src/shop/orders/report.py"]),
    ]
    assert (data["summary"]["errors"], data["summary"]["warnings"]) == (2, 1)  # unmapped `shop`, the group; the local pair
    sarif = json.loads(run_cli("check", "--no-cache", "--format", "sarif", cwd=root).stdout)
    results = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "duplication"]
    assert len(results) == 2
    related = results[0]["relatedLocations"]
    assert [(r["physicalLocation"]["artifactLocation"]["uri"], r["physicalLocation"]["region"]["startLine"], r["message"]["text"]) for r in related] == [
        ("src/shop/billing/summary.py", 1, "`customer_totals` (renamed copy)"),
        ("src/shop/orders/report.py", 1, "`summarize_orders` (renamed copy)"),
        ("src/shop/orders/stats.py", 1, "`summarize_orders_v2` (similar: 2 places differ)"),
    ]


def test_within_component_clones_are_one_summary_line_unless_all_clones_is_asked(tmp_path: Path) -> None:
    root = three_copies_and_a_local_pair(tmp_path)
    summarised = run_cli("check", "--no-cache", cwd=root).stdout
    assert "read_header" not in summarised
    assert "  1 clone group within components (warnings): `archguard dupes` lists them; `archguard check --all-clones` lists them here" in summarised
    assert "✗ 2 errors in 2 rules, 1 warning" in summarised  # the summary still counts it
    detailed = run_cli("check", "--no-cache", "--all-clones", cwd=root).stdout
    assert (
        "src/shop/orders/headers.py:1:1 warning duplication: function `read_header` (9 lines) duplicates code that already "
        "exists at src/shop/orders/report.py:17 `parse_header` (renamed copy)"
    ) in detailed
    assert "clone group within components" not in detailed
    markdown = run_cli("check", "--no-cache", "--format", "markdown", cwd=root).stdout
    assert "read\\_header" not in markdown and "⚠️ 1 clone group within components (warnings)" in markdown
    assert "read\\_header" in run_cli("check", "--no-cache", "--format", "markdown", "--all-clones", cwd=root).stdout


def test_quiet_check_shows_the_errors_only(tmp_path: Path) -> None:
    root = three_copies_and_a_local_pair(tmp_path)
    quiet = run_cli("check", "--no-cache", "-q", "--all-clones", cwd=root)
    assert quiet.returncode == 1
    lines = quiet.stdout.splitlines()
    assert [line.split(" ")[3] for line in lines] == ["error", "error"]
    assert "warning" not in quiet.stdout and "clone group" not in quiet.stdout and quiet.stderr == ""


def test_labels_never_read_as_internal_names_or_rounded_similarity(tmp_path: Path) -> None:
    # A copy with one edited line in 14 is similar, not "near-miss, 100% similar".
    almost = ORIGINAL.replace("summarize_orders", "summarize_orders_again").replace("round(amount, 2)", "round(amount + 0, 2)")
    root = project(
        tmp_path,
        {"src/shop/orders/report.py": source(ORIGINAL), "src/shop/billing/summary.py": source(almost)},
    )
    result = run_cli("check", "--no-cache", cwd=root).stdout
    assert "(similar: 1 place differs)" in result
    assert "% similar" not in result and "near-miss" not in result
    dupes = run_cli("dupes", "--no-cache", cwd=root).stdout
    assert "1. similar copies (" in dupes and "% shared)" in dupes and "100%" not in dupes and "near-miss" not in dupes


def test_swapped_statements_are_similar_and_said_to_differ(tmp_path: Path) -> None:
    # Two independent statements in the other order: every line is shared, but the copy is not
    # the same code, and the label says so instead of "only names differ".
    lines = ORIGINAL.splitlines(keepends=True)
    first = lines.index("        customer = order.customer_id\n")
    lines[first], lines[first + 1] = lines[first + 1], lines[first]
    swapped = "".join(lines).replace("summarize_orders", "summarize_orders_again")
    root = project(tmp_path, {"src/shop/orders/report.py": source(ORIGINAL), "src/shop/billing/summary.py": source(swapped)})
    result = run_cli("check", "--no-cache", cwd=root).stdout
    assert "(similar: the same statements in another order)" in result
    assert "only names differ" not in result


def test_dupes_on_a_folder_the_contract_does_not_analyse_reads_that_folder(tmp_path: Path) -> None:
    # A scratch or vendored checkout inside the project, outside the contract's roots: the
    # contract applies to none of its files, so dupes analyses the folder itself (and says so)
    # instead of answering "0 clone groups" about code it never read.
    root = project(tmp_path, {"src/shop/orders/report.py": source(UNRELATED)})
    write_tree(root / "scratch" / "tool", {"__init__.py": "", "a.py": source(ORIGINAL), "b.py": source(RENAMED)})
    done = run_cli("dupes", "--no-cache", "scratch/tool", cwd=root)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith("archguard: the contract archguard.toml analyses no file under scratch/tool: analysing scratch/tool")
    assert "1 clone group" in done.stdout.splitlines()[0] and "scratch/tool/a.py:1-15" in done.stdout
    # A folder the contract does analyse keeps the contract (its components, its settings).
    inside = run_cli("dupes", "--no-cache", "src/shop", cwd=root)
    assert inside.stderr == "" and "archguard dupes · archguard.toml · 0 clone groups" in inside.stdout


def test_dupes_says_which_files_it_could_not_search(tmp_path: Path) -> None:
    import os

    root = write_tree(
        tmp_path / "tree", {"pkg/__init__.py": "", "pkg/a.py": source(ORIGINAL), "pkg/b.py": source(RENAMED), "pkg/bad.py": "def broken(:\n    pass\n"}
    )
    os.mkfifo(root / "pkg" / "pipe.py")
    done = run_cli("dupes", "--no-cache", cwd=root, timeout=60)
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if "warning" in line]
    assert warnings == [
        "archguard: warning: pkg/pipe.py: a FIFO, not a regular file; never opened (not searched for copies)",
        "archguard: warning: pkg/bad.py:1: syntax error: invalid syntax (not searched for copies)",
    ]
    assert "1 clone group" in done.stdout
    quiet = run_cli("dupes", "--no-cache", "-q", cwd=root, timeout=60)
    assert quiet.stderr == ""


def test_dupes_runs_on_a_tree_without_a_contract(tmp_path: Path) -> None:
    from tests.helpers import write_tree

    root = write_tree(
        tmp_path / "tree",
        {
            "scripts/report.py": source(ORIGINAL, UNRELATED),
            "lib/summary.py": source(RENAMED),
            "headers.py": source(UNRELATED.replace("parse_header", "read_header")),
            "setup.py": "print('not a clone')\n",
        },
    )
    done = run_cli("dupes", "--no-cache", cwd=root)
    assert done.returncode == 0, done.stderr
    assert done.stderr == "archguard: no contract found: analysing . with the default duplication settings, without components\n"
    lines = done.stdout.splitlines()
    assert lines[0] == "archguard dupes · (no contract) · 2 clone groups (0 across components) in 6 units of 3 files"  # setup.py has no unit big enough
    assert "1. renamed copies · 14 lines, 113 tokens · warning" in lines
    assert "   lib/summary.py:1-15     function `customer_totals` 14 lines, 113 tokens" in lines
    assert "   scripts/report.py:1-15  function `summarize_orders` 14 lines, 113 tokens" in lines
    assert not (root / "archguard.toml").exists() and not (root / ".archguard_cache").exists()
    # Only the paths given: a folder and a file.
    some = json.loads(run_cli("dupes", "--no-cache", "--format", "json", "scripts", "headers.py", cwd=root).stdout)
    assert [[loc["path"] for loc in g["locations"]] for g in some["groups"]] == [["headers.py", "scripts/report.py"]]
    assert some["contract"] == "(no contract)"
    # From outside the tree: paths as given, relative to their common folder.
    outside = run_cli("dupes", "--no-cache", "-q", str(root / "lib"), str(root / "scripts"), cwd=tmp_path)
    assert outside.returncode == 0 and "lib/summary.py:1-15" in outside.stdout and outside.stderr == ""
    bad = run_cli("dupes", "--no-cache", "setup.cfg", cwd=root)
    assert bad.returncode == 2


def test_dupes_with_a_contract_keeps_the_groups_under_the_given_paths(tmp_path: Path) -> None:
    root = three_copies_and_a_local_pair(tmp_path)
    done = run_cli("dupes", "--no-cache", "--format", "json", "src/shop/orders/headers.py", cwd=root)
    data = json.loads(done.stdout)
    assert done.stderr == ""
    assert [[loc["path"] for loc in g["locations"]] for g in data["groups"]] == [["src/shop/orders/headers.py", "src/shop/orders/report.py"]]


def test_agent_and_github_paths_are_repository_relative_in_locations_and_messages_alike(tmp_path: Path) -> None:
    import re
    import subprocess

    repo = tmp_path / "repo"
    root = three_copies_and_a_local_pair(repo / "services" / "shop")
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    for output_format in ("agent", "github"):
        text = run_cli("check", "--no-cache", "--format", output_format, cwd=root).stdout
        clone_lines = [line for line in text.splitlines() if "summarize_all" in line or "customer_totals" in line]
        assert clone_lines, text
        for line in clone_lines:
            named = re.findall(r"(?:[\w.-]+/)*[\w.-]+\.py(?=:\d)", line)
            assert named and all(path.startswith("services/shop/src/") for path in named), (output_format, line)
    project_paths = run_cli("check", "--no-cache", "--format", "agent", "--paths", "project", cwd=root).stdout
    assert "In src/shop/billing/other.py:1: Call `customer_totals` at src/shop/billing/summary.py:1" in project_paths
    assert "services/shop" not in project_paths
    sarif = json.loads(run_cli("check", "--no-cache", "--format", "sarif", cwd=root).stdout)
    result = next(r for r in sarif["runs"][0]["results"] if r["ruleId"] == "duplication")
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "services/shop/src/shop/billing/other.py"
    assert "services/shop/src/shop/billing/summary.py:1 `customer_totals`" in result["message"]["text"]
    assert result["relatedLocations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "services/shop/src/shop/billing/summary.py"


def test_dupes_ignores_a_contract_when_asked_or_when_the_paths_lie_outside_its_project(tmp_path: Path) -> None:
    from tests.helpers import write_tree

    root = three_copies_and_a_local_pair(tmp_path / "project")
    write_tree(root / "vendor", {"a.py": source(ORIGINAL), "b.py": source(RENAMED)})  # in the tree, in no package the contract names
    asked = run_cli("dupes", "--no-cache", "--no-contract", "vendor", "--format", "json", cwd=root)
    assert asked.stderr.startswith("archguard: --no-contract: analysing vendor with the default duplication settings")
    assert [[loc["path"] for loc in g["locations"]] for g in json.loads(asked.stdout)["groups"]] == [["vendor/a.py", "vendor/b.py"]]
    elsewhere = write_tree(tmp_path / "elsewhere", {"c.py": source(ORIGINAL), "d.py": source(RENAMED)})
    outside = run_cli("dupes", "--no-cache", str(elsewhere), "--format", "json", cwd=root)
    assert "outside the project of archguard.toml: analysing" in outside.stderr
    assert [[loc["path"] for loc in g["locations"]] for g in json.loads(outside.stdout)["groups"]] == [["c.py", "d.py"]]
    both = run_cli("dupes", "--no-contract", "--config", "archguard.toml", cwd=root)
    assert both.returncode == 2 and "--no-contract and --config exclude each other" in both.stderr


METHOD = """
class Ledger:
    def settle(self, entries, currency="EUR"):
        total = 0
        for entry in entries:
            if entry.amount < self.threshold:
                self.skipped.append(entry)
                continue
            total += entry.amount * self.rate
            self.history.append((entry.key, total))
        self.balance = round(total, 2)
        return self.balance, currency
"""


def test_a_copy_that_renames_self_attributes_consistently_is_a_renamed_copy(tmp_path: Path) -> None:
    renamed = (
        METHOD.replace("Ledger", "Book").replace("settle", "close").replace("self.threshold", "self.floor")
        .replace("self.skipped", "self.ignored").replace("self.rate", "self.factor").replace("self.history", "self.log")
        .replace("self.balance", "self.due").replace("entries", "rows").replace("entry", "row")
    )  # fmt: skip
    inconsistent = METHOD.replace("Ledger", "Other").replace("self.balance = ", "self.saved = ")
    root = project(
        tmp_path,
        {
            "src/shop/orders/ledger.py": source(METHOD),
            "src/shop/orders/book.py": source(renamed),
            "src/shop/orders/other.py": source(inconsistent),
        },
    )
    report, analysis = report_for(root)
    units, _ = collect_units(analysis.facts, analysis.paths, analysis.components.component_of, DuplicationConfig())
    by_path = {unit.path: unit for unit in units if unit.kind == "class"}
    assert by_path["src/shop/orders/ledger.py"].renamed == by_path["src/shop/orders/book.py"].renamed
    assert by_path["src/shop/orders/ledger.py"].exact != by_path["src/shop/orders/book.py"].exact
    # one attribute renamed in one place only: not a renamed copy
    assert by_path["src/shop/orders/other.py"].renamed != by_path["src/shop/orders/ledger.py"].renamed
    group = next(g for g in report.groups if any(u.path == "src/shop/orders/book.py" for u in g.units))
    assert group.relation(by_path["src/shop/orders/ledger.py"], by_path["src/shop/orders/book.py"])[0] == "renamed"


def test_attributes_of_other_objects_still_name_the_api_the_code_uses(tmp_path: Path) -> None:
    other_api = METHOD.replace("entry.amount", "entry.value").replace("Ledger", "Elsewhere")
    same_api = METHOD.replace("Ledger", "Again")
    root = project(
        tmp_path,
        {
            "src/shop/orders/ledger.py": source(METHOD),
            "src/shop/orders/elsewhere.py": source(other_api),
            "src/shop/orders/again.py": source(same_api),
        },
    )
    report, _ = report_for(root)
    units = {unit.path: unit for group in report.groups for unit in group.units if unit.kind == "class"}
    assert units["src/shop/orders/ledger.py"].renamed == units["src/shop/orders/again.py"].renamed
    assert units["src/shop/orders/ledger.py"].renamed != units["src/shop/orders/elsewhere.py"].renamed


def test_a_test_named_module_that_library_code_imports_is_library_code(tmp_path: Path) -> None:
    files = {
        "src/shop/orders/suite/__init__.py": "from .test_orders import *  # noqa: F403\n",
        "src/shop/orders/suite/test_orders.py": source(ORIGINAL),  # a test suite the library ships
        "src/shop/orders/report.py": source(RENAMED),
        "src/shop/orders/checks/test_local.py": source(UNRELATED),  # a real test: imported by nothing
        "src/shop/orders/headers.py": source(UNRELATED.replace("parse_header", "read_header")),
    }
    report, _ = report_for(project(tmp_path, files))
    assert locations(report) == [("renamed", ["src/shop/orders/report.py:1", "src/shop/orders/suite/test_orders.py:1"])]


def test_dupes_on_a_package_folder_analyses_the_package_with_its_init(tmp_path: Path) -> None:
    from tests.helpers import write_tree

    root = write_tree(
        tmp_path / "tree",
        {"lib/pkg/__init__.py": source(ORIGINAL), "lib/pkg/copies.py": source(RENAMED), "lib/pkg/other.py": source(UNRELATED)},
    )
    data = json.loads(run_cli("dupes", "--no-cache", "--format", "json", "lib/pkg", cwd=root).stdout)
    assert [[(loc["path"], loc["module"]) for loc in g["locations"]] for g in data["groups"]] == [
        [("lib/pkg/__init__.py", "pkg"), ("lib/pkg/copies.py", "pkg.copies")]
    ]
    # a file given: only the groups with a copy in it
    only = json.loads(run_cli("dupes", "--no-cache", "--format", "json", "lib/pkg/other.py", "lib/pkg/copies.py", cwd=root).stdout)
    assert [[loc["path"] for loc in g["locations"]] for g in only["groups"]] == []
