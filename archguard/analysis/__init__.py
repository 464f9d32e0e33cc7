"""One tree's actual architecture: files found, files read, imports resolved, graphs built.

The reading half: ``discover`` (the Python files and their module names; ``listings``, the
folder listings it keeps between runs), ``roots`` and
``buildconfig`` (the folders that hold the top-level packages, found as the project's own
tooling finds them: build configuration, ``src/``/``lib/``, ``PYTHONPATH``), ``read`` (bytes ->
:class:`~archguard.analysis.read.facts.FileFacts`, in a process pool), ``cache`` (facts by
content hash), ``clones`` (clone groups from the facts' fingerprints). The graph half:
``resolve`` (import statements -> import sites), ``reexports`` (what a module-level name
refers to), ``digraph`` (a small directed graph), ``graph`` (the module graph), ``mapping`` (modules -> components),
``coupling`` (fan-in, fan-out, instability). Nothing here knows a rule.

May import: :mod:`archguard.contract`, :mod:`archguard.base`. The reading half never imports
the graph half (nor networkx, which only commands that need its algorithms import).
"""
