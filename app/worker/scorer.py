"""Score a batch of items: remove duplicate work, run each checker where it belongs, combine.

This is the worker's core, shared by the embedded broker, the Redis worker and the
`rewardkit score` command. It knows checkers and the pool, nothing of HTTP or brokers.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from app import metrics
from app.checkers.base import Score, Status
from app.checkers.registry import REGISTRY, Checker
from app.jobs import Item, ItemResult
from app.scoring import combine
from app.worker.pool import CheckerPool, Task
from sandbox.cancel import cancel_scope

if TYPE_CHECKING:
    from app.config import Settings

log = logging.getLogger("rewardkit.scorer")

#: Threads for "io" checkers (the code sandbox): each mostly waits on a child process.
IO_THREADS = 32
#: Inline work on less text than this runs on the event loop itself: a thread hop (and the
#: GIL hand-offs it brings) costs more than scanning a few hundred KB. Larger batches go to a
#: thread so the loop keeps answering other requests.
INLINE_ON_LOOP_BYTES = 256 * 1024


@dataclass(slots=True)
class _Work:
    """One distinct piece of work and the (item, check) slots that share its result."""

    checker: Checker
    completion: str
    params: Mapping[str, Any]
    slots: list[tuple[int, str]] = field(default_factory=list)
    score: Score | None = None


class Scorer:
    """Turns items into results. `pool` may be None: pool checkers then run in a thread
    (no deadline enforcement; for tools and tests that want no child processes)."""

    def __init__(
        self,
        pool: CheckerPool | None,
        *,
        item_timeout_s: float = 10.0,
        registry: Mapping[str, Checker] = REGISTRY,
    ) -> None:
        self.pool = pool
        self.item_timeout_s = item_timeout_s
        self.registry = registry
        self._io_gate = asyncio.Semaphore(IO_THREADS)

    async def score(self, items: Sequence[Item], until: float | None = None) -> list[ItemResult]:
        """Score every item; results in the order of `items`. Never raises for bad items.

        With `until` (a `time.monotonic()` instant: the batch deadline) the answer comes by
        then: checks not finished are `deadline` (no score), and their work is cancelled
        (queued pool work dropped, running pool items killed, sandbox runs not yet started
        dropped, a sandbox run already under way killed)."""
        scores: list[dict[str, Score]] = [{} for _ in items]
        names = {name for it in items for name in it.checks}
        late = {name for name in names if self.registry[name].depends_on}
        await self._run_stage(items, scores, names - late, until)
        # Checks that read other checks' scores (e.g. `length` reads `math`) run second.
        if late:
            await self._run_stage(items, scores, late, until)
        return [
            combine(it.id, {n: scores[i][n] for n in it.checks}, it.weights)
            for i, it in enumerate(items)
        ]

    async def _run_stage(
        self,
        items: Sequence[Item],
        scores: list[dict[str, Score]],
        stage: set[str],
        until: float | None,
    ) -> None:
        work: dict[tuple[str, Hashable], _Work] = {}
        checkers = {name: self.registry[name] for name in stage}
        for i, item in enumerate(items):
            for name, params in item.checks.items():
                checker = checkers.get(name)
                if checker is None:
                    continue
                if checker.depends_on:
                    deps = {d: scores[i][d].to_json() for d in checker.depends_on if d in scores[i]}
                    params = {**params, "_deps": deps}
                try:
                    key = (name, checker.dedup_key(item.completion, params))
                except Exception:  # a key function must not sink the batch: do not dedup
                    log.exception("dedup key of %s failed", name)
                    key = (name, ("item", i))
                w = work.get(key)
                if w is None:
                    w = work[key] = _Work(checker, item.completion, params)
                w.slots.append((i, name))
        groups: dict[str, list[_Work]] = {"inline": [], "pool": [], "io": []}
        for w in work.values():
            groups[w.checker.where].append(w)
        # Pool and sandbox work start first; cheap inline work runs while they proceed.
        pending = []
        if groups["pool"]:
            pending.append(asyncio.ensure_future(self._pool(groups["pool"], until)))
        if groups["io"]:
            pending.append(asyncio.ensure_future(self._io(groups["io"], until)))
        try:
            await self._inline(groups["inline"])
        finally:
            if pending:
                await asyncio.gather(*pending)
        counts: dict[tuple[str, str], int] = {}
        for w in work.values():
            assert w.score is not None
            key = (w.checker.name, w.score.status.value)
            counts[key] = counts.get(key, 0) + len(w.slots)
            for i, name in w.slots:
                scores[i][name] = w.score
        for (check, status), n in counts.items():
            metrics.observe_check(check, status, n)

    async def _inline(self, work: list[_Work]) -> None:
        # Cheap checks never pay a process hop; at most one thread hop for the whole batch.
        if not work:
            return
        if sum(len(w.completion) for w in work) <= INLINE_ON_LOOP_BYTES:
            _run_all(work)
        else:
            await asyncio.to_thread(_run_all, work)

    async def _pool(self, work: list[_Work], until: float | None) -> None:
        if not work:
            return
        if self.pool is None:
            if until is None:
                await asyncio.to_thread(_run_all, work)  # one thread hop for the lot
            else:  # no processes to kill: threads, cut off at the deadline
                await self._threads(work, until, gate=None)
            return
        tasks = [Task(w.checker.fn, w.completion, w.params, self._deadline(w)) for w in work]
        for w, (score, seconds) in zip(work, await self.pool.run(tasks, until), strict=True):
            w.score = score
            if score.status is not Status.DEADLINE:
                metrics.observe_seconds(w.checker.name, seconds)

    async def _io(self, work: list[_Work], until: float | None) -> None:
        await self._threads(work, until, gate=self._io_gate)

    async def _threads(
        self, work: list[_Work], until: float | None, gate: asyncio.Semaphore | None
    ) -> None:
        """Run each piece of work in a thread (at most `gate` at once); by `until`, work not
        finished scores `deadline`: what waits for the gate is dropped, and a thread already
        running is told to stop (a sandbox run in it is killed) and nobody waits for it."""

        # One event per piece of work: set at the deadline, it stops a sandbox run under way
        # in its thread (the run is killed, `sandbox.cancel_scope`).
        events = [threading.Event() for _ in work]

        async def one(w: _Work, event: threading.Event) -> None:
            async with gate or contextlib.nullcontext():
                if event.is_set():
                    return
                score, seconds = await asyncio.to_thread(_call_cancellable, w, event)
            w.score = score
            metrics.observe_seconds(w.checker.name, seconds)

        tasks = [asyncio.ensure_future(one(w, e)) for w, e in zip(work, events, strict=True)]
        if until is None:
            await asyncio.gather(*tasks)
            return
        _, late = await asyncio.wait(tasks, timeout=max(0.0, until - time.monotonic()))
        for task, event in zip(tasks, events, strict=True):
            if task in late:
                event.set()
        for task in late:
            task.cancel()
        await asyncio.gather(*late, return_exceptions=True)
        for w in work:
            if w.score is None:
                w.score = Score.deadline()

    def _deadline(self, w: _Work) -> float:
        if w.checker.deadline_s is None:
            return self.item_timeout_s
        try:
            return w.checker.deadline_s(w.params, self.item_timeout_s)
        except Exception:
            return self.item_timeout_s


def _call(w: _Work) -> tuple[Score, float]:
    """Run one piece of work: its score and the seconds it took."""
    t0 = time.perf_counter()
    try:
        score = w.checker.fn(w.completion, w.params)
    except Exception as exc:  # a crashing checker scores `error` for its items only
        log.exception("checker %s crashed", w.checker.name)
        score = Score.error(f"checker crashed: {type(exc).__name__}: {exc}"[:500])
    return score, time.perf_counter() - t0


def _call_cancellable(w: _Work, event: threading.Event) -> tuple[Score, float]:
    """`_call` in a cancel scope: setting `event` stops a sandbox run this check started."""
    with cancel_scope(event):
        return _call(w)


def _run_all(work: list[_Work]) -> None:
    timed = [_call(w) for w in work]
    for w, (score, seconds) in zip(work, timed, strict=True):
        w.score = score
        metrics.observe_seconds(w.checker.name, seconds)


def build_scorer(settings: Settings, pool_size: int | None = None) -> Scorer:
    """The scorer every worker runs (embedded broker, Redis worker, `rewardkit score`): a
    checker pool of `pool_size` processes (default: the settings') and the sandbox backend the
    settings name. Code checks are pure functions that ask the process-wide sandbox backend, so
    it is chosen here, once per process (it is lazy: nothing starts until a code check)."""
    import sandbox

    options: dict[str, Any] = {}
    if settings.sandbox_pool is not None:
        options["pool_size"] = settings.sandbox_pool
    if settings.sandbox_backend == "local":
        options["reuse"] = settings.sandbox_reuse
    sandbox.configure(settings.sandbox_backend, **options)
    size = settings.pool_size if pool_size is None else pool_size
    return Scorer(CheckerPool(max(1, size)), item_timeout_s=settings.item_timeout_s)
