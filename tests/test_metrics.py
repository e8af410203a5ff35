"""/metrics: the load figures an autoscaler and an operator read (items waiting, the oldest
wait, workers and their busy share, sandboxes warm/busy), from the embedded broker; the Redis
fleet view is tested in tests/broker/test_redis_api.py."""

from __future__ import annotations

import re
import time

from fastapi.testclient import TestClient

import sandbox
from app import metrics
from app.worker.pool import CheckerPool, Task
from tests.broker.redis_support import wait_for
from tests.helpers import checkers as h

LOAD_METRICS = (
    "rewardkit_items_waiting",
    "rewardkit_oldest_waiting_seconds",
    "rewardkit_queue_depth",
    "rewardkit_workers",
    'rewardkit_worker_busy_ratio{worker="local"}',
    'rewardkit_worker_processes{worker="local"}',
    'rewardkit_worker_chunks_in_hand{worker="local"}',
    'rewardkit_sandboxes{state="warm",worker="local"}',
    'rewardkit_sandboxes{state="busy",worker="local"}',
    'rewardkit_chunks{state="waiting"}',
)


def sample(text: str, name: str) -> float:
    """The value of one sample (`name` with its labels as exposed) in exposition text."""
    found = re.search(rf"^{re.escape(name)} (\S+)$", text, re.M)
    assert found, f"{name} not exposed"
    return float(found.group(1))


def test_embedded_metrics_expose_the_load(api: TestClient) -> None:
    api.post("/v1/rewards", json={"items": [{"completion": "x", "checks": {"format": {}}}]})
    text = api.get("/metrics").text
    for name in LOAD_METRICS:
        sample(text, name)
    assert sample(text, "rewardkit_workers") == 1.0
    assert sample(text, 'rewardkit_worker_processes{worker="local"}') == 2.0  # the pool
    assert 0.0 <= sample(text, 'rewardkit_worker_busy_ratio{worker="local"}') <= 1.0
    assert sample(text, "rewardkit_items_waiting") == 0.0  # nothing queued right now


def test_pool_load_counts_what_waits_and_what_is_busy() -> None:
    pool = CheckerPool(1)
    pool.start()
    try:
        # Busy until its batch deadline, 3 s from now.
        pool.submit([Task(h.hang, "hang", {}, 60.0)], until=time.monotonic() + 3)
        queued = pool.submit([Task(h.echo, "x", {}, 60.0) for _ in range(3)])
        wait_for(lambda: pool.load()["busy"] == 1, 30, "the slot to take the hanging chunk")
        load = pool.load()
        assert load["waiting"] == 3 and load["processes"] == 1
        assert load["oldest_wait_s"] >= 0.0
        busy_before = load["busy_s"]
        wait_for(lambda: pool.load()["busy_s"] > busy_before, 30, "busy time to grow")
        assert queued.result(timeout=30)[0][0].value == 0.0  # scored once the slot was free
        assert pool.load()["waiting"] == 0
    finally:
        pool.close()


def test_set_load_forgets_workers_that_are_gone() -> None:
    metrics.set_load({"workers": {"a": {"busy": 0.5}, "b": {"busy": 0.25}}})
    metrics.set_load({"workers": {"b": {"busy": 0.75, "sandbox_busy": 2}}})
    text = metrics.render()[0].decode()
    assert 'rewardkit_worker_busy_ratio{worker="a"}' not in text
    assert sample(text, 'rewardkit_worker_busy_ratio{worker="b"}') == 0.75
    assert sample(text, 'rewardkit_sandboxes{state="busy",worker="b"}') == 2.0
    assert sample(text, "rewardkit_workers") == 1.0


def test_sandbox_reuse_figures_per_worker() -> None:
    load = {"sandbox_programs": 300, "sandbox_recycled": {"limit": 1, "leftover_key": 2}}
    metrics.set_load({"workers": {"w": load}})
    text = metrics.render()[0].decode()
    assert sample(text, 'rewardkit_sandbox_programs{worker="w"}') == 300.0
    assert sample(text, 'rewardkit_sandboxes_recycled{reason="limit",worker="w"}') == 1.0
    assert sample(text, 'rewardkit_sandboxes_recycled{reason="leftover_key",worker="w"}') == 2.0
    metrics.set_load({"workers": {}})  # a worker gone: its figures go too
    assert "rewardkit_sandbox_programs{" not in metrics.render()[0].decode()


def test_load_figures_report_the_sandbox_pool() -> None:
    from app.worker.load import load_figures
    from sandbox.local import LocalBackend

    previous = sandbox.get_backend()
    b = LocalBackend(pool_size=1)
    sandbox.configure(b, close_previous=False)
    try:
        v = sandbox.run(sandbox.Program("python", "print(1)"), [sandbox.Test("", "1")])
        assert v.passed == 1
        figures = load_figures(None)
        assert figures["sandbox_programs"] == 1
        assert figures["sandbox_recycled"] == {}
        assert figures["sandbox_busy"] == 0
    finally:
        sandbox.configure(previous, close_previous=False)
        b.close()
