"""The rule reference pages, generated from the rule classes themselves.

Each rule's docstring (:class:`archguard.rules.base.RuleDoc`) says what it checks, why it
matters, how to fix it, the contract section that configures it (``Example:``) and code that
breaks it (``Breaks:``). A page shows them all, and what archguard reports when it checks that
code: the example runs on a small shop (:data:`SHOP`) when the page is built, so a page can
never show output the program does not give. ``tests/test_docs.py`` checks that every rule's
example breaks the rule and that the shop alone does not.

Used by ``docs/gen_rule_pages.py`` (mkdocs-gen-files) while the site is built.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, get_args

from archguard import api
from archguard.rules.base import Rule, RuleDoc

# Every example runs on this shop: an HTTP layer, two services (orders and billing, each with
# a public module), a pure domain and the infrastructure.
SHOP: dict[str, str] = {
    "shop/__init__.py": "",
    "shop/api/__init__.py": "",
    "shop/api/views.py": (
        "from shop.orders import service\nfrom shop.billing import api as billing\n\n\ndef format_price(amount):\n    return f'{amount:.2f}'\n"
    ),
    "shop/orders/__init__.py": "",
    "shop/orders/service.py": "from shop.domain import model\n\n\ndef place_order(items):\n    return model.Order(items)\n",
    "shop/billing/__init__.py": "",
    "shop/billing/api.py": "from shop.billing.ledger import Ledger\n\n\nclass Invoice:\n    ledger = Ledger\n",
    "shop/billing/ledger.py": "from shop.domain import model\nfrom shop.infra.db import execute\n\n\nclass Ledger:\n    pass\n",
    "shop/domain/__init__.py": "",
    "shop/domain/model.py": "class Order:\n    def __init__(self, items):\n        self.items = items\n",
    "shop/infra/__init__.py": "",
    "shop/infra/db.py": "import sqlite3\n\n\ndef execute(query):\n    return sqlite3.connect(':memory:').execute(query)\n",
}

COMPONENTS = """\
[components]
root    = { modules = ["shop:*"] }
api     = { modules = ["shop.api"] }
orders  = { modules = ["shop.orders"], public = ["shop.orders.service"] }
billing = { modules = ["shop.billing"], public = ["shop.billing.api"] }
domain  = { modules = ["shop.domain"] }
infra   = { modules = ["shop.infra"] }
"""

IMPORTLINTER_SESSION = "[importlinter]\nroot_package = shop\n"


@dataclass(frozen=True)
class Entry:
    """One kind of finding that gets a page: its documentation and where it comes from."""

    doc: RuleDoc
    group: str  # the section of the rules' index it is listed in
    source: str  # where the text lives: "archguard.rules.layers.LayersRule"
    importlinter: bool = False  # its example is an import-linter configuration
    gate: bool = False  # made by ``check --diff``: its example is a change to a git repository

    @property
    def kind(self) -> str:
        return self.doc.kind


CONTRACT_RULES = "Contract rules (`[[rules]]`)"
EVERY_RUN = "Checks every run makes"
GATE = "Findings of the merge gate (`check --diff`)"
IMPORTLINTER_TYPES = "import-linter contract types"


def entries() -> list[Entry]:
    """Every kind of finding archguard documents: each dialect's rules, then the run's own."""
    from archguard.engine.dialects import all_rule_types
    from archguard.engine.suppress import RUN_FINDING_DOCS

    found = [_entry(rule) for rule in all_rule_types()]
    found += [Entry(doc, EVERY_RUN, f"archguard.engine.suppress ({doc.kind})") for doc in RUN_FINDING_DOCS]
    return found


def _entry(rule: type[Rule]) -> Entry:
    from archguard.rules.gate_findings import GateFinding

    importlinter = rule.__module__.startswith("archguard.importlinter.")
    gate = issubclass(rule, GateFinding)
    group = GATE if gate else IMPORTLINTER_TYPES if importlinter else (EVERY_RUN if rule.implicit else CONTRACT_RULES)
    return Entry(rule.doc(), group, f"{rule.__module__}.{rule.__name__}", importlinter, gate)


@dataclass(frozen=True)
class Example:
    """A rule's example, run: the configuration file, the files that break it, the report."""

    config_name: str
    config: str
    files: tuple[tuple[str, str], ...]
    report: str  # the text report's findings (empty: nothing reported)
    kinds: frozenset[str]  # every rule kind the run reported


