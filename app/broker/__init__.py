"""Brokers: the embedded in-process default and Redis Streams (built by `app.wiring`)."""

from __future__ import annotations

from app.broker.base import Broker, BrokerError, QueueFull

__all__ = ["Broker", "BrokerError", "QueueFull"]
