"""The FastAPI application: routes, limits, auth, metrics and the broker's lifecycle."""

from __future__ import annotations

import asyncio
import hmac
import logging
import re
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import orjson
from fastapi import FastAPI, Query, Request
from fastapi.responses import Response

import sandbox
from app import metrics
from app.api import compat, schemas
from app.api.body import HTTPProblem, read_json, too_large, validate
from app.api.select import SelectRequest
from app.api.select import router as select_router
from app.broker import Broker, BrokerError, QueueFull
from app.checkers.registry import REGISTRY
from app.config import Settings
from app.jobs import ItemResult, Job
from app.process import tune_gc
from app.wiring import create_broker

log = logging.getLogger("rewardkit.api")

#: Longest `wait` a client may ask of GET /v1/jobs/{id}.
MAX_WAIT_S = 300.0

#: A client's X-Request-Id is kept only when it looks like an id: it is echoed into logs and
#: answers, so no control characters and a bounded length.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")

#: Longest prefix of a completion written to the logs when `log_completions` is on.
LOGGED_COMPLETION_CHARS = 2000


def note(request: Request, **fields: Any) -> None:
    """Add fields (item counts, status counts, a job id) to this request's log line.

    Routes call this instead of logging themselves, so every request gets exactly one
    structured line; never pass completion or prompt text here."""
    state = request.state
    if not hasattr(state, "log_fields"):
        state.log_fields = {}
    state.log_fields.update(fields)


def status_counts(results: list[ItemResult]) -> dict[str, dict[str, int]]:
    """`{check: {status: count}}` over a batch's results, for the request log."""
    counts: dict[str, dict[str, int]] = {}
    for result in results:
        for check, detail in result.details.items():
            per_check = counts.setdefault(check, {})
            status = str(detail.get("status", "unknown"))
            per_check[status] = per_check.get(status, 0) + 1
    return counts


def json_response(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(data), status_code=status, media_type="application/json", headers=headers
    )


def _request_body_doc(model: type) -> dict[str, Any]:
    """OpenAPI for a route that reads its body itself (for size limits and speed)."""
    return {
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{model.__name__}"}}
            },
        }
    }


