"""`RewardClient`: score completions through a rewardkit service, from a training loop.

What a trainer needs from it:
- big lists are split into batches sent concurrently (`batch_size`, `max_concurrency`);
- connection errors, time-outs and 429/502/503/504 are retried with exponential backoff and
  jitter, honouring `Retry-After`;
- nothing is raised at the trainer: after the last try the affected items come back with
  `reward=None` and `details["client"]` saying why, so a dead service costs missing rewards,
  never a crash or a hang longer than `(retries + 1) × timeout` plus the backoff;
- one bad item (refused with 422/413 naming it) does not cost its batch: it is marked
  invalid and the rest is sent again without it.

Works from async code (`await client.score(items)`), from sync code (`client.score_sync(items)`,
which runs on a private event-loop thread, so it also works inside a running loop and from many
threads at once), and for the jobs API (`submit` now, `collect` later; see `rewardkit.jobs`).
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import re
import threading
import time
import weakref
from collections.abc import Coroutine, Iterable, Mapping, Sequence
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import httpx

from rewardkit import jobs
from rewardkit.jobs import Pending
from rewardkit.types import GaveUp, ItemLike, Payload, Result, failed, item_payload

__all__ = ["GaveUp", "Payload", "RewardClient"]

log = logging.getLogger("rewardkit.client")

T = TypeVar("T")

#: Statuses that mean "try again later" rather than "this request is wrong".
RETRY_STATUSES = frozenset({429, 502, 503, 504})

#: With a deadline, an HTTP attempt waits this much past it for the answer (the service
#: answers by the deadline plus a fraction of a second).
DEADLINE_MARGIN_S = 5.0


class RewardClient:
    """A client of a rewardkit service.

    `url` defaults to the `REWARDKIT_URL` environment variable, `token` to
    `REWARDKIT_API_TOKEN`. `timeout` bounds each HTTP attempt; `retries` is the number of
    attempts after the first. Backoff before retry k (0-based) is `backoff × 2**k` seconds,
    capped at `max_backoff`, times a random factor in [0.5, 1] (jitter keeps many trainer
    processes from retrying in lock-step); a `Retry-After` header replaces it (capped at
    `max_retry_after`).
    """

    def __init__(
        self,
        url: str | None = None,
        token: str | None = None,
        timeout: float = 30.0,
        retries: int = 3,
        batch_size: int = 256,
        max_concurrency: int = 8,
        *,
        backoff: float = 0.5,
        max_backoff: float = 10.0,
        max_retry_after: float = 60.0,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        url = url or os.environ.get("REWARDKIT_URL")
        if not url:
            raise ValueError("no service URL: pass url= or set REWARDKIT_URL")
        if batch_size < 1 or max_concurrency < 1 or retries < 0:
            raise ValueError("batch_size and max_concurrency must be >= 1, retries >= 0")
        self.url = url.rstrip("/")
        token = token if token is not None else os.environ.get("REWARDKIT_API_TOKEN")
        self.timeout = timeout
        self.retries = retries
        self.batch_size = batch_size
        self.max_concurrency = max_concurrency
        self.backoff = backoff
        self.max_backoff = max_backoff
        self.max_retry_after = max_retry_after
        self._headers = {"User-Agent": "rewardkit-client", **(headers or {})}
        if token:
            self._headers["Authorization"] = f"Bearer {token}"
        # httpx.AsyncClient and asyncio.Semaphore belong to one event loop; a trainer may call
        # from several (TRL's async-reward loop, our own sync loop), so keep one per loop.
        self._per_loop: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, tuple[httpx.AsyncClient, asyncio.Semaphore]
        ] = weakref.WeakKeyDictionary()
        self._lock = threading.Lock()
        self._sync_loop: asyncio.AbstractEventLoop | None = None
        self._sync_thread: threading.Thread | None = None

    # --- scoring ------------------------------------------------------------------------

    async def score(
        self,
        items: Iterable[ItemLike],
        weights: Mapping[str, float] | None = None,
        deadline: float | None = None,
    ) -> list[Result]:
        """Score `items` (dicts in the `/v1/rewards` shape or `Item`s): one `Result` per item,
        in order. Never raises for service trouble (see the module docstring).

        `deadline` (seconds from now, e.g. what is left of the trainer's step budget): the
        service answers by then, and a check it could not finish in time comes back with
        status `deadline` and `reward=None` (skip the sample). No retry starts past it."""
        until = _until(deadline)
        results: list[Result | None] = []
        payloads: list[Payload] = []
        for i, item in enumerate(items):
            try:
                payloads.append((i, item_payload(item, str(i))))
                results.append(None)
            except (TypeError, ValueError) as exc:
                results.append(failed(_raw_id(item, i), str(exc), "invalid"))
        batches = [
            payloads[k : k + self.batch_size] for k in range(0, len(payloads), self.batch_size)
        ]
        answers = await asyncio.gather(*(self._score_batch(b, weights, until) for b in batches))
        for batch, answer in zip(batches, answers, strict=True):
            for (i, _), result in zip(batch, answer, strict=True):
                results[i] = result
        return [r for r in results if r is not None]

    def score_sync(
        self,
        items: Iterable[ItemLike],
        weights: Mapping[str, float] | None = None,
        deadline: float | None = None,
    ) -> list[Result]:
        """The blocking twin of `score`; safe from any thread, inside a running loop too."""
        return self.run_sync(self.score(list(items), weights, deadline))

    async def submit(
        self,
        items: Iterable[ItemLike],
        weights: Mapping[str, float] | None = None,
        deadline: float | None = None,
    ) -> Pending:
        """Queue `items` as jobs (`POST /v1/jobs`) and return at once; `collect` later. With
        `deadline` (seconds from now) the jobs finish by then (see `score`)."""
        return await jobs.submit(
            self.post_items, self.batch_size, list(items), weights, _until(deadline)
        )

    async def collect(self, pending: Pending, timeout: float | None = 600.0) -> list[Result]:
        """The results of submitted items, waiting up to `timeout` seconds (None: no limit);
        items not done by then come back with `reward=None`."""
        return await jobs.collect(self.request, self.timeout, pending, timeout)

    def submit_sync(
        self,
        items: Iterable[ItemLike],
        weights: Mapping[str, float] | None = None,
        deadline: float | None = None,
    ) -> Pending:
        """Blocking `submit`."""
        return self.run_sync(self.submit(list(items), weights, deadline))

    def collect_sync(self, pending: Pending, timeout: float | None = 600.0) -> list[Result]:
        """Blocking `collect`."""
        return self.run_sync(self.collect(pending, timeout))

    async def _score_batch(
        self, batch: Sequence[Payload], weights: Mapping[str, float] | None, until: float | None
    ) -> list[Result]:
        results, kept, answer = await self.post_items("/v1/rewards", batch, weights, until)
        if isinstance(answer, str):
            for i, p in kept:
                results[i] = failed(p["id"], answer)
        else:
            rows = answer.get("results") if isinstance(answer, dict) else None
            if not isinstance(rows, list) or len(rows) != len(kept):
                for i, p in kept:
                    results[i] = failed(p["id"], "malformed answer from the service")
            else:
                for (i, _), row in zip(kept, rows, strict=True):
                    results[i] = Result.from_json(row)
        order = {i: k for k, (i, _) in enumerate(batch)}
        return [r for _, r in sorted(results.items(), key=lambda kv: order[kv[0]])]

    async def post_items(
        self,
        path: str,
        batch: Sequence[Payload],
        weights: Mapping[str, float] | None,
        until: float | None = None,
    ) -> tuple[dict[int, Result], list[Payload], Any]:
        """POST a batch of items to `path`, dropping items the service refuses by name. With
        `until` (a `time.monotonic()` instant), the request carries the time left as its
        `deadline_s`.

        Returns (results already settled: refused items, by caller index; the items that were
        sent in the final request; its parsed JSON answer, or an error message string).
        """
        settled: dict[int, Result] = {}
        kept = list(batch)
        while kept:
            body: dict[str, Any] = {"items": [p for _, p in kept]}
            if weights:
                body["weights"] = dict(weights)
            timeout = None
            if until is not None:
                left = until - time.monotonic()
                if left <= 0:
                    return settled, kept, "the deadline passed before the request was sent"
                body["deadline_s"] = round(left, 3)
                timeout = max(self.timeout, left + DEADLINE_MARGIN_S)
            try:
                resp = await self.request("POST", path, json=body, timeout=timeout, until=until)
            except GaveUp as exc:
                log.warning("rewardkit: %d items unscored: %s", len(kept), exc)
                return settled, kept, str(exc)
            if resp.status_code in (200, 202):
                try:
                    return settled, kept, resp.json()
                except ValueError:
                    return settled, kept, f"HTTP {resp.status_code}: answer is not JSON"
            message = f"HTTP {resp.status_code}: {_detail(resp)}"
            bad = _refused_items(resp, len(kept)) if resp.status_code in (413, 422) else {}
            if not bad or len(bad) == len(kept):
                log.warning("rewardkit: request refused: %s", message)
                status = "invalid" if 400 <= resp.status_code < 500 else "error"
                for k, (i, p) in enumerate(kept):
                    settled[i] = failed(p["id"], bad.get(k, message), status)
                return settled, [], "refused"
            for k in bad:
                i, p = kept[k]
                settled[i] = failed(p["id"], bad[k], "invalid")
            kept = [kp for k, kp in enumerate(kept) if k not in bad]
        return settled, [], "refused"

    # --- transport ----------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        params: Mapping[str, Any] | None = None,
        timeout: float | None = None,
        until: float | None = None,
    ) -> httpx.Response:
        """One HTTP exchange with retries: the first answer whose status is not retryable.
        No retry starts after `until` (a `time.monotonic()` instant), if given.

        Raises `GaveUp` when every attempt failed (transport error or retryable status).
        """
        http, limit = self._http()
        last = ""
        for attempt in range(self.retries + 1):
            wait: float | None = None
            try:
                async with limit:
                    resp = await http.request(
                        method, path, json=json, params=params, timeout=timeout or self.timeout
                    )
            except httpx.TransportError as exc:  # connect, read/write timeouts, dropped links
                last = f"{type(exc).__name__}: {exc}".rstrip(": ")
            else:
                if resp.status_code not in RETRY_STATUSES:
                    return resp
                last = f"HTTP {resp.status_code}: {_detail(resp)}"
                wait = _retry_after(resp.headers.get("retry-after"), self.max_retry_after)
            if attempt < self.retries:
                pause = wait if wait is not None else self._backoff(attempt)
                if until is not None and time.monotonic() + pause >= until:
                    raise GaveUp(f"no answer before the deadline; last: {last}")
                await asyncio.sleep(pause)
        raise GaveUp(f"no answer after {self.retries + 1} attempts; last: {last}")

    def _backoff(self, attempt: int) -> float:
        return min(self.max_backoff, self.backoff * 2**attempt) * random.uniform(0.5, 1.0)

    def _http(self) -> tuple[httpx.AsyncClient, asyncio.Semaphore]:
        loop = asyncio.get_running_loop()
        with self._lock:
            pair = self._per_loop.get(loop)
            if pair is None:
                http = httpx.AsyncClient(
                    base_url=self.url,
                    headers=self._headers,
                    timeout=self.timeout,
                    limits=httpx.Limits(
                        max_connections=self.max_concurrency,
                        max_keepalive_connections=self.max_concurrency,
                    ),
                    # A trainer's environment may set proxies for the hub; the reward service
                    # is usually next door, so only honour them when asked to.
                    trust_env=False,
                )
                pair = (http, asyncio.Semaphore(self.max_concurrency))
                self._per_loop[loop] = pair
            return pair

    # --- sync support and lifecycle -----------------------------------------------------

    def run_sync(self, coro: Coroutine[Any, Any, T]) -> T:
        """Run `coro` on the client's private event-loop thread and wait for it."""
        loop = self._ensure_sync_loop()
        if threading.current_thread() is self._sync_thread:
            coro.close()
            raise RuntimeError("score_sync called from the client's own loop; use await score()")
        return asyncio.run_coroutine_threadsafe(coro, loop).result()

    def _ensure_sync_loop(self) -> asyncio.AbstractEventLoop:
        with self._lock:
            if self._sync_loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="rewardkit-client", daemon=True
                )
                thread.start()
                self._sync_loop, self._sync_thread = loop, thread
            return self._sync_loop

    async def aclose(self) -> None:
        """Close the connections this event loop holds."""
        pair = self._per_loop.pop(asyncio.get_running_loop(), None)
        if pair is not None:
            await pair[0].aclose()

    def close(self) -> None:
        """Close the private loop thread and its connections (async callers: `aclose`)."""
        with self._lock:
            loop, thread = self._sync_loop, self._sync_thread
            self._sync_loop = self._sync_thread = None
        if loop is None or thread is None:
            return
        asyncio.run_coroutine_threadsafe(self.aclose(), loop).result(timeout=10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)
        loop.close()

    async def __aenter__(self) -> RewardClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    def __enter__(self) -> RewardClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"RewardClient({self.url!r}, batch_size={self.batch_size}, retries={self.retries})"


