"""`archguard lsp` end to end: a real LSP client (pytest-lsp) drives the server over stdio."""

from __future__ import annotations

import asyncio
import os
import sys
import textwrap
import time
from pathlib import Path

import pytest
from lsprotocol import types
from pytest_lsp import LanguageClient, client_capabilities
from pytest_lsp.client import make_test_lsp_client

from tests.git_helpers import init_repo
from tests.helpers import REPO, make_project

CONTRACT = """
[project]
roots = ["src"]

[components]
web     = { modules = ["shop.web"] }
billing = { modules = ["shop.billing"], public = ["shop.billing.api"] }
shop    = { modules = ["shop:*"] }

[[rules]]
kind = "boundaries"
name = "service boundaries"
components = ["billing"]

[[rules]]
kind = "layers"
name = "web over billing"
layers = ["web", "billing"]
"""

FILES: dict[str, str | bytes] = {
    "src/shop/__init__.py": "",
    "src/shop/billing/__init__.py": "",
    "src/shop/billing/internal/__init__.py": "",
    "src/shop/billing/internal/invoices.py": "class Invoice: ...\n",
    "src/shop/billing/api.py": "from shop.billing.internal.invoices import Invoice\n\n__all__ = ['Invoice']\n",
    "src/shop/web/__init__.py": "",
    "src/shop/web/views.py": "from shop.billing.api import Invoice\n\nx = Invoice()\n",
}

TIMEOUT = 60.0  # seconds for any one answer from the server (a slow shared machine)


class Session:
    """A started client, with helpers that wait for the server to have handled what was sent."""

    def __init__(self, client: LanguageClient, root: Path) -> None:
        self.client = client
        self.root = root
        self.versions: dict[str, int] = {}

    def uri(self, relpath: str) -> str:
        return (self.root / relpath).as_uri()

    async def settled(self) -> None:
        """Return once the server handled every notification sent before: it answers requests
        in order, so the diagnostics those notifications published have arrived by then."""
        await asyncio.wait_for(
            self.client.text_document_code_action_async(
                types.CodeActionParams(
                    text_document=types.TextDocumentIdentifier(uri=self.uri("src/shop/__init__.py")),
                    range=types.Range(types.Position(0, 0), types.Position(0, 0)),
                    context=types.CodeActionContext(diagnostics=[]),
                )
            ),
            TIMEOUT,
        )

    async def open(self, relpath: str) -> None:
        text = (self.root / relpath).read_text(encoding="utf-8")
        self.versions[relpath] = 1
        self.client.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=self.uri(relpath), language_id="python", version=1, text=text))
        )
        await self.settled()

    async def change(self, relpath: str, text: str) -> None:
        """Replace the buffer's whole text (unsaved)."""
        self.versions[relpath] += 1
        self.client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=self.uri(relpath), version=self.versions[relpath]),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
            )
        )
        await self.settled()

    def diagnostics(self, relpath: str) -> list[types.Diagnostic]:
        return list(self.client.diagnostics.get(self.uri(relpath), []))


async def start(root: Path, initialization_options: dict[str, str] | None = None) -> Session:
    client = make_test_lsp_client()
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    await client.start_io(sys.executable, "-m", "archguard", "lsp", cwd=str(root), env=env)
    await asyncio.wait_for(
        client.initialize_session(
            types.InitializeParams(
                capabilities=client_capabilities("visual-studio-code"),
                root_uri=root.as_uri(),
                initialization_options=initialization_options,
            )
        ),
        TIMEOUT,
    )
    session = Session(client, root)
    await session.settled()
    return session


def children_of(pid: int) -> set[int]:
    """Every live descendant of a process (Linux /proc)."""
    found: set[int] = set()
    todo = [pid]
    while todo:
        current = todo.pop()
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                kids = (task / "children").read_text().split()
            except OSError:
                continue
            for kid in map(int, kids):
                if kid not in found:
                    found.add(kid)
                    todo.append(kid)
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


async def stop(session: Session) -> tuple[int | None, set[int]]:
    """Shut the server down; (its exit code, the descendants it had that are still alive)."""
    server = session.client._server
    assert server is not None
    descendants = children_of(server.pid)
    await asyncio.wait_for(session.client.shutdown_session(), TIMEOUT)
    await session.client.stop()
    deadline = time.monotonic() + 10
    while any(alive(pid) for pid in descendants) and time.monotonic() < deadline:
        await asyncio.sleep(0.05)
    return server.returncode, {pid for pid in descendants if alive(pid)}


