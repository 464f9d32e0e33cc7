"""Golden drawings of the example: any change to them is on purpose.

Regenerate with ``ARCHGUARD_UPDATE_GOLDEN=1 python -m pytest tests/test_render_golden.py``
and review the diff.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from archguard.render.dot import to_dot
from archguard.render.mermaid import to_mermaid
from archguard.render.model import component_picture, module_picture
from tests.helpers import REPO, run_check

GOLDEN = Path(__file__).parent / "golden"


def _compare(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("ARCHGUARD_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, f"{name} changed; regenerate with ARCHGUARD_UPDATE_GOLDEN=1 if on purpose"


def test_golden_drawings_of_the_example(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)  # titles name the contract relative to the working directory
    result = run_check(REPO / "examples" / "shop-agent-change")
    picture = component_picture(result)
    _compare("shop-agent-change.components.dot", to_dot(picture).source)
    _compare("shop-agent-change.components.mmd", to_mermaid(picture))
    _compare("shop-agent-change.api.dot", to_dot(module_picture(result, component="api")).source)
