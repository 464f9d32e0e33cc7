"""The language server: pygls over stdio, answering from a :class:`Workspace`.

- ``initialize``: the workspace root (``rootUri`` or the first workspace folder) and the
  initialization options ``{"config": "path/to/archguard.toml", "base": "main"}`` (both
  optional; ``base`` turns on gate mode). The analysis is loaded on ``initialized``.
- ``textDocument/didOpen``/``didChange``/``didSave``: the buffer's text replaces the file's
  in the analysis; diagnostics are published for every open document. While the user types
  (``didChange``) the whole-tree search for copied code keeps its last findings; open and
  save run it again.
- ``textDocument/didClose``: the file on disk counts again; its diagnostics are cleared.
- A save of (or a watched change to) the contract, the import-linter configuration or the
  baseline reloads the workspace; a watched change to a Python file that no buffer holds
  re-reads it from disk.
- ``textDocument/codeAction``: a quick fix for each diagnostic whose finding has a
  mechanical edit.

A contract that cannot be loaded is reported once as a message (and as a diagnostic on the
contract when it is open); the server keeps running and tries again on the next save.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from archguard import __version__
from archguard.lsp.diagnostics import SOURCE, code_actions, diagnostics_for
from archguard.lsp.workspace import Settings, Workspace


class ArchguardServer(LanguageServer):
    """pygls's server with one archguard workspace."""

    def __init__(self, start: Path, settings: Settings) -> None:
        super().__init__("archguard", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.start = start
        self.settings = settings
        self.project: Workspace | None = None
        self.open: set[str] = set()  # uris of open documents
        self.shown_error: str | None = None

    # -- helpers ---------------------------------------------------------------------------------

    @property
    def encoding(self) -> str:
        return str(self.workspace.position_encoding or types.PositionEncodingKind.Utf16)

    def path_of(self, uri: str) -> Path | None:
        path = to_fs_path(uri)
        return Path(path) if path else None

    def relpath_of(self, uri: str) -> str | None:
        path = self.path_of(uri)
        if path is None or self.project is None:
            return None
        return self.project.relpath(path)

    def text_of(self, uri: str) -> str:
        return self.workspace.get_text_document(uri).source

    def load(self) -> None:
        project = self.project
        if project is None:
            return
        project.load()
        if project.error is not None:
            message = f"archguard: {project.error}"
            if message != self.shown_error:
                self.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=message))
            self.shown_error = message
        else:
            self.shown_error = None

    def publish(self) -> None:
        """Diagnostics for every open document, from the current findings."""
        project = self.project
        if project is None:
            return
        findings = project.findings()
        root = project.root
        for uri in sorted(self.open):
            items: list[types.Diagnostic] = []
            path = self.path_of(uri)
            if root is not None and path is not None:
                relpath = project.relpath(path)
                if relpath is not None:
                    items = diagnostics_for(relpath, findings, self.text_of(uri), root, self.encoding)
            elif project.error is not None and path is not None and project.error.file and self._is_error_file(path, project.error.file):
                items = [self._error_diagnostic(project.error.line or 1, str(project.error))]
            self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=items))

    @staticmethod
    def _is_error_file(path: Path, shown: str) -> bool:
        try:
            return path.resolve() == Path(shown).resolve()
        except OSError:
            return False

    @staticmethod
    def _error_diagnostic(line: int, message: str) -> types.Diagnostic:
        position = types.Position(max(line - 1, 0), 0)
        return types.Diagnostic(
            range=types.Range(position, types.Position(position.line, 1000)),
            message=message,
            severity=types.DiagnosticSeverity.Error,
            source=SOURCE,
            code="contract",
        )

    def buffer_changed(self, uri: str, typing: bool = False) -> None:
        """The editor's text of ``uri`` changed (``typing``), was opened or saved: lay it over
        the analysis (see :meth:`Workspace.set_buffer` for ``typing``)."""
        project = self.project
        path = self.path_of(uri)
        if project is None or path is None or path.suffix not in (".py", ".pyi"):
            return
        relpath = project.relpath(path)
        if relpath is not None:
            project.set_buffer(relpath, self.text_of(uri).encode("utf-8"), typing=typing)

    def configuration_saved(self, path: Path) -> bool:
        project = self.project
        if project is not None and project.is_configuration(path):
            self.load()
            return True
        return False


