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
