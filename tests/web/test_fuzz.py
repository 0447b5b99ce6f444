"""A schema-driven fuzzer over the whole OpenAPI document: no request may answer 5xx.

Schemathesis generates requests from ``/schema/openapi.json`` (valid ones and, in its negative
mode, ones breaking the schema) and sends them to the real server in a subprocess, once with a
dealer admin's key and once with a network manager's. Deterministic (hypothesis derandomized)
and bounded: a few examples per operation and a time budget for the whole run.
"""

from __future__ import annotations

import os
import time

import pytest

from marketplace.accounts.tables import Role
from tests.conftest import make_dealer, make_key
from tests.live_server import live_server  # noqa: F401  (fixture)

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, Phase, given, settings  # noqa: E402
from schemathesis.generation import GenerationMode  # noqa: E402

EXAMPLES_PER_OPERATION = int(os.environ.get("MARKETPLACE_FUZZ_EXAMPLES", "40"))
BUDGET_SECONDS = 150  # the whole fuzz step (both keys); CI runs the suite twice under 15 minutes


def _fuzz(base_url: str, key: str, deadline: float) -> list[str]:
    schema = schemathesis.openapi.from_url(f"{base_url}/schema/openapi.json")
    schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
    failures: list[str] = []
    headers = {"Authorization": f"Bearer {key}"}
    for result in schema.get_all_operations():
        operation = result.ok()
        if time.monotonic() > deadline:
            failures.append("time budget spent before every operation ran")
            break

        @given(case=operation.as_strategy())
        @settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, deadline=None, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        def run(case):
            response = case.call(base_url=base_url, headers=headers, timeout=10)
            if response.status_code >= 500:
                failures.append(f"{response.status_code} {case.method} {response.request.url}"
                                f" body={str(case.body)[:200]!r}")

        run()
    return failures


@pytest.mark.parametrize("role", [Role.dealer_admin, Role.network_manager])
async def test_no_request_answers_a_server_error(live_server, role):  # noqa: F811
    dealer = await make_dealer("D001", "20121")
    await make_dealer("D002", "10121")
    key = await make_key(role, dealer["id"] if role is Role.dealer_admin else None)
    failures = await _in_thread(_fuzz, live_server, key, time.monotonic() + BUDGET_SECONDS / 2)
    assert failures == [], "\n".join(dict.fromkeys(failures))


async def _in_thread(function, *args):
    import anyio.to_thread
    return await anyio.to_thread.run_sync(function, *args)
