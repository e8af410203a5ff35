"""IFEval's `punctuation:no_comma`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.checkers.ifeval.spec import Instruction


def no_comma(response: str, kw: Mapping[str, Any]) -> bool:
    """No ASCII comma anywhere."""
    return "," not in response


INSTRUCTIONS = (Instruction("punctuation:no_comma", no_comma, {}),)
