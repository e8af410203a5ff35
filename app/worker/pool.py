"""A pool of checker processes with a deadline per item.

`concurrent.futures.ProcessPoolExecutor` cannot kill one task, so this pool owns its processes:
each slot is a child process fed by one thread of the parent. A slot sends the child a chunk of
tasks, the child answers item by item, and the slot times every item from the moment the one
before it finished. An item that overruns gets its child killed (SIGKILL: a checker stuck in C
code cannot be interrupted any other way), is scored `timeout`, and the rest of the chunk goes to
a fresh child. A child that dies (segfault, OOM kill) costs only the item it was on (`error`).

Children come from a forkserver that has already imported the checkers, so a replacement is a
cheap fork, and no child inherits the server's threads or event loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import math
import multiprocessing as mp
import queue
import signal
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from app.checkers.base import Score

log = logging.getLogger("rewardkit.pool")

#: Modules the forkserver imports once, so every child starts warm.
PRELOAD = ["app.checkers.registry"]
#: Items per chunk at most: small enough to spread a batch over every child.
MAX_CHUNK = 32
#: How long past a batch deadline a running chunk may take to hand back what it finished
#: (its slot stops at the deadline by itself; this covers the thread hop).
SLOT_MARGIN_S = 0.5


@dataclass(frozen=True, slots=True)
class Task:
    """One checker call. `fn` must be a module-level function (it is pickled by name)."""

    fn: Callable[[str, Mapping[str, Any]], Score]
    completion: str
    params: Mapping[str, Any]
    deadline_s: float


def _child_main(conn: Connection) -> None:
    """Child loop: receive a chunk, answer `(score_json, seconds)` per item, repeat."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    while True:
        try:
            chunk = conn.recv()
        except (EOFError, OSError):
            return
        if chunk is None:
            return
        for fn, completion, params in chunk:
            t0 = time.perf_counter()
            try:
                out = fn(completion, params).to_json()
            except Exception as exc:  # a checker bug must not take the child down
                out = Score.error(f"checker crashed: {type(exc).__name__}: {exc}"[:500]).to_json()
            conn.send((out, time.perf_counter() - t0))


@dataclass(slots=True)
class _Chunk:
    tasks: Sequence[Task]
    future: concurrent.futures.Future[list[tuple[Score, float]]]
    queued_at: float = 0.0
    until: float | None = None  # the batch deadline (monotonic): nothing runs past it


