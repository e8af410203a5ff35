"""Structured request logs: one JSON line per request with its id, item count, duration and
statuses; completion text never appears unless `log_completions` is on."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from app.api.app import create_app
from app.config import Settings
from app.logs import JsonFormatter
from tests.conftest import start_server, stop_server

SECRET = "PRIVATE-REASONING-3141592653"
GOOD = f"<think>{SECRET} we add.</think> 4"


class JsonLines(logging.Handler):
    """Collects what the service logs, formatted exactly as the server writes it."""

    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    def requests(self) -> list[dict]:
        return [d for d in map(json.loads, self.lines) if d["msg"] == "request"]


@pytest.fixture
def captured() -> Iterator[JsonLines]:
    handler = JsonLines()
    logger = logging.getLogger("rewardkit")
    old_level = logger.level
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)


def items(n_good: int, n_bad: int) -> list[dict]:
    good = {"completion": GOOD, "checks": {"format": {}, "language": {"target": "en"}}}
    bad = {"completion": SECRET, "checks": {"format": {}}}
    return [good] * n_good + [bad] * n_bad


def test_request_line_has_id_items_duration_and_status_counts(
    api: TestClient, captured: JsonLines
) -> None:
    r = api.post("/v1/rewards", json={"items": items(3, 2)}, headers={"x-request-id": "trace-42"})
    assert r.status_code == 200
    assert r.headers["x-request-id"] == "trace-42"
    (line,) = [d for d in captured.requests() if d["request_id"] == "trace-42"]
    assert line["level"] == "info" and line["logger"] == "rewardkit.api"
    assert (line["method"], line["path"], line["status"]) == ("POST", "/v1/rewards", 200)
    assert line["items"] == 5
    assert line["checks"] == {"format": {"ok": 3, "bad_format": 2}, "language": {"ok": 3}}
    assert isinstance(line["ms"], float) and line["ms"] > 0
    assert line["ts"].endswith("Z")
    assert SECRET not in "\n".join(captured.lines)


def test_every_request_gets_one_line_even_errors(api: TestClient, captured: JsonLines) -> None:
    api.post("/v1/rewards", json={"items": [{"completion": SECRET, "checks": 1}]})
    api.post("/v1/rewards", content=b"{nope", headers={"content-type": "application/json"})
    api.get("/v1/jobs/unknown")
    api.get("/healthz")
    statuses = [(d["path"], d["status"]) for d in captured.requests()]
    assert statuses == [
        ("/v1/rewards", 422),
        ("/v1/rewards", 422),
        ("/v1/jobs/unknown", 404),
        ("/healthz", 200),
    ]
    assert captured.requests()[0]["items"] == 1
    assert SECRET not in "\n".join(captured.lines)
    ids = [d["request_id"] for d in captured.requests()]
    assert len(set(ids)) == 4 and all(len(i) == 16 for i in ids)


def test_jobs_log_their_id_and_final_counts(api: TestClient, captured: JsonLines) -> None:
    job_id = api.post("/v1/jobs", json={"items": items(1, 1)}).json()["job_id"]
    assert api.get(f"/v1/jobs/{job_id}", params={"wait": 10}).json()["status"] == "done"
    submit, fetch = captured.requests()
    assert (submit["status"], submit["items"], submit["job_id"]) == (202, 2, job_id)
    assert fetch["job_id"] == job_id and fetch["job_status"] == "done"
    assert fetch["checks"] == {"format": {"ok": 1, "bad_format": 1}, "language": {"ok": 1}}
    assert SECRET not in "\n".join(captured.lines)


@pytest.mark.parametrize("given", ["x" * 200, "has space", 'quote"and{json}', "ünïcode", "a\x7fb"])
def test_odd_request_ids_are_replaced(api: TestClient, captured: JsonLines, given: str) -> None:
    r = api.get("/healthz", headers={"x-request-id": given.encode("latin-1", "replace")})
    rid = r.headers["x-request-id"]
    assert rid != given and len(rid) == 16
    assert captured.requests()[-1]["request_id"] == rid


def test_refused_requests_are_logged_too(captured: JsonLines) -> None:
    settings = Settings.load(env={}, workers=1, api_token="t0ken")
    with TestClient(create_app(settings)) as client:
        assert client.post("/v1/rewards", json={"items": items(1, 0)}).status_code == 401
    (line,) = captured.requests()
    assert (line["path"], line["status"]) == ("/v1/rewards", 401)
    assert "t0ken" not in "\n".join(captured.lines)


def test_log_completions_opt_in_writes_item_lines(captured: JsonLines) -> None:
    settings = Settings.load(env={"REWARDKIT_LOG_COMPLETIONS": "1"}, workers=1)
    with TestClient(create_app(settings)) as client:
        r = client.post("/v1/rewards", json={"items": items(1, 1)}, headers={"x-request-id": "r1"})
        assert r.status_code == 200
    item_lines = [d for d in map(json.loads, captured.lines) if d["msg"] == "item"]
    assert [(d["request_id"], d["item_id"]) for d in item_lines] == [("r1", "0"), ("r1", "1")]
    assert item_lines[0]["completion"] == GOOD
    assert item_lines[1]["statuses"] == {"format": "bad_format"}


def test_live_server_writes_json_lines_without_completions() -> None:
    proc, url = start_server("--workers", "1")
    try:
        r = httpx.post(
            url + "/v1/rewards", json={"items": items(2, 1)}, headers={"x-request-id": "live-1"}
        )
        assert r.status_code == 200
    finally:
        stop_server(proc)
    assert proc.stderr is not None
    text = proc.stderr.read().decode()
    lines = [json.loads(line) for line in text.splitlines() if line.strip()]  # all JSON
    (req,) = [d for d in lines if d.get("request_id") == "live-1"]
    assert req["items"] == 3 and req["status"] == 200
    assert req["checks"]["format"] == {"ok": 2, "bad_format": 1}
    assert not any("color_message" in d for d in lines)
    assert SECRET not in text
