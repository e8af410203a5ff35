"""The registry of IFEval instruction ids: all 25 of Google's IFEval, one family per module."""

from __future__ import annotations

from app.checkers.ifeval import (
    change_case,
    combination,
    content,
    formats,
    keywords,
    length,
    punctuation,
    response_language,
    startend,
)
from app.checkers.ifeval.spec import Instruction

INSTRUCTIONS: dict[str, Instruction] = {
    instruction.id: instruction
    for family in (
        keywords,
        response_language,
        length,
        content,
        formats,
        combination,
        startend,
        change_case,
        punctuation,
    )
    for instruction in family.INSTRUCTIONS
}
