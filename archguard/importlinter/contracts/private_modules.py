"""import-linter ``private_modules`` contracts."""

from __future__ import annotations

from collections.abc import Iterable

from archguard.findings import Finding
from archguard.importlinter.config import PrivateModulesContract
from archguard.importlinter.contracts.common import ImportLinterRule
from archguard.importlinter.contracts.graph import ContractGraph
from archguard.rules.base import RuleContext


def is_private_name(name: str) -> bool:
    """``_name`` is private; dunder names such as ``__main__`` are not."""
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def privacy_scope(module: str) -> str | None:
    """The package a module is private to: the parent of its innermost private component."""
    parts = module.split(".")
    for index in range(len(parts) - 1, 0, -1):  # a top-level module is never private
        if is_private_name(parts[index]):
            return ".".join(parts[:index])
    return None


class ImportLinterPrivateModulesRule(ImportLinterRule):
    """import-linter private_modules contract: a module named _like_this is private to its parent package.

    ``packages_with_private_modules`` limits the check to some packages (default: every package).

    Why: a leading underscore says "implementation detail of this package"; importing it from
    outside the package couples you to code its owners may change at any time.
    Only direct imports count.
    Fix: import the package's public interface instead, or move the module out of privacy.
    Example:
    [importlinter:contract:private]
    name = Private modules stay private
    type = private_modules
    Breaks:
    # shop/billing/_rates.py
    VAT = 0.2
    # shop/orders/service.py
    from shop.domain import model
    from shop.billing._rates import VAT
    """

    kind = "importlinter-private-modules"
    contract_type = "private_modules"
    contract: PrivateModulesContract

    def check_contract(self, ctx: RuleContext, graph: ContractGraph) -> Iterable[Finding]:
        packages = self.contract.packages_with_private_modules
        if not packages:
            modules = set(graph.modules)
        else:
            modules = set()
            for expression in packages:
                matched = self.expand(graph, [expression], "packages_with_private_modules", must_exist=True)
                private = sorted(m for m in matched if any(is_private_name(p) for p in m.split(".")))
                if private:
                    raise self.error(
                        "packages_with_private_modules",
                        f"the expression {expression.text!r} matched packages that are private or inside a private module: "
                        f"{', '.join(repr(p) for p in private)}; list an ancestor that isn't private instead",
                    )
                for module in matched:
                    modules.update(graph.with_descendants(module))
        findings: list[Finding] = []
        for imported in sorted(modules):
            scope = privacy_scope(imported)
            if scope is None:
                continue
            for importer in graph.importers_of(imported):
                if importer == scope or importer.startswith(scope + "."):
                    continue
                message = f"{importer} imports {imported}: private modules may only be imported from within {scope}"
                action = (
                    f"import from {scope}, the package's public interface, instead of its private module {imported} "
                    "(export the name there first if it is missing)"
                )
                fix = self.remedy("use-public-api", action, reason=f"{imported} is private to {scope}")
                findings.extend(self.direct_findings(graph, importer, imported, message, fix=fix))
        return findings
