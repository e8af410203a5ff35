"""The client's plain records: what a trainer sends (`Item`) and gets back (`Result`).

Dataclasses with no dependency at all, so the trainer side stays light.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

#: `{check name: params}`, e.g. `{"math": {"gold": "1/2"}, "format": {}}`.
Checks = dict[str, dict[str, Any]]

#: The key under `Result.details` where the client itself reports a failure (transport errors,
#: retries exhausted, a refused request). The server never uses it: it is not a check name.
CLIENT_DETAIL = "client"


@dataclass(slots=True)
class Item:
    """One completion and the checks to run on it (the `/v1/rewards` item shape)."""

    completion: str
    checks: Checks
    id: str | None = None
    prompt: str | None = None
    weights: dict[str, float] | None = None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"completion": self.completion, "checks": self.checks}
        if self.id is not None:
            out["id"] = self.id
        if self.prompt is not None:
            out["prompt"] = self.prompt
        if self.weights:
            out["weights"] = self.weights
        return out


@dataclass(slots=True)
class Result:
    """The answer for one item.

    `reward` is the weighted sum of the item's scores, or None when any check could not be
    judged (see `details[check]["status"]`) or when the service could not be reached (then
    `details["client"]` says why).
    """

    id: str
    reward: float | None
    scores: dict[str, float | None] = field(default_factory=dict)
    details: dict[str, dict[str, Any]] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """True when the item has a reward."""
        return self.reward is not None

    @property
    def error(self) -> str | None:
        """Why the client got no answer for this item (None when the service answered)."""
        info = self.details.get(CLIENT_DETAIL)
        return None if info is None else str(info.get("message", info.get("status")))

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Result:
        return cls(
            id=str(data.get("id")),
            reward=data.get("reward"),
            scores=dict(data.get("scores") or {}),
            details=dict(data.get("details") or {}),
        )


def failed(item_id: str, message: str, status: str = "error") -> Result:
    """A result without reward for an item the service did not score."""
    return Result(item_id, None, {}, {CLIENT_DETAIL: {"status": status, "message": message}})


ItemLike = Item | Mapping[str, Any]

#: One item ready to send: (its index in the caller's list, its JSON body).
Payload = tuple[int, dict[str, Any]]


class GaveUp(Exception):
    """A request that still failed after every retry (internal: turned into failed results)."""


def item_payload(item: ItemLike, default_id: str) -> dict[str, Any]:
    """The JSON body of one item, with an explicit id (so ids survive batch splitting).

    Raises TypeError / ValueError for something that is not an item at all; the client turns
    that into a failed result instead of sending it.
    """
    if isinstance(item, Item):
        data = item.to_json()
    elif isinstance(item, Mapping):
        data = dict(item)
    else:
        raise TypeError(f"an item is an Item or a mapping, not {type(item).__name__}")
    if not isinstance(data.get("completion"), str):
        raise ValueError("item has no string 'completion'")
    if not isinstance(data.get("checks"), Mapping) or not data["checks"]:
        raise ValueError("item has no 'checks'")
    if data.get("id") is None:
        data["id"] = default_id
    else:
        data["id"] = str(data["id"])
    return data
