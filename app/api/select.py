"""POST /v1/select: majority vote and best-of-N over groups of completions.

The route validates the body, turns it into plain `Group` records and hands them to
`app.selection`, whose equivalence comparisons and scoring go through the broker like any
other job: CPU-heavy math runs in checker processes under per-item deadlines, never on the
event loop, and with Redis on whichever workers are running.
"""

from __future__ import annotations

import time
from typing import Any, Literal

import orjson
from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app import selection
from app.api.body import read_json, too_large, validate
from app.api.schemas import Checks, ItemId, Weights
from app.broker import BrokerError
from app.checkers.choice import DEFAULT_LETTERS, extract_choice, parse_letters
from app.checkers.math import extract_answer
from app.jobs import ItemResult, Job

router = APIRouter(tags=["select"])


# --- request and answer shapes -------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class GroupIn(_Strict):
    id: ItemId = Field(None, description="echoed back; defaults to the group's index")
    prompt: str | None = Field(None, description="optional, for logging")
    completions: list[str] = Field(min_length=1, description="the N sampled completions")
    gold: str | None = Field(None, description="reference answer: enables correctness fields")
    checks: Checks | None = Field(None, description="extra checks that count for best-of-N")
    weights: Weights | None = Field(None, description="weights of `math` and the checks")
    kind: Literal["math", "choice"] = Field(
        "math",
        description="math: answers clustered by equivalence; choice: by multiple-choice letter "
        "(gold is then the right letter)",
    )
    letters: str | None = Field(None, description="choice groups: the option letters (A-J)")

    @model_validator(mode="after")
    def _choice_fields(self) -> GroupIn:
        if self.letters is not None:
            if self.kind != "choice":
                raise ValueError("letters applies to kind 'choice' only")
            if parse_letters(self.letters) is None:
                raise ValueError("letters must be distinct letters A-Z")
        if self.kind == "choice" and self.checks is not None and "choice" in self.checks.as_dict():
            raise ValueError("give the right letter as the group's `gold`, not checks.choice")
        return self

    @field_validator("checks")
    @classmethod
    def _no_math_in_checks(cls, checks: Checks | None) -> Checks | None:
        # One way to give the reference answer: the group's `gold`.
        if checks is not None and "math" in checks.as_dict():
            raise ValueError("give the reference answer as the group's `gold`, not checks.math")
        return checks

    @field_validator("weights")
    @classmethod
    def _weight_names(cls, weights: Weights | None) -> Weights | None:
        unknown = sorted(set(weights or {}) - Checks.names())
        if unknown:
            raise ValueError(f"unknown check name(s) in weights: {', '.join(unknown)}")
        return weights


class SelectRequest(_Strict):
    groups: list[GroupIn]


class ClusterOut(BaseModel):
    answer: str
    members: list[int]
    correct: bool | None = Field(None, description="present when gold is given")


class MajorityOut(ClusterOut):
    share: float = Field(description="cluster size / N (completions without answer included)")


class BestOfNOut(BaseModel):
    index: int | None
    reward: float | None


class GroupOut(BaseModel):
    id: str
    clusters: list[ClusterOut]
    majority: MajorityOut | None
    no_answer: list[int]
    best_of_n: BestOfNOut | None = Field(None, description="present when checks or gold given")
    pass_at_n: bool | None = Field(None, description="present when gold is given")
    message: str | None = Field(None, description="why correctness could not be judged")


class SelectResponse(BaseModel):
    groups: list[GroupOut]


# --- the route -----------------------------------------------------------------------------


def _groups(req: SelectRequest) -> list[selection.Group]:
    out = []
    for i, g in enumerate(req.groups):
        out.append(
            selection.Group(
                id=str(i) if g.id is None else str(g.id),
                completions=g.completions,
                gold=g.gold,
                checks=g.checks.as_dict() if g.checks is not None else {},
                weights=dict(g.weights or {}),
                kind=g.kind,
                letters=g.letters,
            )
        )
    return out


def _choice_letter(completion: str, letters: str) -> str | None:
    return extract_choice(completion, parse_letters(letters) or DEFAULT_LETTERS).letter


def _check_limits(req: SelectRequest, max_items: int, max_completion_bytes: int) -> None:
    total = sum(len(g.completions) for g in req.groups)
    if total > max_items:
        raise too_large(f"{total} completions exceed the limit of {max_items}")
    for i, g in enumerate(req.groups):
        for j, c in enumerate(g.completions):
            if len(c) > max_completion_bytes // 4 and len(c.encode()) > max_completion_bytes:
                raise too_large(
                    f"groups[{i}].completions[{j}] exceeds the {max_completion_bytes}-byte limit"
                )


@router.post(
    "/v1/select",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/SelectRequest"}}
            },
        }
    },
    responses={200: {"model": SelectResponse}, 413: {}, 422: {}, 503: {}},
)
async def select_route(request: Request) -> Response:
    """Per group: answers clustered by mathematical equivalence (or, with `kind: "choice"`, by
    multiple-choice letter), the majority and its share,
    completions without an answer, best-of-N by reward, and maj@N / pass@N against `gold`."""
    settings = request.app.state.settings
    broker = request.app.state.broker
    data: Any = await read_json(request, settings.max_body_bytes)
    groups = data.get("groups") if isinstance(data, dict) else None
    if isinstance(groups, list) and len(groups) > settings.max_items:
        raise too_large(f"{len(groups)} groups exceed the limit of {settings.max_items}")
    req = validate(SelectRequest, data)
    _check_limits(req, settings.max_items, settings.max_completion_bytes)
    # One deadline for the whole request, shared by every job it sends.
    deadline = time.monotonic() + settings.request_timeout_s

    async def run(job: Job) -> list[ItemResult]:
        left = deadline - time.monotonic()
        if left <= 0:
            raise BrokerError("selection ran out of time")
        return await broker.run(job, left)

    selections = await selection.select(
        _groups(req), extract=extract_answer, run=run, extract_choice=_choice_letter
    )
    body = {"groups": [s.to_json() for s in selections]}
    return Response(orjson.dumps(body), media_type="application/json")
