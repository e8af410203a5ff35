"""`rewardkit.integrations.select` against a live server: order, batching, equivalence
clustering, summaries, and clear errors."""

from __future__ import annotations

import math

import pytest

from rewardkit import RewardClient
from rewardkit.integrations.select import SelectError, batches, select, select_sync, summarise
from tests.conftest import free_port

GROUPS = [
    {
        "id": "q1",
        "gold": "1/2",
        "completions": ["so \\boxed{0.5}", "\\boxed{\\frac12}", "\\boxed{2}"],
    },
    {
        "id": "q2",
        "gold": "3",
        "completions": ["\\boxed{4}", "\\boxed{4}", "\\boxed{3}", "no answer here"],
    },
    {"id": "q3", "completions": ["\\boxed{x+1}", "\\boxed{1+x}"]},
]


def test_select_sync_clusters_by_equivalence(live_server: str) -> None:
    answers = select_sync(GROUPS, url=live_server, max_completions=4)  # forces 3 requests
    assert [a["id"] for a in answers] == ["q1", "q2", "q3"]
    q1, q2, q3 = answers
    assert q1["majority"]["members"] == [0, 1] and q1["majority"]["correct"] is True
    assert q2["majority"]["members"] == [0, 1] and q2["majority"]["correct"] is False
    assert q2["pass_at_n"] is True and q2["no_answer"] == [3]
    assert q3["majority"]["members"] == [0, 1] and "pass_at_n" not in q3

    summary = summarise(GROUPS, answers)
    assert summary["graded"] == 2
    assert summary["maj@N"] == 0.5 and summary["pass@N"] == 1.0
    assert math.isclose(summary["no-answer rate"], 1 / 9)


async def test_select_async_with_a_shared_client(live_server: str) -> None:
    async with RewardClient(live_server) as client:
        answers = await select(GROUPS[:1], client=client)
    assert answers[0]["majority"]["answer"] in ("0.5", "\\frac12")


def test_batches_never_split_a_group() -> None:
    sizes = [[len(g["completions"]) for g in b] for b in batches(GROUPS, max_completions=5)]
    assert sizes == [[3], [4], [2]]


def test_refused_request_raises(live_server: str) -> None:
    with pytest.raises(SelectError, match="422"):
        select_sync([{"id": "bad", "completions": "not a list"}], url=live_server)


def test_unreachable_service_raises_after_retries() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(SelectError, match="attempts"):
        select_sync(GROUPS, url=url, retries=1, backoff=0.01, timeout=2)
