"""archguard: an architecture-coherence checker for Python codebases.

The public library API lives in :mod:`archguard.api`; the command line in :mod:`archguard.cli`.
"""

__version__ = "0.1.0"
