"""Majority vote and best-of-N: clustering edge cases and the POST /v1/select route.

The selection logic is tested with a small stand-in for the math check (exact fractions), so
that its clustering, ties and correctness rules are pinned independently of the real math
checker; the HTTP tests at the end run the real one.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from app import selection
from app.checkers.base import Score, Status
from app.checkers.registry import REGISTRY, Checker
from app.jobs import ItemResult, Job
from app.selection import Group, cluster_answers
from app.worker.scorer import Scorer

# --- a stand-in math check: boxed answers compared as exact fractions ---------------------------

_BOXED = re.compile(r"\\boxed\{((?:[^{}]|\{[^{}]*\})*)\}")
_FRAC = re.compile(r"\\frac\{(-?\d+)\}\{(\d+)\}")


def fake_extract(completion: str) -> str | None:
    found = _BOXED.findall(completion)
    return found[-1] if found else None


def _value(text: str) -> Fraction | None:
    text = _FRAC.sub(r"\1/\2", text.replace(" ", ""))
    try:
        return Fraction(text)
    except (ValueError, ZeroDivisionError):
        return None


def fake_math(completion: str, params: Mapping[str, Any]) -> Score:
    gold = _value(params["gold"])
    if gold is None:
        return Score.invalid(f"gold {params['gold']!r} does not parse")
    answer = fake_extract(completion)
    if answer is None:
        return Score(0.0, Status.NO_ANSWER)
    ok = _value(answer) == gold
    return Score(float(ok), Status.CORRECT if ok else Status.WRONG, {"extracted": answer})


class Runner:
    """A broker stand-in: scores jobs in-process and records each job's items."""

    def __init__(self) -> None:
        registry = {**REGISTRY, "math": Checker("math", fake_math, where="inline")}
        self.scorer = Scorer(None, registry=registry)
        self.jobs: list[Job] = []

    async def __call__(self, job: Job) -> list[ItemResult]:
        self.jobs.append(job)
        return await self.scorer.score(job.items)

    @property
    def comparisons(self) -> list[tuple[str, str]]:
        """(answer, representative) pairs sent as equivalence checks."""
        return [
            (fake_extract(it.completion) or "", it.checks["math"]["gold"])
            for job in self.jobs
            for it in job.items
            if it.id.startswith("eq:")  # comparisons, not scoring or gold checks
        ]


async def run_select(*groups: Group) -> tuple[list[dict[str, Any]], Runner]:
    runner = Runner()
    out = await selection.select(groups, extract=fake_extract, run=runner)
    return [s.to_json() for s in out], runner


def boxed(*answers: str) -> list[str]:
    return [f"Reasoning. The answer is \\boxed{{{a}}}." for a in answers]


# --- clustering ----------------------------------------------------------------------------------


async def test_equivalent_forms_share_a_cluster() -> None:
    (group,), _ = await run_select(
        Group("q1", boxed("0.5", "\\frac{1}{2}", "2", "1/2"), gold="1/2")
    )
    assert group["clusters"] == [
        {"answer": "0.5", "members": [0, 1, 3], "correct": True},
        {"answer": "2", "members": [2], "correct": False},
    ]
    assert group["majority"] == {
        "answer": "0.5",
        "share": 0.75,
        "members": [0, 1, 3],
        "correct": True,
    }
    assert group["no_answer"] == []
    assert group["best_of_n"] == {"index": 0, "reward": 1.0}
    assert group["pass_at_n"] is True


async def test_contract_example_shape() -> None:
    completions = ["... \\boxed{0.5}", "... \\boxed{\\frac{1}{2}}", "... \\boxed{2}"]
    (group,), _ = await run_select(Group("q1", completions, gold="1/2"))
    assert group == {
        "id": "q1",
        "clusters": [
            {"answer": "0.5", "members": [0, 1], "correct": True},
            {"answer": "2", "members": [2], "correct": False},
        ],
        "majority": {"answer": "0.5", "share": 0.667, "members": [0, 1], "correct": True},
        "no_answer": [],
        "best_of_n": {"index": 0, "reward": 1.0},
        "pass_at_n": True,
    }


async def test_no_answer_completions_count_in_the_share_but_form_no_cluster() -> None:
    completions = [*boxed("3"), "I give up.", "", *boxed("3.0")]
    (group,), _ = await run_select(Group("g", completions))
    assert group["clusters"] == [{"answer": "3", "members": [0, 3]}]
    assert group["no_answer"] == [1, 2]
    assert group["majority"]["share"] == 0.5


