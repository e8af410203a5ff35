"""The TRL adapters, called exactly as TRL's GRPOTrainer._calculate_rewards calls reward
functions (TRL 1.x): sync functions one after another, coroutine functions gathered on a loop
in another thread; keyword arguments `prompts`, `completions`, `completion_ids`, every dataset
column but prompt/completion, `trainer_state`, `log_extra`, `log_metric`; `None` read as NaN."""

from __future__ import annotations

import asyncio
import inspect
import math
import threading
from collections.abc import Callable, Sequence
from typing import Any

import httpx
import pytest

from app.checkers.registry import REGISTRY
from rewardkit import RewardClient
from rewardkit.integrations.trl import completion_text, reward_function, reward_functions
from tests.conftest import free_port

pytestmark = pytest.mark.skipif("math" not in REGISTRY, reason="the math check is not registered")


class CountingClient(RewardClient):
    """A real client that counts the HTTP requests it makes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.posts = 0

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        self.posts += 1
        return await super().request(method, path, **kwargs)


class TrainerState:
    global_step = 3


def call_like_trl(
    funcs: Sequence[Callable[..., Any]],
    inputs: list[dict[str, Any]],
    completions: list[Any],
    metrics: dict[str, list[float]] | None = None,
) -> list[list[float]]:
    """TRL's _calculate_rewards, minus the tensors: one row of rewards per function."""
    prompts = [x["prompt"] for x in inputs]
    completion_ids = [[1, 2, 3] for _ in completions]
    keys = [k for k in inputs[0] if k not in ("prompt", "completion", "completion_ids")]
    reward_kwargs: dict[str, Any] = {k: [x[k] for x in inputs] for k in keys}
    reward_kwargs["trainer_state"] = TrainerState()
    reward_kwargs["log_extra"] = lambda column, values: None
    logged = metrics if metrics is not None else {}
    reward_kwargs["log_metric"] = lambda name, value: logged.setdefault(name, []).append(value)
    rows: dict[int, list[Any]] = {}
    async_funcs = []
    for i, func in enumerate(funcs):
        if inspect.iscoroutinefunction(func):
            async_funcs.append((i, func))
        else:
            rows[i] = func(
                prompts=prompts,
                completions=completions,
                completion_ids=completion_ids,
                **reward_kwargs,
            )
    if async_funcs:

        async def gather() -> list[Any]:
            return await asyncio.gather(
                *(
                    f(
                        prompts=prompts,
                        completions=completions,
                        completion_ids=completion_ids,
                        **reward_kwargs,
                    )
                    for _, f in async_funcs
                )
            )

        # TRL keeps an event loop running in a thread and submits to it.
        loop = asyncio.new_event_loop()
        thread = threading.Thread(target=loop.run_forever, daemon=True)
        thread.start()
        try:
            outs = asyncio.run_coroutine_threadsafe(gather(), loop).result(60)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(5)
            loop.close()
        rows.update({i: out for (i, _), out in zip(async_funcs, outs, strict=True)})
    table = []
    for i in range(len(funcs)):
        assert len(rows[i]) == len(prompts)
        table.append([math.nan if r is None else r for r in rows[i]])
    return table


COMPLETIONS = [
    "<think>2 and 2</think> \\boxed{4}",
    "<think>2 and 3</think> \\boxed{5}",
    "no reasoning \\boxed{4}",
    "<think>hmm</think> I think it is four",
]
INPUTS = [{"prompt": "2+2=?", "solution": "4", "level": 1} for _ in COMPLETIONS]


def same(a: list[float], b: list[float]) -> bool:
    return all((math.isnan(x) and math.isnan(y)) or x == y for x, y in zip(a, b, strict=True))


def test_per_check_functions_one_request_per_batch(live_server: str) -> None:
    client = CountingClient(live_server)
    funcs = reward_functions(
        checks={"math": {}, "format": {}}, columns={"math.gold": "solution"}, client=client
    )
    assert [f.__name__ for f in funcs] == ["rewardkit_math", "rewardkit_format"]
    metrics: dict[str, list[float]] = {}
    math_row, format_row = call_like_trl(funcs, INPUTS, COMPLETIONS, metrics)
    assert math_row == [1.0, 0.0, 1.0, 0.0]
    assert format_row == [1.0, 1.0, 0.0, 1.0]
    assert client.posts == 1
    assert metrics == {"rewardkit/unjudged": [0.0]}
    # the next batch is scored afresh (one more request), not served from the cache
    call_like_trl(funcs, INPUTS[:2], COMPLETIONS[:2])
    assert client.posts == 2
    client.close()


def test_conversational_completions(live_server: str) -> None:
    inputs = [{"prompt": [{"role": "user", "content": "2+2?"}], "answer": "4"} for _ in COMPLETIONS]
    completions = [[{"role": "assistant", "content": c}] for c in COMPLETIONS]
    funcs = reward_functions(live_server, checks={"math": {}, "format": {}})  # default: answer
    assert call_like_trl(funcs, inputs, completions) == [[1.0, 0.0, 1.0, 0.0], [1.0, 1.0, 0.0, 1.0]]


