"""The pipeline: a contract and a tree in, a check result out.

``pipeline`` runs discover -> read -> resolve -> rules -> pragmas (``analyze``, ``evaluate``,
``check``); ``suppress`` applies inline pragmas and reports stale ignores; ``dialects`` is the
registry of contract dialects (archguard's own contract, import-linter configurations): the
pipeline asks the loaded contract's dialect how to discover, resolve and build rules, and
never which dialect it is. ``dialects`` is the only module outside the CLI that imports
:mod:`archguard.importlinter`.

May import: :mod:`archguard.rules`, :mod:`archguard.findings`, :mod:`archguard.analysis`,
:mod:`archguard.contract`, :mod:`archguard.base`; ``dialects`` also the dialect packages.
"""
