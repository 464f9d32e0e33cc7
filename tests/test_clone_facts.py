"""Clone fingerprints in the extractor: units, normalisation, hashes, cache key."""

from __future__ import annotations

import ast
import marshal
import textwrap
import zlib
from array import array

from hypothesis import given, settings
from hypothesis import strategies as st

from archguard.analysis.read import EXTRACTOR_VERSION, extract_facts, extractor_settings
from archguard.analysis.read.clones import FACT_KEY, SHINGLE, UNIT_FIELDS, clone_facts, code_units, shingle_bytes, tokenize
from archguard.analysis.read.facts import FileFacts


def units_of(source: str) -> list[dict[str, object]]:
    facts = extract_facts(textwrap.dedent(source).lstrip("\r\n").encode())
    data = facts.get_extra(FACT_KEY)
    assert data is not None
    return [dict(zip(UNIT_FIELDS, unit, strict=True)) for unit in data[2]]


def unit(source: str, name: str) -> dict[str, object]:
    found = [u for u in units_of(source) if u["name"] == name]
    assert len(found) == 1, [u["name"] for u in units_of(source)]
    return found[0]


SLUGIFY = '''
import re


def slugify(value, separator="-"):
    """Turn a title into a URL slug."""
    value = value.strip().lower()
    value = re.sub(r"[^\\w\\s-]", "", value)
    value = re.sub(r"[\\s_-]+", separator, value)
    if not value:
        raise ValueError("empty slug")
    return value.strip(separator)
'''


def test_units_are_functions_methods_classes_and_blocks_with_their_lines() -> None:
    source = """
    class Cart:
        def total(self, items):
            amount = 0
            for item in items:
                amount += item.price * item.quantity
                amount -= item.discount
            return amount


    def helper(values):
        result = []
        while values:
            result.append(values.pop())
            result.sort()
        return result
    """
    found = {(u["kind"], u["name"], u["line"], u["end_line"]) for u in units_of(source)}
    assert found == {
        ("class", "Cart", 1, 7),
        ("method", "Cart.total", 2, 7),
        ("block", "for in Cart.total", 4, 6),
        ("function", "helper", 10, 15),
        ("block", "while in helper", 12, 14),
    }


def test_comments_docstrings_blank_lines_quotes_and_layout_do_not_change_the_exact_hash() -> None:
    reformatted = '''
    import re

    def slugify(value, separator='-'):
        # a comment that was not there
        value = value.strip().lower()

        value = re.sub(
            r"[^\\w\\s-]",
            "",
            value,
        )
        value = re.sub(r"[\\s_-]+", separator, value)   # trailing comment
        if not value:
            raise ValueError('empty slug')
        return value.strip(separator)
    '''
    original = unit(SLUGIFY, "slugify")
    copy = unit(reformatted, "slugify")
    assert copy["exact"] == original["exact"]
    assert copy["renamed"] == original["renamed"]
    assert original["lines"] == 7  # def + 6 statement lines; the docstring is not code


def test_consistent_renaming_keeps_the_renamed_hash_and_changes_the_exact_one() -> None:
    renamed = SLUGIFY.replace("value", "text").replace("separator", "sep").replace("slugify", "make_slug")
    renamed = renamed.replace('"empty slug"', '"no slug at all"')
    original = unit(SLUGIFY, "slugify")
    copy = unit(renamed, "make_slug")
    assert copy["exact"] != original["exact"]
    assert copy["renamed"] == original["renamed"]


def test_inconsistent_renaming_is_not_a_renamed_clone() -> None:
    # `value` becomes two different names: the code no longer does the same thing
    changed = SLUGIFY.replace("return value.strip(separator)", "return other.strip(separator)")
    assert changed != SLUGIFY
    assert unit(changed, "slugify")["renamed"] != unit(SLUGIFY, "slugify")["renamed"]


def test_attribute_names_are_kept_in_the_renamed_hash() -> None:
    changed = SLUGIFY.replace(".lower()", ".upper()")
    assert unit(changed, "slugify")["renamed"] != unit(SLUGIFY, "slugify")["renamed"]


def test_renaming_a_parameter_with_a_default_is_still_a_renamed_clone() -> None:
    changed = SLUGIFY.replace("separator", "joiner")
    assert unit(changed, "slugify")["renamed"] == unit(SLUGIFY, "slugify")["renamed"]


def test_elif_branches_and_import_fallbacks_are_not_units_and_small_statements_are_skipped() -> None:
    source = """
    try:
        import json
    except ImportError:
        json = None

    try:
        import simplejson
    except ImportError:
        import json as simplejson


    def pick(kind, values, default):
        if kind == "first":
            chosen = values[0]
            chosen = chosen.strip()
        elif kind == "last":
            chosen = values[-1]
            chosen = chosen.strip()
        else:
            chosen = default
        return chosen
    """
    names = [(u["kind"], u["name"], u["line"]) for u in units_of(source)]
    assert ("block", "try", 6) not in names  # imports only
    assert ("block", "if in pick", 13) in names
    assert all(line != 16 for _kind, _name, line in names)  # the elif is part of the if


