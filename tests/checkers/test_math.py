"""The math checker: 390+ equivalence cases by category (tests/checkers/math_cases.py),
extraction, statuses, hedging, the public interface, and pathological answers through the pool."""

from __future__ import annotations

import asyncio
import importlib.util
import sys
import time
from pathlib import Path

import pytest

from app.checkers.base import Status
from app.checkers.math import check, dedup_key, equivalent, extract, extract_answer
from app.checkers.registry import REGISTRY
from app.jobs import Item
from app.worker.pool import CheckerPool
from app.worker.scorer import Scorer
from tests.helpers.timing import HANG_S


def _load_cases():
    path = Path(__file__).with_name("math_cases.py")
    spec = importlib.util.spec_from_file_location("math_cases", path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("math_cases", module)
    spec.loader.exec_module(module)
    return module


CASES = _load_cases()


def test_case_table_is_large_and_balanced() -> None:
    assert len(CASES.ALL) >= 300
    assert all(len(cases) >= 10 for cases in CASES.CATEGORIES.values())
    wrong = sum(1 for _, (_, _, expected) in CASES.ALL if not expected)
    assert wrong >= 100  # plenty of near misses, so false accepts are measured


@pytest.mark.parametrize(
    ("answer", "gold", "expected"),
    [case for _, case in CASES.ALL],
    ids=[f"{cat}-{i}" for i, (cat, _) in enumerate(CASES.ALL)],
)
def test_equivalence(answer: str, gold: str, expected: bool) -> None:
    score = check(CASES.completion_for(answer), {"gold": gold})
    assert (score.status is Status.CORRECT) is expected, (answer, gold, score)
    assert score.value == (1.0 if expected else 0.0)


@pytest.mark.parametrize(
    ("completion", "gold", "expected"),
    CASES.COMPLETIONS,
    ids=[f"completion-{i}" for i in range(len(CASES.COMPLETIONS))],
)
def test_whole_completions(completion: str, gold: str, expected: bool) -> None:
    score = check(completion, {"gold": gold})
    assert (score.status is Status.CORRECT) is expected, (completion, gold, score)


@pytest.mark.parametrize(
    ("answer", "gold", "expected"),
    [
        ("0.5", "\\frac12", True),
        ("x = 3", "3", True),
        ("\\{2, 1\\}", "\\{1, 2\\}", True),
        ("(2, 1)", "(1, 2)", False),
        ("0.333", "\\frac13", False),
    ],
)
def test_equivalent_on_extracted_strings(answer: str, gold: str, expected: bool) -> None:
    assert equivalent(answer, gold) is expected


# --- extraction -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("completion", "expected"),
    [
        ("<think>maybe \\boxed{1}</think> so \\boxed{\\frac{1}{2}}", "\\frac{1}{2}"),
        ("no tags: \\boxed{\\{1, 2\\}}", "\\{1, 2\\}"),
        ("\\fbox{7}", "7"),
        ("\\boxed{\\boxed{5}}", "\\boxed{5}"),
        ("\\boxed 5.", "5"),
        ("\\boxed{\\frac{a}{b}} then more text", "\\frac{a}{b}"),
        ("Final Answer: The final answer is $28\\%$. I hope it is correct.", "28\\%"),
        ("The answer is 42.", "42"),
        ("**Answer:** 3.5.", "3.5"),
        ("Final answer: \\(x^2\\)", "x^2"),
        ("so the total is\n$$x = \\frac{3}{4}$$", "x = \\frac{3}{4}"),
        ("adding up, n = 12", "12"),
        ("<think>reasoning \\boxed{3}</think>", None),
        ("<think>truncated reasoning \\boxed{3}", None),
        ("\\boxed{3", None),
        ("I do not know.", None),
        ("", None),
    ],
)
def test_extract_answer(completion: str, expected: str | None) -> None:
    assert extract_answer(completion) == expected


_OUTPUT = "```python\nprint(6/7)\n```\n```output\n0.857142857142857\n```\n"


