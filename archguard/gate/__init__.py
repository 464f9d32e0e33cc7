"""What a change did: git revisions, the diff between two trees, baselines, drift.

``git`` and ``revision`` read revisions straight from git's object store (no checkout);
``delta`` analyses the base and the head and keeps what the change introduced; ``baseline``
freezes legacy findings in a file and applies it; ``drift`` is the reflexion model
(convergence, divergence, absence, unmapped) that reports and pictures share.

May import: :mod:`archguard.engine` and everything below it.
"""
