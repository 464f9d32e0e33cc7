"""The documentation is true to the program.

- Every ``console`` sample in the README and under ``docs/`` is run (each ``$`` line, in a copy of
  the folder its ``<!-- cwd: ... -->`` comment names, or in the tree its ``<!-- setup: ... -->``
  names) and its output compared with the text of the document. Only timings, commit ids and
  temporary paths are normalised; ``...`` stands for any text (a line of its own: any lines).
  ``ARCHGUARD_UPDATE_DOCS=1`` rewrites the samples that have no ``...`` from the program's
  output: on purpose, as with golden files.
- Every ``archguard`` command line in a ``bash`` block is accepted by the command line's parser,
  and every option of a usage synopsis exists.
- Every rule's documented example breaks the rule, and the example shop alone does not (the
  rule pages show the example's real output: see ``docs/rule_pages.py``).
- The site's navigation lists every rule page.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import click
import pytest
import yaml

from archguard.cli import cli
from tests.helpers import REPO

DOCS = REPO / "docs"
DOCUMENTS = [REPO / "README.md", *sorted(p for p in DOCS.rglob("*.md") if "_incoming" not in p.parts)]
UPDATE = os.environ.get("ARCHGUARD_UPDATE_DOCS") == "1"

sys.path.insert(0, str(DOCS))
from rule_pages import Entry, entries, run_example  # noqa: E402

# -- parsing the documents ---------------------------------------------------------------------


@dataclass
class Block:
    document: Path
    line: int  # 1-based line of the opening fence
    language: str
    lines: list[str]
    directives: dict[str, str] = field(default_factory=dict)

    @property
    def where(self) -> str:
        return f"{self.document.relative_to(REPO)}:{self.line}"


def blocks(document: Path) -> Iterator[Block]:
    lines = document.read_text(encoding="utf-8").splitlines()
    directives: dict[str, str] = {}
    index = 0
    while index < len(lines):
        line = lines[index]
        directive = re.fullmatch(r"\s*<!--\s*(\w+):\s*(.*?)\s*-->", line)
        if directive:
            directives[directive.group(1)] = directive.group(2)
        fence = re.match(r"^(\s*)```(\S*)", line)
        if fence:
            indent = len(fence.group(1))
            end = index + 1
            while end < len(lines) and not lines[end].strip().startswith("```"):
                end += 1
            body = [text[indent:] for text in lines[index + 1 : end]]
            yield Block(document, index + 1, fence.group(2), body, directives)
            directives = {}
            index = end
        elif line.strip() and not directive:
            directives = {}
        index += 1


def all_blocks(language: str | None = None) -> list[Block]:
    return [b for document in DOCUMENTS for b in blocks(document) if language is None or b.language == language]


@dataclass
class Step:
    command: str
    expected: list[str]


def steps(block: Block) -> list[Step]:
    out: list[Step] = []
    for line in block.lines:
        if line.startswith("$ "):
            out.append(Step(line[2:], []))
        elif out:
            out[-1].expected.append(line)
    return out


# -- running the samples -----------------------------------------------------------------------


def _copy_example(name: str, target: Path) -> Path:
    shutil.copytree(REPO / name, target, ignore=shutil.ignore_patterns(".archguard_cache", "__pycache__", "archguard-baseline.json"))
    return target


def _git(cwd: Path, *args: str) -> None:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def setup_shop_change(tmp: Path) -> Path:
    """The clean shop committed on ``main``; the agent's change in the working tree, uncommitted."""
    root = _copy_example("examples/shop", tmp / "shop")
    _git(root, "init", "-q", "-b", "main")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "the shop")
    shutil.rmtree(root / "src")
    shutil.copytree(REPO / "examples/shop-agent-change/src", root / "src")
    shutil.copy(REPO / "examples/shop-agent-change/archguard.toml", root / "archguard.toml")
    return root


SETUPS = {"shop-change": setup_shop_change}


def prepare(block: Block, tmp: Path) -> Path:
    if "setup" in block.directives:
        return SETUPS[block.directives["setup"]](tmp)
    if "cwd" in block.directives:
        return _copy_example(block.directives["cwd"], tmp / "project")
    return tmp


