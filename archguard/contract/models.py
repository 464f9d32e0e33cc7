"""The contract: records (validated by pydantic, :mod:`archguard.contract.record`) for everything a user declares.

Unknown keys are errors (a typo must never silently disable a rule). Field descriptions are
the documentation: they feed the JSON Schema in ``contracts/`` and editor completion.
Cross-references (component names used by rules, overlapping layers, ...) are checked in
:mod:`archguard.contract.validate`, which knows the key paths to report.
"""

from __future__ import annotations

from typing import Annotated, Literal

from archguard.contract.record import Field, Record

Severity = Literal["error", "warning"]
Level = Literal["error", "warning", "off"]
CloneScope = Literal["functions", "methods", "classes", "blocks"]
CLONE_SCOPES: tuple[CloneScope, ...] = ("functions", "methods", "classes", "blocks")


class StrictModel(Record):
    # strict: no coercion between types (`max_file_size = true` is an error, never the number 1;
    # `allow_indirect = 1` or "yes" is no boolean); an integer is still a valid float.
    # (pydantic's configuration: the validator is built on the first validation, which a run
    # whose contract is cached never makes; archguard.contract.cache)
    model_config = {"extra": "forbid", "frozen": True, "populate_by_name": True, "strict": True}


class ProjectConfig(StrictModel):
    """Where the code lives and what is analysed."""

    root: str = Field(
        ".",
        description="Project root, relative to the contract file. Paths in reports are relative to it.",
    )
    roots: list[str] | None = Field(
        None,
        description=(
            "Directories (relative to root) that hold top-level packages ('--root DIR' on the command line "
            "replaces them). Default: the folders pyproject.toml's or setup.cfg's build configuration names "
            "(setuptools, hatch, poetry, pdm, flit), else 'src' or 'lib' when it holds the packages, else "
            "PYTHONPATH's folders inside the project, else the root itself. Packages named in 'packages' "
            "are looked for in the root, PYTHONPATH's folders, the build configuration's, 'src' and 'lib'."
        ),
    )
    packages: list[str] | None = Field(
        None,
        description=(
            "Top-level packages (or modules) to analyse. Default: every regular package "
            "(a directory with __init__.py) found under the roots. Name namespace packages here."
        ),
    )
    exclude: list[str] = Field(
        default_factory=list,
        description="Path globs (relative to root, '**' for any depth) of files and folders to skip.",
    )
    baseline: str = Field(
        "archguard-baseline.json",
        description="Baseline file (relative to root) of accepted findings.",
    )
    follow_reexports: bool = Field(
        True,
        description=(
            "'from pkg import Name', where pkg/__init__.py re-exports Name from a submodule, depends on "
            "that submodule (through pkg's __init__). false: on pkg itself, as import-linter counts it."
        ),
    )
    max_file_size: int = Field(
        10_000_000,
        ge=1,
        description="Files larger than this many bytes are not parsed (reported as parse errors): usually generated code.",
    )
    resolution: Literal["archguard", "import-linter"] = Field(
        "archguard",
        description=(
            "How modules are found and imports resolved. 'import-linter' builds the graph exactly as "
            "import-linter (grimp) does: no dynamic imports, 'from a import b' is 'a.b' or else 'a' one level "
            "up only, folders without __init__.py inside a package are not modules. Used by converted "
            "import-linter contracts."
        ),
    )
    include_external_packages: bool | None = Field(
        None,
        description=(
            "With resolution = 'import-linter' only: import-linter's include_external_packages (imports of "
            "third-party packages, and unresolvable imports, are in the graph). Default false."
        ),
    )


class ComponentConfig(StrictModel):
    """A named group of modules."""

    modules: list[str] = Field(
        ...,
        min_length=1,
        description=(
            "Module patterns: 'shop.orders' is the package and everything under it; '*' one name, "
            "'**' any depth; 'shop:*' the module 'shop' alone, without its submodules."
        ),
    )
    public: list[str] = Field(
        default_factory=list,
        description=(
            "The component's public interface for 'boundaries' rules: module patterns that "
            "outsiders may import ('shop.billing.api', or 'shop.billing:*' for the package "
            "module itself)."
        ),
    )
    private: list[str] = Field(
        default_factory=list,
        description=(
            "Private modules: name patterns ('_*': every module whose name starts with an underscore) or dotted "
            "module patterns. A private module may be imported only from inside its parent package (the 'private' rule)."
        ),
    )
    description: str | None = Field(None, description="What this component is for.")
    tags: list[str] = Field(
        default_factory=list,
        description="Tags such as 'type:domain' or 'scope:orders': rules may name 'type:domain' (or 'tag:NAME') wherever they name a component.",
    )


