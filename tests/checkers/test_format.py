"""The `format` check: a table of what trainers actually send, each with its verdict."""

from __future__ import annotations

import pytest

from app.checkers.base import Status
from app.checkers.format import check
from tests.helpers.timing import HANG_S

OK, BAD = "ok", "bad_format"

# (completion, params, expected status, substring of the reason or None)
CASES: list[tuple[str, dict, str, str | None]] = [
    ("<think>We add 2 and 2.</think>The answer is 4.", {}, OK, None),
    ("<think>\nreasoning\n</think>\n\n\\boxed{4}", {}, OK, None),
    ("  \n<think>leading whitespace is fine</think> 4", {}, OK, None),
    ("<think>r</think> 4\n\n   ", {}, OK, None),
    ("<think>a</think>b", {}, OK, None),
    ("The answer is 4.", {}, BAD, "no <think> block"),
    ("", {}, BAD, "no <think> block"),
    ("<think></think> 4", {}, BAD, "empty reasoning"),
    ("<think>   \n </think> 4", {}, BAD, "empty reasoning"),
    ("<think>reasoning</think>", {}, BAD, "no answer"),
    ("<think>reasoning</think>   \n", {}, BAD, "no answer"),
    ("<think>reasoning without end", {}, BAD, "never closed"),
    ("</think>reasoning<think> 4", {}, BAD, "before <think>"),
    ("reasoning</think> 4", {}, BAD, "</think> without <think>"),
    ("Sure! <think>r</think> 4", {}, BAD, "text before <think>"),
    ("<think>a</think><think>b</think> 4", {}, BAD, "several think blocks"),
    ("<think>a</think> 4 <think>more</think>", {}, BAD, "several think blocks"),
    ("<think>a <think> b</think> 4", {}, BAD, "several think blocks"),
    ("<think>a</think> 4 </think>", {}, BAD, "several think blocks"),
    # Tags inside code are text, not structure.
    ("<think>r</think> Use:\n```html\n<think>x</think>\n```\n", {}, OK, None),
    ("<think>print `</think>` then stop</think> 4", {}, OK, None),
    ("<think>r</think> the tag `<think>` opens reasoning", {}, OK, None),
    ("```\n<think>r</think>\n```\n4", {}, BAD, "no <think> block"),
    # Unclosed fences hide nothing.
    ("<think>r ``` x</think> 4", {}, OK, None),
    # think_prefilled: the prompt ended with <think>.
    ("reasoning here</think> 4", {"think_prefilled": True}, OK, None),
    ("\nreasoning</think>\n\\boxed{4}", {"think_prefilled": True}, OK, None),
    ("<think>r</think> 4", {"think_prefilled": True}, BAD, "prompt already opened it"),
    ("reasoning and no close", {"think_prefilled": True}, BAD, "never closed"),
    ("a</think> b</think> 4", {"think_prefilled": True}, BAD, "2 </think>"),
    ("  </think> 4", {"think_prefilled": True}, BAD, "empty reasoning"),
    ("r</think>", {"think_prefilled": True}, BAD, "no answer"),
    # answer_tag: the answer sits in exactly one <answer> block.
    ("<think>r</think><answer>4</answer>", {"answer_tag": True}, OK, None),
    ("<think>\nr\n</think>\n<answer>\n4\n</answer>\n", {"answer_tag": True}, OK, None),
    ("<think>r</think> 4", {"answer_tag": True}, BAD, "no <answer> block"),
    ("<think>r</think><answer></answer>", {"answer_tag": True}, BAD, "empty answer block"),
    ("<think>r</think><answer>4", {"answer_tag": True}, BAD, "never closed"),
    ("<think>r</think></answer>4<answer>", {"answer_tag": True}, BAD, "comes before"),
    (
        "<think>r</think>So: <answer>4</answer>",
        {"answer_tag": True},
        BAD,
        "between </think> and <answer>",
    ),
    ("<think>r</think><answer>4</answer> done!", {"answer_tag": True}, BAD, "text after </answer>"),
    (
        "<think>r</think><answer>4</answer><answer>5</answer>",
        {"answer_tag": True},
        BAD,
        "several answer blocks",
    ),
    (
        "<think>r <answer>4</answer></think><answer>4</answer>",
        {"answer_tag": True},
        BAD,
        "inside the reasoning",
    ),
    ("<answer>4</answer>", {"answer_tag": True}, BAD, "no <think> block"),
    ("r</think><answer>4</answer>", {"answer_tag": True, "think_prefilled": True}, OK, None),
    # Without answer_tag an <answer> block is still a fine answer.
    ("<think>r</think><answer>4</answer>", {}, OK, None),
    # Case matters: <Think> is not the tag.
    ("<Think>r</Think> 4", {}, BAD, "no <think> block"),
]


@pytest.mark.parametrize(("completion", "params", "status", "reason"), CASES)
def test_format_table(completion: str, params: dict, status: str, reason: str | None) -> None:
    score = check(completion, params)
    assert score.status.value == status
    if status == OK:
        assert score.value == 1.0
        assert "reason" not in score.details
    else:
        assert score.value == 0.0
        assert reason is not None and reason in score.details["reason"]


def test_table_is_big_enough() -> None:
    assert len(CASES) >= 40


def test_linear_time_on_hostile_input() -> None:
    # Many unmatched fences and tags must not trigger quadratic regex work.
    hostile = "<think>" + "```a\n" * 20000 + "`" * 50000 + "</think>" * 3 + " x"
    score = check(hostile, {})
    assert score.status is Status.BAD_FORMAT


@pytest.mark.parametrize(
    "hostile",
    [
        "`" * 200_000,
        "```" + "`" * 200_000,
        "```a\n" * 40_000,
        "~~~\n" + "x" * 200_000,
        "<think>" + "```" * 60_000 + "</think> 1",
    ],
)
def test_masking_is_linear(hostile: str) -> None:
    import time

    from app.checkers.text import mask_code

    t0 = time.perf_counter()
    masked = mask_code(hostile)
    # Not a benchmark: a quadratic scan of 200k characters takes hours, linear takes ms.
    assert time.perf_counter() - t0 < HANG_S
    assert len(masked) == len(hostile)
