"""Majority vote (self-consistency) and best-of-N for evaluation scripts, via POST /v1/select.

    from rewardkit.integrations.select import select_sync, summarise
    groups = [{"id": "q1", "gold": "1/2", "completions": ["... \\\\boxed{0.5}", "..."]}]
    answers = select_sync(groups, url="http://127.0.0.1:8000")
    summarise(groups, answers)   # {"maj@N": ..., "pass@N": ..., ...}

Answers are clustered by the server's mathematical equivalence (not string equality). Unlike
reward scoring during training, an evaluation that cannot get its answers should stop, so these
functions raise `SelectError` once the client's retries are spent.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from rewardkit.client import GaveUp, RewardClient

#: Completions per request by default (the server caps requests at REWARDKIT_MAX_ITEMS).
MAX_COMPLETIONS = 1024


class SelectError(RuntimeError):
    """The service refused a request or could not be reached after the retries."""


def batches(
    groups: Sequence[Mapping[str, Any]], max_completions: int = MAX_COMPLETIONS
) -> Iterator[list[Mapping[str, Any]]]:
    """Consecutive groups, at most `max_completions` completions per batch (a group is never
    split; one larger than the cap travels alone)."""
    batch: list[Mapping[str, Any]] = []
    size = 0
    for group in groups:
        n = len(group.get("completions", []))
        if batch and size + n > max_completions:
            yield batch
            batch, size = [], 0
        batch.append(group)
        size += n
    if batch:
        yield batch


async def select(
    groups: Sequence[Mapping[str, Any]],
    *,
    client: RewardClient | None = None,
    max_completions: int = MAX_COMPLETIONS,
    **client_options: Any,
) -> list[dict[str, Any]]:
    """The service's answer for every group, in order: clusters, majority, no_answer, and
    best_of_n / pass_at_n when checks or a gold are given. `client_options` (url, token,
    timeout, retries, ...) build a `RewardClient` when none is passed."""
    own = client is None
    rc = client or RewardClient(**client_options)
    out: list[dict[str, Any]] = []
    try:
        for batch in batches(groups, max_completions):
            try:
                resp = await rc.request("POST", "/v1/select", json={"groups": list(batch)})
            except GaveUp as exc:
                raise SelectError(str(exc)) from None
            if resp.status_code != 200:
                raise SelectError(f"POST /v1/select answered {resp.status_code}: {resp.text[:500]}")
            out.extend(resp.json()["groups"])
    finally:
        if own:
            await rc.aclose()
    return out


def select_sync(
    groups: Sequence[Mapping[str, Any]],
    *,
    client: RewardClient | None = None,
    max_completions: int = MAX_COMPLETIONS,
    **client_options: Any,
) -> list[dict[str, Any]]:
    """Blocking twin of `select`."""
    rc = client or RewardClient(**client_options)
    try:
        return rc.run_sync(select(groups, client=rc, max_completions=max_completions))
    finally:
        if client is None:
            rc.close()


def summarise(
    groups: Sequence[Mapping[str, Any]], answers: Sequence[Mapping[str, Any]]
) -> dict[str, float]:
    """maj@N and pass@N over the groups with a gold, the mean majority share, and the share of
    completions without an answer."""
    graded = [a for a in answers if "pass_at_n" in a]
    completions = sum(len(g.get("completions", [])) for g in groups)

    def rate(hits: float, total: int) -> float:
        return hits / total if total else float("nan")

    return {
        "groups": len(groups),
        "graded": len(graded),
        "maj@N": rate(
            sum(bool(a["majority"] and a["majority"].get("correct")) for a in graded), len(graded)
        ),
        "pass@N": rate(sum(a["pass_at_n"] is True for a in graded), len(graded)),
        "mean majority share": rate(
            sum(a["majority"]["share"] if a["majority"] else 0.0 for a in answers), len(answers)
        ),
        "no-answer rate": rate(sum(len(a["no_answer"]) for a in answers), completions),
    }
