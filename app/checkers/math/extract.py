"""Find the candidate answer in a completion (linear time: this runs in the API process too).

Order of precedence, in the answer part (after `</think>` when there is one; a leaked chat
template turn such as `<|im_start|>user` ends it), by mode (`EXTRACT_MODES`):
1. `\\boxed{...}` / `\\fbox{...}` with nested braces; the last one is the answer, and every
   distinct top-level box is kept so the decision can refuse hedged completions; the closing run
   of boxes (`\\boxed{1}, \\boxed{2}`) is kept too, for golds that are lists. `boxed` stops here;
2. the last final-answer marker: a phrase ("Final Answer: ...", "the answer is ...", "... is
   the answer"), bold or not, GSM8K's `#### 14`, a closing `A: 14` line, an answer heading
   (`# Answer` / `**Final Answer**` / `### Answer:`) followed by the value; a prose value ("The
   largest $n$ is 34") keeps what follows its last "is";
3. the last line: one math span in a short line, a closing `= value` or `is value.`, a closing
   display block, a last line that is nothing but a value (code-interpreter transcripts: the
   last line of a closing ```` ```output ```` block); `final` (the default) stops here;
4. `last` only: the last number or math span of the last non-empty line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.checkers.text import split_reasoning

_BOX_START = re.compile(r"\\(?:boxed|fbox)\s*(\{)?")
#: The `extract` parameter's values (see the module doc).
EXTRACT_MODES = ("boxed", "final", "last")
#: A phrase candidate longer than this is not an answer.
MAX_PHRASE = 300


@dataclass(frozen=True, slots=True)
class Extraction:
    """The answer found (None: none), every distinct top-level box, and where it came from."""

    answer: str | None
    boxes: tuple[str, ...] = ()
    source: str = "none"
    #: The closing run of boxes (two or more boxes separated only by commas, "and", spacing):
    #: one answer written as several boxes, compared as a list when the gold is a list.
    group: tuple[str, ...] = ()


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


def _boxes(text: str) -> list[tuple[str, int, int]]:
    """(content, start, end) of the top-level `\\boxed{}`/`\\fbox{}` groups of `text`."""
    if "\\boxed" not in text and "\\fbox" not in text:
        return []
    ends = _brace_ends(text)
    out: list[tuple[str, int, int]] = []
    covered = -1
    for m in _BOX_START.finditer(text):
        if m.start() < covered:
            continue
        if m.group(1):
            end = ends.get(m.start(1))
            if end is None:
                continue
            content = text[m.end(1) : end].strip()
            covered = end
            if content:
                out.append((content, m.start(), end + 1))
        else:  # `\boxed 5`: one token
            tok = re.match(r"[^\s$.,;]+", text[m.end() :])
            if tok:
                out.append((tok.group(0), m.start(), m.end() + tok.end()))
    return out


def boxed_contents(text: str) -> list[str]:
    """Contents of the top-level `\\boxed{}`/`\\fbox{}` groups of `text`, in order (a box inside
    another box is part of the outer one; an unclosed box is ignored)."""
    return [c for c, _, _ in _boxes(text)]


#: What may stand between two boxes of one answer: separators, spacing, math delimiters and a
#: few words joined by "and" or a comma ("and", "for part (a) and"), never "or" (a hedge) nor a
#: paragraph break.
_GAP_MAX = 60
_GAP_HEDGE = re.compile(r"\bor\b|\bmaybe\b|\balternatively\b|\n\s*\n", re.I)
_GAP_JOIN = re.compile(r",|\band\b", re.I)
_GAP_NOISE = re.compile(r"\\(?:quad|qquad|text|mathrm|[()\[\],;!]|\\)|[${}]")


def _joins(gap: str) -> bool:
    """Whether `gap` (the text between two boxes) joins them into one answer."""
    if len(gap) > _GAP_MAX or _GAP_HEDGE.search(gap):
        return False
    words = re.findall(r"[A-Za-z]+", _GAP_NOISE.sub(" ", gap))
    return not words or (len(words) <= 4 and bool(_GAP_JOIN.search(gap)))


def closing_group(text: str, boxes: list[tuple[str, int, int]]) -> tuple[str, ...]:
    """The run of boxes that ends the answer (two or more, close together), else ()."""
    if len(boxes) < 2:
        return ()
    k = len(boxes) - 1
    while k > 0:
        if not _joins(text[boxes[k - 1][2] : boxes[k][1]]):
            break
        k -= 1
    run = boxes[k:]
    return tuple(c for c, _, _ in run) if len(run) > 1 else ()


_PHRASE = re.compile(
    r"(?:final\s+answer|the\s+answer|answer|the\s+solution)\s*(?:is|:|=)\s*:?",
    re.I,
)
#: GSM8K's `#### 72` (the value is the rest of the line).
_GSM8K = re.compile(r"(?m)^[ \t]*#{4}[ \t]*(?=\S)")
#: An answer heading on a line of its own: PRM800K's `# Answer` (value on the next non-empty
#: line), `**Final Answer**`, `### Answer:`, `Final answer` with nothing after it.
_HEADING = re.compile(
    r"(?mi)^[ \t]*(?:#{1,6}[ \t]*)?(?:\*\*|__)?[ \t]*(?:final[ \t]+)?answer[ \t]*:?[ \t]*"
    r"(?:\*\*|__)?[ \t]*:?[ \t]*$"
)
#: The answer line of the few-shot `Q: ... A: ...` format.
_A_LINE = re.compile(r"(?m)^[ \t]*(?:\*\*)?A[ \t]*:(?:\*\*)?[ \t]*(?=\S)")
#: "... $x \\ge 5$ is the solution." / "... 12 is our final answer.": the value comes first.
#: Found from the phrase backwards, so the scan stays linear on any input.
_AFTER_PHRASE = re.compile(
    r"\s(?:is|are)\s+(?:the|our|my)\s+(?:final\s+)?(?:answer|solution)s?\b", re.I
)
_VALUE_BEFORE = re.compile(
    r"(?:\$\$(?P<d>[^$]{1,300})\$\$|\$(?P<i>[^$]{1,300})\$|(?<![\w.])(?P<n>-?[\d.,/]{1,40}%?))\s*$"
)
#: Chat-template tokens after which the text is not the model's answer any more.
_TURN_END = re.compile(r"<\|(?:im_end|im_start|endoftext|eot_id|end_of_turn)\|>")
#: A few-shot turn the model went on to write (`\n\nQuestion: ...`): not its answer either.
_NEXT_TURN = re.compile(r"\n[ \t]*(?:Question|Problem|Q|Human|User)[ \t]*:", re.I)
#: A prose value's answer: what follows its last "is"/"are"/"equals" (`The largest $n$ is 34`).
_PROSE_IS = re.compile(r"\b(?:is|are|equals|be)\s+(?:equal\s+to\s+)?", re.I)
_WORD = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{2,}")
_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?%?|-?\.\d+%?")
# `\\$` inside a span is an escaped dollar sign, not its end.
_MATH_SPAN = re.compile(
    r"(?<!\\)\$\$((?:\\.|[^\\$])+?)\$\$|(?<!\\)\$((?:\\.|[^\\$])+?)\$|\\\((.+?)\\\)|\\\[(.+?)\\\]",
    re.S,
)
#: What joins two math spans of one final answer ("$2$ and $3$", "$1$, $2$, or $3$").
_SPAN_JOIN = re.compile(r"[ \t]*(?:,[ \t]*)?(?:(?:and|or)[ \t]+)?(?=\$|\\\()")
#: A display block that closes the answer part, possibly over several lines.
_CLOSING_DISPLAY = re.compile(r"(?:\$\$((?:\\.|[^\\$])+?)\$\$|\\\[(.+?)\\\])\s*\.?\s*$", re.S)


def _value_after(text: str) -> str | None:
    """The answer value at the start of `text` (a math span, or up to the end of the sentence);
    a marker that ends its line (`Final Answer:` / `# Answer`) takes the next non-empty line."""
    t = text.lstrip(" *:_\t")
    if t.startswith(("\n", "\r")):
        t = t.lstrip(" *:_\t\r\n")
    if not t:
        return None
    m = _MATH_SPAN.match(t)
    if m:
        # "The answer is $x = 2$ or $x = 3$.": spans joined by and/or/commas are one list
        # (a list is right only when the gold is that list).
        values = [next(g for g in m.groups() if g is not None).strip()]
        while len(values) < 8:
            j = _SPAN_JOIN.match(t, m.end())
            nxt = _MATH_SPAN.match(t, j.end()) if j else None
            if nxt is None:
                break
            values.append(next(g for g in nxt.groups() if g is not None).strip())
            m = nxt
        return ", ".join(values)
    line = t.split("\n", 1)[0]
    # The sentence ends at ". " / "." at the end (a decimal point is followed by a digit).
    cut = re.search(r"\.(?:\s|$)|\*\*|\s+(?:I hope|because|since|which)\b", line)
    value = (line[: cut.start()] if cut else line).strip().strip("*").strip()
    if value.startswith("$") and value.endswith("$") and value.count("$") == 2:
        value = value.strip("$").strip()
    return _distill(value) if value else None


def _distill(value: str) -> str:
    """A prose final-answer sentence cut down to its value: after its last "is" ("The largest
    $n$ is 34" → 34), else its only math span, else its only number; else as written."""
    if len(_WORD.findall(_MATH_SPAN.sub(" ", value))) < 2:
        return value
    tail = None
    for m in _PROSE_IS.finditer(value):
        tail = value[m.end() :]
    if tail is not None and tail.strip():
        m = _MATH_SPAN.match(tail.strip())
        if m:
            return next(g for g in m.groups() if g is not None).strip()
        if len(_WORD.findall(tail)) <= 1:
            return tail.strip().rstrip(".")
    spans = list(_MATH_SPAN.finditer(value))
    if len(spans) == 1:
        return next(g for g in spans[0].groups() if g is not None).strip()
    if not spans:
        nums = _NUMBER.findall(value)
        if len(nums) == 1:
            return nums[0]
    return value


def _last_match(pattern: re.Pattern[str], text: str) -> re.Match[str] | None:
    last = None
    for m in pattern.finditer(text):
        last = m
    return last


def _phrase(answer_part: str) -> str | None:
    """The value of the last final-answer marker of `answer_part`, None when there is none."""
    last = _last_match(_PHRASE, answer_part)
    for marker in (_GSM8K, _HEADING):
        m = _last_match(marker, answer_part)
        if m is not None and (last is None or m.start() > last.start()):
            last = m
    a_line = _last_match(_A_LINE, answer_part)
    if a_line is not None and (last is None or a_line.start() > last.start()):
        # `A: 14` (few-shot Q/A format) is a marker when its line is a short value; a long
        # `A:` line is the reasoning, not the answer.
        value = _value_after(answer_part[a_line.end() : a_line.end() + MAX_PHRASE])
        if value is not None and len(_WORD.findall(_MATH_SPAN.sub(" ", value))) <= 2:
            return value
    after = _last_match(_AFTER_PHRASE, answer_part)
    if after is not None and (last is None or after.start() > last.start()):
        v = _VALUE_BEFORE.search(answer_part[max(0, after.start() - 320) : after.start()])
        if v:
            return next(g for g in (v.group("d"), v.group("i"), v.group("n")) if g).strip()
    if last is None:
        return None
    value = _value_after(answer_part[last.end() : last.end() + 4 * MAX_PHRASE])
    if value is None or len(value) > MAX_PHRASE:
        return None
    # "The final answer is: The answer is 5" → the inner phrase was already the last match.
    return value


_BOLD_END = re.compile(r"\*\*([^*\n]{1,80})\*\*\s*\.?\s*$")
_LINE_IS = re.compile(
    r"\b(?:is|are|equals|be)\s+(?:\$(?P<s>[^$]{1,200})\$|(?P<n>-?[\d.,/]*\d%?))\s*\.?$", re.I
)


def _last_line(answer_part: str) -> str | None:
    tail = answer_part[-4 * MAX_PHRASE :].rstrip()
    if tail.endswith(("$$", "\\]", "$$.", "\\].")):
        starts = [tail.rfind("$$", 0, len(tail) - 3), tail.rfind("\\[")]
        block = _CLOSING_DISPLAY.search(tail, max(0, max(starts)))
        if block:
            inner = (block.group(1) or block.group(2) or "").strip()
            if inner and "\n\n" not in inner:
                return inner
    lines = [ln.strip() for ln in tail.split("\n") if ln.strip()]
    if not lines:
        return None
    line = lines[-1].strip("*").strip()
    spans = list(_MATH_SPAN.finditer(line))
    if spans and spans[-1].end() >= len(line.rstrip(". ")) - 1:
        # A line that ends in a math span: its content, equations whole (the decision knows
        # that `x = 3` answers 3, and `x^2/4 + y^2/3 = 1` is not the number 1).
        inner = next(g for g in spans[-1].groups() if g is not None).strip()
        return inner.rstrip(".").strip() or None
    if len(spans) == 1 and len(line) <= 160:
        # "Therefore $x \\ge 5$ is the solution.": the one math span of a short closing line.
        inner = next(g for g in spans[0].groups() if g is not None).strip()
        return inner.rstrip(".").strip() or None
    bold = _BOLD_END.search(lines[-1])
    if bold and re.search(r"[\d\\$]", bold.group(1)):
        # `... is **42**` / a last line `**42**`: a bold value closing the answer.
        return bold.group(1).strip().strip("$").strip() or None
    m = _LINE_IS.search(line)
    if m:
        return (m.group("s") or m.group("n")).strip()
    m = re.search(r"(?<![!<>\\])=\s*([^=]{1,80}?)\s*\.?$", line)
    if m:
        return m.group(1).strip() or None
    return None


def _bare(answer_part: str) -> str | None:
    """A whole answer part that is itself an answer: one short line with a digit or LaTeX in it
    and at most two words (`28 percent`, `$1,000.99`, `\\frac{10}{9}`)."""
    text = answer_part.strip()
    if not text or "\n" in text or len(text) > 80 or "\\boxed" in text or "\\fbox" in text:
        return None  # an unclosed box is a broken answer, not a bare one
    if not re.search(r"[\d\\$]", text) or len(_WORD.findall(text)) > 2:
        return None
    return text


_FENCE_LINE = re.compile(r"^(?:```|~~~)[\w+-]*$")
#: A number as the `last` fallback reads it (thousands groups, decimals, a fraction `3/4`).
_LAST_NUMBER = re.compile(
    r"(?<![\w.])-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s*/\s*\d+)?%?|(?<![\w.])-?\.\d+%?"
)


def _content_lines(answer_part: str) -> list[str]:
    """The non-empty lines of the end of `answer_part` outside code: fences and the programs
    inside them left out, a transcript's ```` ```output ```` block read as its lines."""
    tail = answer_part[-4 * MAX_PHRASE :]
    out: list[str] = []
    block: str | None = None  # the info string of the open fenced block, if any
    for raw in tail.split("\n"):
        ln = raw.strip()
        if _FENCE_LINE.match(ln):
            block = None if block is not None else ln.strip("`~").lower()
            continue
        if ln and block in (None, "", "output", "text"):
            out.append(ln)
    return out


def _value_line(answer_part: str) -> str | None:
    """A last line that is nothing but a value (`14`, `$\\frac{6}{7}$`, `x = 5`): how
    code-interpreter transcripts end. Numbered list items (`2. Add them`) are not values."""
    lines = _content_lines(answer_part)
    if not lines or re.match(r"\d+[.)]\s", lines[-1]):
        return None
    value = _bare(lines[-1].strip("*").strip())
    if value is None or len(_WORD.findall(_MATH_SPAN.sub(" ", value))) > 1:
        return None
    return value


def _last_value(answer_part: str) -> str | None:
    """The last number or math span of the last non-empty line (`extract: last`)."""
    lines = _content_lines(answer_part)
    if not lines:
        return None
    line = lines[-1]
    span = _last_match(_MATH_SPAN, line)
    number = _last_match(_LAST_NUMBER, _MATH_SPAN.sub(lambda m: " " * len(m.group(0)), line))
    if span is not None and (number is None or span.start() > number.start()):
        inner = next(g for g in span.groups() if g is not None).strip()
        return inner or None
    return number.group(0) if number is not None else None


def extract(completion: str, mode: str = "final") -> Extraction:
    """The candidate answer of `completion` with every distinct box (see the module doc);
    `mode` is one of `EXTRACT_MODES`."""
    part = split_reasoning(completion).answer
    turn = _TURN_END.search(part)
    if turn:
        part = part[: turn.start()]
    turn = _NEXT_TURN.search(part)
    if turn and part[: turn.start()].strip():
        part = part[: turn.start()]
    if "answer>" in part:
        # R1-style `<answer>...</answer>` tags frame the answer; they are not part of it.
        part = part.replace("<answer>", "\n").replace("</answer>", "\n")
    if not part.strip():
        return Extraction(None)
    found = _boxes(part)
    if found:
        boxes = [c for c, _, _ in found]
        distinct: list[str] = []
        for b in boxes:
            key = " ".join(b.split())
            if key not in distinct:
                distinct.append(key)
        group = closing_group(part, found) if len(distinct) > 1 else ()
        return Extraction(boxes[-1], tuple(distinct), "boxed", group)
    if mode == "boxed":
        return Extraction(None)
    for source, find in (
        ("phrase", _phrase),
        ("last_line", _last_line),
        ("bare", _bare),
        ("value_line", _value_line),
    ):
        value = find(part)
        if value is not None:
            return Extraction(value, (), source)
    if mode == "last":
        value = _last_value(part)
        if value is not None:
            return Extraction(value, (), "last_value")
    return Extraction(None)


def extract_answer(completion: str, mode: str = "final") -> str | None:
    """The candidate answer string of `completion` (the last box of the answer part, else a
    final-answer marker, else the value of a closing line; see `extract`), None when none."""
    return extract(completion, mode).answer
