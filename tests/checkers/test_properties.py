"""Property tests on the checkers' parsers: for any text they never raise, always give a status,
and keep their values in range; where a simple truth is known, they find it."""

from __future__ import annotations

import math
from fractions import Fraction

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from app.checkers import format as format_check
from app.checkers import language as language_check
from app.checkers import math as math_check
from app.checkers import shaping
from app.checkers.base import Score, Status
from app.checkers.code import extract_program
from app.checkers.text import mask_code, split_reasoning

PROPS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that hits the parsers' corners far more often than uniform Unicode would: tags, fences,
# backticks, braces, LaTeX, several scripts, odd white space.
PIECES = [
    "<think>", "</think>", "<answer>", "</answer>", "\n", " ", "```", "```python\n", "~~~", "`",
    "\\boxed{", "\\fbox{", "{", "}", "$", "$$", "\\frac{1}{2}", "\\(", "\\)", "\\[", "\\]",
    "The answer is ", "Final Answer: ", "= ", "Step 1:", "First,", "- ", "1. ", "x", "42",
    "0.5", "-3", "1e3", "50%", "le chat ", "the cat ", "кошка ", "猫", "ねこ", "\u200b", "\t",
    "\r\n", "\x00", "\ud7ff", "é",
]  # fmt: skip
TEXT = st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=8)), max_size=40).map("".join)
PLAIN = st.text(
    alphabet=st.characters(blacklist_characters="<>`~\\", blacklist_categories=("Cs",)),
    max_size=30,
)
JSONISH = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=5,
)


def assert_well_formed(score: Score) -> None:
    """What every Score must satisfy, whatever the input."""
    assert isinstance(score.status, Status)
    assert isinstance(score.details, dict)
    if score.status in (Status.INVALID, Status.ERROR):
        assert score.value is None and score.details.get("message")
    else:
        assert isinstance(score.value, float) and math.isfinite(score.value)


# --- text helpers -------------------------------------------------------------------------


@PROPS
@given(TEXT)
def test_mask_code_keeps_length_and_line_breaks(text: str) -> None:
    masked = mask_code(text)
    assert len(masked) == len(text)
    assert [i for i, c in enumerate(masked) if c == "\n"] == [
        i for i, c in enumerate(text) if c == "\n"
    ]
    # Only code is blanked: every character kept is the original one.
    assert all(m == t or m == " " for m, t in zip(masked, text, strict=True))


@PROPS
@given(TEXT)
def test_split_reasoning_cuts_the_completion_itself(text: str) -> None:
    parts = split_reasoning(text)
    assert parts.reasoning in text and parts.answer in text
    assert len(parts.reasoning) + len(parts.answer) <= len(text)
    if parts.closed:
        assert text.endswith(parts.answer)
    else:
        assert parts.answer in ("", text)


# --- format ----------------------------------------------------------------------------------


@PROPS
@given(TEXT, st.booleans(), st.booleans())
def test_format_never_raises_and_is_binary(text: str, answer_tag: bool, prefilled: bool) -> None:
    score = format_check.check(text, {"answer_tag": answer_tag, "think_prefilled": prefilled})
    assert_well_formed(score)
    assert (score.status, score.value) in ((Status.OK, 1.0), (Status.BAD_FORMAT, 0.0))
    if score.status is Status.BAD_FORMAT:
        assert score.details["reason"]


@PROPS
@given(st.dictionaries(st.text(max_size=12), JSONISH, max_size=3), TEXT)
def test_format_tolerates_any_params(params: dict, text: str) -> None:
    assert_well_formed(format_check.check(text, params))


WS = st.sampled_from(["", " ", "\n", " \n\t"])


@PROPS
@given(PLAIN, PLAIN, WS, WS)
def test_format_accepts_every_well_formed_completion(r: str, a: str, lead: str, tail: str) -> None:
    assume(r.strip() and a.strip())
    done = f"{lead}<think>{r}</think>{a}{tail}"
    assert format_check.check(done, {}).status is Status.OK
    tagged = f"{lead}<think>{r}</think>\n<answer>{a}</answer>{tail}"
    assert format_check.check(tagged, {"answer_tag": True}).status is Status.OK
    assert format_check.check(f"{r}</think>{a}", {"think_prefilled": True}).status is Status.OK
    # ... and refuses the same with a second think block or an empty answer.
    assert format_check.check(done + f"<think>{r}</think>", {}).status is Status.BAD_FORMAT
    assert format_check.check(f"<think>{r}</think>{tail}", {}).status is Status.BAD_FORMAT


# --- language --------------------------------------------------------------------------------

TARGETS = st.one_of(
    st.sampled_from(["en", "fr", "de", "zh", "ja", "ru", "EN", "zh-CN", "pt_BR", "xx", "", " "]),
    st.text(max_size=6),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXT, TARGETS)
def test_language_share_is_in_range(text: str, target: str) -> None:
    score = language_check.check(text, {"target": target})
    assert_well_formed(score)
    assert score.status in (Status.OK, Status.INVALID)
    if score.status is Status.OK:
        assert 0.0 <= score.value <= 1.0
        assert 0 <= score.details["target_words"] <= score.details["words"]
    else:
        assert language_check.normalize_code(target) is None


