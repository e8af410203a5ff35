"""Find the candidate answer in a completion (linear time: this runs in the API process too).

Order of precedence, in the answer part (after `</think>` when there is one):
1. `\\boxed{...}` / `\\fbox{...}` with nested braces; the last one is the answer, and every
   distinct top-level box is kept so the decision can refuse hedged completions;
2. a final-answer phrase ("Final Answer: ...", "the answer is ..."), bold or not;
3. a last line that ends in `= value`, or is one display/inline math span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.checkers.text import split_reasoning

_BOX_START = re.compile(r"\\(?:boxed|fbox)\s*(\{)?")
#: A phrase candidate longer than this is not an answer.
MAX_PHRASE = 300


@dataclass(frozen=True, slots=True)
class Extraction:
    """The answer found (None: none), every distinct top-level box, and where it came from."""

    answer: str | None
    boxes: tuple[str, ...] = ()
    source: str = "none"


def _brace_ends(text: str) -> dict[int, int]:
    """Position of every `{` mapped to its matching `}` (one pass; `\\{` and `\\}` skipped)."""
    ends: dict[int, int] = {}
    stack: list[int] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\" and i + 1 < n and text[i + 1] in "{}":
            i += 2
            continue
        if ch == "{":
            stack.append(i)
        elif ch == "}" and stack:
            ends[stack.pop()] = i
        i += 1
    return ends


def boxed_contents(text: str) -> list[str]:
    """Contents of the top-level `\\boxed{}`/`\\fbox{}` groups of `text`, in order (a box inside
    another box is part of the outer one; an unclosed box is ignored)."""
    if "\\boxed" not in text and "\\fbox" not in text:
        return []
    ends = _brace_ends(text)
    out: list[str] = []
    covered = -1
    for m in _BOX_START.finditer(text):
        if m.start() < covered:
            continue
        if m.group(1):
            end = ends.get(m.start(1))
            if end is None:
                continue
            out.append(text[m.end(1) : end].strip())
            covered = end
        else:  # `\boxed 5`: one token
            tok = re.match(r"[^\s$.,;]+", text[m.end() :])
            if tok:
                out.append(tok.group(0))
    return [c for c in out if c]


_PHRASE = re.compile(
    r"(?:final\s+answer|the\s+answer|answer)\s*(?:is|:|=)\s*:?",
    re.I,
)
_MATH_SPAN = re.compile(r"\$\$(.+?)\$\$|\$(.+?)\$|\\\((.+?)\\\)|\\\[(.+?)\\\]", re.S)


def _value_after(text: str) -> str | None:
    """The answer value at the start of `text` (a math span, or up to the end of the sentence)."""
    t = text.lstrip(" *:\t")
    if not t:
        return None
    m = _MATH_SPAN.match(t)
    if m:
        return next(g for g in m.groups() if g is not None).strip()
    line = t.split("\n", 1)[0]
    # The sentence ends at ". " / "." at the end (a decimal point is followed by a digit).
    cut = re.search(r"\.(?:\s|$)|\*\*|\s+(?:I hope|because|since|which)\b", line)
    value = (line[: cut.start()] if cut else line).strip().strip("*").strip()
    if value.startswith("$") and value.endswith("$"):
        value = value.strip("$").strip()
    return value or None


def _phrase(answer_part: str) -> str | None:
    last = None
    for m in _PHRASE.finditer(answer_part):
        last = m
    if last is None:
        return None
    value = _value_after(answer_part[last.end() : last.end() + 4 * MAX_PHRASE])
    if value is None or len(value) > MAX_PHRASE:
        return None
    # "The final answer is: The answer is 5" → the inner phrase was already the last match.
    return value


def _last_line(answer_part: str) -> str | None:
    tail = answer_part[-4 * MAX_PHRASE :].rstrip()
    lines = [ln.strip() for ln in tail.split("\n") if ln.strip()]
    if not lines:
        return None
    line = lines[-1].strip("*").strip()
    spans = list(_MATH_SPAN.finditer(line))
    if spans and spans[-1].end() >= len(line.rstrip(". ")) - 1:
        inner = next(g for g in spans[-1].groups() if g is not None).strip()
        if "=" in inner:
            inner = inner.rsplit("=", 1)[1].strip()
        return inner.rstrip(".").strip() or None
    m = re.search(r"=\s*([^=]{1,80}?)\s*\.?$", line)
    if m:
        return m.group(1).strip() or None
    return None


def extract(completion: str) -> Extraction:
    """The candidate answer of `completion` with every distinct box (see the module doc)."""
    part = split_reasoning(completion).answer
    if not part.strip():
        return Extraction(None)
    boxes = boxed_contents(part)
    if boxes:
        distinct: list[str] = []
        for b in boxes:
            key = " ".join(b.split())
            if key not in distinct:
                distinct.append(key)
        return Extraction(boxes[-1], tuple(distinct), "boxed")
    value = _phrase(part)
    if value is not None:
        return Extraction(value, (), "phrase")
    value = _last_line(part)
    if value is not None:
        return Extraction(value, (), "last_line")
    return Extraction(None)


def extract_answer(completion: str) -> str | None:
    """The candidate answer string of `completion` (the last box of the answer part, else a
    final-answer phrase, else the value of a closing `= ...` line), None when there is none."""
    return extract(completion).answer
