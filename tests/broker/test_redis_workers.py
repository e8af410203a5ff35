"""Real `rewardkit worker` subprocesses on the real Redis: a worker killed with SIGKILL
mid-job, two workers sharing one big batch, and a graceful SIGTERM."""

from __future__ import annotations

import signal
from collections import Counter
from collections.abc import AsyncIterator

import pytest

from app.broker.redis import GROUP, RedisBroker
from app.jobs import Item, Job, JobState, JobStatus
from tests.broker.redis_support import consumers, stop, until


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


async def test_kill_9_mid_job_and_another_worker_finishes_it(workers, broker, rds, prefix):
    env = {"REWARDKIT_CLAIM_IDLE_S": "1.0"}
    a = workers("--concurrency", "1", **env)
    await until(lambda: consumers(rds, prefix), 60, "worker A to join the group")
    job = slow_job(8, sleep=0.5)  # 4 chunks of 2 items, ~0.5 s each, one at a time
    await broker.submit(job)
    res = f"{prefix}:res:{job.id}"

    def mid_flight() -> bool:  # A has stored a chunk and holds the next one
        return rds.hlen(res) >= 1 and rds.xpending(f"{prefix}:queue", GROUP)["pending"] == 1

    await until(mid_flight, 30, "worker A to be mid-job")
    a.kill()  # SIGKILL: no chance to hand anything back
    a.wait()
    assert rds.hlen(res) < 4, "the job finished before the kill: nothing was tested"
    b = workers("--concurrency", "2", **env)
    state = await broker.state(job.id, wait_s=60)
    per_pid = check_results(job, state)
    assert set(per_pid) == {a.pid, b.pid}  # both did part of it; nothing else did
    assert int(rds.hget(f"{prefix}:job:{job.id}", "done")) == 4
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
