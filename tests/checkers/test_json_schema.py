"""The `json` check: where the JSON is found, what validates, and hostile input."""

from __future__ import annotations

import pytest

from app.checkers.base import Status
from app.checkers.json_schema import MAX_DEPTH, balanced_spans, check, extract_json
from loadtests.workloads import JSON_SCHEMA

# The benchmark's schema: what the tests pin down is what the benchmark measures.
PERSON = JSON_SCHEMA
OK_PERSON = '{"name": "Ada", "age": 36}'

# (completion, schema, status)
CASES: list[tuple[str, object, str]] = [
    # Where the JSON is.
    (f"```json\n{OK_PERSON}\n```", PERSON, "correct"),
    (f"```JSON\n{OK_PERSON}\n```", PERSON, "correct"),
    (f"Here it is:\n```\n{OK_PERSON}\n```\nDone.", PERSON, "correct"),
    (f"Sure! The record is {OK_PERSON}. Anything else?", PERSON, "correct"),
    (f'<think>draft {{"name": 1}}</think> {OK_PERSON}', PERSON, "correct"),
    (f"<think>r</think><answer>{OK_PERSON}</answer>", PERSON, "correct"),
    (f'{{"name": "Bob", "age": -1}} then corrected: {OK_PERSON}', PERSON, "correct"),
    (f"{OK_PERSON} Note that {{x}} is a set.", PERSON, "correct"),  # a later non-JSON span
    (f'```json\n{{"name": "x", "age": 1}}\n```\n```json\n{OK_PERSON}\n```', PERSON, "correct"),
    (f"```python\nd = {{'a': 1}}\n```\n{OK_PERSON}", PERSON, "correct"),
    ('{"s": "a } inside a string", "name": "A", "age": 2}', {"type": "object"}, "correct"),
    ('{"s": "an escaped \\" quote }", "n": 1}', {"required": ["n"]}, "correct"),
    ("[1, 2, 3]", {"type": "array", "items": {"type": "integer"}}, "correct"),
    ("The list: [1, 2, 3].", {"type": "array", "maxItems": 3}, "correct"),
    # Breaking the schema: wrong, with paths.
    ('{"name": "Ada"}', PERSON, "wrong"),
    ('{"name": "Ada", "age": "36"}', PERSON, "wrong"),
    ('{"name": "Ada", "age": 36.5}', PERSON, "wrong"),
    ('{"name": "", "age": 3}', PERSON, "wrong"),
    ('{"name": "Ada", "age": 3, "extra": true}', PERSON, "wrong"),
    ('{"name": "Ada", "age": 3, "tags": ["a", "a"]}', PERSON, "wrong"),
    ('{"name": "Ada", "age": 3, "tags": ["a", 1]}', PERSON, "wrong"),
    ("[1, 2, 3, 4]", {"type": "array", "maxItems": 3}, "wrong"),
    ('```json\n"just a string"\n```', {"type": "object"}, "wrong"),
    ('"just a string"', {"type": "object"}, "no_answer"),  # only objects/arrays outside fences
    ('{"a": 1}', False, "wrong"),
    ('{"a": 1}', True, "correct"),
    ('{"a": 1}', {}, "correct"),
    # 2020-12 keywords.
    ('[1, "x"]', {"prefixItems": [{"type": "integer"}, {"type": "string"}]}, "correct"),
    ("[1, 2]", {"prefixItems": [{"type": "integer"}, {"type": "string"}]}, "wrong"),
    (
        '{"a": {"b": 1}}',
        {
            "$defs": {"B": {"type": "integer"}},
            "properties": {"a": {"properties": {"b": {"$ref": "#/$defs/B"}}}},
        },
        "correct",
    ),
    ('{"a": 1, "b": 2}', {"dependentRequired": {"a": ["c"]}}, "wrong"),
    ('{"k": "v"}', {"unevaluatedProperties": False, "properties": {"k": {}}}, "correct"),
    ('{"k": "v", "z": 1}', {"unevaluatedProperties": False, "properties": {"k": {}}}, "wrong"),
    ('{"e": "not an email"}', {"properties": {"e": {"format": "email"}}}, "correct"),
    (
        '{"s": "aaaaaaaaaaaaaaaaaaaaaaaaaaaaab"}',
        {"properties": {"s": {"pattern": "^(a+)+$"}}},
        "wrong",
    ),
    # No JSON, or not JSON.
    ("No JSON here, sorry.", PERSON, "no_answer"),
    ('<think>{"name": "Ada", "age": 1}</think> done', PERSON, "no_answer"),
    ('{"name": "Ada", "age": 36,}', PERSON, "bad_format"),
    ("{'name': 'Ada', 'age': 36}", PERSON, "bad_format"),
    ('```json\n{"name": "Ada", "age": \n```', PERSON, "bad_format"),
    ('{"x": NaN}', {}, "bad_format"),
    ('{"x": Infinity}', {}, "bad_format"),
    # Schemas that are not JSON Schema: invalid, null score.
    (OK_PERSON, {"type": "nope"}, "invalid"),
    (OK_PERSON, {"minLength": -1}, "invalid"),
    (OK_PERSON, {"properties": {"s": {"pattern": "("}}}, "invalid"),
    (OK_PERSON, {"$ref": "https://example.com/remote.json"}, "invalid"),
    (OK_PERSON, {"$ref": "#/$defs/missing"}, "invalid"),
    (OK_PERSON, "not a schema", "invalid"),
    (OK_PERSON, None, "invalid"),
]


