"""Reward functions for TRL's `GRPOTrainer(reward_funcs=...)`, scored by a rewardkit service.

    from rewardkit.integrations.trl import reward_functions
    funcs = reward_functions(
        "http://127.0.0.1:8000",
        checks={"math": {}, "format": {}},
        columns={"math.gold": "solution"},
    )
    trainer = GRPOTrainer(model=..., reward_funcs=funcs, ...)

TRL calls each reward function with `prompts=`, `completions=`, `completion_ids=`,
`trainer_state=` (and `log_extra=`, `log_metric=`), plus every dataset column as a keyword
argument holding one value per completion. Completions are strings, or (conversational
datasets) lists of messages whose last assistant message is scored.

`reward_functions` gives one function per check, named `rewardkit_<check>` so TRL logs each
under its own name (and weighs them with `reward_weights`); they share one request per batch:
the first function called scores every check, the others read its answer. `reward_function`
gives one function returning the combined reward (the service's weighted sum).

A function returns `None` for a completion the check does not apply to (its column value is
None) and for one the service could not judge or reach; TRL treats `None` as NaN and leaves it
out of the sum, so one missing reward never stops training.

`deadline=` (seconds, from the trainer's step budget) bounds every batch: the service answers
by then, and a completion whose check did not finish in time gets `None` (status `deadline`)
instead of holding the step.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

from rewardkit.client import RewardClient
from rewardkit.types import Result

RewardFunc = Callable[..., list[float | None]] | Callable[..., Awaitable[list[float | None]]]

#: Where a check's parameter comes from when `columns` does not say: the first of these
#: dataset columns that the batch has.
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "math.gold": ("gold", "solution", "answer"),
    "code.tests": ("tests",),
    "language.target": ("target_language",),
    # MMLU / GPQA-style sets: the right letter, or its index (MMLU's `answer` is 0-3).
    "choice.gold": ("answer", "gold", "label", "answerKey"),
    # SQuAD-style sets: a list of answers, or SQuAD's {"text": [...], "answer_start": [...]}.
    "qa.golds": ("answers", "golds", "answer"),
    # google/IFEval's own column names.
    "ifeval.instruction_id_list": ("instruction_id_list",),
    "ifeval.kwargs": ("kwargs",),
    "json.schema": ("schema", "json_schema"),
}

#: Parameters a check cannot run without: an item whose value is missing skips that check.
REQUIRED: dict[str, str] = {
    "math": "gold",
    "code": "tests",
    "language": "target",
    "choice": "gold",
    "qa": "golds",
    "ifeval": "instruction_id_list",
    "json": "schema",
}

#: Parameters taken from their default column when the dataset has it (else left out).
OPTIONAL: dict[str, tuple[str, ...]] = {"ifeval": ("kwargs",)}

_LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

#: TRL's own keyword arguments: never dataset columns.
TRL_KWARGS = frozenset({"trainer_state", "log_extra", "log_metric", "environments"})


def completion_text(completion: Any) -> str:
    """The text to score: a plain completion as is; a conversational one's last assistant
    message (content as a string, or the text parts of a list of content parts)."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, Mapping):
        completion = [completion]
    if isinstance(completion, Sequence):
        messages = [m for m in completion if isinstance(m, Mapping)]
        assistant = [m for m in messages if m.get("role", "assistant") == "assistant"]
        chosen = (assistant or messages)[-1:] or [{}]
        content = chosen[0].get("content", "")
        if isinstance(content, str):
            return content
        if isinstance(content, Sequence):
            return "".join(str(p.get("text", "")) for p in content if isinstance(p, Mapping))
    return "" if completion is None else str(completion)


def _param_value(check: str, param: str, value: Any) -> Any:
    """Dataset values as the service wants them: tests, schemas and IFEval kwargs stored as
    JSON text are parsed, gold answers and language codes are strings, an integer choice gold
    is the index of its letter, a single QA gold (or SQuAD's answers dict) is a list."""
    if (check, param) in (("code", "tests"), ("json", "schema"), ("ifeval", "kwargs")):
        return json.loads(value) if isinstance(value, str) else value
    if check == "ifeval" and param == "instruction_id_list" and isinstance(value, str):
        return json.loads(value) if value.lstrip().startswith("[") else [value]
    if check == "choice" and param == "gold":
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < len(_LETTERS):
            return _LETTERS[value]
        return str(value)
    if check == "qa" and param == "golds":
        if isinstance(value, Mapping):
            value = value.get("text", value.get("target", []))
        return [value] if isinstance(value, str) else [str(v) for v in value]
    if (check, param) in (("math", "gold"), ("language", "target")):
        return str(value)
    return value


