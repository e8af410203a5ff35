"""Test support for the Redis broker: a slow checker that reports its process, and helpers
to run real `rewardkit worker` subprocesses and private Redis servers."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import redis

from app.checkers.base import Score, Status
from app.checkers.registry import REGISTRY, Checker, register

ROOT = Path(__file__).resolve().parents[2]


def slow(completion: str, params: Mapping[str, Any]) -> Score:
    """Sleeps `params["sleep"]` seconds, scores len(completion)/100 and reports its pid, so a
    test can check every value and see which worker process scored each item."""
    time.sleep(float(params.get("sleep", 0)))
    return Score(len(completion) / 100, Status.OK, {"pid": os.getpid()})


#: "io": runs in a worker thread, so a sleeping item never blocks the worker's event loop.
SLOW = Checker("slow", slow, where="io", summary="test only: sleeps, then scores len/100")


def register_slow() -> None:
    """Register `slow` in this process (worker subprocesses only: never in the test process)."""
    if "slow" not in REGISTRY:
        register(SLOW)


def with_slow() -> dict[str, Checker]:
    """The real registry plus `slow`, for an in-process Scorer."""
    return {**REGISTRY, "slow": SLOW}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(cond: Callable[[], Any], timeout: float, what: str, step: float = 0.05) -> Any:
    """Poll `cond` until truthy (test-side waiting only); fails the test with `what`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = cond()
        if value:
            return value
        time.sleep(step)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


_WORKER_MAIN = (
    "import sys; from tests.broker.redis_support import register_slow; register_slow(); "
    "from app.cli import main; raise SystemExit(main(sys.argv[1:]))"
)


def start_worker(
    url: str, prefix: str, *args: str, log: Path, env: Mapping[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """A real `rewardkit worker` subprocess (with the `slow` check registered), logging to
    `log` (a file, not a pipe nobody reads: a full pipe would stall the worker)."""
    cmd = [sys.executable, "-c", _WORKER_MAIN, "worker", "--redis", url, "--prefix", prefix]
    with open(log, "ab") as out:
        return subprocess.Popen(
            [*cmd, "--workers", "1", *args],
            cwd=ROOT,
            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
        )


def consumers(client: redis.Redis, prefix: str) -> list[dict[str, Any]]:
    """The consumers of the worker group (empty before the stream exists)."""
    try:
        return client.xinfo_consumers(f"{prefix}:queue", "workers")
    except redis.ResponseError:
        return []


def start_redis(port: int) -> subprocess.Popen[bytes]:
    """A private, non-persistent redis-server on `port`, ready to serve."""
    exe = shutil.which("redis-server")
    assert exe, "redis-server not installed"
    proc = subprocess.Popen(
        [exe, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    try:
        wait_for(lambda: _pings(client), 10, "private redis-server to answer")
    finally:
        client.close()
    return proc


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


def stop(proc: subprocess.Popen[bytes], sig: int | None = None, timeout: float = 20) -> int:
    """Stop a subprocess (SIGTERM unless `sig`), waiting for it; returns its exit code."""
    if proc.poll() is None:
        if sig is None:
            proc.terminate()
        else:
            proc.send_signal(sig)
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        return proc.wait()


async def until(cond: Callable[[], Any], timeout: float, what: str, step: float = 0.02) -> Any:
    """Async `wait_for`: poll `cond` (test-side only) without blocking the event loop."""
    import asyncio

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = cond()
        if value:
            return value
        await asyncio.sleep(step)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")
