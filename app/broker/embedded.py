"""The embedded broker: jobs are scored in this process, results kept in memory with a TTL."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from app import metrics
from app.broker.base import Broker, QueueFull
from app.jobs import ItemResult, Job, JobState, JobStatus
from app.worker.load import BusyWindow, load_figures
from app.worker.scorer import Scorer

log = logging.getLogger("rewardkit.broker")


@dataclass(slots=True)
class _Entry:
    state: JobState
    expires: float
    done: asyncio.Event = field(default_factory=asyncio.Event)


class EmbeddedBroker(Broker):
    """In-process broker: no Redis, one process, the default of `make serve`."""

    def __init__(
        self, scorer: Scorer, *, result_ttl_s: float = 3600, max_pending_items: int = 65536
    ) -> None:
        self.scorer = scorer
        self.result_ttl_s = result_ttl_s
        self.max_pending_items = max_pending_items
        self.pending_items = 0
        self._jobs: dict[str, _Entry] = {}
        self._tasks: set[asyncio.Task[None]] = set()
        self._busy = BusyWindow()

    async def start(self) -> None:
        if self.scorer.pool is not None:
            # Starting the forkserver and children blocks for a moment: keep the loop free.
            await asyncio.to_thread(self.scorer.pool.start)

    async def close(self) -> None:
        # Jobs already accepted are finished, not dropped.
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        if self.scorer.pool is not None:
            await asyncio.to_thread(self.scorer.pool.close)

    def _reserve(self, n: int) -> None:
        if self.pending_items + n > self.max_pending_items:
            raise QueueFull(f"{self.pending_items} items pending (limit {self.max_pending_items})")
        self.pending_items += n
        metrics.QUEUE_DEPTH.set(self.pending_items)

    def _release(self, n: int) -> None:
        self.pending_items -= n
        metrics.QUEUE_DEPTH.set(self.pending_items)

    async def run(self, job: Job, timeout_s: float) -> list[ItemResult]:
        # The synchronous path skips the job table: nobody will ask for this id later.
        self._reserve(len(job.items))
        try:
            return await self.scorer.score(job.items, job.deadline())
        finally:
            self._release(len(job.items))

    async def submit(self, job: Job) -> None:
        self._purge()
        self._reserve(len(job.items))
        entry = _Entry(JobState(JobStatus.QUEUED), time.monotonic() + self.result_ttl_s)
        self._jobs[job.id] = entry
        task = asyncio.create_task(self._work(job, entry))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _work(self, job: Job, entry: _Entry) -> None:
        entry.state = JobState(JobStatus.RUNNING)
        try:
            results = await self.scorer.score(job.items, job.deadline())
            entry.state = JobState(JobStatus.DONE, results)
        except Exception as exc:
            log.exception("job %s failed", job.id)
            entry.state = JobState(JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}")
        finally:
            self._release(len(job.items))
            entry.expires = time.monotonic() + self.result_ttl_s
            entry.done.set()

    async def state(self, job_id: str, wait_s: float = 0.0) -> JobState | None:
        self._purge()
        entry = self._jobs.get(job_id)
        if entry is None:
            return None
        if wait_s > 0 and not entry.done.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(entry.done.wait(), wait_s)
        return entry.state

    def _purge(self) -> None:
        now = time.monotonic()
        for job_id in [k for k, e in self._jobs.items() if e.done.is_set() and e.expires < now]:
            del self._jobs[job_id]

    async def load(self) -> dict[str, Any]:
        # One worker: this process and its checker pool.
        pool = self.scorer.pool
        figures = load_figures(pool)
        worker = {**figures, "busy": self._busy.share(pool), "in_hand": len(self._tasks)}
        return {
            "items_waiting": figures["waiting"],
            "oldest_wait_s": figures["oldest_wait_s"],
            "queue_depth": self.pending_items,
            "workers": {"local": worker},
        }

    async def health(self) -> dict[str, Any]:
        pool = self.scorer.pool
        return {
            "ok": pool is None or pool.health()["alive"] > 0,
            "kind": "embedded",
            "pending_items": self.pending_items,
            "jobs_kept": len(self._jobs),
            "pool": None if pool is None else pool.health(),
        }