@pytest.mark.parametrize(
    ("completion", "boxed", "final", "last"),
    [
        # GSM8K: the value after `####`, even after an earlier "The answer is".
        ("48+24 = <<48+24=72>>72\n#### 72", None, "72", "72"),
        ("The answer is 70. Wait, 72.\n#### 72", None, "72", "72"),
        ("####   $1,250", None, "$1,250", "$1,250"),
        # The few-shot Q/A format: a short `A:` line is the answer, a long one is reasoning.
        ("Q: how many?\nA: 14", None, "14", "14"),
        (
            "A: She buys 3 packs of 4 pens, so 12 pens, and gives away five of those",
            None,
            None,
            "12",
        ),
        # Answer headings: PRM800K, bold, markdown, with the value on a later line.
        ("We add.\n\n# Answer\n\n216", None, "216", "216"),
        ("**Final Answer**\n$$\n\\frac{6}{7}\n$$", None, "\\frac{6}{7}", "\\frac{6}{7}"),
        ("### Answer:\n\n$x = 5$", None, "x = 5", "x = 5"),
        ("**Answer**\n14", None, "14", "14"),
        # Minerva's closing sentence.
        (
            "Final Answer: The final answer is $\\begin{pmatrix}\n-6 \\\\\n6\n\\end{pmatrix}$. "
            "I hope it is correct.",
            None,
            "\\begin{pmatrix}\n-6 \\\\\n6\n\\end{pmatrix}",
            "\\begin{pmatrix}\n-6 \\\\\n6\n\\end{pmatrix}",
        ),
        # Code-interpreter transcripts: the output block's last line; code is never read.
        (_OUTPUT, None, "0.857142857142857", "0.857142857142857"),
        ("```python\nx = 6/7\nprint(x)\n```", None, None, None),
        # `last` only: the last number or math span of the last line.
        ("so she ends with 6/7 of the cake", None, None, "6/7"),
        ("the sides are 3 and $\\sqrt{2}$", None, "\\sqrt{2}", "\\sqrt{2}"),
        ("it costs 1,250 dollars, or 12.5 each", None, None, "12.5"),
        ("No numbers on this line at all", None, None, None),
        # A box wins in every mode.
        ("#### 5\nso \\boxed{6}", "6", "6", "6"),
    ],
)
def test_extraction_modes(
    completion: str, boxed: str | None, final: str | None, last: str | None
) -> None:
    assert extract_answer(completion, "boxed") == boxed
    assert extract_answer(completion, "final") == final
    assert extract_answer(completion, "last") == last


@pytest.mark.parametrize(
    ("answer", "gold", "params", "expected"),
    [
        ("0.8571", "\\frac{6}{7}", {}, "wrong"),
        ("0.8571", "\\frac{6}{7}", {"rel_tol": 1e-3}, "correct"),
        ("0.8571", "\\frac{6}{7}", {"rel_tol": 1e-6}, "wrong"),
        ("0.8571", "\\frac{6}{7}", {"abs_tol": 1e-4}, "correct"),
        ("1.732", "\\sqrt{3}", {"rel_tol": 1e-3}, "correct"),
        ("1.732", "\\sqrt{3}", {}, "wrong"),
        ("\\sqrt{3}", "1.732", {}, "correct"),  # a rounded gold: the rounding policy
        ("(-1.732, 1.732)", "(-\\sqrt{3}, \\sqrt{3})", {"rel_tol": 1e-3}, "correct"),
        ("(1.732, -1.732)", "(-\\sqrt{3}, \\sqrt{3})", {"rel_tol": 1e-3}, "wrong"),
        (
            "\\begin{pmatrix}0.5774\\\\1\\end{pmatrix}",
            "\\begin{pmatrix}\\frac{1}{\\sqrt3}\\\\1\\end{pmatrix}",
            {"rel_tol": 1e-3},
            "correct",
        ),
        ("33.33\\%", "\\frac{1}{3}", {"rel_tol": 1e-3}, "correct"),
        ("999.5", "1000", {"rel_tol": 1e-3}, "correct"),  # as math.isclose
        ("999", "1000", {"rel_tol": 1e-2}, "wrong"),  # two integers: never approximations
        ("1001", "1000", {"abs_tol": 5}, "wrong"),
        ("x", "1", {"rel_tol": 10.0}, "wrong"),  # never for non-numeric answers
        ("x + 0.0001", "x", {"abs_tol": 1.0}, "wrong"),
        ("1.0001i", "i", {"rel_tol": 1e-2}, "wrong"),  # complex values are exact
        ("\\text{yes}", "1", {"rel_tol": 1.0}, "wrong"),
        ("0.8571", "\\frac{6}{7}", {"rel_tol": -1}, "invalid"),
        ("0.8571", "\\frac{6}{7}", {"abs_tol": float("nan")}, "invalid"),
        ("0.8571", "\\frac{6}{7}", {"rel_tol": "1e-3"}, "invalid"),
        ("0.8571", "\\frac{6}{7}", {"extract": "box"}, "invalid"),
    ],
)
def test_tolerance_policy(answer: str, gold: str, params: dict, expected: str) -> None:
    score = check(f"The answer is $\\boxed{{{answer}}}$.", {"gold": gold, **params})
    assert score.status == Status(expected), score


def test_extraction_is_linear_on_adversarial_input() -> None:
    nested = "\\boxed{" * 200_000
    big = "x" * 1_000_000 + "\\boxed{5}"
    assert extract_answer(nested) is None
    assert extract_answer(big) == "5"
    # No answer signal in a megabyte of digits or dollar signs (and no last-number fallback).
    assert extract_answer("1" * 1_000_000) is None
    assert extract_answer("$" * 1_000_000) is None
    assert extract(big).boxes == ("5",)


# --- statuses ---------------------------------------------------------------------------------


def test_correct_details_give_extracted() -> None:
    score = check("The area is \\boxed{\\dfrac{1}{2}}.", {"gold": "0.5"})
    assert score.status is Status.CORRECT
    assert score.details["extracted"] == "\\dfrac{1}{2}"


def test_no_answer() -> None:
    score = check("I think it is about five", {"gold": "5"})
    assert score.status is Status.NO_ANSWER and score.value == 0.0
    assert score.details["extracted"] is None


