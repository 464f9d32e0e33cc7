"""benchmarks/floor.py: the floor command that the targets benchmark times beside archguard."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from archguard.analysis.read.clones import _TOKEN
from benchmarks.floor import floor_of_file, python_files

REPO = Path(__file__).resolve().parent.parent


def test_a_file_is_parsed_tokenized_and_shingled(tmp_path: Path) -> None:
    source = "def f(a, b):\n    return a + b\n"
    path = tmp_path / "m.py"
    path.write_text(source, encoding="utf-8")
    # one 4-byte shingle per token of the raw stream
    assert floor_of_file(str(path)) == 4 * len(_TOKEN.findall(source))


def test_a_file_that_does_not_parse_costs_its_parse_only(tmp_path: Path) -> None:
    path = tmp_path / "broken.py"
    path.write_text("def f(:\n", encoding="utf-8")
    assert floor_of_file(str(path)) == 0


def test_the_command_reads_folders_and_files_and_writes_its_own_seconds(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("import os\n", encoding="utf-8")
    (package / "sub" / "a.py").write_text("x = 1\n", encoding="utf-8")
    (package / "notes.txt").write_text("not python\n", encoding="utf-8")
    single = tmp_path / "single.py"
    single.write_text("y = 2\n", encoding="utf-8")
    assert sorted(Path(name).name for name in python_files(package)) == ["__init__.py", "a.py"]
    seconds = tmp_path / "seconds"
    for jobs in ("1", "2"):
        completed = subprocess.run(
            [sys.executable, "-m", "benchmarks.floor", str(package), str(single), "--jobs", jobs, "--seconds-to", str(seconds)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert completed.returncode == 0, completed.stderr
        assert completed.stderr.startswith("3 files, "), completed.stderr
        assert 0 < float(seconds.read_text(encoding="utf-8")) < 60
