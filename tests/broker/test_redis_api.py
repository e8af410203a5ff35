"""The HTTP service on the Redis broker: the same routes, statuses and results as embedded."""

from __future__ import annotations

from fastapi.testclient import TestClient

from app.api.app import create_app
from app.config import Settings

BODY = {
    "items": [
        {"id": "a", "completion": "<think>r</think> 4", "checks": {"format": {}}},
        {"id": "b", "completion": "no think", "checks": {"format": {}}},
    ]
}


def rewards(data: dict) -> list[tuple[str, float | None]]:
    return [(r["id"], r["reward"]) for r in data["results"]]


def test_rewards_and_jobs_through_redis(redis_url: str, prefix: str, rds) -> None:
    settings = Settings.load(env={}, redis_url=redis_url, prefix=prefix, workers=1)
    with TestClient(create_app(settings)) as client:
        health = client.get("/healthz")
        assert health.status_code == 200
        broker = health.json()["broker"]
        assert broker["kind"] == "redis" and broker["consumers"] == 1
        assert broker["local_worker"]["pool"]["processes"] == 1

        r = client.post("/v1/rewards", json=BODY)
        assert r.status_code == 200
        assert rewards(r.json()) == [("a", 1.0), ("b", 0.0)]

        r = client.post("/v1/jobs", json=BODY)
        assert r.status_code == 202
        job_id = r.json()["job_id"]
        r = client.get(f"/v1/jobs/{job_id}", params={"wait": 20})
        assert r.status_code == 200 and r.json()["status"] == "done"
        assert rewards(r.json()) == [("a", 1.0), ("b", 0.0)]
        assert client.get("/v1/jobs/0123456789abcdef").status_code == 404
    # Only the async job is kept (for its TTL); the synchronous one was freed at once.
    jobs = {k.decode() for k in rds.scan_iter(match=f"{prefix}:job:*")}
    assert jobs == {f"{prefix}:job:{job_id}"}


def test_full_queue_answers_503_with_retry_after(redis_url: str, prefix: str) -> None:
    # HTTP only (--workers 0) and room for 3 items: the second 2-item batch does not fit.
    settings = Settings.load(
        env={}, redis_url=redis_url, prefix=prefix, workers=0, max_pending_items=3
    )
    with TestClient(create_app(settings)) as client:
        assert client.post("/v1/jobs", json=BODY).status_code == 202
        for path in ("/v1/jobs", "/v1/rewards"):
            r = client.post(path, json=BODY)
            assert r.status_code == 503
            assert int(r.headers["Retry-After"]) >= 1
        r = client.get("/healthz")
        assert r.status_code == 200 and r.json()["broker"]["pending_items"] == 2


def test_metrics_show_the_fleet_from_redis(redis_url: str, prefix: str, rds) -> None:
    from tests.broker.redis_support import wait_for
    from tests.test_metrics import sample

    # An API without workers: what is submitted waits, and /metrics says how much and since
    # when (what KEDA and an operator read).
    settings = Settings.load(env={}, redis_url=redis_url, prefix=prefix, workers=0)
    with TestClient(create_app(settings)) as client:
        items = [{"completion": str(i), "checks": {"format": {}}} for i in range(5)]
        assert client.post("/v1/jobs", json={"items": items}).status_code == 202
        text = client.get("/metrics").text
        assert sample(text, "rewardkit_items_waiting") == 5.0
        assert sample(text, "rewardkit_queue_depth") == 5.0
        assert sample(text, 'rewardkit_chunks{state="waiting"}') == 1.0
        assert sample(text, "rewardkit_oldest_waiting_seconds") >= 0.0
        assert sample(text, "rewardkit_workers") == 0.0
    # An API with its in-process worker: the work is done, and the worker reports its load
    # through its liveness key.
    settings = Settings.load(env={}, redis_url=redis_url, prefix=prefix, workers=1)
    with TestClient(create_app(settings)) as client:
        wait_for(lambda: int(rds.get(f"{prefix}:pending") or 0) == 0, 60, "the job to be done")
        text = client.get("/metrics").text
        assert sample(text, "rewardkit_items_waiting") == 0.0
        assert sample(text, "rewardkit_workers") == 1.0
        (name,) = client.get("/healthz").json()["broker"]["local_worker"]["consumer"].split()
        assert sample(text, f'rewardkit_worker_processes{{worker="{name}"}}') == 1.0
        assert 0.0 <= sample(text, f'rewardkit_worker_busy_ratio{{worker="{name}"}}') <= 1.0
        sample(text, f'rewardkit_sandboxes{{state="warm",worker="{name}"}}')
