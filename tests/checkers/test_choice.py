"""The `choice` check: a table of how models state a multiple-choice answer, with verdicts."""

from __future__ import annotations

import pytest

from app.checkers.base import Status
from app.checkers.choice import check, extract_choice, normalize_gold, parse_letters

# (completion, extracted letter or None, hedged)
EXTRACTION: list[tuple[str, str | None, bool]] = [
    # Boxes.
    ("So the answer is \\boxed{B}.", "B", False),
    ("\\boxed{(C)}", "C", False),
    ("Final Answer: $\\boxed{\\text{(D)}}$", "D", False),
    ("\\boxed{\\textbf{A}}", "A", False),
    ("\\boxed{b}", "B", False),
    ("\\boxed{C. 42}", "C", False),
    ("first \\boxed{A}, then on reflection \\boxed{C}", None, True),
    ("\\boxed{A, C}", None, True),
    ("\\boxed{B} ... so again \\boxed{B}", "B", False),
    ("\\boxed{42} The answer is (B).", "B", False),  # a box without a letter is no choice
    # Final-answer statements.
    ("The answer is (B).", "B", False),
    ("The answer is B", "B", False),
    ("**Answer: B**", "B", False),
    ("**Answer:** C", "C", False),
    ("**Final Answer**: D", "D", False),
    ("Answer: b)", "B", False),
    ("the correct option is (c)", "C", False),
    ("The correct answer is: **(E)** Paris", "E", False),
    ("My answer: c", "C", False),
    ("the answer is a.", "A", False),
    ("Answer: J", "J", False),
    ("I think the answer is A because it is the largest.", "A", False),
    ("The best choice would be D.", "D", False),
    ("I choose C.", "C", False),
    ("I would go with option B.", "B", False),
    ("Therefore, B is the correct answer.", "B", False),
    ("Option (C) is correct.", "C", False),
    ("The answer is B. Option A is wrong because it ignores friction.", "B", False),
    ("Answer: (B) is tempting, but (C) is correct.", "C", False),
    ("The answer is a bit subtle. Answer: D", "D", False),
    ("The answer is A or B.", None, True),
    ("The answer is B and C", None, True),
    ("Answer: A/B", None, True),
    ("The answer is (A), (C)", None, True),
    ("Answer: B or option D", None, True),
    # A letter that is an ordinary word is not a choice.
    ("Answer: A good choice is hard to find.", None, False),
    ("The answer is a mystery.", None, False),
    ("Answer: I am not sure.", None, False),
    # A closing line that is a choice by itself.
    ("Let me think about each option.\nB", "B", False),
    ("Eliminating the others:\n(C)", "C", False),
    ("<think>hmm</think>\n**C**", "C", False),
    ("After checking:\nB. Paris", "B", False),
    ("After checking:\nD) 42", "D", False),
    ("Considering both:\nA or B", None, True),
    # Where the answer part is.
    ("<think>The answer is B</think>", None, False),  # no answer after the reasoning
    ("<think>The answer is B", None, False),  # truncated reasoning
    ("<think>I first thought A.</think> The answer is C.", "C", False),
    ("<think>r</think><answer>B</answer>", "B", False),
    ("<think>r</think>\n<answer>\nThe answer is (D)\n</answer>", "D", False),
    ("hmm, it depends", None, False),
    ("", None, False),
]


@pytest.mark.parametrize(("completion", "letter", "hedged"), EXTRACTION)
def test_extraction(completion: str, letter: str | None, hedged: bool) -> None:
    choice = extract_choice(completion)
    assert (choice.letter, choice.hedged) == (letter, hedged), choice


# (completion, params, status, score)
VERDICTS: list[tuple[str, dict, str, float | None]] = [
    ("The answer is (B).", {"gold": "B"}, "correct", 1.0),
    ("The answer is (B).", {"gold": "b"}, "correct", 1.0),
    ("The answer is (B).", {"gold": "(B)"}, "correct", 1.0),
    ("The answer is (B).", {"gold": "C"}, "wrong", 0.0),
    ("The answer is A or B.", {"gold": "B"}, "wrong", 0.0),
    ("no idea", {"gold": "B"}, "no_answer", 0.0),
    # `letters` bounds what counts as a choice.
    ("The answer is E.", {"gold": "A", "letters": "ABCD"}, "no_answer", 0.0),
    ("The answer is D.", {"gold": "D", "letters": "ABCD"}, "correct", 1.0),
    ("The answer is (Z).", {"gold": "Z", "letters": "XYZ"}, "correct", 1.0),
    ("The answer is (Z).", {"gold": "Z", "letters": "A, B, C, Z"}, "correct", 1.0),
    # Unusable parameters: invalid, null score.
    ("The answer is E.", {"gold": "E", "letters": "ABCD"}, "invalid", None),
    ("The answer is B.", {"gold": ""}, "invalid", None),
    ("The answer is B.", {"gold": "BC"}, "invalid", None),
    ("The answer is B.", {"gold": "B", "letters": "AAB"}, "invalid", None),
    ("The answer is B.", {"gold": "B", "letters": "A1"}, "invalid", None),
    ("The answer is B.", {"gold": 2}, "invalid", None),
]


@pytest.mark.parametrize(("completion", "params", "status", "score"), VERDICTS)
def test_verdicts(completion: str, params: dict, status: str, score: float | None) -> None:
    result = check(completion, params)
    assert (result.status, result.value) == (Status(status), score), result
    if status == "invalid":
        assert result.details["message"]


def test_wrong_hedge_says_why() -> None:
    result = check("\\boxed{A} or maybe \\boxed{B}", {"gold": "A"})
    assert result.status is Status.WRONG
    assert "A, B" in result.details["reason"]


def test_parse_letters_and_gold() -> None:
    assert parse_letters("abcd") == "ABCD"
    assert parse_letters("") is None
    assert normalize_gold(" c. ", "ABCD") == "C"
    assert normalize_gold("E", "ABCD") is None


def test_case_table_is_large_enough() -> None:
    assert len(EXTRACTION) + len(VERDICTS) >= 40
