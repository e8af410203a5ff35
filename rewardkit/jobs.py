"""Submit now, collect later: the client side of `POST /v1/jobs` and `GET /v1/jobs/{id}`.

A trainer submits the rewards of rollout group k, goes on generating group k+1, and collects
group k's results when it needs them:

    pending = await client.submit(items_k)
    ...generate group k+1...
    results_k = await client.collect(pending)

Like `score`, neither call raises for service trouble: items that could not be queued or whose
job failed or expired come back from `collect` with `reward=None` and `details["client"]`.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx

from rewardkit.types import GaveUp, ItemLike, Payload, Result, failed, item_payload

#: Longest single long-poll; the server allows up to 300 s, shorter polls survive proxies.
POLL_S = 30.0


@dataclass(slots=True)
class Part:
    """One queued job: which of the caller's items it holds (by index) and their ids."""

    job_id: str
    indices: list[int]
    ids: list[str]


@dataclass(slots=True)
class Pending:
    """What `submit` returns: the queued jobs, and the items already settled (refused or
    unsubmittable), by their index in the submitted list."""

    size: int
    parts: list[Part] = field(default_factory=list)
    settled: dict[int, Result] = field(default_factory=dict)

    @property
    def job_ids(self) -> list[str]:
        return [p.job_id for p in self.parts]


#: `RewardClient.post_items` and `RewardClient.request`, passed in: the client imports this
#: module, not the other way round.
PostItems = Callable[..., Awaitable[tuple[dict[int, Result], list[Payload], Any]]]
Request = Callable[..., Awaitable[httpx.Response]]


async def submit(
    post_items: PostItems,
    batch_size: int,
    items: Sequence[ItemLike],
    weights: Mapping[str, float] | None,
    until: float | None = None,
) -> Pending:
    """Queue `items` in batches of `batch_size`, concurrently (with `until`, a
    `time.monotonic()` deadline the jobs carry)."""
    pending = Pending(len(items))
    payloads: list[Payload] = []
    for i, item in enumerate(items):
        try:
            payloads.append((i, item_payload(item, str(i))))
        except (TypeError, ValueError) as exc:
            pending.settled[i] = failed(str(i), str(exc), "invalid")
    size = batch_size
    batches = [payloads[k : k + size] for k in range(0, len(payloads), size)]
    answers = await asyncio.gather(*(post_items("/v1/jobs", b, weights, until) for b in batches))
    for settled, kept, answer in answers:
        pending.settled.update(settled)
        job_id = answer.get("job_id") if isinstance(answer, dict) else None
        if isinstance(job_id, str) and kept:
            pending.parts.append(Part(job_id, [i for i, _ in kept], [p["id"] for _, p in kept]))
        else:
            reason = answer if isinstance(answer, str) else "malformed answer from the service"
            for i, p in kept:
                pending.settled[i] = failed(p["id"], reason)
    return pending


async def collect(
    request: Request, request_timeout: float, pending: Pending, timeout: float | None
) -> list[Result]:
    """Wait for every part of `pending` (long-polling), up to `timeout` seconds in all; each
    poll may take `request_timeout` beyond its wait."""
    deadline = None if timeout is None else time.monotonic() + timeout
    results: dict[int, Result] = dict(pending.settled)
    answers = await asyncio.gather(
        *(_collect_part(request, request_timeout, p, deadline) for p in pending.parts)
    )
    for part, rows in zip(pending.parts, answers, strict=True):
        results.update(zip(part.indices, rows, strict=True))
    return [results[i] for i in range(pending.size)]


async def _collect_part(
    request: Request, request_timeout: float, part: Part, deadline: float | None
) -> list[Result]:
    def all_failed(message: str, status: str = "error") -> list[Result]:
        return [failed(i, f"job {part.job_id}: {message}", status) for i in part.ids]

    while True:
        remaining = POLL_S if deadline is None else deadline - time.monotonic()
        wait = max(0.0, min(POLL_S, remaining))
        try:
            resp = await request(
                "GET",
                f"/v1/jobs/{part.job_id}",
                params={"wait": f"{wait:.3f}"},
                timeout=wait + request_timeout,
            )
        except GaveUp as exc:
            return all_failed(str(exc))
        if resp.status_code == 404:
            return all_failed("unknown to the service (expired?)")
        if resp.status_code != 200:
            return all_failed(f"HTTP {resp.status_code}: {resp.text[:300]}")
        try:
            state: Any = resp.json()
        except ValueError:
            return all_failed("answer is not JSON")
        status = state.get("status") if isinstance(state, dict) else None
        if status == "done":
            rows = state.get("results")
            if not isinstance(rows, list) or len(rows) != len(part.ids):
                return all_failed("malformed results")
            return [Result.from_json(r) for r in rows]
        if status == "failed":
            return all_failed(str(state.get("error") or "failed"))
        if deadline is not None and time.monotonic() >= deadline:
            return all_failed(f"still {status} when the wait ran out", "timeout")
