"""The JSON Schema of the contract format, generated from the pydantic models.

``python -m archguard.contract.schema > contracts/archguard.schema.json`` regenerates the
shipped file; a test fails when the file is out of date. Editors that understand JSON Schema
for TOML (Taplo, Even Better TOML) give completion and validation with a first line
``#:schema ./archguard.schema.json``.
"""

from __future__ import annotations

import json
from typing import Any

from archguard.contract.models import Contract

SCHEMA_ID = "https://github.com/archguard/archguard/contracts/archguard.schema.json"


def contract_json_schema() -> dict[str, Any]:
    schema = Contract.model_json_schema(by_alias=True)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "archguard contract",
    }


def render_schema() -> str:
    return json.dumps(contract_json_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    print(render_schema(), end="")
