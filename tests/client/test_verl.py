"""verl's custom reward function: `compute_score` (sync, async, batch) against the real server,
called with the keyword arguments verl passes."""

from __future__ import annotations

import pytest

from app.checkers.registry import REGISTRY
from rewardkit import RewardClient
from rewardkit.integrations import verl
from rewardkit.integrations.verl import (
    checks_for,
    compute_score,
    compute_score_async,
    compute_score_batch,
)
from tests.conftest import free_port

needs_math = pytest.mark.skipif("math" not in REGISTRY, reason="the math check is not registered")

RIGHT = "<think>7 times 6</think> The answer is \\boxed{42}"
WRONG = "<think>7 times 6</think> \\boxed{48}"


@pytest.fixture
def service(live_server: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("REWARDKIT_URL", live_server)
    return live_server


@needs_math
def test_math_source_scores_against_ground_truth(service: str) -> None:
    # verl's reward managers pass everything by keyword, plus extra keywords of their own
    kw = {"data_source": "openai/gsm8k", "ground_truth": "42", "extra_info": {"index": 0}}
    assert compute_score(solution_str=RIGHT, **kw, reward_router_address=None) == 1.0
    assert compute_score(solution_str=WRONG, **kw) == 0.0


def test_checks_from_extra_info_and_components(service: str) -> None:
    info = {"checks": {"format": {}}}
    assert compute_score("my/set", RIGHT, None, info) == 1.0
    out = compute_score("my/set", "no think", None, info, return_dict=True)
    assert out == {"score": 0.0, "rewardkit_ok": True, "rewardkit_deadline": False, "format": 0.0}


@needs_math
async def test_async_variant(service: str) -> None:
    out = await compute_score_async(
        data_source="lighteval/MATH",
        solution_str=RIGHT,
        ground_truth="42",
        extra_info={"checks": {"math": {}, "format": {}}, "weights": {"format": 0.5}},
        return_dict=True,
    )
    assert out == {
        "score": 1.5,
        "rewardkit_ok": True,
        "rewardkit_deadline": False,
        "math": 1.0,
        "format": 1.0,
    }


@needs_math
def test_batch_variant(service: str) -> None:
    out = compute_score_batch(
        data_sources=["openai/gsm8k"] * 3,
        solution_strs=[RIGHT, WRONG, RIGHT],
        ground_truths=["42", "42", "41"],
        extra_infos=[None, None, None],
    )
    assert out == [1.0, 0.0, 0.0]


def test_service_down_scores_default_not_an_exception(monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    # the process-wide client for this URL, with quick retries to keep the test short
    monkeypatch.setitem(verl._clients, (url, None), RewardClient(url, retries=1, backoff=0.01))
    info = {"checks": {"format": {}}}
    assert compute_score("x", RIGHT, None, info, url=url, default=-1.0) == -1.0
    out = compute_score("x", RIGHT, None, info, url=url, return_dict=True)
    assert out == {"score": 0.0, "rewardkit_ok": False, "rewardkit_deadline": False}


def test_checks_for_data_sources() -> None:
    assert checks_for("openai/gsm8k", "7", None) == {"math": {"gold": "7"}}
    tests = '[{"input": "1\\n", "output": "2\\n"}]'
    assert checks_for("codecontests", tests, None) == {
        "code": {"language": "python", "tests": [{"input": "1\n", "output": "2\n"}]}
    }
    prime = {"inputs": ["1\n"], "outputs": ["2\n"]}
    assert checks_for("likaixin/TACO-verified", prime, None)["code"]["tests"] == [
        {"input": "1\n", "output": "2\n"}
    ]
    assert checks_for("any", "7", {"checks": '{"math": {}, "format": {}}'}) == {
        "math": {"gold": "7"},
        "format": {},
    }


def test_checks_for_ifeval_choice_and_qa_sources() -> None:
    row = '{"key": 1, "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]}'
    assert checks_for("google/IFEval", row, None) == {
        "ifeval": {"instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]}
    }
    assert checks_for("cais/mmlu", 2, None) == {"choice": {"gold": "C"}}
    assert checks_for("Idavidrein/gpqa", "B", None) == {"choice": {"gold": "B"}}
    assert checks_for("allenai/ai2_arc", "D", None) == {"choice": {"gold": "D"}}
    assert checks_for("rajpurkar/squad", ["Denver Broncos"], None) == {
        "qa": {"golds": ["Denver Broncos"]}
    }
    assert checks_for("searchR1_nq", {"target": ["Paris", "paris france"]}, None) == {
        "qa": {"golds": ["Paris", "paris france"]}
    }
    assert checks_for("triviaqa", "Everest", None) == {"qa": {"golds": ["Everest"]}}
    # Words, not substrings: "research" is no `arc`, "nqueens" no `nq`.
    assert checks_for("research_math", "5", None) == {"math": {"gold": "5"}}
    assert checks_for("nqueens", "8", None) == {"math": {"gold": "8"}}
