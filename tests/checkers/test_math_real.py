"""The math checker on completions in real output styles (tests/checkers/math_real_cases.py)
under each option: the default `final` extraction (exact), `extract: last` with `rel_tol: 1e-3`
(lenient evaluation), and `extract: boxed` (RL with a box prompt)."""

from __future__ import annotations

import pytest

from app.checkers.base import Status
from app.checkers.math import check, extract
from tests.helpers.tables import load_table

REAL = load_table("math_real_cases").REAL
IDS = [f"{fam.replace(' ', '_')}-{i}" for i, (fam, *_) in enumerate(REAL)]


def test_table_covers_every_family_with_both_labels() -> None:
    families = {fam for fam, *_ in REAL}
    for fam in families - {"no answer"}:
        labels = {label for f, _, _, label, _ in REAL if f == fam}
        assert labels == {True, False}, fam
    assert {"gsm8k", "qa line", "prm800k", "minerva", "bold heading", "code output"} <= families
    assert {"approximation", "matrix lines", "choice value", "one variable"} <= families


@pytest.mark.parametrize(("family", "completion", "gold", "label", "needs"), REAL, ids=IDS)
def test_final_exact(family: str, completion: str, gold: str, label: bool, needs: str) -> None:
    score = check(completion, {"gold": gold})
    assert (score.status is Status.CORRECT) is (label and needs == "final"), score
    if not label:
        assert score.status in (Status.WRONG, Status.NO_ANSWER)


@pytest.mark.parametrize(("family", "completion", "gold", "label", "needs"), REAL, ids=IDS)
def test_last_with_tolerance(
    family: str, completion: str, gold: str, label: bool, needs: str
) -> None:
    score = check(completion, {"gold": gold, "extract": "last", "rel_tol": 1e-3})
    assert (score.status is Status.CORRECT) is label, score


@pytest.mark.parametrize(("family", "completion", "gold", "label", "needs"), REAL, ids=IDS)
def test_boxed_only_reads_boxes(
    family: str, completion: str, gold: str, label: bool, needs: str
) -> None:
    score = check(completion, {"gold": gold, "extract": "boxed"})
    if extract(completion).source != "boxed":
        assert score.status is Status.NO_ANSWER
    else:
        assert score.status is check(completion, {"gold": gold}).status
