"""The archguard contract's rules: one module per rule kind, and the registry.

Each rule (a :class:`~archguard.rules.base.Rule`) takes the contract section that configures
it and a :class:`~archguard.rules.base.RuleContext` (graph, components, facts) and yields
findings; it never prints, reads files or knows an output format. ``registry`` is the only
place that names the concrete rules. A new rule kind is one module here plus one line in
the registry (and its model in :mod:`archguard.contract.models`).

May import: :mod:`archguard.findings`, :mod:`archguard.analysis`, :mod:`archguard.contract`,
:mod:`archguard.base`.
"""
