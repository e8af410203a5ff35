"""Limits and hostile bodies against a live server: oversized bodies are refused (413) before
they are read into memory, whatever the client claims; item count and completion size give 413;
broken, deeply nested or ill-typed JSON gives a 4xx naming the problem, never a 500."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from app.api.app import create_app
from app.config import Settings
from tests.conftest import start_server, stop_server
from tests.helpers.timing import HANG_S

MAX_BODY = 1 << 20  # 1 MiB for the live server below
MAX_ITEMS = 8
MAX_COMPLETION = 1000
FIFTY_MB = 50 << 20
ITEM = {"completion": "<think>r</think> 4", "checks": {"format": {}}}


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[str, int]]:
    """A live `rewardkit serve` with small limits; yields its URL and pid."""
    env = {
        "REWARDKIT_MAX_BODY_BYTES": str(MAX_BODY),
        "REWARDKIT_MAX_ITEMS": str(MAX_ITEMS),
        "REWARDKIT_MAX_COMPLETION_BYTES": str(MAX_COMPLETION),
    }
    proc, url = start_server("--workers", "1", env=env)
    try:
        yield url, proc.pid
    finally:
        stop_server(proc)


def rss_kib(pid: int) -> int:
    """Resident memory of a process, in KiB."""
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def connect(url: str) -> socket.socket:
    port = int(url.rsplit(":", 1)[1])
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    return sock


def read_status(sock: socket.socket) -> int:
    """The status code of the HTTP answer on `sock`."""
    data = b""
    while b"\r\n" not in data:
        chunk = sock.recv(4096)
        if not chunk:
            break
        data += chunk
    return int(data.split(b" ", 2)[1])


def post_raw(url: str, headers: str, body: bytes = b"") -> int:
    with connect(url) as sock:
        sock.sendall(f"POST /v1/rewards HTTP/1.1\r\nHost: t\r\n{headers}\r\n".encode() + body)
        return read_status(sock)


def test_content_length_over_the_limit_is_413_without_sending_the_body(server) -> None:
    url, _ = server
    start = time.monotonic()
    # The client claims 50 MB and sends nothing: the answer cannot wait for the body.
    status = post_raw(url, f"Content-Type: application/json\r\nContent-Length: {FIFTY_MB}\r\n")
    assert status == 413
    assert time.monotonic() - start < HANG_S


def test_chunked_body_is_cut_off_at_the_limit(server) -> None:
    """No Content-Length at all: the server counts while it streams and stops at the limit."""
    url, pid = server
    before = rss_kib(pid)
    chunk = b"[" * 65536
    sent = 0
    with connect(url) as sock:
        sock.sendall(
            b"POST /v1/rewards HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        try:
            while sent < FIFTY_MB:
                sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                sent += len(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed: what we want
        assert read_status(sock) == 413
    # It stopped reading near the limit (plus socket buffers), far short of 50 MB.
    assert sent < 16 * MAX_BODY
    assert rss_kib(pid) - before < 16 * 1024


def test_real_50mb_body_is_413_quickly_and_memory_stays_flat(server) -> None:
    url, pid = server
    body = b'{"items": [{"completion": "' + b"a" * FIFTY_MB + b'", "checks": {"format": {}}}]}'
    before = rss_kib(pid)
    start = time.monotonic()
    try:
        r = httpx.post(
            url + "/v1/rewards",
            content=body,
            headers={"content-type": "application/json"},
            timeout=30,
        )
        assert r.status_code == 413
        assert str(MAX_BODY) in r.json()["detail"]
    except httpx.WriteError:
        pass  # the server may close before the client finished writing: still refused
    assert time.monotonic() - start < HANG_S
    # 50 MB never went into the server's memory.
    assert rss_kib(pid) - before < 16 * 1024
    assert httpx.get(url + "/healthz").status_code == 200


def test_lying_content_length_smaller_than_the_body(server) -> None:
    """A body longer than its Content-Length: the extra bytes are not read as this body."""
    url, _ = server
    body = json.dumps({"items": [ITEM]}).encode()
    status = post_raw(
        url, "Content-Type: application/json\r\nContent-Length: 5\r\n", body + b" " * 100
    )
    assert 400 <= status < 500


@pytest.mark.parametrize("value", ["abc", "-1", "1e3", "", "12 34"])
def test_malformed_content_length_is_400(server, value: str) -> None:
    url, _ = server
    status = post_raw(url, f"Content-Type: application/json\r\nContent-Length: {value}\r\n")
    assert status == 400


def test_item_count_over_the_limit_is_413(server) -> None:
    url, _ = server
    ok = httpx.post(url + "/v1/rewards", json={"items": [ITEM] * MAX_ITEMS})
    assert ok.status_code == 200
    for route in ("/v1/rewards", "/v1/jobs"):
        r = httpx.post(url + route, json={"items": [ITEM] * (MAX_ITEMS + 1)})
        assert r.status_code == 413, route
        assert f"{MAX_ITEMS + 1} items" in r.json()["detail"]


def test_completion_bytes_over_the_limit_is_413(server) -> None:
    url, _ = server
    fits = {"completion": "é" * (MAX_COMPLETION // 2), "checks": {"format": {}}}
    assert httpx.post(url + "/v1/rewards", json={"items": [fits]}).status_code == 200
    # One character more is one code point but two bytes over: bytes are what count.
    over = {"completion": "é" * (MAX_COMPLETION // 2 + 1), "checks": {"format": {}}}
    for route in ("/v1/rewards", "/v1/jobs"):
        r = httpx.post(url + route, json={"items": [ITEM, over]})
        assert r.status_code == 413, route
        assert "items[1].completion" in r.json()["detail"]


HOSTILE = {
    "empty": b"",
    "not json": b"{items: [}",
    "truncated": b'{"items": [{"completion": "x", ',
    "100k nested arrays": b"[" * 100_000 + b"]" * 100_000,
    "100k nested arrays, unclosed": b"[" * 100_000,
    "100k nested objects": b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
    "nesting inside a field": b'{"items": [{"completion": "x", "checks": {"format": {"answer_tag": '
    + b"[" * 1000
    + b"]" * 1000
    + b"}}}]}",
    "nesting as an item": b'{"items": [' + b"[" * 1000 + b"]" * 1000 + b"]}",
    "nested weights": b'{"items": [], "weights": {"format": ' + b"[" * 900 + b"]" * 900 + b"}}",
    "top-level array": b"[]",
    "top-level null": b"null",
    "top-level string": b'"items"',
    "lone surrogate": b'{"items": [{"completion": "\\ud800", "checks": {"format": {}}}]}',
    "invalid utf-8": b'{"items": [{"completion": "\xff\xfe", "checks": {"format": {}}}]}',
    "NaN weight": b'{"items": [], "weights": {"format": NaN}}',
    "huge number": b'{"items": [], "weights": {"format": 1' + b"0" * 5000 + b"}}",
    "duplicate keys": b'{"items": [], "items": 5}',
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_json_is_4xx(server, name: str) -> None:
    url, _ = server
    for route in ("/v1/rewards", "/v1/jobs"):
        r = httpx.post(
            url + route, content=HOSTILE[name], headers={"content-type": "application/json"}
        )
        assert 400 <= r.status_code < 500, (route, r.status_code, r.text[:300])
        assert r.json()["detail"]
    assert httpx.get(url + "/healthz").status_code == 200


@pytest.mark.parametrize(
    ("item", "loc"),
    [
        ({"completion": 5, "checks": {"format": {}}}, ["body", "items", 1, "completion"]),
        ({"completion": "x", "checks": []}, ["body", "items", 1, "checks"]),
        (
            {"completion": "x", "checks": {"format": {"answer_tag": "perhaps"}}},
            ["body", "items", 1, "checks", "format", "answer_tag"],
        ),
        (
            {"completion": "x", "checks": {"language": {"target": 7}}},
            ["body", "items", 1, "checks", "language", "target"],
        ),
        (
            {"completion": "x", "checks": {"format": {}}, "weights": {"format": "heavy"}},
            ["body", "items", 1, "weights", "format"],
        ),
        ({"checks": {"format": {}}}, ["body", "items", 1, "completion"]),
    ],
)
def test_wrong_types_are_422_naming_the_field(server, item: dict, loc: list) -> None:
    url, _ = server
    r = httpx.post(url + "/v1/rewards", json={"items": [ITEM, item]})
    assert r.status_code == 422
    assert loc in [e["loc"] for e in r.json()["detail"]]


def test_unknown_check_is_422_naming_it(server) -> None:
    url, _ = server
    bad = {"completion": "x", "checks": {"format": {}, "astrology": {"sign": "leo"}}}
    r = httpx.post(url + "/v1/rewards", json={"items": [ITEM, bad]})
    assert r.status_code == 422
    assert ["body", "items", 1, "checks", "astrology"] in [e["loc"] for e in r.json()["detail"]]
    r = httpx.post(url + "/v1/rewards", json={"items": [ITEM], "weights": {"astrology": 1.0}})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][:2] == ["body", "weights"]


def test_validation_errors_do_not_echo_the_completion(server) -> None:
    url, _ = server
    secret = "PRIVATE-COMPLETION-TEXT-81727"
    r = httpx.post(url + "/v1/rewards", json={"items": [{"completion": secret, "checks": 3}]})
    assert r.status_code == 422
    assert secret not in r.text


def test_every_body_route_enforces_the_size_limit() -> None:
    """Each POST route refuses a body over the limit with 413: a route that let FastAPI read
    its body whole (a pydantic body parameter) would fill memory first."""
    settings = Settings.load(env={}, workers=1, max_body_bytes=1000)
    app = create_app(settings)
    paths = app.openapi()["paths"]
    posts = [path for path, ops in paths.items() if "post" in ops]
    assert "/v1/rewards" in posts and "/v1/jobs" in posts
    body = b'{"items": [' + b'{"completion": "x", "checks": {"format": {}}}, ' * 100 + b"]}"
    with TestClient(app) as client:
        for path in posts:
            r = client.post(path, content=body, headers={"content-type": "application/json"})
            assert r.status_code == 413, f"{path} answered {r.status_code} to an oversized body"
