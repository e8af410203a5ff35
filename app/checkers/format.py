"""The `format` check: the DeepSeek-R1 template, `<think>reasoning</think>` then the answer.

Score 1.0 when the completion is exactly one think block with non-empty reasoning followed by a
non-empty answer (inside exactly one `<answer>...</answer>` with `answer_tag`). Leading and
trailing white space is allowed. Tags inside fenced or inline code do not count as tags. With
`think_prefilled` the prompt ended in `<think>`, so the completion starts inside the reasoning
and must not open another think block. Anything else scores 0 with `bad_format` and a `reason`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.checkers.base import Score, Status
from app.checkers.text import THINK_CLOSE, THINK_OPEN, mask_code

ANSWER_OPEN = "<answer>"
ANSWER_CLOSE = "</answer>"

_OK = Score(1.0, Status.OK)


def _bad(reason: str) -> Score:
    return Score(0.0, Status.BAD_FORMAT, {"reason": reason})


def _positions(masked: str, tag: str) -> list[int]:
    out, i = [], masked.find(tag)
    while i >= 0:
        out.append(i)
        i = masked.find(tag, i + len(tag))
    return out


def check(completion: str, params: Mapping[str, Any]) -> Score:
    """Judge the R1 template. Params: `answer_tag` (bool), `think_prefilled` (bool)."""
    answer_tag = bool(params.get("answer_tag", False))
    prefilled = bool(params.get("think_prefilled", False))
    masked = mask_code(completion)
    opens = _positions(masked, THINK_OPEN)
    closes = _positions(masked, THINK_CLOSE)

    if prefilled:
        if opens:
            return _bad("<think> appears in the completion, but the prompt already opened it")
        if not closes:
            return _bad("no </think>: the reasoning is never closed")
        if len(closes) > 1:
            return _bad(f"{len(closes)} </think> tags; expected one")
        start, close = 0, closes[0]
    else:
        if not opens:
            if closes:
                return _bad("</think> without <think> (set think_prefilled if the prompt opens it)")
            return _bad("no <think> block")
        if len(opens) > 1 or len(closes) > 1:
            return _bad(f"several think blocks ({len(opens)} <think>, {len(closes)} </think>)")
        if not closes:
            return _bad("<think> is never closed")
        if closes[0] < opens[0]:
            return _bad("</think> comes before <think>")
        if masked[: opens[0]].strip():
            return _bad("text before <think>")
        start, close = opens[0] + len(THINK_OPEN), closes[0]

    if not completion[start:close].strip():
        return _bad("empty reasoning")
    answer_start = close + len(THINK_CLOSE)
    answer = completion[answer_start:]
    if not answer.strip():
        return _bad("no answer after </think>")
    if not answer_tag:
        return _OK

    if _positions(masked[:close], ANSWER_OPEN) or _positions(masked[:close], ANSWER_CLOSE):
        return _bad("<answer> tag inside the reasoning")
    amask = masked[answer_start:]
    a_opens, a_closes = _positions(amask, ANSWER_OPEN), _positions(amask, ANSWER_CLOSE)
    if not a_opens:
        return _bad("no <answer> block after </think>")
    if len(a_opens) > 1 or len(a_closes) > 1:
        return _bad(f"several answer blocks ({len(a_opens)} <answer>, {len(a_closes)} </answer>)")
    if not a_closes:
        return _bad("<answer> is never closed")
    a_open, a_close = a_opens[0], a_closes[0]
    if a_close < a_open:
        return _bad("</answer> comes before <answer>")
    if amask[:a_open].strip():
        return _bad("text between </think> and <answer>")
    if amask[a_close + len(ANSWER_CLOSE) :].strip():
        return _bad("text after </answer>")
    if not answer[a_open + len(ANSWER_OPEN) : a_close].strip():
        return _bad("empty answer block")
    return _OK
