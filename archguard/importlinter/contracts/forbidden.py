"""import-linter ``forbidden`` contracts."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from archguard.findings import Finding
from archguard.importlinter.config import ForbiddenContract
from archguard.importlinter.contracts.common import ImportLinterRule, is_in_package
from archguard.importlinter.contracts.graph import ContractGraph
from archguard.rules.base import RuleContext


class ImportLinterForbiddenRule(ImportLinterRule):
    """import-linter forbidden contract: source modules must not import the forbidden modules.

    Why: some dependencies must never exist (the domain importing the web framework, a
    library importing its tests); chains of imports count too unless allow_indirect_imports.
    Fix: remove the import, or depend on an interface owned by the importing side.
    Example:
    [importlinter:contract:forbidden]
    name = Domain is pure
    type = forbidden
    source_modules = shop.domain
    forbidden_modules =
        shop.infra
        shop.api
    Breaks:
    # shop/domain/model.py
    from shop.billing.api import Invoice
    """

    kind = "importlinter-forbidden"
    contract_type = "forbidden"
    contract: ForbiddenContract

    def check_contract(self, ctx: RuleContext, graph: ContractGraph) -> Iterable[Finding]:
        contract = self.contract
        sources = self.expand(graph, contract.source_modules, "source_modules")
        forbidden = self.expand(graph, contract.forbidden_modules, "forbidden_modules")
        roots = self.session.root_packages
        internal = {m for m in forbidden if any(is_in_package(m, root) for root in roots)}
        external = forbidden - internal
        for module in sorted(sources):
            self.require(graph, module, "source_modules")
        for module in sorted(internal):
            self.require(graph, module, "forbidden_modules")
        if external:
            if not self.session.include_external_packages:
                raise self.error(
                    "forbidden_modules",
                    f"{', '.join(sorted(external))}: forbidding external packages needs include_external_packages = True "
                    "in the top-level configuration",
                )
            for module in sorted(external):
                if "." in module:
                    raise self.error(
                        "forbidden_modules", f"invalid forbidden module {module!r}: subpackages of external packages are not valid"
                    )
        present = sorted(m for m in forbidden if m in graph.modules)
        findings: list[Finding] = []
        for source in sorted(sources):
            for target in present:
                if source == target or (contract.as_packages and (is_in_package(source, target) or is_in_package(target, source))):
                    continue  # overlapping modules are not a forbidden pair
                findings.extend(self.pair_findings(graph, source, target))
        return findings

    def members(self, graph: ContractGraph, module: str) -> list[str]:
        return graph.with_descendants(module) if self.contract.as_packages else [module]

    def pair_findings(self, graph: ContractGraph, source: str, target: str) -> Iterator[Finding]:
        rule = f"{source} is not allowed to import {target}"
        pair = (("pair", f"{source} -> {target}"),)
        action = f"remove the dependency on {target}: {source} must not import it; depend on an interface {source} owns and inject the implementation"
        fix = self.remedy("remove-import", action, reason=f"{source} must not depend on {target}")
        downstream = self.members(graph, source)
        upstream = set(self.members(graph, target))
        if self.contract.allow_indirect_imports:
            chains = [[d, u] for d in downstream for u in graph.imports_of(d) if u in upstream]
        else:
            chains = graph.pop_shortest_chains(downstream, upstream)
        for chain in sorted(chains):
            if len(chain) == 2:
                message = f"{chain[0]} imports {chain[1]}: {rule}"
                yield from self.direct_findings(graph, chain[0], chain[1], message, details=pair, identity_extra=(source, target), fix=fix)
            else:
                message = f"{chain[0]} depends on {chain[-1]} through {' -> '.join(chain[1:-1])}: {rule}"
                yield self.chain_finding(graph, chain, message, details=pair, identity_extra=(source, target), fix=fix)