def example_config(entry: Entry, example: str | None = None) -> tuple[str, str]:
    """(file name, text) of the configuration an example runs with: the shop's session or
    components, then the example (whose ``[components]`` lines replace the shop's)."""
    example = entry.doc.example if example is None else example
    if entry.importlinter:
        return ".importlinter", f"{IMPORTLINTER_SESSION}\n{example}\n"
    components = COMPONENTS.splitlines()
    rest: list[str] = []
    table = ""
    for line in example.splitlines():
        header = re.fullmatch(r"\[(\w+)\]", line.strip())
        table = header.group(1) if header else table
        name = re.match(r"^(\w+)\s*=", line)
        if table == "components" and not header and name:
            components = [line if c.split("=", 1)[0].strip() == name.group(1) else c for c in components]
        elif table != "components":
            rest.append(line)
    text = "\n".join(components) + "\n" + ("\n" + "\n".join(rest).strip("\n") + "\n" if "".join(rest).strip() else "")
    return "archguard.toml", text


def run_example(entry: Entry, *, breaks: bool = True, example: bool = True) -> Example:
    """Check the shop (plus the files of the ``Breaks:`` section) with the documented example
    configuration; ``breaks=False`` leaves the files out, ``example=False`` the configuration.
    A gate finding's example is a change: the shop and the configuration committed, then the
    ``Breaks:`` files (a contract among them replaces the example's) checked with ``--diff``."""
    config_name, config = example_config(entry)
    if not example:
        config = IMPORTLINTER_SESSION if entry.importlinter else COMPONENTS
    files = dict(SHOP)
    changed = dict(entry.doc.breaks) if breaks else {}
    if config_name in changed:
        changed[config_name] = example_config(entry, changed[config_name])[1]
    with tempfile.TemporaryDirectory(prefix="archguard-docs-") as temporary:
        root = Path(temporary)
        _write(root, {**files, config_name: config})
        if entry.gate:
            _git(root, "init", "-q", "-b", "main")
            _git(root, "add", "-A")
            _git(root, "commit", "-q", "-m", "the shop")
            _write(root, changed)
            report, kinds = _check_diff(root)
        else:
            _write(root, changed)
            result = api.check(api.load(root / config_name), api.RunOptions(jobs=1, use_cache=False))
            report = api.report(result)
            kinds = frozenset(f.rule for f in result.findings) | frozenset(s.finding.rule for s in result.suppressed)
    return Example(config_name, config, entry.doc.breaks, _findings_of(report), kinds)


def _write(root: Path, files: dict[str, str]) -> None:
    for relpath, text in files.items():
        (root / relpath).parent.mkdir(parents=True, exist_ok=True)
        (root / relpath).write_text(text, encoding="utf-8")


def _git(root: Path, *args: str) -> None:
    identity = {"GIT_AUTHOR_NAME": "docs", "GIT_AUTHOR_EMAIL": "docs@example.com", "GIT_COMMITTER_NAME": "docs", "GIT_COMMITTER_EMAIL": "docs@example.com"}
    subprocess.run(["git", *args], cwd=root, env={**os.environ, **identity}, check=True, capture_output=True)


def _check_diff(root: Path) -> tuple[str, frozenset[str]]:
    """``archguard check --diff main`` on the repository: the text report and the kinds it found."""
    command = [sys.executable, "-m", "archguard", "check", "--diff", "main", "--no-cache", "--jobs", "1"]
    env = {**os.environ, "NO_COLOR": "1", "ARCHGUARD_NO_REPLAY": "1"}
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"):
        env.pop(name, None)
    text = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False).stdout
    document = json.loads(subprocess.run([*command, "--format", "json"], cwd=root, env=env, capture_output=True, text=True, check=False).stdout)
    return text, frozenset(f["rule"] for f in document["findings"])


def _findings_of(report: str) -> str:
    """The text report without its header and summary lines: the findings."""
    lines = report.splitlines()[1:]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and (not lines[-1].strip() or lines[-1].startswith(("✗", "✓"))):
        lines.pop()
    return re.sub(r"\(([0-9a-f]{12})\)", "(<commit>)", "\n".join(lines))


