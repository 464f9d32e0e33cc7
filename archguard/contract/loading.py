"""Finding and reading contract files.

A contract is ``archguard.toml`` (or ``.archguard.toml``, or ``contracts/archguard.toml``)
or the ``[tool.archguard]`` table of ``pyproject.toml``, found by walking up from the
working directory, or named with ``--config``. Every error names the file, the line where it
can be found, the TOML key path and what was expected.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Annotated, Any, ClassVar, get_args, get_origin

from archguard.base.errors import ContractError
from archguard.base.fileio import cache_directory
from archguard.base.lines import physical_lines
from archguard.contract.cache import cached_contract
from archguard.contract.locate import CONTRACT_FILES, find_contract, has_table
from archguard.contract.models import Contract
from archguard.contract.reading import parse_toml, read_config_text
from archguard.contract.record import Record

__all__ = ["CONTRACT_FILES", "LoadedContract", "find_contract", "has_table", "load_contract", "load_contract_text", "parse_contract", "with_roots"]


@dataclass(frozen=True)
class LoadedContract:
    """A validated contract and where it came from.

    ``dialect`` names the contract format it was read from; :mod:`archguard.engine.dialects`
    maps it to the object that tells the pipeline how to check it. Other dialects subclass
    this with what their configuration holds (:class:`archguard.importlinter.config.LoadedImportLinter`).
    """

    dialect: ClassVar[str] = "archguard"

    contract: Contract
    path: Path  # the file it was read from
    root: Path  # the project root: paths in reports are relative to it
    source: str  # the file's text, for locating keys in messages
    table: str = ""  # "tool.archguard" when read from pyproject.toml
    notice: str | None = None  # said on the first line of output (e.g. which configuration was auto-detected)
    roots_given: tuple[str, ...] | None = None  # --root: source roots (relative to root) that replace [project] roots

    @property
    def display_path(self) -> str:
        """The contract's path as the user would type it (relative to the working directory)."""
        return _display(self.path)

    @property
    def relpath(self) -> str:
        """The contract's path relative to the project root (posix), for reports."""
        try:
            return self.path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return self.path.resolve().as_posix()


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def with_roots(loaded: LoadedContract, roots: tuple[str, ...] | None) -> LoadedContract:
    """The contract with ``--root`` folders (relative to its project root) as its source roots."""
    if roots is None:
        return loaded
    project = loaded.contract.project.model_copy(update={"roots": list(roots)})
    return replace(loaded, contract=loaded.contract.model_copy(update={"project": project}), roots_given=roots)


def load_contract(path: Path, table: str | None = None, *, cached: bool = False, cache_dir: Path | None = None) -> LoadedContract:
    """Read, parse and validate a contract file. Raises :class:`ContractError`.

    ``cached``: take the validated contract from the cache folder (``cache_dir``, default
    ``.archguard_cache`` under the project root) when this text validated before, and keep it
    there otherwise (:mod:`archguard.contract.cache`)."""
    display = _display(path)
    source = read_config_text(path, display, "contract")
    return load_contract_text(source, path, table, cached=cached, cache_dir=cache_dir)


def load_contract_text(
    source: str,
    path: Path,
    table: str | None = None,
    *,
    display: str | None = None,
    check_root: bool = True,
    cached: bool = False,
    cache_dir: Path | None = None,
) -> LoadedContract:
    """Parse and validate a contract's text as if read from ``path`` (e.g. the file at a git revision)."""
    display = display or _display(path)
    document = parse_toml(source, display)
    if table is None:
        table = "tool.archguard" if path.name == "pyproject.toml" else ""
    data: Any = document
    prefix = ""
    if table:
        for key in table.split("."):
            if not isinstance(data, dict) or key not in data:
                raise ContractError(f"no [{table}] table in this file", file=display)
            data = data[key]
        prefix = table + "."
    if not isinstance(data, dict):
        raise ContractError(f"[{table}] must be a table", file=display)
    directory: Path | None = None
    if cached:
        project = data.get("project")
        stated_root = project.get("root", ".") if isinstance(project, dict) else "."
        if isinstance(stated_root, str):
            directory = cache_directory((path.parent / stated_root).resolve(), cache_dir)
    contract = cached_contract(source, table, directory, lambda: parse_contract(data, display=display, source=source, prefix=prefix))
    root = (path.parent / contract.project.root).resolve()
    if check_root and not root.is_dir():
        raise ContractError(
            f"project root {str(root)!r} is not a directory",
            file=display,
            key=prefix + "project.root",
            line=locate_key(source, prefix + "project.root"),
        )
    return LoadedContract(contract=contract, path=path, root=root, source=source, table=table)


