"""IFEval's `startend:` instructions: an end phrase, and quotation marks around it all."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.checkers.ifeval.spec import Instruction


def end_checker(response: str, kw: Mapping[str, Any]) -> bool:
    """The response (less surrounding white space and double quotes) ends with the phrase,
    case-insensitive."""
    return response.strip().strip('"').lower().endswith(kw["end_phrase"].strip().lower())


def quotation(response: str, kw: Mapping[str, Any]) -> bool:
    """The whole response is wrapped in double quotation marks."""
    text = response.strip()
    return len(text) > 1 and text[0] == '"' and text[-1] == '"'


INSTRUCTIONS = (
    Instruction("startend:end_checker", end_checker, {"end_phrase": "str"}),
    Instruction("startend:quotation", quotation, {}),
)
