"""Inline checks run without a deadline (on the worker's loop or a thread), so each must be
linear-time on hostile input. A quadratic regex on 200k characters takes minutes; linear
work takes milliseconds, so the bound below is generous and not a benchmark."""

from __future__ import annotations

import time

import pytest

from app.checkers.registry import REGISTRY
from tests.helpers.timing import HANG_S

N = 200_000
HOSTILE = {
    "backticks": "`" * N,
    "fences": "```a\n" * (N // 5),
    "dollars": "$" * N,
    "math_openers": "\\[" * (N // 2),
    "begins": "\\begin{x}" * (N // 9),
    "letters": "a" * N,
    "dotted": "a." * (N // 2),
    "at_signs": "a@" * (N // 2),
    "think_tags": "<think>" * (N // 7),
    "answer_tags": "<answer>\n" * (N // 9),
    "steps": "Step 1: " * (N // 8),
    "words": "the " * (N // 4),
    "cjk": "我们" * (N // 2),
    "newlines": "\n" * N,
    "braces": "{" * N,
    "boxes": "\\boxed{" * (N // 7),
    "answer_phrases": "The answer is " * (N // 14),
    "letters_or": "A or " * (N // 5),
    "parens": "(" * N,
}

PARAMS = {
    "format": {"answer_tag": True},
    "language": {"target": "en"},
    "length": {"_deps": {"math": {"value": 1.0, "status": "correct", "details": {}}}},
    "repetition": {"ngram_size": 3, "max_penalty": -1.0},
    "overlong": {"max_length": 100, "cache_length": 20},
    "reasoning_steps": {"target": 3},
    "tag_count": {},
    "choice": {"gold": "B", "letters": "ABCDEFGHIJ"},
    "qa": {"golds": ["the answer", "a a a"], "metric": "f1"},
}
INLINE = sorted(name for name, c in REGISTRY.items() if c.where == "inline")


def test_every_inline_check_is_covered() -> None:
    assert set(INLINE) <= set(PARAMS), set(INLINE) - set(PARAMS)


@pytest.mark.parametrize("check", INLINE)
@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_inline_check_is_linear(check: str, kind: str) -> None:
    text = HOSTILE[kind]
    fn = REGISTRY[check].fn
    for completion in (text, f"<think>{text}</think> 1"):
        t0 = time.perf_counter()
        score = fn(completion, PARAMS[check])
        assert time.perf_counter() - t0 < HANG_S, (check, kind)
        assert score.status is not None
