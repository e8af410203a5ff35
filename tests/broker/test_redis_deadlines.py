"""Batch deadlines through Redis: the answer comes by the deadline with what the workers
finished, the rest is `deadline`; a worker's running items are killed at the deadline and
chunks not started by then are never scored; with no worker at all the reader finishes the
job at its deadline, and a worker's late results are dropped."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from app.broker.redis import RedisBroker
from app.checkers.registry import REGISTRY
from app.jobs import Item, Job, JobStatus
from app.worker.pool import CheckerPool
from app.worker.redis_worker import RedisWorker
from app.worker.scorer import Scorer
from tests.api.test_deadlines import HANG_AS_MATH, ITEM_TIMEOUT_S
from tests.broker.test_redis_broker import assert_drained
from tests.helpers.timing import HANG_S

Factory = Callable[..., Awaitable[RedisBroker]]


def job(*completions: str, deadline_s: float | None = None) -> Job:
    items = [
        Item(f"s{i}", c, {"math": {"gold": "1"}, "format": {}}) for i, c in enumerate(completions)
    ]
    return Job(items, deadline_s=deadline_s)


@pytest.fixture
async def make_broker(redis_url: str, prefix: str) -> AsyncIterator[Factory]:
    made: list[RedisBroker] = []

    async def make(*, worker: bool = True, chunk_items: int = 4) -> RedisBroker:
        local = None
        if worker:
            pool = CheckerPool(2, max_chunk=2)
            registry = {**REGISTRY, "math": HANG_AS_MATH}
            scorer = Scorer(pool, item_timeout_s=ITEM_TIMEOUT_S, registry=registry)
            local = RedisWorker(redis_url, scorer, prefix=prefix, block_ms=200)
        broker = RedisBroker(redis_url, prefix=prefix, chunk_items=chunk_items, local_worker=local)
        await broker.start()
        made.append(broker)
        return broker

    yield make
    for broker in made:
        await broker.close()


def statuses(results) -> list[str]:
    return [r.details["math"]["status"] for r in results]


async def test_run_answers_by_the_deadline_and_frees_the_worker(make_broker, rds, prefix):
    broker = await make_broker()
    worker = broker.local_worker
    assert isinstance(worker, RedisWorker) and worker.scorer.pool is not None
    t0 = time.monotonic()
    results = await broker.run(job("ok0", "ok1", "hang", "ok3", deadline_s=1.5), timeout_s=600)
    took = time.monotonic() - t0
    # s0, s1 finished; s2 hung and s3 sat behind it in its pool chunk.
    assert statuses(results) == ["ok", "ok", "deadline", "deadline"]
    assert [r.reward for r in results] == [1.0, 1.0, None, None]
    assert [r.scores["math"] for r in results] == [1.0, 1.0, None, None]
    assert all(r.details["format"]["status"] == "bad_format" for r in results)
    assert took < HANG_S  # ten minutes without the deadline: the item timeout
    assert worker.scorer.pool.cancelled == 2  # the hanging process was killed
    # The worker is free: a follow-up batch without a deadline is scored in full.
    again = await broker.run(job("ok0", "ok1", "ok2", "ok3"), timeout_s=60)
    assert [r.reward for r in again] == [1.0] * 4
    assert_drained(rds, prefix)
    assert int(rds.get(f"{prefix}:pending")) == 0 and int(rds.get(f"{prefix}:waiting")) == 0


async def test_without_workers_the_job_ends_at_its_deadline(make_broker, rds, prefix):
    feeder = await make_broker(worker=False, chunk_items=2)
    j = job("ok0", "ok1", "ok2", deadline_s=0.5)
    await feeder.submit(j)
    state = await feeder.state(j.id, wait_s=30)
    assert state is not None and state.status is JobStatus.DONE and state.results is not None
    assert [r.id for r in state.results] == ["s0", "s1", "s2"]
    assert statuses(state.results) == ["deadline"] * 3
    assert all(r.details["format"]["status"] == "deadline" for r in state.results)
    assert all(r.reward is None for r in state.results)
    # Nothing counted as pending or waiting; the two entries are still in the stream...
    assert int(rds.get(f"{prefix}:pending")) == 0 and int(rds.get(f"{prefix}:waiting")) == 0
    assert rds.xlen(f"{prefix}:queue") == 2
    # ...until a worker comes: it drops them unscored, and the answer stays as it was.
    late = await make_broker()
    worker = late.local_worker
    assert isinstance(worker, RedisWorker)
    await _until_drained(rds, prefix)
    assert worker.stats["skipped_scored"] == 2 and worker.stats["chunks"] == 0
    again = await late.state(j.id)
    assert again is not None and statuses(again.results) == ["deadline"] * 3


async def test_a_chunk_started_after_its_deadline_is_not_scored(make_broker, rds, prefix):
    # Two chunks: the first hangs until the deadline, the second waits behind it (the worker
    # takes one chunk at a time) and is answered `deadline` without being scored.
    broker = await make_broker(chunk_items=1)
    worker = broker.local_worker
    assert isinstance(worker, RedisWorker)
    worker.concurrency = 1
    results = await broker.run(job("hang", "ok1", deadline_s=1.0), timeout_s=600)
    assert statuses(results) == ["deadline", "deadline"]
    await _until_drained(rds, prefix)
    # The second chunk: started late (`late`), or found finished by the reader (`scored`).
    assert worker.stats["late_chunks"] + worker.stats["skipped_scored"] == 1
    assert worker.scorer.pool is not None and worker.scorer.pool.items <= 1  # "ok1" never ran


async def _until_drained(rds, prefix: str) -> None:
    from tests.broker.redis_support import until

    await until(lambda: rds.xlen(f"{prefix}:queue") == 0, 30, "the stream to drain")