def project(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project", dict(FILES), CONTRACT)


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc to find the server's processes")
def test_an_upward_import_typed_in_a_buffer_is_reported_at_its_range_with_rule_and_remedy(tmp_path: Path) -> None:
    root = project(tmp_path)
    path = "src/shop/billing/internal/invoices.py"

    async def scenario() -> None:
        session = await start(root)
        await session.open(path)
        assert session.diagnostics(path) == []
        await session.change(path, "import os\nfrom shop.web import views  # upward\n\nclass Invoice: ...\n")
        (found,) = session.diagnostics(path)
        assert found.code == "layers"
        assert found.source == "archguard"
        assert found.severity == types.DiagnosticSeverity.Error
        assert found.range == types.Range(types.Position(1, 0), types.Position(1, len("from shop.web import views  # upward")))
        assert "web over billing" in found.message
        assert "shop.billing.internal.invoices" in found.message and "shop.web" in found.message
        assert "\nremedy: " in found.message
        assert isinstance(found.data, dict) and found.data["remedy"]["action"]
        # The file on disk was never written: the diagnostic comes from the unsaved buffer.
        assert "shop.web" not in (root / path).read_text()
        await session.change(path, "class Invoice: ...\n")
        assert session.diagnostics(path) == []
        code, left = await stop(session)
        assert code == 0
        assert left == set()

    asyncio.run(scenario())


INDIRECT = """
[project]
roots = ["src"]

[components]
web  = { modules = ["shop.web"] }
mid  = { modules = ["shop.mid"] }
core = { modules = ["shop.core"] }
shop = { modules = ["shop:*"] }

[[rules]]
kind = "forbidden"
name = "web never reaches core"
from = ["web"]
to = ["core"]
"""


def test_an_indirect_violation_carries_its_chain_as_related_information(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "src/shop/__init__.py": "",
        "src/shop/web/__init__.py": "",
        "src/shop/web/views.py": "x = 1\n",
        "src/shop/mid/__init__.py": "",
        "src/shop/mid/service.py": "import os\nfrom shop.core import db\n",
        "src/shop/core/__init__.py": "",
        "src/shop/core/db.py": "y = 2\n",
    }
    root = make_project(tmp_path / "project", files, INDIRECT)
    path = "src/shop/web/views.py"

    async def scenario() -> None:
        session = await start(root)
        await session.open(path)
        await session.change(path, "from shop.mid import service\n")
        (found,) = session.diagnostics(path)
        assert found.code == "forbidden"
        assert found.related_information is not None
        hops = [(info.location.uri, info.location.range.start.line, info.message) for info in found.related_information]
        assert hops == [
            (session.uri(path), 0, "shop.web.views imports shop.mid.service: from shop.mid import service"),
            (session.uri("src/shop/mid/service.py"), 1, "shop.mid.service imports shop.core.db: from shop.core import db"),
        ]
        await stop(session)

    asyncio.run(scenario())


def test_the_code_action_applies_the_public_import_and_the_diagnostic_goes_away(tmp_path: Path) -> None:
    root = project(tmp_path)
    path = "src/shop/web/views.py"
    internal = "# views\nfrom shop.billing.internal.invoices import Invoice\n\nx = Invoice()\n"

    async def scenario() -> None:
        session = await start(root)
        await session.open(path)
        await session.change(path, internal)
        (found,) = session.diagnostics(path)
        assert found.code == "boundaries"
        assert found.range.start == types.Position(1, 0)
        actions = await asyncio.wait_for(
            session.client.text_document_code_action_async(
                types.CodeActionParams(
                    text_document=types.TextDocumentIdentifier(uri=session.uri(path)),
                    range=found.range,
                    context=types.CodeActionContext(diagnostics=[found]),
                )
            ),
            TIMEOUT,
        )
        assert actions is not None
        (action,) = actions
        assert isinstance(action, types.CodeAction)
        assert action.kind == types.CodeActionKind.QuickFix
        assert action.edit is not None and action.edit.changes is not None
        (edit,) = action.edit.changes[session.uri(path)]
        assert edit.new_text == "from shop.billing.api import Invoice"
        lines = internal.splitlines(keepends=True)
        line = lines[edit.range.start.line]
        lines[edit.range.start.line] = line[: edit.range.start.character] + edit.new_text + line[edit.range.end.character :]
        fixed = "".join(lines)
        assert fixed == internal.replace("shop.billing.internal.invoices", "shop.billing.api")
        await session.change(path, fixed)
        assert session.diagnostics(path) == []
        await stop(session)

    asyncio.run(scenario())


def test_saving_a_changed_contract_reloads_it_and_updates_the_diagnostics(tmp_path: Path) -> None:
    root = project(tmp_path)
    path = "src/shop/billing/internal/invoices.py"

    async def scenario() -> None:
        session = await start(root)
        await session.open(path)
        await session.change(path, "from shop.web import views\n")
        assert [d.code for d in session.diagnostics(path)] == ["layers"]
        # The layering is turned around: billing over web. The upward import is now allowed.
        (root / "archguard.toml").write_text(textwrap.dedent(CONTRACT).replace('["web", "billing"]', '["billing", "web"]'), encoding="utf-8")
        session.client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri=session.uri("archguard.toml"))))
        await session.settled()
        assert session.diagnostics(path) == []
        # ...and a watched change (an agent or git writing it) reloads it too.
        (root / "archguard.toml").write_text(textwrap.dedent(CONTRACT), encoding="utf-8")
        session.client.workspace_did_change_watched_files(
            types.DidChangeWatchedFilesParams([types.FileEvent(uri=session.uri("archguard.toml"), type=types.FileChangeType.Changed)])
        )
        await session.settled()
        assert [d.code for d in session.diagnostics(path)] == ["layers"]
        await stop(session)

    asyncio.run(scenario())


