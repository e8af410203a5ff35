"""Locust scenarios for rewardkit: GRPO-shaped batches against any deployment.

    locust -f loadtests/locustfile.py --headless -u 8 -r 4 -t 30s --host http://127.0.0.1:8000

Environment variables:
    RK_BATCH        completions per request (default 256)
    RK_GROUP        completions per prompt, sharing answers (default 8)
    RK_MIX          weights of the scenarios, e.g. "format=3,language=1,math=2,code=1,mixed=2,jobs=1"
    RK_TOKEN        bearer token, when the service has REWARDKIT_API_TOKEN set
    RK_JOB_WAIT_S   how long a jobs-API user waits per GET (default 30)
    RK_JOB_CHECKS   checks of the jobs-API batches (default "math,format,language")
"""

from __future__ import annotations

import os
import random

import orjson
from locust import HttpUser, between, task

from loadtests import workloads

BATCH = int(os.environ.get("RK_BATCH", "256"))
GROUP = int(os.environ.get("RK_GROUP", "8"))
JOB_WAIT_S = float(os.environ.get("RK_JOB_WAIT_S", "30"))
JOB_CHECKS = tuple(os.environ.get("RK_JOB_CHECKS", "math,format,language").split(","))
_DEFAULT_MIX = "format=3,language=1,math=2,code=1,mixed=2,jobs=1"
MIX = {
    k: int(v)
    for k, v in (
        part.split("=") for part in os.environ.get("RK_MIX", _DEFAULT_MIX).split(",") if part
    )
}


def _body(kind: str, seed: int) -> bytes:
    gen = {
        "format": workloads.format_items,
        "language": workloads.language_items,
        "math": lambda n, s: workloads.math_items(n, s, group=GROUP),
        "code": workloads.code_items,
        "mixed": workloads.mixed_items,
        "jobs": lambda n, s: workloads.mixed_items(n, s, checks=JOB_CHECKS),
    }[kind]
    return orjson.dumps({"items": gen(BATCH, seed)})


class RewardUser(HttpUser):
    """A trainer posting reward batches between rollouts."""

    wait_time = between(0.0, 0.2)

    def on_start(self) -> None:
        token = os.environ.get("RK_TOKEN")
        self.headers = {"content-type": "application/json"}
        if token:
            self.headers["authorization"] = f"Bearer {token}"
        self.rng = random.Random()
        self.bodies = {k: [_body(k, s) for s in range(4)] for k, w in MIX.items() if w > 0}

    def _post(self, kind: str) -> None:
        body = self.rng.choice(self.bodies[kind])
        with self.client.post(
            "/v1/rewards",
            data=body,
            headers=self.headers,
            name=f"/v1/rewards [{kind}]",
            catch_response=True,
        ) as r:
            if r.status_code != 200:
                r.failure(f"HTTP {r.status_code}: {r.text[:200]}")
            elif len(r.json()["results"]) != BATCH:
                r.failure("wrong number of results")

    @task(MIX.get("format", 0))
    def format_batch(self) -> None:
        self._post("format")

    @task(MIX.get("language", 0))
    def language_batch(self) -> None:
        self._post("language")

    @task(MIX.get("math", 0))
    def math_batch(self) -> None:
        self._post("math")

    @task(MIX.get("code", 0))
    def code_batch(self) -> None:
        self._post("code")

    @task(MIX.get("mixed", 0))
    def mixed_batch(self) -> None:
        self._post("mixed")

    @task(MIX.get("jobs", 0))
    def jobs_api(self) -> None:
        """Submit now, collect later: the pattern of a trainer overlapping rewards and rollouts."""
        body = self.rng.choice(self.bodies["jobs"])
        r = self.client.post("/v1/jobs", data=body, headers=self.headers, name="/v1/jobs")
        if r.status_code != 202:
            return
        job_id = r.json()["job_id"]
        with self.client.get(
            f"/v1/jobs/{job_id}?wait={JOB_WAIT_S}",
            headers=self.headers,
            name="/v1/jobs/{id}",
            catch_response=True,
        ) as g:
            if g.status_code != 200 or g.json().get("status") != "done":
                g.failure(f"job not done: HTTP {g.status_code} {g.text[:200]}")
