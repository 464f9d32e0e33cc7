"""Records: the contract's models as plain frozen classes, validated by pydantic on demand.

A check whose contract did not change reads the validated contract from the cache
(:mod:`archguard.contract.cache`) and never validates anything; importing pydantic alone costs
it about 0.09 s (a third of archguard's start-up, a quarter of lint-imports' whole warm run).
So the models are :class:`Record` classes, declared like pydantic models (annotations,
:func:`Field` with pydantic's arguments, a ``model_config`` dict) and offering the part of
pydantic's API archguard uses on instances (``model_construct``, ``model_copy``,
``model_fields``, ``model_fields_set``, equality, hashing, ``repr``). Validation
(``model_validate``, a constructor call with values, ``model_json_schema``) builds, once per
process, a pydantic model that mirrors the record class field by field (nested records become
their mirrors; descriptions, aliases, constraints, discriminators and configuration carried
over) and lets pydantic do all the work: its errors, its schema, its coercion rules. The
validated mirror instance is then copied into records, with its set fields.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, ClassVar, Literal, TypeVar, Union, get_args, get_origin

RecordT = TypeVar("RecordT", bound="Record")
_MISSING: Any = object()


@dataclass(frozen=True)
class FieldSpec:
    """What :func:`Field` was given: pydantic's ``Field`` arguments, kept until a mirror is built."""

    default: Any = _MISSING
    default_factory: Callable[[], Any] | None = None
    alias: str | None = None
    options: tuple[tuple[str, Any], ...] = ()  # description, ge, le, min_length, discriminator...


def Field(
    default: Any = _MISSING, *, default_factory: Callable[[], Any] | None = None, alias: str | None = None, **options: Any
) -> Any:
    """A field's default and pydantic options (``Field(...)``: required, as in pydantic)."""
    return FieldSpec(_MISSING if default is Ellipsis else default, default_factory, alias, tuple(options.items()))


class FieldInfo:
    """A record field, as ``model_fields`` gives it (the part of pydantic's ``FieldInfo`` archguard reads)."""

    def __init__(self, owner: type[Record], name: str, spec: FieldSpec) -> None:
        self.owner, self.name, self.spec = owner, name, spec
        self.alias = spec.alias
        self.description: str | None = dict(spec.options).get("description")

    def is_required(self) -> bool:
        return self.spec.default is _MISSING and self.spec.default_factory is None

    def get_default(self, call_default_factory: bool = False) -> Any:
        if self.spec.default_factory is not None:
            return self.spec.default_factory() if call_default_factory else None
        return None if self.spec.default is _MISSING else self.spec.default

    @property
    def annotation(self) -> Any:
        """The field's type, evaluated (records in it, not their mirrors)."""
        return _hints(self.owner)[self.name]


