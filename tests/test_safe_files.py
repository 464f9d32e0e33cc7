"""The file primitives for an untrusted tree (archguard.base.safe_files) and the escaping of
tree-derived strings per output (archguard.report.escape)."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from archguard.base.safe_files import FileTooLarge, RefusedPath, make_folder, read_regular, resolve_inside, write_atomic
from archguard.report.escape import terminal, terminal_block, workflow_data, workflow_property


def test_a_regular_file_is_read_whole(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_bytes(b"import os\n")
    assert read_regular(tmp_path / "a.py", limit=100) == b"import os\n"


def test_a_fifo_is_refused_without_blocking_even_with_a_writer_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.py"
    os.mkfifo(fifo)
    with pytest.raises(RefusedPath, match="a FIFO, not a regular file; never opened"):
        read_regular(fifo, limit=100)
    done = threading.Event()

    def write() -> None:  # a writer that would block until someone opens the FIFO for reading
        try:
            descriptor = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            os.close(descriptor)
        except OSError:
            pass
        done.set()

    threading.Thread(target=write, daemon=True).start()
    assert done.wait(5)


def test_devices_are_refused_by_their_kind(tmp_path: Path) -> None:
    (tmp_path / "zero.py").symlink_to("/dev/zero")
    with pytest.raises(RefusedPath, match="a character device"):
        read_regular(tmp_path / "zero.py", limit=100)
    with pytest.raises(RefusedPath, match="a directory"):
        read_regular(tmp_path, limit=100)


def test_a_file_over_the_bound_is_refused_with_its_size(tmp_path: Path) -> None:
    (tmp_path / "big.py").write_bytes(b"x" * 1000)
    with pytest.raises(FileTooLarge) as refused:
        read_regular(tmp_path / "big.py", limit=999)
    assert refused.value.size == 1000 and "1,000 bytes > 999" in str(refused.value)
    assert read_regular(tmp_path / "big.py", limit=1000) == b"x" * 1000


def test_inside_follows_symlinks_then_refuses_what_leaves_the_folder(tmp_path: Path) -> None:
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    (outside / "secret.py").write_bytes(b"secret")
    (project / "real.py").write_bytes(b"mine")
    (project / "in.py").symlink_to(project / "real.py")
    (project / "out.py").symlink_to(outside / "secret.py")
    (project / "sub").symlink_to(outside)
    assert read_regular(project / "in.py", limit=10, inside=project) == b"mine"
    for path in (project / "out.py", project / "sub" / "secret.py"):
        with pytest.raises(RefusedPath, match="a symlink leads it outside"):
            read_regular(path, limit=10, inside=project)
    with pytest.raises(RefusedPath, match="a symlink"):
        read_regular(project / "in.py", limit=10, follow_symlinks=False)
    assert resolve_inside(project / "in.py", project) == str((project / "real.py").resolve())


def test_a_missing_file_is_file_not_found(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        read_regular(tmp_path / "nope.py", limit=10)
    (tmp_path / "dangling.py").symlink_to(tmp_path / "nope.py")
    with pytest.raises(FileNotFoundError):
        read_regular(tmp_path / "dangling.py", limit=10)


def test_an_atomic_write_replaces_a_symlink_and_leaves_its_target_alone(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious")
    (tmp_path / "report.json").symlink_to(victim)
    write_atomic(tmp_path / "report.json", b"{}")
    assert victim.read_text() == "precious"
    assert not (tmp_path / "report.json").is_symlink() and (tmp_path / "report.json").read_bytes() == b"{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json", "victim.txt"]  # no temporary file left


def test_an_atomic_write_keeps_the_mode_of_the_file_it_replaces(tmp_path: Path) -> None:
    (tmp_path / "tool.py").write_text("old")
    (tmp_path / "tool.py").chmod(0o751)
    write_atomic(tmp_path / "tool.py", b"new", keep_mode=True)
    assert (tmp_path / "tool.py").stat().st_mode & 0o777 == 0o751


def test_an_atomic_write_inside_a_folder_refuses_folders_that_leave_it(tmp_path: Path) -> None:
    project, outside = tmp_path / "project", tmp_path / "outside"
    project.mkdir()
    outside.mkdir()
    (project / "out").symlink_to(outside)
    for path in (project / "out" / "x.json", project / "out" / "new" / "deeper" / "x.json"):
        with pytest.raises(RefusedPath, match="a symlink leads it outside"):
            write_atomic(path, b"x", inside=project)
    assert list(outside.iterdir()) == []
    write_atomic(project / "reports" / "x.json", b"x", inside=project)  # a new folder inside is fine
    assert (project / "reports" / "x.json").read_bytes() == b"x"


def test_make_folder_creates_only_the_last_folder(tmp_path: Path) -> None:
    make_folder(tmp_path / "cache")
    assert (tmp_path / "cache").is_dir()
    with pytest.raises(FileNotFoundError, match="does not exist"):
        make_folder(tmp_path / "missing" / "deep" / "cache")
    assert not (tmp_path / "missing").exists()


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("shop/a.py", "shop/a.py"),
        ("x\n::error file=a.py::forged", "x\\n::error file=a.py::forged"),
        ("red\x1b[31m\x07", "red\\x1b[31m\\x07"),
        ("cr\rdel\x7fcsi\x9b", "cr\\rdel\\x7fcsi\\x9b"),
        ("bidi\u202eevil\u2066", "bidi\\u202eevil\\u2066"),
        ("line\u2028sep", "line\\u2028sep"),
        ("tab\tkept, unicode kept: é ✓ 中", "tab\tkept, unicode kept: é ✓ 中"),
    ],
)
def test_terminal_escaping_shows_every_control_character(raw: str, shown: str) -> None:
    assert terminal(raw) == shown


def test_a_multi_line_message_keeps_its_lines_but_none_starts_a_workflow_command() -> None:
    message = "checked nothing:\n  rule 'x' matches nothing\n::error file=a.py::forged\n  ##[error]also\x1b"
    assert terminal_block(message) == "checked nothing:\n  rule 'x' matches nothing\n\\::error file=a.py::forged\n  \\##[error]also\\x1b"


def test_workflow_command_escaping() -> None:
    assert workflow_data("50%\r\nnext\x07") == "50%25%0D%0Anext\\x07"
    assert workflow_property("a:b,c\nd") == "a%3Ab%2Cc%0Ad"
