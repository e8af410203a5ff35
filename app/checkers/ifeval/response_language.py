"""IFEval's `language:response_language`, and the "in English" half of the case instructions.

The reference asks langdetect for the whole response's language; here the service's own
language identification (fastText lid.176, `app.checkers.language.identify`) answers, on the
whole response. As in the reference, a response with no letters to judge counts as followed
(langdetect raises on it and the reference then says "followed").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.checkers.ifeval.spec import Instruction
from app.checkers.language import identify


def _has_letters(text: str) -> bool:
    return any(ch.isalpha() for ch in text)


def is_language(text: str, code: str) -> bool:
    """Whether `text` as a whole is in language `code` (True when it has no letters)."""
    if not _has_letters(text):
        return True
    return identify(text) == code


def response_language(response: str, kw: Mapping[str, Any]) -> bool:
    """The whole response is in the language `language` (an ISO 639-1 code)."""
    return is_language(response, kw["language"])


INSTRUCTIONS = (
    Instruction(
        "language:response_language",
        response_language,
        {"language": "language"},
    ),
)
