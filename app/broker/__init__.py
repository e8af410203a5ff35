"""Brokers: the embedded in-process default and Redis Streams."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.broker.base import Broker, BrokerError, QueueFull

if TYPE_CHECKING:
    from app.config import Settings

__all__ = ["Broker", "BrokerError", "QueueFull"]


def create_broker(settings: Settings) -> Broker:
    """The broker the settings ask for: Redis when `redis_url` is set, else embedded."""
    if settings.redis_url:
        from app.broker.redis import RedisBroker

        return RedisBroker.from_settings(settings)
    from app.broker.embedded import EmbeddedBroker
    from app.worker.scorer import build_scorer

    return EmbeddedBroker(
        build_scorer(settings),
        result_ttl_s=settings.result_ttl_s,
        max_pending_items=settings.max_pending_items,
    )
