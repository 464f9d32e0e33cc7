"""import-linter contracts, checked on archguard's graph: one module per contract type.

Each rule checks one contract of an import-linter configuration (read by
:mod:`archguard.contract.importlinter`) with import-linter's semantics, on the graph built in
import-linter mode (:mod:`archguard.resolve_importlinter`), and reports the illegal imports
and chains with ``file:line`` for every import.
"""
