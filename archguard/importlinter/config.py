"""Reading import-linter configurations: ``.importlinter``, ``setup.cfg``, ``pyproject.toml``.

import-linter (https://import-linter.readthedocs.io) declares architecture *contracts* in an
INI section ``[importlinter]`` (``setup.cfg`` or ``.importlinter``) with one
``[importlinter:contract:ID]`` section per contract, or in ``[tool.importlinter]`` of
``pyproject.toml`` with a ``contracts`` array. This module parses both into frozen pydantic
models, with import-linter's own rules for values (INI lines are list items, booleans are
``true``/``false`` in any case, blank list lines are skipped, ``*``/``**`` wildcards must stand
for whole module names, ...). Every problem is a :class:`ContractError` naming the file, the
line, the contract and the field.

Only the configuration is read here; checking contracts on code is in
:mod:`archguard.importlinter.contracts`.
"""

from __future__ import annotations

import dataclasses
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from archguard.analysis.roots import FileSystemTree, describe_missing, find_package, search_path
from archguard.base.errors import ContractError
from archguard.base.fileio import cache_directory
from archguard.base.lines import physical_lines
from archguard.contract import models as contract_models
from archguard.contract.cache import cached_model, model_classes
from archguard.contract.loading import LoadedContract
from archguard.contract.locate import COMPANION_KEYS, is_companion
from archguard.contract.models import (
    ComponentConfig,
    Contract,
    DriftConfig,
    DuplicationConfig,
    GateConfig,
    ImportLinterCompanion,
    ProjectConfig,
)
from archguard.contract.reading import parse_toml, read_config_text
from archguard.contract.record import Field, Record, checked
from archguard.importlinter.files import INI_SECTION, TOML_TABLE, config_format

AlertLevel = Literal["error", "warn", "none"]
BUILT_IN_TYPES = ("forbidden", "layers", "independence", "protected", "private_modules", "acyclic_siblings")
SESSION_KEYS = (
    "root_package",
    "root_packages",
    "include_external_packages",
    "exclude_type_checking_imports",
    "contract_types",
    "show_timings",
)
COMMON_KEYS = ("id", "name", "type")


class _Frozen(Record):
    # (pydantic's configuration: the validator is built on the first validation; a configuration
    # read from the cache, archguard.contract.cache, is rebuilt without one)
    model_config = {"extra": "forbid", "frozen": True}


# -- module and import expressions -------------------------------------------------------------


class ModuleExpression(_Frozen):
    """A module name, or a pattern: ``*`` stands for one name, ``**`` for one or more names."""

    text: str

    @property
    def has_wildcard(self) -> bool:
        return "*" in self.text

    def regex(self) -> re.Pattern[str]:
        return _expression_regex(self.text)

    def matches(self, module: str) -> bool:
        if not self.has_wildcard:
            return module == self.text
        return self.regex().fullmatch(module) is not None

    def __str__(self) -> str:
        return self.text


_REGEX_CACHE: dict[str, re.Pattern[str]] = {}


def _expression_regex(text: str) -> re.Pattern[str]:
    cached = _REGEX_CACHE.get(text)
    if cached is None:
        parts = []
        for segment in text.split("."):
            if segment == "*":
                parts.append(r"[^.]+")
            elif segment == "**":
                parts.append(r"[^.]+(?:\.[^.]+)*")
            else:
                parts.append(re.escape(segment))
        cached = re.compile(r"\.".join(parts))
        _REGEX_CACHE[text] = cached
    return cached


def parse_module_expression(text: str) -> ModuleExpression:
    """Validate like import-linter: a wildcard replaces a whole name; ``**`` is not followed by ``*``."""
    last_wildcard: str | None = None
    for part in text.split("."):
        if last_wildcard == "**" and part in ("*", "**"):
            raise ValueError(f"{text!r}: a recursive wildcard ('**') cannot be followed by a wildcard")
        if last_wildcard == "*" and part == "**":
            raise ValueError(f"{text!r}: a wildcard ('*') cannot be followed by a recursive wildcard ('**')")
        if part in ("*", "**"):
            last_wildcard = part
            continue
        if "*" in part:
            raise ValueError(f"{text!r}: a wildcard can only replace a whole module name (write 'pkg.*', not 'pkg.foo*')")
        last_wildcard = None
    return ModuleExpression(text=text)


class ImportExpression(_Frozen):
    """``importer -> imported``, each side a module expression."""

    importer: ModuleExpression
    imported: ModuleExpression

    def __str__(self) -> str:
        return f"{self.importer.text} -> {self.imported.text}"