def _options(kind: str) -> list[tuple[str, str, str]]:
    """(key, default, description) of what configures the rule, from the contract's models."""
    from archguard.contract import models

    model: Any = None
    kind_name = kind
    for candidate in _subclasses(models.RuleBase):
        kind_field = candidate.model_fields.get("kind")
        if kind_field is not None and kind_name in get_args(kind_field.annotation):
            model = candidate
    if model is None and kind_name == "duplication":
        model = models.DuplicationConfig
    if model is None:
        return []
    rows = []
    common = set(models.RuleBase.model_fields) | set(models.IndirectMixin.model_fields)
    for name, field in sorted(model.model_fields.items(), key=lambda item: item[0] in common):
        if name == "kind":
            continue
        key = field.alias or name
        default = "required" if field.is_required() else f"`{_toml(field.get_default(call_default_factory=True))}`"
        rows.append((key, default, " ".join((field.description or "").split()).replace("__", "\\_\\_")))
    return rows


def _subclasses(cls: type) -> Iterable[Any]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _toml(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return f'"{value}"'
    if value is None:
        return "(none)"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return str(value)


def rule_page(entry: Entry) -> str:
    """The Markdown page of one kind of finding."""
    doc = entry.doc
    example = run_example(entry)
    out = [f"# `{doc.kind}`", "", f"*{entry.group}*", "", f"**{doc.summary}**", ""]
    if doc.details:
        out += [doc.details, ""]
    out += ["## Why it matters", "", _sentence(doc.why), ""]
    out += ["## Example", ""]
    where = "the [example shop's](index.md#the-example-shop)" + (" import-linter session" if entry.importlinter else " components")
    if doc.example:
        out += [f"`{example.config_name}`: {where}, and", "", "```ini" if entry.importlinter else "```toml", doc.example, "```", ""]
    else:
        out += [f"`{example.config_name}`: {where}, nothing more.", ""]
    if entry.gate:
        out += ["The shop and this contract are committed on `main`; the change under review writes:", ""]
    for relpath, text in example.files:
        out += [f"`{relpath}`:" if text.strip() else f"`{relpath}` (empty)", ""]
        if text.strip():
            out += ["```toml" if relpath.endswith(".toml") else "```python", text.rstrip("\n"), "```", ""]
    command = "archguard check --diff main" if entry.gate else "archguard check"
    out += [f"What `{command}` reports:", "", "```", example.report or "(nothing)", "```", ""]
    out += ["## How to fix it", "", _sentence(doc.fix), ""]
    options = _options(doc.kind)
    if options:
        out += ["## Options", "", "| key | default | meaning |", "| --- | --- | --- |"]
        out += [f"| `{key}` | {default} | {meaning} |" for key, default, meaning in options]
        out.append("")
    out += [f"*Generated from the documentation in `{entry.source}`, which `archguard explain` and SARIF's rule help also show.*", ""]
    return "\n".join(out)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def index_page(found: Iterable[Entry]) -> str:
    """The rules' index: one line per kind of finding, and the shop every example runs on."""
    groups: dict[str, list[RuleDoc]] = {CONTRACT_RULES: [], EVERY_RUN: [], GATE: [], IMPORTLINTER_TYPES: []}
    for entry in found:
        groups[entry.group].append(entry.doc)
    out = [
        "# Rules",
        "",
        "Every page below is generated from the rule's own documentation: what it checks, why it",
        "matters, an example that breaks it with what archguard reports, and how to fix it.",
        "",
    ]
    for title, docs in groups.items():
        out += [f"## {title}", "", "| rule | what it checks |", "| --- | --- |"]
        out += [f"| [`{doc.kind}`]({doc.kind}.md) | {doc.summary} |" for doc in docs]
        out.append("")
    out += ["## The example shop", "", "Every example runs on this little shop, plus the files the example adds.", ""]
    out += ["```", *sorted(SHOP), "```", "", "Its components, for archguard contracts:", "", "```toml", COMPONENTS.strip("\n"), "```", ""]
    out += ["import-linter examples start with this session:", "", "```ini", IMPORTLINTER_SESSION.strip("\n"), "```", ""]
    return "\n".join(out)
