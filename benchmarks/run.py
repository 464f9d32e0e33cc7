"""Every benchmark in one command, results to benchmarks/results/.

    python -m benchmarks.run [--only core,scale,drift,duplication,pool] [--repetitions 5]
                             [--sizes 1000,5000,20000,50000] [--jscpd PATH]

Downloads nothing at run time except through pip (Django's sdist, via ``pip download``).
Each part runs archguard and its peers side by side in the same run, alternating, several
repetitions, and writes a Markdown table of medians, ratios and peak memory:

- ``core``: Django, equivalent layers + forbidden + independence contracts: the extractor
  against the bare parsers, ast and libcst (1 and 2 processes); cold and warm ``archguard check`` against
  ``lint-imports`` (cache off and warm), ``tach check`` and ``deply analyze`` (peers:
  ``pip install -e .[bench]``) -> ``results/core.md``;
- ``scale``: generated packages of each size, archguard vs lint-imports vs tach ->
  ``results/scale.md``;
- ``drift``: a 10-file change on Django as a git repository: ``archguard check --diff`` with the
  base's cache against a warm whole-tree ``lint-imports`` -> ``results/drift.md``;
- ``duplication``: planted clones in a copy of Django (recall per clone type, precision),
  archguard against pylint's duplicate-code and jscpd (when ``--jscpd`` is given), and the
  whole-Django clone search -> ``results/duplication.md``; what clone detection adds to a
  check -> ``results/duplication-cost.txt``;
- ``pool``: extraction of 100 KB-3.2 MB of Django in one process and in a two-worker pool, to
  place the pool's threshold -> ``results/pool.md``.

Not part of this runner (each runs on its own): ``python -m benchmarks.targets`` (the targets of
issue 20 on Django and SQLAlchemy's lib/, against lint-imports and jscpd ->
``results/targets.md``) and ``python -m benchmarks.readers`` (the two readers file by file over
Django, SQLAlchemy and the stdlib -> ``results/readers.md``).

The machines are shared and noisy: quote medians and ratios from one run, never absolute
seconds from different moments.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from benchmarks.common import HERE, REPO, RESULTS, django_source

PARTS = ("core", "scale", "drift", "duplication", "pool")


def _run(command: list[str], log_name: str | None = None) -> None:
    print("$", " ".join(command), flush=True)
    started = time.perf_counter()
    if log_name is None:
        subprocess.run(command, cwd=REPO, check=True)
    else:
        completed = subprocess.run(command, cwd=REPO, check=True, capture_output=True, text=True)
        (RESULTS / log_name).write_text(completed.stdout, encoding="utf-8")
        print(completed.stdout, end="")
    print(f"  ({time.perf_counter() - started:.0f} s)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts: {', '.join(PARTS)}")
    parser.add_argument("--repetitions", type=int, default=5)
    parser.add_argument("--sizes", default="1000,5000,20000,50000", help="module counts of the scale workload")
    parser.add_argument("--jscpd", default="", help="jscpd binary for the duplication comparison (npm i jscpd@5.3.2)")
    args = parser.parse_args()
    parts = [part.strip() for part in args.only.split(",") if part.strip()]
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        parser.error(f"unknown part(s): {', '.join(unknown)}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    django = django_source()  # the folder that holds django/
    python = sys.executable
    reps = str(args.repetitions)
    if "core" in parts:
        _run([python, "-m", "benchmarks.core", "--repetitions", reps])
    if "scale" in parts:
        _run([python, "-m", "benchmarks.scale", "--sizes", args.sizes, "--repetitions", str(min(args.repetitions, 3))])
    if "drift" in parts:
        _run([python, str(HERE / "drift" / "diff_check.py"), "--django", str(django), "--rounds", reps, "--output", str(RESULTS / "drift.md")])
    if "duplication" in parts:
        planted = [python, str(HERE / "duplication" / "planted.py"), "--django", str(django / "django"), "--work", str(HERE / "work" / "duplication")]
        _run([*planted, *(["--jscpd", args.jscpd] if args.jscpd else [])])
        _run(
            [python, str(HERE / "duplication" / "check_cost.py"), "--tree", str(django), "--repeat", str(min(args.repetitions, 3))],
            "duplication-cost.txt",
        )
    if "pool" in parts:
        _run([python, "-m", "benchmarks.pool", "--repetitions", reps])
    print(f"results in {RESULTS}")


if __name__ == "__main__":
    main()
