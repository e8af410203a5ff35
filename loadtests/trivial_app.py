"""The HTTP floor: a FastAPI endpoint that parses the same body as /v1/rewards (same pydantic
schema) and answers a result per item without scoring anything.

Run by the benchmark as `uvicorn loadtests.trivial_app:app`.
"""

from __future__ import annotations

from fastapi import FastAPI

from app.api.schemas import RewardsRequest
from app.process import tune_gc

# The floor gets the same garbage-collector tuning as the service: a fair, stronger floor.
tune_gc()
app = FastAPI()


@app.post("/v1/rewards")
def rewards(req: RewardsRequest) -> dict:
    return {
        "results": [
            {"id": str(i if it.id is None else it.id), "reward": 1.0, "scores": {}, "details": {}}
            for i, it in enumerate(req.items)
        ]
    }


@app.get("/healthz")
def healthz() -> dict:
    return {"status": "ok"}