def shim(tmp: Path) -> Path:
    """A bin folder whose ``archguard`` runs this checkout with this interpreter."""
    folder = tmp / "bin"
    folder.mkdir()
    script = folder / "archguard"
    script.write_text(f'#!/bin/sh\nPYTHONPATH={shlex.quote(str(REPO))} exec {shlex.quote(sys.executable)} -m archguard "$@"\n')
    script.chmod(0o755)
    return folder


TIMING = re.compile(r"^archguard: .* in (?:<time>|[\d.]+) s$")


def normalise(text: str, root: Path) -> str:
    text = text.replace(str(root.resolve()), "<project>").replace(str(root), "<project>")
    text = re.sub(r"\(([0-9a-f]{12})\)", "(<commit>)", text)
    text = re.sub(r"\b[0-9a-f]{40}\b", "<commit>", text)
    text = re.sub(r"\d+\.\d+ s\b", "<time> s", text)
    return "\n".join(line.rstrip() for line in text.splitlines() if not TIMING.match(line)).strip("\n")


def matches(expected: list[str], actual: str) -> bool:
    parts = []
    for line in expected:
        if line.strip() == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(".*?".join(re.escape(piece) for piece in line.rstrip().split("...")) + r"\n")
    return re.fullmatch("".join(parts), actual + "\n" if actual else "", re.S) is not None


def run_step(step: Step, cwd: Path, bin_folder: Path) -> str:
    env = {**os.environ, "PATH": f"{bin_folder}{os.pathsep}{os.environ['PATH']}", "NO_COLOR": "1", "ARCHGUARD_NO_REPLAY": "1", "COLUMNS": "200"}
    for name in ("GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY", "CI"):
        env.pop(name, None)
    done = subprocess.run(["bash", "-c", step.command], cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300)
    return normalise(done.stdout, cwd)


CONSOLE = all_blocks("console")


@pytest.mark.parametrize("block", CONSOLE, ids=[b.where for b in CONSOLE])
def test_console_sample_is_what_the_program_prints(block: Block, tmp_path: Path) -> None:
    cwd = prepare(block, tmp_path)
    bin_folder = shim(tmp_path)
    sample = steps(block)
    assert sample, f"{block.where}: a console block without a '$ ' command"
    outputs = [run_step(step, cwd, bin_folder) for step in sample]
    wrong = [(step, out) for step, out in zip(sample, outputs, strict=True) if not matches(step.expected, out)]
    if wrong and UPDATE and not any("..." in line for step, _ in wrong for line in step.expected):
        _rewrite(block, sample, outputs)
        return
    for step, out in wrong:
        pytest.fail(f"{block.where}: `{step.command}` printed:\n{out}\n\nthe document says:\n" + "\n".join(step.expected))


def _rewrite(block: Block, sample: list[Step], outputs: list[str]) -> None:
    """Replace the block's lines with the commands and what they printed (found by content: an
    earlier rewrite in the same document moves the line numbers)."""
    lines = block.document.read_text(encoding="utf-8").split("\n")
    indent = re.match(r"^(\s*)", lines[block.line - 1]).group(1)  # type: ignore[union-attr]
    old = [f"{indent}{text}" if text else "" for text in block.lines]
    start = next(i for i in range(len(lines)) if lines[i : i + len(old)] == old and lines[i - 1].strip().startswith("```console"))
    body = []
    for step, out in zip(sample, outputs, strict=True):
        body.append(f"{indent}$ {step.command}")
        body += [f"{indent}{text}" if text else "" for text in out.splitlines()]
    lines[start : start + len(old)] = body
    block.document.write_text("\n".join(lines), encoding="utf-8")


def test_the_sample_matcher_can_fail() -> None:
    assert matches(["a", "...", "d"], "a\nb\nc\nd")
    assert matches(["x ... z"], "x y z")
    assert not matches(["a", "d"], "a\nb\nd")
    assert not matches(["a ... z"], "a b c")
    assert matches([], "") and not matches([], "x") and not matches(["x"], "")


def test_the_readme_shows_a_console_sample_of_the_main_command() -> None:
    readme = [b for b in CONSOLE if b.document.name == "README.md"]
    assert readme and steps(readme[0])[0].command.startswith("archguard check")


