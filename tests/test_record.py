"""Records (archguard.contract.record): pydantic's behaviour where archguard relies on it, without
pydantic until something is validated."""

from __future__ import annotations

import copy
import pickle
import subprocess
import sys
from typing import Annotated, Literal

import pytest
from pydantic import ValidationError

from archguard.contract.models import Contract, DuplicationConfig, ForbiddenRule, IgnoreEntry, LayersRule, ProjectConfig
from archguard.contract.record import Field, Record, is_validated, mirror
from archguard.importlinter.config import ModuleExpression, parse_import_expression
from tests.helpers import REPO


class Inner(Record):
    model_config = {"extra": "forbid", "frozen": True}
    name: str
    size: int = Field(1, ge=1, description="How big.")


class Cat(Record):
    model_config = {"extra": "forbid", "frozen": True}
    kind: Literal["cat"]
    inner: Inner


class Dog(Record):
    model_config = {"extra": "forbid", "frozen": True}
    kind: Literal["dog"]
    tags: tuple[str, ...] = ()


class Outer(Record):
    model_config = {"extra": "forbid", "frozen": True, "populate_by_name": True}
    from_: str = Field(..., alias="from")
    items: list[Inner] = Field(default_factory=list)
    pets: list[Annotated[Cat | Dog, Field(discriminator="kind")]] = Field(default_factory=list)
    note: str | None = None


def test_construct_fills_defaults_and_records_which_fields_were_given() -> None:
    inner = Inner.model_construct(name="a")
    assert (inner.name, inner.size, inner.model_fields_set) == ("a", 1, {"name"})
    outer = Outer.model_construct(**{"from": "x"})  # an alias names its field too
    assert (outer.from_, outer.items, outer.pets, outer.note, outer.model_fields_set) == ("x", [], [], None, {"from_"})
    assert Outer.model_construct(from_="x").items is not outer.items  # a default factory runs for each record
    assert DuplicationConfig().model_fields_set == set() and DuplicationConfig().min_lines == 6
    with pytest.raises(TypeError):
        Inner.model_construct(name="a", nmae="b")


def test_fields_keep_pydantics_order_and_metadata() -> None:
    assert list(Outer.model_fields) == ["from_", "items", "pets", "note"]
    assert Outer.model_fields["from_"].alias == "from" and Outer.model_fields["from_"].is_required()
    assert Inner.model_fields["size"].description == "How big." and Inner.model_fields["size"].get_default() == 1
    # a subclass has its bases' fields first (pydantic's order), defaults and all
    assert list(ForbiddenRule.model_fields)[:2] == ["allow_indirect", "name"]
    assert ForbiddenRule.model_fields["severity"].get_default() == "error"
    assert LayersRule.model_fields["kind"].annotation == Literal["layers"]


def test_validation_is_pydantics_with_nested_records_aliases_and_discriminators() -> None:
    data = {"from": "x", "items": [{"name": "a", "size": 2}], "pets": [{"kind": "cat", "inner": {"name": "b"}}, {"kind": "dog", "tags": ["t"]}]}
    outer = Outer.model_validate(data)
    assert type(outer.items[0]) is Inner and type(outer.pets[0]) is Cat and type(outer.pets[1]) is Dog
    assert outer.pets[1].tags == ("t",)  # pydantic's coercion (lax mode): a list into a tuple
    assert outer.model_fields_set == {"from_", "items", "pets"} and outer.pets[0].inner.model_fields_set == {"name"}
    with pytest.raises(ValidationError) as caught:
        Outer.model_validate({**data, "pets": [{"kind": "cow"}]})
    assert caught.value.errors()[0]["type"] == "union_tag_invalid"
    with pytest.raises(ValidationError) as caught:
        Outer.model_validate({"from": "x", "items": [{"name": "a", "size": 0}], "extra": 1})
    assert {e["type"] for e in caught.value.errors()} == {"greater_than_equal", "extra_forbidden"}
    # records among the values are taken as they are (as pydantic takes model instances)
    again = Outer.model_validate({"from": "y", "items": [Inner.model_construct(name="c")]})
    assert again.items == [Inner.model_construct(name="c")]
    assert parse_import_expression("a.* -> b").importer == ModuleExpression.model_construct(text="a.*")


def test_strict_contract_models_stay_strict() -> None:
    with pytest.raises(ValidationError):
        ProjectConfig.model_validate({"max_file_size": True})
    with pytest.raises(ValidationError):
        IgnoreEntry.model_validate({"import": "a -> b", "reason": ""})  # min_length


def test_records_are_frozen_values() -> None:
    inner = Inner.model_construct(name="a")
    with pytest.raises(AttributeError):
        inner.name = "b"  # type: ignore[misc]
    same, other = Inner.model_construct(name="a"), Inner.model_construct(name="a", size=2)
    assert inner == same and hash(inner) == hash(same) and inner != other
    assert {inner, same, other} == {inner, other}
    assert repr(other) == "Inner(name='a', size=2)"
    copied = inner.model_copy(update={"size": 3})
    assert (copied.size, inner.size, copied.model_fields_set) == (3, 1, {"name", "size"})
    for duplicate in (pickle.loads(pickle.dumps(other)), copy.deepcopy(other), copy.copy(other)):
        assert duplicate == other and duplicate.model_fields_set == other.model_fields_set


def test_the_schema_comes_from_the_mirror_and_validation_builds_it_on_demand() -> None:
    schema = Contract.model_json_schema(by_alias=True)
    assert schema["title"] == "Contract" and "ForbiddenRule" in schema["$defs"]
    assert schema["$defs"]["ForbiddenRule"]["properties"]["from"]["description"]
    assert is_validated(Contract) and mirror(Contract) is mirror(Contract)


def test_importing_the_models_and_constructing_records_does_not_import_pydantic() -> None:
    script = (
        "import sys\n"
        "from archguard.contract import models\n"
        "from archguard.importlinter import config\n"
        "c = models.Contract.model_construct(duplication=models.DuplicationConfig(), project=models.ProjectConfig())\n"
        "e = config.ModuleExpression.model_construct(text='a.*')\n"
        "print(c.duplication.min_lines, e.matches('a.b'), 'pydantic' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env={"PYTHONPATH": str(REPO)}, check=True)
    assert done.stdout.split() == ["6", "True", "False"]
