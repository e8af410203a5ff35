"""IFEval's `length_constraints:` instructions: sentences, paragraphs, words, and the first
word of the n-th paragraph."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from app.checkers.ifeval.counting import count_sentences, count_words
from app.checkers.ifeval.spec import Instruction, compare

# Paragraphs of `number_paragraphs` are separated by the markdown divider `***`.
_DIVIDER = re.compile(r"\s?\*\*\*\s?")
_FIRST_WORD_STOP = frozenset(".,?!'\"")


def number_sentences(response: str, kw: Mapping[str, Any]) -> bool:
    """Punkt's sentence count against the threshold."""
    return compare(count_sentences(response), kw["relation"], kw["num_sentences"])


def number_words(response: str, kw: Mapping[str, Any]) -> bool:
    """The `\\w+` word count against the threshold."""
    return compare(count_words(response), kw["relation"], kw["num_words"])


def number_paragraphs(response: str, kw: Mapping[str, Any]) -> bool:
    """Exactly `num_paragraphs` paragraphs between `***` dividers; an empty paragraph is
    allowed only first or last (a leading or trailing divider), never in between."""
    paragraphs = _DIVIDER.split(response)
    count = len(paragraphs)
    for i, paragraph in enumerate(paragraphs):
        if not paragraph.strip():
            if i in (0, len(paragraphs) - 1):
                count -= 1
            else:
                return False
    return count == kw["num_paragraphs"]


def nth_paragraph_first_word(response: str, kw: Mapping[str, Any]) -> bool:
    """Exactly `num_paragraphs` non-empty paragraphs (split at "\\n\\n") and paragraph
    `nth_paragraph` starts with `first_word`.

    As in the reference, the count leaves empty paragraphs out but the n-th paragraph is taken
    from the split with them in, and the first word is the first white-space token without
    leading quotes, cut at its first `. , ? ! ' "`, lower-cased.
    """
    paragraphs = response.split("\n\n")
    count = sum(1 for p in paragraphs if p.strip())
    nth = kw["nth_paragraph"]
    if nth > count:
        return False
    paragraph = paragraphs[nth - 1].strip()
    if not paragraph:
        return False
    word = paragraph.split()[0].strip().lstrip("'").lstrip('"')
    first = ""
    for ch in word:
        if ch in _FIRST_WORD_STOP:
            break
        first += ch.lower()
    return count == kw["num_paragraphs"] and first == kw["first_word"].lower()


def _nth_paragraph_kwargs_ok(kw: Mapping[str, Any]) -> str | None:
    if not 1 <= kw["nth_paragraph"] <= kw["num_paragraphs"]:
        return "nth_paragraph must be between 1 and num_paragraphs"
    return None


INSTRUCTIONS = (
    Instruction(
        "length_constraints:number_sentences",
        number_sentences,
        {"num_sentences": "int", "relation": "relation"},
    ),
    Instruction(
        "length_constraints:number_paragraphs", number_paragraphs, {"num_paragraphs": "int"}
    ),
    Instruction(
        "length_constraints:number_words",
        number_words,
        {"num_words": "int", "relation": "relation"},
    ),
    Instruction(
        "length_constraints:nth_paragraph_first_word",
        nth_paragraph_first_word,
        {"num_paragraphs": "int", "nth_paragraph": "int", "first_word": "str"},
        _nth_paragraph_kwargs_ok,
    ),
)