# -- command lines and synopses ------------------------------------------------------------------


def _command_lines() -> list[tuple[str, str]]:
    found = []
    for block in all_blocks("bash"):
        for offset, line in enumerate(block.lines, start=1):
            for command in re.split(r"&&|\|\||;|\|", line.split(" #", 1)[0]):
                command = command.strip().removeprefix("$ ")
                if command.startswith("archguard "):
                    found.append((f"{block.where}+{offset}", command.split(">", 1)[0].strip()))
    return found


COMMAND_LINES = _command_lines()


@pytest.mark.parametrize(("where", "command"), COMMAND_LINES, ids=[w for w, _ in COMMAND_LINES])
def test_documented_command_line_is_accepted_by_the_parser(where: str, command: str) -> None:
    name, *rest = shlex.split(command)[1:]
    with click.Context(cli) as context:
        sub = cli.get_command(context, name)
    assert sub is not None, f"{where}: no command {name!r}"
    try:
        sub.make_context(name, rest)
    except click.exceptions.Exit:
        pass
    except click.UsageError as error:
        pytest.fail(f"{where}: `{command}`: {error.format_message()}")


def _synopses() -> list[tuple[str, str, list[str]]]:
    found = []
    for block in all_blocks(""):
        command = None
        for line in block.lines:
            head = re.match(r"^archguard (\w+)", line)
            if head:
                command = head.group(1)
            if command:
                options = re.findall(r"(?<![\w-])(--?[a-zA-Z][\w-]*)", line.split(" #", 1)[0])
                found.append((block.where, command, options))
    return found


SYNOPSES = _synopses()


@pytest.mark.parametrize(("where", "command", "options"), SYNOPSES, ids=[f"{w}:{c}:{i}" for i, (w, c, _) in enumerate(SYNOPSES)])
def test_every_option_of_a_synopsis_exists(where: str, command: str, options: list[str]) -> None:
    with click.Context(cli) as context:
        sub = cli.get_command(context, command)
    assert sub is not None, f"{where}: no command {command!r}"
    known = {opt for param in sub.params for opt in (*param.opts, *param.secondary_opts)}
    assert set(options) <= known, f"{where}: archguard {command} has no {sorted(set(options) - known)}"


def test_synopses_and_command_lines_were_found() -> None:
    assert len(SYNOPSES) >= 10 and len(COMMAND_LINES) >= 10


# -- rule pages ----------------------------------------------------------------------------------

ENTRIES = entries()


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.kind for e in ENTRIES])
def test_rule_example_breaks_the_rule_and_the_shop_alone_does_not(entry: Entry) -> None:
    broken = run_example(entry)
    assert entry.kind in broken.kinds, f"the example of {entry.kind} reports {sorted(broken.kinds)}"
    assert f" {entry.kind}" in broken.report
    clean = run_example(entry, breaks=False) if entry.doc.breaks else run_example(entry, example=False)
    assert entry.kind not in clean.kinds


def test_every_rule_page_is_in_the_sites_navigation() -> None:
    class Loader(yaml.SafeLoader):
        pass

    Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    config = yaml.load((REPO / "mkdocs.yml").read_text(encoding="utf-8"), Loader=Loader)

    def pages(node: object) -> Iterator[str]:
        if isinstance(node, str):
            yield node
        elif isinstance(node, list):
            for item in node:
                yield from pages(item)
        elif isinstance(node, dict):
            for value in node.values():
                yield from pages(value)

    listed = {page for page in pages(config["nav"]) if page.startswith("rules/")}
    assert listed == {"rules/index.md", *(f"rules/{e.kind}.md" for e in ENTRIES)}


def test_no_console_block_shows_the_same_step_twice() -> None:
    # An earlier sample rewrite repeated whole steps (command and output) up to ten times.
    for block in CONSOLE:
        shown = [(step.command, tuple(step.expected)) for step in steps(block)]
        repeated = [command for index, (command, out) in enumerate(shown) if (command, out) in shown[:index]]
        assert not repeated, f"{block.where}: {repeated} shown twice with the same output"