@PROPS
@given(st.dictionaries(st.text(max_size=8), JSONISH, max_size=3), TEXT)
def test_language_tolerates_any_params(params: dict, text: str) -> None:
    score = language_check.check(text, params)
    assert_well_formed(score)
    assert score.status in (Status.OK, Status.INVALID)


NO_WORDS = ["1", "2.5", "$x^2$", "`code`", "\\alpha", " ", "\n", "=", "+", "x"]


@PROPS
@given(st.lists(st.sampled_from(NO_WORDS), min_size=1).map(" ".join))
def test_language_with_no_words_scores_one(reasoning: str) -> None:
    score = language_check.check(f"<think>{reasoning}</think> Réponse : 4", {"target": "en"})
    assert (score.status, score.value) == (Status.OK, 1.0)


def test_language_empty_think_block_has_no_words() -> None:
    score = language_check.check(
        "<think></think> Réponse : la réponse est quatre", {"target": "en"}
    )
    assert (score.status, score.value) == (Status.OK, 1.0)


# --- math ------------------------------------------------------------------------------------

MATH_STATUSES = {Status.CORRECT, Status.WRONG, Status.NO_ANSWER, Status.TIMEOUT, Status.INVALID}
MATH_PIECES = [
    *"0123456789+-*/^_=(),.[]{}<> x", "\\frac", "\\sqrt", "\\pi", "\\infty", "\\cup", "\\le",
    "\\text{cm}", "\\left(", "\\right)", "\\pm", "i", "e", "%", "\\{", "\\}",
]  # fmt: skip
MATHY = st.lists(st.sampled_from(MATH_PIECES), max_size=14).map("".join)


@PROPS
@given(TEXT)
def test_extract_answer_never_raises(text: str) -> None:
    answer = math_check.extract_answer(text)
    assert answer is None or isinstance(answer, str)


@PROPS
@given(PLAIN, st.integers(-(10**6), 10**6))
def test_extract_answer_finds_the_last_box(prose: str, n: int) -> None:
    text = f"<think>{prose} \\boxed{{0}}</think> {prose} \\boxed{{7}} so \\boxed{{{n}}}."
    assert math_check.extract_answer(text) == str(n)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(TEXT, MATHY.map(lambda s: f"\\boxed{{{s}}}")), st.one_of(MATHY, PLAIN))
def test_math_check_never_raises(completion: str, gold: str) -> None:
    score = math_check.check(completion, {"gold": gold})
    assert_well_formed(score)
    assert score.status in MATH_STATUSES
    if score.status is not Status.INVALID:
        assert score.value in (0.0, 1.0)
        assert score.value == (1.0 if score.status is Status.CORRECT else 0.0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(-999, 999), st.integers(1, 999))
def test_math_check_equal_numbers_are_correct(p: int, q: int) -> None:
    value = Fraction(p, q)
    gold = str(value)  # "3/4", "-2", ...
    sign = "-" if value < 0 else ""
    latex = (
        f"{sign}\\frac{{{abs(value.numerator)}}}{{{value.denominator}}}"
        if value.denominator != 1
        else str(value.numerator)
    )
    for answer in (gold, latex):
        score = math_check.check(f"<think>work</think> \\boxed{{{answer}}}", {"gold": gold})
        assert score.status is Status.CORRECT, (answer, gold, score)
    wrong = math_check.check(f"\\boxed{{{value + 1}}}", {"gold": gold})
    assert wrong.status is Status.WRONG


# --- code: program extraction ---------------------------------------------------------------


@PROPS
@given(TEXT, st.sampled_from(["python", "cpp", "rust", ""]))
def test_extract_program_never_raises(text: str, language: str) -> None:
    program = extract_program(text, language)
    assert program is None or program in text


# --- shaping checks -------------------------------------------------------------------------


@PROPS
@given(TEXT, st.integers(1, 6), st.floats(-5, 0))
def test_repetition_is_between_penalty_and_zero(text: str, n: int, penalty: float) -> None:
    score = shaping.repetition(text, {"ngram_size": n, "max_penalty": penalty})
    assert_well_formed(score)
    assert penalty - 1e-9 <= score.value <= 0.0


@PROPS
@given(TEXT, st.integers(2, 200), st.data())
def test_overlong_is_between_minus_one_and_zero(text: str, max_length: int, data) -> None:
    cache = data.draw(st.integers(1, max_length - 1))
    score = shaping.overlong(text, {"max_length": max_length, "cache_length": cache})
    assert_well_formed(score)
    assert -1.0 <= score.value <= 0.0


@PROPS
@given(TEXT)
def test_tag_count_and_steps_are_bounded(text: str) -> None:
    tags = shaping.tag_count(text, {})
    assert_well_formed(tags)
    assert tags.value in (0.0, 0.25, 0.5, 0.75, 1.0)
    steps = shaping.reasoning_steps(text, {"target": 3})
    assert_well_formed(steps)
    assert 0.0 <= steps.value <= 1.0


@PROPS
@given(
    TEXT,
    st.dictionaries(
        st.sampled_from(
            ["max_length", "cache_length", "unit", "ngram_size", "max_penalty", "target"]
        ),
        JSONISH,
        max_size=4,
    ),
)
def test_shaping_checks_tolerate_any_params(text: str, params: dict) -> None:
    for check in (shaping.repetition, shaping.overlong, shaping.reasoning_steps, shaping.tag_count):
        assert_well_formed(check(text, params))
