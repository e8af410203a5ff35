"""The `choice` check: the completion's final multiple-choice letter equals the gold letter.

Where the letter comes from, in the answer part (after `</think>`; inside `<answer>` tags when
there are some), strongest source first:
1. the last `\\boxed{...}` whose content starts with a letter (`\\boxed{B}`, `\\boxed{(B)}`,
   `\\boxed{\\text{B. Paris}}`); boxes holding different letters are a hedge;
2. the last final-answer statement: "The answer is (B)", "**Answer: B**", "Answer: b)",
   "the correct option is (c)", "I choose C", "B is the correct answer";
3. a closing line that is a choice by itself: "B", "(B)", "**B**", "B. Paris", "C) 42".
A statement that names two different letters ("A or B", "B and D", "A/B") is a hedge and
scores `wrong`; no letter at all is `no_answer`.

Letters are matched case-insensitively, but a lower-case letter (and the words "A" and "I")
only counts where it cannot be an ordinary word: wrapped ("(a)", "**a**") or followed by
punctuation or the end ("answer: a.", "answer: b)"), never "the answer is a bit longer".

Every pattern is linear-time (the check runs inline, without a deadline).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from app.checkers.base import Score, Status
from app.checkers.math.extract import boxed_contents
from app.checkers.text import split_reasoning

DEFAULT_LETTERS = "ABCDEFGHIJ"

#: How much of the answer part is searched (the final choice is at its end).
TAIL_CHARS = 4000

# A letter candidate: optional opening wrapper, the letter, optional closing wrapper.
_CANDIDATE = re.compile(
    r"(?P<open>\*\*|\*|__|\(|\[|\{|\\text(?:bf)?\{|\\mathrm\{|\$)?"
    r"[ \t]*(?P<letter>[A-Za-z])(?![A-Za-z0-9])"
    r"(?P<close>[ \t]*(?:\*\*|\*|__|\)|\]|\}|\$)+)?"
)
#: What may follow an accepted letter directly.
_AFTER_OK = frozenset(".):;,!?*\"'}]$/&")
#: Words after which a bare "A"/"I" is still a choice ("A because ...").
_CONNECTORS = frozenset(
    {"because", "since", "as", "is", "which", "with", "or", "and", "for", "here", "that", "so"}
    | {"given", "then", "option", "-", "–", "—", "("}
)
# Final-answer statements; the letter follows the match.
_ANSWER_PHRASE = re.compile(
    r"\b(?:answer|ans|option|choice|letter)s?(?:\s*\*\*|\s*__)?[ \t]*"
    r"(?:(?:is|would\s+be|will\s+be|should\s+be|must\s+be|=|:)[ \t]*){1,2}"
    r"(?:\*\*|__)?[ \t]*(?:(?:option|choice|letter)[ \t]*)?:?",
    re.I,
)
_CHOOSE_PHRASE = re.compile(
    r"\b(?:i\s+(?:would\s+|will\s+)?(?:choose|pick|select|go\s+with)|i'd\s+(?:choose|pick|go\s+with)"
    r"|(?:choose|pick|select)|going\s+with)[ \t]+(?:(?:option|choice|answer|letter)[ \t]*)?",
    re.I,
)
# "B is the correct answer" / "Option (C) is correct": the letter comes first.
_LETTER_FIRST = re.compile(
    r"(?:\b(?:option|choice|answer)[ \t]*)?(?<![A-Za-z])\(?(?P<letter>[A-Za-z])\)?[ \t]+"
    r"is[ \t]+(?:the[ \t]+)?(?:correct|right|best|final)\b",
    re.I,
)
# Between two letters of one statement: a hedge ("A or B", "B and D", "A/B", "A, C").
_HEDGE_JOIN = re.compile(
    r"[ \t]*(?:,[ \t]*(?:or[ \t]+|and[ \t]+)?|or[ \t]+|and[ \t]+|/|&|\\?,)[ \t]*"
    r"(?:(?:option|choice)[ \t]+)?",
    re.I,
)
_BOX_WRAPPERS = re.compile(r"\\(?:text(?:bf)?|mathrm|mathbf|textit)\s*\{|[{}$*()\[\]\s]")


@dataclass(frozen=True, slots=True)
class Choice:
    """The final choice found: `letter` (upper case) or None; `hedged` when the final
    statement names several different letters (then `letter` is None); `source` says where
    it came from (`boxed`, `phrase`, `line`, `none`)."""

    letter: str | None
    hedged: bool = False
    source: str = "none"
    letters: tuple[str, ...] = ()


def parse_letters(raw: Any) -> str | None:
    """The allowed letters as an upper-case string without repeats, None when unusable."""
    if not isinstance(raw, str):
        return None
    out = ""
    for ch in raw.upper():
        if ch in ", \t":
            continue
        if not ("A" <= ch <= "Z") or ch in out:
            return None
        out += ch
    return out or None


def normalize_gold(raw: Any, letters: str) -> str | None:
    """A gold letter as written in datasets ("B", "b", "(B)", "B.") upper-cased; None when it
    is not one of `letters`."""
    if not isinstance(raw, str):
        return None
    text = raw.strip().strip("()[].:*$ ").upper()
    return text if len(text) == 1 and text in letters else None


def _accept(text: str, m: re.Match[str], letters: str) -> str | None:
    """The candidate's letter when it is a choice here, not an ordinary word."""
    letter = m.group("letter")
    if letter.upper() not in letters:
        return None
    wrapped = bool(m.group("open")) and bool(m.group("close"))
    if m.group("open") == "$" and not wrapped:
        return None
    if wrapped or (m.group("close") or "").strip():
        return letter.upper()
    rest = text[m.end() :]
    nxt = rest[:1]
    if not nxt or nxt in _AFTER_OK or nxt == "\n":
        return letter.upper()
    stripped = rest.lstrip(" \t")
    if not stripped or stripped[0] == "\n":
        return letter.upper()
    if letter.islower():
        return None  # "the answer is a bit ..."
    word = re.match(r"[A-Za-z]+|\S", stripped)
    follower = word.group(0).lower() if word else ""
    if letter in "AI" and follower not in _CONNECTORS:
        return None  # "Answer: I think ...", "The answer is A good ..."
    if follower in _CONNECTORS:
        return letter.upper()
    # An upper-case letter followed by its option text ("B Paris") is a choice too.
    return letter.upper() if stripped[0].isupper() or not stripped[0].isalpha() else None


