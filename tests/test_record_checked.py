"""Records taken without pydantic (``record.checked``): only where pydantic would take the values as they are.

Differential: for every record class of the contract and of import-linter configurations, on
values of the right type and on junk, whenever the check takes the data, pydantic's validation
of the same data gives the same record (same values, same types, same fields set).
"""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from archguard.contract import models
from archguard.contract import record as record_module
from archguard.contract.record import Record, _from_mirror, _hints, _to_mirror, checked, mirror
from archguard.importlinter import config as importlinter_config
from tests.helpers import REPO

CLASSES = sorted(
    {value for module in (models, importlinter_config) for value in vars(module).values() if isinstance(value, type) and issubclass(value, Record)}
    - {Record, importlinter_config._Frozen, models.StrictModel},
    key=lambda cls: cls.__name__,
)
JUNK = st.one_of(
    st.integers(-3, 3), st.text(max_size=3), st.none(), st.booleans(), st.floats(-2, 2), st.lists(st.integers(0, 2), max_size=2), st.tuples(st.text(max_size=2))
)


def _valid(annotation: Any, depth: int = 0) -> st.SearchStrategy[Any]:
    """Values of exactly the annotated type (records built without validation)."""
    if annotation is Any:
        return st.one_of(st.integers(), st.text(max_size=3))
    if annotation is None or annotation is type(None):
        return st.none()
    if isinstance(annotation, type):
        if issubclass(annotation, Record):
            if depth > 2:
                return st.nothing()
            fields = {name: _valid(hint, depth + 1) for name, hint in _hints(annotation).items() if name in annotation.model_fields}
            if any(strategy.is_empty for strategy in fields.values()):
                return st.nothing()
            built = st.fixed_dictionaries(fields).map(lambda values: annotation.model_construct(**values))
            return st.one_of(built, _data(annotation, depth + 1))  # a record, or a table of its fields
        return {str: st.text(max_size=4), int: st.integers(-2, 12), bool: st.booleans(), float: st.floats(-1, 2)}.get(annotation, st.nothing())
    origin, arguments = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return st.sampled_from(arguments)
    if origin is Annotated:
        return _valid(arguments[0], depth)
    if origin is Union or origin is types.UnionType:
        return st.one_of([_valid(member, depth) for member in arguments])
    if origin is tuple and len(arguments) == 2 and arguments[1] is Ellipsis:
        return _items(_valid(arguments[0], depth + 1)).map(tuple)
    if origin is list:
        return _items(_valid(arguments[0], depth + 1))
    if origin is dict:
        keys, items = _valid(arguments[0], depth + 1), _valid(arguments[1], depth + 1)
        return st.just({}) if keys.is_empty or items.is_empty else st.dictionaries(keys, items, max_size=2)
    return st.nothing()


def _items(element: st.SearchStrategy[Any]) -> st.SearchStrategy[list[Any]]:
    return st.just([]) if element.is_empty else st.lists(element, max_size=2)


@st.composite
def _data(draw: st.DrawFn, cls: type[Record], depth: int = 0) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, hint in _hints(cls).items():
        if name not in cls.model_fields or draw(st.integers(0, 5)) == 0:
            continue  # (a field left out: its default, or a missing required field)
        valid = _valid(hint, depth)
        value = draw(st.one_of(valid, JUNK) if valid.is_empty or draw(st.integers(0, 4)) == 0 else valid)
        alias = cls.model_fields[name].alias
        data[alias if alias is not None and draw(st.booleans()) else name] = value
    if draw(st.integers(0, 9)) == 0:
        data["not_a_field"] = draw(JUNK)
    return data


def _fields_sets(value: Any) -> Any:
    """The fields set of every record in a value, nested as the records are."""
    if isinstance(value, Record):
        return (sorted(value.model_fields_set), {name: _fields_sets(item) for name, item in value.__dict__.items()})
    if isinstance(value, (list, tuple)):
        return [_fields_sets(item) for item in value]
    if isinstance(value, dict):
        return {key: _fields_sets(item) for key, item in value.items()}
    return None


def _by_pydantic(cls: type[Record], data: dict[str, Any]) -> Record:
    validated: Record = _from_mirror(mirror(cls).model_validate(_to_mirror(data)))
    return validated


TAKEN: dict[str, int] = {}


@pytest.mark.parametrize("cls", CLASSES, ids=lambda cls: cls.__name__)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_what_the_check_takes_pydantic_takes_unchanged(cls: type[Record], data: st.DataObject) -> None:
    values = data.draw(_data(cls))
    taken = checked(cls, values)
    if taken is None:
        return
    TAKEN[cls.__name__] = TAKEN.get(cls.__name__, 0) + 1
    expected = _by_pydantic(cls, values)  # must not raise: the check took only what pydantic takes
    assert repr(taken) == repr(expected)  # (repr: True and 1 are equal, but not the same value)
    assert taken == expected and _fields_sets(taken) == _fields_sets(expected)


