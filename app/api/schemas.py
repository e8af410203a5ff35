"""Request and answer shapes of the HTTP API (pydantic v2). Only the API layer imports this:
`to_job` turns a validated request into plain `Job` records."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from app.jobs import Item, Job
from sandbox import LIMIT_RANGES


class _Strict(BaseModel):
    # Unknown fields are refused (422 names them): a typo in a check's params must not
    # silently fall back to a default.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


#: Upper bound of every length or count parameter: far above any completion (1 MiB by
#: default), and it keeps the schema honest (pydantic refuses integers past ~4300 digits).
MAX_COUNT = 1_000_000_000

#: An item's id: a string or an integer that JSON parsers keep exact (orjson turns integers
#: past 64 bits into floats, which would echo back a different id).
ItemId = str | Annotated[int, Field(ge=-(2**63), le=2**64 - 1)] | None

# --- per-check parameters ------------------------------------------------------------------


class FormatParams(_Strict):
    answer_tag: bool = False
    think_prefilled: bool = False


class MathParams(_Strict):
    # An empty gold passes the schema on purpose: the checker answers `invalid` with a message
    # and a null score, as the contract asks for a gold that cannot be judged.
    gold: str = Field(description="the reference answer (LaTeX or plain text)")
    extract: Literal["boxed", "final", "last"] = Field(
        "final",
        description="where the answer is taken from: only the last box; the last box or a"
        " final-answer marker; or, failing those, the last number or math span of the last line",
    )
    rel_tol: float = Field(
        0.0, ge=0, description="relative tolerance for a numeric gold (0: exact; as math.isclose)"
    )
    abs_tol: float = Field(
        0.0, ge=0, description="absolute tolerance for a numeric gold (0: exact)"
    )


class LanguageParams(_Strict):
    target: str = Field(description="ISO 639-1 code of the language the reasoning should use")


LengthUnit = Literal["chars", "words"]


class LengthParams(_Strict):
    """Cosine length reward scaled by correctness; needs the item's math or code check."""

    max_len: int = Field(
        1000, gt=0, le=MAX_COUNT, description="length at which the cosine bottoms out"
    )
    min_value_wrong: float = -1.0
    max_value_wrong: float = -0.5
    min_value_correct: float = 0.5
    max_value_correct: float = 1.0
    unit: LengthUnit = "chars"


class RepetitionParams(_Strict):
    ngram_size: int = Field(3, ge=1, le=64)
    max_penalty: float = Field(-1.0, le=0.0, description="value when every n-gram repeats")


class OverlongParams(_Strict):
    """DAPO soft overlong punishment."""

    max_length: int = Field(gt=0, le=MAX_COUNT, description="L: beyond it the reward is -1")
    cache_length: int = Field(
        ge=0, le=MAX_COUNT, description="C: the last C units before L ramp 0 to -1"
    )
    # cache_length > max_length is not refused here: JSON Schema cannot say it, so the schema
    # would promise a body the service refuses. The checker answers `invalid` for that item.
    unit: LengthUnit = "chars"


class ReasoningStepsParams(_Strict):
    target: int = Field(3, ge=1, le=MAX_COUNT, description="steps that earn the full 1.0")


class TagCountParams(_Strict):
    pass


class StdioTest(_Strict):
    """stdin in, stdout compared with `output` (see `compare`)."""

    input: str = Field("", description="stdin of the program (default empty)")
    output: str = Field(description="expected stdout")


class FunctionTest(_Strict):
    """Python only: `code` runs after the program in the same interpreter (e.g. asserts);
    the test passes if it runs to its end."""

    code: str = Field(description="Python run after the program")


class CodeCompare(_Strict):
    mode: Literal["lines", "tokens", "float", "exact"] = "lines"
    abs_tol: float = Field(1e-6, ge=0.0)
    rel_tol: float = Field(1e-6, ge=0.0)


def _limit(default: float, name: str, description: str) -> Any:
    """A code limit with the sandbox's own range (one table: `sandbox.types.LIMIT_RANGES`)."""
    lo, hi = LIMIT_RANGES[name]
    return Field(default, ge=lo, le=hi, description=description)