def _letters_at(text: str, pos: int, letters: str) -> tuple[str, ...] | None:
    """The letter(s) of a statement starting at `pos`: one letter, or several when the
    statement joins them ("A or B"); None when no choice starts there."""
    m = _CANDIDATE.match(text, pos)
    if m is None:
        return None
    first = _accept(text, m, letters)
    if first is None:
        return None
    found = [first]
    end = m.end()
    for _ in range(len(letters)):
        j = _HEDGE_JOIN.match(text, end)
        if j is None or j.end() == end:
            break
        nxt = _CANDIDATE.match(text, j.end())
        if nxt is None:
            break
        other = _accept(text, nxt, letters)
        if other is None:
            break
        found.append(other)
        end = nxt.end()
    return tuple(dict.fromkeys(found))


_BOX_LIST = re.compile(r"[A-Za-z](?:\s*(?:,|or|and|/|&)\s*[A-Za-z])+")


def _from_boxes(part: str, letters: str) -> tuple[str, ...] | None:
    """The letters of the boxes that hold a choice ("\\boxed{B}", "\\boxed{(B) Paris}",
    "\\boxed{A, C}" names two)."""
    picked: list[str] = []
    for content in boxed_contents(part):
        inner = _BOX_WRAPPERS.sub(" ", content).strip()
        if _BOX_LIST.fullmatch(inner):
            named = [x.upper() for x in re.findall(r"(?<![A-Za-z])[A-Za-z](?![A-Za-z])", inner)]
        else:
            m = re.match(r"[A-Za-z](?![A-Za-z0-9])", inner)
            named = [m.group(0).upper()] if m else []
        picked.extend(x for x in named if x in letters)
    return tuple(dict.fromkeys(picked)) or None


