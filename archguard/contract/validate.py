"""Cross-reference checks on a parsed contract.

pydantic checks each value in isolation; this module checks what only the whole contract
can tell: a rule naming a component that does not exist, a component in two layers, two
components claiming the same modules, an ignore entry that cannot be read. Each problem is
reported with its TOML key path.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from archguard.contract.models import (
    AcyclicRule,
    AllowedRule,
    BoundariesRule,
    ComponentConfig,
    Contract,
    ForbiddenRule,
    IndependentRule,
    LayersRule,
    rule_display_name,
)
from archguard.contract.patterns import ModulePattern, PatternError
from archguard.contract.selectors import (
    TAG_PREFIX,
    ExternalTarget,
    UnknownReference,
    components_by_tag,
    expand,
    expand_all,
    is_tag_reference,
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a contract: the key it is at, and what is wrong."""

    key: str
    message: str


@dataclass(frozen=True)
class Layer:
    """One layer: its members (component names or tags), and whether they may import each other."""

    components: tuple[str, ...]
    independent: bool


def leaves_the_project(path: str) -> bool:
    """Whether a path of the contract (relative to the project root) points outside it:
    absolute (``/x``, ``C:/x``, ``//host``) or climbing out with ``..``."""
    text = path.replace("\\", "/")
    if text.startswith("/") or re.match(r"^[A-Za-z]:", text):
        return True
    depth = 0
    for part in text.split("/"):
        if part == "..":
            depth -= 1
            if depth < 0:
                return True
        elif part not in ("", "."):
            depth += 1
    return False


def outside_project_paths(contract: Contract) -> list[Problem]:
    """[project] roots, exclude and baseline must stay inside the project root: archguard
    reads and writes nothing outside it that the command line did not name (move [project]
    root up to a folder that holds them all instead)."""
    project = contract.project
    entries = [(f"project.roots[{i}]", path) for i, path in enumerate(project.roots or [])]
    entries += [(f"project.exclude[{i}]", path) for i, path in enumerate(project.exclude)]
    entries.append(("project.baseline", project.baseline))
    return [
        Problem(key, f"{path!r} is outside the project root; paths here are relative to [project] root and stay below it")
        for key, path in entries
        if leaves_the_project(path)
    ]


# A ':' between siblings has whitespace on at least one side ("a : b"); "type:domain" is a tag.
_SIBLING_COLON = re.compile(r"\s+:\s*|\s*:\s+")


def parse_layer(entry: str, components: Mapping[str, ComponentConfig] | None = None) -> Layer:
    """``"a | b"`` -> independent siblings; ``"a : b"`` -> siblings that may import each other.

    Members are component names or tags (``tag:NAME`` or ``key:value``). For older contracts,
    ``"a:b"`` without spaces still means the components a and b when both exist and no
    component carries the tag ``a:b``.
    """
    text = entry.strip()
    if "|" in text:
        names = tuple(part.strip() for part in text.split("|"))
        if any(_SIBLING_COLON.search(name) for name in names):
            raise ValueError(f"{entry!r} mixes '|' and ':'; use one separator per layer")
        independent = len(names) > 1
    elif _SIBLING_COLON.search(text):
        names = tuple(part.strip() for part in _SIBLING_COLON.split(text))
        independent = False
    elif ":" in text and not text.startswith(TAG_PREFIX) and components is not None and _legacy_siblings(text, components):
        names = tuple(part.strip() for part in text.split(":"))
        independent = False
    else:
        names = (text,)
        independent = False
    if any(not name for name in names):
        raise ValueError(f"{entry!r} has an empty name; expected 'a', 'a | b' or 'a : b'")
    return Layer(components=names, independent=independent)


def _legacy_siblings(text: str, components: Mapping[str, ComponentConfig]) -> bool:
    return text not in components_by_tag(components) and all(part.strip() in components for part in text.split(":"))


def layer_components(layer: Layer, components: Mapping[str, ComponentConfig]) -> tuple[str, ...]:
    """The components of a layer, tags expanded (raises UnknownReference)."""
    return expand_all(list(layer.components), components)


def parse_ignore_import(text: str) -> tuple[ModulePattern, ModulePattern]:
    """``"shop.api.debug -> shop.infra.db"`` -> (importer pattern, imported pattern)."""
    if text.count("->") != 1:
        raise ValueError(f"expected 'importer -> imported', got {text!r}")
    left, right = (part.strip() for part in text.split("->"))
    return ModulePattern.parse(left), ModulePattern.parse(right)


