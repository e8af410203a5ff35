"""Time in tests: bounds for "it ended", never for "it was fast".

A test may bound how long something takes only to catch a hang: the broken behaviour it guards
against (a sleep of an hour, an infinite loop, a quadratic scan of megabytes) must take far
longer than `HANG_S`, and correct code a small fraction of it even on a loaded 2-core machine.
Speed is measured by the benchmarks in loadtests/, as ratios against a baseline.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

#: Longer than any correct run here under load; far shorter than any hang it catches.
HANG_S = 60.0

T = TypeVar("T")


def wait_until(probe: Callable[[], T], timeout_s: float = HANG_S, step_s: float = 0.02) -> T:
    """Poll `probe` until it returns something truthy and return it; the last (falsy) value
    after `timeout_s`. For effects that land asynchronously (a process reaped, a key set):
    waiting for the event instead of sleeping a guessed time."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = probe()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(step_s)
