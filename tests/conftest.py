from __future__ import annotations

import os

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