TARGET_PREFIXES = ("external:", "module:")


def is_component_reference(entry: str) -> bool:
    """A bare name (no dot, no wildcard, no prefix) refers to a component; a tag
    (``tag:NAME``, ``key:value``) to every component carrying it."""
    if is_tag_reference(entry):
        return True
    return not entry.startswith(TARGET_PREFIXES) and "." not in entry and "*" not in entry


def _sources(rule: AllowedRule) -> list[str]:
    if rule.from_ is None:
        return []
    return [rule.from_] if isinstance(rule.from_, str) else list(rule.from_)


def allowed_constraints(rule: AllowedRule) -> list[tuple[str, str, list[str]]]:
    """(key path, source entry, allowed targets) of an ``allowed`` rule: one per ``allow`` key,
    and one per ``from`` entry (all with the rule's ``to``). Entries are components or tags."""
    constraints = [(f"allow.{_key(source)}", source, targets) for source, targets in rule.allow.items()]
    constraints += [("from", source, list(rule.to or [])) for source in _sources(rule)]
    return constraints


def _key(name: str) -> str:
    return name if re.match(r"^[A-Za-z0-9_-]+$", name) else f'"{name}"'


def validate(contract: Contract) -> list[Problem]:
    problems: list[Problem] = []
    components = contract.components

    def known(name: str, key: str) -> tuple[str, ...]:
        """The components a rule entry names (a component or a tag); a problem when unknown."""
        try:
            return expand(name, components)
        except UnknownReference as error:
            problems.append(Problem(key, str(error)))
            return ()

    def check_pattern(text: str, key: str) -> ModulePattern | None:
        try:
            return ModulePattern.parse(text)
        except PatternError as error:
            problems.append(Problem(key, str(error)))
            return None

    def check_target(entry: str, key: str, *, allow_external: bool) -> None:
        if entry.startswith("external:"):
            if not allow_external:
                problems.append(Problem(key, f"{entry!r}: third-party packages are not allowed here"))
                return
            try:
                ExternalTarget.parse(entry)
            except ValueError as error:
                problems.append(Problem(key, str(error)))
            return
        if entry.startswith("module:"):
            check_pattern(entry.removeprefix("module:"), key)
            return
        if is_component_reference(entry):
            known(entry, key)
        else:
            check_pattern(entry, key)

    if contract.project.include_external_packages is not None and contract.project.resolution != "import-linter":
        problems.append(Problem("project.include_external_packages", "only meaningful with resolution = \"import-linter\""))
    problems.extend(outside_project_paths(contract))
    def check_allowed(target: str, key: str) -> None:
        if target.startswith("external:"):
            check_target(target, key, allow_external=True)
        else:
            known(target, key)

    owners: dict[str, str] = {}
    for name, component in components.items():
        if not name.replace("-", "_").isidentifier():
            problems.append(Problem(f"components.{name}", "a component name must be a plain name (letters, digits, '_', '-')"))
        module_patterns = []
        for i, text in enumerate(component.modules):
            pattern = check_pattern(text, f"components.{name}.modules[{i}]")
            if pattern is None:
                continue
            module_patterns.append(pattern)
            if pattern.text in owners and owners[pattern.text] != name:
                problems.append(
                    Problem(
                        f"components.{name}.modules[{i}]",
                        f"{pattern.text!r} is already claimed by component {owners[pattern.text]!r}; a module pattern may belong to one component",
                    )
                )
            owners.setdefault(pattern.text, name)
        for i, tag in enumerate(component.tags):
            if not tag.strip() or any(c.isspace() or c in "|," for c in tag) or tag.startswith(TAG_PREFIX):
                problems.append(
                    Problem(f"components.{name}.tags[{i}]", f"a tag is one word such as 'type:domain' (no spaces, '|' or ','; no 'tag:' prefix), got {tag!r}")
                )
        for i, text in enumerate(component.public):
            pattern = check_pattern(text, f"components.{name}.public[{i}]")
            if pattern is None or not pattern.is_literal:
                continue
            if module_patterns and not any(p.covers(pattern.literal) for p in module_patterns):
                problems.append(
                    Problem(
                        f"components.{name}.public[{i}]",
                        f"public module {pattern.literal!r} is not inside component {name!r} (modules: {', '.join(component.modules)})",
                    )
                )

    names_seen: dict[str, int] = {}
    for index, rule in enumerate(contract.rules):
        base = f"rules[{index}]"
        if rule.name:
            if rule.name in names_seen:
                problems.append(Problem(f"{base}.name", f"rule name {rule.name!r} is already used by rules[{names_seen[rule.name]}]"))
            names_seen[rule.name] = index
        if isinstance(rule, LayersRule):
            seen_in: dict[str, int] = {}
            for i, entry in enumerate(rule.layers):
                try:
                    layer = parse_layer(entry, components)
                except ValueError as error:
                    problems.append(Problem(f"{base}.layers[{i}]", str(error)))
                    continue
                for member in (c for reference in layer.components for c in known(reference, f"{base}.layers[{i}]")):
                    if member in seen_in and seen_in[member] != i:
                        problems.append(
                            Problem(
                                f"{base}.layers[{i}]",
                                f"component {member!r} is already in layers[{seen_in[member]}]; each component belongs to one layer",
                            )
                        )
                    seen_in.setdefault(member, i)
        elif isinstance(rule, BoundariesRule):
            for i, member in enumerate(rule.components):
                known(member, f"{base}.components[{i}]")
        elif isinstance(rule, AllowedRule):
            for source, targets in rule.allow.items():
                known(source, f"{base}.allow.{_key(source)}")
                for i, target in enumerate(targets):
                    check_allowed(target, f"{base}.allow.{_key(source)}[{i}]")
            for j, source in enumerate(_sources(rule)):
                known(source, f"{base}.from" + (f"[{j}]" if isinstance(rule.from_, list) else ""))
            for i, target in enumerate(rule.to or []):
                check_allowed(target, f"{base}.to[{i}]")
            if rule.allow and (rule.from_ is not None or rule.to is not None):
                problems.append(Problem(f"{base}.allow", "use either 'allow' or 'from' and 'to' in one rule, not both"))
            elif not rule.allow and (rule.from_ is None) != (rule.to is None):
                missing = "to" if rule.to is None else "from"
                problems.append(Problem(f"{base}.{'from' if missing == 'to' else 'to'}", f"'from' and 'to' go together: '{missing}' is missing"))
            elif not rule.allow and rule.from_ is None:
                problems.append(Problem(f"{base}.allow", "expected 'allow' (a table: component -> what it may import) or 'from' and 'to'"))
        elif isinstance(rule, ForbiddenRule):
            for i, text in enumerate(rule.from_):
                check_target(text, f"{base}.from[{i}]", allow_external=False)
            for i, text in enumerate(rule.to):
                check_target(text, f"{base}.to[{i}]", allow_external=True)
        elif isinstance(rule, IndependentRule):
            members = [c for i, member in enumerate(rule.components) for c in known(member, f"{base}.components[{i}]")]
            if len(set(members)) != len(members):
                problems.append(Problem(f"{base}.components", "a component is listed twice (directly or through a tag)"))
            elif len(members) < 2 and len(members) == len(rule.components):
                problems.append(Problem(f"{base}.components", "expected at least two components (or a tag that two components carry)"))
        elif isinstance(rule, AcyclicRule) and rule.scope != "components":
            pattern = check_pattern(rule.scope, f"{base}.scope")
            if pattern is not None and not pattern.is_literal:
                problems.append(Problem(f"{base}.scope", "expected 'components' or a package name without wildcards"))

    kinds = {rule.kind for rule in contract.rules}
    rule_names = set(names_seen) | {rule_display_name(r, i) for i, r in enumerate(contract.rules)}
    for index, ignore in enumerate(contract.ignore):
        try:
            parse_ignore_import(ignore.import_)
        except (ValueError, PatternError) as error:
            problems.append(Problem(f"ignore[{index}].import", str(error)))
        if ignore.rule is not None and ignore.rule not in kinds and ignore.rule not in rule_names:
            problems.append(
                Problem(
                    f"ignore[{index}].rule",
                    f"no rule is named or of kind {ignore.rule!r} (rules: {', '.join(sorted(rule_names)) or 'none'})",
                )
            )
        if not ignore.reason.strip():
            problems.append(Problem(f"ignore[{index}].reason", "a reason is required"))
    return problems
