"""The plain form recorded evaluations keep findings in (archguard.engine.recall): built
without dataclasses.fields per value, it is the form the straightforward conversion gives,
and it reads back to equal findings."""

from __future__ import annotations

import dataclasses
import typing
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archguard.engine.recall import _CLASS, _CLASSES, _FIELDS, _from_plain, _to_plain
from archguard.findings import Edit, Finding, Hop, Related, Remedy, Suppression


def reference_plain(value: Any) -> Any:
    """The conversion as first written: isinstance tests and dataclasses.fields for each value."""
    if value is None or isinstance(value, str | int | float):
        return value
    if isinstance(value, tuple):
        return tuple(reference_plain(item) for item in value)
    cls = type(value)
    if _CLASSES.get(cls.__name__) is cls:
        return {_CLASS: cls.__name__, _FIELDS: [reference_plain(getattr(value, f.name)) for f in dataclasses.fields(cls)]}
    raise TypeError(f"not plain data: {cls.__name__}")


text = st.text(max_size=8)


def every_field(cls: type[Any], **given: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Instances of a findings class with every field drawn (not only the required ones)."""
    hints = typing.get_type_hints(cls)
    return st.builds(cls, **{f.name: given.get(f.name, st.from_type(hints[f.name])) for f in dataclasses.fields(cls)})


hops = every_field(Hop)
remedies = every_field(Remedy, edits=st.lists(every_field(Edit), max_size=2).map(tuple))
findings = every_field(
    Finding,
    chain=st.lists(hops, max_size=3).map(tuple),
    fix=st.none() | remedies,
    related=st.lists(every_field(Related), max_size=2).map(tuple),
)
suppressions = every_field(Suppression, finding=findings)


@given(st.one_of(findings, suppressions))
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
def test_plain_form_is_the_reference_form_and_reads_back(value: Finding | Suppression) -> None:
    plain = _to_plain(value)
    assert plain == reference_plain(value)
    assert _from_plain(plain) == value


@given(st.lists(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), text), max_size=5).map(tuple))
def test_tuples_of_scalars_stay_themselves(values: tuple[object, ...]) -> None:
    assert _to_plain(values) == reference_plain(values) == values


def test_what_is_not_plain_data_is_refused_as_before() -> None:
    for value in ([1], {"a": 1}, object(), (1, [2])):
        for convert in (_to_plain, reference_plain):
            try:
                convert(value)
            except TypeError:
                continue
            raise AssertionError(f"{convert.__name__} took {value!r}")
