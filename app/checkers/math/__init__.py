"""The `math` check: is the completion's final answer mathematically equal to the gold?

Three steps, as in Math-Verify: **extract** the candidate (`extract.py`), **normalise** it
(`normalize.py`), **decide** (`decide.py`: structure, then exact numbers in `numbers.py`, then
sympy in `symbolic.py`). Pathological answers are refused cheaply (`guard.py`) and scored
`timeout`; the pool's per-item deadline covers whatever slips through. Policies: docs/math.md.

Public interface (the /v1/select clustering depends on it):
- `check(completion, params)`: the checker (params `{"gold": str, "extract"?: "boxed" |
  "final" | "last", "rel_tol"?: float, "abs_tol"?: float}`);
- `extract_answer(completion, mode="final")`: the candidate answer string or None (cheap,
  linear time);
- `equivalent(answer, gold)`: the decision on extracted strings (may be slow: run it in the pool).
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import Any

from app.checkers.base import Score, Status
from app.checkers.math.decide import InvalidGold, equivalent_clean, prepare_gold
from app.checkers.math.extract import EXTRACT_MODES, Extraction, extract, extract_answer
from app.checkers.math.guard import Refused, SoftTimeout, soft_deadline
from app.checkers.math.normalize import clean
from app.checkers.math.numbers import EXACT, Tolerance

__all__ = ["EXTRACT_MODES", "check", "dedup_key", "equivalent", "extract", "extract_answer"]

#: Soft budget for one decision on the main thread (the pool's hard deadline is longer).
SOFT_DEADLINE_S = 4.0


def equivalent(answer: str, gold: str, tol: Tolerance = EXACT) -> bool:
    """Whether an extracted `answer` equals `gold`. False for anything unparsable, refused as
    pathological, or an empty gold; may take long on pathological input (run it in the pool)."""
    try:
        return equivalent_clean(clean(answer), prepare_gold(gold), tol)
    except (Refused, SoftTimeout, InvalidGold, RecursionError, ValueError, TypeError):
        return False


class _BadParams(ValueError):
    """A parameter of the request has a value the checker cannot use."""


def _options(params: Mapping[str, Any]) -> tuple[str, Tolerance]:
    """The extraction mode and tolerance of `params` (defaults: `final`, exact)."""
    mode = params.get("extract")
    if mode is None:
        mode = "final"
    if mode not in EXTRACT_MODES:
        raise _BadParams(f"extract must be one of {', '.join(EXTRACT_MODES)}, not {mode!r}")
    tols = []
    for name in ("rel_tol", "abs_tol"):
        value = params.get(name)
        if value is None:
            value = 0.0
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _BadParams(f"{name} must be a number")
        if not math.isfinite(value) or value < 0:
            raise _BadParams(f"{name} must be finite and >= 0, not {value!r}")
        tols.append(float(value))
    return mode, Tolerance(*tols)


def dedup_key(completion: str, params: Mapping[str, Any]) -> Hashable:
    """What the math score depends on: the extraction (answer and distinct boxes), the gold,
    and the options."""
    mode = params.get("extract") or "final"
    ex = extract(completion, mode if mode in EXTRACT_MODES else "final")
    return (
        ex.answer,
        ex.boxes if len(ex.boxes) > 1 else (),
        ex.group,
        str(params.get("gold", "")),
        str(mode),
        repr(params.get("rel_tol")),
        repr(params.get("abs_tol")),
    )


def _wrong(ex: Extraction, reason: str | None = None) -> Score:
    details: dict[str, Any] = {"extracted": ex.answer}
    if reason:
        details["reason"] = reason
    return Score(0.0, Status.WRONG, details)


def check(completion: str, params: Mapping[str, Any]) -> Score:
    """Score a completion's final answer against `params["gold"]`: `correct` (1.0), `wrong`,
    `no_answer`, `timeout` (pathological answer), or `invalid` (bad gold or options, score
    None). `extract` chooses where the answer is looked for, `rel_tol`/`abs_tol` accept close
    numbers for a numeric gold (docs/math.md)."""
    gold = params.get("gold")
    if not isinstance(gold, str) or not gold.strip():
        return Score.invalid("gold answer is empty", extracted=None)
    try:
        mode, tol = _options(params)
    except _BadParams as exc:
        return Score.invalid(str(exc), extracted=None)
    try:
        prepared = prepare_gold(gold)
    except (InvalidGold, Refused) as exc:
        return Score.invalid(f"gold answer cannot be used: {exc}", extracted=None)
    ex = extract(completion, mode)
    if ex.answer is None:
        return Score(0.0, Status.NO_ANSWER, {"extracted": None})
    try:
        with soft_deadline(SOFT_DEADLINE_S):
            answer = clean(ex.answer)
            if not answer:
                return Score(0.0, Status.NO_ANSWER, {"extracted": ex.answer})
            if len(ex.boxes) > 1 and not all(
                equivalent_clean(clean(b), prepare_gold(ex.boxes[-1])) for b in ex.boxes[:-1]
            ):
                # One answer written as a closing run of boxes (`\\boxed{1}, \\boxed{2}`) is a
                # list: right only when the gold is that list. Anything else is a hedge.
                if ex.group and equivalent_clean(clean(", ".join(ex.group)), prepared, tol):
                    return Score(1.0, Status.CORRECT, {"extracted": ", ".join(ex.group)})
                return _wrong(ex, "several different boxed answers")
            ok = equivalent_clean(answer, prepared, tol)
    except (Refused, SoftTimeout) as exc:
        return Score(0.0, Status.TIMEOUT, {"extracted": ex.answer[:200], "message": str(exc)})
    except (InvalidGold, RecursionError, ValueError, TypeError, ZeroDivisionError) as exc:
        return _wrong(ex, f"answer could not be compared: {type(exc).__name__}")
    if ok:
        return Score(1.0, Status.CORRECT, {"extracted": ex.answer})
    return _wrong(ex)
