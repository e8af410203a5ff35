"""Bearer-token auth: with REWARDKIT_API_TOKEN set, every route but /healthz answers 401 without
the exact token, before the body is read."""

from __future__ import annotations

import hmac
import re
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

import app.api.app as api_module
from app.api.app import create_app
from app.config import Settings
from tests.conftest import start_server, stop_server

TOKEN = "s3cret-Token_with.punctuation~42"
OK_HEADERS = {"Authorization": f"Bearer {TOKEN}"}
ITEM = {"completion": "<think>r</think> 4", "checks": {"format": {}}}


@pytest.fixture(scope="module")
def guarded() -> Iterator[TestClient]:
    settings = Settings.load(env={"REWARDKIT_API_TOKEN": TOKEN}, workers=1, max_body_bytes=10_000)
    with TestClient(create_app(settings)) as client:
        yield client


def _routes(client: TestClient) -> list[tuple[str, str]]:
    """(method, concrete path) of every route the app documents plus FastAPI's own pages,
    path parameters filled in: routes added later are covered without touching this test."""
    spec = client.app.openapi()  # type: ignore[attr-defined]
    out = [
        (method.upper(), re.sub(r"\{[^}]+\}", "some-id", path))
        for path, ops in spec["paths"].items()
        for method in ops
    ]
    return [*out, ("GET", "/openapi.json"), ("GET", "/docs"), ("GET", "/redoc")]


def test_every_route_but_healthz_needs_the_token(guarded: TestClient) -> None:
    routes = _routes(guarded)
    assert ("POST", "/v1/rewards") in routes and ("GET", "/v1/jobs/some-id") in routes
    assert ("GET", "/healthz") in routes and ("GET", "/openapi.json") in routes
    for method, path in [*routes, ("GET", "/no-such-route")]:
        r = guarded.request(method, path, json={"items": [ITEM]})
        if path == "/healthz":
            assert r.status_code == 200, path
            continue
        assert r.status_code == 401, (method, path, r.status_code)
        assert r.headers["www-authenticate"] == "Bearer"
        assert r.json() == {"detail": "missing or wrong bearer token"}


def test_right_token_is_let_through(guarded: TestClient) -> None:
    r = guarded.post("/v1/rewards", json={"items": [ITEM]}, headers=OK_HEADERS)
    assert r.status_code == 200
    assert r.json()["results"][0]["reward"] == 1.0
    assert guarded.get("/metrics", headers=OK_HEADERS).status_code == 200
    assert guarded.get("/openapi.json", headers=OK_HEADERS).status_code == 200
    assert guarded.get("/v1/jobs/nope", headers=OK_HEADERS).status_code == 404
    # The scheme is case-insensitive (RFC 7235); surrounding white space is tolerated.
    assert guarded.get("/metrics", headers={"Authorization": f"bearer  {TOKEN} "}).status_code == (
        200
    )


@pytest.mark.parametrize(
    "value",
    [
        "",
        TOKEN,  # no scheme
        f"Basic {TOKEN}",
        f"Token {TOKEN}",
        "Bearer",
        "Bearer ",
        f"Bearer {TOKEN[:-1]}",  # a prefix
        f"Bearer {TOKEN}x",  # a longer one
        f"Bearer {TOKEN.upper()}",
        f"Bearer x{TOKEN[1:]}",  # differs in the first byte
        f"Bearer {TOKEN[:-1]}3",  # differs in the last byte
        f"Bearer {TOKEN}\t{TOKEN}",
    ],
)
def test_wrong_tokens_are_401(guarded: TestClient, value: str) -> None:
    r = guarded.post("/v1/rewards", json={"items": [ITEM]}, headers={"Authorization": value})
    assert r.status_code == 401


def test_auth_comes_before_reading_the_body(guarded: TestClient) -> None:
    # A body over the size limit: without the token the answer is 401, not 413 or 422.
    big = b"[" * 50_000
    headers = {"content-type": "application/json"}
    assert guarded.post("/v1/rewards", content=big, headers=headers).status_code == 401
    assert (
        guarded.post("/v1/rewards", content=big, headers={**headers, **OK_HEADERS}).status_code
        == 413
    )


def test_token_is_compared_in_constant_time(
    guarded: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The secret is compared with hmac.compare_digest (whose running time does not depend on
    where the first differing byte is), never with ==, on every guarded request."""
    calls: list[tuple[bytes, bytes]] = []
    real = hmac.compare_digest

    def spy(a: bytes, b: bytes) -> bool:
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(api_module.hmac, "compare_digest", spy)
    guarded.get("/metrics", headers={"Authorization": "Bearer wrong"})
    guarded.get("/metrics", headers=OK_HEADERS)
    guarded.get("/metrics")
    assert calls == [
        (b"wrong", TOKEN.encode()),
        (TOKEN.encode(), TOKEN.encode()),
        (b"", TOKEN.encode()),
    ]


def test_non_ascii_token_matches_its_utf8_bytes() -> None:
    token = "clé-秘密"
    settings = Settings.load(env={}, workers=1, api_token=token)
    with TestClient(create_app(settings)) as client:
        raw = b"Bearer " + token.encode()
        assert client.get("/metrics", headers={"Authorization": raw}).status_code == 200
        assert (
            client.get("/metrics", headers={"Authorization": b"Bearer cl\xe9"}).status_code == 401
        )


def test_no_token_configured_means_open() -> None:
    settings = Settings.load(env={"REWARDKIT_API_TOKEN": ""}, workers=1)
    assert settings.api_token is None
    with TestClient(create_app(settings)) as client:
        assert client.get("/metrics").status_code == 200


def test_live_server_reads_the_token_from_the_environment() -> None:
    proc, url = start_server("--workers", "1", env={"REWARDKIT_API_TOKEN": TOKEN})
    try:
        assert httpx.get(url + "/healthz").status_code == 200
        assert httpx.post(url + "/v1/rewards", json={"items": [ITEM]}).status_code == 401
        assert httpx.get(url + "/docs").status_code == 401
        r = httpx.post(url + "/v1/rewards", json={"items": [ITEM]}, headers=OK_HEADERS)
        assert r.status_code == 200 and r.json()["results"][0]["reward"] == 1.0
    finally:
        stop_server(proc)