def test_async_functions_share_one_request(live_server: str) -> None:
    client = CountingClient(live_server)
    funcs = reward_functions(
        checks={"math": {}, "format": {}},
        columns={"math.gold": "solution"},
        asynchronous=True,
        client=client,
    )
    assert all(inspect.iscoroutinefunction(f) for f in funcs)
    assert call_like_trl(funcs, INPUTS, COMPLETIONS) == [
        [1.0, 0.0, 1.0, 0.0],
        [1.0, 1.0, 0.0, 1.0],
    ]
    assert client.posts == 1


def test_not_applicable_is_none(live_server: str) -> None:
    inputs = [dict(x) for x in INPUTS]
    inputs[1]["solution"] = None  # no gold for this row: math does not apply, format does
    funcs = reward_functions(live_server, checks={"math": {}, "format": {}})
    math_row, format_row = call_like_trl(funcs, inputs, COMPLETIONS)
    assert same(math_row, [1.0, math.nan, 1.0, 0.0])
    assert format_row == [1.0, 1.0, 0.0, 1.0]


def test_combined_function_with_weights(live_server: str) -> None:
    fn = reward_function(
        live_server,
        checks={"math": {}, "format": {}},
        columns={"math.gold": "solution"},
        weights={"format": 0.5},
    )
    assert fn.__name__ == "rewardkit"
    assert call_like_trl([fn], INPUTS, COMPLETIONS) == [[1.5, 0.5, 1.0, 0.5]]


def test_sync_and_async_functions_mixed(live_server: str) -> None:
    sync_fn = reward_function(live_server, checks={"format": {}}, name="fmt_sync")
    async_fn = reward_function(
        live_server, checks={"math": {}}, columns={"math.gold": "solution"}, asynchronous=True
    )
    assert call_like_trl([sync_fn, async_fn], INPUTS, COMPLETIONS) == [
        [1.0, 1.0, 0.0, 1.0],
        [1.0, 0.0, 1.0, 0.0],
    ]


def test_service_down_gives_none_not_an_exception() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    funcs = reward_functions(url, checks={"math": {}, "format": {}}, retries=1, backoff=0.01)
    metrics: dict[str, list[float]] = {}
    rows = call_like_trl(funcs, INPUTS, COMPLETIONS, metrics)
    assert all(math.isnan(x) for row in rows for x in row)
    assert metrics == {"rewardkit/unjudged": [1.0]}


def test_missing_column_is_a_clear_error(live_server: str) -> None:
    (fn,) = reward_functions(live_server, checks={"math": {}}, columns={"math.gold": "gold_col"})
    with pytest.raises(KeyError, match="gold_col"):
        call_like_trl([fn], INPUTS, COMPLETIONS)
    with pytest.raises(ValueError, match="columns key"):
        reward_functions(live_server, checks={"math": {}}, columns={"format.x": "y"})


def test_completion_text_shapes() -> None:
    assert completion_text("plain") == "plain"
    assert completion_text([{"role": "assistant", "content": "a"}]) == "a"
    assert (
        completion_text(
            [
                {"role": "assistant", "content": "call tool"},
                {"role": "tool", "content": "42"},
                {"role": "assistant", "content": [{"type": "text", "text": "it is 42"}]},
            ]
        )
        == "it is 42"
    )


def test_default_columns_of_the_new_checks() -> None:
    from rewardkit.integrations.trl import BatchScorer

    scorer = BatchScorer(
        RewardClient("http://127.0.0.1:9"),
        checks={"choice": {"letters": "ABCD"}, "qa": {}, "ifeval": {"mode": "loose"}, "json": {}},
    )
    columns = {
        "answer": [2, "b"],  # MMLU stores the index; others the letter
        "answers": [{"text": ["Paris", "paris"], "answer_start": [0, 0]}, "Rome"],
        "instruction_id_list": [["punctuation:no_comma"], ["startend:quotation"]],
        "kwargs": ['[{"x": null}]', [{}]],
        "schema": ['{"type": "object"}', {"type": "array"}],
    }
    first, second = scorer.items(["c1", "c2"], columns)
    assert first["checks"] == {
        "choice": {"letters": "ABCD", "gold": "C"},
        "qa": {"golds": ["Paris", "paris"]},
        "ifeval": {
            "mode": "loose",
            "instruction_id_list": ["punctuation:no_comma"],
            "kwargs": [{"x": None}],
        },
        "json": {"schema": {"type": "object"}},
    }
    assert second["checks"]["choice"]["gold"] == "b"
    assert second["checks"]["qa"] == {"golds": ["Rome"]}
    assert second["checks"]["ifeval"]["kwargs"] == [{}]


def test_ifeval_kwargs_column_is_optional() -> None:
    from rewardkit.integrations.trl import BatchScorer

    scorer = BatchScorer(RewardClient("http://127.0.0.1:9"), checks={"ifeval": {}})
    (item,) = scorer.items(["c"], {"instruction_id_list": [["startend:quotation"]]})
    assert item["checks"] == {"ifeval": {"instruction_id_list": ["startend:quotation"]}}