def parse_import_expression(text: str) -> ImportExpression:
    importer, _, imported = text.partition("->")
    importer, imported = importer.strip(), imported.strip()
    if not (importer and imported):
        raise ValueError(f"{text!r}: expected 'package.importer -> package.imported'")
    return ImportExpression(importer=parse_module_expression(importer), imported=parse_module_expression(imported))


# -- contracts ------------------------------------------------------------------------------------


class ContractOrigin(_Frozen):
    """Where a contract is written, to point error messages at the right line."""

    file: str  # display path of the configuration file
    key: str  # "importlinter:contract:one" or "tool.importlinter.contracts[0]"
    line: int | None = None  # the contract's section header (INI) or table (TOML)
    field_lines: dict[str, int] = Field(default_factory=dict)

    def field_key(self, field: str) -> str:
        return f"{self.key}.{field}"

    def error(self, field: str | None, message: str, contract_name: str) -> ContractError:
        """A ContractError naming the file, the line of the field, the contract and the field."""
        line = self.field_lines.get(field, self.line) if field else self.line
        key = self.field_key(field) if field else self.key
        return ContractError(f'contract "{contract_name}": {message}', file=self.file, key=key, line=line)


class ContractBase(_Frozen):
    id: str | None = None
    name: str
    ignore_imports: tuple[ImportExpression, ...] = ()
    unmatched_ignore_imports_alerting: AlertLevel = "error"
    broken_contract_guidance: str | None = None
    origin: ContractOrigin

    def error(self, field: str | None, message: str) -> ContractError:
        return self.origin.error(field, message, self.name)


class LayerModule(_Frozen):
    """One module of a layer; ``optional`` when written in parentheses."""

    name: str
    optional: bool = False


class Layer(_Frozen):
    text: str  # as written, e.g. "blue | green"
    modules: tuple[LayerModule, ...]
    independent: bool = True  # "a | b" (or a single module); "a : b" is not independent


class LayersContract(ContractBase):
    type: Literal["layers"]
    layers: tuple[Layer, ...]
    containers: tuple[ModuleExpression, ...] = ()
    exhaustive: bool = False
    exhaustive_ignores: tuple[str, ...] = ()


class ForbiddenContract(ContractBase):
    type: Literal["forbidden"]
    source_modules: tuple[ModuleExpression, ...]
    forbidden_modules: tuple[ModuleExpression, ...]
    allow_indirect_imports: bool = False
    as_packages: bool = True


class IndependenceContract(ContractBase):
    type: Literal["independence"]
    modules: tuple[ModuleExpression, ...]


class ProtectedContract(ContractBase):
    type: Literal["protected"]
    protected_modules: tuple[ModuleExpression, ...]
    allowed_importers: tuple[ModuleExpression, ...]
    as_packages: bool = True


class PrivateModulesContract(ContractBase):
    type: Literal["private_modules"]
    packages_with_private_modules: tuple[ModuleExpression, ...] | None = None


class AcyclicSiblingsContract(ContractBase):
    type: Literal["acyclic_siblings"]
    ancestors: tuple[ModuleExpression, ...]
    depth: int = Field(10, ge=0)
    skip_descendants: tuple[ModuleExpression, ...] = ()


ImportLinterContract = Annotated[
    LayersContract | ForbiddenContract | IndependenceContract | ProtectedContract | PrivateModulesContract | AcyclicSiblingsContract,
    Field(discriminator="type"),
]


class SessionOptions(_Frozen):
    """The ``[importlinter]`` section: what to analyse and how to build the graph."""

    root_packages: tuple[str, ...]
    one_line_root_packages: str | None = None  # 'root_packages = name' on one line: read as its characters
    include_external_packages: bool = False
    exclude_type_checking_imports: bool = False
    contract_types: dict[str, str] = Field(default_factory=dict)  # custom type name -> "module.Class"


class ImportLinterConfig(_Frozen):
    """A whole import-linter configuration."""

    file: str  # display path
    format: Literal["ini", "toml"]
    session: SessionOptions
    contracts: tuple[ImportLinterContract, ...]
    session_lines: dict[str, int] = Field(default_factory=dict)

    def select(self, ids: Iterable[str]) -> ImportLinterConfig:
        """Only the contracts with these ids (``--contract``), in configuration order."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return self
        known = {c.id for c in self.contracts if c.id is not None}
        missing = [i for i in wanted if i not in known]
        if missing:
            listed = ", ".join(sorted(known)) or "none (give contracts an 'id' to select them)"
            raise ContractError(f"no contract with id {', '.join(repr(m) for m in missing)} (contract ids: {listed})", file=self.file)
        return self.model_copy(update={"contracts": tuple(c for c in self.contracts if c.id in wanted)})


# -- reading raw options ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _RawContract:
    """One contract's options as the file gives them, before validation."""

    options: dict[str, Any]  # key -> str | list[str] (INI) or any TOML value
    origin: ContractOrigin


