"""The math check's `extract`, `rel_tol` and `abs_tol` at the API edge: defaults, effect, and
422 naming the field for bad values."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from app.api.schemas import MathParams


def _math(completion: str, **params) -> dict:
    return {"completion": completion, "checks": {"math": {"gold": "\\frac{6}{7}", **params}}}


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"extract": "box"}, "extract"),
        ({"extract": 3}, "extract"),
        ({"rel_tol": -0.1}, "rel_tol"),
        ({"abs_tol": -1}, "abs_tol"),
        ({"rel_tol": "tight"}, "rel_tol"),
        ({"rel_tol_": 0.1}, "rel_tol_"),
    ],
)
def test_bad_math_options_are_422_naming_the_field(api: TestClient, params, field) -> None:
    r = api.post("/v1/rewards", json={"items": [_math("The answer is 0.8571", **params)]})
    assert r.status_code == 422, r.text
    locs = [d["loc"] for d in r.json()["detail"]]
    assert ["body", "items", 0, "checks", "math", field] in locs, locs


def test_infinite_tolerance_is_refused() -> None:
    # JSON has no infinity (the body parser answers 422 first); a client in-process may pass one.
    for name in ("rel_tol", "abs_tol"):
        with pytest.raises(ValidationError) as err:
            MathParams(gold="1", **{name: float("inf")})
        assert err.value.errors()[0]["loc"] == (name,)


def test_tolerance_and_extraction_modes_change_the_verdict(api: TestClient) -> None:
    items = [
        _math("The answer is 0.8571"),  # exact by default: wrong
        _math("The answer is 0.8571", rel_tol=1e-3),  # within 0.1%: right
        _math("The answer is 0.8571", abs_tol=1e-5),  # 1.4e-5 away: wrong
        _math("So we get 6/7 of the cake.", extract="last"),  # last number of the last line
        _math("So we get 6/7 of the cake."),  # no marker: no answer by default
        _math("The answer is $\\frac{6}{7}$.", extract="boxed"),  # no box: no answer
    ]
    r = api.post("/v1/rewards", json={"items": items})
    assert r.status_code == 200, r.text
    got = [(x["details"]["math"]["status"], x["reward"]) for x in r.json()["results"]]
    assert got == [
        ("wrong", 0.0),
        ("correct", 1.0),
        ("wrong", 0.0),
        ("correct", 1.0),
        ("no_answer", 0.0),
        ("no_answer", 0.0),
    ]