class BatchScorer:
    """Turns TRL's arguments into items and scores each batch once for all the functions
    that share it."""

    def __init__(
        self,
        client: RewardClient,
        checks: Mapping[str, Mapping[str, Any]],
        columns: Mapping[str, str] | None = None,
        weights: Mapping[str, float] | None = None,
        deadline: float | None = None,
    ) -> None:
        if not checks:
            raise ValueError("checks must name at least one check")
        for key in columns or {}:
            check, _, param = key.partition(".")
            if not param or check not in checks:
                raise ValueError(f"columns key {key!r} must be '<check>.<param>' of a given check")
        self.client = client
        self.checks = {name: dict(params) for name, params in checks.items()}
        self.columns = dict(columns or {})
        self.weights = dict(weights) if weights else None
        if deadline is not None and not deadline > 0:
            raise ValueError(f"deadline must be a positive number of seconds, got {deadline!r}")
        self.deadline = deadline
        self.consumers = 1
        # Finished batches, by content fingerprint, with how many functions still have to
        # read them; a bounded LRU in case some functions are never called.
        self._done: OrderedDict[str, tuple[list[Result | None], int]] = OrderedDict()
        self._inflight: dict[str, asyncio.Future[list[Result | None]]] = {}
        self._lock = threading.Lock()

    def items(
        self, completions: Sequence[Any], kwargs: Mapping[str, Any]
    ) -> list[dict[str, Any] | None]:
        """One item per completion (None when no check applies to it)."""
        n = len(completions)
        sources: dict[tuple[str, str], Sequence[Any]] = {}
        for check, params in self.checks.items():
            optional = [
                p
                for p in OPTIONAL.get(check, ())
                if any(c in kwargs for c in DEFAULT_COLUMNS.get(f"{check}.{p}", ()))
            ]
            for param in {
                *self._mapped_params(check),
                *([REQUIRED[check]] if check in REQUIRED else []),
                *optional,
            }:
                if param in params:
                    continue  # fixed for every item by `checks`
                column = self._column(check, param, kwargs)
                values = kwargs[column]
                if len(values) != n:
                    raise ValueError(
                        f"column {column!r} has {len(values)} values for {n} completions"
                    )
                sources[(check, param)] = values
        out: list[dict[str, Any] | None] = []
        for i, completion in enumerate(completions):
            checks: dict[str, dict[str, Any]] = {}
            for check, fixed in self.checks.items():
                params = dict(fixed)
                applicable = True
                for (c, param), values in sources.items():
                    if c != check:
                        continue
                    if values[i] is None:
                        applicable = False
                        break
                    params[param] = _param_value(check, param, values[i])
                if applicable:
                    checks[check] = params
            item = {"id": str(i), "completion": completion_text(completion), "checks": checks}
            out.append(item if checks else None)
        return out

    def _mapped_params(self, check: str) -> list[str]:
        return [k.partition(".")[2] for k in self.columns if k.partition(".")[0] == check]

    def _column(self, check: str, param: str, kwargs: Mapping[str, Any]) -> str:
        key = f"{check}.{param}"
        if key in self.columns:
            if self.columns[key] not in kwargs:
                raise KeyError(
                    f"column {self.columns[key]!r} (for {key}) is not in the dataset; "
                    f"columns here: {sorted(k for k in kwargs if k not in TRL_KWARGS)}"
                )
            return self.columns[key]
        for column in DEFAULT_COLUMNS.get(key, ()):
            if column in kwargs:
                return column
        raise KeyError(
            f"no dataset column for {key}: pass columns={{'{key}': '<column>'}} "
            f"or params in checks; columns here: {sorted(k for k in kwargs if k not in TRL_KWARGS)}"
        )

    # --- one request per batch ------------------------------------------------------------

    @staticmethod
    def _key(items: list[dict[str, Any] | None]) -> str:
        return hashlib.sha1(json.dumps(items, sort_keys=True).encode()).hexdigest()

    def _take(self, key: str) -> list[Result | None] | None:
        """A finished batch's results, counting this read."""
        with self._lock:
            entry = self._done.get(key)
            if entry is None:
                return None
            results, left = entry
            if left <= 1:
                del self._done[key]
            else:
                self._done[key] = (results, left - 1)
            return results

    def _store(self, key: str, results: list[Result | None]) -> None:
        with self._lock:
            if self.consumers > 1:
                self._done[key] = (results, self.consumers - 1)
                while len(self._done) > 8:
                    self._done.popitem(last=False)

    async def _score(self, items: list[dict[str, Any] | None]) -> list[Result | None]:
        todo = [it for it in items if it is not None]
        scored = iter(await self.client.score(todo, self.weights, self.deadline) if todo else [])
        return [None if it is None else next(scored) for it in items]

    def results_sync(
        self, completions: Sequence[Any], kwargs: Mapping[str, Any]
    ) -> list[Result | None]:
        items = self.items(completions, kwargs)
        key = self._key(items)
        cached = self._take(key)
        if cached is not None:
            return cached
        results = self.client.run_sync(self._score(items))
        self._store(key, results)
        _log(kwargs, results)
        return results

    async def results_async(
        self, completions: Sequence[Any], kwargs: Mapping[str, Any]
    ) -> list[Result | None]:
        items = self.items(completions, kwargs)
        key = self._key(items)
        cached = self._take(key)
        if cached is not None:
            return cached
        # TRL gathers the async functions of a batch at once: the first starts the request,
        # the others wait for the same one.
        future = self._inflight.get(key)
        if future is not None:
            return await asyncio.shield(future)
        future = asyncio.ensure_future(self._score(items))
        self._inflight[key] = future
        try:
            results = await future
        finally:
            self._inflight.pop(key, None)
        _log(kwargs, results)
        return results


