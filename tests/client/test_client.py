"""RewardClient against the real server (scoring, batching, refused items, jobs) and against a
misbehaving fake (hangs, drops, 503/429 with Retry-After, bounded concurrency)."""

from __future__ import annotations

import asyncio
import time

import pytest

from rewardkit import Item, RewardClient
from rewardkit.jobs import Part, Pending
from tests.client.fake_server import Reply, Request, echo_results, fake_server
from tests.conftest import free_port

GOOD = "<think>two and two</think> 4"
BAD = "4, no reasoning"


def fmt(completion: str, item_id: str | None = None) -> dict:
    item: dict = {"completion": completion, "checks": {"format": {}}}
    if item_id is not None:
        item["id"] = item_id
    return item


# --- the real server ---------------------------------------------------------------------


async def test_score_async(live_server: str) -> None:
    client = RewardClient(live_server)
    try:
        results = await client.score([fmt(GOOD, "a"), fmt(BAD, "b")])
    finally:
        await client.aclose()
    assert [r.id for r in results] == ["a", "b"]
    assert [r.reward for r in results] == [1.0, 0.0]
    assert results[0].scores == {"format": 1.0}
    assert results[1].details["format"]["status"] == "bad_format"
    assert results[0].ok and results[0].error is None


def test_score_sync_with_item_dataclasses_and_weights(live_server: str) -> None:
    with RewardClient(live_server) as client:
        results = client.score_sync(
            [Item(GOOD, {"format": {}}), Item(GOOD, {"format": {}}, weights={"format": 0.5})],
            weights={"format": 2.0},
        )
    # default ids are the items' indices; the item weight overrides the batch weight
    assert [(r.id, r.reward) for r in results] == [("0", 2.0), ("1", 0.5)]


async def test_score_sync_inside_a_running_loop(live_server: str) -> None:
    # TRL calls sync reward functions from code that may run inside an event loop.
    with RewardClient(live_server) as client:
        assert [r.reward for r in client.score_sync([fmt(GOOD)])] == [1.0]


def test_big_list_is_split_into_batches_in_order(live_server: str) -> None:
    items = [fmt(GOOD if i % 3 else BAD) for i in range(25)]
    with RewardClient(live_server, batch_size=4, max_concurrency=3) as client:
        results = client.score_sync(items)
    # ids are global indices, not indices within each batch of 4
    assert [r.id for r in results] == [str(i) for i in range(25)]
    assert [r.reward for r in results] == [1.0 if i % 3 else 0.0 for i in range(25)]


def test_refused_item_does_not_cost_its_batch(live_server: str) -> None:
    items = [fmt(GOOD), {"completion": GOOD, "checks": {"no_such_check": {}}}, fmt(BAD), 42]
    with RewardClient(live_server, batch_size=8) as client:
        results = client.score_sync(items)  # type: ignore[arg-type]
    assert [r.reward for r in results] == [1.0, None, 0.0, None]
    assert results[1].details["client"]["status"] == "invalid"
    assert "no_such_check" in (results[1].error or "")
    assert results[3].details["client"]["status"] == "invalid"


def test_empty_list(live_server: str) -> None:
    with RewardClient(live_server) as client:
        assert client.score_sync([]) == []


async def test_jobs_submit_now_collect_later(live_server: str) -> None:
    client = RewardClient(live_server, batch_size=3)
    try:
        pending = await client.submit([fmt(GOOD if i % 2 else BAD) for i in range(7)])
        assert len(pending.job_ids) == 3  # 7 items in batches of 3
        results = await client.collect(pending, timeout=30)
    finally:
        await client.aclose()
    assert [r.id for r in results] == [str(i) for i in range(7)]
    assert [r.reward for r in results] == [1.0 if i % 2 else 0.0 for i in range(7)]


def test_jobs_sync_and_unknown_job(live_server: str) -> None:
    with RewardClient(live_server) as client:
        pending = client.submit_sync([fmt(GOOD)])
        assert [r.reward for r in client.collect_sync(pending)] == [1.0]
        ghost = Pending(1, [Part("0" * 32, [0], ["x"])])
        (lost,) = client.collect_sync(ghost)
    assert lost.reward is None and lost.id == "x"
    assert "unknown" in (lost.error or "")


