"""The `qa` check: SQuAD v1.1's normalisation and F1 on hand-worked strings, then whole
completions with their verdicts."""

from __future__ import annotations

import pytest

from app.checkers.base import Status
from app.checkers.qa import check, exact_match, extract_prediction, f1, normalize

# (text, SQuAD-normalised text)
NORMALIZE: list[tuple[str, str]] = [
    ("The Denver Broncos!", "denver broncos"),
    ("U.S.A.", "usa"),
    ("theater", "theater"),  # articles are whole words only
    ("An apple a day", "apple day"),
    ("  multiple   spaces\n\there ", "multiple spaces here"),
    ("don't", "dont"),
    ("état—Paris", "état—paris"),  # the em dash is not in string.punctuation
    ("a-b", "ab"),
    ("The the THE", ""),
    ("Rock 'n' roll", "rock n roll"),
    ("1,000", "1000"),
    ("(the) answer", "answer"),  # punctuation goes first, so "(the)" becomes an article
    ("athe", "athe"),
    ("a.m.", "am"),
    ("Ångström", "ångström"),
    ("über_cool", "übercool"),
    ("“quoted”", "“quoted”"),  # curly quotes are not ASCII punctuation either
]


@pytest.mark.parametrize(("text", "normalized"), NORMALIZE)
def test_normalize(text: str, normalized: str) -> None:
    assert normalize(text) == normalized


# (prediction, gold, exact match, token F1)
PAIRS: list[tuple[str, str, bool, float]] = [
    ("Denver Broncos", "Denver Broncos", True, 1.0),
    ("the Broncos", "Denver Broncos", False, 2 / 3),
    ("Broncos Broncos", "Broncos", False, 2 / 3),  # a repeated token counts once
    ("", "x", False, 0.0),
    ("the", "a", True, 0.0),  # both normalise to nothing: EM 1, F1 0, as in v1.1
    ("Paris France", "France Paris", False, 1.0),
    ("in 1998", "1998", False, 2 / 3),
    ("the city of Paris", "Paris", False, 0.5),
    ("New York City", "new york", False, 0.8),
    ("Denver", "Broncos", False, 0.0),
]


@pytest.mark.parametrize(("prediction", "gold", "em", "f1_value"), PAIRS)
def test_squad_metrics(prediction: str, gold: str, em: bool, f1_value: float) -> None:
    assert exact_match(prediction, gold) is em
    assert f1(prediction, gold) == pytest.approx(f1_value)


# (completion, params, status, score)
VERDICTS: list[tuple[str, dict, str, float | None]] = [
    ("The answer is Denver Broncos.", {"golds": ["Denver Broncos"]}, "correct", 1.0),
    ("\\boxed{\\text{Denver Broncos}}", {"golds": ["denver broncos"]}, "correct", 1.0),
    ("<think>Who won?</think> Paris", {"golds": ["Paris"]}, "correct", 1.0),
    (
        "<think>r</think><answer>the Eiffel Tower</answer>",
        {"golds": ["Eiffel Tower"]},
        "correct",
        1.0,
    ),
    (
        "<think>r</think> It is the city of Paris.",
        {"golds": ["Paris"], "metric": "f1"},
        "wrong",
        1 / 3,
    ),
    (
        "Final Answer: the Broncos",
        {"golds": ["Denver Broncos", "Broncos"], "metric": "f1"},
        "correct",
        1.0,
    ),
    ("Final Answer: 1998", {"golds": ["in 1998"]}, "wrong", 0.0),
    ("Final Answer: 1998", {"golds": ["in 1998"], "metric": "f1"}, "wrong", 2 / 3),
    ("Final Answer: 1998", {"golds": ["in 1998", "1998"], "metric": "em"}, "correct", 1.0),
    ("The answer is Mount Everest.", {"golds": ["K2"]}, "wrong", 0.0),
    ("<think>still thinking", {"golds": ["Paris"]}, "no_answer", 0.0),
    ("<think>done</think>   ", {"golds": ["Paris"]}, "no_answer", 0.0),
    # Bad parameters: invalid with a message, never a silent 0.
    ("Paris", {"golds": []}, "invalid", None),
    ("Paris", {"golds": ["", "  "]}, "invalid", None),
    ("Paris", {"golds": ["Paris", 3]}, "invalid", None),
    ("Paris", {"golds": ["Paris"], "metric": "bleu"}, "invalid", None),
    ("Paris", {}, "invalid", None),
]


@pytest.mark.parametrize(("completion", "params", "status", "score"), VERDICTS)
def test_verdicts(completion: str, params: dict, status: str, score: float | None) -> None:
    result = check(completion, params)
    assert result.status is Status(status), result
    if score is None:
        assert result.value is None and result.details["message"]
    else:
        assert result.value == pytest.approx(score, abs=1e-6)


def test_details_give_both_metrics() -> None:
    result = check("The answer is the Broncos.", {"golds": ["Denver Broncos"]})
    assert result.details == {"extracted": "the Broncos", "em": 0.0, "f1": pytest.approx(2 / 3)}


def test_prediction_is_the_final_answer_not_the_reasoning() -> None:
    completion = "<think>Maybe Lyon? No.</think> After checking, the answer is Paris."
    assert extract_prediction(completion) == "Paris"


def test_case_table_is_large_enough() -> None:
    assert len(NORMALIZE) + len(PAIRS) + len(VERDICTS) >= 40
