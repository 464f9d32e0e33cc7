"""Live feedback while code is written: the language server (``archguard lsp``).

``workspace`` holds one project's analysis in memory and updates it incrementally: an edit
re-reads that one buffer (unsaved text included) and re-evaluates the rules; a change to the
contract, the import-linter configuration or the baseline reloads them; in gate mode only
what the working tree adds against a base revision is shown (``check --diff`` semantics).
``diagnostics`` turns findings into LSP diagnostics and code actions; ``server`` wires both
into pygls over stdio. Only ``server`` knows pygls.

May import: :mod:`archguard.gate`, :mod:`archguard.engine` and everything below them.
"""