class CodeLimits(_Strict):
    timeout_s: float = _limit(5.0, "timeout_s", "wall time per test")
    memory_mb: int = _limit(512, "memory_mb", "memory of all the run's processes together")
    max_output_bytes: int = _limit(1_000_000, "max_output_bytes", "stdout per test")
    max_processes: int = _limit(64, "max_processes", "processes and threads at once")
    max_open_files: int = _limit(256, "max_open_files", "open file descriptors per process")
    compile_timeout_s: float = _limit(30.0, "compile_timeout_s", "compile wall time")
    total_timeout_s: float = _limit(
        60.0, "total_timeout_s", "the whole item, compile included; tests past it are skipped"
    )


class CodeChecker(_Strict):
    """A checker for problems with many right outputs (replaces `compare`)."""

    # Plain strings on purpose, as `CodeParams.language`: an unknown protocol or language is
    # the item's `invalid` naming the field, not a 422 for the whole batch.
    language: str = Field("python", description="python, cpp, c, javascript, java or rust")
    code: str = Field(
        description="function: Python defining check(input, expected, output) -> bool or a "
        "score in [0, 1]; testlib / kattis: a program's source"
    )
    protocol: str = Field(
        "function",
        description="function | testlib (`checker INPUT OUTPUT ANSWER`, exit 0 accepts) | "
        "kattis (`validator INPUT ANSWER FEEDBACK_DIR < OUTPUT`, exit 42 accepts, 43 rejects)",
    )


class CodeParams(_Strict):
    # `language` is a plain string on purpose: an unsupported one is the checker's `invalid`
    # status (null reward, with a message), not a 422 for the whole batch.
    language: str = Field(description="python, cpp, c, javascript, java or rust")
    # Two closed shapes (extra fields forbidden): a test with both `output` and `code`, or
    # with neither, matches no shape and is refused with 422.
    tests: list[StdioTest | FunctionTest] = Field(min_length=1, max_length=1000)
    compare: CodeCompare = Field(default_factory=CodeCompare)
    limits: CodeLimits = Field(default_factory=CodeLimits)
    checker: CodeChecker | None = Field(None, description="judges outputs instead of compare")
    partial: bool = Field(True, description="score passed/total; false: all or nothing")


class ChoiceParams(_Strict):
    """Multiple choice: the completion's final letter equals `gold`."""

    # Plain strings on purpose: a gold outside `letters` is the checker's `invalid` (null
    # reward, with a message), not a 422 for the whole batch.
    gold: str = Field(description="the right letter (B, b, (B) are the same)")
    letters: str = Field("ABCDEFGHIJ", description="the letters the options use, in order")


class QAParams(_Strict):
    """Short-answer QA with SQuAD's normalisation; best over the golds."""

    # An empty list passes the schema: the checker answers `invalid` naming it.
    golds: list[str] = Field(max_length=1000, description="reference answers")
    metric: Literal["em", "f1"] = Field("em", description="exact match (0/1) or token F1")


class IFEvalParams(_Strict):
    """IFEval's verifiable instructions, with kwargs exactly as the IFEval data gives them."""

    # Unknown ids and kwargs of the wrong type are the checker's `invalid`, naming them.
    instruction_id_list: list[str] = Field(
        min_length=1,
        max_length=100,
        description="IFEval instruction ids, e.g. change_case:english_lowercase",
    )
    kwargs: list[dict[str, Any] | None] | None = Field(
        None,
        max_length=100,
        description="one dict per instruction (None values are unused keys); default: none",
    )
    mode: Literal["strict", "loose"] = Field(
        "strict", description="loose also tries IFEval's loose variants of the response"
    )
    partial: bool = Field(True, description="share of instructions followed; false: all or none")


class JsonParams(_Strict):
    """The answer's last JSON value validates against a JSON Schema (2020-12)."""

    # `schema` would shadow a BaseModel attribute: the field is `schema_`, spelled `schema`
    # on the wire and in the plain params the checker gets.
    model_config = ConfigDict(
        extra="forbid", allow_inf_nan=False, populate_by_name=True, serialize_by_alias=True
    )

    schema_: dict[str, Any] | bool = Field(alias="schema", description="a JSON Schema (2020-12)")


def _checks_schema(schema: dict[str, Any]) -> None:
    """The published schema says what the service accepts: at least one check, and no `null`
    for a check (null means absent, so a body of nulls only would name no check)."""
    schema["minProperties"] = 1
    for prop in schema.get("properties", {}).values():
        variants = [v for v in prop.pop("anyOf", []) if v.get("type") != "null"]
        if len(variants) == 1:
            prop.update(variants[0])
        prop.pop("default", None)


