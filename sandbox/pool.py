"""A pool of warm sandboxes, each serving many programs one after another.

The pool knows nothing of what a sandbox is: the backend gives it `spawn` (start one, ready to
serve) and `close` (end one), and decides after each run whether the sandbox goes back
(`give_back`) or goes (`retire`, with a reason that `/metrics` counts). One long-lived thread
spawns every sandbox: bwrap's `--die-with-parent` watches the thread that started it, so a
sandbox spawned by a request's thread would die with that thread while still in the pool.

Sizing: at most `size` sandboxes exist (busy, idle or starting); from the first `take` on, at
least `warm` are kept started; a sandbox idle for `idle_s` beyond those is closed, so the pool
follows the load.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Generic, TypeVar

from sandbox import cancel
from sandbox.types import SandboxUnavailable

log = logging.getLogger("rewardkit.sandbox")

B = TypeVar("B")


class WarmPool(Generic[B]):
    """Sandboxes started ahead of time and reused; `take` blocks until one is free."""

    def __init__(
        self,
        spawn: Callable[[], B],
        close: Callable[[B], None],
        alive: Callable[[B], bool],
        *,
        size: int,
        warm: int,
        idle_s: float = 120.0,
    ) -> None:
        if size < 1:
            raise ValueError("a pool needs size >= 1")
        self._spawn, self._close, self._alive = spawn, close, alive
        self.size = size
        self.warm = max(0, min(warm, size))
        self.idle_s = idle_s
        # One lock, two conditions: the spawner waits on `_cv` for work, takers on `_free`
        # for a sandbox (notifying every taker on every event would keep them all spinning).
        self._cv = threading.Condition()
        self._free = threading.Condition(self._cv)
        self._idle: list[tuple[B, float]] = []  # (sandbox, idle since), most recent last
        self._busy = 0
        self._starting = 0
        self._waiting = 0
        self._failures = 0
        self._last_error = ""
        self._closed = False
        self.programs = 0  # runs handed out since the start
        self.spawned = 0
        self.recycled: Counter[str] = Counter()
        # Started by the first `take`: a process that never runs a program (an API-only
        # process, a test's app) starts no sandbox.
        self._thread: threading.Thread | None = None

    # --- the spawner thread -------------------------------------------------------------------

    def _wanted(self) -> bool:
        total = self._busy + len(self._idle) + self._starting
        if total >= self.size:
            return False
        ready = len(self._idle) + self._starting  # idle or on their way: each serves a taker
        return self._waiting > ready or ready < self.warm

    def _spawner(self) -> None:
        while True:
            with self._cv:
                while not self._closed and not self._wanted():
                    self._cv.wait(timeout=min(5.0, self.idle_s))
                    self._shrink()
                if self._closed:
                    return
                self._starting += 1
            try:
                box = self._spawn()
            except Exception as exc:  # keep the spawner alive whatever happens
                log.error("sandbox pool cannot start a sandbox: %s", exc)
                with self._cv:
                    self._starting -= 1
                    self._failures += 1
                    self._last_error = str(exc)[:500]
                    self._free.notify_all()  # every waiting taker learns why
                time.sleep(1.0)
                continue
            with self._cv:
                self._starting -= 1
                self.spawned += 1
                if self._closed:
                    closing = True
                else:
                    closing = False
                    self._idle.append((box, time.monotonic()))
                    self._free.notify()
            if closing:
                self._close(box)

    def _shrink(self) -> None:
        """Close sandboxes idle for `idle_s` beyond the `warm` ones (lock held)."""
        now = time.monotonic()
        while len(self._idle) > self.warm and now - self._idle[0][1] > self.idle_s:
            box, _ = self._idle.pop(0)
            self.recycled["idle"] += 1
            threading.Thread(target=self._close, args=(box,), daemon=True).start()

    # --- taking and giving back ---------------------------------------------------------------

    def take(self) -> B:
        """A started sandbox for one run (the caller owns it until `give_back` or `retire`).
        Honours the caller's cancel scope; raises `SandboxUnavailable` when sandboxes cannot
        be started (the spawner's error)."""
        with self._cv:
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(
                    target=self._spawner, name="sandbox-pool", daemon=True
                )
                self._thread.start()
            self._waiting += 1
            failures = self._failures
            try:
                while True:
                    if self._closed:
                        raise SandboxUnavailable("the sandbox pool is closed")
                    while self._idle:
                        box, _ = self._idle.pop()
                        if self._alive(box):
                            self._busy += 1
                            self.programs += 1
                            return box
                        self.recycled["died"] += 1
                    if self._failures > failures:
                        raise SandboxUnavailable(f"sandbox failed to start: {self._last_error}")
                    if self._wanted():
                        self._cv.notify()  # the spawner starts one for us
                    self._free.wait(timeout=cancel.step(1.0))
                    cancel.check()
            finally:
                self._waiting -= 1
                if self._idle and self._waiting:
                    self._free.notify()  # a woken taker that leaves passes its turn on

    def give_back(self, box: B) -> None:
        """The run is over and `box` may serve another program."""
        with self._cv:
            self._busy -= 1
            if not self._closed:
                self._idle.append((box, time.monotonic()))
                self._free.notify()
                return
        self._close(box)

    def retire(self, box: B, why: str) -> None:
        """`box` must not serve again (`why`: its reason, counted); the spawner replaces it."""
        with self._cv:
            self._busy -= 1
            self.recycled[why] += 1
            if self._wanted():
                self._cv.notify()  # the spawner replaces it
        self._close(box)

    def discard(self, box: B, why: str) -> None:
        """Like `retire`, for a sandbox taken with `take` that never ran (found unfit)."""
        with self._cv:
            self.programs -= 1
        self.retire(box, why)

    def stats(self) -> dict[str, object]:
        """Sandboxes `warm` (started, idle), `busy`, `starting`; `programs` served,
        `spawned`, and `recycled` by reason."""
        with self._cv:
            return {
                "warm": len(self._idle),
                "busy": self._busy,
                "starting": self._starting,
                "size": self.size,
                "programs": self.programs,
                "spawned": self.spawned,
                "recycled": dict(self.recycled),
            }

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        """Stop spawning and close the idle sandboxes (busy ones close when given back)."""
        with self._cv:
            self._closed = True
            boxes, self._idle = [b for b, _ in self._idle], []
            self._cv.notify_all()
            self._free.notify_all()
        for box in boxes:
            self._close(box)
