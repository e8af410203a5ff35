"""Brokers: the embedded in-process default and Redis Streams."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.broker.base import Broker, BrokerError, QueueFull

if TYPE_CHECKING:
    from app.config import Settings

__all__ = ["Broker", "BrokerError", "QueueFull"]


def create_broker(settings: Settings) -> Broker:
    """The broker the settings ask for: Redis when `redis_url` is set, else embedded."""
    import sandbox
    from app.worker.pool import CheckerPool
    from app.worker.scorer import Scorer

    # Code checks are pure functions that ask the process-wide sandbox backend; it is chosen
    # here, once, from the settings (the backend is lazy: nothing starts until a code check).
    sandbox.configure(settings.sandbox_backend)
    if settings.redis_url:
        from app.broker.redis import RedisBroker

        return RedisBroker.from_settings(settings)
    from app.broker.embedded import EmbeddedBroker

    pool = CheckerPool(settings.pool_size)
    scorer = Scorer(pool, item_timeout_s=settings.item_timeout_s)
    return EmbeddedBroker(
        scorer, result_ttl_s=settings.result_ttl_s, max_pending_items=settings.max_pending_items
    )