@pytest.mark.parametrize("gold", ["", "   ", "\\boxed{}", "$ $"])
def test_empty_gold_is_invalid_with_null_score(gold: str) -> None:
    score = check("\\boxed{5}", {"gold": gold})
    assert score.status is Status.INVALID and score.value is None
    assert score.details["message"]


def test_missing_gold_is_invalid() -> None:
    assert check("\\boxed{5}", {}).status is Status.INVALID


def test_several_different_boxes_are_wrong() -> None:
    score = check("It is \\boxed{2} or maybe \\boxed{3}.", {"gold": "3"})
    assert score.status is Status.WRONG
    assert "several" in score.details["reason"]


def test_repeated_equivalent_boxes_are_fine() -> None:
    assert (
        check("\\boxed{0.5}, that is \\boxed{\\frac12}", {"gold": "1/2"}).status is Status.CORRECT
    )


def test_hedged_list_in_one_box_is_wrong() -> None:
    assert check("\\boxed{3 \\text{ or } 4}", {"gold": "3"}).status is Status.WRONG


def test_only_the_answer_part_counts() -> None:
    completion = "<think>\\boxed{7}</think>The answer is \\boxed{8}"
    assert check(completion, {"gold": "7"}).status is Status.WRONG
    assert check(completion, {"gold": "8"}).status is Status.CORRECT


def test_gold_may_be_a_full_solution_with_a_box() -> None:
    gold = "Thus the sum is $\\boxed{14{,}916}$."
    assert check("\\boxed{14916}", {"gold": gold}).status is Status.CORRECT


@pytest.mark.parametrize(
    "answer",
    [
        "9^{9^{9^9}}",
        "(10^{10})!",
        "100000!",
        "2^{2^{2^{2^{2^{2}}}}}",
        "x^{9^{9^{9}}}",
        "1" * 3000,
        "{" * 60 + "1" + "}" * 60,
    ],
)
def test_pathological_answers_are_refused_quickly(answer: str) -> None:
    t0 = time.perf_counter()
    score = check(f"\\boxed{{{answer}}}", {"gold": "1"})
    assert score.status is Status.TIMEOUT and score.value == 0.0
    assert time.perf_counter() - t0 < HANG_S


def test_megabyte_answer_is_refused() -> None:
    score = check("\\boxed{" + "1+" * 500_000 + "1}", {"gold": "1000001"})
    assert score.status is Status.TIMEOUT


def test_checker_never_raises_on_junk() -> None:
    junk = [
        "\\boxed{\\frac{}{}}",
        "\\boxed{]]]}",
        "\\boxed{\\begin{pmatrix}}",
        "\\boxed{=}",
        "\\boxed{,,}",
    ]
    for completion in junk:
        assert check(completion, {"gold": "5"}).status in (Status.WRONG, Status.NO_ANSWER)


# --- registry and dedup -----------------------------------------------------------------------


def test_registered_in_the_pool_with_answer_dedup() -> None:
    checker = REGISTRY["math"]
    assert checker.where == "pool"
    a = checker.dedup_key("long reasoning A ... \\boxed{5}", {"gold": "5"})
    b = checker.dedup_key("other reasoning B ... \\boxed{5}", {"gold": "5"})
    c = checker.dedup_key("other reasoning B ... \\boxed{5}", {"gold": "6"})
    hedged = checker.dedup_key("\\boxed{4} \\boxed{5}", {"gold": "5"})
    assert a == b != c
    assert hedged != a
    assert dedup_key("\\boxed{5}", {"gold": "5"}) == a


# --- the pool enforces the deadline -----------------------------------------------------------

#: Passes the cheap guards, is outside the fast path's subset (`\\lfloor`), and takes seconds
#: in sympy (a 20-million-bit power).
SLOW = "\\boxed{\\sqrt{2}+999983^{999983}+\\lfloor 2.5 \\rfloor}"


def test_slow_answer_times_out_in_the_pool_and_the_pool_recovers() -> None:
    pool = CheckerPool(1)
    pool.start()
    try:
        scorer = Scorer(pool, item_timeout_s=1.0)
        items = [
            Item("slow", SLOW, {"math": {"gold": "5"}}),
            Item("tower", "\\boxed{9^{9^{9^9}}}", {"math": {"gold": "5"}}),
            Item("ok", "\\boxed{5}", {"math": {"gold": "5"}}),
        ]
        t0 = time.perf_counter()
        results = asyncio.run(scorer.score(items))
        elapsed = time.perf_counter() - t0
        by_id = {r.id: r for r in results}
        assert by_id["slow"].details["math"]["status"] == "timeout"
        assert by_id["tower"].details["math"]["status"] == "timeout"
        assert by_id["ok"].details["math"]["status"] == "correct"
        assert by_id["ok"].reward == 1.0
        assert elapsed < HANG_S
        assert pool.timeouts >= 1
        again = asyncio.run(
            scorer.score([Item("after", "\\boxed{\\frac12}", {"math": {"gold": "0.5"}})])
        )
        assert again[0].details["math"]["status"] == "correct"
    finally:
        pool.close()