def _log(kwargs: Mapping[str, Any], results: list[Result | None]) -> None:
    """Report the share of completions the service could not judge, as a TRL metric."""
    log_metric = kwargs.get("log_metric")
    judged = [r for r in results if r is not None]
    if callable(log_metric) and judged:
        log_metric("rewardkit/unjudged", sum(r.reward is None for r in judged) / len(judged))


def _make(
    name: str, pick: Callable[[Result], float | None], scorer: BatchScorer, asynchronous: bool
) -> RewardFunc:
    def values(results: list[Result | None]) -> list[float | None]:
        return [None if r is None else pick(r) for r in results]

    if asynchronous:

        async def async_reward(
            prompts: Sequence[Any] | None = None, completions: Sequence[Any] = (), **kwargs: Any
        ) -> list[float | None]:
            return values(await scorer.results_async(completions, kwargs))

        fn: RewardFunc = async_reward
    else:

        def reward(
            prompts: Sequence[Any] | None = None, completions: Sequence[Any] = (), **kwargs: Any
        ) -> list[float | None]:
            return values(scorer.results_sync(completions, kwargs))

        fn = reward
    fn.__name__ = fn.__qualname__ = name
    return fn


def _client(
    url: str | None, client: RewardClient | None, client_kwargs: Mapping[str, Any]
) -> RewardClient:
    return client if client is not None else RewardClient(url, **client_kwargs)


def reward_functions(
    url: str | None = None,
    checks: Mapping[str, Mapping[str, Any]] | None = None,
    columns: Mapping[str, str] | None = None,
    *,
    asynchronous: bool = False,
    deadline: float | None = None,
    client: RewardClient | None = None,
    **client_kwargs: Any,
) -> list[RewardFunc]:
    """One TRL reward function per check (`rewardkit_<check>`), sharing one request per batch.

    `checks` maps check names to fixed parameters (default `{"math": {}}`); `columns` maps
    `"<check>.<param>"` to the dataset column holding it per row (defaults: `math.gold` from
    `gold`/`solution`/`answer`, `code.tests` from `tests`, `language.target` from
    `target_language`). `asynchronous=True` gives coroutine functions (TRL runs those
    concurrently). `deadline` (seconds per batch): checks not finished by then give `None`.
    Other keyword arguments go to `RewardClient` (timeout, retries, ...).
    """
    scorer = BatchScorer(
        _client(url, client, client_kwargs), checks or {"math": {}}, columns, deadline=deadline
    )
    scorer.consumers = len(scorer.checks)
    return [
        _make(f"rewardkit_{name}", lambda r, n=name: r.scores.get(n), scorer, asynchronous)
        for name in scorer.checks
    ]


def reward_function(
    url: str | None = None,
    checks: Mapping[str, Mapping[str, Any]] | None = None,
    columns: Mapping[str, str] | None = None,
    *,
    weights: Mapping[str, float] | None = None,
    name: str = "rewardkit",
    asynchronous: bool = False,
    deadline: float | None = None,
    client: RewardClient | None = None,
    **client_kwargs: Any,
) -> RewardFunc:
    """One TRL reward function returning the combined reward: Σ weight × score over the
    item's checks (`weights` default 1.0), None when any check could not be judged (or not
    by `deadline`, in seconds per batch)."""
    scorer = BatchScorer(
        _client(url, client, client_kwargs), checks or {"math": {}}, columns, weights, deadline
    )
    return _make(name, lambda r: r.reward, scorer, asynchronous)
