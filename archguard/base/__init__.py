"""The ground floor: what every room needs and that needs nothing of archguard.

Owns the error hierarchy (:mod:`~archguard.base.errors`: every error a user sees carries the
file, key and line), the file primitives for an untrusted tree (:mod:`~archguard.base.safe_files`:
read only bounded regular files inside the project, without blocking; write atomically, never
through a symlink), writing into the cache folder (:mod:`~archguard.base.fileio`), how caches
tell their entries are whole and current (:mod:`~archguard.base.integrity`) and the garbage
collector's pace for the allocation-heavy stages (:mod:`~archguard.base.gcpace`). It exists
because these are used by rooms on every floor; it holds no pipeline logic.

May import: the standard library only.
"""
