"""Schemathesis against the app's own OpenAPI schema, in-process: valid and invalid requests
generated for every operation must never get a server error (5xx)."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from app.api.app import create_app
from app.broker import create_broker
from app.config import Settings

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
    max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None
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


STATUSES: Counter[int] = Counter()
REWARDS_OK = SCHEMA["/v1/rewards"]["POST"]


@given(case=REWARDS_OK.as_strategy(generation_mode=schemathesis.GenerationMode.POSITIVE))
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_valid_bodies_are_scored(case: schemathesis.Case) -> None:
    response = case.call()
    assert response.status_code < 500, response.text[:500]
    STATUSES[response.status_code] += 1
    if response.status_code == 200:
        results = response.json()["results"]
        assert len(results) == len(case.body["items"])


def test_valid_bodies_were_mostly_scored() -> None:
    """The generator reaches the scorer (200), not just the validator, so the fuzzing above
    exercised the scoring path. (Schema-valid bodies may still be refused with 422 for rules
    the schema does not express, such as `checks` naming no check.)"""
    assert STATUSES[200] >= 5, STATUSES
    assert set(STATUSES) <= {200, 413, 422}, STATUSES