def _until(deadline: float | None) -> float | None:
    """A deadline in seconds from now as a `time.monotonic()` instant."""
    if deadline is None:
        return None
    if not deadline > 0:
        raise ValueError(f"deadline must be a positive number of seconds, got {deadline!r}")
    return time.monotonic() + deadline


def _raw_id(item: Any, index: int) -> str:
    raw = item.get("id") if isinstance(item, Mapping) else getattr(item, "id", None)
    return str(index) if raw is None else str(raw)


def _detail(resp: httpx.Response) -> str:
    try:
        detail = resp.json().get("detail", resp.text)
    except (ValueError, AttributeError):
        detail = resp.text
    return str(detail)[:300]


_ITEM_IN_TEXT = re.compile(r"items\[(\d+)\]")


def _refused_items(resp: httpx.Response, n: int) -> dict[int, str]:
    """Which items (by position in the batch) a 413/422 names, with the reason.

    Empty when any error is not about one item (then the whole batch is at fault).
    """
    try:
        detail = resp.json().get("detail")
    except (ValueError, AttributeError):
        return {}
    bad: dict[int, str] = {}
    if isinstance(detail, str):
        found = _ITEM_IN_TEXT.search(detail)
        if found is None:
            return {}
        bad[int(found.group(1))] = detail
    elif isinstance(detail, list):
        for err in detail:
            loc = err.get("loc") if isinstance(err, dict) else None
            if not (isinstance(loc, list) and len(loc) >= 3 and loc[1] == "items"):
                return {}
            if not isinstance(loc[2], int):
                return {}
            where = ".".join(str(x) for x in loc[3:])
            bad.setdefault(loc[2], f"HTTP {resp.status_code}: {where}: {err.get('msg')}")
    return {k: v for k, v in bad.items() if 0 <= k < n} if len(bad) else {}


def _retry_after(value: str | None, cap: float) -> float | None:
    """Seconds from a `Retry-After` header (delta-seconds or an HTTP date), capped."""
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            import datetime as dt

            seconds = (parsedate_to_datetime(value) - dt.datetime.now(dt.UTC)).total_seconds()
        except (TypeError, ValueError):
            return None
    return max(0.0, min(seconds, cap))
