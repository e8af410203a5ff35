"""The `ifeval` check: Google's IFEval verifiable instructions (all 25 ids).

Params as the IFEval data gives them: `instruction_id_list` and `kwargs` (one dict per id,
None values standing for keys other ids use), plus `mode` ("strict", default, or "loose") and
`partial` (score = share followed, default; false: 1.0 only when all are followed).

The response is the completion's answer part: what follows `</think>` (stripped), the whole
completion when it has no think tags, nothing when the reasoning never closes. Each id's
semantics follow the reference implementation (`instruction_following_eval/instructions.py`):
see the family modules (`keywords`, `length`, `content`, `formats`, `combination`,
`startend`, `change_case`, `punctuation`, `response_language`) and `counting` for how words
and sentences are counted. Unknown ids and kwargs an id does not take, lacks or cannot use
answer `invalid` naming them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.checkers.base import Score, Status
from app.checkers.ifeval.driver import MODES, evaluate
from app.checkers.ifeval.instructions import INSTRUCTIONS
from app.checkers.ifeval.spec import BadKwargs, Instruction, bind
from app.checkers.text import split_reasoning

__all__ = ["INSTRUCTIONS", "check", "response_of"]


def response_of(completion: str) -> str:
    """The text the instructions apply to (see the module docstring)."""
    parts = split_reasoning(completion)
    return parts.answer.strip() if parts.tagged else completion


def _bind_all(params: Mapping[str, Any]) -> list[tuple[Instruction, dict[str, Any]]]:
    ids = params.get("instruction_id_list")
    if not isinstance(ids, list | tuple) or not ids:
        raise BadKwargs("instruction_id_list must be a non-empty list of instruction ids")
    kwargs = params.get("kwargs")
    if kwargs is None:
        kwargs = [None] * len(ids)
    if not isinstance(kwargs, list | tuple) or len(kwargs) != len(ids):
        raise BadKwargs(
            f"kwargs must be a list with one entry per instruction id ({len(ids)}), "
            f"got {len(kwargs) if isinstance(kwargs, list | tuple) else type(kwargs).__name__}"
        )
    bound = []
    for i, (iid, kw) in enumerate(zip(ids, kwargs, strict=True)):
        instruction = INSTRUCTIONS.get(iid) if isinstance(iid, str) else None
        if instruction is None:
            raise BadKwargs(f"instruction_id_list[{i}]: unknown instruction id {iid!r}")
        if kw is not None and not isinstance(kw, Mapping):
            raise BadKwargs(f"kwargs[{i}] must be an object or null")
        try:
            bound.append((instruction, bind(instruction, kw)))
        except BadKwargs as exc:
            raise BadKwargs(f"kwargs[{i}]: {exc}") from exc
    return bound


def check(completion: str, params: Mapping[str, Any]) -> Score:
    """Share of the instructions followed (all-or-nothing with `partial: false`); details
    give `instructions: [{"id", "followed"}, ...]` in the request's order."""
    mode = params.get("mode") or "strict"
    if mode not in MODES:
        return Score.invalid(f"mode must be 'strict' or 'loose', got {mode!r}")
    try:
        bound = _bind_all(params)
    except BadKwargs as exc:
        return Score.invalid(str(exc))
    verdicts = evaluate(response_of(completion), bound, mode)
    followed = sum(verdicts)
    if params.get("partial", True):
        value = followed / len(verdicts)
    else:
        value = float(followed == len(verdicts))
    details = {
        "instructions": [
            {"id": instruction.id, "followed": ok}
            for (instruction, _), ok in zip(bound, verdicts, strict=True)
        ]
    }
    status = Status.CORRECT if followed == len(verdicts) else Status.WRONG
    return Score(round(value, 6), status, details)
