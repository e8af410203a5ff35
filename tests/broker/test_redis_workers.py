"""Real `rewardkit worker` subprocesses on the real Redis: a worker killed with SIGKILL
mid-job, two workers sharing one big batch, and a graceful SIGTERM."""

from __future__ import annotations

import signal
import time
from collections import Counter
from collections.abc import AsyncIterator

import pytest

from app.broker.redis import GROUP, RedisBroker
from app.jobs import Item, Job, JobState, JobStatus
from tests.broker.redis_support import consumers, stop, until
from tests.helpers.timing import HANG_S


@pytest.fixture
async def broker(redis_url: str, prefix: str) -> AsyncIterator[RedisBroker]:
    """The API side only (no local worker): jobs are scored by the subprocesses."""
    b = RedisBroker(redis_url, prefix=prefix, chunk_items=2, local_worker=None)
    await b.start()
    yield b
    await b.close()


def slow_job(n: int, sleep: float) -> Job:
    return Job([Item(f"i{i}", str(i) * (i + 1), {"slow": {"sleep": sleep}}) for i in range(n)])


def check_results(job: Job, state: JobState | None) -> Counter[int]:
    """Every item scored once, in order, with the right value; returns items per worker pid."""
    assert state is not None and state.status is JobStatus.DONE, state
    assert state.results is not None
    assert [r.id for r in state.results] == [it.id for it in job.items]
    assert [r.reward for r in state.results] == [len(it.completion) / 100 for it in job.items]
    return Counter(r.details["slow"]["pid"] for r in state.results)


def consumer_of(rds, prefix: str, pid: int) -> str:
    """The consumer name of the worker process `pid` (names are host:pid:random)."""
    (name,) = [
        c["name"].decode() for c in consumers(rds, prefix) if f":{pid}:" in c["name"].decode()
    ]
    return name


def held_by(rds, prefix: str, name: str) -> int:
    return len(rds.xpending_range(f"{prefix}:queue", GROUP, "-", "+", 100, consumername=name))


async def test_kill_9_mid_job_and_another_worker_finishes_it_in_seconds(
    workers, broker, rds, prefix, tmp_path
):
    # The idle-time claim is ten hang bounds, the liveness TTL two seconds: only the
    # liveness path can finish the job within the wait below.
    env = {"REWARDKIT_CLAIM_IDLE_S": str(10 * HANG_S), "REWARDKIT_LIVENESS_TTL_S": "2"}
    a = workers("--concurrency", "1", **env)
    b = workers("--concurrency", "1", **env)
    await until(lambda: len(consumers(rds, prefix)) == 2, 60, "both workers to join")
    name_a = consumer_of(rds, prefix, a.pid)
    job = slow_job(16, sleep=0.5)  # 8 chunks of 2 items, ~1 s each
    await broker.submit(job)
    res = f"{prefix}:res:{job.id}"
    await until(lambda: rds.hlen(res) >= 1 and held_by(rds, prefix, name_a) == 1, 30, "A mid-job")
    a.kill()  # SIGKILL: no chance to hand anything back
    a.wait()
    killed = time.monotonic()
    assert rds.hlen(res) < 8, "the job finished before the kill: nothing was tested"
    state = await broker.state(job.id, wait_s=HANG_S)
    took = time.monotonic() - killed
    per_pid = check_results(job, state)
    # B finished the job (A may have stored a chunk before it died, or not); nobody else did.
    assert b.pid in per_pid and set(per_pid) <= {a.pid, b.pid}
    assert int(rds.hget(f"{prefix}:job:{job.id}", "done")) == 8
    assert rds.xlen(f"{prefix}:queue") == 0
    # The mechanism: B took A's chunk because A's liveness key expired...
    log_b = (tmp_path / "worker1.log").read_text()
    assert f"from dead worker {name_a}" in log_b
    # ...long before the idle-time claim could have. (Speed is measured by
    # loadtests/bench_redis.py; this bound only catches a recovery that never comes.)
    print(f"job finished {took:.1f}s after kill -9 of the worker holding a chunk")
    assert took < HANG_S