async def test_all_without_answer() -> None:
    (group,), runner = await run_select(Group("g", ["nothing", "still nothing"], gold="1"))
    assert group["clusters"] == []
    assert group["majority"] is None
    assert group["no_answer"] == [0, 1]
    assert group["pass_at_n"] is False
    assert group["best_of_n"] == {"index": 0, "reward": 0.0}
    assert runner.comparisons == []


@pytest.mark.parametrize(
    ("answers", "majority", "members"),
    [
        (("1", "2", "2", "1"), "1", [0, 3]),  # tie: the cluster whose first member comes first
        (("2", "1", "1", "2"), "2", [0, 3]),
        (("5", "6", "7"), "5", [0]),  # all singletons
        (("5", "6", "6"), "6", [1, 2]),  # a real majority wins over order
    ],
)
async def test_ties_go_to_the_earliest_cluster(
    answers: tuple[str, ...], majority: str, members: list[int]
) -> None:
    (group,), _ = await run_select(Group("t", boxed(*answers)))
    assert group["majority"]["answer"] == majority
    assert group["majority"]["members"] == members


async def test_without_gold_or_checks_there_is_no_correctness_and_no_best_of_n() -> None:
    (group,), runner = await run_select(Group("g", boxed("1", "1.0")))
    assert set(group) == {"id", "clusters", "majority", "no_answer"}
    assert "correct" not in group["clusters"][0] and "correct" not in group["majority"]
    # Only equivalence comparisons were sent, no scoring job.
    assert all(len(it.checks) == 1 for job in runner.jobs for it in job.items)


async def test_best_of_n_by_checks_without_gold() -> None:
    completions = [
        "no template \\boxed{1}",
        "<think>r</think> \\boxed{2}",
        "<think>r</think> \\boxed{2}",
    ]
    (group,), _ = await run_select(Group("g", completions, checks={"format": {}}))
    assert group["best_of_n"] == {"index": 1, "reward": 1.0}  # first index on ties
    assert "pass_at_n" not in group


async def test_best_of_n_combines_math_and_checks_with_weights() -> None:
    completions = [
        "<think>r</think> \\boxed{7}",  # format 1, wrong: 0.5
        "\\boxed{4}",  # correct, no format: 1.0
        "<think>r</think> \\boxed{4}",  # both: 1.5
    ]
    group = Group("g", completions, gold="4", checks={"format": {}}, weights={"format": 0.5})
    (out,), _ = await run_select(group)
    assert out["best_of_n"] == {"index": 2, "reward": 1.5}
    assert out["majority"] == {"answer": "4", "share": 0.667, "members": [1, 2], "correct": True}


async def test_wrong_majority_but_pass_at_n() -> None:
    (group,), _ = await run_select(Group("g", boxed("3", "3", "4"), gold="4"))
    assert group["majority"]["correct"] is False
    assert group["pass_at_n"] is True
    assert group["clusters"][1] == {"answer": "4", "members": [2], "correct": True}


async def test_unparseable_gold_gives_unknown_correctness_not_false() -> None:
    (group,), _ = await run_select(Group("g", boxed("1", "2"), gold="unparseable"))
    assert group["pass_at_n"] is None
    assert group["majority"]["correct"] is None
    assert group["best_of_n"] == {"index": None, "reward": None}
    assert "does not parse" in group["message"]


async def test_identical_answers_cost_no_comparison() -> None:
    (group,), runner = await run_select(Group("g", boxed(*["42"] * 8, " 42 ", "4 2")))
    assert group["clusters"][0]["members"] == list(range(10))
    assert group["clusters"][0]["answer"] == "42"
    # " 42 " is "42" up to white space: free. "4 2" is another string: one comparison
    # (which the stand-in decides equal).
    assert runner.comparisons == [("4 2", "42")]


async def test_each_answer_is_compared_only_against_representatives() -> None:
    answers = ["1", "2", "1.0", "2.0", "1.00", "2.00", "3"]
    (group,), runner = await run_select(Group("g", boxed(*answers)))
    assert [c["members"] for c in group["clusters"]] == [[0, 2, 4], [1, 3, 5], [6]]
    reps = {rep for _, rep in runner.comparisons}
    assert reps == {"1", "2"}  # the representatives; "3" had nobody left to compare
    # round 1: 6 answers against "1"; round 2: the 3 left against "2"
    assert len(runner.comparisons) == 6 + 3


async def test_groups_share_rounds() -> None:
    groups = [Group("a", boxed("1", "2", "3")), Group("b", boxed("5", "5.0"))]
    (a, b), runner = await run_select(*groups)
    assert [c["answer"] for c in a["clusters"]] == ["1", "2", "3"]
    assert b["clusters"] == [{"answer": "5", "members": [0, 1]}]
    # group a needs two rounds of comparisons; b's only comparison rides in the first
    assert len(runner.jobs) == 2


