"""The value every checker returns: a score, a status saying why, and small details."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Status(StrEnum):
    """Why a check scored what it scored.

    The first group is the completion's doing (score is a number, usually 0 unless noted);
    `INVALID` and `ERROR` mean the check could not be judged (score `None`).
    """

    OK = "ok"  # format/language/shaping checks that judged the completion
    CORRECT = "correct"
    WRONG = "wrong"
    NO_ANSWER = "no_answer"
    BAD_FORMAT = "bad_format"
    NO_CODE = "no_code"
    COMPILE_ERROR = "compile_error"
    FAILED = "failed"
    TIMEOUT = "timeout"
    MEMORY_LIMIT = "memory_limit"
    OUTPUT_LIMIT = "output_limit"
    INVALID = "invalid"  # the request is to blame (bad gold, unknown language code ...)
    ERROR = "error"  # the service is to blame (sandbox down, checker crashed ...)
    DEADLINE = "deadline"  # the batch's deadline came first: not judged, nobody to blame


#: Statuses that leave the score undefined: the item's reward becomes null.
UNJUDGED = frozenset({Status.INVALID, Status.ERROR, Status.DEADLINE})


@dataclass(frozen=True, slots=True)
class Score:
    """Result of one check on one completion.

    `value` is in [0, 1] for the main checks (shaping checks may go negative) and `None`
    exactly when `status` is `INVALID`, `ERROR` or `DEADLINE`. `details` holds small JSON-able facts
    (the extracted answer, tests passed, a `reason` or `message`).
    """

    value: float | None
    status: Status
    details: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def invalid(cls, message: str, **details: Any) -> Score:
        """The request itself makes this check unjudgeable."""
        return cls(None, Status.INVALID, {"message": message, **details})

    @classmethod
    def error(cls, message: str, **details: Any) -> Score:
        """The service failed to judge this check."""
        return cls(None, Status.ERROR, {"message": message, **details})

    @classmethod
    def deadline(cls, message: str = "not scored by the batch deadline") -> Score:
        """The batch ran out of time before this check finished: no score (the trainer's
        signal to skip the sample; the completion is not to blame)."""
        return cls(None, Status.DEADLINE, {"message": message})

    @classmethod
    def timeout(cls, message: str = "check exceeded its deadline") -> Score:
        """The completion made the check overrun its deadline: scored 0."""
        return cls(0.0, Status.TIMEOUT, {"message": message})

    def to_json(self) -> dict[str, Any]:
        """Plain-dict form: `{"value", "status", "details"}` (used across process and Redis hops)."""
        return {"value": self.value, "status": self.status.value, "details": self.details}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Score:
        """Inverse of `to_json`."""
        return cls(data["value"], Status(data["status"]), data.get("details") or {})