def test_a_broken_contract_is_reported_and_the_server_recovers_when_it_is_fixed(tmp_path: Path) -> None:
    root = project(tmp_path)
    path = "src/shop/billing/internal/invoices.py"

    async def scenario() -> None:
        session = await start(root)
        await session.open(path)
        await session.change(path, "from shop.web import views\n")
        (root / "archguard.toml").write_text("[components\n", encoding="utf-8")
        session.client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri=session.uri("archguard.toml"))))
        await session.settled()
        assert any("archguard.toml" in m.message for m in session.client.messages)
        assert session.diagnostics(path) == []
        (root / "archguard.toml").write_text(textwrap.dedent(CONTRACT), encoding="utf-8")
        session.client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri=session.uri("archguard.toml"))))
        await session.settled()
        assert [d.code for d in session.diagnostics(path)] == ["layers"]
        await stop(session)

    asyncio.run(scenario())


def test_a_syntax_error_mid_typing_gives_one_parse_diagnostic_and_no_crash(tmp_path: Path) -> None:
    root = project(tmp_path)
    path = "src/shop/web/views.py"

    async def scenario() -> None:
        session = await start(root)
        await session.open(path)
        await session.change(path, "from shop.billing.api import (\n\nx = Invoice()\n")
        (found,) = session.diagnostics(path)
        assert found.code == "parse-error"
        assert found.range.start.line in (0, 1, 2)
        await session.change(path, "from shop.billing.internal.invoices import Invoice\n")
        assert [d.code for d in session.diagnostics(path)] == ["boundaries"]
        code, left = await stop(session)
        assert code == 0
        assert left == set()

    asyncio.run(scenario())


def test_gate_mode_shows_only_what_the_working_tree_adds_against_the_base(tmp_path: Path) -> None:
    files = {**FILES, "src/shop/billing/legacy.py": "from shop.web import views  # old debt\n"}
    root = init_repo(tmp_path / "project", files, CONTRACT)
    legacy, fresh = "src/shop/billing/legacy.py", "src/shop/billing/internal/invoices.py"

    async def scenario() -> None:
        session = await start(root, {"base": "HEAD"})
        await session.open(legacy)
        await session.open(fresh)
        assert session.diagnostics(legacy) == []  # the base has it already
        await session.change(fresh, "from shop.web import views\n\nclass Invoice: ...\n")
        assert [d.code for d in session.diagnostics(fresh)] == ["layers"]
        assert session.diagnostics(legacy) == []
        await stop(session)

    asyncio.run(scenario())

    async def whole_tree() -> None:
        session = await start(root)
        await session.open(legacy)
        assert [d.code for d in session.diagnostics(legacy)] == ["layers"]
        await stop(session)

    asyncio.run(whole_tree())


def test_an_import_linter_configuration_is_checked_too(tmp_path: Path) -> None:
    root = tmp_path / "project"
    make_project(root, dict(FILES), CONTRACT)
    (root / "archguard.toml").unlink()
    (root / ".importlinter").write_text(
        "[importlinter]\nroot_package = shop\n\n"
        "[importlinter:contract:layers]\nname = web over billing\ntype = layers\nlayers =\n    shop.web\n    shop.billing\n",
        encoding="utf-8",
    )
    path = "src/shop/billing/internal/invoices.py"

    async def scenario() -> None:
        session = await start(root)
        await session.open(path)
        await session.change(path, "from shop.web import views\n")
        diagnostics = session.diagnostics(path)
        assert len(diagnostics) == 1
        assert "web over billing" in diagnostics[0].message
        await session.change(path, "class Invoice: ...\n")
        assert session.diagnostics(path) == []
        await stop(session)

    asyncio.run(scenario())