async def test_non_transitive_equivalence_is_decided_against_representatives() -> None:
    # a~b and b~c but not a~c: b joins a's cluster, c is compared with a only.
    near = {frozenset(("a", "b")), frozenset(("b", "c"))}

    async def compare(pairs: Sequence[tuple[str, str]]) -> list[bool]:
        return [frozenset(p) in near for p in pairs]

    ((clusters, missing),) = await cluster_answers([["a", "b", None, "c"]], compare)
    assert [(c.answer, c.members) for c in clusters] == [("a", [0, 1]), ("c", [3])]
    assert missing == [2]


async def test_comparison_failures_keep_answers_apart() -> None:
    # A comparison that timed out or errored is "not equivalent": never a wrong merge.
    async def compare(pairs: Sequence[tuple[str, str]]) -> list[bool]:
        return [False] * len(pairs)

    ((clusters, _),) = await cluster_answers([["x", "y", "x"]], compare)
    assert [(c.answer, c.members) for c in clusters] == [("x", [0, 2]), ("y", [1])]


async def test_unjudged_check_explains_the_null_best_of_n() -> None:
    # `length` needs math or code; without a gold there is no math, so rewards are null.
    (group,), _ = await run_select(Group("g", boxed("1", "2"), checks={"length": {}}))
    assert group["best_of_n"] == {"index": None, "reward": None}
    assert group["message"].startswith("length check invalid")


@pytest.mark.parametrize(
    "answer", ["x}", "{a", "\\frac{1}{2}", "\\{1,2\\}", "\\boxed{3}", "3 \\text{ apples}", "(1, 2]"]
)
def test_comparison_completion_extracts_the_same_answer(answer: str) -> None:
    # The equivalence check re-extracts the answer from a synthetic completion: it must get
    # back exactly what was clustered, braces balanced or not.
    extract_answer = pytest.importorskip("app.checkers.math").extract_answer
    assert extract_answer(selection.as_completion(answer)) == answer


# --- HTTP ----------------------------------------------------------------------------------------


def test_select_validation_errors(api) -> None:
    cases = [
        ({"groups": [{"completions": []}]}, ["groups", 0, "completions"]),
        ({"groups": [{"completions": ["x"], "checks": {"nope": {}}}]}, ["groups", 0, "checks"]),
        ({"groups": [{"completions": ["x"], "weights": {"nope": 1}}]}, ["groups", 0, "weights"]),
        ({"groups": [{"completions": ["x"], "gold": 5}]}, ["groups", 0, "gold"]),
        ({"group": []}, ["group"]),
    ]
    for body, loc in cases:
        r = api.post("/v1/select", json=body)
        assert r.status_code == 422, (body, r.text)
        locs = [d["loc"][: len(loc) + 1] for d in r.json()["detail"]]
        assert ["body", *loc] in locs, (body, locs)


