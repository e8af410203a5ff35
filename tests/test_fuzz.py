"""Schemathesis against the app's own OpenAPI schema, in-process: valid and invalid requests
generated for every operation must never get a server error (5xx), and every body the schema
calls valid is scored.

Generation is derandomised (hypothesis draws from a fixed seed, no example database), so a run
is the same run every time: a failure here is a bug, never luck."""

from __future__ import annotations

import asyncio

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from app.api.app import create_app
from app.config import Settings
from app.wiring import create_broker

# Small limits keep generated batches cheap; a short item deadline bounds any slow check.
SETTINGS = Settings.load(env={}, workers=1, max_items=16, item_timeout_s=5.0)
# The broker is ours, not the app's: schemathesis starts and stops the app's lifespan around
# each test, and a checker pool is started once per process.
BROKER = create_broker(SETTINGS)
APP = create_app(SETTINGS, broker=BROKER)
SCHEMA = schemathesis.openapi.from_asgi("/openapi.json", APP)
SCHEMA.config.generation.update(
    modes=[schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE]
)
FUZZ = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
    derandomize=True,
)


@pytest.fixture(scope="module", autouse=True)
def running_broker():
    asyncio.run(BROKER.start())
    yield
    asyncio.run(BROKER.close())


def test_schema_publishes_the_request_bodies() -> None:
    """Routes that read their own bodies still show schemathesis a body schema to generate."""
    raw = SCHEMA.raw_schema
    for path in ("/v1/rewards", "/v1/jobs"):
        body = raw["paths"][path]["post"]["requestBody"]["content"]["application/json"]
        assert body["schema"] == {"$ref": "#/components/schemas/RewardsRequest"}
    assert {"RewardsRequest", "ItemIn", "Checks"} <= set(raw["components"]["schemas"])
    operations = {(r.ok().method.upper(), r.ok().path) for r in SCHEMA.get_all_operations()}
    assert {("POST", "/v1/rewards"), ("POST", "/v1/jobs"), ("GET", "/v1/jobs/{job_id}")} <= (
        operations
    )


@SCHEMA.parametrize()
@FUZZ
def test_no_server_errors(case: schemathesis.Case) -> None:
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error])
    assert response.status_code < 500, response.text[:500]


REWARDS_OK = SCHEMA["/v1/rewards"]["POST"]


def _over_a_limit(body: dict) -> bool:
    """Whether a body breaks a size limit the schema cannot state exactly (completion bytes)."""
    limit = SETTINGS.max_completion_bytes
    return any(len(item["completion"].encode()) > limit for item in body["items"])


@given(case=REWARDS_OK.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE))
@settings(FUZZ, max_examples=60)
def test_valid_bodies_are_scored(case: schemathesis.Case) -> None:
    """A body the published schema accepts is scored: one result per item, in order. A 422
    here means the schema promises something the service refuses (a rule it does not state)."""
    response = case.call()
    if response.status_code == 413:
        assert _over_a_limit(case.body), response.text[:500]
        return
    assert response.status_code == 200, response.text[:500]
    results = response.json()["results"]
    assert len(results) == len(case.body["items"])
    for i, (item, result) in enumerate(zip(case.body["items"], results, strict=True)):
        given = item.get("id")
        # JSON Schema's integers include 0.0; the service echoes such an id as an integer.
        given = int(given) if isinstance(given, float) else given
        expected_id = str(i) if given is None else str(given)
        assert result["id"] == expected_id
        assert set(result["details"]) == set(item["checks"])


def test_schema_states_the_batch_limit() -> None:
    """`maxItems` is this deployment's limit, so generated batches stay within it."""
    items = SCHEMA.raw_schema["components"]["schemas"]["RewardsRequest"]["properties"]["items"]
    assert items["maxItems"] == SETTINGS.max_items
