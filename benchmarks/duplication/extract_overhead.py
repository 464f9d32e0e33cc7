"""Cost of clone fingerprinting in the extractor: extract_facts with and without clones.

Runs both settings on every file of a tree, interleaved file by file (alternating which goes
first) so that load from other processes hits both alike, repeats the whole pass and reports
medians. Also times the bare libcst parse of the same files for scale.

    python benchmarks/duplication/extract_overhead.py [/work/ref/django-5.2.19/django] [--repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from archguard.analysis.read import extract_facts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("tree", nargs="?", default="/work/ref/django-5.2.19/django")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import libcst

    sources = [path.read_bytes() for path in sorted(Path(args.tree).rglob("*.py"))]
    totals: dict[str, list[float]] = {"parse": [], "without": [], "with": []}
    for round_number in range(args.repeat):
        spent = {"parse": 0.0, "without": 0.0, "with": 0.0}
        for index, data in enumerate(sources):
            order = ["parse", "without", "with"] if (index + round_number) % 2 == 0 else ["with", "without", "parse"]
            for name in order:
                started = time.perf_counter()
                if name == "parse":
                    with contextlib.suppress(Exception):
                        libcst.parse_module(data)
                else:
                    extract_facts(data, clones=name == "with")
                spent[name] += time.perf_counter() - started
        for name, seconds in spent.items():
            totals[name].append(seconds)
        print(f"round {round_number + 1}: " + ", ".join(f"{k} {v:.2f} s" for k, v in spent.items()), flush=True)
    median = {name: statistics.median(values) for name, values in totals.items()}
    print(f"files: {len(sources)}")
    print(f"median libcst parse: {median['parse']:.2f} s")
    print(f"median extraction without clones: {median['without']:.2f} s ({median['without'] / median['parse']:.2f}x parse)")
    print(f"median extraction with clones: {median['with']:.2f} s ({median['with'] / median['parse']:.2f}x parse)")
    print(f"clone fingerprinting overhead: {100 * (median['with'] / median['without'] - 1):.1f} % of extraction (medians)")
    ratios = sorted(w / wo for w, wo in zip(totals["with"], totals["without"], strict=True))
    print(
        f"per-round overhead: {', '.join(f'{100 * (r - 1):.1f} %' for r in ratios)}; "
        f"median {100 * (statistics.median(ratios) - 1):.1f} %"
    )


if __name__ == "__main__":
    main()
