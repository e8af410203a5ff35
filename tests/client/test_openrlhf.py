"""POST /v1/compat/openrlhf: OpenRLHF's remote reward model body, answered with numbers only."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from app.api.compat import INVALID_KEY, checks_of, completion_of
from app.checkers.registry import REGISTRY

ROUTE = "/v1/compat/openrlhf"
FORMAT = json.dumps({"format": {}})
PROMPT = "<|user|>What is 2+2?<|assistant|>"


def post(api: TestClient, body: dict) -> dict:
    resp = api.post(ROUTE, json=body)
    assert resp.status_code == 200, resp.text
    return resp.json()


def test_empty_batch(api: TestClient) -> None:
    assert post(api, {"query": [], "prompts": [], "labels": []}) == {
        "rewards": [],
        "scores": [],
        "extra_logs": {},
    }


def test_json_object_labels_with_prompt_prefix_removed(api: TestClient) -> None:
    # The prompt itself holds a think block: scored with the prompt, every query would have two
    # blocks and fail the format check. Only the prompt-stripped completion passes.
    prompt = "<think>prefilled example</think> Now you:"
    good, bad = "<think>two and two</think> 4", "4"
    out = post(
        api,
        {
            "query": [prompt + good, prompt + bad],
            "prompts": [prompt, prompt],
            "labels": [FORMAT, FORMAT],
        },
    )
    assert out["rewards"] == [1.0, 0.0]
    assert out["scores"] == [1.0, 0.0]
    assert out["extra_logs"] == {"format": [1.0, 0.0], INVALID_KEY: [0.0, 0.0]}


def test_labels_as_objects_and_with_weights(api: TestClient) -> None:
    good = "<think>ok</think> 4"
    out = post(
        api,
        {
            "query": [PROMPT + good, "<s>" + PROMPT + good],  # a decoded BOS before the prompt
            "prompts": [PROMPT, PROMPT],
            "labels": [
                {"format": {}},
                json.dumps({"checks": {"format": {}}, "weights": {"format": 2}}),
            ],
        },
    )
    assert out["rewards"] == [1.0, 2.0]


def test_bad_labels_give_zero_and_a_flag_not_a_failed_batch(api: TestClient) -> None:
    good = "<think>ok</think> 4"
    out = post(
        api,
        {
            "query": [PROMPT + good] * 4,
            "prompts": [PROMPT] * 4,
            "labels": [FORMAT, json.dumps({"no_such_check": {}}), None, [1, 2]],
        },
    )
    assert out["rewards"] == [1.0, 0.0, 0.0, 0.0]
    assert all(isinstance(x, float) for x in out["rewards"])
    assert out["extra_logs"][INVALID_KEY] == [0.0, 1.0, 1.0, 1.0]
    assert out["extra_logs"]["format"] == [1.0, 0.0, 0.0, 0.0]


def test_body_that_is_not_the_shape_is_422(api: TestClient) -> None:
    resp = api.post(ROUTE, json={"query": ["a", "b"], "prompts": ["a"], "labels": ["1", "2"]})
    assert resp.status_code == 422
    assert "prompts" in resp.text
    assert api.post(ROUTE, json={"prompts": []}).status_code == 422


def test_too_many_queries_is_413(api: TestClient) -> None:
    n = api.app.state.settings.max_items + 1  # type: ignore[attr-defined]
    resp = api.post(ROUTE, json={"query": ["x"] * n, "prompts": ["x"] * n, "labels": ["1"] * n})
    assert resp.status_code == 413


@pytest.mark.skipif("math" not in REGISTRY, reason="the math check is not registered yet")
def test_plain_labels_are_math_gold_answers(api: TestClient) -> None:
    prompt = "Compute 1/2 + 0. Answer:"
    out = post(
        api,
        {
            "query": [
                prompt + " The answer is \\boxed{0.5}",
                prompt + " \\boxed{\\frac{1}{2}}",
                prompt + " \\boxed{2}",
                prompt + " I do not know",
            ],
            "prompts": [prompt] * 4,
            "labels": ["1/2", "\\frac12", "1/2", "1/2"],
        },
    )
    assert out["rewards"] == [1.0, 1.0, 0.0, 0.0]
    assert out["extra_logs"]["math"] == [1.0, 1.0, 0.0, 0.0]
    assert out["extra_logs"][INVALID_KEY] == [0.0, 0.0, 0.0, 0.0]


def test_completion_of() -> None:
    assert completion_of("PQ answer", "PQ") == " answer"
    assert completion_of("<bos>PQ answer", "PQ") == " answer"
    assert completion_of("no prompt here", "PQ") == "no prompt here"
    assert completion_of("whole", None) == "whole"


def test_checks_of() -> None:
    assert checks_of("0.5") == ({"math": {"gold": "0.5"}}, None)
    assert checks_of(3) == ({"math": {"gold": "3"}}, None)
    assert checks_of('{"format": {}}') == ({"format": {}}, None)
    assert checks_of("{1, 2}") == ({"math": {"gold": "{1, 2}"}}, None)  # a LaTeX set, not JSON
    with pytest.raises(ValueError):
        checks_of(None)


def test_labels_name_the_new_checks(api: TestClient) -> None:
    labels = [
        {"choice": {"gold": "B", "letters": "ABCD"}},
        json.dumps({"qa": {"golds": ["Paris"]}}),
        {"ifeval": {"instruction_id_list": ["punctuation:no_comma"], "kwargs": [None]}},
        {"json": {"schema": {"type": "object", "required": ["a"]}}},
        {"qa": {"golds": []}},  # unjudgeable: 0.0 and flagged, never a failed batch
    ]
    out = post(
        api,
        {
            "query": [
                PROMPT + c for c in ("The answer is (B).", "Paris", "no commas", '{"a": 1}', "x")
            ],
            "prompts": [PROMPT] * 5,
            "labels": labels,
        },
    )
    assert out["rewards"] == [1.0, 1.0, 1.0, 1.0, 0.0]
    assert out["extra_logs"][INVALID_KEY] == [0.0, 0.0, 0.0, 0.0, 1.0]
    assert out["extra_logs"]["choice"] == [1.0, 0.0, 0.0, 0.0, 0.0]
