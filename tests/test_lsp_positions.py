"""Finding positions as LSP ranges: lines as the protocol counts them, columns in the client's encoding."""

from __future__ import annotations

from pathlib import Path

import pytest

from archguard.findings import Finding
from archguard.lsp.diagnostics import diagnostics_for, document_lines


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_lines_split_only_at_the_protocol_s_line_ends(newline: str) -> None:
    text = newline.join(["import os", "\x0c", "x = 'a\x1cb'  # \u2028 in a comment", "from shop.api import views", ""])
    assert document_lines(text) == ["import os", "\x0c", "x = 'a\x1cb'  # \u2028 in a comment", "from shop.api import views", ""]


def test_a_form_feed_before_a_finding_does_not_shift_its_range(tmp_path: Path) -> None:
    # Old code separates sections with form feeds; str.splitlines splits there, Python and LSP do not.
    text = "import os\n\x0c\n# caf\u00e9\nfrom shop.api import views  # \u00e9\n"
    finding = Finding(
        rule="layers", rule_name="layers", kind="layers", severity="error", message="m", path="shop/domain.py", line=4, column=1, end_line=4
    )
    [diagnostic] = diagnostics_for("shop/domain.py", [finding], text, tmp_path)
    assert (diagnostic.range.start.line, diagnostic.range.start.character) == (3, 0)
    assert (diagnostic.range.end.line, diagnostic.range.end.character) == (3, len("from shop.api import views  # \u00e9"))