def parse_contract(data: dict[str, Any], *, display: str = "<contract>", source: str = "", prefix: str = "") -> Contract:
    """Validate a TOML document (already parsed) into a :class:`Contract`."""
    from archguard.contract.record import checked

    contract = checked(Contract, data)  # (every value of the right type: no pydantic needed)
    if contract is None:
        contract = _validated(data, display, source, prefix)
    from archguard.contract.validate import validate  # (with pydantic's check: a cached contract needs neither)

    problems = validate(contract)
    if problems:
        first_problem = problems[0]
        message = first_problem.message
        if len(problems) > 1:
            message += f" (and {len(problems) - 1} more: " + "; ".join(f"{p.key}: {p.message}" for p in problems[1:4]) + ")"
        key = prefix + first_problem.key
        raise ContractError(message, file=display, key=key, line=locate_key(source, key))
    return contract


def _validated(data: dict[str, Any], display: str, source: str, prefix: str) -> Contract:
    """The contract validated by pydantic, its first error rewritten for a person editing a TOML file."""
    from pydantic import ValidationError  # (only a value of another type than its field's gets here)

    try:
        return Contract.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        key = format_loc(first["loc"], data)
        message = explain_error(first, data)
        count = error.error_count()
        if count > 1:
            others = [f"{prefix}{format_loc(e['loc'], data)}" for e in error.errors()[1:4]]
            message += f" (and {count - 1} more problem{'s' if count > 2 else ''}: {', '.join(others)}{', ...' if count > 4 else ''})"
        raise ContractError(message, file=display, key=prefix + key, line=locate_key(source, prefix + key)) from None


RULE_KINDS = ("layers", "boundaries", "allowed", "forbidden", "independent", "acyclic")


def format_loc(loc: tuple[Any, ...], data: Any) -> str:
    """pydantic's location tuple as a TOML key path, e.g. ``rules[2].layers[0]``."""
    parts: list[str] = []
    node: Any = data
    previous_was_rule_index = False
    for item in loc:
        if previous_was_rule_index and isinstance(item, str) and item in RULE_KINDS:
            # The discriminated union adds the rule kind to the path; TOML has no such key.
            previous_was_rule_index = False
            continue
        previous_was_rule_index = False
        if isinstance(item, int):
            parts.append(f"[{item}]")
            previous_was_rule_index = parts[:1] == ["rules"] and len(parts) == 2
        else:
            key = str(item)
            if not re.match(r"^[A-Za-z0-9_-]+$", key):
                key = '"' + key + '"'
            parts.append(("." if parts else "") + key)
        if isinstance(node, dict):
            node = node.get(item) if not isinstance(item, int) else None
        elif isinstance(node, list) and isinstance(item, int) and item < len(node):
            node = node[item]
    return "".join(parts)


def _inner_model(annotation: Any) -> Any:
    origin = get_origin(annotation)
    if isinstance(annotation, type) and issubclass(annotation, Record):
        return annotation
    if origin is list:
        (inner,) = get_args(annotation)
        if get_origin(inner) is Annotated:
            return "rule"  # the discriminated union of rule kinds
        return _inner_model(inner)
    if origin is dict:
        value = get_args(annotation)[1]
        return _DictOf(_inner_model(value))
    return None


class _DictOf:
    def __init__(self, model: Any) -> None:
        self.model = model


