"""IFEval's `detectable_format:` instructions: bullets, fixed answers, highlights, sections,
JSON, a title."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from app.checkers.ifeval.patterns import compiled
from app.checkers.ifeval.spec import Instruction

_STAR_BULLET = re.compile(r"^\s*\*[^\*].*$", re.M)
_DASH_BULLET = re.compile(r"^\s*-.*$", re.M)
_HIGHLIGHT = re.compile(r"\*[^\n\*]*\*")
_DOUBLE_HIGHLIGHT = re.compile(r"\*\*[^\n\*]*\*\*")
_TITLE = re.compile(r"<<[^\n]+>>")
CONSTRAINED_OPTIONS = ("My answer is yes.", "My answer is no.", "My answer is maybe.")


def number_bullet_lists(response: str, kw: Mapping[str, Any]) -> bool:
    """Exactly `num_bullets` markdown bullet lines (`* item` or `- item`)."""
    count = len(_STAR_BULLET.findall(response)) + len(_DASH_BULLET.findall(response))
    return count == kw["num_bullets"]


def constrained_response(response: str, kw: Mapping[str, Any]) -> bool:
    """The response contains one of "My answer is yes./no./maybe."."""
    text = response.strip()
    return any(option in text for option in CONSTRAINED_OPTIONS)


def number_highlighted_sections(response: str, kw: Mapping[str, Any]) -> bool:
    """At least `num_highlights` non-empty `*highlighted*` spans; as in the current reference,
    a `**bold**` span counts too."""
    count = sum(1 for h in _HIGHLIGHT.findall(response) if h.strip("*").strip())
    count += sum(
        1
        for h in _DOUBLE_HIGHLIGHT.findall(response)
        if h.removeprefix("**").removesuffix("**").strip()
    )
    return count >= kw["num_highlights"]


def multiple_sections(response: str, kw: Mapping[str, Any]) -> bool:
    """At least `num_sections` sections, each opened by the splitter and a number
    ("SECTION 1")."""
    splitter = kw["section_spliter"].strip()
    pattern = compiled(r"\s?" + splitter + r"\s?\d+\s?")
    return len(pattern.split(response)) - 1 >= kw["num_sections"]


def json_format(response: str, kw: Mapping[str, Any]) -> bool:
    """The whole response, less a surrounding ``` fence (```json, ```Json, ```JSON), is JSON."""
    text = (
        response.strip()
        .removeprefix("```json")
        .removeprefix("```Json")
        .removeprefix("```JSON")
        .removeprefix("```")
        .removesuffix("```")
        .strip()
    )
    try:
        json.loads(text)
    except (ValueError, RecursionError):  # RecursionError: hostile nesting
        return False
    return True


def title(response: str, kw: Mapping[str, Any]) -> bool:
    """A non-empty title in double angular brackets, `<<like this>>`, on one line."""
    return any(t.lstrip("<").rstrip(">").strip() for t in _TITLE.findall(response))


INSTRUCTIONS = (
    Instruction(
        "detectable_format:number_bullet_lists", number_bullet_lists, {"num_bullets": "int"}
    ),
    Instruction("detectable_format:constrained_response", constrained_response, {}),
    Instruction(
        "detectable_format:number_highlighted_sections",
        number_highlighted_sections,
        {"num_highlights": "int"},
    ),
    Instruction(
        "detectable_format:multiple_sections",
        multiple_sections,
        {"section_spliter": "str", "num_sections": "int"},
    ),
    Instruction("detectable_format:json_format", json_format, {}),
    Instruction("detectable_format:title", title, {}),
)
