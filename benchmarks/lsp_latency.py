"""How long a diagnostic takes to appear after an edit: `archguard lsp` against a full check.

    python -m benchmarks.lsp_latency [--files 20] [--output benchmarks/results/lsp.md]

Django (its sdist, under benchmarks/work/) with the benchmarks' archguard contract (layers,
forbidden, independence). For each of N different Django files, spread over the tree:

1. **lsp**: a real LSP client (pytest-lsp) has the file open in `archguard lsp` over stdio;
   the clock runs from sending ``textDocument/didChange`` (the buffer gains an import of
   ``django.contrib.admin.sites``, an upward import for every layer below contrib) until the
   ``publishDiagnostics`` for that file arrives. Nothing is written to disk.
2. **check**: the same edit written to the file, then ``archguard check --format json`` in a
   new process (warm facts cache: only the edited file is parsed), timed as a whole; the file
   is restored afterwards.

The diagnostics the server published for the file and the findings the check reported in that
file must agree (count per file); a disagreement is printed in the results. Medians over the
N files. Results: benchmarks/results/lsp.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.common import RESULTS, WORK, compile_bytecode, django_contracts, django_source, machine, table

EDIT = "\nfrom django.contrib.admin import sites  # archguard lsp benchmark\n"
SKIP_COMPONENTS = ("django/contrib/",)  # contrib is the top layer: importing admin there breaks nothing


def project() -> Path:
    """A fresh copy of Django with the archguard contract."""
    root = WORK / "lsp-django"
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    shutil.copytree(django_source() / "django", root / "django")
    django_contracts(root)
    for other in ("tach.toml", "deply.yaml", ".importlinter"):
        (root / other).unlink(missing_ok=True)
    return root


def pick_files(root: Path, count: int) -> list[str]:
    """``count`` different modules spread evenly over the tree (no __init__ or __main__, none in contrib)."""
    candidates = sorted(
        p.relative_to(root).as_posix()
        for p in (root / "django").rglob("*.py")
        if p.name not in ("__init__.py", "__main__.py") and not p.relative_to(root).as_posix().startswith(SKIP_COMPONENTS) and "/locale/" not in p.as_posix()
    )
    step = max(len(candidates) // count, 1)
    return candidates[::step][:count]


def check_once(root: Path) -> tuple[float, dict[str, int]]:
    """(seconds, findings per file) of one `archguard check --format json` process."""
    env = {**os.environ, "NO_COLOR": "1"}
    started = time.perf_counter()
    command = [sys.executable, "-m", "archguard", "check", "--format", "json", "-q"]
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"archguard check failed ({done.returncode}): {done.stderr}")
    counts: dict[str, int] = {}
    for finding in json.loads(done.stdout)["findings"]:
        if finding["path"]:
            counts[finding["path"]] = counts.get(finding["path"], 0) + 1
    return seconds, counts


async def lsp_edits(root: Path, files: list[str]) -> tuple[float, list[float], dict[str, int]]:
    """(seconds from initialize to the first diagnostics, seconds per edit, diagnostics per file)."""
    from lsprotocol import types
    from pytest_lsp import client_capabilities
    from pytest_lsp.client import make_test_lsp_client

    client = make_test_lsp_client()
    await client.start_io(sys.executable, "-m", "archguard", "lsp", cwd=str(root))
    started = time.perf_counter()
    await client.initialize_session(types.InitializeParams(capabilities=client_capabilities("neovim"), root_uri=root.as_uri()))

    async def published(uri: str) -> list[types.Diagnostic]:
        while uri not in client.diagnostics:
            await asyncio.sleep(0.0005)
        return list(client.diagnostics[uri])

    async def settled(uri: str) -> None:
        """Once the server answers a request sent now, it has handled (and published for)
        every notification sent before: nothing from them arrives later."""
        await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=types.Range(types.Position(0, 0), types.Position(0, 0)),
                context=types.CodeActionContext(diagnostics=[]),
            )
        )

    first = files[0]
    uri = (root / first).as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="python", version=1, text=(root / first).read_text(encoding="utf-8")))
    )
    await published(uri)
    startup = time.perf_counter() - started
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri=uri)))
    await settled(uri)
    latencies: list[float] = []
    counts: dict[str, int] = {}
    for relpath in files:
        uri = (root / relpath).as_uri()
        text = (root / relpath).read_text(encoding="utf-8")
        client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
        await settled(uri)
        client.diagnostics.clear()
        started = time.perf_counter()
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text + EDIT)],
            )
        )
        diagnostics = await published(uri)
        latencies.append(time.perf_counter() - started)
        counts[relpath] = len(diagnostics)
        client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri=uri)))
        await settled(uri)  # the close restores the file on disk: not part of the next edit
    await client.shutdown_session()
    await client.stop()
    return startup, latencies, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--files", type=int, default=20)
    parser.add_argument("--output", type=Path, default=RESULTS / "lsp.md")
    args = parser.parse_args()
    compile_bytecode()
    at_start = machine()
    root = project()
    files = pick_files(root, args.files)
    check_once(root)  # fills the facts cache, as an editor's project would have it
    startup, lsp_seconds, lsp_counts = asyncio.run(lsp_edits(root, files))
    check_seconds: list[float] = []
    mismatches: list[str] = []
    for relpath in files:
        path = root / relpath
        original = path.read_bytes()
        try:
            path.write_bytes(original + EDIT.encode())
            seconds, counts = check_once(root)
        finally:
            path.write_bytes(original)
        check_seconds.append(seconds)
        if counts.get(relpath, 0) != lsp_counts[relpath]:
            mismatches.append(f"- `{relpath}`: lsp published {lsp_counts[relpath]} diagnostics, check reported {counts.get(relpath, 0)} findings")
    rows = [
        [f"`{relpath}`", f"{lsp * 1000:.0f}", f"{check * 1000:.0f}", str(lsp_counts[relpath])]
        for relpath, lsp, check in zip(files, lsp_seconds, check_seconds, strict=True)
    ]
    lsp_median, check_median = statistics.median(lsp_seconds), statistics.median(check_seconds)
    text = [
        "# Diagnostics after an edit: `archguard lsp` against a full `archguard check`",
        "",
        f"Machine: {at_start}. Generated by `python -m benchmarks.lsp_latency`.",
        f"Django {len(list((root / 'django').rglob('*.py')))} files, the benchmarks' archguard contract (layers, forbidden, independence).",
        "",
        f"**Median over {len(files)} different files: lsp {lsp_median * 1000:.0f} ms (edit sent to diagnostics received, over stdio), "
        f"full check {check_median * 1000:.0f} ms (a new `archguard check` process, warm cache): {check_median / lsp_median:.1f}x.** "
        f"Target: under 100 ms. Slowest lsp edit: {max(lsp_seconds) * 1000:.0f} ms.",
        "",
        f"Server start (initialize to the first file's diagnostics, warm facts cache): {startup:.2f} s.",
        "",
        table(rows, ["file (edited: + an import of django.contrib.admin.sites)", "lsp ms", "check ms", "diagnostics in the file"]),
        "",
        "The edit is the same in both columns; the lsp column never writes the file (the editor's unsaved buffer), the",
        "check column writes it and restores it. Diagnostics published by the server and findings reported by the check",
        "for the edited file: " + ("the same count for every file." if not mismatches else "they differ:"),
        *mismatches,
        "",
        "An edit (`didChange`) re-reads the buffer, resolves its imports again (and those of the files that take names",
        "from a package re-exporting from it, when what it binds changed: an added import binds a name), updates the",
        "graph in place and runs every rule except the whole-tree search for copied code, which keeps its last findings",
        "until the file is saved or another is opened (the check column runs it). The server's first load is a normal",
        "check from the facts cache (the server-start line above).",
        "",
    ]
    args.output.write_text("\n".join(text), encoding="utf-8")
    print("\n".join(text))


if __name__ == "__main__":
    main()
