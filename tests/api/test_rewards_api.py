"""POST /v1/rewards and the jobs API end to end in-process: order, ids, weights, errors."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from app.api.app import create_app
from app.config import Settings

GOOD = "<think>We add the numbers.</think> 4"


def item(completion: str = GOOD, **kw) -> dict:
    return {"completion": completion, "checks": {"format": {}}, **kw}


def test_results_in_request_order_with_ids_echoed(api: TestClient) -> None:
    items = [item(id=f"s{i}") if i % 3 else item("no tags", id=f"s{i}") for i in range(20)]
    items[5].pop("id")  # absent id → the item's index
    items[7]["id"] = 7  # integer ids are echoed as strings
    r = api.post("/v1/rewards", json={"items": items})
    assert r.status_code == 200
    res = r.json()["results"]
    assert [x["id"] for x in res] == [
        ("5" if i == 5 else f"s{i}") if i != 7 else "7" for i in range(20)
    ]
    assert [x["reward"] for x in res] == [0.0 if i % 3 == 0 else 1.0 for i in range(20)]


def test_weights_batch_then_item_override(api: TestClient) -> None:
    body = {
        "weights": {"format": 0.5, "language": 2.0},
        "items": [
            {"completion": GOOD, "checks": {"format": {}, "language": {"target": "en"}}},
            {
                "completion": GOOD,
                "checks": {"format": {}, "language": {"target": "en"}},
                "weights": {"format": 3.0},
            },
        ],
    }
    a, b = api.post("/v1/rewards", json=body).json()["results"]
    assert a["reward"] == pytest.approx(0.5 + 2.0)
    assert b["reward"] == pytest.approx(3.0 + 2.0)
    assert a["scores"] == {"format": 1.0, "language": 1.0}
    assert a["details"]["format"] == {"status": "ok"}


def test_invalid_check_nulls_only_its_item(api: TestClient) -> None:
    body = {
        "items": [
            {"completion": GOOD, "checks": {"language": {"target": "xx"}, "format": {}}},
            item(),
        ]
    }
    a, b = api.post("/v1/rewards", json=body).json()["results"]
    assert a["reward"] is None
    assert a["scores"] == {"language": None, "format": 1.0}
    assert a["details"]["language"]["status"] == "invalid"
    assert "message" in a["details"]["language"]
    assert b["reward"] == 1.0


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        (
            {"items": [{"completion": "x", "checks": {"nope": {}}}]},
            ["body", "items", 0, "checks", "nope"],
        ),
        ({"items": [{"checks": {"format": {}}}]}, ["body", "items", 0, "completion"]),
        (
            {"items": [{"completion": 5, "checks": {"format": {}}}]},
            ["body", "items", 0, "completion"],
        ),
        (
            {"items": [item(), {"completion": "x", "checks": {"language": {}}}]},
            ["body", "items", 1, "checks", "language", "target"],
        ),
        (
            {"items": [{"completion": "x", "checks": {"format": {"answer_tag": "maybe"}}}]},
            ["body", "items", 0, "checks", "format", "answer_tag"],
        ),
        ({"items": [{"completion": "x", "checks": {}}]}, ["body", "items", 0, "checks"]),
        ({"items": [item(weights={"formt": 1})]}, ["body", "items", 0, "weights"]),
        ({"items": [item()], "weights": {"format": "heavy"}}, ["body", "weights", "format"]),
        ({"items": "all of them"}, ["body", "items"]),
        ({}, ["body", "items"]),
        ([1, 2], ["body"]),
    ],
)
def test_schema_errors_are_422_naming_the_field(api: TestClient, body, loc) -> None:
    r = api.post("/v1/rewards", json=body)
    assert r.status_code == 422, r.text
    assert loc in [d["loc"] for d in r.json()["detail"]], r.json()


def test_invalid_json_is_422(api: TestClient) -> None:
    r = api.post(
        "/v1/rewards", content=b'{"items": [', headers={"content-type": "application/json"}
    )
    assert r.status_code == 422
    assert r.json()["detail"][0]["type"] == "json_invalid"


def test_nan_weight_is_422(api: TestClient) -> None:
    r = api.post(
        "/v1/rewards",
        content=b'{"items": [{"completion": "x", "checks": {"format": {}}, "weights": {"format": NaN}}]}',
    )
    assert r.status_code == 422


def test_empty_batch(api: TestClient) -> None:
    assert api.post("/v1/rewards", json={"items": []}).json() == {"results": []}


@pytest.fixture(scope="module")
def small() -> TestClient:
    settings = Settings.load(
        env={}, workers=1, max_items=5, max_completion_bytes=100, max_body_bytes=20_000
    )
    with TestClient(create_app(settings)) as client:
        yield client


def test_too_many_items_is_413(small: TestClient) -> None:
    assert small.post("/v1/rewards", json={"items": [item()] * 5}).status_code == 200
    r = small.post("/v1/rewards", json={"items": [item()] * 6})
    assert r.status_code == 413
    assert "6 items" in r.json()["detail"]


def test_completion_over_byte_limit_is_413(small: TestClient) -> None:
    assert small.post("/v1/rewards", json={"items": [item("a" * 100)]}).status_code == 200
    # 34 three-byte characters: 102 bytes though only 34 characters.
    r = small.post("/v1/rewards", json={"items": [item("é" * 20), item("€" * 34)]})
    assert r.status_code == 413
    assert "items[1].completion" in r.json()["detail"]


def test_body_over_limit_is_413(small: TestClient) -> None:
    r = small.post(
        "/v1/rewards", content=b" " * 30_000, headers={"content-type": "application/json"}
    )
    assert r.status_code == 413


def test_jobs_round_trip(api: TestClient) -> None:
    r = api.post("/v1/jobs", json={"items": [item(id="j1"), item("bad", id="j2")]})
    assert r.status_code == 202
    job_id = r.json()["job_id"]
    state = api.get(f"/v1/jobs/{job_id}", params={"wait": 10}).json()
    assert state["status"] == "done"
    assert [(x["id"], x["reward"]) for x in state["results"]] == [("j1", 1.0), ("j2", 0.0)]


def test_unknown_job_is_404(api: TestClient) -> None:
    assert api.get("/v1/jobs/does-not-exist").status_code == 404


def test_job_wait_is_bounded(api: TestClient) -> None:
    assert api.get("/v1/jobs/x", params={"wait": -1}).status_code == 422
    assert api.get("/v1/jobs/x", params={"wait": 10_000}).status_code == 422


def test_healthz_and_metrics(api: TestClient) -> None:
    h = api.get("/healthz")
    assert h.status_code == 200
    body = h.json()
    assert body["status"] == "ok"
    assert body["broker"]["kind"] == "embedded"
    assert body["broker"]["pool"]["alive"] == 2
    assert "format" in body["checks"]

    api.post("/v1/rewards", json={"items": [item("no think at all")]})
    text = api.get("/metrics").text
    assert 'rewardkit_items_total{check="format",status="bad_format"}' in text
    assert 'rewardkit_request_seconds_bucket{le="0.001",route="/v1/rewards"}' in text
    assert "rewardkit_queue_depth" in text


def test_openapi_documents_the_request_body(api: TestClient) -> None:
    spec = api.get("/openapi.json").json()
    body = spec["paths"]["/v1/rewards"]["post"]["requestBody"]["content"]["application/json"][
        "schema"
    ]
    assert body == {"$ref": "#/components/schemas/RewardsRequest"}
    assert "ItemIn" in spec["components"]["schemas"]


def test_service_tunes_the_garbage_collector(api: TestClient) -> None:
    # Most of the p99 latency of big batches was gen-0 collections (loadtests/bench.py).
    import gc

    from app.process import GC_GEN0_THRESHOLD

    assert gc.get_threshold()[0] == GC_GEN0_THRESHOLD
    assert gc.get_freeze_count() > 0