@pytest.mark.parametrize(("completion", "schema", "status"), CASES)
def test_cases(completion: str, schema: object, status: str) -> None:
    result = check(completion, {"schema": schema})
    assert result.status is Status(status), result
    if status == "invalid":
        assert result.value is None and result.details["message"]
    else:
        assert result.value == (1.0 if status == "correct" else 0.0)


def test_errors_name_the_paths() -> None:
    result = check('{"name": "Ada", "age": 3, "tags": ["a", 1]}', {"schema": PERSON})
    assert result.details["errors"] == [
        {
            "path": "/tags/1",
            "schema_path": "/properties/tags/items/type",
            "message": '1 is not of type "string"',
        }
    ]
    missing = check('{"name": "Ada"}', {"schema": PERSON})
    assert missing.details["errors"][0]["path"] == ""
    assert "age" in missing.details["errors"][0]["message"]


def test_errors_are_capped() -> None:
    doc = "[" + ", ".join(['"x"'] * 50) + "]"
    result = check(doc, {"schema": {"items": {"type": "integer"}}})
    assert result.status is Status.WRONG and len(result.details["errors"]) == 5


def test_deep_nesting_is_refused_not_recursed() -> None:
    deep = "[" * 100_000 + "]" * 100_000
    result = check(deep, {"schema": {}})
    assert result.status is Status.BAD_FORMAT
    assert f"deeper than {MAX_DEPTH}" in result.details["reason"]
    ok = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    assert check(ok, {"schema": {"type": "array"}}).status is Status.CORRECT


def test_huge_numbers_parse() -> None:
    digits = "9" * 10_000
    assert check(f'{{"n": {digits}}}', {"schema": {"type": "object"}}).status is Status.CORRECT
    big = f'{{"n": {"9" * 100}}}'
    schema = {"properties": {"n": {"type": "integer", "maximum": 10}}}
    assert check(big, {"schema": schema}).status is Status.WRONG
    assert check('{"n": 1e400}', {"schema": {"type": "object"}}).status is not Status.ERROR


def test_balanced_spans_ignore_brackets_in_strings_and_mismatches() -> None:
    text = 'a {"k": "}"} b [1, {2}] c {x]'
    assert [text[s:e] for s, e in balanced_spans(text)] == ['{"k": "}"}', "[1, {2}]"]
    assert extract_json("no brackets")[0] is None


def test_case_table_is_large_enough() -> None:
    assert len(CASES) >= 40