@dataclass(frozen=True)
class _RawConfig:
    """A configuration as the file gives it, before validation."""

    session: dict[str, Any]
    contracts: list[_RawContract]
    session_lines: dict[str, int]
    format: Literal["ini", "toml"]


def _ini_value(value: str) -> str | list[str]:
    # import-linter's rule: a value spanning several lines is a list of its lines.
    if "\n" not in value:
        return value
    return value.strip().split("\n")


def _ini_lines(source: str) -> dict[str, tuple[int, dict[str, int]]]:
    """Section name -> (header line, {key: line}), by scanning the text (configparser keeps no positions)."""
    sections: dict[str, tuple[int, dict[str, int]]] = {}
    current: dict[str, int] | None = None
    for number, line in enumerate(physical_lines(source), start=1):
        header = re.match(r"^\s*\[([^\]]+)\]", line)
        if header:
            name = header.group(1).strip()
            if name not in sections:
                sections[name] = (number, {})
            current = sections[name][1]
            continue
        if current is None or not line.strip() or line[:1].isspace() or line.lstrip().startswith(("#", ";")):
            continue
        key = re.match(r"^([^=:]+?)\s*[=:]", line)
        if key:
            current.setdefault(key.group(1).strip().lower(), number)
    return sections


def _read_ini(source: str, display: str) -> _RawConfig | None:
    import configparser  # (a run whose configuration is cached reads none)

    parser = configparser.ConfigParser()
    try:
        parser.read_string(source, source=display)
    except configparser.Error as error:
        line = getattr(error, "lineno", None)
        message = str(error).splitlines()[0]
        raise ContractError(f"invalid INI file: {message}", file=display, line=line) from None
    if INI_SECTION not in parser.sections():
        return None
    lines = _ini_lines(source)

    def section_dict(name: str) -> dict[str, Any]:
        try:
            return {key: _ini_value(value) for key, value in parser[name].items()}
        except configparser.Error as error:  # interpolation problems ('%' in a value)
            raise ContractError(
                f"invalid value: {str(error).splitlines()[0]}", file=display, key=name, line=lines.get(name, (None, {}))[0]
            ) from None

    session = section_dict(INI_SECTION)
    contracts = []
    for name in parser.sections():
        if not name.startswith(INI_SECTION + ":"):
            continue
        header_line, key_lines = lines.get(name, (None, {}))
        options: dict[str, Any] = {"id": name.split(":")[-1]}
        options.update(section_dict(name))
        origin = ContractOrigin(file=display, key=name, line=header_line, field_lines=dict(key_lines))
        contracts.append(_RawContract(options, origin))
    return _RawConfig(session, contracts, dict(lines[INI_SECTION][1]) if INI_SECTION in lines else {}, "ini")


def _read_toml(source: str, display: str) -> _RawConfig | None:
    from archguard.contract.loading import locate_key

    document = parse_toml(source, display)
    tool = document.get("tool", {})
    session = tool.get("importlinter") if isinstance(tool, dict) else None
    if not isinstance(session, dict) or not session:
        return None
    session = dict(session)
    raw_contracts = session.pop("contracts", [])
    if not isinstance(raw_contracts, list):
        raise ContractError(
            "expected an array of tables ([[tool.importlinter.contracts]])",
            file=display,
            key=f"{TOML_TABLE}.contracts",
            line=locate_key(source, f"{TOML_TABLE}.contracts"),
        )
    session_lines = {key: line for key in session if (line := locate_key(source, f"{TOML_TABLE}.{key}"))}
    contracts = []
    for index, options in enumerate(raw_contracts):
        key = f"{TOML_TABLE}.contracts[{index}]"
        if not isinstance(options, dict):
            raise ContractError("each contract must be a table", file=display, key=key, line=locate_key(source, key))
        field_lines = {name: line for name in options if (line := locate_key(source, f"{key}.{name}"))}
        origin = ContractOrigin(file=display, key=key, line=locate_key(source, key), field_lines=field_lines)
        normalised = {name: (str(value) if isinstance(value, bool) else value) for name, value in options.items()}
        contracts.append(_RawContract(normalised, origin))
    session = {name: (str(value) if isinstance(value, bool) else value) for name, value in session.items()}
    return _RawConfig(session, contracts, session_lines, "toml")


# -- field parsers (import-linter's value rules) ----------------------------------------------------


class _FieldError(ValueError):
    pass


def _string(value: Any) -> str:
    if isinstance(value, list):
        raise _FieldError("expected a single value, got several")
    if isinstance(value, (dict,)):
        raise _FieldError("expected a single value, got a table")
    return str(value)


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return _string(value)


def _boolean(value: Any) -> bool:
    text = _string(value).lower()
    if text == "true":
        return True
    if text == "false":
        return False
    raise _FieldError(f"expected true or false, got {value!r}")


