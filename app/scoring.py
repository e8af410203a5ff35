"""Combine an item's check scores with weights into one reward, keeping every component."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

from app.checkers.base import Score
from app.jobs import ItemResult

DEFAULT_WEIGHT = 1.0


def combine(item_id: str, scores: Mapping[str, Score], weights: Mapping[str, float]) -> ItemResult:
    """reward = Σ weight × score over the item's checks (weight defaults to 1.0).

    If any check could not be judged (score None: `invalid` or `error`) the reward is None:
    a partial sum would be a silently wrong reward.
    """
    reward: float | None = 0.0
    values: dict[str, float | None] = {}
    details: dict[str, dict] = {}
    for name, score in scores.items():
        values[name] = score.value
        details[name] = {"status": score.status.value, **score.details}
        if score.value is None or reward is None:
            reward = None
        else:
            reward += weights.get(name, DEFAULT_WEIGHT) * score.value
    if reward is not None and not math.isfinite(reward):
        reward = None  # never hand a trainer inf/nan
    elif reward is not None:
        reward = round(reward, 12)  # hide float noise such as 1.5000000000000002
    return ItemResult(item_id, reward, values, details)


def deadline_result(item_id: str, checks: Iterable[str]) -> ItemResult:
    """The result of an item none of whose checks finished by its batch's deadline."""
    return combine(item_id, {name: Score.deadline() for name in checks}, {})