def test_url_from_environment(live_server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REWARDKIT_URL", live_server)
    with RewardClient() as client:
        assert client.url == live_server
        assert client.score_sync([fmt(GOOD)])[0].reward == 1.0
    monkeypatch.delenv("REWARDKIT_URL")
    with pytest.raises(ValueError, match="REWARDKIT_URL"):
        RewardClient()


# --- a misbehaving server ----------------------------------------------------------------


def test_hanging_server_gives_none_after_retries() -> None:
    with fake_server("hang") as srv:
        client = RewardClient(srv.url, timeout=0.3, retries=2, backoff=0.01)
        start = time.monotonic()
        results = client.score_sync([fmt(GOOD, "a"), fmt(BAD, "b")])
        elapsed = time.monotonic() - start
        client.close()
    assert [r.reward for r in results] == [None, None]
    assert [r.id for r in results] == ["a", "b"]
    assert "3 attempts" in (results[0].error or "")
    assert "Timeout" in (results[0].error or "")
    assert srv.connections == 3
    assert elapsed < 5  # 3 × 0.3 s plus backoff: it never hangs for long


def test_dropping_server_gives_none_after_retries() -> None:
    with fake_server("drop") as srv, RewardClient(srv.url, retries=3, backoff=0.01) as client:
        results = client.score_sync([fmt(GOOD)])
    assert results[0].reward is None
    assert results[0].details["client"]["status"] == "error"
    assert srv.connections == 4


def test_nobody_listening_gives_none() -> None:
    with RewardClient(f"http://127.0.0.1:{free_port()}", retries=1, backoff=0.01) as client:
        (result,) = client.score_sync([fmt(GOOD)])
    assert result.reward is None and "ConnectError" in (result.error or "")


@pytest.mark.parametrize("status", [503, 429])
def test_retry_after_is_honoured(status: int) -> None:
    def handler(req: Request) -> Reply:
        if len(srv.requests) == 1:
            return Reply(status, {"detail": "busy"}, {"Retry-After": "1"})
        return echo_results(req)

    # backoff alone would wait ~10 ms: the 1 s gap can only come from Retry-After
    with (
        fake_server("answer", handler) as srv,
        RewardClient(srv.url, retries=2, backoff=0.01) as client,
    ):
        (result,) = client.score_sync([fmt(GOOD)])
    assert result.reward == 1.0
    assert len(srv.requests) == 2
    gap = srv.requests[1].at - srv.requests[0].at
    assert 0.9 <= gap < 3


def test_retryable_status_until_out_of_retries() -> None:
    with (
        fake_server("answer", lambda _: Reply(502, {"detail": "bad gateway"})) as srv,
        RewardClient(srv.url, retries=2, backoff=0.01) as client,
    ):
        (result,) = client.score_sync([fmt(GOOD)])
    assert result.reward is None and "HTTP 502" in (result.error or "")
    assert len(srv.requests) == 3


def test_backoff_grows_exponentially() -> None:
    with (
        fake_server("answer", lambda _: Reply(503, {"detail": "busy"})) as srv,
        RewardClient(srv.url, retries=3, backoff=0.2, max_backoff=10) as client,
    ):
        client.score_sync([fmt(GOOD)])
    gaps = [b.at - a.at for a, b in zip(srv.requests, srv.requests[1:], strict=False)]
    # backoff × 2**k × jitter in [0.5, 1]: 0.1–0.2, 0.2–0.4, 0.4–0.8 s
    for k, gap in enumerate(gaps):
        assert 0.2 * 2**k * 0.5 - 0.02 <= gap <= 0.2 * 2**k + 0.3, gaps


def test_batches_run_concurrently_up_to_the_limit() -> None:
    def slow(req: Request) -> Reply:
        reply = echo_results(req)
        reply.delay = 0.3
        return reply

    with (
        fake_server("answer", slow) as srv,
        RewardClient(srv.url, batch_size=2, max_concurrency=3) as client,
    ):
        start = time.monotonic()
        results = client.score_sync([fmt(GOOD, f"i{i}") for i in range(12)])
        elapsed = time.monotonic() - start
    assert [r.id for r in results] == [f"i{i}" for i in range(12)]
    assert len(srv.requests) == 6
    assert [len(r.body["items"]) for r in srv.requests] == [2] * 6
    assert srv.max_in_flight == 3
    assert elapsed < 6 * 0.3  # concurrent, not one after another


def test_token_is_sent() -> None:
    with fake_server() as srv, RewardClient(srv.url, token="s3cret") as client:
        client.score_sync([fmt(GOOD)])
    assert srv.requests[0].headers["authorization"] == "Bearer s3cret"


async def test_concurrent_async_callers_share_the_limit() -> None:
    def slow(req: Request) -> Reply:
        reply = echo_results(req)
        reply.delay = 0.2
        return reply

    with fake_server("answer", slow) as srv:
        client = RewardClient(srv.url, max_concurrency=2)
        try:
            out = await asyncio.gather(*(client.score([fmt(GOOD)]) for _ in range(6)))
        finally:
            await client.aclose()
    assert all(r[0].reward == 1.0 for r in out)
    assert srv.max_in_flight == 2