def _integer(value: Any, minimum: int = 0) -> int:
    text = _string(value)
    try:
        number = int(text)
    except ValueError:
        raise _FieldError(f"{text!r} is not an integer") from None
    if number < minimum:
        raise _FieldError(f"must be >= {minimum}, got {number}")
    return number


def _items(value: Any) -> list[str]:
    """A list field: one value or several; blank items are skipped."""
    if isinstance(value, tuple):
        value = list(value)
    if not isinstance(value, list):
        value = [value]
    items = []
    for item in value:
        text = _string(item)
        if text.strip():
            items.append(text)
    return items


def _expressions(value: Any, *, unique: bool) -> tuple[ModuleExpression, ...]:
    parsed = []
    for item in _items(value):
        try:
            parsed.append(parse_module_expression(item.strip()))
        except ValueError as error:
            raise _FieldError(str(error)) from None
    if unique:
        parsed = list(dict.fromkeys(parsed))
    return tuple(parsed)


def _import_expressions(value: Any) -> tuple[ImportExpression, ...]:
    parsed = []
    for item in _items(value):
        try:
            parsed.append(parse_import_expression(item))
        except ValueError as error:
            raise _FieldError(str(error)) from None
    return tuple(dict.fromkeys(parsed))


def _alert_level(value: Any) -> str:
    text = _string(value).strip()
    if text == "":
        return "error"
    if text not in ("error", "warn", "none"):
        raise _FieldError(f"invalid value {text!r}: expected 'error', 'warn' or 'none'")
    return text


def _contained_pairs(names: Iterable[str]) -> list[tuple[str, str]]:
    names = sorted(set(names))
    return [(parent, child) for parent in names for child in names if child.startswith(parent + ".")]


def _layer(value: Any) -> Layer:
    text = _string(value)
    independent_separator, other_separator = "|", ":"
    if independent_separator in text and other_separator in text:
        raise _FieldError(f"{text.strip()!r}: a layer cannot mix independent ('|') and non-independent (':') siblings")
    if independent_separator in text:
        raw, independent = text.split(independent_separator), True
    elif other_separator in text:
        raw, independent = text.split(other_separator), False
    else:
        raw, independent = [text], True
    modules: list[LayerModule] = []
    seen: set[str] = set()
    repeated: set[str] = set()
    for item in (part.strip() for part in raw):
        optional = item.startswith("(") and item.endswith(")")
        name = item[1:-1] if optional else item
        if name in seen:
            repeated.add(name)
        seen.add(name)
        modules.append(LayerModule(name=name, optional=optional))
    if repeated:
        raise _FieldError(f"modules cannot be repeated in a layer: {', '.join(repr(n) for n in sorted(repeated))}")
    contained = _contained_pairs(seen)
    if contained:
        raise _FieldError("modules cannot contain each other in a layer: " + ", ".join(f"'{p}' contains '{c}'" for p, c in contained))
    unique = tuple(dict.fromkeys(modules))
    return Layer(text=text.strip(), modules=unique, independent=independent)


def _layers(value: Any) -> tuple[Layer, ...]:
    return tuple(_layer(item) for item in _items(value))


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_items(value)))


# field name -> (parser, required, default)
_Spec = tuple[Callable[[Any], Any], bool, Any]
_COMMON_FIELDS: dict[str, _Spec] = {
    "ignore_imports": (_import_expressions, False, ()),
    "unmatched_ignore_imports_alerting": (_alert_level, False, "error"),
    "broken_contract_guidance": (_text, False, None),
}
_FIELDS: dict[str, dict[str, _Spec]] = {
    "layers": {
        "layers": (_layers, True, None),
        "containers": (lambda v: _expressions(v, unique=False), False, ()),
        "exhaustive": (_boolean, False, False),
        "exhaustive_ignores": (_strings, False, ()),
    },
    "forbidden": {
        "source_modules": (lambda v: _expressions(v, unique=True), True, None),
        "forbidden_modules": (lambda v: _expressions(v, unique=True), True, None),
        "allow_indirect_imports": (_boolean, False, False),
        "as_packages": (_boolean, False, True),
    },
    "independence": {"modules": (lambda v: _expressions(v, unique=True), True, None)},
    "protected": {
        "protected_modules": (lambda v: _expressions(v, unique=False), True, None),
        "allowed_importers": (lambda v: _expressions(v, unique=False), True, None),
        "as_packages": (_boolean, False, True),
    },
    "private_modules": {"packages_with_private_modules": (lambda v: _expressions(v, unique=True), False, None)},
    "acyclic_siblings": {
        "ancestors": (lambda v: _expressions(v, unique=True), True, None),
        "depth": (_integer, False, 10),
        "skip_descendants": (lambda v: _expressions(v, unique=True), False, ()),
    },
}
_MODELS: dict[str, type[ContractBase]] = {
    "layers": LayersContract,
    "forbidden": ForbiddenContract,
    "independence": IndependenceContract,
    "protected": ProtectedContract,
    "private_modules": PrivateModulesContract,
    "acyclic_siblings": AcyclicSiblingsContract,
}


