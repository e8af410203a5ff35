"""Small text helpers the checkers share: masking code so tags inside it do not count,
and splitting a completion into its reasoning and answer parts.

Every pattern here is linear-time on any input (no nested quantifiers), because checkers
that run inline have no deadline to save them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

THINK_OPEN = "<think>"
THINK_CLOSE = "</think>"

# A complete fenced block (``` or ~~~); an unclosed fence is left alone so that one stray
# fence cannot hide the rest of a completion.
_FENCE = re.compile(r"```[^\n]*\n.*?```|~~~[^\n]*\n.*?~~~", re.S)
_INLINE_CODE = re.compile(r"`[^`\n]+`")


def mask_code(text: str) -> str:
    """`text` with fenced blocks and inline code spans blanked to spaces (same length,
    newlines kept), so tag positions found in the mask index the original text."""

    if "`" not in text and "~~~" not in text:
        return text  # the common case: nothing to mask, no regex work

    def blank(m: re.Match[str]) -> str:
        return re.sub(r"[^\n]", " ", m.group(0))

    return _INLINE_CODE.sub(blank, _FENCE.sub(blank, text))


@dataclass(frozen=True, slots=True)
class Parts:
    """A completion cut at its think block. `closed` says whether `</think>` was found."""

    reasoning: str
    answer: str
    closed: bool


def split_reasoning(completion: str) -> Parts:
    """Reasoning and answer parts of a completion.

    The reasoning runs from the first `<think>` (or the start, when the prompt prefilled it)
    to the first `</think>` outside code; the answer is what follows. Without `</think>`, an
    opened `<think>` means a truncated completion: all reasoning, no answer. With no tags at
    all the whole completion is the answer (and, for the language check, the reasoning).
    """
    masked = mask_code(completion)
    close = masked.find(THINK_CLOSE)
    open_ = masked.find(THINK_OPEN)
    if close >= 0:
        start = open_ + len(THINK_OPEN) if 0 <= open_ < close else 0
        return Parts(completion[start:close], completion[close + len(THINK_CLOSE) :], True)
    if open_ >= 0:
        return Parts(completion[open_ + len(THINK_OPEN) :], "", False)
    return Parts("", completion, False)