def _from_phrases(part: str, letters: str) -> tuple[str, ...] | None:
    """The letters of the last final-answer statement."""
    best: tuple[int, tuple[str, ...]] | None = None
    for pattern in (_ANSWER_PHRASE, _CHOOSE_PHRASE):
        for m in pattern.finditer(part):
            if best is not None and m.start() < best[0]:
                continue
            found = _letters_at(part, m.end(), letters)
            if found:
                best = (m.start(), found)
    for m in _LETTER_FIRST.finditer(part):
        letter = m.group("letter")
        if letter.upper() not in letters or (letter.islower() and "(" not in m.group(0)):
            continue
        if best is None or m.start() >= best[0]:
            best = (m.start(), (letter.upper(),))
    return best[1] if best else None


_LINE_MARKUP = re.compile(r"^[\s#>*_\-]*|[\s*_]*$")


def _from_last_line(part: str, letters: str) -> tuple[str, ...] | None:
    """A closing line that is a choice by itself ("B", "(B)", "**B**", "B. Paris")."""
    lines = [ln for ln in part[-400:].split("\n") if ln.strip()]
    if not lines:
        return None
    line = _LINE_MARKUP.sub("", lines[-1])
    m = re.fullmatch(r"\(?([A-Za-z])\)?\.?", line)
    if m and m.group(1).upper() in letters and (m.group(1).isupper() or len(line) > 1):
        return (m.group(1).upper(),)
    # "B. Paris" / "(B) Paris" / "B) Paris" / "B: Paris": a letter then its option text.
    m = re.match(r"\(?([A-Z])(?:\)|\.|:)[ \t]+\S", line)
    if m and m.group(1) in letters and len(line) <= 200:
        return (m.group(1),)
    found = _letters_at(line, 0, letters) if len(line) <= 20 else None
    if found and len(found) > 1:
        return found  # "A or B" on its own line: a hedge
    return None


def extract_choice(completion: str, letters: str = DEFAULT_LETTERS) -> Choice:
    """The completion's final choice among `letters` (upper case), see the module doc."""
    part = split_reasoning(completion).answer
    if "answer>" in part:
        part = part.replace("<answer>", "\n").replace("</answer>", "\n")
    part = part[-TAIL_CHARS:]
    if not part.strip():
        return Choice(None)
    for source, find in (
        ("boxed", _from_boxes),
        ("phrase", _from_phrases),
        ("line", _from_last_line),
    ):
        found = find(part, letters)
        if found:
            if len(found) > 1:
                return Choice(None, hedged=True, source=source, letters=found)
            return Choice(found[0], source=source, letters=found)
    return Choice(None)


def _params(params: Mapping[str, Any]) -> tuple[str, str] | Score:
    letters = parse_letters(params.get("letters") or DEFAULT_LETTERS)
    if letters is None:
        return Score.invalid(
            f"letters must be distinct letters A-Z, got {params.get('letters')!r}",
            extracted=None,
        )
    gold = normalize_gold(params.get("gold"), letters)
    if gold is None:
        return Score.invalid(
            f"gold {params.get('gold')!r} is not one of the letters {letters}", extracted=None
        )
    return gold, letters


def dedup_key(completion: str, params: Mapping[str, Any]) -> Hashable:
    """The score depends on the answer part and the parameters only."""
    return (
        split_reasoning(completion).answer[-TAIL_CHARS:],
        params.get("gold"),
        params.get("letters"),
    )


def check(completion: str, params: Mapping[str, Any]) -> Score:
    """`correct` when the final choice is `params["gold"]` (one of `params["letters"]`,
    default A-J); `wrong` for another letter or a hedge; `no_answer` without a choice;
    `invalid` for a gold or letters that cannot be used."""
    parsed = _params(params)
    if isinstance(parsed, Score):
        return parsed
    gold, letters = parsed
    choice = extract_choice(completion, letters)
    if choice.hedged:
        return Score(
            0.0,
            Status.WRONG,
            {"extracted": None, "reason": f"several choices: {', '.join(choice.letters)}"},
        )
    if choice.letter is None:
        return Score(0.0, Status.NO_ANSWER, {"extracted": None})
    ok = choice.letter == gold
    return Score(float(ok), Status.CORRECT if ok else Status.WRONG, {"extracted": choice.letter})
