"""The archguard contract: pydantic models, loading and validation, patterns, key locations, JSON schema.

Owns what a contract file means: ``models`` (the schema, as pydantic models), ``loading``
(find, read, parse and validate, with file, key path and line in every error), ``cache``
(validated contracts by the bytes of their text, rebuilt without validation), ``patterns``
and ``selectors`` (module patterns and what rules select), ``locate`` (where a key is in the
file), ``schema`` (the JSON Schema shipped in ``contracts/``). Nothing here reads code.

May import: :mod:`archguard.base`, pydantic.
"""