class RuleBase(StrictModel):
    name: str | None = Field(None, description="A readable name, shown in reports and usable in pragmas.")
    description: str | None = Field(None, description="Why this rule exists (shown with its findings).")
    severity: Severity = Field("error", description="Level of this rule's findings.")
    exclude_type_checking: bool = Field(
        False, description="Leave out imports inside 'if TYPE_CHECKING:' blocks."
    )
    exclude_dynamic: bool = Field(
        False, description="Leave out importlib.import_module('...') / __import__('...') calls."
    )
    exclude_lazy: bool = Field(False, description="Leave out imports inside function bodies.")
    exclude_main: bool | None = Field(
        None,
        description=(
            "Leave out imports inside a module-level 'if __name__ == \"__main__\":' block (a demo or script entry "
            "point is not a dependency of the module). Default: true, except with [project] resolution = "
            "'import-linter', which counts them as import-linter does."
        ),
    )


class IndirectMixin(StrictModel):
    allow_indirect: bool = Field(
        False,
        description="Only direct imports count. By default a chain of imports through other modules counts too.",
    )


class LayersRule(RuleBase, IndirectMixin):
    """Higher layers may import lower ones, never the reverse."""

    kind: Literal["layers"]
    layers: list[str] = Field(
        ...,
        min_length=2,
        description=(
            "Component names from the highest layer to the lowest. 'a | b' puts independent "
            "components in one layer; 'a : b' puts components in one layer that may import each other."
        ),
    )


class BoundariesRule(RuleBase):
    """Outsiders may import only a component's public modules."""

    kind: Literal["boundaries"]
    components: list[str] = Field(
        ..., min_length=1, description="Components (or tags) whose internals are private (see each component's 'public')."
    )


class AllowedRule(RuleBase):
    """A whitelist of direct component-to-component dependencies."""

    kind: Literal["allowed"]
    allow: dict[str, list[str]] = Field(
        default_factory=dict,
        description=(
            "For each component (or tag, 'type:domain'), the components or tags it may import. Components "
            "that are not keys are unconstrained; a key with [] may import no other component."
        ),
    )
    from_: str | list[str] | None = Field(
        None,
        alias="from",
        description="Instead of 'allow': the components or tags ('type:domain') that may depend only on 'to'.",
    )
    to: list[str] | None = Field(
        None, description="With 'from': the components, tags or 'external:NAME' packages they may depend on."
    )
    include_external: bool = Field(
        False,
        description="Also require third-party packages to be listed ('external:requests'). The standard library is always allowed.",
    )


class ForbiddenRule(RuleBase, IndirectMixin):
    """Some modules must never depend on others (or on third-party packages)."""

    kind: Literal["forbidden"]
    from_: list[str] = Field(
        ...,
        alias="from",
        min_length=1,
        description="Components or module patterns that must not import the targets.",
    )
    to: list[str] = Field(
        ...,
        min_length=1,
        description="Components, module patterns ('shop.db.*', 'module:shop'), or 'external:NAME' packages.",
    )


class IndependentRule(RuleBase, IndirectMixin):
    """Components that must not depend on each other in any direction."""

    kind: Literal["independent"]
    components: list[str] = Field(
        ..., min_length=1, description="Components (or tags) that must stay independent: at least two components in all."
    )


class AcyclicRule(RuleBase):
    """No import cycles between components, or among the children of a package."""

    kind: Literal["acyclic"]
    scope: str = Field(
        "components",
        description="'components' for the component graph, or a package name: no cycles among its direct children.",
    )


RuleConfig = Annotated[
    LayersRule | BoundariesRule | AllowedRule | ForbiddenRule | IndependentRule | AcyclicRule,
    Field(discriminator="kind"),
]