def _is_private_name(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def _parse_contract(raw: _RawContract, custom_types: dict[str, str]) -> ContractBase:
    options = raw.options
    origin = raw.origin
    label = f'"{options["name"]}"' if isinstance(options.get("name"), str) else origin.key

    def fail(field: str | None, message: str) -> ContractError:
        line = origin.field_lines.get(field, origin.line) if field else origin.line
        key = origin.field_key(field) if field else origin.key
        return ContractError(f"contract {label}: {message}", file=origin.file, key=key, line=line)

    if "name" not in options:
        raise fail(None, "every contract needs a 'name'")
    if "type" not in options:
        raise fail(None, f"every contract needs a 'type' (one of: {', '.join(BUILT_IN_TYPES)})")
    try:
        name = _string(options["name"])
        contract_type = _string(options["type"]).strip()
        contract_id = _string(options["id"]) if "id" in options else None
    except _FieldError as error:
        raise fail("name", str(error)) from None
    if contract_type in custom_types:
        raise fail(
            "type",
            f"custom contract type {contract_type!r} ({custom_types[contract_type]}, from contract_types) is not supported: "
            "archguard never imports or runs the analysed project's code; express this contract with a built-in type "
            "or an archguard rule",
        )
    if contract_type not in _FIELDS:
        import difflib  # (only here: not imported by every run)

        close = difflib.get_close_matches(contract_type, BUILT_IN_TYPES, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise fail("type", f"unknown contract type {contract_type!r}{hint}; built-in types: {', '.join(BUILT_IN_TYPES)}")
    if contract_id is not None and ":" in contract_id:
        raise fail("id", f"contract id {contract_id!r} may not contain a colon")

    specs = {**_FIELDS[contract_type], **_COMMON_FIELDS}
    unknown = sorted(set(options) - set(specs) - set(COMMON_KEYS))
    if unknown:
        import difflib  # (only here: not imported by every run)

        close = difflib.get_close_matches(unknown[0], sorted(specs), n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else f" (expected: {', '.join(sorted(specs))})"
        raise fail(unknown[0], f"unknown option {unknown[0]!r} for a {contract_type} contract{hint}")
    values: dict[str, Any] = {"id": contract_id, "name": name, "type": contract_type, "origin": origin}
    for field, (parse, required, default) in specs.items():
        if field not in options:
            if required:
                raise fail(field, f"the {contract_type} contract option {field!r} is required")
            values[field] = default
            continue
        try:
            values[field] = parse(options[field])
        except _FieldError as error:
            raise fail(field, str(error)) from None
    contract = _MODELS[contract_type].model_validate(values)
    _validate_contract(contract, fail)
    return contract


def _validate_contract(contract: ContractBase, fail: Callable[[str | None, str], ContractError]) -> None:
    """Rules that span several fields (import-linter checks them before looking at the code)."""
    if isinstance(contract, LayersContract):
        seen: set[str] = set()
        repeated: set[str] = set()
        for layer in contract.layers:
            names = {m.name for m in layer.modules}
            repeated |= seen & names
            seen |= names
        if repeated:
            raise fail("layers", f"modules cannot be in more than one layer: {', '.join(repr(n) for n in sorted(repeated))}")
        contained = _contained_pairs(seen)
        if contained:
            raise fail("layers", "layers cannot contain other layers: " + ", ".join(f"'{p}' contains '{c}'" for p, c in contained))
        if contract.exhaustive and not contract.containers:
            raise fail("exhaustive", "the exhaustive option needs containers (it checks every child of each container)")
    elif isinstance(contract, PrivateModulesContract):
        private = sorted(
            e.text for e in contract.packages_with_private_modules or () if any(_is_private_name(p) for p in e.text.split("."))
        )
        if private:
            raise fail(
                "packages_with_private_modules",
                f"packages cannot be private or inside a private module: {', '.join(repr(p) for p in private)}; "
                "list an ancestor that isn't private instead",
            )
    elif isinstance(contract, AcyclicSiblingsContract):
        overlap = sorted(set(contract.ancestors) & set(contract.skip_descendants), key=lambda e: e.text)
        if overlap:
            raise fail("skip_descendants", f"cannot skip {overlap[0].text!r}: it is also an ancestor")


def _parse_session(raw: _RawConfig, display: str) -> SessionOptions:
    session = raw.session

    def fail(key: str | None, message: str) -> ContractError:
        table = INI_SECTION if raw.format == "ini" else TOML_TABLE
        return ContractError(message, file=display, key=f"{table}.{key}" if key else table, line=raw.session_lines.get(key or "", None))

    unknown = sorted(set(session) - set(SESSION_KEYS))
    if unknown:
        import difflib  # (only here: not imported by every run)

        close = difflib.get_close_matches(unknown[0], SESSION_KEYS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else f" (expected: {', '.join(SESSION_KEYS)})"
        raise fail(unknown[0], f"unknown option {unknown[0]!r}{hint}")
    one_line: str | None = None
    if "root_packages" in session:
        key = "root_packages"
        value = session["root_packages"]
        if isinstance(value, str) and len(value) > 1:
            # import-linter hands the value to grimp.build_graph(*value): one line (or a TOML string)
            # is a sequence of characters, each looked up as a package.
            one_line = value
            roots = list(value)
        else:
            roots = _items(value)
    elif "root_package" in session:
        try:
            roots = [_string(session["root_package"])]
        except _FieldError as error:
            raise fail("root_package", str(error)) from None
        key = "root_package"
    else:
        raise fail(None, "name the package to analyse: root_package = mypackage (or root_packages, one per line)")
    if one_line is not None:
        if not all(character.isidentifier() for character in one_line):
            raise fail(key, one_line_quirk(one_line, raw.format))
    else:
        roots = [r.strip() for r in roots if r.strip()]
    if not roots:
        raise fail(key, "expected at least one package name")
    for name in roots:
        if not all(part.isidentifier() for part in name.split(".")):
            raise fail(key, f"{name!r} is not an importable package name (use the name you import, e.g. 'importlinter')")

    def flag(name: str) -> bool:
        # import-linter's rule: only the strings "True" and "true" turn an option on.
        return name in session and isinstance(session[name], str) and session[name] in ("True", "true")

    custom: dict[str, str] = {}
    for item in _items(session.get("contract_types", [])):
        type_name, separator, target = item.partition(": ")
        if not separator or not type_name.strip() or not target.strip():
            raise fail("contract_types", f"{item!r}: expected 'name: module.ContractClass'")
        custom[type_name.strip()] = target.strip()
    return SessionOptions(
        root_packages=tuple(dict.fromkeys(roots)),
        one_line_root_packages=one_line,
        include_external_packages=flag("include_external_packages"),
        exclude_type_checking_imports=flag("exclude_type_checking_imports"),
        contract_types=custom,
    )


def parse_importlinter(source: str, *, display: str, fmt: Literal["ini", "toml"]) -> ImportLinterConfig | None:
    """Parse configuration text. ``None`` when it has no import-linter section."""
    raw = _read_ini(source, display) if fmt == "ini" else _read_toml(source, display)
    if raw is None:
        return None
    session = _parse_session(raw, display)
    if not raw.contracts:
        where = "an 'importlinter:contract:<id>' section" if fmt == "ini" else "a [[tool.importlinter.contracts]] table"
        raise ContractError(f"no contracts: write each contract in {where}", file=display, key=INI_SECTION if fmt == "ini" else TOML_TABLE)
    contracts = [_parse_contract(contract, session.contract_types) for contract in raw.contracts]
    seen_ids: dict[str, str] = {}
    for contract in contracts:
        if contract.id is not None:
            if contract.id in seen_ids:
                raise contract.error("id", f'the id {contract.id!r} is already used by contract "{seen_ids[contract.id]}"')
            seen_ids[contract.id] = contract.name
    return ImportLinterConfig.model_validate(
        {"file": display, "format": fmt, "session": session, "contracts": tuple(contracts), "session_lines": raw.session_lines}
    )


# -- finding and loading files ------------------------------------------------------------------------


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_importlinter(path: Path) -> ImportLinterConfig | None:
    """Parse one file; ``None`` when it has no import-linter configuration."""
    display = _display(path)
    return parse_importlinter(read_config_text(path, display, "configuration"), display=display, fmt=config_format(path))


def one_line_quirk(value: str, fmt: Literal["ini", "toml"]) -> str:
    """What import-linter does with ``root_packages = name`` on one line, and how to write it."""
    characters = ", ".join(repr(c) for c in dict.fromkeys(value))
    if fmt == "ini":
        written = f"root_packages = {value}"
        fix = f"write 'root_package = {value}', or put each package on a line of its own ('root_packages =' then '    {value}')"
    else:
        written = f"root_packages = {_toml_text(value)}"
        fix = f"write 'root_packages = [{_toml_text(value)}]' (a list) or 'root_package = {_toml_text(value)}'"
    return (
        f"{written} is one value, and import-linter 2.17 reads it character by character, as the packages {characters} "
        f"(lint-imports stops with \"Could not find package '{value[0]}' in your Python path.\"); {fix}"
    )


def _toml_text(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def locate_packages(
    directory: Path, session: SessionOptions, *, fmt: Literal["ini", "toml"] = "ini", roots: Sequence[str] | None = None
) -> tuple[list[str], list[str]]:
    """(source roots, package names): where each root package is, found as lint-imports finds it.

    lint-imports imports root packages from the Python path (its working directory first, then
    ``PYTHONPATH``, then installed packages); archguard never imports code, so it looks along
    :func:`archguard.analysis.roots.search_path` from the configuration's directory (or only in
    ``roots``, from ``--root``). Raises ValueError with import-linter's verdict when lint-imports
    would refuse the package: missing, a module, or a subpackage of a regular package.
    """
    tree = FileSystemTree(directory)
    looked = search_path(directory, explicit=roots)
    found: list[str] = []
    for name in session.root_packages:
        location = find_package(tree, name, [folder.path for folder in looked])
        if location is None:
            if session.one_line_root_packages is not None:
                raise ValueError(one_line_quirk(session.one_line_root_packages, fmt))
            missing = describe_missing(tree, directory, name, looked)
            message = missing.message
            if missing.holders:
                folder = missing.holders[0]
                message += f": run with PYTHONPATH={folder} (as lint-imports needs), or pass --root {folder}"
            raise ValueError(message)
        if location.kind == "module":
            raise ValueError(f"{name!r} is a module, not a package: root packages must be directories (import-linter 2.17 refuses it too)")
        if "." in name and location.top_kind != "namespace":
            top = name.split(".")[0]
            raise ValueError(
                f"{name!r} is not a top-level package: import-linter 2.17 stops on it (grimp's NotATopLevelModule, without a "
                f"message) because {top} is a regular package; write root_package = {top} and name {name} in the contracts"
            )
        found += location.roots
    ordered = [folder.path for folder in looked if folder.path in found]
    return ordered, list(session.root_packages)


@dataclass(frozen=True)
class LoadedImportLinter(LoadedContract):
    """An import-linter configuration, loaded: the configuration itself, and the archguard
    contract that carries its project settings (roots, root packages, import-linter's
    resolution) through the pipeline."""

    dialect: ClassVar[str] = "import-linter"
    importlinter: ImportLinterConfig = dataclasses.field(kw_only=True)
    selected: tuple[str, ...] = dataclasses.field(default=(), kw_only=True)  # the ids --contract chose (): all
    companion: ImportLinterCompanion = dataclasses.field(default_factory=ImportLinterCompanion, kw_only=True)


def load_importlinter(
    path: Path,
    *,
    auto_detected: bool = False,
    contract_ids: Iterable[str] = (),
    roots: Sequence[str] | None = None,
    cached: bool = False,
    cache_dir: Path | None = None,
) -> LoadedImportLinter:
    """Read an import-linter configuration as a :class:`LoadedImportLinter`; ``roots`` (``--root``)
    are the only folders where its root packages are looked for. ``cached``: take the validated
    configuration from the cache folder (``cache_dir``, default ``.archguard_cache`` next to the
    file) when this text was read before (:mod:`archguard.contract.cache`)."""
    display = _display(path)
    source = read_config_text(path, display, "configuration")
    return load_importlinter_text(
        source, path, display=display, auto_detected=auto_detected, contract_ids=contract_ids, roots=roots, cached=cached, cache_dir=cache_dir
    )


def load_importlinter_text(
    source: str,
    path: Path,
    *,
    display: str | None = None,
    auto_detected: bool = False,
    contract_ids: Iterable[str] = (),
    roots: Sequence[str] | None = None,
    cached: bool = False,
    cache_dir: Path | None = None,
) -> LoadedImportLinter:
    """Parse configuration text as if read from ``path`` (e.g. the file at a git revision);
    ``roots`` and ``cached`` as for :func:`load_importlinter`."""
    display = display or _display(path)
    fmt = config_format(path)
    directory = path.resolve().parent

    def parse() -> ImportLinterConfig:
        found = parse_importlinter(source, display=display, fmt=fmt)
        if found is None:
            where = f"[{INI_SECTION}] section" if fmt == "ini" else f"[{TOML_TABLE}] table"
            raise ContractError(f"no {where} in this file", file=display)
        return found

    cache = cache_directory(directory, cache_dir) if cached else None
    config = cached_model("importlinter", f"{display}\x00{fmt}\x00{source}", cache, parse, ImportLinterConfig, _model_classes())
    config = config.select(contract_ids)
    key = "root_packages" if "root_packages" in config.session_lines else "root_package"
    try:
        found, packages = locate_packages(directory, config.session, fmt=config.format, roots=roots)
    except ValueError as error:
        table = INI_SECTION if config.format == "ini" else TOML_TABLE
        raise ContractError(str(error), file=display, key=f"{table}.{key}", line=config.session_lines.get(key)) from None
    # Values known to be valid: built without running (or building) the models' validators.
    project = ProjectConfig.model_construct(
        root=".", roots=found, packages=packages, resolution="import-linter", include_external_packages=config.session.include_external_packages
    )
    companion = cached_model(
        "importlinter-companion",
        f"{display}\x00{config.format}\x00{source}",
        cache,
        lambda: read_companion(source, config.format, display),
        ImportLinterCompanion,
        model_classes(contract_models),
    )
    contract = Contract.model_construct(
        project=project,
        # Each top-level subpackage is a component: copies across them are drift (see ImportLinterCompanion).
        components=subpackage_components(directory, found, packages),
        duplication=DuplicationConfig.model_construct(enabled=companion.copies != "off", cross_component="warning", within_component="off"),
        drift=DriftConfig.model_construct(unmapped="off", absent="off"),
        gate=GateConfig.model_construct(suppressions=companion.suppressions, pragmas=companion.pragmas),
    )
    notice = f"using the import-linter configuration in {display}"
    if auto_detected:
        notice += " (no archguard contract found)"
    return LoadedImportLinter(
        contract=contract,
        path=path,
        root=directory,
        source=source,
        table=INI_SECTION if config.format == "ini" else TOML_TABLE,
        importlinter=config,
        notice=notice,
        selected=tuple(dict.fromkeys(contract_ids)),
        companion=companion,
        roots_given=tuple(roots) if roots is not None else None,
    )


COMPANION_INI_SECTION = "archguard"


def read_companion(source: str, fmt: Literal["ini", "toml"], display: str) -> ImportLinterCompanion:
    """archguard's table next to the configuration: ``[tool.archguard]`` (TOML) or ``[archguard]`` (INI)."""
    from archguard.contract.loading import format_loc, locate_key

    if fmt == "toml":
        tool = parse_toml(source, display).get("tool", {})
        data = tool.get("archguard") if isinstance(tool, dict) else None
        if not is_companion(data):
            return ImportLinterCompanion.model_construct()  # (defaults: no validator built) none, or a whole archguard contract (which --config did not choose)
        prefix = "tool.archguard."

        def line_of(key: str) -> int | None:
            return locate_key(source, prefix + key)
    else:
        import configparser  # (a run whose configuration is cached reads none)

        parser = configparser.ConfigParser()
        parser.read_string(source, source=display)  # (already read without error)
        if COMPANION_INI_SECTION not in parser.sections():
            return ImportLinterCompanion.model_construct()
        data = dict(parser[COMPANION_INI_SECTION].items())
        prefix = COMPANION_INI_SECTION + "."
        lines = _ini_lines(source).get(COMPANION_INI_SECTION, (None, {}))[1]

        def line_of(key: str) -> int | None:
            return lines.get(key)
    assert isinstance(data, dict)
    plain = checked(ImportLinterCompanion, data)  # (levels as written: no pydantic needed)
    if plain is not None:
        return plain
    from pydantic import ValidationError  # (validating: a cached companion never gets here)

    try:
        return ImportLinterCompanion.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        key = format_loc(first["loc"], data)
        expected = ", ".join(sorted(COMPANION_KEYS)) if first["type"] == "extra_forbidden" else None
        message = f"unknown key (expected one of: {expected})" if expected else first["msg"]
        raise ContractError(message, file=display, key=prefix + key, line=line_of(key.split(".")[0])) from None


def subpackage_components(directory: Path, roots: Iterable[str], packages: Iterable[str]) -> dict[str, ComponentConfig]:
    """A component for each root package's own module and for each of its direct children."""
    components: dict[str, ComponentConfig] = {}
    for package in packages:
        components[package] = ComponentConfig.model_construct(modules=[f"{package}:*"])  # valid by construction
        for root in roots:
            folder = directory / root / Path(*package.split("."))
            if not folder.is_dir():
                continue
            try:
                entries = sorted(folder.iterdir())
            except OSError:
                continue
            for entry in entries:
                name = entry.name.removesuffix(".py") if entry.suffix == ".py" else entry.name
                if name == "__init__" or not name.isidentifier() or (entry.suffix != ".py" and not entry.is_dir()):
                    continue
                components.setdefault(f"{package}.{name}", ComponentConfig.model_construct(modules=[f"{package}.{name}"]))
    return components


def _model_classes() -> dict[str, type[Record]]:
    """The configuration's models, by class name (what a cache entry may name)."""
    return model_classes(sys.modules[__name__])
