"""`archguard check --watch`: real file writes in tmp_path, a real process, bounded waits."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from tests.git_helpers import init_repo
from tests.helpers import REPO, make_project, run_cli
from tests.test_lsp import CONTRACT, FILES

WAIT = 60.0  # seconds at most for any one expected line (a slow shared machine)
UPWARD = "src/shop/billing/internal/invoices.py"


class Watcher:
    """`archguard check --watch ARGS` in a subprocess, its output read line by line."""

    def __init__(self, root: Path, *args: str) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO), "NO_COLOR": "1", "ARCHGUARD_NO_REPLAY": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "archguard", "check", "--watch", *args],
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[tuple[str, str]] = queue.Queue()
        self.seen: list[tuple[str, str]] = []
        assert self.process.stdout is not None and self.process.stderr is not None
        for name, stream in (("out", self.process.stdout), ("err", self.process.stderr)):
            threading.Thread(target=self._pump, args=(name, stream), daemon=True).start()

    def _pump(self, name: str, stream: IO[str]) -> None:
        for line in stream:
            self.lines.put((name, line.rstrip("\n")))

    def wait_for(self, predicate: Callable[[str, str], bool], what: str) -> str:
        """The first line (from now on) for which ``predicate(stream, line)`` holds."""
        deadline = time.monotonic() + WAIT
        while time.monotonic() < deadline:
            try:
                stream, line = self.lines.get(timeout=0.1)
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    break
                continue
            self.seen.append((stream, line))
            if predicate(stream, line):
                return line
        raise AssertionError(f"no line {what} within {WAIT} s; saw: {self.seen}")

    def out(self, text: str) -> str:
        return self.wait_for(lambda stream, line: stream == "out" and text in line, f"with {text!r} on stdout")

    def ready(self) -> None:
        self.wait_for(lambda stream, line: stream == "err" and "watching" in line, "saying it watches")

    def stop(self, signum: int = signal.SIGINT) -> int:
        """Ctrl-C (or another signal), then the exit code (bounded wait)."""
        self.process.send_signal(signum)
        try:
            return self.process.wait(timeout=WAIT)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


def write(root: Path, relpath: str, text: str) -> None:
    (root / relpath).write_text(text, encoding="utf-8")


def test_each_save_prints_the_new_and_the_resolved_findings_and_ctrl_c_exits_0(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project", dict(FILES), CONTRACT)
    watcher = Watcher(root)
    try:
        watcher.out("no errors")  # the first check prints its whole report
        watcher.ready()
        write(root, UPWARD, "from shop.web import views\n\nclass Invoice: ...\n")
        assert watcher.out("1 new, 0 resolved") == "archguard: 1 new, 0 resolved (now 1 error)"
        added = watcher.out("+ ")
        assert added.startswith(f"  + {UPWARD}:1:1 error layers · web over billing: ")
        assert watcher.out("remedy:").strip().startswith("remedy: ")
        write(root, UPWARD, "class Invoice: ...\n")
        assert watcher.out("resolved") == "archguard: 0 new, 1 resolved (now 0 errors)"
        assert watcher.out("- ").startswith(f"  - {UPWARD}:1:1 layers · web over billing: ")
        assert watcher.stop() == 0
        watcher.wait_for(lambda stream, line: stream == "err" and line == "archguard: stopped watching", "saying it stopped")
    finally:
        watcher.close()


def test_the_agent_format_with_diff_keeps_gating_against_the_base(tmp_path: Path) -> None:
    files = {**FILES, "src/shop/billing/legacy.py": "from shop.web import views  # old debt\n"}
    root = init_repo(tmp_path / "project", files, CONTRACT)
    watcher = Watcher(root, "--diff", "HEAD", "--format", "agent")
    try:
        watcher.out("nothing to fix")  # the legacy import is in the base: not this change's doing
        watcher.ready()
        write(root, "src/shop/web/views.py", "from shop.billing.internal.invoices import Invoice\n\nx = Invoice()\n")
        watcher.out("your last edit added 1 finding")
        item = watcher.out("1. ")
        internal, public = "from shop.billing.internal.invoices import Invoice", "from shop.billing.api import Invoice"
        assert item.startswith(f"1. In src/shop/web/views.py:1 replace `{internal}` with `{public}`")
        assert "legacy" not in " ".join(line for _, line in watcher.seen)
        write(root, "src/shop/web/views.py", "from shop.billing.api import Invoice\n\nx = Invoice()\n")
        assert watcher.out("Resolved since the last check") == "Resolved since the last check: 1 finding (src/shop/web/views.py:1:1)."
        assert watcher.stop() == 0
    finally:
        watcher.close()


def test_a_broken_contract_while_watching_is_reported_and_the_watch_goes_on(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project", dict(FILES), CONTRACT)
    watcher = Watcher(root)
    try:
        watcher.ready()
        (root / "archguard.toml").write_text("[components\n", encoding="utf-8")
        watcher.wait_for(lambda stream, line: stream == "err" and line.startswith("archguard: error: ") and "archguard.toml" in line, "with the contract error")
        (root / "archguard.toml").write_text(CONTRACT, encoding="utf-8")
        write(root, UPWARD, "from shop.web import views\n")
        watcher.out("1 new, 0 resolved")
        assert watcher.stop(signal.SIGTERM) == 0  # an agent ending its background process
        watcher.wait_for(lambda stream, line: stream == "err" and line == "archguard: stopped watching", "saying it stopped")
    finally:
        watcher.close()


def test_watch_refuses_formats_it_cannot_print_as_changes(tmp_path: Path) -> None:
    root = make_project(tmp_path / "project", dict(FILES), CONTRACT)
    result = run_cli("check", "--watch", "--format", "json", cwd=root)
    assert result.returncode == 2
    assert "--watch prints the text or agent format" in result.stderr
    result = run_cli("check", "--watch", "-o", "sarif=out.sarif", cwd=root)
    assert result.returncode == 2
    assert "--output cannot be combined" in result.stderr
