"""The Redis broker and an in-process worker against the real Redis: round trip, chunking,
waking, TTL, back-pressure, exactly-once results, reclaims and malformed entries."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest
import redis

from app.broker.base import QueueFull
from app.broker.redis import GROUP, RedisBroker
from app.jobs import Item, ItemResult, Job, JobStatus
from app.worker.redis_worker import MAX_DELIVERIES, RedisWorker
from app.worker.scorer import Scorer
from tests.broker.redis_support import until, with_slow

Factory = Callable[..., Awaitable[RedisBroker]]


def slow_job(n: int, sleep: float = 0.0) -> Job:
    """Items whose `slow` score is len(completion)/100 = i/100."""
    return Job([Item(f"i{i}", "x" * i, {"slow": {"sleep": sleep}}) for i in range(n)])


def expected(job: Job) -> list[tuple[str, float]]:
    return [(it.id, len(it.completion) / 100) for it in job.items]


def got(results: list[ItemResult] | None) -> list[tuple[str, float | None]]:
    assert results is not None
    return [(r.id, r.reward) for r in results]


@pytest.fixture
async def make_broker(redis_url: str, prefix: str) -> AsyncIterator[Factory]:
    made: list[RedisBroker] = []

    async def make(
        *,
        worker: bool = True,
        chunk_items: int = 256,
        result_ttl_s: int = 60,
        max_pending_items: int = 65536,
        claim_idle_s: float = 30.0,
        liveness_ttl_s: float = 3.0,
    ) -> RedisBroker:
        local = None
        if worker:
            local = RedisWorker(
                redis_url,
                Scorer(None, registry=with_slow()),
                prefix=prefix,
                claim_idle_s=claim_idle_s,
                liveness_ttl_s=liveness_ttl_s,
                result_ttl_s=result_ttl_s,
                block_ms=200,
            )
        broker = RedisBroker(
            redis_url,
            prefix=prefix,
            result_ttl_s=result_ttl_s,
            chunk_items=chunk_items,
            max_pending_items=max_pending_items,
            local_worker=local,
        )
        await broker.start()
        made.append(broker)
        return broker

    yield make
    for broker in made:
        await broker.close()


def assert_drained(rds: redis.Redis, prefix: str) -> None:
    """Nothing left queued, in flight or counted as pending."""
    assert rds.xlen(f"{prefix}:queue") == 0
    assert rds.xpending(f"{prefix}:queue", GROUP)["pending"] == 0
    assert int(rds.get(f"{prefix}:pending") or 0) == 0


async def test_round_trip_in_chunks_keeps_order(make_broker: Factory, rds, prefix) -> None:
    broker = await make_broker(chunk_items=3)
    job = slow_job(10)
    await broker.submit(job)
    assert rds.hget(f"{prefix}:job:{job.id}", "chunks") == b"4"
    state = await broker.state(job.id, wait_s=20)
    assert state is not None and state.status is JobStatus.DONE
    assert got(state.results) == expected(job)
    assert_drained(rds, prefix)
    assert broker.local_worker is not None and broker.local_worker.stats["chunks"] == 4


async def test_run_answers_and_frees_the_job(make_broker: Factory, rds, prefix) -> None:
    broker = await make_broker(chunk_items=2)
    job = slow_job(5)
    assert got(await broker.run(job, timeout_s=20)) == expected(job)
    # The synchronous path deletes its job at once instead of keeping it for the TTL.
    assert not rds.exists(f"{prefix}:job:{job.id}", f"{prefix}:res:{job.id}")


async def test_wait_wakes_on_the_finish_event_not_by_polling(make_broker: Factory) -> None:
    broker = await make_broker()
    reads = 0
    real = broker.queue.read_state_until

    async def counted(job_id: str, **kw: Any) -> Any:
        nonlocal reads
        reads += 1
        return await real(job_id, **kw)

    broker.queue.read_state_until = counted  # type: ignore[method-assign]
    job = slow_job(2, sleep=0.5)
    await broker.submit(job)
    state = await broker.state(job.id, wait_s=30)
    assert state is not None and state.status is JobStatus.DONE
    # One read before waiting, one after the published event: no polling in between.
    assert reads == 2


async def test_state_of_unknown_or_silly_ids_is_none(make_broker: Factory) -> None:
    broker = await make_broker(worker=False)
    assert await broker.state("nope") is None
    assert await broker.state("x" * 10_000, wait_s=1) is None


async def test_results_expire_after_their_ttl(make_broker: Factory, rds, prefix) -> None:
    broker = await make_broker(result_ttl_s=1)
    job = slow_job(3)
    await broker.submit(job)
    state = await broker.state(job.id, wait_s=20)
    assert state is not None and state.status is JobStatus.DONE
    keys = (f"{prefix}:job:{job.id}", f"{prefix}:res:{job.id}")
    assert all(0 < rds.pttl(k) <= 1000 for k in keys)
    deadline = time.monotonic() + 5
    while await broker.state(job.id) is not None:
        assert time.monotonic() < deadline, "results outlived their TTL"
        await asyncio.sleep(0.1)
    assert not rds.exists(*keys)


async def test_queue_bound_refuses_work(make_broker: Factory, rds, prefix) -> None:
    broker = await make_broker(worker=False, max_pending_items=5)
    await broker.submit(slow_job(4))
    with pytest.raises(QueueFull) as err:
        await broker.submit(slow_job(2))
    assert err.value.retry_after >= 1
    await broker.submit(slow_job(1))  # what fits still goes in
    assert int(rds.get(f"{prefix}:pending")) == 5


async def test_a_rerun_chunk_never_doubles_or_mixes_results(make_broker: Factory, rds) -> None:
    broker = await make_broker(worker=False, chunk_items=2)
    q = broker.queue
    job = slow_job(4)
    await broker.submit(job)
    entries = await q.read("ghost", 10, 100)
    from app.broker.redis import decode_entry

    c0, c1 = (decode_entry(eid, f) for eid, f in entries)
    first = [ItemResult(it.id, 1.0, {}, {"run": {"n": 1}}) for it in c0.items]
    second = [ItemResult(it.id, 0.0, {}, {"run": {"n": 2}}) for it in c0.items]
    assert await q.finish(c0, first) == 0
    assert await q.finish(c0, second) == -2  # the re-run of chunk 0 is dropped
    assert await q.finish(c1, [ItemResult(it.id, 0.5, {}, {}) for it in c1.items]) == 1
    assert await q.finish(c1, [ItemResult(it.id, 9.0, {}, {}) for it in c1.items]) == -2
    state = await broker.state(job.id)
    assert state is not None and state.status is JobStatus.DONE
    assert got(state.results) == [("i0", 1.0), ("i1", 1.0), ("i2", 0.5), ("i3", 0.5)]
    assert int(rds.hget(q.keys.job(job.id), "done")) == 2
    assert int(rds.get(q.keys.pending)) == 0  # each chunk's items released once


async def test_reclaimed_chunks_finish_and_stored_ones_are_not_rescored(
    make_broker: Factory, rds, prefix
) -> None:
    # A "ghost" worker took both chunks, stored chunk 0's results, and died before acking.
    feeder = await make_broker(worker=False, chunk_items=2)
    job = slow_job(4)
    await feeder.submit(job)
    from app.broker.redis import decode_entry

    entries = await feeder.queue.read("ghost", 10, 100)
    c0 = decode_entry(*entries[0])
    await feeder.queue.finish(c0, [ItemResult(it.id, 42.0, {}, {}) for it in c0.items], ack=False)
    broker = await make_broker(claim_idle_s=0.3)
    state = await broker.state(job.id, wait_s=20)
    assert state is not None and state.status is JobStatus.DONE
    assert got(state.results) == [("i0", 42.0), ("i1", 42.0), ("i2", 0.02), ("i3", 0.03)]
    stats = broker.local_worker.stats  # type: ignore[union-attr]
    assert stats["reclaimed"] == 2 and stats["skipped_scored"] == 1 and stats["chunks"] == 1
    assert_drained(rds, prefix)


async def test_a_dead_workers_chunks_are_taken_once_its_liveness_key_expires(
    make_broker: Factory, rds, prefix
) -> None:
    # A ghost took both chunks and never said it was alive (as after `kill -9`, once its key
    # expired). The claim time is two minutes: only the liveness path can explain a finish.
    feeder = await make_broker(worker=False, chunk_items=2)
    job = slow_job(4)
    await feeder.submit(job)
    assert len(await feeder.queue.read("ghost", 10, 100)) == 2
    broker = await make_broker(claim_idle_s=120, liveness_ttl_s=0.6)
    state = await broker.state(job.id, wait_s=30)
    assert state is not None and got(state.results) == expected(job)
    stats = broker.local_worker.stats  # type: ignore[union-attr]
    assert stats["reclaimed_dead"] == 2 and stats["chunks"] == 2
    assert_drained(rds, prefix)
    # The dead consumer left the group once it held nothing; the live one is there.
    names = {c["name"].decode() for c in rds.xinfo_consumers(f"{prefix}:queue", GROUP)}
    assert names == {broker.local_worker.name}  # type: ignore[union-attr]


async def test_a_live_worker_is_never_robbed(make_broker: Factory, rds, prefix) -> None:
    # The ghost holds both chunks and its liveness key is fresh: however often the worker
    # looks for dead workers, it takes nothing until the key goes away.
    feeder = await make_broker(worker=False, chunk_items=2)
    job = slow_job(4)
    await feeder.submit(job)
    rds.set(f"{prefix}:alive:ghost", b"{}", ex=120)
    assert len(await feeder.queue.read("ghost", 10, 100)) == 2
    broker = await make_broker(claim_idle_s=120, liveness_ttl_s=0.3)
    worker = broker.local_worker
    assert isinstance(worker, RedisWorker)
    await until(lambda: worker.stats["dead_scans"] >= 10, 30, "ten scans for dead workers")
    assert worker.stats["reclaimed"] == 0
    ghost = rds.xpending_range(f"{prefix}:queue", GROUP, "-", "+", 10, consumername="ghost")
    assert len(ghost) == 2
    rds.delete(f"{prefix}:alive:ghost")  # the ghost dies
    state = await broker.state(job.id, wait_s=30)
    assert state is not None and got(state.results) == expected(job)
    assert worker.stats["reclaimed_dead"] == 2


async def test_a_chunk_that_keeps_killing_workers_fails_its_job(
    make_broker: Factory, rds, prefix
) -> None:
    feeder = await make_broker(worker=False)
    job = slow_job(2)
    await feeder.submit(job)
    ((entry_id, _),) = await feeder.queue.read("ghost", 10, 100)
    for _ in range(MAX_DELIVERIES):  # as if MAX_DELIVERIES more workers died holding it
        rds.xclaim(f"{prefix}:queue", GROUP, "ghost", 0, [entry_id])
    broker = await make_broker(claim_idle_s=0.2)
    state = await broker.state(job.id, wait_s=20)
    assert state is not None and state.status is JobStatus.FAILED
    assert "workers kept dying" in (state.error or "")
    assert_drained(rds, prefix)


async def test_malformed_stream_entries_do_not_kill_the_worker(
    make_broker: Factory, rds, prefix
) -> None:
    broker = await make_broker()
    stream = f"{prefix}:queue"
    # A job whose only chunk arrives corrupted: the job fails with a reason.
    rds.hset(f"{prefix}:job:victim", mapping={"status": "queued", "chunks": 1, "done": 0})
    rds.expire(f"{prefix}:job:victim", 60)
    rds.xadd(stream, {"job": "victim", "idx": "0", "of": "1", "items": "{not json"})
    rds.xadd(stream, {"foo": "bar"})
    rds.xadd(stream, {"job": b"\xff\xfe", "idx": b"\x00", "items": b"\x80"})
    rds.xadd(stream, {"job": "j", "idx": "0", "of": "1", "items": '[{"id": 1}]'})
    victim = await broker.state("victim", wait_s=20)
    assert victim is not None and victim.status is JobStatus.FAILED
    assert "malformed" in (victim.error or "")
    job = slow_job(3)
    await broker.submit(job)
    state = await broker.state(job.id, wait_s=20)
    assert state is not None and got(state.results) == expected(job)
    worker = broker.local_worker
    assert worker is not None and worker.stats["malformed"] == 4
    assert broker._worker_task is not None and not broker._worker_task.done()
    assert rds.xlen(stream) == 0 and rds.xpending(stream, GROUP)["pending"] == 0


async def test_unknown_check_fails_the_job_with_a_reason(make_broker: Factory) -> None:
    broker = await make_broker()
    job = Job([Item("a", "x", {"no_such_check": {}})])
    await broker.submit(job)
    state = await broker.state(job.id, wait_s=20)
    assert state is not None and state.status is JobStatus.FAILED
    assert "no_such_check" in (state.error or "")


async def test_health_reports_redis_and_the_local_worker(make_broker: Factory) -> None:
    broker = await make_broker()
    health = await broker.health()
    assert health["ok"] is True and health["kind"] == "redis"
    assert health["local_worker"]["consumer"] == broker.local_worker.name  # type: ignore[union-attr]