def test_generated_files_are_flagged_and_have_no_units() -> None:
    source = "# Generated by Django 5.2 on 2025-01-01\n" + textwrap.dedent(SLUGIFY)
    data = extract_facts(source.encode()).get_extra(FACT_KEY)
    assert data[0] is True
    assert data[2] == ()


def test_a_docstring_that_mentions_generated_code_is_not_a_generated_file() -> None:
    source = '"""Passwords.\n\nReturn True if this password wasn\'t generated by make_password."""\n' + textwrap.dedent(SLUGIFY)
    data = extract_facts(source.encode()).get_extra(FACT_KEY)
    assert data[0] is False and len(data[2]) == 1


def test_the_fingerprint_follows_the_clone_facts() -> None:
    # The stored clone report is keyed by these fingerprints: equal facts, equal fingerprint;
    # any change to a unit or to the token stream, another fingerprint.
    source = textwrap.dedent(SLUGIFY)
    first, again = (extract_facts(source.encode()).get_extra(FACT_KEY) for _ in range(2))
    assert first == again and len(first[3]) == 32
    moved = extract_facts(("\n" + source).encode()).get_extra(FACT_KEY)  # same code, one line lower
    renamed = extract_facts(source.replace("value", "text").encode()).get_extra(FACT_KEY)
    assert len({first[3], moved[3], renamed[3]}) == 3
    assert moved[1] == first[1]  # the same shingles: only the units' lines moved


def test_clone_facts_are_plain_data_that_survive_the_cache_format() -> None:
    facts = extract_facts(textwrap.dedent(SLUGIFY).encode())
    restored = FileFacts.from_tuple(marshal.loads(marshal.dumps(facts.to_tuple())))
    assert restored.get_extra(FACT_KEY) == facts.get_extra(FACT_KEY)


def test_clone_extraction_is_part_of_the_cache_key_and_can_be_turned_off() -> None:
    assert extractor_settings(clones=True) != extractor_settings(clones=False)
    assert extractor_settings(clones=False) == EXTRACTOR_VERSION
    without = extract_facts(textwrap.dedent(SLUGIFY).encode(), clones=False)
    assert without.get_extra(FACT_KEY) is None
    assert without.imports == extract_facts(textwrap.dedent(SLUGIFY).encode()).imports


def test_token_ranges_line_up_with_statements_and_shingles() -> None:
    source = textwrap.dedent(SLUGIFY)
    generated, shingles, units, _fingerprint = clone_facts(ast.parse(source), source, source.encode())
    tokens = tokenize(source, code_units(ast.parse(source))[1]).near_miss
    start, end = units[0][4], units[0][5]
    assert tokens[start] == "def" and tokens[end - 1] == "⏎"
    assert generated is False
    assert shingles == shingle_bytes(tokens)
    assert len(shingles) == 4 * len(tokens)  # one shingle starts at every token
    first = int.from_bytes(shingles[4 * start : 4 * start + 4], "little")
    assert first == zlib.crc32(" ".join(tokens[start : start + SHINGLE]).encode())


def _shingle_runs(tokens: list[str]) -> list[str]:
    """The run each shingle hashes, by the definition: SHINGLE tokens from its start, cut after
    the first line end."""
    runs = []
    for index in range(len(tokens)):
        run = tokens[index : index + SHINGLE]
        if "⏎" in run:
            run = run[: run.index("⏎") + 1]
        runs.append(" ".join(run))
    return runs


def test_no_shingle_reaches_past_a_line_end_and_short_lines_keep_theirs() -> None:
    source = "def f(a):\n    if a:\n        return a\n    x = a.b(1, 2)\n    return x\n"
    tokens = tokenize(source, frozenset()).near_miss
    values = array("I")
    values.frombytes(shingle_bytes(tokens))
    expected = _shingle_runs(tokens)
    assert list(values) == [zlib.crc32(run.encode()) for run in expected]
    assert "⇥ ⇥ return V ⏎" not in expected and "⇥ return V ⏎" in expected  # "return a": one line, its own shingle
    assert all(run.count("⏎") <= 1 and (run.endswith("⏎") or "⏎" not in run) for run in expected)


def _similarity(first: str, second: str) -> float:
    def shingles(source: str) -> set[int]:
        values = array("I")
        values.frombytes(shingle_bytes(tokenize(source, frozenset()).near_miss))
        return set(values)

    a, b = shingles(first), shingles(second)
    return 2 * len(a & b) / (len(a) + len(b))


