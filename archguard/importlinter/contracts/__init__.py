"""import-linter contracts, checked on archguard's graph: one module per contract type.

Each rule checks one contract of an import-linter configuration (read by
:mod:`archguard.importlinter.config`) with import-linter's semantics, on the graph built in
import-linter mode (:mod:`archguard.importlinter.resolve`), and reports the illegal imports
and chains with ``file:line`` for every import.
"""
