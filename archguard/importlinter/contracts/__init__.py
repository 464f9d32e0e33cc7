"""import-linter contracts, checked on archguard's graph: one module per contract type.

Each rule checks one contract of an import-linter configuration (read by
:mod:`archguard.importlinter.config`) with import-linter's semantics, on the graph built in
import-linter mode (:mod:`archguard.importlinter.resolve`), and reports the illegal imports
and chains with ``file:line`` for every import.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from archguard.importlinter.contracts.common import ImportLinterRule


@cache
def rule_types() -> dict[str, type[ImportLinterRule]]:
    """The contract types by import-linter's name for them, imported on first use."""
    from archguard.importlinter.contracts.acyclic_siblings import ImportLinterAcyclicSiblingsRule
    from archguard.importlinter.contracts.forbidden import ImportLinterForbiddenRule
    from archguard.importlinter.contracts.independence import ImportLinterIndependenceRule
    from archguard.importlinter.contracts.layers import ImportLinterLayersRule
    from archguard.importlinter.contracts.private_modules import ImportLinterPrivateModulesRule
    from archguard.importlinter.contracts.protected import ImportLinterProtectedRule

    kinds: tuple[type[ImportLinterRule], ...] = (
        ImportLinterLayersRule,
        ImportLinterForbiddenRule,
        ImportLinterIndependenceRule,
        ImportLinterProtectedRule,
        ImportLinterPrivateModulesRule,
        ImportLinterAcyclicSiblingsRule,
    )
    return {rule.contract_type: rule for rule in kinds}
