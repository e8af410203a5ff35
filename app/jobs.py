"""Plain job records: what travels from the API through a broker to a worker and back.

These are dataclasses with a JSON form (`to_json` / `from_json`) so they cross Redis without
pickle. Nothing here knows HTTP or pydantic.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


@dataclass(slots=True)
class Item:
    """One completion and the checks to run on it.

    `checks` maps a check name to its parameters; `weights` are already merged (item over batch)
    and hold only the checks the item asks for.
    """

    id: str
    completion: str
    checks: dict[str, dict[str, Any]]
    weights: dict[str, float] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "completion": self.completion,
            "checks": self.checks,
            "weights": self.weights,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Item:
        return cls(str(data["id"]), data["completion"], data["checks"], data.get("weights") or {})


@dataclass(slots=True)
class ItemResult:
    """The answer for one item: the combined reward and every component."""

    id: str
    reward: float | None
    scores: dict[str, float | None]
    details: dict[str, dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "reward": self.reward,
            "scores": self.scores,
            "details": self.details,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ItemResult:
        return cls(data["id"], data["reward"], data["scores"], data["details"])


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


def new_job_id() -> str:
    """A random, URL-safe job id."""
    return uuid.uuid4().hex


@dataclass(slots=True)
class Job:
    """A batch of items scored together. With `deadline_s`, the answer comes that many
    seconds after `created`: checks not finished by then are `deadline` (no score)."""

    items: list[Item]
    id: str = field(default_factory=new_job_id)
    created: float = field(default_factory=time.time)
    deadline_s: float | None = None

    def deadline(self) -> float | None:
        """The deadline as a `time.monotonic()` instant (None without one)."""
        if self.deadline_s is None:
            return None
        return time.monotonic() + self.deadline_s - max(0.0, time.time() - self.created)

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "created": self.created,
            "items": [i.to_json() for i in self.items],
            "deadline_s": self.deadline_s,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Job:
        deadline = data.get("deadline_s")
        return cls(
            [Item.from_json(i) for i in data["items"]],
            str(data["id"]),
            float(data["created"]),
            None if deadline is None else float(deadline),
        )


@dataclass(slots=True)
class JobState:
    """Where a job stands; `results` is set when `status` is DONE, `error` when FAILED."""

    status: JobStatus
    results: list[ItemResult] | None = None
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"status": self.status.value}
        if self.results is not None:
            out["results"] = [r.to_json() for r in self.results]
        if self.error is not None:
            out["error"] = self.error
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> JobState:
        results = data.get("results")
        return cls(
            JobStatus(data["status"]),
            None if results is None else [ItemResult.from_json(r) for r in results],
            data.get("error"),
        )
