"""The floor of a run that searches for copies: the work no pure-Python implementation of the
design can skip, as one whole command, timed like archguard's (``benchmarks.targets``).

    python -m benchmarks.floor PATH... [--jobs 2]

What it does to every ``*.py`` file under each PATH (a folder, or a file), in ``--jobs`` processes (forked, the cheapest
way Python has to start them), and nothing else:

- CPython's parse of the whole file (``ast.parse``): DESIGN section 8 asks for every syntax
  error as a ``parse-error`` finding, and the code units of the copies search are its
  statements;
- the file's tokens, by archguard's regular expression (C; Python's ``tokenize`` is pure
  Python and slower);
- the shingles of the raw token stream (CRC-32 of each run of four tokens), by archguard's
  :func:`~archguard.analysis.read.clones.shingle_bytes`, which runs no Python code per token
  (C-level maps and joins only).

It normalises nothing, reads no import, hashes no unit and searches nothing: every Python-level
step per token or per unit of a real run (archguard's tokenizer loop, the unit fingerprints,
the near-miss search, the reports) comes on top. A target whose ratio this command already
misses cannot be met by any pure-Python implementation that parses and shingles every file;
it needs a compiled tokenizer and search.
"""

from __future__ import annotations

import argparse
import ast
import os
import sys
import time
from multiprocessing import get_context
from pathlib import Path

from archguard.analysis.read.clones import _TOKEN, NEWLINE, shingle_bytes


def floor_of_file(path: str) -> int:
    """Parse, tokenize and shingle one file; the number of shingles (so nothing is optimised away)."""
    with open(path, "rb") as handle:
        data = handle.read()
    try:
        ast.parse(data)
    except (SyntaxError, ValueError):
        return 0
    text = data.decode("utf-8", "replace")
    tokens = _TOKEN.findall(text)
    # A line end's token holds "\n" (and the next line's indentation), which the shingles
    # cannot (they are joined by line ends): the line ends become markers, at C speed.
    tokens = "\x00".join(tokens).replace("\r", NEWLINE).replace("\n", NEWLINE).split("\x00") if tokens else []
    return len(shingle_bytes(tokens))


def python_files(folder: Path) -> list[str]:
    """The ``*.py`` files under a folder, as a discovery that checks nothing would list them."""
    found: list[str] = []
    for directory, _folders, names in os.walk(folder):
        found.extend(os.path.join(directory, name) for name in names if name.endswith(".py"))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", type=Path, nargs="+")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--seconds-to", type=Path, help="write the seconds of the work alone (no interpreter start, no import) to this file")
    args = parser.parse_args()
    started = time.perf_counter()
    files = [name for path in args.paths for name in (python_files(path) if path.is_dir() else [str(path)])]
    # big files first, in small batches, as archguard's pool does
    files.sort(key=lambda name: -os.stat(name).st_size)
    if args.jobs <= 1:
        total = sum(map(floor_of_file, files))
    else:
        with get_context("fork").Pool(args.jobs) as pool:
            total = sum(pool.imap_unordered(floor_of_file, files, chunksize=max(1, len(files) // (args.jobs * 8))))
    elapsed = time.perf_counter() - started
    if args.seconds_to:
        args.seconds_to.write_text(f"{elapsed}\n", encoding="utf-8")
    print(f"{len(files)} files, {total} shingles in {elapsed:.3f} s", file=sys.stderr)


if __name__ == "__main__":
    main()
