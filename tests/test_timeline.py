"""Where a command's time goes (archguard.base.timeline, ``check -v``)."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from archguard.base import timeline
from archguard.base.timeline import phase
from tests.helpers import make_project, run_cli


@pytest.fixture
def clean_timeline() -> Iterator[None]:
    timeline.reset()
    yield
    timeline.reset()


def test_nested_phases_count_their_own_time_only(clean_timeline: None) -> None:
    with phase("outer"):
        time.sleep(0.02)
        with phase("inner"):
            time.sleep(0.05)
        with phase("inner"):  # a phase met again adds up
            time.sleep(0.01)
    spent = timeline.phases()
    assert list(spent) == ["start-up and imports", "outer", "inner", "other"]
    assert 0.06 <= spent["inner"] < spent["inner"] + spent["outer"]
    assert 0.02 <= spent["outer"] < 0.06  # without the inner phases' 0.06 s
    total = float(re.search(r"total (\d+\.\d+) s", timeline.describe()).group(1))  # type: ignore[union-attr]
    assert total == pytest.approx(sum(spent.values()), abs=0.01)


def test_a_phase_that_raises_is_still_counted(clean_timeline: None) -> None:
    with pytest.raises(ValueError), phase("failing"):
        raise ValueError
    with phase("after"):
        pass
    assert set(timeline.phases()) == {"start-up and imports", "failing", "after", "other"}


def test_a_second_run_in_one_process_counts_afresh(clean_timeline: None, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(timeline, "_runs", 0)
    started = timeline.STARTED
    timeline.begin_run()  # the process's first run: its clock started at import
    assert started == timeline.STARTED
    with phase("first"):
        pass
    timeline.begin_run()
    assert started < timeline.STARTED and "first" not in timeline.phases()


def test_check_verbose_says_where_the_time_went(tmp_path: Path) -> None:
    root = make_project(
        tmp_path,
        {"shop/__init__.py": "", "shop/api.py": "from shop import domain\n", "shop/domain.py": "import json\n"},
        "[components]\napi = { modules = ['shop.api'] }\ndomain = { modules = ['shop.domain'] }\nroot = { modules = ['shop:*'] }\n",
    )
    verbose = run_cli("check", "-v", "--no-cache", cwd=root)
    assert verbose.returncode == 0, verbose.stdout + verbose.stderr
    line = next(text for text in verbose.stderr.splitlines() if text.startswith("archguard: time: "))
    names = [part.rsplit(" ", 2)[0] for part in line.removeprefix("archguard: time: ").split(" · ")]
    assert names[0] == "start-up and imports" and names[-2:] == ["other", "total"]
    assert {"contract", "discovery", "reading", "graph", "rules", "reports"} <= set(names)
    seconds = [float(part.rsplit(" ", 2)[1]) for part in line.removeprefix("archguard: time: ").split(" · ")]
    assert seconds[-1] == pytest.approx(sum(seconds[:-1]), abs=0.01 * len(seconds))
    plain = run_cli("check", "--no-cache", cwd=root)
    assert "archguard: time:" not in plain.stderr


def test_dupes_verbose_says_where_the_time_went(tmp_path: Path) -> None:
    body = "".join(f"    total = total + value * {number}\n" for number in range(8))
    copy = f"def first(value):\n    total = 0\n{body}    return total\n"
    root = make_project(
        tmp_path,
        {"shop/__init__.py": "", "shop/a.py": copy, "shop/b.py": copy.replace("first", "second")},
        "[components]\nshop = { modules = ['shop'] }\n",
    )
    verbose = run_cli("dupes", "-v", "--no-cache", cwd=root)
    assert verbose.returncode == 0 and "shop/b.py" in verbose.stdout, verbose.stdout + verbose.stderr
    line = next(text for text in verbose.stderr.splitlines() if text.startswith("archguard: time: "))
    names = [part.rsplit(" ", 2)[0] for part in line.removeprefix("archguard: time: ").split(" · ")]
    assert names[0] == "start-up and imports" and names[-1] == "total"
    assert {"contract", "discovery", "parsing", "copies search", "reports"} <= set(names)
    assert "archguard: time:" not in run_cli("dupes", "--no-cache", cwd=root).stderr