class DuplicationConfig(StrictModel):
    """Clone detection thresholds."""

    enabled: bool = Field(True, description="Look for duplicated code.")
    min_lines: int = Field(6, ge=1, description="Smallest clone worth reporting, in lines.")
    min_tokens: int = Field(50, ge=1, description="Smallest clone worth reporting, in tokens.")
    similarity: float = Field(0.85, ge=0.0, le=1.0, description="Near-miss clones: token-shingle similarity threshold.")
    scopes: list[CloneScope] = Field(
        default_factory=lambda: list(CLONE_SCOPES),
        description="Which code units are compared.",
    )
    ignore: list[str] = Field(default_factory=list, description="Path globs left out of clone detection.")
    include_tests: bool = Field(False, description="Also look for clones in test files.")
    cross_component: Level = Field("error", description="Level of clones that span two components.")
    within_component: Level = Field("warning", description="Level of clones inside one component.")


class DriftConfig(StrictModel):
    """Declared versus actual architecture."""

    unmapped: Level = Field("error", description="Level of modules that belong to no component.")
    absent: Level = Field(
        "warning", description="Level of declared dependencies ('allowed') that no code uses any more."
    )
    vacuous: Level = Field(
        "error",
        description=(
            "Level of 'vacuous-rule' findings: a component, pattern or rule that matches no module, a layers "
            "rule with no import between its layers. With 'error' a run that checked nothing (no file, no "
            "import, no rule matching any module) exits with code 2; 'warning' and 'off' let it pass."
        ),
    )
    stale_ignore: Level = Field("error", description="Level of [[ignore]] entries that match no import.")


class GateConfig(StrictModel):
    """How the merge gate (``check --diff``) treats what a change does to hide findings.

    In ``check --diff`` the policy of the contract at the base applies (the contract owner's),
    whatever the change does to this table."""

    suppressions: Literal["error", "warning", "allow"] = Field(
        "error",
        description=(
            "Level of what a change adds to hide a finding: a new pragma, a new or widened [[ignore]] entry, a "
            "rule removed or loosened, baseline entries for its own findings. 'allow' lets them pass and lists "
            "them; a pragma without a reason is an error whatever the level."
        ),
    )
    pragmas: bool = Field(
        True,
        description="Whether inline '# archguard: ignore[...]' pragmas silence findings at all. false: every pragma is ignored.",
    )


class ImportLinterCompanion(StrictModel):
    """archguard's own checks next to an import-linter configuration: ``[tool.archguard]`` in the
    same pyproject.toml, or an ``[archguard]`` section in the same ``.importlinter`` / ``setup.cfg``.

    lint-imports' verdicts stay as they are; these are what archguard adds. Each level is what
    ``check --diff`` reports a change's new finding at; a whole-tree check reports them as
    warnings (its exit code stays lint-imports'). "off" leaves the check out."""

    dynamic: Level = Field(
        "error", description="importlib.import_module('...') / __import__('...') calls that break a contract (lint-imports does not see them)."
    )
    uncovered: Level = Field("error", description="Modules that no contract names (nothing checks them).")
    copies: Level = Field("error", description="Copies of existing code in another top-level subpackage.")
    suppressions: Literal["error", "warning", "allow"] = Field("error", description="As [gate] suppressions in an archguard contract.")
    pragmas: bool = Field(True, description="As [gate] pragmas in an archguard contract.")


class IgnoreEntry(StrictModel):
    """An acknowledged exception: imports that no rule (or one rule) should count."""

    import_: str = Field(
        ...,
        alias="import",
        description="'importer -> imported' module names; '*' and '**' wildcards allowed.",
    )
    reason: str = Field(..., min_length=1, description="Why this exception is acceptable (required).")
    rule: str | None = Field(None, description="Only for this rule (its name or kind). Default: every rule.")


class Contract(StrictModel):
    """An archguard contract."""

    project: ProjectConfig = Field(default_factory=lambda: ProjectConfig())
    components: dict[str, ComponentConfig] = Field(default_factory=dict)
    rules: list[RuleConfig] = Field(default_factory=list)
    duplication: DuplicationConfig = Field(default_factory=lambda: DuplicationConfig())
    drift: DriftConfig = Field(default_factory=lambda: DriftConfig())
    gate: GateConfig = Field(default_factory=lambda: GateConfig())
    ignore: list[IgnoreEntry] = Field(default_factory=list)


def rule_display_name(rule: RuleBase, index: int) -> str:
    """The name a rule goes by in reports: its ``name``, else ``kind#N`` (1-based)."""
    if rule.name:
        return rule.name
    kind = getattr(rule, "kind", "rule")
    return f"{kind}#{index + 1}"
