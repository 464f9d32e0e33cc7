"""Advice for the people and agents who change the code: init, explain, fix.

``infer`` writes a starter contract from the code as it is (with ``layering``: cycles, the
imports that close them, layers); ``explain`` answers whether one dependency is allowed and
why; ``fix`` applies the mechanical remedies as libcst codemods. Remedies themselves are
built by the rules that find the problems (:meth:`archguard.rules.base.Rule.remedy`).

May import: :mod:`archguard.gate` and everything below it.
"""