def create_app(settings: Settings, broker: Broker | None = None) -> FastAPI:
    """Build the service. Without `broker`, the one `settings` asks for is created and owned."""
    owned = broker is None
    the_broker: Broker = broker if broker is not None else create_broker(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if owned:
            await the_broker.start()
        tune_gc()
        try:
            yield
        finally:
            if owned:
                await the_broker.close()

    app = FastAPI(
        title="rewardkit",
        version="0.1.0",
        description="Rule-based rewards for RL of reasoning models: math, code, format, language.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.broker = the_broker
    _install_middleware(app, settings)
    _install_openapi(app, [schemas.RewardsRequest, SelectRequest], settings)

    @app.exception_handler(HTTPProblem)
    async def _problem(_: Request, exc: HTTPProblem) -> Response:
        return json_response({"detail": exc.detail}, exc.status, exc.headers)

    @app.exception_handler(QueueFull)
    async def _full(_: Request, exc: QueueFull) -> Response:
        return json_response({"detail": f"busy: {exc}"}, 503, {"Retry-After": str(exc.retry_after)})

    @app.exception_handler(BrokerError)
    async def _broker(_: Request, exc: BrokerError) -> Response:
        return json_response({"detail": f"broker unavailable: {exc}"}, 503, {"Retry-After": "1"})

    @app.get("/healthz", tags=["ops"])
    async def healthz() -> Response:
        """Liveness and readiness: 200 when the broker can take work, else 503."""
        try:
            broker_health = await the_broker.health()
        except Exception as exc:  # a health probe reports, it does not crash
            broker_health = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
        ok = bool(broker_health.get("ok"))
        body = {
            "status": "ok" if ok else "unavailable",
            "broker": broker_health,
            # Cached probe (one sandbox spawn the first time): code checks answer `error`
            # while this says not ok; the other checks are unaffected, so the status stays.
            "sandbox": await asyncio.to_thread(sandbox.health),
            "checks": {name: c.summary for name, c in REGISTRY.items()},
        }
        return json_response(body, 200 if ok else 503)

    @app.get("/metrics", tags=["ops"])
    async def metrics_route() -> Response:
        """Prometheus exposition."""
        try:
            metrics.set_load(await the_broker.load())
        except Exception as exc:  # e.g. Redis down: the rest of the metrics still answer
            log.warning("broker load for /metrics: %s: %s", type(exc).__name__, exc)
        data, ctype = metrics.render()
        return Response(data, media_type=ctype)

    async def read_job(request: Request) -> Job:
        data = await read_json(request, settings.max_body_bytes)
        items = data.get("items") if isinstance(data, dict) else None
        if isinstance(items, list):
            note(request, items=len(items))
        if isinstance(items, list) and len(items) > settings.max_items:
            raise too_large(f"{len(items)} items exceed the limit of {settings.max_items}")
        req = validate(schemas.RewardsRequest, data)
        for i, item in enumerate(req.items):
            if len(item.completion) > settings.max_completion_bytes // 4 and (
                len(item.completion.encode()) > settings.max_completion_bytes
            ):
                raise too_large(
                    f"items[{i}].completion exceeds the {settings.max_completion_bytes}-byte limit"
                )
        return schemas.to_job(req)

    @app.post(
        "/v1/rewards",
        tags=["rewards"],
        openapi_extra=_request_body_doc(schemas.RewardsRequest),
        responses={200: {"model": schemas.RewardsResponse}, 413: {}, 422: {}, 503: {}},
    )
    async def rewards(request: Request) -> Response:
        """Score a batch; answers when every item is scored, results in request order."""
        job = await read_job(request)
        metrics.BATCH_ITEMS.observe(len(job.items))
        results = await the_broker.run(job, settings.request_timeout_s)
        note(request, checks=status_counts(results))
        if settings.log_completions:
            _log_items(request, job, results)
        return json_response({"results": [r.to_json() for r in results]})

    @app.post(
        "/v1/jobs",
        tags=["jobs"],
        status_code=202,
        openapi_extra=_request_body_doc(schemas.RewardsRequest),
        responses={202: {"model": schemas.JobAccepted}, 413: {}, 422: {}, 503: {}},
    )
    async def submit_job(request: Request) -> Response:
        """Queue a batch; fetch its results later from GET /v1/jobs/{job_id}."""
        job = await read_job(request)
        metrics.BATCH_ITEMS.observe(len(job.items))
        await the_broker.submit(job)
        note(request, job_id=job.id)
        return json_response({"job_id": job.id}, 202)

    @app.get(
        "/v1/jobs/{job_id}", tags=["jobs"], responses={200: {"model": schemas.JobOut}, 404: {}}
    )
    async def get_job(
        request: Request, job_id: str, wait: float = Query(0.0, ge=0.0, le=MAX_WAIT_S)
    ) -> Response:
        """A job's status, waiting up to `wait` seconds for it to finish."""
        state = await the_broker.state(job_id, wait_s=wait)
        if state is None:
            return json_response(
                {"detail": f"unknown job id {job_id!r} (or its results expired)"}, 404
            )
        note(request, job_id=job_id, job_status=state.status.value)
        if state.results is not None:
            note(request, items=len(state.results), checks=status_counts(state.results))
        return json_response(state.to_json())

    app.include_router(select_router)
    app.include_router(compat.router)
    return app


def _install_openapi(app: FastAPI, models: list[type], settings: Settings) -> None:
    """Add body models of routes that parse their own bodies to the OpenAPI components, with
    this deployment's batch-size limit (413 beyond it) as `maxItems`."""
    from pydantic.json_schema import models_json_schema

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        from fastapi.openapi.utils import get_openapi

        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        _, defs = models_json_schema(
            [(m, "validation") for m in models], ref_template="#/components/schemas/{model}"
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components.update(defs.get("$defs", {}))
        components["RewardsRequest"]["properties"]["items"]["maxItems"] = settings.max_items
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


_ROUTES = frozenset(
    {"/healthz", "/metrics", "/v1/rewards", "/v1/jobs", "/v1/select", "/v1/compat/openrlhf"}
)


def _route_label(path: str) -> str:
    """A bounded set of metric labels: unknown paths (scanners, typos) share one."""
    if path in _ROUTES:
        return path
    return "/v1/jobs/{id}" if path.startswith("/v1/jobs/") else "other"


def _log_items(request: Request, job: Job, results: list[ItemResult]) -> None:
    """One log line per item with (the start of) its completion: only with `log_completions`,
    because completions may hold private data."""
    request_id = getattr(request.state, "request_id", None)
    for item, result in zip(job.items, results, strict=True):
        log.info(
            "item",
            extra={
                "request_id": request_id,
                "item_id": item.id,
                "completion": item.completion[:LOGGED_COMPLETION_CHARS],
                "reward": result.reward,
                "statuses": {check: d.get("status") for check, d in result.details.items()},
            },
        )


def _request_id(given: str | None) -> str:
    """The client's X-Request-Id when it looks like an id, else a fresh one."""
    if given and _REQUEST_ID.fullmatch(given):
        return given
    return uuid.uuid4().hex[:16]


def _authorized(request: Request, token: bytes) -> bool:
    """Whether the request carries `Authorization: Bearer <token>` (constant-time compare)."""
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    # Starlette decodes header bytes as latin-1: encoding back gives the bytes that were sent.
    given = value.strip().encode("latin-1")
    # compare_digest takes the same time wherever the first differing byte is.
    return hmac.compare_digest(given, token) and scheme.lower() == "bearer"


def _install_middleware(app: FastAPI, settings: Settings) -> None:
    token = settings.api_token.encode() if settings.api_token else None

    @app.middleware("http")
    async def observe(request: Request, call_next: Any) -> Response:
        start = time.perf_counter()
        route = request.url.path
        request_id = _request_id(request.headers.get("x-request-id"))
        request.state.request_id = request_id
        if token is not None and route != "/healthz" and not _authorized(request, token):
            # Refused before the body is read; still logged and counted like any request.
            response: Response = json_response(
                {"detail": "missing or wrong bearer token"}, 401, {"WWW-Authenticate": "Bearer"}
            )
        else:
            try:
                response = await call_next(request)
            except Exception:
                log.exception("unhandled error on %s %s", request.method, route)
                response = json_response({"detail": "internal error; see the server log"}, 500)
        elapsed = time.perf_counter() - start
        label = _route_label(route)
        metrics.REQUEST_SECONDS.labels(label).observe(elapsed)
        metrics.REQUESTS.labels(label, str(response.status_code)).inc()
        response.headers["x-request-id"] = request_id
        fields: dict[str, Any] = {
            "request_id": request_id,
            "method": request.method,
            "path": route,
            "status": response.status_code,
            "ms": round(elapsed * 1000, 2),
            "client": request.client.host if request.client else None,
        }
        # What the route noted (item count, statuses per check, job id): never completion text.
        fields.update(getattr(request.state, "log_fields", {}))
        log.info("request", extra=fields)
        return response