def test_swapped_independent_statements_keep_every_shingle() -> None:
    body = ["    a = x.first(1)", "    b = y.second(2, 3)", "    c = z.third[4]", "    return a + b + c"]
    original = "def f(x, y, z):\n" + "\n".join(body) + "\n"
    swapped = "def f(x, y, z):\n" + "\n".join([body[1], body[0], *body[2:]]) + "\n"
    assert _similarity(original, swapped) == 1.0


def test_an_inserted_statement_costs_only_its_own_line() -> None:
    body = [f"    v{i} = helper.step_{i}(v{i - 1}, {i})" for i in range(1, 9)]
    original = "def f(v0):\n" + "\n".join(body) + "\n    return v8\n"
    inserted = "def f(v0):\n" + "\n".join([*body[:4], "    log.debug('here', v0)", *body[4:]]) + "\n    return v8\n"
    added = set(_shingle_runs(tokenize(inserted, frozenset()).near_miss)) - set(_shingle_runs(tokenize(original, frozenset()).near_miss))
    own_line = set(_shingle_runs(tokenize("log.debug('here', v0)\n", frozenset()).near_miss))
    assert added and added <= own_line  # the neighbouring lines keep all their shingles
    assert _similarity(original, inserted) > 0.9


def test_a_file_without_a_final_newline_gives_the_same_hashes() -> None:
    source = textwrap.dedent(SLUGIFY)
    assert unit(source.rstrip("\n"), "slugify")["exact"] == unit(source, "slugify")["exact"]


def test_crlf_line_ends_give_the_same_hashes_and_lines() -> None:
    source = textwrap.dedent(SLUGIFY)
    crlf = unit(source.replace("\n", "\r\n"), "slugify")
    lf = unit(source, "slugify")
    assert (crlf["exact"], crlf["line"], crlf["end_line"], crlf["lines"]) == (lf["exact"], lf["line"], lf["end_line"], lf["lines"])


def test_tokenizer_keeps_nesting_visible() -> None:
    flat = "if a:\n    b()\nc()\n"
    nested = "if a:\n    b()\n    c()\n"
    assert tokenize(flat, frozenset()).exact != tokenize(nested, frozenset()).exact


@settings(max_examples=40)
@given(st.lists(st.sampled_from([*"abc ():=\n\r\x0b\x0c\t'\"#\\.,[]{}0123456789_+-*/rbf\u23ce", "if ", "return ", "def "]), max_size=120))
def test_any_text_never_crashes_the_tokenizer(pieces: list[str]) -> None:
    text = "".join(pieces)
    streams = tokenize(text, frozenset())
    assert len(streams.exact) == len(streams.near_miss)
    assert all(streams.near_miss[i] == "V" and streams.exact[i].isidentifier() for i in streams.names)
    assert streams.names == sorted(set(streams.names))
    # one shingle per token, each the run the definition says (never past a line end)
    values = array("I")
    values.frombytes(shingle_bytes(streams.near_miss))
    assert list(values) == [zlib.crc32(run.encode()) for run in _shingle_runs(streams.near_miss)]


def test_parentheses_a_formatter_adds_around_a_whole_expression_are_layout() -> None:
    plain = "def f(self, a, b):\n    x = self.compute(a) or b\n    if a and b:\n        x = x + 1\n    return x * 2\n"
    wrapped = "def f(self, a, b):\n    x = (\n        self.compute(a) or b\n    )\n    if (\n        a and b\n    ):\n        x = (x + 1)\n    return (x * 2)\n"
    tuple_ = "def f(self, a, b):\n    x = self.compute(a) or b\n    if (a, b):\n        x = x + 1\n    return x * 2\n"
    assert tokenize(wrapped, frozenset()).exact == tokenize(plain, frozenset()).exact
    streams = tokenize(wrapped, frozenset())
    assert [streams.near_miss[i] for i in streams.names] == ["V"] * len(streams.names)
    assert [streams.exact[i] for i in streams.names] == [streams.exact[i] for i in tokenize(plain, frozenset()).names]
    # a tuple as a condition keeps its parentheses ("if a, b:" is not Python) ...
    assert tokenize(tuple_, frozenset()).exact.count("(") == tokenize(plain, frozenset()).exact.count("(") + 1
    # ... a tuple assigned or returned does not need them
    bare = "def f(a, b):\n    x = a, b\n    return x, a\n"
    wrapped_tuple = "def f(a, b):\n    x = (\n        a,\n        b,\n    )\n    return (x, a)\n"
    assert tokenize(wrapped_tuple, frozenset()).exact == tokenize(bare, frozenset()).exact


def test_unwrapping_never_touches_the_lines_after() -> None:
    source = "x = (a or b)\ny\nif (c):\n    z\nw\n"
    assert tokenize(source, frozenset()).exact == ["x", "=", "a", "or", "b", "⏎", "y", "⏎", "if", "c", ":", "⏎", "⇥", "z", "⏎", "⇤", "w", "⏎"]
