"""The one place rules are registered. The engine never names a concrete rule."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from archguard.contract.models import Contract
from archguard.rules.absent import AbsentRule
from archguard.rules.acyclic import AcyclicRule
from archguard.rules.allowed import AllowedRule
from archguard.rules.base import Rule
from archguard.rules.boundaries import BoundariesRule
from archguard.rules.duplication import DuplicationRule
from archguard.rules.forbidden import ForbiddenRule
from archguard.rules.implicit import DiscoveryRule, ParseErrorRule, UnmappedRule
from archguard.rules.independent import IndependentRule
from archguard.rules.layers import LayersRule
from archguard.rules.vacuous import EMPTY_RULE, VacuousRule

if TYPE_CHECKING:
    from archguard.importlinter.config import ImportLinterConfig
    from archguard.importlinter.contracts.common import ImportLinterRule

EMPTY_RULE_KIND = EMPTY_RULE  # the 'vacuous-rule' finding that says a whole rule checks nothing

# [[rules]] kinds, in the order their documentation is listed.
CONTRACT_RULES: dict[str, type[Rule]] = {
    rule.kind: rule for rule in (LayersRule, BoundariesRule, AllowedRule, ForbiddenRule, IndependentRule, AcyclicRule)
}
# Rules every run applies, configured by other contract sections.
IMPLICIT_RULES: dict[str, type[Rule]] = {rule.kind: rule for rule in (ParseErrorRule, DiscoveryRule, UnmappedRule, VacuousRule, AbsentRule, DuplicationRule)}


@cache
def importlinter_rules() -> dict[str, type[ImportLinterRule]]:
    """import-linter contract types (configurations read by archguard.importlinter.config).
    Imported on first use: a run of an archguard contract never needs them."""
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


def all_rule_types() -> list[type[Rule]]:
    return [*CONTRACT_RULES.values(), *IMPLICIT_RULES.values(), *importlinter_rules().values()]


def build_rules(contract: Contract) -> list[Rule]:
    """The rule instances a contract asks for, in contract order, implicit rules last."""
    rules: list[Rule] = []
    for index, config in enumerate(contract.rules):
        rules.append(CONTRACT_RULES[config.kind](config, index))
    rules.append(ParseErrorRule(None, name="parse-error", severity="error"))
    rules.append(DiscoveryRule(None, name="discovery", severity="warning"))
    if contract.drift.unmapped != "off":
        rules.append(UnmappedRule(None, name="unmapped", severity=contract.drift.unmapped))
    if contract.drift.vacuous != "off":
        rules.append(VacuousRule(None, name="vacuous-rule", severity=contract.drift.vacuous))
    if contract.drift.absent != "off" and any(config.kind == "allowed" for config in contract.rules):
        rules.append(AbsentRule(None, name="absent", severity=contract.drift.absent))
    if contract.duplication.enabled:
        rules.append(DuplicationRule.from_contract(contract))
    return rules


def build_importlinter_rules(config: ImportLinterConfig) -> list[Rule]:
    """One rule per import-linter contract, in configuration order, then the implicit file rules."""
    rules: list[Rule] = []
    seen: set[str] = set()
    for index, contract in enumerate(config.contracts):
        # import-linter allows two contracts with one name; reports tell them apart by their id.
        name = contract.name if contract.name not in seen else f"{contract.name} ({contract.id or index + 1})"
        seen.add(name)
        rules.append(importlinter_rules()[contract.type](contract, index, session=config.session, name=name))
    rules.append(ParseErrorRule(None, name="parse-error", severity="error"))
    rules.append(DiscoveryRule(None, name="discovery", severity="warning"))
    return rules
