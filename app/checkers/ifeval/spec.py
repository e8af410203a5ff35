"""What an IFEval instruction is here: a pure predicate on the response and its typed kwargs.

The kwargs of an instruction are declared with their kinds, so a request that gives a kwarg
the instruction does not take, leaves out one it needs, or gives one of the wrong type is
refused with a message naming it (the reference implementation would draw a random value
instead, which no reward may do).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from app.checkers.language import normalize_code

#: IFEval's two comparison relations.
RELATIONS = ("less than", "at least")

Kind = Literal["int", "str", "letter", "relation", "str_list", "language"]
Predicate = Callable[[str, Mapping[str, Any]], bool]


class BadKwargs(ValueError):
    """The kwargs cannot be used with this instruction; the message says why."""


@dataclass(frozen=True, slots=True)
class Instruction:
    """One IFEval instruction id: its predicate and the kwargs it takes (all required)."""

    id: str
    follows: Predicate
    kwargs: Mapping[str, Kind]
    #: Checks across kwargs (`nth_paragraph <= num_paragraphs`): a message, or None when fine.
    check_kwargs: Callable[[Mapping[str, Any]], str | None] | None = None


def compare(actual: int, relation: str, threshold: int) -> bool:
    """IFEval's relations: "less than" is `<`, "at least" is `>=`."""
    return actual < threshold if relation == RELATIONS[0] else actual >= threshold


def _convert(name: str, kind: Kind, value: Any) -> Any:
    if kind == "int":
        # Datasets read through pandas turn integer columns with gaps into floats (300.0).
        if isinstance(value, float) and math.isfinite(value) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise BadKwargs(f"{name} must be an integer, got {value!r}")
        if value < 0:
            raise BadKwargs(f"{name} must not be negative, got {value}")
        return value
    if kind == "relation":
        if value not in RELATIONS:
            raise BadKwargs(f"{name} must be 'less than' or 'at least', got {value!r}")
        return value
    if kind == "str_list":
        if not isinstance(value, list | tuple) or not value:
            raise BadKwargs(f"{name} must be a non-empty list of strings, got {value!r}")
        if not all(isinstance(v, str) and v for v in value):
            raise BadKwargs(f"{name} must hold non-empty strings, got {value!r}")
        return list(value)
    if not isinstance(value, str) or not value.strip():
        raise BadKwargs(f"{name} must be a non-empty string, got {value!r}")
    if kind == "language":
        code = normalize_code(value)
        if code is None:
            raise BadKwargs(f"{name}: unknown language code {value!r}, use ISO 639-1 ('en')")
        return code
    if kind == "letter":
        letter = value.strip()
        if len(letter) != 1 or not letter.isalpha():
            raise BadKwargs(f"{name} must be one letter, got {value!r}")
        return letter.lower()
    return value  # stripped, or not, where the reference does


def bind(instruction: Instruction, given: Mapping[str, Any] | None) -> dict[str, Any]:
    """The instruction's kwargs from one entry of the IFEval data's `kwargs` list (None values
    are keys another instruction uses, as in the dataset's shape), typed; BadKwargs when
    they do not fit."""
    present = {k: v for k, v in (given or {}).items() if v is not None}
    unknown = sorted(set(present) - set(instruction.kwargs))
    if unknown:
        takes = ", ".join(instruction.kwargs) or "no kwargs"
        raise BadKwargs(f"{instruction.id} does not take {', '.join(unknown)} (it takes {takes})")
    missing = [k for k in instruction.kwargs if k not in present]
    if missing:
        raise BadKwargs(f"{instruction.id} needs {', '.join(missing)}")
    bound = {k: _convert(k, kind, present[k]) for k, kind in instruction.kwargs.items()}
    problem = instruction.check_kwargs(bound) if instruction.check_kwargs else None
    if problem:
        raise BadKwargs(f"{instruction.id}: {problem}")
    return bound
