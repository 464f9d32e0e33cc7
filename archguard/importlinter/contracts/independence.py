"""import-linter ``independence`` contracts."""

from __future__ import annotations

from collections.abc import Iterable

from archguard.findings import Finding
from archguard.importlinter.config import IndependenceContract
from archguard.importlinter.contracts.graph import ContractGraph
from archguard.importlinter.contracts.layers import Dependency, LayersMixin, Level, find_layer_dependencies
from archguard.rules.base import RuleContext


class ImportLinterIndependenceRule(LayersMixin):
    """import-linter independence contract: the listed modules must not import each other.

    Why: independent packages can be changed, tested and released on their own; any chain of
    imports between them, direct or through other modules, couples them.
    Fix: move the shared code to a module both may use, outside the independent ones.
    Example:
    [importlinter:contract:independence]
    name = Independent services
    type = independence
    modules =
        shop.orders
        shop.billing
    Breaks:
    # shop/orders/service.py
    from shop.domain import model
    from shop.billing.api import Invoice
    """

    kind = "importlinter-independence"
    contract_type = "independence"
    contract: IndependenceContract

    def relation(self, dependency: Dependency) -> str:
        return " (independent modules)"

    def check_contract(self, ctx: RuleContext, graph: ContractGraph) -> Iterable[Finding]:
        modules = sorted(self.expand(graph, self.contract.modules, "modules"))
        for module in modules:
            self.require(graph, module, "modules")
        for a in modules:
            for b in modules:
                if b.startswith(a + "."):
                    raise self.error("modules", f"{a!r} contains {b!r}: independent modules cannot contain each other")
        level = Level(tuple(modules), independent=True, text=" | ".join(modules))
        return list(self.dependency_findings(graph, find_layer_dependencies(graph, [level], self.through)))
