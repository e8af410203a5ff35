"""Auxiliary shaping rewards: `length`, `repetition`, `overlong`, `reasoning_steps`, `tag_count`.

These are the extra terms GRPO recipes add beside accuracy and format (open-r1's cosine length,
n-gram repetition, reasoning-steps and tag-count rewards; DAPO's soft overlong punishment).
Unlike the main checks their values may be negative. Each is a pure, linear-time function
`(completion, params) -> Score` that runs inline; the formulas are in docs/rewards.md.

Lengths are counted in characters (`unit: "chars"`, the default) or in white-space separated
words (`unit: "words"`). The service has no tokenizer: a trainer that wants tokens sets a
character budget from its tokenizer's average (about 3-4 characters per token for English).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from app.checkers.base import Score, Status
from app.checkers.text import mask_code

UNITS = ("chars", "words")


class _BadParams(ValueError):
    """A parameter the checker cannot use: the check answers `invalid`."""


def _number(params: Mapping[str, Any], name: str, default: float | None = None) -> float:
    """A finite number from `params` (bool refused: `true` is no length)."""
    value = params.get(name, default)
    if value is None:
        raise _BadParams(f"{name} is required")
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _BadParams(f"{name} must be a finite number, got {value!r}")
    return float(value)


def _unit(params: Mapping[str, Any]) -> str:
    unit = params.get("unit", "chars")
    if unit not in UNITS:
        raise _BadParams(f"unit must be one of {', '.join(UNITS)}, got {unit!r}")
    return unit


def measure(completion: str, unit: str) -> int:
    """Length of `completion` in `unit`: characters, or white-space separated words."""
    return len(completion) if unit == "chars" else len(completion.split())


# --- length: cosine-scaled by correctness (open-r1) ------------------------------------------

#: Checks whose verdict says whether the item is correct, in the order they are consulted.
CORRECTNESS_CHECKS = ("math", "code")


def _correctness(deps: Mapping[str, Any]) -> bool | Score:
    """True/False from the item's math/code scores, or the Score to answer when there is none.

    An item is correct when every correctness check present scored 1.0 (math `correct`, code
    all tests passed). A dependency that could not be judged makes `length` unjudgeable too:
    a length reward for an unknown verdict would be a silently wrong number.
    """
    present = [name for name in CORRECTNESS_CHECKS if name in deps]
    if not present:
        return Score.invalid("length needs the item's math or code check to know correctness")
    correct = True
    for name in present:
        dep = deps[name]
        status, value = dep.get("status"), dep.get("value")
        if status in (Status.INVALID, Status.ERROR, Status.DEADLINE) or value is None:
            # StrEnum members hash as their values: the dependency's status string finds them.
            make = {Status.ERROR: Score.error, Status.DEADLINE: Score.deadline}.get(
                status, Score.invalid
            )
            why = (dep.get("details") or {}).get("message", status)
            return make(f"length depends on {name}, which could not be judged: {why}")
        correct = correct and value >= 1.0
    return correct


def length(completion: str, params: Mapping[str, Any]) -> Score:
    """Cosine length reward scaled by correctness.

    p = min(len, max_len) / max_len, c = cos(p·π); correct: min_c + ½(max_c − min_c)(1 + c),
    wrong: max_w + ½(min_w − max_w)(1 + c). Short correct answers earn most, short wrong
    answers lose most (a long wrong attempt is punished less than a short guess).
    """
    try:
        max_len = _number(params, "max_len", 1000)
        if max_len <= 0:
            raise _BadParams(f"max_len must be positive, got {max_len:g}")
        min_w = _number(params, "min_value_wrong", -1.0)
        max_w = _number(params, "max_value_wrong", -0.5)
        min_c = _number(params, "min_value_correct", 0.5)
        max_c = _number(params, "max_value_correct", 1.0)
        unit = _unit(params)
    except _BadParams as exc:
        return Score.invalid(str(exc))
    deps = params.get("_deps")
    correct = _correctness(deps if isinstance(deps, Mapping) else {})
    if isinstance(correct, Score):
        return correct
    n = measure(completion, unit)
    c = math.cos(min(n, max_len) / max_len * math.pi)
    if correct:
        value = min_c + 0.5 * (max_c - min_c) * (1.0 + c)
    else:
        value = max_w + 0.5 * (min_w - max_w) * (1.0 + c)
    return Score(value, Status.OK, {"length": n, "unit": unit, "correct": correct})


# --- repetition: n-gram repetition penalty (open-r1) -----------------------------------------


def repetition(completion: str, params: Mapping[str, Any]) -> Score:
    """(1 − unique/total) × max_penalty over the lower-cased word n-grams; 0 with fewer than
    n words. `max_penalty` ≤ 0: the more of the text repeats itself, the closer to it."""
    try:
        n_value = _number(params, "ngram_size", 3)
        if n_value != int(n_value) or n_value < 1:
            raise _BadParams(f"ngram_size must be a positive integer, got {n_value:g}")
        max_penalty = _number(params, "max_penalty", -1.0)
        if max_penalty > 0:
            raise _BadParams(f"max_penalty must be <= 0, got {max_penalty:g}")
    except _BadParams as exc:
        return Score.invalid(str(exc))
    n = int(n_value)
    words = completion.lower().split()
    total = len(words) - n + 1
    if total <= 0:
        return Score(0.0, Status.OK, {"ngrams": 0, "unique": 0})
    unique = len(set(zip(*(words[i:] for i in range(n)), strict=False)))
    value = (1.0 - unique / total) * max_penalty + 0.0  # + 0.0 turns -0.0 into 0.0
    return Score(value, Status.OK, {"ngrams": total, "unique": unique})


# --- overlong: DAPO soft overlong punishment ------------------------------------------------


def overlong(completion: str, params: Mapping[str, Any]) -> Score:
    """0 when len ≤ L − C; ((L − C) − len) / C when L − C < len ≤ L; −1 beyond L.

    L = `max_length`, C = `cache_length` (0 ≤ C ≤ L; C = 0 is a hard cut at L).
    """
    try:
        max_length = _number(params, "max_length")
        cache = _number(params, "cache_length")
        if max_length <= 0:
            raise _BadParams(f"max_length must be positive, got {max_length:g}")
        if not 0 <= cache <= max_length:
            raise _BadParams(f"cache_length must be in [0, max_length], got {cache:g}")
        unit = _unit(params)
    except _BadParams as exc:
        return Score.invalid(str(exc))
    n = measure(completion, unit)
    free = max_length - cache
    if n <= free:
        value = 0.0
    elif n <= max_length:
        value = (free - n) / cache  # cache > 0 here: free < n <= max_length
    else:
        value = -1.0
    return Score(value, Status.OK, {"length": n, "unit": unit})


# --- reasoning_steps (open-r1) ---------------------------------------------------------------

# Every alternative starts with a literal or a line anchor, and no quantifier repeats
# another, so a search is linear in the text. Tags and markers inside code do not count.
_STEP = re.compile(
    r"\bStep\s{1,8}\d{1,6}\s{0,8}:"  # "Step 3:"
    r"|^[ \t]{0,16}\d{1,6}[.)][ \t]"  # "1. ..." / "2) ..." at a line start
    r"|^[ \t]{0,16}[-*•][ \t]"  # "- ..." / "* ..." bullets
    r"|\b(?:First|Second|Third|Next|Finally),",  # transition words
    re.M,
)


def count_steps(text: str) -> int:
    """Step markers in `text` (outside code blocks)."""
    return sum(1 for _ in _STEP.finditer(mask_code(text)))


def reasoning_steps(completion: str, params: Mapping[str, Any]) -> Score:
    """min(1, steps / target): rewards laying the reasoning out in explicit steps."""
    try:
        target = _number(params, "target", 3)
        if target <= 0:
            raise _BadParams(f"target must be positive, got {target:g}")
    except _BadParams as exc:
        return Score.invalid(str(exc))
    steps = count_steps(completion)
    return Score(min(1.0, steps / target), Status.OK, {"steps": steps})


# --- tag_count (open-r1) ---------------------------------------------------------------------

#: The four tag strings of the R1 template, each worth 0.25 when present exactly once.
TAGS = ("<think>\n", "\n</think>\n", "\n<answer>\n", "\n</answer>")


def tag_count(completion: str, params: Mapping[str, Any]) -> Score:
    """0.25 for each of `<think>\\n`, `\\n</think>\\n`, `\\n<answer>\\n`, `\\n</answer>` that
    appears exactly once outside code blocks (partial credit toward the format reward)."""
    masked = mask_code(completion)
    counts = {tag: masked.count(tag) for tag in TAGS}
    value = 0.25 * sum(1 for c in counts.values() if c == 1)
    missing = [tag.strip() for tag, c in counts.items() if c != 1]
    details: dict[str, Any] = {"not_once": missing} if missing else {}
    return Score(value, Status.OK, details)
