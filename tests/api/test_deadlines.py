"""`deadline_s` on POST /v1/rewards and /v1/jobs with the embedded broker: the answer comes by
the deadline with what finished, the rest is `deadline` (null score, null reward), the work
is cancelled so the next batch finds the workers free; bad values are 422 naming the field."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from app.api.app import create_app
from app.broker.embedded import EmbeddedBroker
from app.checkers.registry import REGISTRY, Checker
from app.config import Settings
from app.worker.pool import CheckerPool
from app.worker.scorer import Scorer
from tests.helpers import checkers as h
from tests.helpers.timing import HANG_S

#: The `math` check replaced by one that hangs on the completion "hang" (and scores 1.0 on
#: anything else), so a request can carry a hanging check through the real schema.
HANG_AS_MATH = Checker("math", h.hang, where="pool")

#: Items' own deadline: ten times the hang bound, so only the batch deadline can cut a hang
#: within it.
ITEM_TIMEOUT_S = 10 * HANG_S


@pytest.fixture(scope="module")
def api() -> Iterator[tuple[TestClient, CheckerPool]]:
    pool = CheckerPool(2, max_chunk=2)
    scorer = Scorer(
        pool, item_timeout_s=ITEM_TIMEOUT_S, registry={**REGISTRY, "math": HANG_AS_MATH}
    )
    broker = EmbeddedBroker(scorer)
    settings = Settings.load(env={}, workers=2)
    with TestClient(create_app(settings, broker=broker)) as client:
        pool.start()
        yield client, pool
    pool.close()


def item(completion: str, i: int) -> dict:
    return {
        "id": f"s{i}",
        "completion": completion,
        "checks": {"math": {"gold": "1"}, "format": {}},
    }


def batch(*completions: str) -> list[dict]:
    return [item(c, i) for i, c in enumerate(completions)]


def check_deadline_answer(results: list[dict]) -> None:
    """Items s0, s1 scored; s2 (hanging) and s3 (behind it in its chunk of the pool's
    two) `deadline`."""
    assert [r["id"] for r in results] == ["s0", "s1", "s2", "s3"]
    for r in results[:2]:
        assert r["scores"]["math"] == 1.0 and r["details"]["math"]["status"] == "ok"
        assert r["reward"] == 1.0  # math 1.0 + format 0 (no think block)
    for r in results[2:]:
        assert r["details"]["math"]["status"] == "deadline"
        assert r["scores"]["math"] is None and r["reward"] is None
        assert "deadline" in r["details"]["math"]["message"]
        # The cheap check finished: it is scored even though the item has no reward.
        assert r["details"]["format"]["status"] == "bad_format"


def test_rewards_answer_by_the_deadline_and_free_the_workers(api) -> None:
    client, pool = api
    cancelled = pool.cancelled
    t0 = time.monotonic()
    r = client.post(
        "/v1/rewards", json={"items": batch("ok0", "ok1", "hang", "ok3"), "deadline_s": 1.5}
    )
    took = time.monotonic() - t0
    assert r.status_code == 200, r.text
    check_deadline_answer(r.json()["results"])
    # Without the deadline this takes the item timeout (ten minutes): a bound for the hang only.
    assert took < HANG_S
    # The hanging item's process was killed (one cancelled running item, one never started).
    assert pool.cancelled - cancelled == 2
    # A follow-up batch finds both processes free and is scored in full.
    r = client.post(
        "/v1/rewards", json={"items": batch("ok0", "ok1", "ok2", "ok3"), "deadline_s": 30}
    )
    assert [x["reward"] for x in r.json()["results"]] == [1.0] * 4


def test_jobs_answer_by_the_deadline(api) -> None:
    client, _ = api
    r = client.post(
        "/v1/jobs", json={"items": batch("ok0", "ok1", "hang", "ok3"), "deadline_s": 1.0}
    )
    assert r.status_code == 202
    state = client.get(f"/v1/jobs/{r.json()['job_id']}", params={"wait": 60}).json()
    assert state["status"] == "done"
    check_deadline_answer(state["results"])


def test_a_deadline_that_is_not_needed_changes_nothing(api) -> None:
    client, _ = api
    body = {"items": batch("ok", "ok"), "deadline_s": 60}
    assert [x["reward"] for x in client.post("/v1/rewards", json=body).json()["results"]] == [
        1.0,
        1.0,
    ]


@pytest.mark.parametrize("value", [0, -1, 3601, "soon", True, float("nan")])
def test_bad_deadline_is_422_naming_the_field(api, value) -> None:
    client, _ = api
    body = {"items": batch("ok"), "deadline_s": value}
    if isinstance(value, float):  # NaN is not JSON: send the literal the way a client would
        r = client.post(
            "/v1/rewards",
            content=b'{"items": [{"completion": "ok", "checks": {"format": {}}}], "deadline_s": NaN}',
            headers={"content-type": "application/json"},
        )
        assert r.status_code == 422
        return
    for path in ("/v1/rewards", "/v1/jobs"):
        r = client.post(path, json=body)
        assert r.status_code == 422, (path, value, r.text)
        assert any(e["loc"][-1] == "deadline_s" for e in r.json()["detail"]), r.json()


def test_a_sandbox_run_under_way_is_killed_at_the_deadline(api) -> None:
    """A code check running in the sandbox when the deadline passes is `deadline`, and its
    sandbox is killed (the program's processes are gone), not left to run to its limits."""
    from tests.helpers.timing import wait_until
    from tests.sandbox.helpers import host_processes

    client, _ = api
    marker = "2777.4747"  # an hour-long sleep the program execs: findable on the host
    program = f"```python\nimport os\nos.execv('/usr/bin/sleep', ['sleep', '{marker}'])\n```"
    code = {
        "language": "python",
        # Left alone, the run would hold the marker for 5 x 60 s, far past HANG_S.
        "tests": [{"input": "", "output": "x"}] * 5,
        "limits": {"timeout_s": 60, "total_timeout_s": 600},
    }
    body = {
        "items": [{"id": "c", "completion": program, "checks": {"code": code}}],
        "deadline_s": 2.0,
    }
    started = time.monotonic()
    r = client.post("/v1/rewards", json=body)
    assert time.monotonic() - started < HANG_S
    [result] = r.json()["results"]
    assert result["details"]["code"]["status"] == "deadline" and result["reward"] is None
    assert wait_until(lambda: host_processes(marker.encode()) == [])