class _Slot:
    """One child process and the parent thread that drives it."""

    def __init__(self, pool: CheckerPool, index: int) -> None:
        self.pool = pool
        self.index = index
        self.proc: Any = None
        self.conn: Connection | None = None
        self.thread: threading.Thread | None = None

    def start_thread(self) -> None:
        # A fresh thread per start: a pool can be closed and started again (app restarts).
        self.thread = threading.Thread(
            target=self._loop, name=f"pool-slot-{self.index}", daemon=True
        )
        self.thread.start()

    def spawn(self) -> None:
        parent, child = self.pool.ctx.Pipe(duplex=True)
        proc = self.pool.ctx.Process(target=_child_main, args=(child,), daemon=True)
        proc.start()
        child.close()
        self.proc, self.conn = proc, parent

    def kill(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.join(timeout=5)
            self.proc.close()
        if self.conn is not None:
            self.conn.close()
        self.proc = self.conn = None

    def restart(self, why: str) -> None:
        self.pool.restarts += 1
        log.warning("checker process %d restarted: %s", self.index, why)
        self.kill()
        self.spawn()

    def _loop(self) -> None:
        while True:
            chunk = self.pool.queue.get()
            if chunk is None:
                return
            self.pool._picked(self.index, chunk)
            # A chunk whose batch gave up on it (its deadline passed while it was queued) was
            # cancelled: drop it without running anything.
            if not chunk.future.set_running_or_notify_cancel():
                self.pool._released(self.index)
                continue
            try:
                chunk.future.set_result(self._run(chunk.tasks, chunk.until))
                if self.proc is None:  # killed at a batch deadline: replace it now, answered
                    self.restart("batch deadline passed: work cancelled")
            except BaseException as exc:  # never leave a caller waiting
                log.exception("checker slot %d failed", self.index)
                err = Score.error(f"checker pool failure: {type(exc).__name__}: {exc}")
                chunk.future.set_result([(err, 0.0)] * len(chunk.tasks))
                self.restart("slot failure")
            finally:
                self.pool._released(self.index)

    def _run(self, tasks: Sequence[Task], until: float | None) -> list[tuple[Score, float]]:
        results: list[tuple[Score, float]] = []
        while len(results) < len(tasks):
            if until is not None and time.monotonic() >= until:
                results += [(Score.deadline(), 0.0)] * (len(tasks) - len(results))
                break
            if self.proc is None or not self.proc.is_alive():
                self.restart("child was not alive")
            assert self.conn is not None
            rest = tasks[len(results) :]
            try:
                self.conn.send([(t.fn, t.completion, t.params) for t in rest])
            except OSError:  # the child died while idle: a fresh one takes the chunk
                self.restart("pipe to child broken")
                continue
            started = time.monotonic()
            for k, task in enumerate(rest):
                now = time.monotonic()
                left = task.deadline_s - (now - started)
                cut = math.inf if until is None else until - now
                if min(left, cut) > 0 and self.conn.poll(min(left, cut)):
                    try:
                        out, seconds = self.conn.recv()
                    except (EOFError, OSError):
                        self.pool.crashes += 1
                        results.append((Score.error("checker process died on this item"), 0.0))
                        self.restart("child died")
                        break
                    results.append((Score.from_json(out), seconds))
                    started = time.monotonic()
                elif cut < left:
                    # The batch deadline came before this item's: cancel the work in hand
                    # (kill the child) rather than let it load the pool after the answer.
                    self.pool.cancelled += len(rest) - k
                    results += [(Score.deadline(), 0.0)] * (len(rest) - k)
                    # Killed now, replaced once the answer is out (`_loop`): the answer is not
                    # kept waiting for a fork.
                    self.kill()
                    break
                else:
                    self.pool.timeouts += 1
                    message = f"check exceeded its {task.deadline_s:g}s deadline"
                    results.append((Score.timeout(message), task.deadline_s))
                    self.restart("item overran its deadline")
                    break
            self.pool.items += len(results)
        return results


class CheckerPool:
    """A fixed number of checker processes; `await pool.run(tasks)` scores tasks in order."""

    def __init__(self, size: int, *, max_chunk: int = MAX_CHUNK) -> None:
        if size < 1:
            raise ValueError("a checker pool needs at least one process")
        self.size = size
        self.max_chunk = max_chunk
        self.ctx = mp.get_context("forkserver")
        self.queue: queue.SimpleQueue[_Chunk | None] = queue.SimpleQueue()
        self.slots = [_Slot(self, i) for i in range(size)]
        self.restarts = self.timeouts = self.crashes = self.items = self.cancelled = 0
        self.started = False
        # Load figures for /metrics and the autoscaler: items queued for a slot (with the
        # time each chunk was queued), and busy time of the slots.
        self._stat_lock = threading.Lock()
        self._queued: dict[int, tuple[int, float]] = {}
        self._busy_total = 0.0
        self._busy_since: dict[int, float] = {}

    def start(self) -> None:
        """Start the children (the first call also starts the forkserver)."""
        if self.started:
            return
        self.ctx.set_forkserver_preload(PRELOAD)
        for slot in self.slots:
            slot.spawn()
            slot.start_thread()
        self.started = True

    def close(self) -> None:
        """Stop the slots after the work already queued, then kill the children."""
        if not self.started:
            return
        for _ in self.slots:
            self.queue.put(None)
        for slot in self.slots:
            if slot.thread is not None:
                slot.thread.join(timeout=10)
            slot.kill()
        self.started = False

    def submit(
        self, tasks: Sequence[Task], until: float | None = None
    ) -> concurrent.futures.Future[list[tuple[Score, float]]]:
        """Queue `tasks` as one chunk; the future gives `(score, seconds)` per task, in order.
        Tasks not finished by `until` (a `time.monotonic()` instant) score `deadline`; cancel
        the future to drop a chunk that has not started."""
        fut: concurrent.futures.Future[list[tuple[Score, float]]] = concurrent.futures.Future()
        chunk = _Chunk(tasks, fut, time.monotonic(), until)
        with self._stat_lock:
            self._queued[id(fut)] = (len(tasks), chunk.queued_at)
        self.queue.put(chunk)
        return fut

    def _picked(self, slot: int, chunk: _Chunk) -> None:
        with self._stat_lock:
            self._queued.pop(id(chunk.future), None)
            self._busy_since[slot] = time.monotonic()

    def _released(self, slot: int) -> None:
        with self._stat_lock:
            since = self._busy_since.pop(slot, None)
            if since is not None:
                self._busy_total += time.monotonic() - since

    def load(self) -> dict[str, float]:
        """`waiting` items queued for a slot, `oldest_wait_s` (age of the oldest such chunk,
        0 when none), `busy_s` (slot-seconds spent scoring since start; a counter), `busy`
        (slots scoring now) and `processes`."""
        now = time.monotonic()
        with self._stat_lock:
            waiting = sum(n for n, _ in self._queued.values())
            oldest = min((t for _, t in self._queued.values()), default=now)
            busy_s = self._busy_total + sum(now - t for t in self._busy_since.values())
            busy = len(self._busy_since)
        return {
            "waiting": waiting,
            "oldest_wait_s": now - oldest,
            "busy_s": busy_s,
            "busy": busy,
            "processes": self.size,
        }

    async def run(
        self, tasks: Sequence[Task], until: float | None = None
    ) -> list[tuple[Score, float]]:
        """Score `tasks` spread over every child; results in the order of `tasks`. With
        `until` (a `time.monotonic()` instant) the answer comes by then: work not finished
        scores `deadline`, and is cancelled (queued chunks dropped, running items killed)."""
        if not tasks:
            return []
        size = max(1, min(self.max_chunk, math.ceil(len(tasks) / self.size)))
        parts = [tasks[i : i + size] for i in range(0, len(tasks), size)]
        futures = [self.submit(part, until) for part in parts]
        waiting = [asyncio.wrap_future(f) for f in futures]
        if until is None:
            await asyncio.gather(*waiting)
        else:
            await asyncio.wait(waiting, timeout=max(0.0, until - time.monotonic()))
            # Chunks still queued behind other work are dropped; running ones stop by
            # themselves at `until` (their slot sees it) with the items they finished.
            for fut in futures:
                if fut.cancel():  # no longer waiting for anyone
                    with self._stat_lock:
                        self._queued.pop(id(fut), None)
            running = [w for w, f in zip(waiting, futures, strict=True) if not f.cancelled()]
            if running:
                await asyncio.wait(running, timeout=SLOT_MARGIN_S)
        out: list[tuple[Score, float]] = []
        for part, fut in zip(parts, futures, strict=True):
            if fut.done() and not fut.cancelled():
                out.extend(fut.result())
            else:
                out.extend([(Score.deadline(), 0.0)] * len(part))
        return out

    def health(self) -> dict[str, Any]:
        """Counters for /healthz."""
        alive = sum(1 for s in self.slots if s.proc is not None and s.proc.is_alive())
        return {
            "processes": self.size,
            "alive": alive,
            "items": self.items,
            "timeouts": self.timeouts,
            "crashes": self.crashes,
            "restarts": self.restarts,
            "cancelled": self.cancelled,
        }
