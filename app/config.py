"""Settings, read once at start-up from `REWARDKIT_*` environment variables and CLI flags.

Nothing below the CLI reads the environment: a `Settings` value is built here and passed down.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any


class ConfigError(ValueError):
    """A setting has a value that cannot be used."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Every knob of the service. Field `foo_bar` is read from `REWARDKIT_FOO_BAR`."""

    host: str = "127.0.0.1"
    port: int = 8000
    #: Redis URL; None means the embedded in-process broker.
    redis_url: str | None = None
    #: Checker processes in this process's pool; None = CPU count. 0 = serve HTTP only (Redis).
    workers: int | None = None
    #: Jobs a Redis worker takes at once.
    concurrency: int = 4
    #: Namespace of every Redis key.
    prefix: str = "rewardkit"
    max_items: int = 4096
    max_completion_bytes: int = 1 << 20
    #: Request bodies above this are refused (413) before they are read into memory.
    max_body_bytes: int = 32 << 20
    #: Per-item deadline of a check in the pool (seconds); code checks derive theirs from limits.
    item_timeout_s: float = 10.0
    result_ttl_s: int = 3600
    #: How long POST /v1/rewards waits for a batch before answering 504.
    request_timeout_s: float = 600.0
    #: Items waiting or being scored before new work is refused with 503 + Retry-After.
    max_pending_items: int = 65536
    #: Redis: a chunk in a worker's hands this long without a heartbeat is taken by another.
    claim_idle_s: float = 30.0
    #: Redis: a worker's liveness key lives this long unless refreshed (every third of it);
    #: once it expires, other workers take its chunks (failover within about this time).
    liveness_ttl_s: float = 3.0
    #: Redis worker: a file touched with every liveness refresh, for an exec liveness probe
    #: (a worker serves no HTTP); None = none.
    heartbeat_file: str | None = None
    #: Redis: a batch is split into chunks of at most this many items, shared by all workers.
    chunk_items: int = 256
    #: Redis worker: on SIGTERM, finish work in hand for this long, then hand the rest back.
    shutdown_grace_s: float = 20.0
    api_token: str | None = None
    log_level: str = "info"
    #: Log completion text in request logs (off: completions may hold private data).
    log_completions: bool = False
    #: Sandbox backend for code checks: "local" (bubblewrap) or "docker".
    sandbox_backend: str = "local"
    #: Warm code sandboxes per worker process (None: two per CPU; 0: a fresh one per run).
    sandbox_pool: int | None = None
    #: Programs one warm sandbox serves before it is replaced (local backend).
    sandbox_reuse: int = 256

    @property
    def pool_size(self) -> int:
        """Checker processes to start (resolves the CPU-count default)."""
        if self.workers is None:
            return max(1, os.cpu_count() or 1)
        return self.workers

    @classmethod
    def load(cls, env: Mapping[str, str] | None = None, **overrides: Any) -> Settings:
        """Build settings from `env` (default: `os.environ`), then apply non-None `overrides`
        (the CLI flags, which win over the environment)."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = env.get(f"REWARDKIT_{f.name.upper()}")
            if raw is None or raw == "":
                continue
            values[f.name] = _parse(f.name, f.type, raw)
        settings = replace(cls(), **values)
        settings = replace(settings, **{k: v for k, v in overrides.items() if v is not None})
        settings.validate()
        return settings

    def validate(self) -> None:
        """Raise `ConfigError` on values the service cannot run with."""
        positive = ("max_items", "max_completion_bytes", "max_body_bytes", "result_ttl_s")
        for name in positive:
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name} must be positive, got {getattr(self, name)}")
        if self.item_timeout_s <= 0:
            raise ConfigError("item_timeout_s must be positive")
        if self.workers is not None and self.workers < 0:
            raise ConfigError("workers must be >= 0")
        if self.workers == 0 and not self.redis_url:
            raise ConfigError("--workers 0 needs --redis: someone has to score the items")
        if self.concurrency < 1:
            raise ConfigError("concurrency must be >= 1")
        if self.claim_idle_s <= 0 or self.chunk_items < 1 or self.shutdown_grace_s < 0:
            raise ConfigError(
                "claim_idle_s and chunk_items must be positive, shutdown_grace_s >= 0"
            )
        if self.liveness_ttl_s <= 0:
            raise ConfigError("liveness_ttl_s must be positive")
        if not 0 < self.port < 65536:
            raise ConfigError(f"port out of range: {self.port}")
        if self.sandbox_pool is not None and self.sandbox_pool < 0:
            raise ConfigError(f"sandbox_pool must be >= 0, got {self.sandbox_pool}")
        if self.sandbox_reuse < 1:
            raise ConfigError(f"sandbox_reuse must be >= 1, got {self.sandbox_reuse}")
        if self.sandbox_backend not in ("local", "docker"):
            raise ConfigError(
                f"sandbox_backend must be local or docker, got {self.sandbox_backend}"
            )


def _parse(name: str, type_: Any, raw: str) -> Any:
    """Convert one environment string to the field's type, with an error naming the variable."""
    kind = str(type_)
    try:
        if "bool" in kind:
            if raw.lower() in ("1", "true", "yes", "on"):
                return True
            if raw.lower() in ("0", "false", "no", "off"):
                return False
            raise ValueError(raw)
        if "int" in kind:
            return int(raw)
        if "float" in kind:
            return float(raw)
    except ValueError:
        raise ConfigError(f"REWARDKIT_{name.upper()}={raw!r} is not a valid {kind}") from None
    return raw
