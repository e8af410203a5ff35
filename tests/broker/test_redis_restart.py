"""Redis going away and coming back: /healthz says 503 meanwhile, then everything recovers
by itself (the API's connections and the worker's consumer group included)."""

from __future__ import annotations

import shutil

import pytest
from fastapi.testclient import TestClient

from app.api.app import create_app
from app.config import Settings
from tests.broker.redis_support import free_port, start_redis, stop, wait_for

BODY = {"items": [{"id": "a", "completion": "<think>r</think> 4", "checks": {"format": {}}}]}

pytestmark = pytest.mark.skipif(not shutil.which("redis-server"), reason="needs redis-server")


def test_redis_restart_gives_503_then_recovers() -> None:
    port = free_port()
    server = start_redis(port)
    settings = Settings.load(
        env={},
        redis_url=f"redis://127.0.0.1:{port}/0",
        prefix="rk-restart",
        workers=1,
        request_timeout_s=30,
    )
    try:
        with TestClient(create_app(settings)) as client:
            assert client.get("/healthz").status_code == 200
            assert client.post("/v1/rewards", json=BODY).json()["results"][0]["reward"] == 1.0

            stop(server)
            health = client.get("/healthz")
            assert health.status_code == 503
            assert health.json()["broker"]["ok"] is False
            r = client.post("/v1/rewards", json=BODY)
            assert r.status_code == 503 and "Retry-After" in r.headers

            server = start_redis(port)  # empty: no stream, no group, no scripts
            wait_for(lambda: client.get("/healthz").status_code == 200, 15, "health to recover")
            r = client.post("/v1/rewards", json=BODY)
            assert r.status_code == 200, r.text
            assert r.json()["results"][0]["reward"] == 1.0
            job_id = client.post("/v1/jobs", json=BODY).json()["job_id"]
            r = client.get(f"/v1/jobs/{job_id}", params={"wait": 20})
            assert r.json()["status"] == "done"
    finally:
        stop(server)
