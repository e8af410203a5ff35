"""The warm pool's own rules, on stand-in sandboxes (no bwrap): sizing, reuse, failures."""

from __future__ import annotations

import itertools
import threading

import pytest

from sandbox import SandboxUnavailable
from sandbox.pool import WarmPool
from tests.helpers.timing import HANG_S, wait_until


class Box:
    """A stand-in sandbox: a number, alive until closed."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.closed = False


def make_pool(size: int, warm: int, idle_s: float = 120.0, fail: bool = False):
    numbers = itertools.count()
    closed: list[int] = []
    threads: set[str] = set()

    def spawn() -> Box:
        threads.add(threading.current_thread().name)
        if fail:
            raise OSError("bwrap: no such file")
        return Box(next(numbers))

    def close(b: Box) -> None:
        b.closed = True
        closed.append(b.n)

    pool = WarmPool(spawn, close, lambda b: not b.closed, size=size, warm=warm, idle_s=idle_s)
    return pool, closed, threads


def test_nothing_starts_before_the_first_take() -> None:
    pool, _, _ = make_pool(size=4, warm=2)
    try:
        assert pool.stats()["spawned"] == 0
        box = pool.take()
        # While one is busy, two more are started ahead (warm = idle and ready), no more.
        assert wait_until(lambda: pool.stats()["warm"] == 2)
        pool.give_back(box)
        assert pool.stats()["warm"] == 3 and pool.stats()["spawned"] == 3
    finally:
        pool.close()


def test_one_spawner_thread_starts_every_sandbox() -> None:
    pool, _, threads = make_pool(size=3, warm=3)
    try:
        boxes = [pool.take() for _ in range(3)]
        assert threads == {"sandbox-pool"}
        for b in boxes:
            pool.give_back(b)
    finally:
        pool.close()


def test_grows_with_the_load_up_to_its_size_and_reuses() -> None:
    pool, _, _ = make_pool(size=3, warm=1)
    try:
        held = [pool.take() for _ in range(3)]
        assert len({b.n for b in held}) == 3
        got: list[Box] = []
        waiter = threading.Thread(target=lambda: got.append(pool.take()))
        waiter.start()  # a fourth run waits: the pool is at its size
        assert wait_until(lambda: pool._waiting == 1)
        assert pool.stats()["spawned"] == 3
        pool.give_back(held[0])
        waiter.join(HANG_S)
        assert got == [held[0]]  # the same sandbox serves the next program
        s = pool.stats()
        assert s["programs"] == 4 and s["busy"] == 3 and s["spawned"] == 3
    finally:
        pool.close()


def test_idle_sandboxes_beyond_the_warm_ones_are_closed() -> None:
    pool, closed, _ = make_pool(size=3, warm=1, idle_s=0.05)
    try:
        held = [pool.take() for _ in range(3)]
        for b in held:
            pool.give_back(b)
        assert wait_until(lambda: pool.stats()["warm"] == 1)
        assert len(closed) == 2 and pool.stats()["recycled"] == {"idle": 2}
    finally:
        pool.close()


def test_retired_sandboxes_are_counted_and_replaced() -> None:
    pool, closed, _ = make_pool(size=1, warm=1)
    try:
        first = pool.take()
        pool.retire(first, "leftover_key")
        second = pool.take()
        assert second is not first and closed == [first.n]
        pool.discard(second, "no_answer")
        assert pool.stats()["recycled"] == {"leftover_key": 1, "no_answer": 1}
        assert pool.stats()["programs"] == 1  # a discarded sandbox ran nothing
    finally:
        pool.close()


def test_a_dead_idle_sandbox_is_not_handed_out() -> None:
    pool, _, _ = make_pool(size=1, warm=1)
    try:
        box = pool.take()
        pool.give_back(box)
        box.closed = True  # it died while idle
        assert pool.take() is not box
        assert pool.stats()["recycled"] == {"died": 1}
    finally:
        pool.close()


def test_a_pool_that_cannot_spawn_says_why() -> None:
    pool, _, _ = make_pool(size=2, warm=2, fail=True)
    try:
        with pytest.raises(SandboxUnavailable, match="no such file"):
            pool.take()
    finally:
        pool.close()


def test_after_close_nothing_is_handed_out_and_returns_are_closed() -> None:
    pool, closed, _ = make_pool(size=2, warm=1)
    box = pool.take()
    pool.close()
    assert closed == []  # the busy sandbox is its taker's until it comes back
    assert pool.closed
    pool.give_back(box)
    assert box.closed
    with pytest.raises(SandboxUnavailable, match="closed"):
        pool.take()


def test_size_must_be_positive() -> None:
    with pytest.raises(ValueError):
        WarmPool(lambda: Box(0), lambda b: None, lambda b: True, size=0, warm=0)
