"""Where the service's parts are put together: the broker `rewardkit serve` runs, and the
in-process Redis worker of `serve --redis --workers N`.

This is wiring, not a broker's business: keeping it here lets the Redis broker know nothing of
the worker (the worker uses the broker's stream protocol, one way).
"""

from __future__ import annotations

from app.broker.base import Broker
from app.config import Settings


def create_broker(settings: Settings) -> Broker:
    """The broker the settings ask for: Redis when `redis_url` is set (with an in-process
    worker unless `--workers 0`), else embedded."""
    if settings.redis_url:
        from app.broker.redis import RedisBroker
        from app.worker.redis_worker import RedisWorker

        worker = RedisWorker.from_settings(settings) if settings.pool_size > 0 else None
        return RedisBroker.from_settings(settings, local_worker=worker)
    from app.broker.embedded import EmbeddedBroker
    from app.worker.scorer import build_scorer

    return EmbeddedBroker(
        build_scorer(settings),
        result_ttl_s=settings.result_ttl_s,
        max_pending_items=settings.max_pending_items,
    )
