"""Validated contracts (and other configurations), cached by the bytes of their text.

Validating a contract imports pydantic and builds the models' validators (together about
0.2 s, more than the rest of loading); the models are records that do both only when a
validation needs it (:mod:`archguard.contract.record`). A contract that validated before is
rebuilt from the cache instead, with ``model_construct`` (no validator), so a run whose
contract did not change never imports pydantic.

The entry is a pure function of the contract's text, its table and archguard's contract code
(version, and the size and time of each file of this package); it is stored under the cache
folder, as ``marshal`` of plain values (no code runs while loading), checksummed, written
atomically. Models are named by class name from this package's models only. A missing,
corrupt or foreign entry is ignored: the text is validated again. Other configuration
formats (import-linter's) use the same cache with their own models (:func:`cached_model`).
"""

from __future__ import annotations

import hashlib
import marshal
from collections.abc import Callable, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar

from archguard import __version__
from archguard.base.fileio import write_in_cache
from archguard.base.integrity import code_fingerprint, seal, unseal
from archguard.base.safe_files import CACHE_LIMIT, read_regular
from archguard.contract import models
from archguard.contract.record import Record

FORMAT = 1
_MAGIC = b"ARCHGUARD-CONTRACT\x01"
_MODEL = "\x00model"  # marks a model in the plain form: (_MODEL, class name, fields, fields set)
ModelT = TypeVar("ModelT", bound=Record)


def model_classes(module: ModuleType) -> dict[str, type[Record]]:
    """The records (models) a module defines, by class name: the only classes an entry may name."""
    return {
        name: value
        for name, value in vars(module).items()
        if isinstance(value, type) and issubclass(value, Record) and value.__module__ == module.__name__
    }


_CLASSES = model_classes(models)


def to_plain(value: Any) -> Any:
    """A contract (or any value in it) as plain values: models become tagged tuples."""
    if isinstance(value, Record):
        fields = {name: to_plain(getattr(value, name)) for name in type(value).model_fields}
        return (_MODEL, type(value).__name__, fields, sorted(value.model_fields_set))
    if isinstance(value, dict):
        return {key: to_plain(item) for key, item in value.items()}
    if isinstance(value, tuple):
        return ("\x00tuple", [to_plain(item) for item in value])
    if isinstance(value, list):
        return [to_plain(item) for item in value]
    return value


def from_plain(value: Any, classes: Mapping[str, type[Record]] = _CLASSES) -> Any:
    """The value :func:`to_plain` was given, models rebuilt without validation."""
    if isinstance(value, tuple) and len(value) == 4 and value[0] == _MODEL:
        _, name, fields, fields_set = value
        cls = classes[name]  # KeyError for a name that is not one of the known models
        if not isinstance(fields, dict) or set(fields) != set(cls.model_fields):
            raise ValueError(f"stored fields of {name} do not match the model")
        return cls.model_construct(_fields_set=set(fields_set), **{key: from_plain(item, classes) for key, item in fields.items()})
    if isinstance(value, tuple) and len(value) == 2 and value[0] == "\x00tuple":
        return tuple(from_plain(item, classes) for item in value[1])
    if isinstance(value, dict):
        return {key: from_plain(item, classes) for key, item in value.items()}
    if isinstance(value, list):
        return [from_plain(item, classes) for item in value]
    return value


def cached_model(
    kind: str, source: str, directory: Path | None, validate: Callable[[], ModelT], model: type[ModelT], classes: Mapping[str, type[Record]]
) -> ModelT:
    """``validate()``'s model, from the cache in ``directory`` when this text (of this ``kind`` of
    configuration, read with these model ``classes``) validated before; stored otherwise."""
    if directory is None:
        return validate()
    fingerprint = code_fingerprint(Path(__file__).resolve().parent, f"{kind}{FORMAT}")
    key = hashlib.blake2b(f"{fingerprint}\x00{source}".encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()
    path = directory / f"{kind}-{key}.bin"
    stored = _read(path)
    if stored is not None:
        try:
            version, stored_key, plain = marshal.loads(stored)
            if version == __version__ and stored_key == key:
                value = from_plain(plain, classes)
                if isinstance(value, model):
                    return value
        except (ValueError, EOFError, TypeError, KeyError):
            pass
    value = validate()
    try:
        payload = marshal.dumps((__version__, key, to_plain(value)))
    except ValueError:
        return value
    write_in_cache(directory, path, seal(_MAGIC, payload))
    return value


def cached_contract(source: str, table: str, directory: Path | None, validate: Callable[[], models.Contract]) -> models.Contract:
    """``validate()``'s contract, from the cache in ``directory`` when this text validated before."""
    return cached_model("contract", f"{table}\x00{source}", directory, validate, models.Contract, _CLASSES)


def _read(path: Path) -> bytes | None:
    """The payload of a cache entry, or None when it is missing, torn or corrupt, or anything but
    a private regular file of this user (a name planted by the tree: a FIFO, ``/dev/zero``)."""
    try:
        return unseal(_MAGIC, read_regular(path, limit=CACHE_LIMIT, follow_symlinks=False, private=True))
    except OSError:
        return None
