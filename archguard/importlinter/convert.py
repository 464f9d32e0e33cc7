"""Converting an import-linter configuration into an archguard contract.

``archguard convert --from-importlinter .importlinter`` writes an ``archguard.toml`` that gives
the same verdicts: ``[project] resolution = "import-linter"`` builds the graph the way
import-linter does, and every contract becomes archguard rules:

- ``layers`` -> a ``layers`` rule over one component per layer module (one rule per container);
- ``independence`` -> an ``independent`` rule over one component per module;
- ``forbidden`` -> ``forbidden`` rules with module patterns (``pkg.a`` is the package, ``pkg.a:*``
  the module alone, ``external:django`` a third-party package), one per source when sources and
  forbidden modules overlap (import-linter skips overlapping pairs);
- ``protected`` -> a direct-only ``forbidden`` rule from every component that is neither a
  protected module nor an allowed importer (catch-all components cover the rest of each root
  package);
- ``private_modules`` -> the same, for each private module found in the code today;
- ``acyclic_siblings`` -> one ``acyclic`` rule per package to check, down to the depth asked;
- ``ignore_imports`` -> ``[[ignore]]`` entries for those rules.

Wildcards that archguard cannot say the same way, containers, optional layers and the modules
of ``private_modules`` and ``acyclic_siblings`` are expanded on the code as it is now; each note
in the output (and on stderr) says what would need a new conversion when the code changes, or
what the archguard contract cannot express.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from archguard import __version__
from archguard.contract.loading import LoadedContract
from archguard.importlinter.config import (
    AcyclicSiblingsContract,
    ContractBase,
    ForbiddenContract,
    ImportLinterConfig,
    IndependenceContract,
    LayersContract,
    LoadedImportLinter,
    ModuleExpression,
    PrivateModulesContract,
    ProtectedContract,
)
from archguard.importlinter.discover import discover_like_importlinter, namespace_packages


@dataclass
class Conversion:
    """The converted contract (TOML text) and what could not be expressed exactly."""

    text: str
    notes: list[str] = field(default_factory=list)
    rule_names: dict[str, list[str]] = field(default_factory=dict)  # import-linter contract name -> archguard rules


def _is_in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} as TOML")


def _pattern(expression: str) -> str:
    """import-linter's ``**`` is one or more names; archguard's ``**`` is zero or more."""
    return ".".join("*.**" if part == "**" else part for part in expression.split("."))


@dataclass
class _Protection:
    """A direct-only forbidden rule: only ``allowed`` (and the protected modules) may import ``protected``."""

    contract: ContractBase
    allowed: list[str]  # component patterns ("pkg.a", or "pkg.a:*" for the module alone)
    protected: list[str]  # modules
    as_packages: bool
    detail: str = ""


class _Converter:
    def __init__(self, loaded: LoadedContract, config: ImportLinterConfig, output_dir: Path | None) -> None:
        self.loaded = loaded
        self.config = config
        self.output_dir = output_dir
        discovery = discover_like_importlinter(loaded.root, loaded.contract.project, contract_file=loaded.display_path)
        self.modules = sorted({f.module for f in discovery.files} | set(namespace_packages(discovery)))
        self.components: dict[str, str] = {}  # pattern -> component name
        self.descriptions: dict[str, str] = {}  # component name -> description
        self.rules: list[tuple[str, dict[str, Any]]] = []  # (comment, rule)
        self.ignores: list[dict[str, Any]] = []
        self.notes: list[str] = []
        self.rule_names: dict[str, list[str]] = {}
        self.protections: list[_Protection] = []

    # -- names and notes -----------------------------------------------------------------------------
    def component(self, pattern: str, description: str) -> str:
        if pattern in self.components:
            return self.components[pattern]
        base = re.sub(r"[^A-Za-z0-9_]", "_", pattern.removesuffix(":*"))
        if not (base[:1].isalpha() or base[:1] == "_"):
            base = f"m_{base}"
        if pattern.endswith(":*"):
            base += "_module"
        name, counter = base, 2
        while name in self.descriptions:
            name, counter = f"{base}_{counter}", counter + 1
        self.components[pattern] = name
        self.descriptions[name] = description
        return name

    def rule_name(self, contract: ContractBase, detail: str = "") -> str:
        base = contract.name + (f" · {detail}" if detail else "")
        taken = {name for names in self.rule_names.values() for name in names}
        name, counter = base, 2
        while name in taken:
            name, counter = f"{base} ({counter})", counter + 1
        self.rule_names.setdefault(contract.name, []).append(name)
        return name

    def note(self, contract: ContractBase, message: str) -> None:
        text = f'contract "{contract.name}": {message}'
        if text not in self.notes:
            self.notes.append(text)

    # -- modules -----------------------------------------------------------------------------------------
    def matching(self, expression: ModuleExpression) -> list[str]:
        if not expression.has_wildcard:
            return [expression.text]
        return [m for m in self.modules if expression.matches(m)]

    def expand(self, contract: ContractBase, expressions: Iterable[ModuleExpression], *, note: bool = True) -> list[str]:
        found: list[str] = []
        for expression in expressions:
            matched = self.matching(expression)
            if expression.has_wildcard and note:
                listed = ", ".join(matched) or "none"
                self.note(contract, f"{expression.text!r} is expanded to the modules it matches today ({listed})")
            found.extend(m for m in matched if m not in found)
        return found

    def internal(self, module: str) -> bool:
        return any(_is_in(module, root) for root in self.config.session.root_packages)

    def entry(self, module: str, as_package: bool) -> str:
        """A forbidden rule entry for a module (a module pattern, never a bare component name)."""
        if not self.internal(module):
            return f"external:{module}"
        pattern = module if as_package else f"{module}:*"
        return pattern if "." in module else f"module:{pattern}"

    def check_exists(self, contract: ContractBase, modules: Iterable[str]) -> None:
        for module in modules:
            if self.internal(module) and module not in self.modules:
                self.note(contract, f"module {module!r} does not exist (import-linter refuses the contract; archguard finds nothing there)")

    def layer_scopes(self, contract: LayersContract) -> list[tuple[str, list[tuple[list[str], bool]]]]:
        """(container or "", levels) where each level is (its existing modules, independent)."""
        containers = self.expand(contract, contract.containers, note=False)
        result = []
        for scope in containers or [""]:
            levels = []
            for layer in contract.layers:
                names = [f"{scope}.{m.name}" if scope else m.name for m in layer.modules]
                names = [n for n, m in zip(names, layer.modules, strict=True) if not (m.optional and n not in self.modules)]
                if names:
                    levels.append((names, layer.independent))
            result.append((scope, levels))
        return result

    # -- planning: every component, before any rule refers to one --------------------------------------
    def plan(self) -> None:
        for contract in self.config.contracts:
            if isinstance(contract, LayersContract):
                for _scope, levels in self.layer_scopes(contract):
                    for names, _ in levels:
                        for module in names:
                            self.component(module, f"layer {module}")
            elif isinstance(contract, IndependenceContract):
                for module in self.expand(contract, contract.modules, note=False):
                    self.component(module, f"independent module {module}")
            elif isinstance(contract, ProtectedContract):
                suffix = "" if contract.as_packages else ":*"
                allowed = [m + suffix for m in self.expand(contract, contract.allowed_importers)]
                protected = self.expand(contract, contract.protected_modules)
                self.protections.append(_Protection(contract, allowed, protected, contract.as_packages))
            elif isinstance(contract, PrivateModulesContract):
                for parent, private in self.private_modules(contract).items():
                    self.protections.append(_Protection(contract, [parent], private, False, parent))
        if self.protections:
            for root in self.config.session.root_packages:
                self.component(root, f"the modules of {root} that no other component claims")
            for protection in self.protections:
                for pattern in protection.allowed:
                    self.component(pattern, f"allowed to import {', '.join(protection.protected)}")
                for module in protection.protected:
                    if self.internal(module):
                        self.component(module + ("" if protection.as_packages else ":*"), "protected")

    def private_modules(self, contract: PrivateModulesContract) -> dict[str, list[str]]:
        """Parent package -> the modules private to it (import-linter's innermost private module rule)."""
        if contract.packages_with_private_modules:
            packages = self.expand(contract, contract.packages_with_private_modules)
            scope = [m for m in self.modules if any(_is_in(m, p) for p in packages)]
        else:
            scope = list(self.modules)
        by_parent: dict[str, list[str]] = {}
        for module in scope:
            parts = module.split(".")
            for index in range(len(parts) - 1, 0, -1):
                name = parts[index]
                if name.startswith("_") and not (name.startswith("__") and name.endswith("__")):
                    by_parent.setdefault(".".join(parts[:index]), []).append(module)
                    break
        self.note(contract, "covers the private modules that exist today; convert again when private modules are added")
        return by_parent

    # -- rules ------------------------------------------------------------------------------------------
    def add_rule(self, contract: ContractBase, rule: dict[str, Any]) -> None:
        if self.config.session.exclude_type_checking_imports:
            rule["exclude_type_checking"] = True
        if contract.broken_contract_guidance:
            rule["description"] = contract.broken_contract_guidance.strip()
        comment = f'import-linter contract "{contract.name}" ({contract.origin.key})'
        self.rules.append((comment, rule))
        for expression in contract.ignore_imports:
            self.ignores.append(
                {
                    "import": f"{_pattern(expression.importer.text)} -> {_pattern(expression.imported.text)}",
                    "reason": f'ignore_imports of import-linter contract "{contract.name}"',
                    "rule": rule["name"],
                }
            )

    def convert(self) -> None:
        for contract in self.config.contracts:
            if isinstance(contract, LayersContract):
                self.convert_layers(contract)
            elif isinstance(contract, IndependenceContract):
                modules = self.expand(contract, contract.modules)
                self.check_exists(contract, modules)
                self.layers_rule(contract, [(modules, True)], "")
            elif isinstance(contract, ForbiddenContract):
                self.convert_forbidden(contract)
            elif isinstance(contract, AcyclicSiblingsContract):
                self.convert_acyclic_siblings(contract)
        for protection in self.protections:
            self.protection_rule(protection)
        if any(c.ignore_imports and c.unmatched_ignore_imports_alerting == "error" for c in self.config.contracts):
            self.notes.append(
                "an [[ignore]] entry that matches no import is a warning in archguard; with import-linter's "
                "unmatched_ignore_imports_alerting = error it stops the run"
            )

    def convert_layers(self, contract: LayersContract) -> None:
        scopes = self.layer_scopes(contract)
        if contract.containers:
            self.expand(contract, contract.containers)
        for layer in contract.layers:
            for module in layer.modules:
                missing = [s for s, _ in scopes if module.optional and (f"{s}.{module.name}" if s else module.name) not in self.modules]
                if missing:
                    where = f" in {', '.join(missing)}" if contract.containers else ""
                    self.note(contract, f"optional layer {module.name} does not exist today{where} and is left out")
        if contract.exhaustive:
            declared = {m.name for layer in contract.layers for m in layer.modules} | set(contract.exhaustive_ignores)
            undeclared = [
                m for s, _ in scopes for m in self.modules if s and m.rpartition(".")[0] == s and m.rpartition(".")[2] not in declared
            ]
            message = "exhaustive is not expressible (archguard does not require every child of a container to be a layer)"
            if undeclared:
                message += f"; {', '.join(undeclared)} is not a layer today: import-linter breaks this contract for it, archguard does not"
            self.note(contract, message)
        for scope, levels in scopes:
            self.check_exists(contract, [m for names, _ in levels for m in names])
            self.layers_rule(contract, levels, scope)

    def layers_rule(self, contract: ContractBase, levels: list[tuple[list[str], bool]], detail: str) -> None:
        modules = [m for names, _ in levels for m in names]
        conflicts = sorted({m for m in modules for p in self.components if p != m and _is_in(p.removesuffix(":*"), m)})
        if conflicts:
            self.note(
                contract,
                f"{', '.join(conflicts)} contain modules that are components of other contracts, so each layer becomes a "
                "forbidden rule (same verdicts; a chain may then pass through another layer)",
            )
            for index, (names, independent) in enumerate(levels):
                for module in names:
                    higher = [m for above, _ in levels[:index] for m in above]
                    siblings = [m for m in names if m != module] if independent else []
                    if higher or siblings:
                        rule: dict[str, Any] = {
                            "kind": "forbidden",
                            "name": self.rule_name(contract, f"{detail + ' · ' if detail else ''}{module}"),
                        }
                        rule["from"] = [self.entry(module, True)]
                        rule["to"] = [self.entry(m, True) for m in higher + siblings]
                        self.add_rule(contract, rule)
            return
        if len(levels) >= 2:
            layers = [(" | " if independent else " : ").join(self.components[m] for m in names) for names, independent in levels]
            self.add_rule(contract, {"kind": "layers", "name": self.rule_name(contract, detail), "layers": layers})
        elif levels and levels[0][1] and len(levels[0][0]) > 1:
            components = [self.components[m] for m in levels[0][0]]
            self.add_rule(contract, {"kind": "independent", "name": self.rule_name(contract, detail), "components": components})
        else:
            self.note(contract, f"{'in ' + detail + ': ' if detail else ''}fewer than two modules to keep apart: nothing to check")

    def convert_forbidden(self, contract: ForbiddenContract) -> None:
        as_packages = contract.as_packages
        self.check_exists(contract, [e.text for e in (*contract.source_modules, *contract.forbidden_modules) if not e.has_wildcard])
        base: dict[str, Any] = {"kind": "forbidden"}
        if contract.allow_indirect_imports:
            base["allow_indirect"] = True
        sources = [(e, self.matching(e)) for e in contract.source_modules]
        forbidden = [(e, self.matching(e)) for e in contract.forbidden_modules]

        def overlap(a: str, b: str) -> bool:
            return a == b or (as_packages and (_is_in(a, b) or _is_in(b, a)))

        plain = not any(overlap(a, b) for _, sa in sources for _, fb in forbidden for a in sa for b in fb)
        if plain and (as_packages or not any(e.has_wildcard for e, _ in sources + forbidden)):
            # archguard's '*' and (translated) '**' mean what import-linter's do, as packages.
            def entry(expression: ModuleExpression) -> str:
                return _pattern(expression.text) if expression.has_wildcard else self.entry(expression.text, as_packages)

            rule = {**base, "name": self.rule_name(contract)}
            rule["from"] = [entry(e) for e, _ in sources]
            rule["to"] = [entry(e) for e, _ in forbidden]
            self.add_rule(contract, rule)
            return
        # import-linter skips each pair of overlapping modules (and archguard's 'module:*' cannot
        # hold a wildcard): one rule per source module, wildcards expanded on today's code.
        self.expand(contract, [e for e, _ in sources + forbidden])
        if not plain:
            self.note(contract, "sources and forbidden modules overlap, which import-linter skips: one rule per source module")
        targets_all = list(dict.fromkeys(m for _, matched in forbidden for m in matched))
        for source in dict.fromkeys(m for _, matched in sources for m in matched):
            targets = [t for t in targets_all if not overlap(source, t)]
            if targets:
                rule = {**base, "name": self.rule_name(contract, source)}
                rule["from"] = [self.entry(source, as_packages)]
                rule["to"] = [self.entry(t, as_packages) for t in targets]
                self.add_rule(contract, rule)

    def protection_rule(self, protection: _Protection) -> None:
        contract = protection.contract
        self.check_exists(contract, [p.removesuffix(":*") for p in protection.allowed] + protection.protected)
        suffix = "" if protection.as_packages else ":*"
        # import-linter checks each protected module on its own: another protected module may not
        # import it either. (The private modules of one package share their allowed importers.)
        groups = [protection.protected] if protection.detail or len(protection.protected) == 1 else [[m] for m in protection.protected]
        for group in groups:
            excluded = protection.allowed + [m + suffix for m in group if self.internal(m)]
            components = sorted(self.components.items(), key=lambda item: item[1])
            importers = [name for pattern, name in components if not any(_covers(e, pattern) for e in excluded)]
            detail = protection.detail or (group[0] if len(groups) > 1 else "")
            if not importers:
                self.note(contract, f"{detail or ', '.join(group)}: every module may import it: nothing to check")
                continue
            rule = {"kind": "forbidden", "name": self.rule_name(contract, detail), "allow_indirect": True, "from": importers}
            rule["to"] = [self.entry(m, protection.as_packages) for m in group]
            self.add_rule(contract, rule)

    def convert_acyclic_siblings(self, contract: AcyclicSiblingsContract) -> None:
        ancestors = self.expand(contract, contract.ancestors)
        skipped = set(self.expand(contract, contract.skip_descendants))
        self.check_exists(contract, ancestors)
        scopes: list[str] = []

        def visit(package: str, depth: int) -> None:
            children = [m for m in self.modules if m.rpartition(".")[0] == package and "." in m]
            if len(children) >= 2:
                scopes.append(package)
            if children and depth:
                for child in sorted(set(children) - skipped):
                    visit(child, depth - 1)

        for ancestor in sorted(ancestors):
            visit(ancestor, contract.depth)
        self.note(contract, "one acyclic rule per package with children today; convert again when packages are added")
        for scope in scopes:
            self.add_rule(contract, {"kind": "acyclic", "name": self.rule_name(contract, scope), "scope": scope})

    # -- output --------------------------------------------------------------------------------------------
    def run(self) -> Conversion:
        self.plan()
        self.convert()
        return Conversion(self.render(), self.notes, self.rule_names)

    def render(self) -> str:
        session = self.config.session
        lines = [
            f"# archguard contract converted from the import-linter configuration {self.config.file}",
            f"# by `archguard convert --from-importlinter` (archguard {__version__}). The graph is built the way",
            "# import-linter builds it ([project] resolution), so the verdicts are the same as lint-imports'.",
        ]
        if self.notes:
            lines += ["#", "# Not expressed exactly (also printed when converting):"]
            lines.extend(f"# - {note}" for note in self.notes)
        root = "."
        if self.output_dir is not None:
            root = Path(os.path.relpath(self.loaded.root, self.output_dir.resolve())).as_posix()
        lines += ["", "[project]", f"root = {_toml(root)}", f"roots = {_toml(list(self.loaded.contract.project.roots or ['.']))}"]
        lines.append(f"packages = {_toml(list(session.root_packages))}")
        lines.append('resolution = "import-linter"')
        lines.append(f"include_external_packages = {_toml(session.include_external_packages)}")
        lines += ["", "[duplication]", "enabled = false  # import-linter has no duplication checks: turn them on when ready"]
        lines += [
            "",
            "[drift]",
            'unmapped = "off"  # import-linter contracts do not have to cover every module',
            'absent = "off"',
            'vacuous = "off"  # import-linter passes a contract that matches nothing; "error" makes archguard catch it',
        ]
        if self.components:
            # A module alone ("pkg.a:*") is declared before the package of the same name ("pkg.a"):
            # archguard gives a module to the first of two equally specific components.
            lines += ["", "[components]"]
            for pattern, name in sorted(self.components.items(), key=lambda item: (not item[0].endswith(":*"), item[1])):
                lines.append(f"{name} = {{ modules = {_toml([pattern])}, description = {_toml(self.descriptions[name])} }}")
        keys = ("kind", "name", "description", "layers", "components", "from", "to", "scope", "allow_indirect", "exclude_type_checking")
        for comment, rule in self.rules:
            lines += ["", f"# {comment}", "[[rules]]"]
            lines.extend(f"{key} = {_toml(rule[key])}" for key in keys if key in rule)
        for ignore in self.ignores:
            lines += ["", "[[ignore]]"]
            lines.extend(f"{key} = {_toml(ignore[key])}" for key in ("import", "reason", "rule"))
        return "\n".join(lines) + "\n"


def _covers(excluded: str, pattern: str) -> bool:
    """Whether every module of the component ``pattern`` lies in ``excluded`` (both component patterns)."""
    if excluded.endswith(":*"):
        return pattern == excluded
    return _is_in(pattern.removesuffix(":*"), excluded)


def convert_importlinter(loaded: LoadedImportLinter, output_dir: Path | None = None) -> Conversion:
    """The archguard contract equivalent to an import-linter configuration.

    ``output_dir`` is where the contract will be written (its ``[project] root`` is relative to
    it); ``None`` means next to the import-linter configuration.
    """
    return _Converter(loaded, loaded.importlinter, output_dir).run()
