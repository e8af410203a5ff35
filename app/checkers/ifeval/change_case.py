"""IFEval's `change_case:` instructions: capital words, all capitals, all lower case."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.checkers.ifeval.counting import word_tokens
from app.checkers.ifeval.response_language import is_language
from app.checkers.ifeval.spec import Instruction, compare


def capital_word_frequency(response: str, kw: Mapping[str, Any]) -> bool:
    """The number of all-capital word tokens (NLTK's `word_tokenize`; "I" and "U.S." count,
    a hyphenated word is one token) against the threshold."""
    count = sum(1 for token in word_tokens(response) if token.isupper())
    return compare(count, kw["capital_relation"], kw["capital_frequency"])


def english_capital(response: str, kw: Mapping[str, Any]) -> bool:
    """Entirely in capital letters, and English."""
    return response.isupper() and is_language(response, "en")


def english_lowercase(response: str, kw: Mapping[str, Any]) -> bool:
    """Entirely in lower-case letters, and English."""
    return response.islower() and is_language(response, "en")


INSTRUCTIONS = (
    Instruction(
        "change_case:capital_word_frequency",
        capital_word_frequency,
        {"capital_frequency": "int", "capital_relation": "relation"},
    ),
    Instruction("change_case:english_capital", english_capital, {}),
    Instruction("change_case:english_lowercase", english_lowercase, {}),
)
