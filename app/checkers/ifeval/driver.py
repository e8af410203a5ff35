"""Strict and loose evaluation of a response, as IFEval's `evaluation_lib` does it.

- strict: an instruction is followed when the response is not blank and its predicate holds;
- loose: when that holds for any of eight variants: the response, without its first line,
  without its last line, without both (each of those three stripped), and each of the four
  with every `*` removed (markdown emphasis that confuses the strict checks).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.checkers.ifeval.spec import Instruction

MODES = ("strict", "loose")


def loose_variants(response: str) -> list[str]:
    """The reference's eight loose variants, in its order."""
    lines = response.split("\n")
    first_gone = "\n".join(lines[1:]).strip()
    last_gone = "\n".join(lines[:-1]).strip()
    both_gone = "\n".join(lines[1:-1]).strip()
    variants = [response, response.replace("*", ""), first_gone, last_gone, both_gone]
    variants += [v.replace("*", "") for v in (first_gone, last_gone, both_gone)]
    return variants


def follows(instruction: Instruction, kwargs: Mapping[str, Any], responses: list[str]) -> bool:
    """Whether some non-blank response of `responses` follows the instruction."""
    return any(r.strip() and instruction.follows(r, kwargs) for r in responses)


def evaluate(
    response: str, bound: list[tuple[Instruction, Mapping[str, Any]]], mode: str
) -> list[bool]:
    """One verdict per (instruction, kwargs) in order, in `mode` ("strict" or "loose")."""
    responses = loose_variants(response) if mode == "loose" else [response]
    return [follows(instruction, kwargs, responses) for instruction, kwargs in bound]
