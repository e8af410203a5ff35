"""`POST /v1/compat/openrlhf`: the service as OpenRLHF's remote reward model (`--remote_rm_url`).

OpenRLHF posts `{"query": [...], "prompts": [...], "labels": [...]}` (query = prompt + response
as decoded text) and reads `{"rewards": [...], "scores": [...], "extra_logs": {...}}`. It turns
every one of those lists into a tensor, so each must hold numbers only, one per sample:

- an item that cannot be judged (a label that is not a valid check, a gold that does not parse,
  a service error) gets reward 0.0, never null (a null would crash the trainer), and is
  flagged in `extra_logs["rewardkit_invalid"]` (1.0) and in the server log with its status;
- `extra_logs` holds one list per check in the batch (the check's score, 0.0 where the item has
  no such check or no score) plus `rewardkit_invalid`;
- one bad item never fails its batch: only a body that is not this shape at all answers 422.

A label is a math gold answer (`"1/2"`), unless it is a JSON object (or a string holding one):
then it is the item's `checks` (`{"format": {}, "math": {"gold": "2"}}`), or
`{"checks": {...}, "weights": {...}}`.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from app import metrics
from app.api import schemas
from app.api.body import read_json, too_large, validate
from app.jobs import ItemResult

log = logging.getLogger("rewardkit.api.compat")

router = APIRouter(tags=["compat"])

#: `extra_logs` key flagging items that got 0.0 because they could not be judged.
INVALID_KEY = "rewardkit_invalid"


class OpenRLHFRequest(BaseModel):
    """OpenRLHF's remote-RM body. Unknown fields are ignored: OpenRLHF versions add some."""

    model_config = ConfigDict(extra="ignore")

    query: list[str] = Field(description="prompt + response, as the trainer decoded them")
    prompts: list[str] | None = Field(None, description="the prompts, prefixes of `query`")
    labels: list[Any] | None = Field(
        None, description="math gold answers, or JSON objects of checks"
    )

    @model_validator(mode="after")
    def _same_lengths(self) -> OpenRLHFRequest:
        n = len(self.query)
        for name in ("prompts", "labels"):
            value = getattr(self, name)
            if value is not None and len(value) != n:
                raise ValueError(f"{name} has {len(value)} entries, query has {n}")
        return self


class OpenRLHFResponse(BaseModel):
    rewards: list[float]
    scores: list[float]
    extra_logs: dict[str, list[float]]


def completion_of(query: str, prompt: str | None) -> str:
    """The response part of `query`: what follows `prompt` in it (the whole query when the
    prompt is missing or not found, e.g. re-tokenization changed its whitespace). Searching
    rather than testing the prefix copes with BOS or padding tokens decoded before it."""
    if not prompt:
        return query
    if query.startswith(prompt):
        return query[len(prompt) :]
    at = query.find(prompt)
    return query[at + len(prompt) :] if at >= 0 else query


def checks_of(label: Any) -> tuple[dict[str, Any], dict[str, float] | None]:
    """(checks, weights) from one label; raises ValueError when it names no checks."""
    if isinstance(label, str) and label.lstrip().startswith("{"):
        # A gold answer may start with "{" too (a LaTeX set): then it stays a gold answer.
        with contextlib.suppress(orjson.JSONDecodeError):
            label = orjson.loads(label)
    if isinstance(label, dict):
        if isinstance(label.get("checks"), dict):
            return label["checks"], label.get("weights")
        return label, None
    if label is None:
        raise ValueError("no label")
    if isinstance(label, bool) or not isinstance(label, str | int | float):
        raise ValueError(f"a label is a gold answer or a JSON object, not {type(label).__name__}")
    return {"math": {"gold": str(label)}}, None


def _invalid(item_id: str, message: str) -> ItemResult:
    return ItemResult(item_id, None, {}, {"label": {"status": "invalid", "message": message}})


@router.post(
    "/v1/compat/openrlhf",
    # The route reads its body itself (size limits before parsing), so describe it here.
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": OpenRLHFRequest.model_json_schema()}},
        }
    },
    responses={200: {"model": OpenRLHFResponse}, 413: {}, 422: {}, 503: {}},
)
async def openrlhf(request: Request) -> Response:
    """Score a batch for OpenRLHF's `--remote_rm_url`: one reward per query, never null."""
    settings = request.app.state.settings
    broker = request.app.state.broker
    data = await read_json(request, settings.max_body_bytes)
    queries = data.get("query") if isinstance(data, dict) else None
    if isinstance(queries, list) and len(queries) > settings.max_items:
        raise too_large(f"{len(queries)} queries exceed the limit of {settings.max_items}")
    req = validate(OpenRLHFRequest, data)
    n = len(req.query)
    prompts = req.prompts or [None] * n
    labels = req.labels or [None] * n

    results: list[ItemResult | None] = [None] * n
    valid: list[tuple[int, schemas.ItemIn]] = []
    for i in range(n):
        completion = completion_of(req.query[i], prompts[i])
        try:
            checks, weights = checks_of(labels[i])
            if len(completion.encode()) > settings.max_completion_bytes:
                raise ValueError(f"completion exceeds {settings.max_completion_bytes} bytes")
            item = schemas.ItemIn.model_validate(
                {"id": str(i), "completion": completion, "checks": checks, "weights": weights}
            )
        except ValidationError as exc:
            msg = "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}"
                for e in exc.errors(include_url=False, include_context=False, include_input=False)
            )
            results[i] = _invalid(str(i), msg)
            continue
        except ValueError as exc:
            results[i] = _invalid(str(i), str(exc))
            continue
        valid.append((i, item))

    if valid:
        job = schemas.to_job(schemas.RewardsRequest.model_construct(items=[v for _, v in valid]))
        metrics.BATCH_ITEMS.observe(len(job.items))
        scored = await broker.run(job, settings.request_timeout_s)
        for (i, _), result in zip(valid, scored, strict=True):
            results[i] = result
    return Response(
        orjson.dumps(to_openrlhf([r for r in results if r is not None])),
        media_type="application/json",
    )


def to_openrlhf(results: list[ItemResult]) -> dict[str, Any]:
    """The answer OpenRLHF reads: numbers only, one per sample in every list."""
    names = sorted({name for r in results for name in r.scores})
    rewards: list[float] = []
    invalid: list[float] = []
    for r in results:
        if r.reward is None:
            statuses = {k: v.get("status") for k, v in r.details.items()}
            log.warning("openrlhf item %s unjudged, reward 0.0: %s", r.id, statuses)
        rewards.append(0.0 if r.reward is None else float(r.reward))
        invalid.append(1.0 if r.reward is None else 0.0)
    extra: dict[str, list[float]] = {
        name: [float(r.scores.get(name) or 0.0) for r in results] for name in names
    }
    if results:
        extra[INVALID_KEY] = invalid
    return {"rewards": rewards, "scores": list(rewards), "extra_logs": extra}
