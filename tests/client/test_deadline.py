"""The trainer side of batch deadlines: `RewardClient(...).score(..., deadline=)` and the TRL
and verl adapters send the time left as `deadline_s`, never retry past it, and hand back
`None` for checks the service could not finish in time."""

from __future__ import annotations

import asyncio

import pytest

from rewardkit import RewardClient
from rewardkit.integrations import trl, verl
from tests.client.fake_server import Reply, Request, fake_server

ITEM = {"completion": "<think>r</think> 4", "checks": {"format": {}}}


def half_deadline(req: Request) -> Reply:
    """Scores the first item, answers `deadline` for the rest (as the service does)."""
    rows = []
    for k, it in enumerate(req.body["items"]):
        if k == 0:
            rows.append({"id": it["id"], "reward": 1.0, "scores": {"format": 1.0}, "details": {}})
        else:
            detail = {"status": "deadline", "message": "not scored by the batch deadline"}
            rows.append(
                {
                    "id": it["id"],
                    "reward": None,
                    "scores": {"format": None},
                    "details": {"format": detail},
                }
            )
    return Reply(body={"results": rows})


def test_score_sends_the_time_left_and_passes_deadline_results_through() -> None:
    with fake_server(handler=half_deadline) as srv, RewardClient(srv.url) as client:
        results = client.score_sync([ITEM, ITEM], deadline=20.0)
    (req,) = srv.requests
    assert 15.0 < req.body["deadline_s"] <= 20.0  # what was left when it was sent
    assert [r.reward for r in results] == [1.0, None]
    assert results[1].details["format"]["status"] == "deadline" and results[1].error is None


def test_without_a_deadline_nothing_is_sent() -> None:
    with fake_server(handler=half_deadline) as srv, RewardClient(srv.url) as client:
        client.score_sync([ITEM])
    assert "deadline_s" not in srv.requests[0].body


def test_no_retry_starts_past_the_deadline() -> None:
    def busy(_: Request) -> Reply:
        return Reply(503, {"detail": "busy"}, {"Retry-After": "30"})

    with fake_server(handler=busy) as srv, RewardClient(srv.url, retries=5) as client:
        (result,) = client.score_sync([ITEM], deadline=2.0)
    # One attempt: waiting the 30 s Retry-After would overrun the 2 s deadline.
    assert len(srv.requests) == 1
    assert result.reward is None and "deadline" in (result.error or "")


def test_submit_carries_the_deadline() -> None:
    def accepted(_: Request) -> Reply:
        return Reply(202, {"job_id": "j1"})

    async def go(client: RewardClient) -> None:
        await client.submit([ITEM], deadline=10.0)

    with fake_server(handler=accepted) as srv:
        client = RewardClient(srv.url)
        asyncio.run(go(client))
    assert 5.0 < srv.requests[0].body["deadline_s"] <= 10.0


@pytest.mark.parametrize("bad", [0, -1.0])
def test_a_deadline_must_be_positive(bad: float) -> None:
    client = RewardClient("http://127.0.0.1:9")
    with pytest.raises(ValueError, match="deadline"):
        client.score_sync([ITEM], deadline=bad)
    with pytest.raises(ValueError, match="deadline"):
        trl.reward_function("http://127.0.0.1:9", checks={"format": {}}, deadline=bad)


def test_trl_functions_pass_the_deadline_and_give_none_for_deadline_items() -> None:
    with fake_server(handler=half_deadline) as srv:
        (fn,) = trl.reward_functions(srv.url, checks={"format": {}}, deadline=20.0)
        values = fn(prompts=["p", "p"], completions=["<think>a</think> 1", "<think>b</think> 2"])
    assert values == [1.0, None]
    assert 15.0 < srv.requests[0].body["deadline_s"] <= 20.0


def test_verl_passes_the_deadline_and_flags_deadline_samples() -> None:
    with fake_server(handler=half_deadline) as srv:
        out = verl.compute_score_batch(
            ["gsm8k", "gsm8k"],
            ["\\boxed{1}", "\\boxed{2}"],
            ["1", "2"],
            url=srv.url,
            return_dict=True,
            deadline=20.0,
        )
        skipped = verl.compute_score_batch(
            ["gsm8k", "gsm8k"], ["a", "b"], ["1", "2"], url=srv.url, default=None, deadline=20.0
        )
    assert [o["rewardkit_ok"] for o in out] == [True, False]
    assert [o["rewardkit_deadline"] for o in out] == [False, True]
    assert out[1]["score"] == 0.0  # verl needs a number: `default`
    assert skipped == [1.0, None]  # ...or None, when asked for
    assert all(15.0 < r.body["deadline_s"] <= 20.0 for r in srv.requests)


def test_a_real_service_accepts_the_deadline(live_server: str) -> None:
    with RewardClient(live_server) as client:
        (result,) = client.score_sync([ITEM], deadline=30.0)
    assert result.reward == 1.0