class Checks(_Strict):
    """The checks to run on an item, each with its parameters. At least one is required."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False, json_schema_extra=_checks_schema)

    math: MathParams | None = None
    code: CodeParams | None = None
    format: FormatParams | None = None
    language: LanguageParams | None = None
    length: LengthParams | None = None
    repetition: RepetitionParams | None = None
    overlong: OverlongParams | None = None
    reasoning_steps: ReasoningStepsParams | None = None
    tag_count: TagCountParams | None = None
    choice: ChoiceParams | None = None
    qa: QAParams | None = None
    ifeval: IFEvalParams | None = None
    # `json` would shadow a BaseModel method: the field is `json_`, spelled `json` on the wire.
    json_: JsonParams | None = Field(None, alias="json")

    @model_validator(mode="after")
    def _at_least_one(self) -> Checks:
        if all(v is None for v in self.__dict__.values()):
            raise ValueError("checks must name at least one check")
        return self

    def as_dict(self) -> dict[str, dict[str, Any]]:
        """`{check name: params}` for the checks that were given."""
        # __dict__ holds every field (None when absent): cheaper than fields_set + getattr
        # on the per-item hot path.
        return {
            _WIRE_NAMES.get(name, name): value.model_dump()
            for name, value in self.__dict__.items()
            if value is not None
        }

    @classmethod
    def names(cls) -> frozenset[str]:
        """Every check name as requests spell it."""
        return CHECK_NAMES


#: Field name -> wire name, for the fields whose check name is a BaseModel attribute.
_WIRE_NAMES = {
    name: field.alias for name, field in Checks.model_fields.items() if field.alias is not None
}
CHECK_NAMES = frozenset(_WIRE_NAMES.get(name, name) for name in Checks.model_fields)


def _weights_schema(schema: dict[str, Any]) -> None:
    # Weight names are check names: the schema lists them, so generated bodies are valid ones.
    schema["propertyNames"] = {"enum": sorted(CHECK_NAMES)}


CheckName = str
Weights = Annotated[dict[CheckName, float], Field(json_schema_extra=_weights_schema)]


def _check_weight_names(weights: Weights | None) -> Weights | None:
    if weights:
        unknown = sorted(set(weights) - CHECK_NAMES)
        if unknown:
            raise ValueError(f"unknown check name(s) in weights: {', '.join(unknown)}")
    return weights


class ItemIn(_Strict):
    id: ItemId = Field(None, description="echoed back; defaults to the item's index")
    prompt: str | None = Field(None, description="optional, for logging and compatibility")
    completion: str
    checks: Checks
    weights: Weights | None = Field(None, description="per-check weights; override the batch's")

    _names = field_validator("weights")(_check_weight_names)


#: Longest batch deadline a request may ask for (seconds).
MAX_DEADLINE_S = 3600.0


class RewardsRequest(_Strict):
    items: list[ItemIn]
    weights: Weights | None = Field(None, description="per-check weights for every item")
    deadline_s: float | None = Field(
        None,
        strict=True,  # a number, not `true` or "5"
        gt=0.0,
        le=MAX_DEADLINE_S,
        description="answer within this many seconds: checks not finished by then are "
        "`deadline` with a null score and reward, and their work is cancelled",
    )

    _names = field_validator("weights")(_check_weight_names)


def to_job(req: RewardsRequest) -> Job:
    """A validated request as a plain job (batch weights merged under item weights)."""
    items: list[Item] = []
    batch_w = req.weights or {}
    for i, it in enumerate(req.items):
        checks = it.checks.as_dict()
        if batch_w or it.weights:
            merged = {**batch_w, **(it.weights or {})}
            weights = {k: v for k, v in merged.items() if k in checks}
        else:
            weights = {}
        items.append(
            Item(
                id=str(i) if it.id is None else str(it.id),
                completion=it.completion,
                checks=checks,
                weights=weights,
            )
        )
    return Job(items, deadline_s=req.deadline_s)


# --- answers (documentation of the shapes; the routes build plain dicts for speed) ----------


class CheckDetail(BaseModel):
    model_config = ConfigDict(extra="allow")
    status: str
    message: str | None = None


class ItemOut(BaseModel):
    id: str
    reward: float | None
    scores: dict[str, float | None]
    details: dict[str, CheckDetail]


class RewardsResponse(BaseModel):
    results: list[ItemOut]


class JobAccepted(BaseModel):
    job_id: str


class JobOut(BaseModel):
    status: Literal["queued", "running", "done", "failed"]
    results: list[ItemOut] | None = None
    error: str | None = None
