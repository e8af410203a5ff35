"""A worker's load, as /metrics and an autoscaler read it: how busy its checker processes
were lately, what waits for them, and the code sandboxes warm and busy."""

from __future__ import annotations

import collections
import time
from typing import TYPE_CHECKING, Any

import sandbox

if TYPE_CHECKING:
    from app.worker.pool import CheckerPool

#: The busy share is measured over about this many seconds.
WINDOW_S = 30.0


class BusyWindow:
    """The share of the last `WINDOW_S` seconds the pool's processes spent scoring, from
    samples of its busy-seconds counter taken at each call (a heartbeat or a scrape)."""

    def __init__(self, window_s: float = WINDOW_S) -> None:
        self.window_s = window_s
        self._samples: collections.deque[tuple[float, float]] = collections.deque()

    def share(self, pool: CheckerPool | None) -> float:
        """Busy share in [0, 1] since the oldest sample still in the window (0 without a pool
        or before a second sample)."""
        if pool is None:
            return 0.0
        now, busy = time.monotonic(), pool.load()["busy_s"]
        self._samples.append((now, busy))
        while len(self._samples) > 2 and now - self._samples[1][0] >= self.window_s:
            self._samples.popleft()
        t0, b0 = self._samples[0]
        if now - t0 <= 0:
            return 0.0
        return max(0.0, min(1.0, (busy - b0) / ((now - t0) * pool.size)))


def load_figures(pool: CheckerPool | None) -> dict[str, Any]:
    """Items waiting for a checker process and the oldest one's wait, checker processes, and
    this process's code sandboxes (warm = started and idle, busy = running a program; the
    programs they served and the sandboxes retired, by reason, since the start)."""
    figures = pool.load() if pool is not None else {}
    boxes = sandbox.stats()
    return {
        "waiting": int(figures.get("waiting", 0)),
        "oldest_wait_s": round(float(figures.get("oldest_wait_s", 0.0)), 3),
        "processes": int(figures.get("processes", 0)),
        "busy_s": round(float(figures.get("busy_s", 0.0)), 3),
        "sandbox_warm": boxes["warm"],
        "sandbox_busy": boxes["busy"],
        "sandbox_programs": int(boxes.get("programs", 0)),
        "sandbox_recycled": dict(boxes.get("recycled") or {}),
    }
