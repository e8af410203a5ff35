"""IFEval's `detectable_content:` instructions: placeholders and a postscript."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from app.checkers.ifeval.patterns import compiled
from app.checkers.ifeval.spec import Instruction

_PLACEHOLDER = re.compile(r"\[.*?\]")
_PPS = re.compile(r"\s*p\.\s?p\.\s?s.*$", re.M)
_PS = re.compile(r"\s*p\.\s?s\..*$", re.M)


def number_placeholders(response: str, kw: Mapping[str, Any]) -> bool:
    """At least `num_placeholders` square-bracket spans (`[address]`, within one line)."""
    return len(_PLACEHOLDER.findall(response)) >= kw["num_placeholders"]


def postscript(response: str, kw: Mapping[str, Any]) -> bool:
    """A line containing the marker (case-insensitive; "P.S." and "P.P.S" allow a space after
    each dot)."""
    marker = kw["postscript_marker"].strip()
    if marker == "P.P.S":
        pattern = _PPS
    elif marker == "P.S.":
        pattern = _PS
    else:
        pattern = compiled(r"\s*" + marker.lower() + r".*$", re.M)
    return pattern.search(response.lower()) is not None


INSTRUCTIONS = (
    Instruction(
        "detectable_content:number_placeholders",
        number_placeholders,
        {"num_placeholders": "int"},
    ),
    Instruction("detectable_content:postscript", postscript, {"postscript_marker": "str"}),
)
