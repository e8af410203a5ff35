"""IFEval's `combination:` instructions: two responses, and repeating the prompt first."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.checkers.ifeval.spec import Instruction


def two_responses(response: str, kw: Mapping[str, Any]) -> bool:
    """Two different responses separated by `******`; an empty part is allowed only first or
    last."""
    parts = response.split("******")
    valid = []
    for i, part in enumerate(parts):
        if part.strip():
            valid.append(part)
        elif i not in (0, len(parts) - 1):
            return False
    return len(valid) == 2 and valid[0].strip() != valid[1].strip()


def repeat_prompt(response: str, kw: Mapping[str, Any]) -> bool:
    """The response starts with the request, word for word (case-insensitive)."""
    return response.strip().lower().startswith(kw["prompt_to_repeat"].strip().lower())


INSTRUCTIONS = (
    Instruction("combination:two_responses", two_responses, {}),
    Instruction("combination:repeat_prompt", repeat_prompt, {"prompt_to_repeat": "str"}),
)