def explain_error(error: Any, data: Any) -> str:
    """A pydantic error rewritten for a person editing a TOML file."""
    kind = error["type"]
    loc = error["loc"]
    if kind == "extra_forbidden":
        key = str(loc[-1])
        expected = _expected_keys(loc, data)
        hint = ""
        if expected:
            import difflib  # (only here: not imported by every run)

            close = difflib.get_close_matches(key, expected, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else f" (expected one of: {', '.join(expected)})"
        return f"unknown key {key!r}{hint}"
    if kind == "missing":
        return "this key is required"
    if kind == "union_tag_not_found":
        return f"each [[rules]] entry needs a 'kind': one of {', '.join(RULE_KINDS)}"
    if kind == "union_tag_invalid":
        given = error.get("input", {}).get("kind") if isinstance(error.get("input"), dict) else None
        import difflib  # (only here: not imported by every run)

        close = difflib.get_close_matches(str(given), RULE_KINDS, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        return f"unknown rule kind {given!r}{hint}; expected one of: {', '.join(RULE_KINDS)}"
    if kind == "literal_error":
        return f"expected {error['ctx']['expected']}, got {error.get('input')!r}"
    if kind in ("too_short", "too_long"):
        return f"{error['msg'].lower()}, got {error.get('input')!r}"
    message = str(error["msg"])
    return f"{message[0].lower()}{message[1:]}, got {error.get('input')!r}"


def _expected_keys(loc: tuple[Any, ...], data: Any) -> list[str]:
    model = _locate_model(loc, data)
    if model is None:
        return []
    return sorted((info.alias or name) for name, info in model.model_fields.items())


def _locate_model(loc: tuple[Any, ...], data: Any) -> type[Record] | None:
    """Walk the contract models along ``loc`` (minus its last key)."""
    from archguard.contract import models

    kinds: dict[str, type[Record]] = {
        "layers": models.LayersRule,
        "boundaries": models.BoundariesRule,
        "allowed": models.AllowedRule,
        "forbidden": models.ForbiddenRule,
        "independent": models.IndependentRule,
        "acyclic": models.AcyclicRule,
    }
    model: Any = Contract
    node: Any = data
    items = list(loc[:-1])
    i = 0
    while i < len(items):
        item = items[i]
        node = node.get(item) if isinstance(node, dict) else (node[item] if isinstance(node, list) and isinstance(item, int) and item < len(node) else None)
        if isinstance(model, type) and issubclass(model, Record):
            field = next((info for name, info in model.model_fields.items() if item in (name, info.alias)), None)
            if field is None:
                return None
            model = _inner_model(field.annotation)
        elif model == "rule":
            if not isinstance(item, int) or not isinstance(node, dict):
                return None
            model = kinds.get(str(node.get("kind")))
            if i + 1 < len(items) and items[i + 1] == node.get("kind"):
                i += 1
        elif isinstance(model, _DictOf):
            model = model.model
        else:
            return None
        i += 1
    return model if isinstance(model, type) and issubclass(model, Record) else None


_HEADER = re.compile(r"^\s*\[(\[)?\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_ASSIGNED = re.compile(r'^\s*"?([^=]*?)"?\s*=')  # the key a line assigns (quotes around it dropped)
_INLINE = re.compile(r'(?:^|[\s{,])([A-Za-z0-9_-]+)\s*=')  # keys assigned inside an inline table
_PLAIN = re.compile(r"^[A-Za-z0-9_.-]+$")


def locate_key(source: str, key: str) -> int | None:
    """Best-effort line number of a key path such as ``rules[2].layers[0]`` in TOML text.

    TOML parsers give no positions, so this reads the text: find the table the key lives in
    (counting ``[[array]]`` tables), then the line that assigns the first remaining key.
    Returns ``None`` when unsure rather than a wrong line. The text is indexed once (tables,
    and per table the keys each line assigns): a lookup costs the depth of the key, not the
    length of the contract, so 10,000 findings about a 10,000-component contract stay linear.
    """
    if not source:
        return None
    return _key_index(source).locate(key)


@functools.lru_cache(maxsize=8)
def _key_index(source: str) -> _KeyIndex:
    return _KeyIndex(source)


class _KeyIndex:
    """Where tables start and end in a TOML text, and which keys each table's lines assign."""

    def __init__(self, source: str) -> None:
        self.lines = physical_lines(source)
        self.tables: dict[tuple[str, ...], tuple[int, int]] = {}  # table key parts -> (header line, end)
        self.first_header = len(self.lines)
        headers: list[tuple[tuple[str, ...], int]] = []
        counts: dict[str, int] = {}
        for number, line in enumerate(self.lines):
            match = _HEADER.match(line)
            if match:
                name = re.sub(r"\s*\.\s*", ".", match.group(2)).replace('"', "")
                if match.group(1):
                    counts[name] = counts.get(name, -1) + 1
                    name = f"{name}[{counts[name]}]"
                headers.append((tuple(_split_key(name)), number))
        if headers:
            self.first_header = headers[0][1]
        for index, (parts, start) in enumerate(headers):
            end = headers[index + 1][1] if index + 1 < len(headers) else len(self.lines)
            self.tables.setdefault(parts, (start, end))  # the first of equal tables, as a scan finds it
        self._assigned: dict[int, tuple[dict[str, int], dict[str, int]]] = {}  # table start -> its keys

    def _keys(self, start: int, end: int) -> tuple[dict[str, int], dict[str, int]]:
        """(key a line assigns -> first line, key assigned in an inline table -> first line) in a table."""
        known = self._assigned.get(start)
        if known is None:
            assigned: dict[str, int] = {}
            inline: dict[str, int] = {}
            for number in range(start + 1, end):
                line = self.lines[number]
                match = _ASSIGNED.match(line)
                if match:
                    assigned.setdefault(match.group(1).strip(), number)
                for name in _INLINE.findall(line):
                    inline.setdefault(name, number)
            known = self._assigned[start] = (assigned, inline)
        return known

    def locate(self, key: str) -> int | None:
        parts = _split_key(key)
        if not parts:
            return None
        consumed, start, end = 0, -1, self.first_header
        for depth in range(len(parts), 0, -1):  # the longest table path that is a prefix of the key
            found = self.tables.get(tuple(parts[:depth]))
            if found is not None:
                consumed, (start, end) = depth, found
                break
        remaining = [p for p in parts[consumed:] if not p.startswith("[")]
        if not remaining:
            return start + 1 if start >= 0 else None
        if not all(_PLAIN.match(part) for part in remaining):
            return _scan(self.lines, start, end, remaining)
        assigned, inline = self._keys(start, end)
        # Dotted keys (a.b = ...) or plain keys in that table.
        for depth in range(len(remaining), 0, -1):
            number = assigned.get(".".join(remaining[:depth]))
            if number is not None:
                return number + 1
        # A key inside an inline table: first line of the table that mentions it.
        number = inline.get(remaining[-1])
        if number is not None:
            return number + 1
        return start + 1 if start >= 0 else None


def _scan(lines: list[str], start: int, end: int, remaining: list[str]) -> int | None:
    """:meth:`_KeyIndex.locate` for keys the index does not hold (quoted, with spaces): a scan."""
    for depth in range(len(remaining), 0, -1):
        wanted = ".".join(remaining[:depth])
        pattern = re.compile(rf"^\s*\"?{re.escape(wanted)}\"?\s*=")
        for number in range(start + 1, end):
            if pattern.match(lines[number]):
                return number + 1
    for number in range(start + 1, end):
        if re.search(rf"(^|[\s{{,]){re.escape(remaining[-1])}\s*=", lines[number]):
            return number + 1
    return start + 1 if start >= 0 else None


def _split_key(key: str) -> list[str]:
    return [p for p in re.findall(r'\[\d+\]|"[^"]*"|[^.\[\]"]+', key) if p]
