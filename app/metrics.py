"""Prometheus metrics: items by check and status, latency histograms, queue depth."""

from __future__ import annotations

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


def render() -> tuple[bytes, str]:
    """The exposition text and its content type."""
    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
