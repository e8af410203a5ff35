"""verl's custom reward function, scored by a rewardkit service.

In the verl config:

    custom_reward_function:
      path: /path/to/site-packages/rewardkit/integrations/verl.py
      name: compute_score          # or compute_score_async (verl's reward loop awaits it)
      reward_kwargs: {return_dict: true}   # optional: components in reward_extra_info

and `REWARDKIT_URL=http://host:8000` in the workers' environment (or `url=` in reward_kwargs).

Which checks run follows from `extra_info["checks"]` when the row has it (a `{check: params}`
dict; `ground_truth` fills `math.gold` when math is asked without one); otherwise from
`data_source`: code sets (`codecontests`, `apps`, `taco`, `codeforces`, `livecodebench`, ...)
run the code check with `ground_truth` as the tests; IFEval sets (`ifeval`, `google/IFEval`)
the ifeval check with `ground_truth` as the row's `{"instruction_id_list", "kwargs"}` (a dict
or JSON text); multiple-choice sets (`mmlu`, `mmlu_pro`, `gpqa`, `arc`, `commonsenseqa`,
`openbookqa`, `hellaswag`, `medmcqa`, `supergpqa`, `race`, ...) the choice check with
`ground_truth` as the letter (or its index); short-answer QA sets (`squad`, `triviaqa`, `nq`,
`hotpotqa`, `popqa`, `2wikimultihopqa`, `musique`, `bamboogle`, ...) the qa check with
`ground_truth` as the golds (a string, a list, or Search-R1's `{"target": [...]}`); everything
else the math check with `ground_truth` as the gold answer. Names are matched on the words of
`data_source` (`"searchR1_nq"` is `nq`; `"research"` is not `arc`).

verl needs a number for every sample, so a sample the service could not judge or reach scores
`default` (0.0) instead of None (`default=None` passes None through, for a reward loop that
skips such samples); with `return_dict` the dict says so in `rewardkit_ok` (and the same keys
come back for every sample, as verl's `reward_extra_info` needs).

`deadline` (seconds; in `reward_kwargs`, from the step budget): the service answers by then,
and a sample whose check did not finish in time is unjudged (`rewardkit_ok` false,
`rewardkit_deadline` true) rather than holding the step.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from rewardkit.client import RewardClient
from rewardkit.types import Result

#: Substrings of `data_source` (lower-cased) that mean "a coding set".
CODE_SOURCES = (
    "codecontests",
    "apps",
    "taco",
    "codeforces",
    "livecodebench",
    "primeintellect",
    "kodcode",
)

IFEVAL_SOURCES = ("ifeval",)
CHOICE_SOURCES = (
    "mmlu",
    "mmlu_pro",
    "mmlupro",
    "gpqa",
    "arc",
    "ai2_arc",
    "commonsenseqa",
    "commonsense_qa",
    "openbookqa",
    "hellaswag",
    "medmcqa",
    "supergpqa",
    "race",
    "sciq",
    "piqa",
    "winogrande",
    "agieval",
    "mcq",
)
QA_SOURCES = (
    "squad",
    "triviaqa",
    "trivia_qa",
    "nq",
    "natural_questions",
    "hotpotqa",
    "popqa",
    "2wikimultihopqa",
    "musique",
    "bamboogle",
    "webquestions",
)
_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

_clients: dict[tuple[str | None, str | None], RewardClient] = {}
_clients_lock = threading.Lock()


def _client(url: str | None, token: str | None) -> RewardClient:
    """One client per (url, token) per process: verl calls once per sample, from threads."""
    key = (url or os.environ.get("REWARDKIT_URL"), token)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = _clients[key] = RewardClient(key[0], token=token)
        return client


def checks_for(
    data_source: str, ground_truth: Any, extra_info: Mapping[str, Any] | None
) -> dict[str, dict[str, Any]]:
    """The checks for one sample (see the module docstring)."""
    given = (extra_info or {}).get("checks")
    if isinstance(given, str):
        given = json.loads(given)
    if isinstance(given, Mapping) and given:
        checks = {name: dict(params or {}) for name, params in given.items()}
        if "math" in checks and "gold" not in checks["math"] and ground_truth is not None:
            checks["math"]["gold"] = str(ground_truth)
        return checks
    source = (data_source or "").lower()
    words = {w for w in re.split(r"[^a-z0-9]+", source) if w} | {
        w for w in re.split(r"[^a-z0-9_]+", source) if w
    }
    if words & set(IFEVAL_SOURCES):
        row = json.loads(ground_truth) if isinstance(ground_truth, str) else dict(ground_truth)
        # Parquet rows give numpy arrays: plain lists (and dicts) for the JSON body.
        params: dict[str, Any] = {
            "instruction_id_list": [str(i) for i in row["instruction_id_list"]]
        }
        if row.get("kwargs") is not None:
            params["kwargs"] = [None if k is None else dict(k) for k in row["kwargs"]]
        return {"ifeval": params}
    if words & set(CHOICE_SOURCES):
        gold = ground_truth
        if not isinstance(gold, str | bool) and hasattr(gold, "__index__"):  # int, numpy int
            index = gold.__index__()
            gold = _LETTERS[index] if 0 <= index < len(_LETTERS) else index
        return {"choice": {"gold": str(gold)}}
    if words & set(QA_SOURCES):
        golds = ground_truth
        if isinstance(golds, Mapping):
            golds = golds.get("target", golds.get("text", []))
        golds = [golds] if isinstance(golds, str) else [str(g) for g in golds]
        return {"qa": {"golds": golds}}
    if any(tag in source for tag in CODE_SOURCES):
        tests = json.loads(ground_truth) if isinstance(ground_truth, str) else ground_truth
        if isinstance(tests, Mapping):  # {"inputs": [...], "outputs": [...]} (the PRIME form)
            tests = [
                {"input": i, "output": o}
                for i, o in zip(tests.get("inputs", []), tests.get("outputs", []), strict=False)
            ]
        return {"code": {"language": "python", "tests": list(tests or [])}}
    return {"math": {"gold": str(ground_truth)}}


def _item(
    data_source: str, solution_str: str, ground_truth: Any, extra_info: Mapping[str, Any] | None
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "completion": solution_str,
        "checks": checks_for(data_source, ground_truth, extra_info),
    }
    weights = (extra_info or {}).get("weights")
    if isinstance(weights, Mapping):
        item["weights"] = dict(weights)
    return item


def _answer(
    result: Result, return_dict: bool, default: float | None
) -> float | dict[str, Any] | None:
    score = default if result.reward is None else float(result.reward)
    if not return_dict:
        return score
    out: dict[str, Any] = {
        "score": score,
        "rewardkit_ok": result.reward is not None,
        "rewardkit_deadline": any(
            isinstance(d, Mapping) and d.get("status") == "deadline"
            for d in result.details.values()
        ),
    }
    for name, value in result.scores.items():
        out[name] = default if value is None else float(value)
    return out


def compute_score(
    data_source: str,
    solution_str: str,
    ground_truth: Any,
    extra_info: Mapping[str, Any] | None = None,
    *,
    url: str | None = None,
    token: str | None = None,
    return_dict: bool = False,
    default: float | None = 0.0,
    deadline: float | None = None,
    **kwargs: Any,
) -> float | dict[str, Any] | None:
    """Score one sample (blocking): its reward, or a dict with `score` and each check's score.

    Extra keyword arguments from verl (`reward_router_address`, tokenizers, ...) are ignored.
    """
    del kwargs
    item = _item(data_source, solution_str, ground_truth, extra_info)
    (result,) = _client(url, token).score_sync([item], deadline=deadline)
    return _answer(result, return_dict, default)


async def compute_score_async(
    data_source: str,
    solution_str: str,
    ground_truth: Any,
    extra_info: Mapping[str, Any] | None = None,
    *,
    url: str | None = None,
    token: str | None = None,
    return_dict: bool = False,
    default: float | None = 0.0,
    deadline: float | None = None,
    **kwargs: Any,
) -> float | dict[str, Any] | None:
    """`compute_score` for verl's async reward loop (it awaits coroutine functions)."""
    del kwargs
    item = _item(data_source, solution_str, ground_truth, extra_info)
    (result,) = await _client(url, token).score([item], deadline=deadline)
    return _answer(result, return_dict, default)


def compute_score_batch(
    data_sources: Sequence[str],
    solution_strs: Sequence[str],
    ground_truths: Sequence[Any],
    extra_infos: Sequence[Mapping[str, Any] | None] | None = None,
    *,
    url: str | None = None,
    token: str | None = None,
    return_dict: bool = False,
    default: float | None = 0.0,
    deadline: float | None = None,
    **kwargs: Any,
) -> list[float | dict[str, Any] | None]:
    """For verl's batch reward manager (`reward_model.reward_manager=batch`): the whole batch in
    one call, sent in as few requests as the client's batch size allows."""
    del kwargs
    infos = list(extra_infos) if extra_infos is not None else [None] * len(solution_strs)
    items = [
        _item(ds, s, gt, info)
        for ds, s, gt, info in zip(data_sources, solution_strs, ground_truths, infos, strict=True)
    ]
    results = _client(url, token).score_sync(items, deadline=deadline)
    return [_answer(r, return_dict, default) for r in results]
