"""Prometheus metrics: items by check and status, latency histograms, queue depth, and the
load an autoscaler and an operator need (items waiting and the oldest one's wait, workers,
each worker's busy share, code sandboxes warm and busy).

The load gauges are set from the broker's `load()` at each scrape (`set_load`): with Redis they
describe the whole fleet of workers, read from Redis, whichever API replica is scraped."""

from __future__ import annotations

from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

REGISTRY = CollectorRegistry(auto_describe=True)

ITEMS = Counter(
    "rewardkit_items",
    "Check results produced, by check and status (deduplicated work counts once per item).",
    ["check", "status"],
    registry=REGISTRY,
)
CHECK_SECONDS = Histogram(
    "rewardkit_check_seconds",
    "Time to run one distinct check.",
    ["check"],
    buckets=(0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30),
    registry=REGISTRY,
)
REQUEST_SECONDS = Histogram(
    "rewardkit_request_seconds",
    "HTTP request latency by route.",
    ["route"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
    registry=REGISTRY,
)
REQUESTS = Counter(
    "rewardkit_requests",
    "HTTP requests by route and status code.",
    ["route", "code"],
    registry=REGISTRY,
)
QUEUE_DEPTH = Gauge("rewardkit_queue_depth", "Items waiting or being scored.", registry=REGISTRY)
ITEMS_WAITING = Gauge(
    "rewardkit_items_waiting",
    "Items queued that no worker has started yet (what an autoscaler scales on).",
    registry=REGISTRY,
)
OLDEST_WAIT = Gauge(
    "rewardkit_oldest_waiting_seconds",
    "How long the oldest work not yet started has waited (0 when nothing waits).",
    registry=REGISTRY,
)
CHUNKS = Gauge(
    "rewardkit_chunks",
    "Redis stream entries (chunks of jobs): waiting = not yet delivered (the consumer "
    "group's lag), in_flight = delivered, not yet finished.",
    ["state"],
    registry=REGISTRY,
)
WORKERS = Gauge("rewardkit_workers", "Live workers (Redis: liveness keys).", registry=REGISTRY)
WORKER_BUSY = Gauge(
    "rewardkit_worker_busy_ratio",
    "Share of the last ~30 s the worker's checker processes spent scoring, per worker.",
    ["worker"],
    registry=REGISTRY,
)
WORKER_IN_HAND = Gauge(
    "rewardkit_worker_chunks_in_hand",
    "Chunks a worker is scoring now (at most its concurrency).",
    ["worker"],
    registry=REGISTRY,
)
WORKER_PROCESSES = Gauge(
    "rewardkit_worker_processes", "Checker processes per worker.", ["worker"], registry=REGISTRY
)
SANDBOXES = Gauge(
    "rewardkit_sandboxes",
    "Code sandboxes per worker: warm (started, idle, waiting for a program) and busy "
    "(running a program).",
    ["worker", "state"],
    registry=REGISTRY,
)
SANDBOX_PROGRAMS = Gauge(
    "rewardkit_sandbox_programs",
    "Programs the worker's warm code sandboxes served since it started (each sandbox serves "
    "many, one after another).",
    ["worker"],
    registry=REGISTRY,
)
SANDBOXES_RECYCLED = Gauge(
    "rewardkit_sandboxes_recycled",
    "Code sandboxes retired since the worker started, by reason: limit (served its share of "
    "programs), leftover_* (a program left something the harness cannot clean: a SysV IPC "
    "object, a socket, a key, a change to the harness), killed (by the host: a deadline or "
    "a run that went silent), error, idle (the pool shrank), died, cancelled, no_answer.",
    ["worker", "reason"],
    registry=REGISTRY,
)
BATCH_ITEMS = Histogram(
    "rewardkit_batch_items",
    "Items per scored batch.",
    buckets=(1, 4, 16, 64, 256, 1024, 4096),
    registry=REGISTRY,
)


def observe_check(check: str, status: str, items: int) -> None:
    """Count `items` results of `check` with `status`."""
    ITEMS.labels(check, status).inc(items)


_CHILDREN: dict[str, Histogram] = {}


def observe_seconds(check: str, seconds: float) -> None:
    """Record how long one distinct check took."""
    child = _CHILDREN.get(check)
    if child is None:  # `labels()` takes a lock and builds a key: do it once per check
        child = _CHILDREN[check] = CHECK_SECONDS.labels(check)
    child.observe(seconds)


def set_load(load: dict[str, Any]) -> None:
    """Set the load gauges from a broker's `load()`; workers gone since the last call are
    removed (a dead worker must not keep reporting its last figures)."""
    ITEMS_WAITING.set(load.get("items_waiting", 0))
    OLDEST_WAIT.set(load.get("oldest_wait_s", 0.0))
    if "queue_depth" in load:
        QUEUE_DEPTH.set(load["queue_depth"])
    CHUNKS.labels("waiting").set(load.get("chunks_waiting", 0))
    CHUNKS.labels("in_flight").set(load.get("chunks_in_flight", 0))
    workers: dict[str, dict[str, Any]] = load.get("workers") or {}
    WORKERS.set(len(workers))
    for gauge in (
        WORKER_BUSY,
        WORKER_IN_HAND,
        WORKER_PROCESSES,
        SANDBOXES,
        SANDBOX_PROGRAMS,
        SANDBOXES_RECYCLED,
    ):
        gauge.clear()
    for name, w in workers.items():
        WORKER_BUSY.labels(name).set(float(w.get("busy", 0.0)))
        WORKER_IN_HAND.labels(name).set(int(w.get("in_hand", 0)))
        WORKER_PROCESSES.labels(name).set(int(w.get("processes", 0)))
        SANDBOXES.labels(name, "warm").set(int(w.get("sandbox_warm", 0)))
        SANDBOXES.labels(name, "busy").set(int(w.get("sandbox_busy", 0)))
        SANDBOX_PROGRAMS.labels(name).set(int(w.get("sandbox_programs", 0)))
        for reason, count in (w.get("sandbox_recycled") or {}).items():
            SANDBOXES_RECYCLED.labels(name, str(reason)).set(int(count))


def render() -> tuple[bytes, str]:
    """The exposition text and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
