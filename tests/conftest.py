from __future__ import annotations

import os
import shutil

import pytest
from hypothesis import HealthCheck, settings

# Property-based tests: a bounded number of examples in CI, more on demand.
settings.register_profile(
    "ci",
    max_examples=int(os.environ.get("ARCHGUARD_HYPOTHESIS_EXAMPLES", "100")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
    derandomize=False,
    print_blob=True,
)
settings.load_profile("ci")


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="Rewrite the golden files under tests/golden/ from the current output instead of comparing.",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    """True when the run was asked to rewrite golden files (also ARCHGUARD_UPDATE_GOLDENS=1)."""
    return bool(request.config.getoption("--update-goldens") or os.environ.get("ARCHGUARD_UPDATE_GOLDENS") == "1")


# System programs some tests drive for real. Without one, those tests skip with the command
# that installs it; CI (.ci/run) sets ARCHGUARD_REQUIRE_SYSTEM_TOOLS=1, which makes the skip a
# failure, so CI always runs them.
SYSTEM_TOOLS = {"dot": ("Graphviz's dot", "graphviz"), "chromium": ("Chromium", "chromium")}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "needs(tool): the test runs a system program (dot, chromium); skipped without it outside CI")


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker in item.iter_markers("needs"):
        tool = marker.args[0]
        if shutil.which(tool) is not None:
            continue
        name, package = SYSTEM_TOOLS[tool]
        message = f"{name} is not installed: run `bash scripts/setup-tests` (it runs `apt-get install {package}`)"
        if os.environ.get("ARCHGUARD_REQUIRE_SYSTEM_TOOLS") == "1":
            pytest.fail(f"{message}; ARCHGUARD_REQUIRE_SYSTEM_TOOLS=1 makes this an error")
        pytest.skip(message)
