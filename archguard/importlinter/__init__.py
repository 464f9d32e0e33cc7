"""The import-linter dialect, whole: its configuration, discovery, resolution, contract types, conversion.

``files`` finds configurations (``.importlinter``, ``setup.cfg``, ``[tool.importlinter]``);
``config`` parses them into frozen models with import-linter's own value rules; ``discover``
and ``resolve`` build the module graph the way import-linter (grimp) does; ``contracts`` holds
one module per import-linter contract type; ``convert`` writes an equivalent archguard
contract; ``dialect`` is the object the engine receives. A third dialect (tach's
``tach.toml``, say) is one more package like this one and one line in
:mod:`archguard.engine.dialects`.

May import: :mod:`archguard.rules`, :mod:`archguard.findings`, :mod:`archguard.analysis`,
:mod:`archguard.contract`, :mod:`archguard.base`. Only :mod:`archguard.engine.dialects` and the
CLI import this package.
"""
