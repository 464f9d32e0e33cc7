"""Generated differential tests: random packages and contracts, import-linter as the oracle.

Each example writes a random package tree and a random ``.importlinter`` to a fresh folder and
checks that archguard's import-linter mode builds the same graph as import-linter and gives the
same verdict, warnings and illegal imports/chains for every contract (see
tests/importlinter_oracle.py for what is compared); a second test converts the configuration
and checks the verdicts of the converted archguard contract. The number of examples is bounded
for CI (``ARCHGUARD_HYPOTHESIS_EXAMPLES``, default 150, and a third as many conversions); the
hypothesis seed is printed with any failure, and ``ARCHGUARD_HYPOTHESIS_SEED`` replays it.
``ARCHGUARD_CAMPAIGN_REPORT=FILE`` writes the statistics of the run to FILE.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest
from hypothesis import Phase, given, note, seed, settings

from tests.importlinter_cases import Case, cases
from tests.importlinter_oracle import Stats, converted_differences, differential

SEED = int(os.environ.get("ARCHGUARD_HYPOTHESIS_SEED", random.randrange(2**32)))
EXAMPLES = int(os.environ.get("ARCHGUARD_HYPOTHESIS_EXAMPLES", "150"))
STATS = Stats()
# Shrinking a failing case costs minutes (every step runs both tools); ARCHGUARD_HYPOTHESIS_SHRINK=1 turns it on.
PHASES = tuple(Phase) if os.environ.get("ARCHGUARD_HYPOTHESIS_SHRINK") else tuple(p for p in Phase if p is not Phase.shrink)


@pytest.fixture(scope="module", autouse=True)
def _campaign_report() -> object:
    yield
    report = os.environ.get("ARCHGUARD_CAMPAIGN_REPORT")
    if report:
        Path(report).write_text(
            f"seed {SEED}: {STATS.summary()}\n"
            f"converted contracts: {CONVERT_STATS.contracts} verdicts compared ({CONVERT_STATS.broken} broken), "
            "all the same as import-linter's\n",
            encoding="utf-8",
        )


@seed(SEED)
@settings(max_examples=EXAMPLES, phases=PHASES)
@given(case=cases())
def test_archguard_agrees_with_import_linter_on_generated_cases(case: Case, tmp_path_factory: pytest.TempPathFactory) -> None:
    root = case.write(tmp_path_factory.mktemp("case"))
    note(f"hypothesis seed: {SEED} (replay with ARCHGUARD_HYPOTHESIS_SEED={SEED})")
    note(case.describe())
    problems = differential(root, ".importlinter", STATS)
    assert not problems, "\n".join(problems)


CONVERT_STATS = Stats()


@seed(SEED)
@settings(max_examples=max(10, EXAMPLES // 3), phases=PHASES)
@given(case=cases())
def test_converted_contracts_agree_with_import_linter_on_generated_cases(case: Case, tmp_path_factory: pytest.TempPathFactory) -> None:
    root = case.write(tmp_path_factory.mktemp("convert"))
    note(f"hypothesis seed: {SEED} (replay with ARCHGUARD_HYPOTHESIS_SEED={SEED})")
    note(case.describe())
    problems = converted_differences(root, ".importlinter", CONVERT_STATS)
    assert not problems, "\n".join(problems)
