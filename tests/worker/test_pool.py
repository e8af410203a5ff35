"""The checker pool: per-item deadlines kill only the item that overran, crashes cost one
item, the pool recovers, and order is kept."""

from __future__ import annotations

import asyncio
import time

import pytest

from app.checkers.base import Status
from app.worker.pool import CheckerPool, Task
from tests.helpers import checkers as h
from tests.helpers.timing import HANG_S


@pytest.fixture(scope="module")
def pool():
    p = CheckerPool(2, max_chunk=4)
    p.start()
    yield p
    p.close()


def run(pool: CheckerPool, tasks: list[Task]):
    return asyncio.run(pool.run(tasks))


def test_order_and_spread(pool: CheckerPool) -> None:
    tasks = [Task(h.echo, str(i), {"want": "3"}, 5.0) for i in range(16)]
    out = run(pool, tasks)
    assert [s.value for s, _ in out] == [1.0 if i == 3 else 0.0 for i in range(16)]
    assert len({s.details["pid"] for s, _ in out}) == 2  # both children took chunks


def test_hanging_item_times_out_and_batch_goes_on(pool: CheckerPool) -> None:
    before = pool.restarts
    tasks = [
        Task(h.hang, "ok", {}, 5.0),
        Task(h.hang, "hang", {}, 0.5),
        Task(h.hang, "ok", {}, 5.0),
        Task(h.hang, "ok", {}, 5.0),
    ]
    t0 = time.monotonic()
    out = run(pool, tasks)
    elapsed = time.monotonic() - t0
    assert [s.status for s, _ in out] == [Status.OK, Status.TIMEOUT, Status.OK, Status.OK]
    assert out[1][0].value == 0.0
    assert elapsed < HANG_S  # cut at the 0.5 s deadline, not left hanging forever
    assert pool.restarts > before
    # The pool still works afterwards, on every slot.
    again = run(pool, [Task(h.echo, "x", {"want": "x"}, 5.0) for _ in range(8)])
    assert all(s.value == 1.0 for s, _ in again)


def test_crashing_child_costs_one_item(pool: CheckerPool) -> None:
    out = run(pool, [Task(h.crash, c, {}, 5.0) for c in ("a", "crash", "b")])
    assert [s.status for s, _ in out] == [Status.OK, Status.ERROR, Status.OK]
    assert out[1][0].value is None
    assert "died" in out[1][0].details["message"]


def test_raising_checker_is_error_not_crash(pool: CheckerPool) -> None:
    ((score, _),) = run(pool, [Task(h.boom, "x", {}, 5.0)])
    assert score.status is Status.ERROR
    assert "ZeroDivisionError" in score.details["message"]


def test_several_hangs_in_one_chunk(pool: CheckerPool) -> None:
    tasks = [Task(h.hang, "hang", {}, 0.3) for _ in range(3)] + [Task(h.hang, "ok", {}, 5.0)]
    out = run(pool, tasks)
    assert [s.status for s, _ in out] == [Status.TIMEOUT] * 3 + [Status.OK]
    assert pool.health()["alive"] == 2


def test_empty_run(pool: CheckerPool) -> None:
    assert run(pool, []) == []


def test_batch_deadline_answers_with_what_finished_and_kills_the_rest() -> None:
    # Chunks of 2 over 2 processes: [ok, ok] and [hang, ok]. The per-item deadline is ten
    # hang bounds, the batch deadline one second: only the batch deadline can end this run.
    p = CheckerPool(2, max_chunk=2)
    p.start()
    try:
        tasks = [Task(h.hang, c, {}, 10 * HANG_S) for c in ("ok", "ok", "hang", "ok")]

        async def go() -> list:
            return await p.run(tasks, until=time.monotonic() + 1.0)

        t0 = time.monotonic()
        out = asyncio.run(go())
        took = time.monotonic() - t0
        statuses = [s.status for s, _ in out]
        assert statuses == [Status.OK, Status.OK, Status.DEADLINE, Status.DEADLINE]
        assert [s.value for s, _ in out] == [1.0, 1.0, None, None]
        # The running item was cancelled (its process killed), not left to hang: the one item
        # behind it in the chunk was never run either.
        assert p.cancelled == 2 and p.timeouts == 0
        assert took < HANG_S  # ten hang bounds without the batch deadline
        # Both processes are free again: a follow-up batch is scored in full.
        again = asyncio.run(p.run([Task(h.echo, "x", {"want": "x"}, 60.0) for _ in range(4)]))
        assert [s.value for s, _ in again] == [1.0] * 4
    finally:
        p.close()


def test_queued_chunks_past_the_deadline_are_dropped_unrun(tmp_path) -> None:
    # One process, busy with a hanging batch; a second batch queues behind it with a short
    # deadline: it answers `deadline` and none of its work ever runs.
    p = CheckerPool(1, max_chunk=4)
    p.start()
    log = tmp_path / "calls.log"
    try:
        blocker = p.submit([Task(h.hang, "hang", {}, 60.0)], until=time.monotonic() + 2.0)
        queued = asyncio.run(
            p.run(
                [Task(h.count_calls, "late", {"log": str(log)}, 60.0)],
                until=time.monotonic() + 0.5,
            )
        )
        assert [s.status for s, _ in queued] == [Status.DEADLINE]
        assert [s.status for s, _ in blocker.result(timeout=30)] == [Status.DEADLINE]
        assert p.load()["waiting"] == 0
        out = asyncio.run(p.run([Task(h.count_calls, "now", {"log": str(log)}, 60.0)]))
        assert [s.value for s, _ in out] == [0.5]
        assert log.read_text().split() == ["now"]  # "late" never ran
    finally:
        p.close()
