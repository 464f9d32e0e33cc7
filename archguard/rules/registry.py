"""The one place rules are registered. The engine never names a concrete rule."""

from __future__ import annotations

from archguard.contract.models import Contract
from archguard.rules.absent import AbsentRule
from archguard.rules.acyclic import AcyclicRule
from archguard.rules.allowed import AllowedRule
from archguard.rules.base import Rule
from archguard.rules.boundaries import BoundariesRule
from archguard.rules.duplication import DuplicationRule
from archguard.rules.forbidden import ForbiddenRule
from archguard.rules.gate_findings import ContractRelaxedRule, NewSuppressionRule
from archguard.rules.implicit import DiscoveryRule, ParseErrorRule, UnmappedRule
from archguard.rules.independent import IndependentRule
from archguard.rules.layers import LayersRule
from archguard.rules.private import PrivateRule
from archguard.rules.vacuous import EMPTY_RULE, VacuousRule

EMPTY_RULE_KIND = EMPTY_RULE  # the 'vacuous-rule' finding that says a whole rule checks nothing

# [[rules]] kinds, in the order their documentation is listed.
CONTRACT_RULES: dict[str, type[Rule]] = {
    rule.kind: rule for rule in (LayersRule, BoundariesRule, AllowedRule, ForbiddenRule, IndependentRule, AcyclicRule)
}
# Rules every run applies, configured by other contract sections.
IMPLICIT_RULES: dict[str, type[Rule]] = {
    rule.kind: rule for rule in (PrivateRule, ParseErrorRule, DiscoveryRule, UnmappedRule, VacuousRule, AbsentRule, DuplicationRule)
}
# Findings the merge gate makes from two revisions (check --diff): documented, never built for a tree.
GATE_FINDINGS: dict[str, type[Rule]] = {rule.kind: rule for rule in (NewSuppressionRule, ContractRelaxedRule)}


def rule_types() -> list[type[Rule]]:
    """Every rule type of archguard's own contract, [[rules]] kinds first."""
    return [*CONTRACT_RULES.values(), *IMPLICIT_RULES.values(), *GATE_FINDINGS.values()]


def build_rules(contract: Contract) -> list[Rule]:
    """The rule instances a contract asks for, in contract order, implicit rules last."""
    rules: list[Rule] = []
    for index, config in enumerate(contract.rules):
        rules.append(CONTRACT_RULES[config.kind](config, index))
    if any(component.private for component in contract.components.values()):
        rules.append(PrivateRule(None, name="private", severity="error"))
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
