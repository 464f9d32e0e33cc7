"""Findings of the merge gate (``check --diff``), documented like rules.

The gate makes them itself (:mod:`archguard.gate.silencing`, :mod:`archguard.gate.baseline`):
they are about what a change did, which no single tree shows. They are listed here, with
their documentation, so that ``archguard explain``, SARIF's rule help and the docs site know
them as they know every rule; they check nothing on a tree of their own.
"""

from __future__ import annotations

from collections.abc import Iterator

from archguard.findings import Finding
from archguard.rules.base import Rule, RuleContext


class GateFinding(Rule):
    """Base of the gate's findings: made by the gate from two revisions, never by a tree's check."""

    implicit = True

    def check(self, ctx: RuleContext) -> Iterator[Finding]:
        return iter(())


class NewSuppressionRule(GateFinding):
    """A change hides a finding it would otherwise be failed for.

    Reported by `check --diff` at what the change wrote: a new pragma (kind `pragma`, at the
    pragma's line), a new or widened `[[ignore]]` / `ignore_imports` entry (kind `ignore`, at the
    entry's line), baseline entries for findings the change introduced (kind `baseline`, in the
    baseline file). The message names every finding it hides.
    Why: a merge gate that the change under review can turn green by silencing its own findings
    checks nothing. Exceptions are the contract owner's to grant, with a reason, not the author's.
    Fix: remove what the change added to hide the finding and fix the finding instead; if the
    exception is right, ask the contract owner, who sets the policy in `[gate]` (`suppressions =
    "warning"` or `"allow"`; a pragma always needs a reason).
    Example:
    [gate]
    suppressions = "error"   # "warning" reports, "allow" lists what a change hides and passes
    pragmas = true           # false: inline pragmas silence nothing

    [[rules]]
    kind = "layers"
    layers = ["api", "orders | billing", "domain | infra"]
    Breaks:
    # shop/domain/model.py
    from shop.api.views import format_price  # archguard: ignore[layers] the formatter is needed here
    """

    kind = "new-suppression"


class ContractRelaxedRule(GateFinding):
    """A change removes or loosens a rule, and the base's contract finds something its own does not.

    `check --diff` also evaluates the change's code under the base's contract (for an
    import-linter configuration: the configuration file as it was at the base). Every finding the
    base's contract gives and the change's contract does not is reported with the contract change
    that removed it (kind `removed` or `loosened`; a lower severity is loosening too), at the
    import when the change added it. A finding the base already had is a warning: the change
    stops reporting it, it did not fix it.
    Why: deleting the rule a new import breaks is the shortest way to a green gate.
    Fix: restore the rule as the base has it and fix the finding; change the contract in a
    change of its own, reviewed by the contract owner.
    Example:
    [[rules]]
    kind = "forbidden"
    name = "Pure domain"
    from = ["domain"]
    to = ["infra"]
    Breaks:
    # archguard.toml
    [[rules]]
    kind = "forbidden"
    name = "Pure domain"
    from = ["domain"]
    to = ["external:requests"]
    # shop/domain/model.py
    from shop.infra.db import execute
    """

    kind = "contract-relaxed"