class Record:
    """A frozen record whose fields are declared by annotations (see the module's docstring)."""

    __slots__ = ("__dict__", "_fields_set")
    model_config: ClassVar[dict[str, Any]] = {}
    model_fields: ClassVar[dict[str, FieldInfo]] = {}
    _fields_set: set[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fields: dict[str, FieldInfo] = {}
        for base in reversed(cls.__mro__):  # pydantic's order: a base's fields first, a redefined field keeps its place
            # (a base record's defaults left its class when it was made: they are in its model_fields)
            known: dict[str, FieldInfo] = vars(base).get("model_fields", {}) if base is not cls else {}
            for name, annotation in vars(base).get("__annotations__", {}).items():
                if name.startswith("_") or name in ("model_config", "model_fields") or str(annotation).startswith(("ClassVar", "typing.ClassVar")):
                    continue
                value = vars(base).get(name, _MISSING)
                if name in known:
                    spec = known[name].spec
                elif isinstance(value, FieldSpec):
                    spec = value
                elif value is _MISSING and name in fields:
                    spec = fields[name].spec  # re-annotated without a default: keeps the base's
                else:
                    spec = FieldSpec(default=value)
                fields[name] = FieldInfo(cls, name, spec)
        for name in fields:
            if isinstance(vars(cls).get(name), FieldSpec):
                delattr(cls, name)  # an instance always has the field in its __dict__
        cls.model_fields = fields

    def __init__(self, **data: Any) -> None:
        if data:
            validated = type(self).model_validate(data)
            object.__setattr__(self, "__dict__", dict(validated.__dict__))
            object.__setattr__(self, "_fields_set", set(validated._fields_set))
        else:  # every field at its default, as pydantic leaves them (defaults are not validated)
            object.__setattr__(self, "__dict__", {name: _default(info) for name, info in type(self).model_fields.items()})
            object.__setattr__(self, "_fields_set", set())

    # -- pydantic's API, the part archguard uses ---------------------------------------------------
    @classmethod
    def model_construct(cls: type[RecordT], _fields_set: set[str] | None = None, **values: Any) -> RecordT:
        """A record from values known to be valid (nothing is checked); missing fields take their defaults."""
        record = cls.__new__(cls)
        fields = cls.model_fields
        given: dict[str, Any] = {}
        for key, value in values.items():
            name = key if key in fields else next((n for n, info in fields.items() if info.alias == key), key)
            if name not in fields:
                raise TypeError(f"{cls.__name__} has no field {key!r}")
            given[name] = value
        object.__setattr__(record, "__dict__", {name: given[name] if name in given else _default(info) for name, info in fields.items()})
        object.__setattr__(record, "_fields_set", set(given) if _fields_set is None else set(_fields_set))
        return record

    @property
    def model_fields_set(self) -> set[str]:
        return self._fields_set

    def model_copy(self: RecordT, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> RecordT:
        """A shallow copy with ``update`` applied (not validated, as in pydantic)."""
        if deep:
            raise NotImplementedError("deep copies of records are not supported")
        copied = type(self).__new__(type(self))
        object.__setattr__(copied, "__dict__", {**self.__dict__, **(update or {})})
        object.__setattr__(copied, "_fields_set", self._fields_set | set(update or ()))
        return copied

    @classmethod
    def model_validate(cls: type[RecordT], data: Any) -> RecordT:
        """Validate ``data`` with pydantic (raises ``pydantic.ValidationError``); records in it are taken as valid.

        Values that already have their fields' exact types (see :func:`checked`) are taken
        without pydantic, which would return them unchanged."""
        taken = checked(cls, data)
        if taken is not None:
            return taken
        validated = mirror(cls).model_validate(_to_mirror(data))
        record: RecordT = _from_mirror(validated)
        return record

    @classmethod
    def model_json_schema(cls, **options: Any) -> dict[str, Any]:
        schema: dict[str, Any] = mirror(cls).model_json_schema(**options)
        return schema

    # -- a frozen value -------------------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: cannot delete {name!r}")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash((type(self), *self.__dict__.values()))

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={value!r}" for name, value in self.__dict__.items())
        return f"{type(self).__name__}({fields})"

    def __getstate__(self) -> tuple[dict[str, Any], set[str]]:
        return self.__dict__, self._fields_set

    def __setstate__(self, state: tuple[dict[str, Any], set[str]]) -> None:
        object.__setattr__(self, "__dict__", dict(state[0]))
        object.__setattr__(self, "_fields_set", set(state[1]))


def _default(info: FieldInfo) -> Any:
    spec = info.spec
    if spec.default_factory is not None:
        return spec.default_factory()
    if spec.default is _MISSING:
        raise TypeError(f"{info.owner.__name__}.{info.name} is required")
    return spec.default


def is_validated(cls: type[Record]) -> bool:
    """Whether this process built the class's pydantic mirror (it validated something)."""
    return cls in _MIRRORS


# -- values that pydantic would take as they are ------------------------------------------------

_REJECT: Any = object()
# Field options and configuration keys the check below knows; any other one (an alias, a
# pattern, str_strip_whitespace...) leaves the class to pydantic.
_NOTES = frozenset({"description", "title", "examples", "json_schema_extra"})
_BOUNDS: dict[str, Callable[[Any, Any], bool]] = {
    "ge": lambda value, bound: value >= bound,
    "le": lambda value, bound: value <= bound,
    "gt": lambda value, bound: value > bound,
    "lt": lambda value, bound: value < bound,
    "min_length": lambda value, bound: len(value) >= bound,
    "max_length": lambda value, bound: len(value) <= bound,
}
_CONFIG = frozenset({"extra", "frozen", "populate_by_name", "strict", "defer_build"})
# key (a field's name, or its alias) -> (field, type, bounds, required)
_Plan = dict[str, tuple[str, Any, tuple[tuple[Callable[[Any, Any], bool], Any], ...], bool]]
_PLANS: dict[type[Record], _Plan | None] = {}


def checked(cls: type[RecordT], data: Any) -> RecordT | None:
    """``data`` as a record of ``cls`` without pydantic, when pydantic would take every value as
    it is: each has its field's exact type (``str``, ``int``, ``bool``, ``float``, a member of a
    ``Literal``, ``None``, a record of the field's class or a table of its fields that passes
    this check in turn, and tuples, lists and dicts of those), within the field's bounds, no
    unknown key, no required field missing. Else None, and pydantic decides (and words the
    error). Lists and dicts are copied, as pydantic copies them.

    This is what lets a configuration that archguard builds from values it has already checked
    (an import-linter configuration, whose fields archguard parses by import-linter's rules),
    and a contract whose values have the right types, become records without importing pydantic
    (0.03 s) and building its models (0.05 s).
    """
    if type(data) is not dict:
        return None
    plan = _plan(cls)
    if plan is None:
        return None
    values: dict[str, Any] = {}
    for key, value in data.items():
        entry = plan.get(key) if type(key) is str else None
        if entry is None:
            if cls.model_config.get("extra", "ignore") == "ignore" and type(key) is str:
                continue  # pydantic drops an unknown key then
            return None
        name, annotation, bounds, _required = entry
        accepted = _accept(annotation, value)
        if name in values or accepted is _REJECT or not all(test(accepted, bound) for test, bound in bounds):
            return None  # (a field given by its name and its alias: pydantic decides)
        values[name] = accepted
    if any(required and name not in values for name, _, _, required in plan.values()):
        return None
    return cls.model_construct(_fields_set=set(values), **values)


def _plan(cls: type[Record]) -> _Plan | None:
    if cls in _PLANS:
        return _PLANS[cls]
    plan: _Plan | None = {}
    config = cls.model_config
    if set(config) - _CONFIG or config.get("extra", "ignore") not in ("ignore", "forbid"):
        plan = None
    else:
        hints = _hints(cls)
        for name, info in cls.model_fields.items():
            options = dict(info.spec.options)
            if set(options) - _NOTES - set(_BOUNDS):
                plan = None
                break
            entry = (name, hints[name], tuple((_BOUNDS[option], bound) for option, bound in options.items() if option in _BOUNDS), info.is_required())
            assert plan is not None
            if info.spec.alias is None or config.get("populate_by_name"):
                plan[name] = entry
            if info.spec.alias is not None:
                plan[info.spec.alias] = entry
    _PLANS[cls] = plan
    return plan


def _accept(annotation: Any, value: Any) -> Any:
    """``value`` (lists and dicts copied) when it has the exact type ``annotation`` says; else ``_REJECT``."""
    if annotation is Any:
        return value
    if annotation is None or annotation is type(None):
        return value if value is None else _REJECT
    if isinstance(annotation, type):
        if annotation in (str, int, bool, float):
            return value if type(value) is annotation else _REJECT
        if issubclass(annotation, Record):
            if type(value) is dict:  # a table of its fields
                found = checked(annotation, value)
                return _REJECT if found is None else found
            return value if type(value) is annotation else _REJECT
        return _REJECT
    origin, arguments = get_origin(annotation), get_args(annotation)
    if origin is Literal:
        return value if any(type(value) is type(member) and value == member for member in arguments) else _REJECT
    if origin is Annotated:
        discriminator = None
        for note in annotation.__metadata__:
            if not isinstance(note, FieldSpec) or note.alias is not None or set(dict(note.options)) - _NOTES - {"discriminator"}:
                return _REJECT
            discriminator = dict(note.options).get("discriminator", discriminator)
        if discriminator is not None and type(value) is dict:
            return _tagged(arguments[0], discriminator, value)
        return _accept(arguments[0], value)
    if origin is Union or origin is types.UnionType:
        if type(value) is dict and sum(isinstance(member, type) and issubclass(member, Record) for member in arguments) > 1:
            return _REJECT  # (which record a table becomes is pydantic's choice)
        for member in arguments:
            accepted = _accept(member, value)
            if accepted is not _REJECT:
                return accepted
        return _REJECT
    if origin is tuple and type(value) is tuple and len(arguments) == 2 and arguments[1] is Ellipsis:
        items = [_accept(arguments[0], item) for item in value]
        return _REJECT if any(item is _REJECT for item in items) else tuple(items)
    if origin is list and type(value) is list:
        items = [_accept(arguments[0], item) for item in value]
        return _REJECT if any(item is _REJECT for item in items) else items
    if origin is dict and type(value) is dict:
        pairs = [(_accept(arguments[0], key), _accept(arguments[1], item)) for key, item in value.items()]
        return _REJECT if any(key is _REJECT or item is _REJECT for key, item in pairs) else dict(pairs)
    return _REJECT


def _tagged(union: Any, discriminator: str, value: dict[Any, Any]) -> Any:
    """A table of a discriminated union of records: the one record whose tag it names."""
    tag = value.get(discriminator)
    members = [
        member
        for member in get_args(union)
        if isinstance(member, type)
        and issubclass(member, Record)
        and discriminator in _hints(member)
        and _accept(_hints(member)[discriminator], tag) is not _REJECT
    ]
    if len(members) != 1:
        return _REJECT
    found = checked(members[0], value)
    return _REJECT if found is None else found


# -- the pydantic mirrors -------------------------------------------------------------------------

_MIRRORS: dict[type[Record], Any] = {}
_RECORDS: dict[Any, type[Record]] = {}  # mirror -> record class


_HINTS: dict[type[Record], dict[str, Any]] = {}


def _hints(cls: type[Record]) -> dict[str, Any]:
    """The annotations of a record class and its bases, evaluated where each class is defined."""
    found = _HINTS.get(cls)
    if found is None:
        found = _HINTS[cls] = typing.get_type_hints(cls, include_extras=True)
    return found


def mirror(cls: type[Record]) -> Any:
    """The pydantic model that validates ``cls`` (built on first use; imports pydantic)."""
    found = _MIRRORS.get(cls)
    if found is not None:
        return found
    import pydantic

    fields: dict[str, Any] = {}
    hints = _hints(cls)
    for name, info in cls.model_fields.items():
        spec = info.spec
        arguments: dict[str, Any] = dict(spec.options)
        if spec.alias is not None:
            arguments["alias"] = spec.alias
        if spec.default_factory is not None:
            arguments["default_factory"] = spec.default_factory
        elif spec.default is not _MISSING:
            arguments["default"] = spec.default
        fields[name] = (_pydantic_type(hints[name]), pydantic.Field(**arguments))
    config = {key: value for key, value in cls.model_config.items() if key != "defer_build"}
    built = pydantic.create_model(cls.__name__, __config__=pydantic.ConfigDict(**config), __doc__=cls.__doc__, __module__=cls.__module__, **fields)  # type: ignore[typeddict-item]
    _MIRRORS[cls] = built
    _RECORDS[built] = cls
    return built


def _pydantic_type(annotation: Any) -> Any:
    """An evaluated annotation with its records replaced by their mirrors (and :func:`Field` by pydantic's)."""
    if isinstance(annotation, type) and issubclass(annotation, Record):
        return mirror(annotation)
    origin, arguments = get_origin(annotation), get_args(annotation)
    if origin is None or origin is Literal:
        return annotation
    if origin is Annotated:
        import pydantic

        metadata = [pydantic.Field(**_field_arguments(m)) if isinstance(m, FieldSpec) else m for m in annotation.__metadata__]
        return Annotated[(_pydantic_type(arguments[0]), *metadata)]
    converted = tuple(argument if argument is Ellipsis else _pydantic_type(argument) for argument in arguments)
    if origin is Union or origin is types.UnionType:
        return Union[converted]  # noqa: UP007 - built from a tuple
    return origin[converted]


def _field_arguments(spec: FieldSpec) -> dict[str, Any]:
    arguments = dict(spec.options)
    if spec.alias is not None:
        arguments["alias"] = spec.alias
    return arguments


def _to_mirror(value: Any) -> Any:
    """Records in a value to validate, as instances of their mirrors (which pydantic takes as they are)."""
    if isinstance(value, Record):
        fields = {name: _to_mirror(item) for name, item in value.__dict__.items()}
        return mirror(type(value)).model_construct(_fields_set=set(value.model_fields_set), **fields)
    return _inside(value, _to_mirror)


def _from_mirror(value: Any) -> Any:
    """A validated mirror instance (or a value holding some) as records."""
    cls = _RECORDS.get(type(value))
    if cls is not None:
        values = {name: _from_mirror(getattr(value, name)) for name in cls.model_fields}
        return cls.model_construct(_fields_set=set(value.model_fields_set), **values)
    return _inside(value, _from_mirror)


def _inside(value: Any, convert: Callable[[Any], Any]) -> Any:
    """``convert`` applied to the items of a list, tuple or dict (other values as they are)."""
    if isinstance(value, list):
        return [convert(item) for item in value]
    if isinstance(value, tuple):
        return tuple(convert(item) for item in value)
    if isinstance(value, dict):
        return {key: convert(item) for key, item in value.items()}
    return value