async def test_a_busy_worker_on_a_long_chunk_is_not_robbed(workers, broker, rds, prefix, tmp_path):
    # One item that takes 4 s, ten times the liveness TTL: its worker keeps its key alive
    # from its event loop while the item runs in a thread, so the other (idle beside it)
    # never takes it.
    env = {"REWARDKIT_CLAIM_IDLE_S": "120", "REWARDKIT_LIVENESS_TTL_S": "0.4"}
    a = workers("--concurrency", "1", **env)
    await until(lambda: consumers(rds, prefix), 60, "worker A to join the group")
    b = workers("--concurrency", "1", **env)
    await until(lambda: len(consumers(rds, prefix)) == 2, 60, "worker B to join the group")
    job = Job([Item("long", "x" * 7, {"slow": {"sleep": 4.0}})])
    await broker.submit(job)
    state = await broker.state(job.id, wait_s=60)
    per_pid = check_results(job, state)
    assert len(per_pid) == 1  # one chunk, scored by one worker, once
    ((pid, _),) = per_pid.items()
    other = 1 if pid == a.pid else 0
    assert "took over" not in (tmp_path / f"worker{other}.log").read_text()
    assert b.poll() is None and a.poll() is None
    assert rds.xlen(f"{prefix}:queue") == 0


async def test_two_workers_share_one_big_batch(workers, broker, rds, prefix):
    a = workers("--concurrency", "2")
    b = workers("--concurrency", "2")
    await until(lambda: len(consumers(rds, prefix)) == 2, 60, "both workers to join")
    broker.chunk_items = 256
    job = Job([Item(str(i), str(i), {"slow": {"sleep": 0.005}}) for i in range(4096)])
    await broker.submit(job)
    state = await broker.state(job.id, wait_s=120)
    per_pid = check_results(job, state)
    assert set(per_pid) == {a.pid, b.pid}
    assert min(per_pid.values()) >= 2 * 256, per_pid  # each worker scored several chunks


async def test_sigterm_hands_back_unfinished_work(workers, broker, rds, prefix):
    # A long claim timeout: the work can only come back by being handed back.
    env = {"REWARDKIT_CLAIM_IDLE_S": "120", "REWARDKIT_SHUTDOWN_GRACE_S": "0.3"}
    a = workers("--concurrency", "1", **env)
    await until(lambda: consumers(rds, prefix), 60, "worker A to join the group")
    job = slow_job(2, sleep=2.0)
    await broker.submit(job)
    await until(
        lambda: rds.xpending(f"{prefix}:queue", GROUP)["pending"] == 1, 30, "A to take the chunk"
    )
    assert stop(a, signal.SIGTERM, timeout=15) == 0
    assert consumers(rds, prefix) == []  # A left the group, holding nothing
    assert rds.xlen(f"{prefix}:queue") == 1  # the chunk is back in the queue, unowned
    assert rds.xpending(f"{prefix}:queue", GROUP)["pending"] == 0
    job_state = await broker.state(job.id)
    assert job_state is not None and job_state.status is JobStatus.RUNNING
    b = workers("--concurrency", "1", **env)
    per_pid = check_results(job, await broker.state(job.id, wait_s=60))
    assert set(per_pid) == {b.pid}


async def test_sigterm_finishes_work_in_hand(workers, broker, rds, prefix):
    a = workers("--concurrency", "1", REWARDKIT_SHUTDOWN_GRACE_S="30")
    await until(lambda: consumers(rds, prefix), 60, "worker A to join the group")
    job = slow_job(2, sleep=1.0)
    await broker.submit(job)
    await until(
        lambda: rds.xpending(f"{prefix}:queue", GROUP)["pending"] == 1, 30, "A to take the chunk"
    )
    assert stop(a, signal.SIGTERM, timeout=30) == 0
    per_pid = check_results(job, await broker.state(job.id))
    assert set(per_pid) == {a.pid}
    assert rds.xlen(f"{prefix}:queue") == 0
