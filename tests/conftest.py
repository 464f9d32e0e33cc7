from __future__ import annotations

import os

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
