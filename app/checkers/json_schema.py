"""The `json` check: the answer's last JSON value parses and validates against a JSON Schema.

Which JSON, in the answer part (after `</think>`; `<answer>` tags are taken off):
1. the last fenced block tagged `json` (```` ```json ````, any case, also `jsonc`/`json5` tags);
2. else the last untagged fenced block whose content starts with `{` or `[`;
3. else the last balanced `{...}` or `[...]` of the text (brackets inside JSON strings do not
   count), trying earlier ones while the later ones do not parse.
No candidate → `no_answer`; a candidate that is not JSON → `bad_format` with the parser's
reason; JSON that breaks the schema → `wrong` with the first errors' paths (JSON pointers into
the instance and the schema); valid → `correct`.

Validation is JSON Schema 2020-12 (or the draft a schema's `$schema` names) by `jsonschema-rs`,
which passes the official test suite and is many times faster than the `jsonschema` package.
`format` is an annotation, as 2020-12 says. Remote `$ref`s are never fetched (a schema that
needs one is `invalid`); patterns run on a regex engine with a backtracking limit.

Hostile JSON never stalls the worker: nesting deeper than `MAX_DEPTH` is refused before the
parser recurses, integers longer than Python's 4300-digit conversion limit are read as floats
(the limit exists because longer conversions are quadratic), `NaN`/`Infinity` are not JSON.
The check runs in the pool under the per-item deadline all the same.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Hashable, Iterator, Mapping
from functools import lru_cache
from typing import Any

import jsonschema_rs

from app.checkers.base import Score, Status
from app.checkers.text import split_reasoning

MAX_DEPTH = 256
MAX_ERRORS = 5
#: Balanced spans tried from the end before giving up.
MAX_CANDIDATES = 16
_BACKTRACK_LIMIT = 200_000
_INT_DIGITS = 4300  # sys.get_int_max_str_digits() default

_FENCE = re.compile(r"(?:^|\n)[ \t]*```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n")
_FENCE_CLOSE = re.compile(r"\n[ \t]*```")
_JSON_TAGS = frozenset({"json", "jsonc", "json5", "jsonl"})
_STRUCTURE = re.compile(r'[{}\[\]"\\]')
_PAIRS = {"}": "{", "]": "["}


class NotJson(ValueError):
    """The candidate text is not one JSON value."""


def _fenced(part: str) -> tuple[str | None, str | None]:
    """(content of the last ```json block, content of the last untagged block holding an
    object or array); None where there is none. One left-to-right pass."""
    tagged = untagged = None
    pos = 0
    while True:
        m = _FENCE.search(part, pos)
        if m is None:
            return tagged, untagged
        close = _FENCE_CLOSE.search(part, m.end() - 1)
        if close is None:
            content, pos = part[m.end() :], len(part)  # a truncated block runs to the end
        else:
            content, pos = part[m.end() : close.start() + 1], close.end()
        tag = m.group(1).lower()
        if tag in _JSON_TAGS:
            tagged = content
        elif not tag and content.lstrip()[:1] in ("{", "["):
            untagged = content
        if close is None:
            return tagged, untagged


def _brackets(text: str, top_strings: bool) -> Iterator[tuple[int, str, int]]:
    """`(position, bracket, depth before it)` for every bracket of `text` outside JSON
    strings. Outside any bracket a quote opens a string only with `top_strings` (prose quotes
    around an embedded object must not hide it)."""
    depth = 0
    in_string = escaped = False
    for m in _STRUCTURE.finditer(text):
        ch = m.group(0)
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                # Only an escaped quote or backslash is itself a structural character.
                escaped = text[m.end() : m.end() + 1] in ('"', "\\")
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = depth > 0 or top_strings
        elif ch in "{[":
            yield m.start(), ch, depth
            depth += 1
        elif ch in "}]":
            yield m.start(), ch, depth
            depth = max(depth - 1, 0)


def balanced_spans(text: str) -> list[tuple[int, int]]:
    """`(start, end)` of every top-level balanced `{...}` / `[...]` in `text`, in order; a
    closer that does not match drops the span being built. One pass."""
    spans: list[tuple[int, int]] = []
    stack: list[str] = []
    start = 0
    for pos, ch, _ in _brackets(text, top_strings=False):
        if ch in "{[":
            if not stack:
                start = pos
            stack.append(ch)
        elif stack and stack[-1] == _PAIRS[ch]:
            stack.pop()
            if not stack:
                spans.append((start, pos + 1))
        else:
            stack.clear()
    return spans


def _depth(text: str) -> int:
    """Deepest bracket nesting outside strings (a cheap bound before the parser recurses)."""
    return max((d + 1 for _, ch, d in _brackets(text, top_strings=True) if ch in "{["), default=0)


def _int(digits: str) -> int | float:
    return int(digits) if len(digits) <= _INT_DIGITS else float(digits)


def _no_constant(name: str) -> Any:
    raise NotJson(f"{name} is not JSON")


def parse(text: str) -> Any:
    """One JSON value from `text` (surrounding white space allowed); NotJson says why not."""
    if _depth(text) > MAX_DEPTH:
        raise NotJson(f"nested deeper than {MAX_DEPTH} levels")
    try:
        return json.loads(text, parse_int=_int, parse_constant=_no_constant)
    except RecursionError as exc:
        raise NotJson(f"nested deeper than {MAX_DEPTH} levels") from exc
    except json.JSONDecodeError as exc:
        raise NotJson(f"{exc.msg} at line {exc.lineno} column {exc.colno}") from exc


def extract_json(completion: str) -> tuple[str | None, Any, str | None]:
    """(the JSON text found, its value, why it does not parse); text None when there is no
    candidate at all."""
    part = split_reasoning(completion).answer
    if "answer>" in part:
        part = part.replace("<answer>", "\n").replace("</answer>", "\n")
    tagged, untagged = _fenced(part)
    block = tagged if tagged is not None else untagged
    if block is not None:
        try:
            return block.strip(), parse(block), None
        except NotJson as exc:
            return block.strip(), None, str(exc)
    spans = balanced_spans(part)
    first_error: str | None = None
    for start, end in itertools.islice(reversed(spans), MAX_CANDIDATES):
        text = part[start:end]
        try:
            return text, parse(text), None
        except NotJson as exc:
            first_error = first_error or str(exc)
    if spans:
        start, end = spans[-1]
        return part[start:end], None, first_error
    return None, None, None


@lru_cache(maxsize=256)
def _validator(schema_json: str) -> Any:
    """A compiled validator per distinct schema (GRPO groups share one); raises ValueError
    (jsonschema_rs.ValidationError) for a schema that is not valid JSON Schema."""
    schema = json.loads(schema_json)
    jsonschema_rs.meta.validate(schema)
    return jsonschema_rs.validator_for(
        schema,
        offline=True,
        pattern_options=jsonschema_rs.FancyRegexOptions(backtrack_limit=_BACKTRACK_LIMIT),
    )


def _pointer(path: Any) -> str:
    return "".join("/" + str(p).replace("~", "~0").replace("/", "~1") for p in path)


def _schema_key(schema: Any) -> str | None:
    try:
        return json.dumps(schema, sort_keys=True, allow_nan=False)
    except (TypeError, ValueError):
        return None


def dedup_key(completion: str, params: Mapping[str, Any]) -> Hashable:
    """The score depends on the answer part and the schema only. (Cheap on purpose: keys are
    computed outside the pool, where a hostile document must not be scanned.)"""
    return (split_reasoning(completion).answer, _schema_key(params.get("schema")))


def check(completion: str, params: Mapping[str, Any]) -> Score:
    """Validate the answer's last JSON value against `params["schema"]` (see the module doc)."""
    schema = params.get("schema")
    key = _schema_key(schema) if isinstance(schema, dict | bool) else None
    if key is None:
        return Score.invalid("schema must be a JSON object or a boolean")
    try:
        validator = _validator(key)
    except ValueError as exc:
        first = str(exc).split("\n", 1)[0]
        return Score.invalid(f"schema is not valid JSON Schema: {first}")
    text, value, error = extract_json(completion)
    if text is None:
        return Score(0.0, Status.NO_ANSWER, {"reason": "no JSON value in the answer"})
    if error is not None:
        return Score(0.0, Status.BAD_FORMAT, {"reason": f"not valid JSON: {error}"})
    errors = [
        {
            "path": _pointer(e.instance_path),
            "schema_path": _pointer(e.schema_path),
            "message": e.message[:300],
        }
        for e in itertools.islice(validator.iter_errors(value), MAX_ERRORS)
    ]
    if errors:
        return Score(0.0, Status.WRONG, {"errors": errors})
    return Score(1.0, Status.CORRECT, {})
