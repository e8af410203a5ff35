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

# The opening line of a fenced block: the fence, an info string without fence characters,
# a newline. The character class keeps the match linear on a run of backticks.
_FENCE_OPEN = re.compile(r"(```|~~~)[^`~\n]*\n")
_INLINE_CODE = re.compile(r"`[^`\n]+`")
_NOT_NEWLINE = re.compile(r"[^\n]")


def delimited_spans(
    text: str, opener: re.Pattern[str], closer_of: dict[str, str]
) -> list[tuple[int, int]]:
    """Non-overlapping `(start, end)` spans from an `opener` match to the next closing string
    (`closer_of[group 1 of the opener]`), in one left-to-right pass.

    Linear on any input, unlike a lazy `open.*?close` regex, which rescans to the end of the
    text for every unclosed opener: once a closer is known to be absent, openers that need it
    are skipped without searching again. An unclosed opener spans nothing.
    """
    spans: list[tuple[int, int]] = []
    missing: set[str] = set()
    pos = 0
    while True:
        m = opener.search(text, pos)
        if m is None:
            return spans
        closer = closer_of[m.group(1)]
        if closer in missing:
            pos = m.start() + 1
            continue
        end = text.find(closer, m.end())
        if end < 0:
            missing.add(closer)
            if len(missing) == len(set(closer_of.values())):
                return spans
            pos = m.start() + 1
            continue
        spans.append((m.start(), end + len(closer)))
        pos = end + len(closer)


def blank_spans(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with each span replaced by spaces (newlines kept): positions stay valid."""
    if not spans:
        return text
    out, last = [], 0
    for start, end in spans:
        out.append(text[last:start])
        out.append(_NOT_NEWLINE.sub(" ", text[start:end]))
        last = end
    out.append(text[last:])
    return "".join(out)


def mask_code(text: str) -> str:
    """`text` with fenced blocks and inline code spans blanked to spaces (same length,
    newlines kept), so tag positions found in the mask index the original text.

    A fenced block must be closed to count: one stray fence cannot hide the rest of a
    completion (and the tags in it).
    """
    if "`" not in text and "~~~" not in text:
        return text  # the common case: nothing to mask, no regex work
    fenced = blank_spans(text, delimited_spans(text, _FENCE_OPEN, {"```": "```", "~~~": "~~~"}))
    return _INLINE_CODE.sub(lambda m: " " * len(m.group(0)), fenced)


@dataclass(frozen=True, slots=True)
class Parts:
    """A completion cut at its think block. `closed` says whether `</think>` was found,
    `tagged` whether any think tag was (without one, the whole completion is the answer)."""

    reasoning: str
    answer: str
    closed: bool
    tagged: bool = True


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
    return Parts("", completion, False, tagged=False)
