"""Writes the rule pages while mkdocs builds the site (the mkdocs-gen-files plugin runs it)."""

from __future__ import annotations

import sys
from pathlib import Path

import mkdocs_gen_files

sys.path.insert(0, str(Path(__file__).parent))

from rule_pages import entries, index_page, rule_page

found = entries()
with mkdocs_gen_files.open("rules/index.md", "w") as page:
    page.write(index_page(found))
for entry in found:
    with mkdocs_gen_files.open(f"rules/{entry.kind}.md", "w") as page:
        page.write(rule_page(entry))
