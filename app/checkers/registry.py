"""The one place that names every check: its function and how the worker should run it.

A checker is a pure function `(completion, params) -> Score`. The worker decides where it runs
from `where`:
- "inline": cheap and linear-time (format, language, shaping checks); run in the worker's own
  process, a whole batch at a time, without a process hop.
- "pool": CPU-heavy or possibly pathological (math); run in the killable process pool with a
  per-item deadline.
- "io": waits on something else (the code sandbox); run in threads, the backend enforces limits.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from app.checkers import choice as choice_check
from app.checkers import code as code_check
from app.checkers import format as format_check
from app.checkers import ifeval as ifeval_check
from app.checkers import json_schema, shaping
from app.checkers import language as language_check
from app.checkers import math as math_check
from app.checkers import qa as qa_check
from app.checkers.base import Score

CheckFn = Callable[[str, Mapping[str, Any]], Score]
Where = Literal["inline", "pool", "io"]


def default_key(completion: str, params: Mapping[str, Any]) -> Hashable:
    """Two tasks are the same work when completion and parameters are equal."""
    try:
        # Flat params of scalars (the common case) hash as they are: no JSON encoding per item.
        key = (completion, tuple(sorted(params.items())))
        hash(key)  # raises here, not later in the caller's dict, when a value is a list
        return key
    except TypeError:  # nested lists/dicts are unhashable: fall back to canonical JSON
        return (completion, json.dumps(params, sort_keys=True, default=str))


@dataclass(frozen=True, slots=True)
class Checker:
    """A registered check.

    `dedup_key` maps (completion, params) to what the result really depends on, so a batch
    runs each distinct piece of work once (math: the extracted answer and the gold).
    `deadline_s` gives the per-item deadline from the params and the service default.
    `depends_on` names checks whose scores this one reads; the worker runs it after them and
    passes their scores in `params["_deps"]` as `{name: {"value", "status", "details"}}`.
    """

    name: str
    fn: CheckFn
    where: Where = "pool"
    dedup_key: Callable[[str, Mapping[str, Any]], Hashable] = default_key
    deadline_s: Callable[[Mapping[str, Any], float], float] | None = None
    depends_on: tuple[str, ...] = ()
    #: One-line description for /healthz and docs.
    summary: str = ""


REGISTRY: dict[str, Checker] = {}


def register(checker: Checker) -> Checker:
    """Add a checker under its name (a name registers once)."""
    if checker.name in REGISTRY:
        raise ValueError(f"check {checker.name!r} is already registered")
    REGISTRY[checker.name] = checker
    return checker


def get_checker(name: str) -> Checker:
    """The checker called `name`; KeyError when there is none."""
    return REGISTRY[name]


register(
    Checker(
        "math",
        math_check.check,
        where="pool",
        dedup_key=math_check.dedup_key,
        summary="final boxed answer equals the gold (numbers, expressions, sets, intervals ...)",
    )
)
register(
    Checker(
        "code",
        code_check.check,
        # The sandbox enforces its own limits; the worker only waits on it, in a thread.
        where="io",
        dedup_key=code_check.dedup_key,
        deadline_s=code_check.deadline_s,
        summary="program from the last fenced block passes the tests in the sandbox (python, cpp)",
    )
)
register(
    Checker(
        "format",
        format_check.check,
        where="inline",
        summary="R1 template: <think>reasoning</think> then an answer",
    )
)
register(
    Checker(
        "language",
        language_check.check,
        where="inline",
        summary="share of the reasoning's words in the target language (fastText lid.176)",
    )
)
register(
    Checker(
        "choice",
        choice_check.check,
        # Anchored patterns over the answer's tail: linear on any input.
        where="inline",
        dedup_key=choice_check.dedup_key,
        summary="final multiple-choice letter equals the gold letter (hedging is wrong)",
    )
)
register(
    Checker(
        "qa",
        qa_check.check,
        where="inline",
        dedup_key=qa_check.dedup_key,
        summary="short answer vs the golds: SQuAD exact match or token F1",
    )
)
register(
    Checker(
        "json",
        json_schema.check,
        # Schema validation is not linear in general (uniqueItems, patterns, nested
        # applicators): the pool's per-item deadline bounds a hostile schema or document.
        where="pool",
        dedup_key=json_schema.dedup_key,
        summary="the answer's last JSON value validates against a JSON Schema (2020-12)",
    )
)
register(
    Checker(
        "ifeval",
        ifeval_check.check,
        # IFEval's kwargs are regular expressions in the reference (keywords, splitters), and
        # its bullet/placeholder patterns are quadratic on hostile lines: the pool's deadline.
        where="pool",
        summary="IFEval verifiable instructions (all 25 ids), strict or loose",
    )
)

# Auxiliary shaping rewards (values may be negative); formulas in docs/rewards.md.
register(
    Checker(
        "length",
        shaping.length,
        where="inline",
        depends_on=shaping.CORRECTNESS_CHECKS,
        summary="cosine length reward scaled by the item's math/code correctness (open-r1)",
    )
)
register(
    Checker(
        "repetition",
        shaping.repetition,
        where="inline",
        summary="n-gram repetition penalty (open-r1)",
    )
)
register(
    Checker(
        "overlong",
        shaping.overlong,
        where="inline",
        summary="soft overlong punishment (DAPO)",
    )
)
register(
    Checker(
        "reasoning_steps",
        shaping.reasoning_steps,
        where="inline",
        summary="min(1, explicit reasoning steps / target) (open-r1)",
    )
)
register(
    Checker(
        "tag_count",
        shaping.tag_count,
        where="inline",
        summary="0.25 per R1 template tag present exactly once (open-r1)",
    )
)
