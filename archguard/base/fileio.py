"""Atomic file replacement: a reader sees the old file or the new one, never half of one.

The implementation lives with the other primitives for untrusted trees
(:mod:`archguard.base.safe_files`): it never writes through a symlink at the final component.
"""

from __future__ import annotations

from archguard.base.safe_files import write_atomic

__all__ = ["write_atomic"]
