"""Differential run of the two readers over whole code bases: Django, SQLAlchemy's lib/, the stdlib.

    python -m benchmarks.readers [--trees django,sqlalchemy,stdlib] [--jobs 2] [--elision]

Every file is read by the fast reader (CPython's ``ast``) and by the reference reader (libcst
alone, positions from its PositionProvider, clone units from its tree); their FileFacts
(imports with positions and flags, names, ``__all__``, pragmas, clone fingerprints) must be
equal. Files that libcst's parser cannot read at all (valid Python it rejects, or nesting that
exhausts its recursion) are counted apart: there is nothing to compare them with. Writes the
counts and every differing file to benchmarks/results/readers.md (the test suite runs the same
comparison on a sample: tests/test_readers_agree.py).

``--elision`` (seconds, not an hour): with copies off the fast reader leaves the bodies that
cannot hold a fact unparsed (archguard.analysis.read.elide); each file's facts read that way
must equal its facts from the whole tree (the fast reader with clone fingerprints on, which
parses every file whole, minus the fingerprints). Writes benchmarks/results/readers-elision.md
with the count of files compared, identical, differing, and how many had bodies left unparsed.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sysconfig
import time
from pathlib import Path

from benchmarks.common import RESULTS, django_source, machine, table
from benchmarks.targets import sqlalchemy_source


def compare(path: str) -> tuple[str, str, str]:
    """(path, verdict, detail): verdict "same", "differ" or "reference cannot read"."""
    from archguard.analysis.read import extract_facts, reference_facts

    data = Path(path).read_bytes()
    fast, reference = extract_facts(data), reference_facts(data)
    if fast == reference:
        return path, "same", ""
    if reference.problem is not None and fast.problem is None:
        return path, "reference cannot read", reference.problem.message[:160]
    names = ("imports", "pragmas", "problem", "line_count", "defined_names", "all_names", "extra")
    fields = [name for name in names if getattr(fast, name) != getattr(reference, name)]
    return path, "differ", ", ".join(fields)


def compare_elision(path: str) -> tuple[str, str, int]:
    """(path, verdict, bodies left unparsed): verdict "same" or "differ: fields"."""
    import dataclasses

    from archguard.analysis.read import extract_facts
    from archguard.analysis.read.elide import elide
    from archguard.analysis.read.source import decode_source

    data = Path(path).read_bytes()
    lean, whole = extract_facts(data, clones=False), dataclasses.replace(extract_facts(data, clones=True), extra=())
    elision = elide(decode_source(data))
    stood_in = len(elision.stand_ins) if elision is not None else 0
    if lean == whole:
        return path, "same", stood_in
    names = ("imports", "pragmas", "problem", "line_count", "defined_names", "all_names")
    return path, "differ: " + ", ".join(name for name in names if getattr(lean, name) != getattr(whole, name)), stood_in


def elision_main(trees: list[str], jobs: int, output: Path) -> None:
    rows, notes = [], []
    for name in trees:
        base, files = tree_files(name)
        with multiprocessing.get_context("forkserver").Pool(jobs) as pool:
            verdicts = pool.map(compare_elision, [str(p) for p in files], chunksize=8)
        same = sum(1 for _, verdict, _ in verdicts if verdict == "same")
        elided = sum(1 for _, _, stood_in in verdicts if stood_in)
        bodies = sum(stood_in for _, _, stood_in in verdicts)
        rows.append([name, str(len(files)), str(same), str(len(files) - same), str(elided), f"{bodies:,}"])
        notes += [f"- {name}: `{Path(p).relative_to(base).as_posix()}`: {verdict}" for p, verdict, _ in verdicts if verdict != "same"]
        print(rows[-1], flush=True)
    legend = [
        "*identical facts*: the fast reader with copies off (bodies that cannot hold a fact replaced by a one-line",
        "stand-in before parsing, archguard.analysis.read.elide) and the fast reader parsing the whole file give equal",
        "FileFacts (imports with positions and flags, module-level names, `__all__`, pragmas, problems). The whole-tree",
        "reader is itself held to libcst by `python -m benchmarks.readers` (readers.md).",
    ]
    headers = ["tree", "files compared", "identical facts", "differing", "files with bodies left unparsed", "bodies left unparsed"]
    write_report(output, "Bodies left unparsed, compared with the whole tree", "--elision", table(rows, headers), legend, notes)


def write_report(output: Path, title: str, flags: str, counts: str, legend: list[str], notes: list[str]) -> None:
    """The results page: title, machine, the counts, what they mean, and every file that differs."""
    command = f"python -m benchmarks.readers {flags}".strip()
    notes = notes or ["Every file gave identical facts."]
    lines = ["# " + title, "", f"Machine: {machine()}. Generated by `{command}`.", "", counts, "", *legend, "", *notes, ""]
    text = "\n".join(lines)
    output.write_text(text, encoding="utf-8")
    print(text)


def tree_files(name: str) -> tuple[Path, list[Path]]:
    if name == "django":
        base = django_source()
        return base, sorted((base / "django").rglob("*.py"))
    if name == "sqlalchemy":
        base = sqlalchemy_source()
        return base, sorted((base / "lib" / "sqlalchemy").rglob("*.py"))
    base = Path(sysconfig.get_paths()["stdlib"])
    return base, sorted(p for p in base.rglob("*.py") if "site-packages" not in p.parts)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trees", default="django,sqlalchemy,stdlib")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--output", type=Path)
    parser.add_argument("--elision", action="store_true", help="compare bodies left unparsed with the whole tree (fast)")
    args = parser.parse_args()
    if args.elision:
        elision_main(args.trees.split(","), args.jobs, args.output or RESULTS / "readers-elision.md")
        return
    args.output = args.output or RESULTS / "readers.md"
    rows = []
    notes = []
    for name in args.trees.split(","):
        base, files = tree_files(name)
        started = time.perf_counter()
        with multiprocessing.get_context("forkserver").Pool(args.jobs) as pool:
            verdicts = pool.map(compare, [str(p) for p in files], chunksize=4)
        seconds = time.perf_counter() - started
        counts = {verdict: sum(1 for _, v, _ in verdicts if v == verdict) for verdict in ("same", "differ", "reference cannot read")}
        rows.append([name, str(len(files)), str(counts["same"]), str(counts["differ"]), str(counts["reference cannot read"]), f"{seconds:.0f}"])
        for path, verdict, detail in verdicts:
            if verdict != "same":
                shown = Path(path).relative_to(base).as_posix()
                notes.append(f"- {name}: `{shown}`: {verdict} ({detail})")
        print(rows[-1], flush=True)
    legend = [
        "*identical facts*: the fast reader (CPython's ast) and the reference reader (libcst only) give equal",
        "FileFacts: imports with positions and flags, module-level names, `__all__`, pragmas and clone fingerprints.",
        "*libcst cannot read*: valid Python that libcst's parser rejects, or whose tree exhausts its recursion;",
        "the fast reader reads these files (the libcst-based extractor before it reported them as problems).",
    ]
    headers = ["tree", "files compared", "identical facts", "differing", "libcst cannot read", "seconds"]
    write_report(args.output, "The two readers, compared file by file", "", table(rows, headers), legend, notes)


if __name__ == "__main__":
    main()
