"""Cross-reference checks on a parsed contract.

pydantic checks each value in isolation; this module checks what only the whole contract
can tell: a rule naming a component that does not exist, a component in two layers, two
components claiming the same modules, an ignore entry that cannot be read. Each problem is
reported with its TOML key path.
"""

from __future__ import annotations

from dataclasses import dataclass

from archguard.contract.models import (
    AcyclicRule,
    AllowedRule,
    BoundariesRule,
    Contract,
    ForbiddenRule,
    IndependentRule,
    LayersRule,
    rule_display_name,
)
from archguard.contract.patterns import ModulePattern, PatternError


@dataclass(frozen=True)
class Problem:
    key: str
    message: str


@dataclass(frozen=True)
class Layer:
    """One layer: its components, and whether they may import each other."""

    components: tuple[str, ...]
    independent: bool


def parse_layer(entry: str) -> Layer:
    """``"a | b"`` -> independent siblings; ``"a : b"`` -> siblings that may import each other."""
    if "|" in entry and ":" in entry:
        raise ValueError(f"{entry!r} mixes '|' and ':'; use one separator per layer")
    separator = "|" if "|" in entry else ":"
    names = tuple(part.strip() for part in entry.split(separator))
    if any(not name for name in names):
        raise ValueError(f"{entry!r} has an empty name; expected 'a', 'a | b' or 'a : b'")
    return Layer(components=names, independent=separator == "|" and len(names) > 1)


def parse_ignore_import(text: str) -> tuple[ModulePattern, ModulePattern]:
    """``"shop.api.debug -> shop.infra.db"`` -> (importer pattern, imported pattern)."""
    if text.count("->") != 1:
        raise ValueError(f"expected 'importer -> imported', got {text!r}")
    left, right = (part.strip() for part in text.split("->"))
    return ModulePattern.parse(left), ModulePattern.parse(right)


TARGET_PREFIXES = ("external:", "module:")


def is_component_reference(entry: str) -> bool:
    """A bare name (no dot, no wildcard, no prefix) refers to a component."""
    return not entry.startswith(TARGET_PREFIXES) and "." not in entry and "*" not in entry


def validate(contract: Contract) -> list[Problem]:
    problems: list[Problem] = []
    components = contract.components

    def known(name: str, key: str) -> None:
        if name not in components:
            listed = ", ".join(sorted(components)) or "none declared"
            problems.append(Problem(key, f"unknown component {name!r} (known components: {listed})"))

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
            elif not entry.removeprefix("external:").strip():
                problems.append(Problem(key, "expected a package name after 'external:'"))
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
                    layer = parse_layer(entry)
                except ValueError as error:
                    problems.append(Problem(f"{base}.layers[{i}]", str(error)))
                    continue
                for member in layer.components:
                    known(member, f"{base}.layers[{i}]")
                    if member in seen_in:
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
                known(source, f"{base}.allow.{source}")
                for i, target in enumerate(targets):
                    if target.startswith("external:"):
                        check_target(target, f"{base}.allow.{source}[{i}]", allow_external=True)
                    else:
                        known(target, f"{base}.allow.{source}[{i}]")
        elif isinstance(rule, ForbiddenRule):
            for i, text in enumerate(rule.from_):
                check_target(text, f"{base}.from[{i}]", allow_external=False)
            for i, text in enumerate(rule.to):
                check_target(text, f"{base}.to[{i}]", allow_external=True)
        elif isinstance(rule, IndependentRule):
            for i, member in enumerate(rule.components):
                known(member, f"{base}.components[{i}]")
            if len(set(rule.components)) != len(rule.components):
                problems.append(Problem(f"{base}.components", "a component is listed twice"))
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
