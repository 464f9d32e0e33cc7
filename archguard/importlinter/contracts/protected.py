"""import-linter ``protected`` contracts."""

from __future__ import annotations

from collections.abc import Iterable

from archguard.findings import Finding
from archguard.importlinter.config import ProtectedContract
from archguard.importlinter.contracts.common import ImportLinterRule
from archguard.importlinter.contracts.graph import ContractGraph
from archguard.rules.base import RuleContext


class ImportLinterProtectedRule(ImportLinterRule):
    """import-linter protected contract: only the allowed importers may import the protected modules.

    Why: a protected package (a data-access layer, a vendored library) is an implementation
    detail of the few modules allowed to use it; everyone else goes through them.
    Only direct imports count.
    Fix: import through one of the allowed importers instead.
    Example:
    [importlinter:contract:protected]
    name = Only billing touches the database
    type = protected
    protected_modules = shop.infra
    allowed_importers = shop.billing
    Breaks:
    # shop/orders/service.py
    from shop.domain import model
    from shop.infra.db import execute
    """

    kind = "importlinter-protected"
    contract_type = "protected"
    contract: ProtectedContract

    def check_contract(self, ctx: RuleContext, graph: ContractGraph) -> Iterable[Finding]:
        contract = self.contract
        as_packages = contract.as_packages
        allowed = self.expand(graph, contract.allowed_importers, "allowed_importers", as_packages=as_packages)
        findings: list[Finding] = []
        reported: set[tuple[str, str]] = set()
        for expression in sorted(contract.protected_modules, key=lambda e: e.text):
            for top in sorted(set(graph.matching(expression))):
                self.require(graph, top, "protected_modules")
                protected = set(graph.with_descendants(top)) if as_packages else {top}
                importers: set[str] = set()
                for module in protected:
                    importers.update(graph.importers_of(module))
                via = f" (via {expression.text})" if expression.has_wildcard else ""
                for importer in sorted(importers - allowed - protected):
                    for imported in graph.imports_of(importer):
                        if imported not in protected or (importer, imported) in reported:
                            continue
                        reported.add((importer, imported))
                        message = f"{importer} imports {imported}: only the allowed importers may import the protected {top}{via}"
                        through = sorted(allowed - protected)
                        names = ", ".join(through[:3]) + (", ..." if len(through) > 3 else "") if through else "none"
                        action = f"use {top} through one of its allowed importers ({names}) instead of importing {imported} directly"
                        fix = self.remedy("use-public-api", action, reason=f"{top} is protected")
                        findings.extend(self.direct_findings(graph, importer, imported, message, fix=fix))
        return findings
