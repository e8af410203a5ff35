"""Cancelling a run from another thread: the batch deadline of the service.

A caller that runs `sandbox.run` in a worker thread wraps the call in `cancel_scope(event)`;
setting the event from any thread makes the run stop within `STEP_S`: the backend kills the
sandbox (everything the program started dies with it) and `run` raises `Cancelled`. Code that
never enters a scope is unaffected (runs are not cancellable, and waits are not sliced).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

#: How often a cancellable wait looks at its event.
STEP_S = 0.05

_local = threading.local()


class Cancelled(RuntimeError):
    """The run was cancelled (its caller's deadline passed); its sandbox is gone."""


@contextmanager
def cancel_scope(event: threading.Event) -> Iterator[None]:
    """Runs started in this thread inside the block stop when `event` is set."""
    previous = getattr(_local, "event", None)
    _local.event = event
    try:
        yield
    finally:
        _local.event = previous


def check() -> None:
    """Raise `Cancelled` if this thread's scope was cancelled."""
    event = getattr(_local, "event", None)
    if event is not None and event.is_set():
        raise Cancelled("cancelled by the caller's deadline")


def step(left: float) -> float:
    """How long a wait of `left` seconds may block before it checks for cancellation."""
    return min(left, STEP_S) if getattr(_local, "event", None) is not None else left
