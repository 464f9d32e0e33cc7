"""The ground floor: what every room needs and that needs nothing of archguard.

Owns the error hierarchy (:mod:`~archguard.base.errors`: every error a user sees carries the
file, key and line), writing files atomically (:mod:`~archguard.base.fileio`) and the garbage
collector's pace for the allocation-heavy stages (:mod:`~archguard.base.gcpace`). It exists
because these three are used by rooms on every floor; it holds no pipeline logic.

May import: the standard library only.
"""
