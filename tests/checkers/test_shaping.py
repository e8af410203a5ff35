"""The auxiliary shaping checks against hand-computed values (docs/rewards.md has the formulas)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import pytest

from app.checkers import shaping
from app.checkers.base import Score, Status
from app.checkers.registry import REGISTRY, Checker
from app.jobs import Item
from app.worker.scorer import Scorer

# --- length ------------------------------------------------------------------------------------


def dep(status: str, value: float | None, **details: Any) -> dict[str, Any]:
    return {"status": status, "value": value, "details": details}


CORRECT = {"math": dep("correct", 1.0)}
WRONG = {"math": dep("wrong", 0.0)}


@pytest.mark.parametrize(
    ("n", "deps", "want"),
    [
        # correct: 0.5 + ½(1.0 − 0.5)(1 + cos(pπ))
        (0, CORRECT, 1.0),
        (250, CORRECT, 0.5 + 0.25 * (1 + math.sqrt(2) / 2)),  # p = ¼, c = √2/2 → 0.92678
        (500, CORRECT, 0.75),  # c = 0
        (1000, CORRECT, 0.5),  # c = −1
        (5000, CORRECT, 0.5),  # clipped at max_len
        # wrong: −0.5 + ½(−1.0 − (−0.5))(1 + c)
        (0, WRONG, -1.0),
        (250, WRONG, -0.5 - 0.25 * (1 + math.sqrt(2) / 2)),  # −0.92678
        (500, WRONG, -0.75),
        (1000, WRONG, -0.5),
    ],
)
def test_length_cosine_default_parameters(n: int, deps: dict, want: float) -> None:
    score = shaping.length("x" * n, {"_deps": deps})
    assert score.status == Status.OK
    assert score.value == pytest.approx(want, abs=1e-12)
    assert score.details["length"] == n


def test_length_custom_parameters_and_words() -> None:
    params = {
        "max_len": 8,
        "unit": "words",
        "min_value_correct": 0.0,
        "max_value_correct": 2.0,
        "min_value_wrong": -4.0,
        "max_value_wrong": 0.0,
    }
    text = "one two  three\nfour"  # 4 words of 8: p = ½, c = 0
    assert shaping.length(text, {**params, "_deps": CORRECT}).value == pytest.approx(1.0)
    assert shaping.length(text, {**params, "_deps": WRONG}).value == pytest.approx(-2.0)


def test_length_correctness_from_code_and_from_both() -> None:
    full = {"code": dep("ok", 1.0)}
    partial = {"code": dep("failed", 0.5)}
    assert shaping.length("", {"_deps": full}).value == pytest.approx(1.0)
    assert shaping.length("", {"_deps": partial}).value == pytest.approx(-1.0)
    both = {"math": dep("correct", 1.0), "code": dep("failed", 0.5)}
    assert shaping.length("", {"_deps": both}).details["correct"] is False


def test_length_timeout_of_math_counts_as_wrong() -> None:
    # A timeout is the completion's doing (score 0): wrong, not unjudgeable.
    score = shaping.length("", {"_deps": {"math": dep("timeout", 0.0)}})
    assert score.value == pytest.approx(-1.0)


def test_length_without_math_or_code_is_invalid() -> None:
    for deps in ({}, None, {"format": dep("ok", 1.0)}):
        score = shaping.length("abc", {"_deps": deps})
        assert score.status == Status.INVALID and score.value is None
        assert "math or code" in score.details["message"]


def test_length_propagates_unjudged_dependency() -> None:
    bad_gold = {"math": dep("invalid", None, message="gold does not parse")}
    score = shaping.length("abc", {"_deps": bad_gold})
    assert score.status == Status.INVALID and score.value is None
    assert "gold does not parse" in score.details["message"]
    sandbox_down = {"code": dep("error", None, message="sandbox failed")}
    score = shaping.length("abc", {"_deps": sandbox_down})
    assert score.status == Status.ERROR and "sandbox failed" in score.details["message"]


@pytest.mark.parametrize(
    "params", [{"max_len": 0}, {"max_len": "big"}, {"unit": "tokens"}, {"max_len": True}]
)
def test_length_bad_parameters_are_invalid(params: dict) -> None:
    score = shaping.length("abc", {**params, "_deps": CORRECT})
    assert score.status == Status.INVALID and score.value is None


# --- repetition --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "params", "want"),
    [
        # 6 words → 4 trigrams (abc, bca, cab, abc), 3 unique: (1 − ¾)(−1) = −0.25
        ("a b c a b c", {}, -0.25),
        ("A b C a B c", {}, -0.25),  # lower-cased
        ("the cat sat on the mat", {}, 0.0),  # all 4 trigrams unique
        ("a b", {}, 0.0),  # fewer words than n
        ("", {}, 0.0),
        ("a b c", {}, 0.0),  # exactly one trigram
        # unigrams: 4 total, 1 unique: (1 − ¼)(−2) = −1.5
        ("x x x x", {"ngram_size": 1, "max_penalty": -2.0}, -1.5),
        # bigrams of "a a a b": aa, aa, ab → 2 unique of 3: (1 − ⅔)(−1) = −⅓
        ("a a a b", {"ngram_size": 2}, -1 / 3),
    ],
)
def test_repetition(text: str, params: dict, want: float) -> None:
    score = shaping.repetition(text, params)
    assert score.status == Status.OK
    assert score.value == pytest.approx(want)
    assert math.copysign(1.0, score.value) == 1.0 or score.value != 0.0  # never −0.0


def test_repetition_counts_in_details() -> None:
    assert shaping.repetition("a b c a b c", {}).details == {"ngrams": 4, "unique": 3}


@pytest.mark.parametrize("params", [{"ngram_size": 0}, {"ngram_size": 2.5}, {"max_penalty": 1}])
def test_repetition_bad_parameters_are_invalid(params: dict) -> None:
    assert shaping.repetition("a b c", params).status == Status.INVALID


# --- overlong ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("n", "want"),
    [
        (0, 0.0),
        (80, 0.0),  # len = L − C
        (81, -0.05),  # (80 − 81) / 20
        (90, -0.5),
        (100, -1.0),  # len = L: the ramp reaches −1
        (101, -1.0),  # beyond L
        (10_000, -1.0),
    ],
)
def test_overlong_chars(n: int, want: float) -> None:
    score = shaping.overlong("y" * n, {"max_length": 100, "cache_length": 20})
    assert score.status == Status.OK
    assert score.value == pytest.approx(want)


def test_overlong_words_and_hard_cut() -> None:
    text = " ".join(["w"] * 7)
    params = {"max_length": 8, "cache_length": 4, "unit": "words"}  # (4 − 7) / 4
    assert shaping.overlong(text, params).value == pytest.approx(-0.75)
    hard = {"max_length": 7, "cache_length": 0, "unit": "words"}
    assert shaping.overlong(text, hard).value == 0.0
    assert shaping.overlong(text + " w", hard).value == -1.0


@pytest.mark.parametrize(
    "params",
    [
        {"cache_length": 10},  # max_length missing
        {"max_length": 10, "cache_length": 11},
        {"max_length": 0, "cache_length": 0},
        {"max_length": 10, "cache_length": -1},
    ],
)
def test_overlong_bad_parameters_are_invalid(params: dict) -> None:
    assert shaping.overlong("abc", params).status == Status.INVALID


# --- reasoning_steps ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "steps"),
    [
        ("Step 1: add.\nStep 2: carry.", 2),
        ("1. a\n2. b\n3) c", 3),
        ("  - a\n* b\n• c", 3),
        ("First, add. Next, carry. Finally, done.", 3),
        ("Second, this. Third, that.", 2),
        ("3.14 is pi and 2.5 is not.\nNo steps here, first of all.", 0),
        ("```\n- a\n- b\nStep 1: x\n```\nplain", 0),  # markers inside code do not count
        ("", 0),
    ],
)
def test_reasoning_steps_counts(text: str, steps: int) -> None:
    score = shaping.reasoning_steps(text, {})
    assert score.details["steps"] == steps
    assert score.value == pytest.approx(min(1.0, steps / 3))


def test_reasoning_steps_target() -> None:
    text = "First, a. Next, b. Finally, c."
    assert shaping.reasoning_steps(text, {"target": 6}).value == pytest.approx(0.5)
    assert shaping.reasoning_steps(text, {"target": 2}).value == 1.0
    assert shaping.reasoning_steps(text, {"target": 0}).status == Status.INVALID


# --- tag_count ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "want"),
    [
        ("<think>\nr\n</think>\n<answer>\n4\n</answer>", 1.0),
        ("<think>\nr\n</think>\n4", 0.5),
        ("<think>r</think><answer>4</answer>", 0.0),  # no newlines around the tags
        ("<think>\n<think>\nr\n</think>\n<answer>\n4\n</answer>", 0.75),  # <think>\n twice
        ("<think>\nr\n</think>\n<answer>\n4\n</answer>\n</answer>", 0.75),
        # tags written inside a code block do not count
        ("```\n<think>\nr\n</think>\n<answer>\n4\n</answer>\n```", 0.0),
        ("", 0.0),
    ],
)
def test_tag_count(text: str, want: float) -> None:
    score = shaping.tag_count(text, {})
    assert score.status == Status.OK
    assert score.value == want


# --- through the scorer: `length` reads the item's math score ----------------------------------


def fake_math(completion: str, params: Mapping[str, Any]) -> Score:
    """Stands in for the math check: correct when the completion ends with the gold."""
    gold = params["gold"]
    if gold == "unparseable":
        return Score.invalid("gold does not parse")
    ok = completion.endswith(gold)
    return Score(float(ok), Status.CORRECT if ok else Status.WRONG, {"extracted": gold})


async def test_length_runs_after_math_in_the_scorer() -> None:
    reg = {**REGISTRY, "math": Checker("math", fake_math, where="inline")}
    scorer = Scorer(None, registry=reg)
    items = [
        Item("right", "x" * 498 + "42", {"math": {"gold": "42"}, "length": {}}),
        Item("wrong", "x" * 498 + "41", {"math": {"gold": "42"}, "length": {}}),
        Item("bad", "42", {"math": {"gold": "unparseable"}, "length": {}}),
        Item("alone", "42", {"length": {}, "tag_count": {}}),
    ]
    right, wrong, bad, alone = await scorer.score(items)
    assert right.scores["length"] == pytest.approx(0.75)
    assert right.reward == pytest.approx(1.75)
    assert wrong.scores["length"] == pytest.approx(-0.75)
    assert wrong.reward == pytest.approx(-0.75)
    assert bad.details["length"]["status"] == "invalid" and bad.reward is None
    assert alone.details["length"]["status"] == "invalid" and alone.reward is None
    assert alone.scores["tag_count"] == 0.0


# --- through the HTTP API ----------------------------------------------------------------------


def test_shaping_checks_over_http(api) -> None:
    completion = "<think>\nStep 1: a\nStep 2: b\nStep 3: c\n</think>\n<answer>\n4\n</answer>"
    checks = {
        "repetition": {"ngram_size": 1},
        "overlong": {"max_length": 40, "cache_length": 10},
        "reasoning_steps": {},
        "tag_count": {},
    }
    body = {"items": [{"id": "s", "completion": completion, "checks": checks}]}
    r = api.post("/v1/rewards", json=body)
    assert r.status_code == 200, r.text
    result = r.json()["results"][0]
    assert len(completion) > 40  # beyond L
    assert result["scores"] == {
        # 14 words, "step" three times: 12 unique → (1 − 12/14)(−1)
        "repetition": pytest.approx(-1 / 7),
        "overlong": -1.0,
        "reasoning_steps": 1.0,
        "tag_count": 1.0,
    }
    assert result["reward"] == pytest.approx(sum(result["scores"].values()))


@pytest.mark.parametrize(
    ("checks", "loc"),
    [
        ({"overlong": {"cache_length": 1}}, ["overlong", "max_length"]),
        ({"repetition": {"max_penalty": 0.5}}, ["repetition", "max_penalty"]),
        ({"length": {"unit": "tokens"}}, ["length", "unit"]),
        ({"tag_count": {"x": 1}}, ["tag_count", "x"]),
    ],
)
def test_shaping_params_are_validated(api, checks: dict, loc: list) -> None:
    r = api.post("/v1/rewards", json={"items": [{"completion": "c", "checks": checks}]})
    assert r.status_code == 422
    locs = [d["loc"] for d in r.json()["detail"]]
    assert ["body", "items", 0, "checks", *loc] in locs, locs


def test_overlong_cache_past_max_over_http_is_invalid_for_that_item_only(api) -> None:
    """JSON Schema cannot state cache_length <= max_length, so it is the item's `invalid`,
    not a 422 for the batch (the schema promises only what the service accepts)."""
    bad = {"completion": "c", "checks": {"overlong": {"max_length": 10, "cache_length": 11}}}
    good = {"completion": "c", "checks": {"overlong": {"max_length": 10, "cache_length": 5}}}
    r = api.post("/v1/rewards", json={"items": [bad, good]})
    assert r.status_code == 200
    first, second = r.json()["results"]
    assert first["details"]["overlong"]["status"] == "invalid"
    assert "cache_length" in first["details"]["overlong"]["message"]
    assert first["reward"] is None
    assert second["scores"]["overlong"] == 0.0


def test_length_without_math_or_code_over_http_is_invalid(api) -> None:
    r = api.post("/v1/rewards", json={"items": [{"completion": "c", "checks": {"length": {}}}]})
    assert r.status_code == 200
    result = r.json()["results"][0]
    assert result["reward"] is None and result["details"]["length"]["status"] == "invalid"


def test_length_reads_the_real_math_check_over_http(api) -> None:
    completion = "\\boxed{4}" + " " * 491  # 500 characters: p = ½, c = 0
    assert len(completion) == 500
    items = [
        {"id": "right", "completion": completion, "checks": {"math": {"gold": "4"}, "length": {}}},
        {"id": "wrong", "completion": completion, "checks": {"math": {"gold": "5"}, "length": {}}},
        {"id": "bad", "completion": completion, "checks": {"math": {"gold": ""}, "length": {}}},
    ]
    r = api.post("/v1/rewards", json={"items": items})
    assert r.status_code == 200, r.text
    right, wrong, bad = r.json()["results"]
    assert right["scores"] == {"math": 1.0, "length": pytest.approx(0.75)}
    assert wrong["scores"] == {"math": 0.0, "length": pytest.approx(-0.75)}
    assert bad["details"]["length"]["status"] == "invalid" and bad["reward"] is None
    assert "math" in bad["details"]["length"]["message"]