def test_select_limits(api) -> None:
    limit = api.app.state.settings.max_items
    body = {"groups": [{"completions": ["\\boxed{1}"] * (limit // 2 + 1)}] * 2}
    r = api.post("/v1/select", json=body)
    assert r.status_code == 413 and "completions exceed" in r.json()["detail"]


def test_select_is_documented(api) -> None:
    spec = api.get("/openapi.json").json()
    assert "/v1/select" in spec["paths"]
    assert "SelectRequest" in spec["components"]["schemas"]


def _math_available() -> bool:
    try:
        import app.checkers.math  # noqa: F401
    except ImportError:
        return False
    return "math" in REGISTRY


needs_math = pytest.mark.skipif(not _math_available(), reason="the math checker is not installed")


@needs_math
def test_select_contract_example_over_http(api) -> None:
    body = {
        "groups": [
            {
                "id": "q1",
                "gold": "1/2",
                "completions": ["... \\boxed{0.5}", "... \\boxed{\\frac12}", "... \\boxed{2}"],
                "checks": {"format": {}},
            }
        ]
    }
    r = api.post("/v1/select", json=body)
    assert r.status_code == 200, r.text
    (group,) = r.json()["groups"]
    assert group["clusters"] == [
        {"answer": "0.5", "members": [0, 1], "correct": True},
        {"answer": "2", "members": [2], "correct": False},
    ]
    assert group["majority"] == {
        "answer": "0.5",
        "share": 0.667,
        "members": [0, 1],
        "correct": True,
    }
    assert group["no_answer"] == []
    assert group["best_of_n"] == {"index": 0, "reward": 1.0}  # format fails on all three
    assert group["pass_at_n"] is True


@needs_math
def test_select_real_math_equivalence_over_http(api) -> None:
    completions = [
        "<think>x</think> The answer is \\boxed{50\\%}",
        "<think>x</think> \\boxed{\\dfrac{1}{2}}",
        "<think>x</think> \\boxed{(1, 2]}",
        "<think>x</think> \\boxed{0.5}",
        "<think>x</think> \\boxed{(1, 2)}",
        "<think>x</think> no idea",
    ]
    r = api.post("/v1/select", json={"groups": [{"completions": completions}]})
    assert r.status_code == 200, r.text
    (group,) = r.json()["groups"]
    members = [c["members"] for c in group["clusters"]]
    assert [1, 3] in members or [0, 1, 3] in members  # ½ in any notation (50% too, if taken)
    assert [2] in members and [4] in members  # a different bracket is a different answer
    assert group["no_answer"] == [5]
    assert "best_of_n" not in group and "pass_at_n" not in group


@needs_math
def test_hedged_completion_votes_but_does_not_pass(api) -> None:
    # Several different boxed answers: the completion votes for its last box (the extracted
    # answer), but the math check scores it wrong, so it adds nothing to pass@N.
    hedged = "It is \\boxed{3}, or maybe \\boxed{4}."
    body = {
        "groups": [
            {"id": "a", "gold": "4", "completions": [hedged, "\\boxed{4}", "\\boxed{5}"]},
            {"id": "b", "gold": "4", "completions": [hedged, "\\boxed{5}"]},
        ]
    }
    r = api.post("/v1/select", json=body)
    assert r.status_code == 200, r.text
    a, b = r.json()["groups"]
    assert a["clusters"] == [
        {"answer": "4", "members": [0, 1], "correct": True},
        {"answer": "5", "members": [2], "correct": False},
    ]
    assert a["pass_at_n"] is True and a["best_of_n"] == {"index": 1, "reward": 1.0}
    assert b["clusters"][0] == {"answer": "4", "members": [0], "correct": True}
    assert b["pass_at_n"] is False


@needs_math
def test_majority_vote_example_on_the_sample(live_server) -> None:
    """examples/majority_vote.py against a live server: maj@N and pass@N as hand-counted
    for examples/data/majority.jsonl (5 of 8 majorities right, 7 of 8 groups with a hit)."""
    root = Path(__file__).resolve().parent.parent
    proc = subprocess.run(
        [
            sys.executable,
            str(root / "examples" / "majority_vote.py"),
            str(root / "examples" / "data" / "majority.jsonl"),
            "--url",
            live_server,
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    summary = dict(line.rsplit(None, 1) for line in proc.stdout.splitlines() if line.strip())
    assert summary["maj@N"] == "0.625"
    assert summary["pass@N"] == "0.875"
    assert summary["no-answer rate"] == "0.100"  # 3 of 30 completions


def test_choice_groups_cluster_by_letter_over_http(api) -> None:
    body = {
        "groups": [
            {
                "id": "mcq",
                "kind": "choice",
                "letters": "ABCD",
                "gold": "b",
                "completions": [
                    "The answer is (B).",
                    "**Answer: C**",
                    "\\boxed{b}",
                    "It is A or B.",  # a hedge: no answer
                    "I think the answer is E.",  # not an option: no answer
                    "Answer: C",
                ],
                "checks": {"format": {}},
            },
            {"id": "math", "gold": "1/2", "completions": ["\\boxed{0.5}", "\\boxed{2}"]},
        ]
    }
    r = api.post("/v1/select", json=body)
    assert r.status_code == 200, r.text
    mcq, math_group = r.json()["groups"]
    assert mcq["clusters"] == [
        {"answer": "B", "members": [0, 2], "correct": True},
        {"answer": "C", "members": [1, 5], "correct": False},
    ]
    assert mcq["majority"] == {"answer": "B", "share": 0.333, "members": [0, 2], "correct": True}
    assert mcq["no_answer"] == [3, 4]
    assert mcq["pass_at_n"] is True
    assert mcq["best_of_n"]["index"] == 0  # correct but bad format everywhere: first of ties
    assert math_group["majority"]["answer"] == "0.5"


def test_choice_group_validation(api) -> None:
    bad = [
        {"completions": ["A"], "letters": "ABC"},  # letters without kind choice
        {"completions": ["A"], "kind": "choice", "letters": "AAB"},
        {"completions": ["A"], "kind": "choice", "gold": "A", "checks": {"choice": {"gold": "A"}}},
        {"completions": ["A"], "kind": "vote"},
    ]
    for group in bad:
        r = api.post("/v1/select", json={"groups": [group]})
        assert r.status_code == 422, (group, r.text)