def test_the_check_takes_the_import_linter_models_and_leaves_the_rest_to_pydantic() -> None:
    origin = importlinter_config.ContractOrigin(file="f", key="k", line=3, field_lines={"a": 4})
    assert checked(importlinter_config.ContractOrigin, {"file": "f", "key": "k", "line": 3, "field_lines": {"a": 4}}) == origin
    # a field by its alias or (populate_by_name) its name; both at once, or a value pydantic
    # would convert or refuse: pydantic decides
    entry = models.IgnoreEntry.model_construct(import_="a -> b", reason="r")
    assert checked(models.IgnoreEntry, {"import": "a -> b", "reason": "r"}) == entry == checked(models.IgnoreEntry, {"import_": "a -> b", "reason": "r"})
    assert checked(models.IgnoreEntry, {"import": "a -> b", "import_": "a -> b", "reason": "r"}) is None
    assert checked(models.IgnoreEntry, {"import": "a -> b", "reason": ""}) is None  # min_length=1
    assert checked(importlinter_config.AcyclicSiblingsContract, {"depth": -1}) is None  # ge=0 (and required fields missing)
    assert checked(models.ImportLinterCompanion, {"copies": "off"}) == models.ImportLinterCompanion.model_construct(copies="off")
    assert checked(models.ImportLinterCompanion, {"pragmas": "false"}) is None  # a string for a bool
    assert checked(models.ImportLinterCompanion, {"copies": "offf"}) is None
    assert checked(importlinter_config.ModuleExpression, {"text": "a", "extra": 1}) is None  # extra = forbid
    assert checked(models.DuplicationConfig, {"min_lines": 0}) is None and checked(models.DuplicationConfig, {"min_lines": 1}) is not None
    assert checked(models.DuplicationConfig, {"similarity": 1}) is None  # an int, which pydantic makes a float
    assert _by_pydantic(models.DuplicationConfig, {"similarity": 1}).similarity.__class__ is float
    # a contract's tables: nested records, rules picked by their kind, fields by name or alias
    contract = checked(
        models.Contract,
        {
            "components": {"api": {"modules": ["shop.api"]}, "db": {"modules": ["shop.db"]}},
            "rules": [{"kind": "layers", "layers": ["api", "db"]}, {"kind": "forbidden", "from": ["db"], "to": ["api"]}],
            "ignore": [{"import": "shop.api -> shop.db", "reason": "legacy"}],
        },
    )
    assert contract is not None and [type(rule).__name__ for rule in contract.rules] == ["LayersRule", "ForbiddenRule"]
    assert checked(models.Contract, {"rules": [{"kind": "layer", "layers": ["a"]}]}) is None  # no such kind
    assert checked(models.Contract, {"components": {"api": {"modules": []}}}) is None  # min_length=1


def test_an_import_linter_configuration_is_read_without_pydantic_and_as_pydantic_reads_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for package in ("shop", "other"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / ".importlinter").write_text(
        "[importlinter]\nroot_packages =\n    shop\n    other\ninclude_external_packages = True\n\n"
        "[importlinter:contract:one]\nname = layers\ntype = layers\nlayers =\n    shop.api | shop.web\n    (shop.domain)\ncontainers = shop\n"
        "ignore_imports =\n    shop.api.* -> shop.domain\nunmatched_ignore_imports_alerting = warn\n\n"
        "[importlinter:contract:two]\nname = acyclic\ntype = acyclic_siblings\nancestors = shop\ndepth = 3\n\n"
        "[archguard]\ncopies = warning\nuncovered = off\n",
        encoding="utf-8",
    )
    script = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from archguard.importlinter import config\n"
        "loaded = config.load_importlinter(Path('.importlinter'), cached=False)\n"
        "print(json.dumps([repr(loaded.importlinter), repr(loaded.companion), 'pydantic' in sys.modules]))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, env={"PYTHONPATH": str(REPO)}, check=True)
    fast, companion, imported = json.loads(done.stdout)
    assert imported is False
    # the same file, every record validated by pydantic
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(record_module, "checked", lambda cls, data: None)
    monkeypatch.setattr(importlinter_config, "checked", lambda cls, data: None)
    slow = importlinter_config.load_importlinter(Path(".importlinter"), cached=False)
    assert fast == repr(slow.importlinter) and companion == repr(slow.companion)
    assert "depth=3" in fast and "copies='warning'" in companion


REAL_CONTRACTS = ["contracts/archguard.toml", "examples/shop/archguard.toml", "examples/textkit/archguard.toml", "examples/shop-agent-change/archguard.toml"]


@pytest.mark.parametrize("path", REAL_CONTRACTS)
def test_real_contracts_are_taken_as_pydantic_validates_them(path: str) -> None:
    import tomllib

    data = tomllib.loads((REPO / path).read_text(encoding="utf-8"))
    taken = checked(models.Contract, data)
    expected = _by_pydantic(models.Contract, data)
    assert taken is not None, path  # every value of these has its field's type
    assert repr(taken) == repr(expected) and _fields_sets(taken) == _fields_sets(expected)


class _Circle(Record):
    shape: Literal["circle"]
    size: int = 1


class _Square(Record):
    shape: Literal["square"]
    size: int = 1


class _Drawing(Record):
    tagged: Annotated[_Circle | _Square, record_module.Field(discriminator="shape")] | None = None
    untagged: _Circle | _Square | None = None


def test_a_table_becomes_the_record_its_tag_names_and_never_a_guessed_one() -> None:
    drawing = checked(_Drawing, {"tagged": {"shape": "square", "size": 2}})
    assert drawing is not None and drawing.tagged == _Square.model_construct(shape="square", size=2)
    assert repr(drawing) == repr(_by_pydantic(_Drawing, {"tagged": {"shape": "square", "size": 2}}))
    assert checked(_Drawing, {"tagged": {"shape": "triangle"}}) is None  # no such tag: pydantic words the error
    assert checked(_Drawing, {"tagged": {"size": 2}}) is None
    # without a tag, which record a table becomes is pydantic's choice: not guessed
    assert checked(_Drawing, {"untagged": {"shape": "square"}}) is None
    assert checked(_Drawing, {"untagged": _Square.model_construct(shape="square")}) is not None  # a record is taken as it is
