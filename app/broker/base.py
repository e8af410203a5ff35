"""The broker interface: how jobs reach workers and results come back.

Two implementations: `EmbeddedBroker` (in-process, the default) and `RedisBroker` (Streams with
a consumer group). The API talks to this interface only.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from app.jobs import ItemResult, Job, JobState


class BrokerError(RuntimeError):
    """The broker cannot take or return work right now (e.g. Redis unreachable)."""


class QueueFull(BrokerError):
    """Back-pressure: too much work is pending; retry after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int = 1) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Broker(ABC):
    """Carries jobs to workers and results back."""

    @abstractmethod
    async def start(self) -> None:
        """Connect and start whatever runs in this process."""

    @abstractmethod
    async def close(self) -> None:
        """Stop taking work, finish or hand back the work in hand, release resources."""

    @abstractmethod
    async def submit(self, job: Job) -> None:
        """Queue `job` for scoring. Raises `QueueFull` or `BrokerError`."""

    @abstractmethod
    async def state(self, job_id: str, wait_s: float = 0.0) -> JobState | None:
        """The job's state, waiting up to `wait_s` for it to finish; None for an unknown id."""

    @abstractmethod
    async def health(self) -> dict[str, Any]:
        """`{"ok": bool, ...details}` for /healthz."""

    async def load(self) -> dict[str, Any]:
        """What waits and who works, for /metrics (`app.metrics.set_load` names the keys)."""
        return {}

    async def run(self, job: Job, timeout_s: float) -> list[ItemResult]:
        """Submit `job` and wait for its results (the synchronous `/v1/rewards` path)."""
        await self.submit(job)
        state = await self.state(job.id, wait_s=timeout_s)
        if state is None or state.results is None:
            reason = state.error if state and state.error else "timed out waiting for results"
            raise BrokerError(f"job {job.id}: {reason}")
        return state.results
