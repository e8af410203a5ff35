"""Shared fixtures: an in-process app (TestClient) and a live server in a subprocess."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from hypothesis import settings as hypothesis_settings

from app.api.app import create_app
from app.config import Settings

ROOT = Path(__file__).resolve().parent.parent

# Every property test draws the same examples on every run (a fixed seed, no example database):
# a failure is a bug to read, never bad luck to rerun.
hypothesis_settings.register_profile("rewardkit", derandomize=True, database=None, deadline=None)
hypothesis_settings.load_profile("rewardkit")


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def api() -> Iterator[TestClient]:
    """The app with the embedded broker and a 2-process checker pool, shared by the session."""
    settings = Settings.load(env={}, workers=2, item_timeout_s=10.0)
    with TestClient(create_app(settings)) as client:
        yield client


def start_server(
    *args: str, env: dict[str, str] | None = None, timeout: float = 60.0
) -> tuple[subprocess.Popen[bytes], str]:
    """Start `rewardkit serve` on a free port; returns the process and its base URL.

    A port found free can be taken by another process before the server binds it (other test
    runs share this machine): that start is retried on a new port, so it never fails a test."""
    for _ in range(5):
        started = _start_server_once(args, env, timeout)
        if started is not None:
            return started
    raise RuntimeError("no free port could be bound in 5 tries")


def _start_server_once(
    args: tuple[str, ...], env: dict[str, str] | None, timeout: float
) -> tuple[subprocess.Popen[bytes], str] | None:
    port = free_port()
    cmd = [sys.executable, "-m", "app.cli", "serve", "--port", str(port), *args]
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            err = proc.stderr.read().decode() if proc.stderr else ""
            if "address already in use" in err.lower():
                return None
            raise RuntimeError(f"server exited: {err}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("server did not become healthy in time")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture(scope="session")
def live_server() -> Iterator[str]:
    """A real `rewardkit serve` (embedded broker, 2 checker processes) in a subprocess."""
    proc, url = start_server("--workers", "2")
    try:
        yield url
    finally:
        stop_server(proc)
