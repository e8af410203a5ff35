"""Fixtures for the Redis broker tests: the real Redis at 127.0.0.1:6379, a key prefix per
test (deleted afterwards), and worker subprocesses that are always reaped."""

from __future__ import annotations

import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from tests.broker.redis_support import start_worker, stop

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="session")
def redis_url() -> str:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    finally:
        client.close()
    return REDIS_URL


@pytest.fixture
def rds(redis_url: str) -> Iterator[redis.Redis]:
    """A plain synchronous client for the test's own look at Redis."""
    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def prefix(rds: redis.Redis) -> Iterator[str]:
    """A key prefix of this test's own; every key under it is deleted afterwards."""
    p = f"rktest-{uuid.uuid4().hex[:12]}"
    yield p
    keys = list(rds.scan_iter(match=f"{p}:*", count=1000))
    if keys:
        rds.delete(*keys)


@pytest.fixture
def workers(
    redis_url: str, prefix: str, tmp_path: Path
) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Start `rewardkit worker` subprocesses on this test's prefix; all are stopped afterwards
    and their logs printed (pytest shows them when the test fails)."""
    procs: list[subprocess.Popen[bytes]] = []

    def spawn(*args: str, **env: str) -> subprocess.Popen[bytes]:
        proc = start_worker(
            redis_url, prefix, *args, log=tmp_path / f"worker{len(procs)}.log", env=env
        )
        procs.append(proc)
        return proc

    yield spawn
    for i, proc in enumerate(procs):
        stop(proc, timeout=5)
        print(f"--- worker {i} (pid {proc.pid}) log ---")
        print((tmp_path / f"worker{i}.log").read_text(errors="replace")[-4000:])
