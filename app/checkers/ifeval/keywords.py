"""IFEval's `keywords:` instructions: existence, frequency, forbidden words, letter frequency."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from app.checkers.ifeval.patterns import compiled
from app.checkers.ifeval.spec import Instruction, compare


def existence(response: str, kw: Mapping[str, Any]) -> bool:
    """Every keyword occurs (case-insensitive; anywhere, even inside a longer word)."""
    return all(compiled(k, re.I).search(response) for k in kw["keywords"])


def frequency(response: str, kw: Mapping[str, Any]) -> bool:
    """The keyword's occurrences (case-insensitive, non-overlapping) against the threshold."""
    count = sum(1 for _ in compiled(kw["keyword"].strip(), re.I).finditer(response))
    return compare(count, kw["relation"], kw["frequency"])


def forbidden_words(response: str, kw: Mapping[str, Any]) -> bool:
    """None of the words occurs as a whole word (case-insensitive)."""
    return not any(
        compiled(r"\b" + w + r"\b", re.I).search(response) for w in kw["forbidden_words"]
    )


def letter_frequency(response: str, kw: Mapping[str, Any]) -> bool:
    """The letter's occurrences in the lower-cased response against the threshold."""
    return compare(response.lower().count(kw["letter"]), kw["let_relation"], kw["let_frequency"])


INSTRUCTIONS = (
    Instruction("keywords:existence", existence, {"keywords": "str_list"}),
    Instruction(
        "keywords:frequency",
        frequency,
        {"keyword": "str", "frequency": "int", "relation": "relation"},
    ),
    Instruction("keywords:forbidden_words", forbidden_words, {"forbidden_words": "str_list"}),
    Instruction(
        "keywords:letter_frequency",
        letter_frequency,
        {"letter": "letter", "let_frequency": "int", "let_relation": "relation"},
    ),
)
