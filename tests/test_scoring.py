"""Weights arithmetic: reward = Σ weight × score; unjudged checks make the reward null."""

from __future__ import annotations

import math

from app.checkers.base import Score, Status
from app.scoring import combine


def s(v: float | None, st: Status = Status.OK) -> Score:
    return Score(v, st)


def test_default_weight_is_one() -> None:
    r = combine("a", {"math": s(1.0), "format": s(1.0)}, {})
    assert r.reward == 2.0
    assert r.scores == {"math": 1.0, "format": 1.0}


def test_weights_multiply_each_component() -> None:
    r = combine(
        "a",
        {"math": s(1.0), "format": s(0.0, Status.BAD_FORMAT), "language": s(0.25)},
        {"math": 2.0, "language": 0.4},
    )
    assert math.isclose(r.reward, 2.0 + 0.0 + 0.1)
    assert r.details["format"]["status"] == "bad_format"


def test_negative_shaping_values_and_weights() -> None:
    r = combine("a", {"repetition": s(-0.5), "math": s(1.0)}, {"repetition": 0.5})
    assert r.reward == 0.75


def test_unjudged_check_nulls_the_reward_but_keeps_components() -> None:
    r = combine("a", {"math": Score.invalid("bad gold"), "format": s(1.0)}, {})
    assert r.reward is None
    assert r.scores == {"math": None, "format": 1.0}
    assert r.details["math"] == {"status": "invalid", "message": "bad gold"}


def test_float_noise_is_rounded() -> None:
    r = combine("a", {"a": s(0.1), "b": s(0.2)}, {})
    assert r.reward == 0.3