def make_server(start: Path, settings: Settings | None = None) -> ArchguardServer:
    server = ArchguardServer(start, settings or Settings())

    @server.feature(types.INITIALIZE)
    def initialize(ls: ArchguardServer, params: types.InitializeParams) -> None:
        root = _root_of(params)
        if root is not None:
            ls.start = root
        options: Any = params.initialization_options
        settings = ls.settings
        if isinstance(options, dict):
            if isinstance(options.get("base"), str) and options["base"]:
                settings = replace(settings, base=options["base"])
            if isinstance(options.get("config"), str) and options["config"]:
                config = Path(options["config"])
                settings = replace(settings, config=config if config.is_absolute() else ls.start / config)
        ls.settings = settings
        ls.project = Workspace(ls.start, settings)

    @server.feature(types.INITIALIZED)
    def initialized(ls: ArchguardServer, params: types.InitializedParams) -> None:
        ls.load()
        capabilities = ls.client_capabilities.workspace
        watched = capabilities.did_change_watched_files if capabilities is not None else None
        if watched is not None and watched.dynamic_registration:
            globs = ["**/*.py", "**/archguard.toml", "**/.archguard.toml", "**/.importlinter", "**/setup.cfg", "**/pyproject.toml", "**/tox.ini"]
            if ls.project is not None and ls.project.loaded is not None:
                globs.append(f"**/{Path(ls.project.loaded.contract.project.baseline).name}")
            registration = types.Registration(
                id="archguard-watched-files",
                method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=[types.FileSystemWatcher(glob_pattern=g) for g in globs]),
            )
            ls.client_register_capability(types.RegistrationParams(registrations=[registration]))
        ls.publish()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: ArchguardServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.open.add(params.text_document.uri)
        ls.buffer_changed(params.text_document.uri)
        ls.publish()

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: ArchguardServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.buffer_changed(params.text_document.uri, typing=True)
        ls.publish()

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: ArchguardServer, params: types.DidSaveTextDocumentParams) -> None:
        path = ls.path_of(params.text_document.uri)
        if path is not None and ls.configuration_saved(path):
            ls.publish()
            return
        ls.buffer_changed(params.text_document.uri)
        ls.publish()

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: ArchguardServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.open.discard(uri)
        relpath = ls.relpath_of(uri)
        if ls.project is not None and relpath is not None:
            ls.project.set_buffer(relpath, None)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        ls.publish()

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def watched(ls: ArchguardServer, params: types.DidChangeWatchedFilesParams) -> None:
        project = ls.project
        if project is None:
            return
        reload = False
        for change in params.changes:
            path = ls.path_of(change.uri)
            if path is None:
                continue
            if project.is_configuration(path):
                reload = True
            elif path.suffix in (".py", ".pyi") and change.uri not in ls.open:
                relpath = project.relpath(path)
                if relpath is not None:
                    project.file_changed(relpath)
        if reload:
            ls.load()
        ls.publish()

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]))
    def code_action(ls: ArchguardServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        return code_actions(uri, ls.text_of(uri), params.context.diagnostics, ls.encoding)

    return server


def _root_of(params: types.InitializeParams) -> Path | None:
    if params.workspace_folders:
        path = to_fs_path(params.workspace_folders[0].uri)
        if path:
            return Path(path)
    if params.root_uri:
        path = to_fs_path(params.root_uri)
        if path:
            return Path(path)
    if params.root_path:
        return Path(params.root_path)
    return None


def serve(start: Path, settings: Settings | None = None) -> None:
    """Run the language server on stdin/stdout until the client says exit."""
    make_server(start, settings).start_io()
