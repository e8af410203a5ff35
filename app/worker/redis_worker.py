"""A Redis worker: read chunks from the stream, score them, store the results exactly once.

`rewardkit worker --redis URL` runs `run_worker`; `rewardkit serve --redis URL --workers N` runs
the same `RedisWorker` inside the API process (wired in `app.wiring`).

The loop, per worker:
- say it is alive: a key with a TTL of `liveness_ttl_s` (a few seconds), refreshed every third
  of it by a task of its own on the event loop, whatever the chunks in hand are doing (they
  run in checker processes and threads), with the worker's load as its value;
- take up to `concurrency` chunks at once: new ones (XREADGROUP); every `liveness_ttl_s / 3`
  the chunks of workers whose liveness key expired (XCLAIM: failover in seconds); and, every
  so often, chunks left pending past `claim_idle_s` by anyone (XAUTOCLAIM: the backstop, e.g.
  for a worker that froze with its event loop);
- while a chunk is in hand, a heartbeat resets its idle time, so only a dead (or frozen)
  worker's chunks are taken over, however long a chunk takes;
- store results through `StreamQueue.finish`: HSETNX per chunk (a re-run is dropped) and
  XACK + XDEL in one Lua script; a Redis error leaves the entry pending for a later try;
- an entry that cannot be parsed is logged, acknowledged and its job failed: it never kills
  the worker; a chunk delivered more than `MAX_DELIVERIES` times fails its job (a poison
  chunk must not take every worker down in turn);
- lost connection: back off (0.1 s doubling to 5 s, with jitter) and reconnect; the consumer
  group is re-created if Redis lost it;
- `stop()` (SIGTERM): read nothing new, finish the chunks in hand for up to `grace_s`, hand
  the rest back to the stream at once, leave the group.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import signal
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from redis.exceptions import RedisError, ResponseError

from app.broker.redis import (
    Chunk,
    Keys,
    MalformedEntry,
    StreamQueue,
    connect,
    consumer_name,
    decode_entry,
)
from app.jobs import ItemResult
from app.process import tune_gc
from app.scoring import deadline_result
from app.worker.load import BusyWindow, load_figures
from app.worker.scorer import Scorer, build_scorer

if TYPE_CHECKING:
    from app.config import Settings

log = logging.getLogger("rewardkit.worker")

#: A chunk delivered more times than this fails its job instead of being tried again.
MAX_DELIVERIES = 5
BACKOFF_MIN_S = 0.1
BACKOFF_MAX_S = 5.0


class RedisWorker:
    """One consumer of the stream, scoring up to `concurrency` chunks at once."""

    def __init__(
        self,
        url: str,
        scorer: Scorer,
        *,
        prefix: str = "rewardkit",
        concurrency: int = 4,
        claim_idle_s: float = 30.0,
        liveness_ttl_s: float = 3.0,
        result_ttl_s: int = 3600,
        grace_s: float = 20.0,
        block_ms: int = 1000,
        name: str | None = None,
        heartbeat_file: str | None = None,
    ) -> None:
        self.scorer = scorer
        self.concurrency = concurrency
        self.claim_idle_s = claim_idle_s
        self.liveness_ttl_s = liveness_ttl_s
        self.heartbeat_file = heartbeat_file
        # Never block on XREADGROUP past a liveness period: the loop also looks for dead
        # workers' chunks that often.
        block_ms = min(block_ms, max(50, int(liveness_ttl_s * 1000 / 3)))
        self.grace_s = grace_s
        self.block_ms = block_ms
        self.name = name or consumer_name()
        self.client = connect(url)
        self.queue = StreamQueue(self.client, Keys(prefix), result_ttl_s=result_ttl_s)
        self.stats: Counter[str] = Counter()
        self._active: dict[bytes, tuple[dict[bytes, bytes], asyncio.Task[None]]] = {}
        self._stopping = asyncio.Event()
        self._claim_cursor: bytes | str = "0-0"
        self._busy = BusyWindow()
        self._leaving = False

    @classmethod
    def from_settings(cls, settings: Settings) -> RedisWorker:
        """A worker with its own checker pool of `settings.pool_size` (at least 1) processes
        and the sandbox backend the settings name."""
        assert settings.redis_url
        return cls(
            settings.redis_url,
            build_scorer(settings),
            prefix=settings.prefix,
            concurrency=settings.concurrency,
            claim_idle_s=settings.claim_idle_s,
            liveness_ttl_s=settings.liveness_ttl_s,
            result_ttl_s=settings.result_ttl_s,
            grace_s=settings.shutdown_grace_s,
            heartbeat_file=settings.heartbeat_file,
        )

    async def start(self) -> None:
        """Start the checker pool (off the event loop: forking takes a moment) and join the
        group, so /healthz counts this worker from the start (`run` retries if Redis is down)."""
        if self.scorer.pool is not None:
            await asyncio.to_thread(self.scorer.pool.start)
        with contextlib.suppress(RedisError, OSError):
            await self.queue.ensure_group()
            await self._beat()
            await self.queue.join(self.name)

    async def close(self) -> None:
        """Stop the pool and drop the connection (after `run` has returned)."""
        if self.scorer.pool is not None:
            await asyncio.to_thread(self.scorer.pool.close)
        await self.client.aclose()

    def stop(self) -> None:
        """Ask `run` to wind down (safe from a signal handler on the loop)."""
        self._stopping.set()

    def health(self) -> dict[str, Any]:
        """Counters for /healthz."""
        pool = self.scorer.pool
        return {
            "consumer": self.name,
            "in_hand": len(self._active),
            **self.stats,
            "pool": None if pool is None else pool.health(),
        }

    def load(self) -> dict[str, Any]:
        """What this worker publishes with its liveness key (read by the API's /metrics)."""
        return {
            "in_hand": len(self._active),
            "concurrency": self.concurrency,
            "busy": round(self._busy.share(self.scorer.pool), 4),
            **load_figures(self.scorer.pool),
        }

    async def run(self) -> None:
        """Consume until `stop()`, then finish or hand back the work in hand."""
        beat = asyncio.create_task(self._heartbeat(), name="redis-worker-heartbeat")
        self._leaving = False
        alive = asyncio.create_task(self._alive(), name="redis-worker-liveness")
        try:
            await self._consume()
        finally:
            await _end(beat)
            # Still alive while draining: the chunks in hand must not be taken meanwhile.
            await self._drain()
            self._leaving = True
            await _end(alive)
            with contextlib.suppress(RedisError, OSError):
                await self.queue.leave(self.name)

    async def _consume(self) -> None:
        backoff = BACKOFF_MIN_S
        group_ready = False
        next_claim = next_dead = 0.0
        claim_every = max(0.2, self.claim_idle_s / 4)
        dead_every = self.liveness_ttl_s / 3
        while not self._stopping.is_set():
            try:
                if not group_ready:
                    await self.queue.ensure_group()
                    # Alive before holding anything: others must never see our entries
                    # without our liveness key.
                    await self._beat()
                    await self.queue.join(self.name)
                    group_ready = True
                if len(self._active) >= self.concurrency:
                    tasks = [t for _, t in self._active.values()]
                    await asyncio.wait(
                        tasks, timeout=dead_every, return_when=asyncio.FIRST_COMPLETED
                    )
                    continue
                if time.monotonic() >= next_dead:
                    next_dead = time.monotonic() + dead_every
                    await self._take_from_dead()
                    if len(self._active) >= self.concurrency:
                        continue
                if time.monotonic() >= next_claim:
                    next_claim = time.monotonic() + claim_every
                    await self._reclaim()
                    if len(self._active) >= self.concurrency:
                        continue
                free = self.concurrency - len(self._active)
                for entry_id, fields in await self.queue.read(self.name, free, self.block_ms):
                    self._spawn(entry_id, fields, 1)
                backoff = BACKOFF_MIN_S
            except ResponseError as exc:
                # The group or stream vanished (a restart without persistence, a FLUSHDB).
                if "NOGROUP" in str(exc) or "UNBLOCKED" in str(exc):
                    log.warning("consumer group missing; re-creating it")
                    group_ready = False
                    continue
                log.error("redis refused a command: %s", exc)
                await self._pause(backoff)
                backoff = min(backoff * 2, BACKOFF_MAX_S)
            except (RedisError, OSError) as exc:
                self.stats["redis_errors"] += 1
                log.warning(
                    "redis unreachable (%s: %s); retrying in %.1fs",
                    type(exc).__name__,
                    exc,
                    backoff,
                )
                await self._pause(backoff * random.uniform(0.75, 1.25))
                backoff = min(backoff * 2, BACKOFF_MAX_S)
                group_ready = False

    async def _reclaim(self) -> None:
        """Take over chunks whose worker stopped heartbeating (XAUTOCLAIM, a cursor over the
        pending list kept between calls)."""
        free = self.concurrency - len(self._active)
        if free <= 0:
            return
        if self._active:
            # Refresh our own chunks first: on a loaded machine the heartbeat task may run
            # late, and XAUTOCLAIM would otherwise take them back from ourselves (counting a
            # delivery each time, towards MAX_DELIVERIES).
            await self.queue.heartbeat(self.name, list(self._active))
        cursor, claimed = await self.queue.reclaim(
            self.name, int(self.claim_idle_s * 1000), free, self._claim_cursor
        )
        self._claim_cursor = cursor
        for entry_id, fields, deliveries in claimed:
            if entry_id in self._active:
                continue  # ours already, still being scored
            self.stats["reclaimed"] += 1
            log.warning("took over chunk %s (delivery %d)", entry_id.decode(), deliveries)
            self._spawn(entry_id, fields, deliveries)

    async def _take_from_dead(self) -> None:
        """Take over the chunks of workers whose liveness key expired: they died (or lost
        Redis, or froze) at least `liveness_ttl_s` ago. A live worker refreshes its key from
        its event loop whatever its chunks are doing, so it is never robbed."""
        self.stats["dead_scans"] += 1
        for dead in await self.queue.dead_holders(self.name):
            free = self.concurrency - len(self._active)
            if free <= 0:
                return
            min_idle_ms = int(self.liveness_ttl_s * 1000 / 2)
            for entry_id, fields, deliveries in await self.queue.take_from(
                dead, self.name, min_idle_ms, free
            ):
                if entry_id in self._active:
                    continue
                self.stats["reclaimed"] += 1
                self.stats["reclaimed_dead"] += 1
                log.warning(
                    "took over chunk %s from dead worker %s (delivery %d)",
                    entry_id.decode(),
                    dead,
                    deliveries,
                )
                self._spawn(entry_id, fields, deliveries)

    def _spawn(self, entry_id: bytes, fields: Any, deliveries: int) -> None:
        if entry_id in self._active:
            return
        task = asyncio.create_task(self._handle(entry_id, fields, deliveries))
        self._active[entry_id] = (fields or {}, task)
        task.add_done_callback(lambda _: self._active.pop(entry_id, None))

    async def _handle(self, entry_id: bytes, fields: Any, deliveries: int) -> None:
        """Score one chunk. Never raises: a bad entry or a Redis error must not stop the loop."""
        try:
            try:
                chunk = decode_entry(entry_id, fields)
            except MalformedEntry as exc:
                self.stats["malformed"] += 1
                log.error("dropping malformed stream entry %s: %s", entry_id.decode(), exc)
                if exc.job_id is not None:
                    index = -1 if exc.index is None else exc.index
                    await self.queue.fail_job(exc.job_id, index, f"malformed chunk: {exc}")
                await self.queue.ack(entry_id)
                return
            if deliveries > MAX_DELIVERIES:
                self.stats["abandoned"] += 1
                why = f"chunk {chunk.index} was taken {deliveries} times: its workers kept dying"
                log.error("job %s: %s", chunk.job_id, why)
                await self.queue.finish(chunk, None, why)  # acknowledges the entry too
                return
            # `begin` marks the job running and says whether the chunk still needs scoring.
            # A first delivery almost always does: score meanwhile rather than wait a round
            # trip. A reclaimed chunk often has results already, and a job with a deadline
            # needs the time left (from Redis's clock): ask first.
            begin = asyncio.ensure_future(self.queue.begin(chunk, time.time()))
            if deliveries > 1 or chunk.deadline:
                await asyncio.wait([begin])
            verdict, until = _verdict(begin.result()) if begin.done() else ("go", None)
            if verdict == "late":  # past its deadline before it started: never scored
                self.stats["late_chunks"] += 1
                results, error = [deadline_result(i.id, i.checks) for i in chunk.items], None
                verdict = "go"
            elif verdict == "go":
                results, error = await self._score(chunk, until)
                verdict, _ = _verdict(await begin)
            if verdict != "go":  # already scored, job failed, or its record expired
                self.stats[f"skipped_{verdict}"] += 1
                await self.queue.ack(entry_id)
                return
            # Results stored and the entry acknowledged in one atomic step.
            outcome = await self.queue.finish(chunk, results, error)
            if outcome == -2:
                self.stats["duplicates_dropped"] += 1
            else:
                self.stats["chunks"] += 1
                self.stats["items"] += len(chunk.items)
        except asyncio.CancelledError:
            raise
        except (RedisError, OSError) as exc:
            # Left pending: this worker's or another's XAUTOCLAIM takes it up again.
            self.stats["redis_errors"] += 1
            log.warning("chunk %s left for a later try: %s: %s", entry_id, type(exc).__name__, exc)
        except Exception:
            log.exception("chunk %s: unexpected failure", entry_id)

    async def _score(
        self, chunk: Chunk, until: float | None
    ) -> tuple[list[ItemResult] | None, str | None]:
        """Results, or the error that fails the job (e.g. a check this worker does not know)."""
        try:
            return await self.scorer.score(chunk.items, until), None
        except Exception as exc:
            log.exception("job %s chunk %d failed", chunk.job_id, chunk.index)
            return None, f"scoring failed: {type(exc).__name__}: {exc}"[:500]

    async def _heartbeat(self) -> None:
        while not self._stopping.is_set():
            await asyncio.sleep(self.claim_idle_s / 3)
            if self._active:
                with contextlib.suppress(RedisError, OSError):
                    await self.queue.heartbeat(self.name, list(self._active))

    async def _beat(self) -> None:
        await self.queue.beat(self.name, int(self.liveness_ttl_s * 1000), self.load())

    async def _alive(self) -> None:
        """Refresh the liveness key three times per TTL (one late refresh is not a death),
        and touch the heartbeat file (a probe's proof that this event loop runs)."""
        while not self._leaving:
            with contextlib.suppress(RedisError, OSError):
                await self._beat()
            if self.heartbeat_file:
                with contextlib.suppress(OSError):
                    Path(self.heartbeat_file).touch()
            await asyncio.sleep(self.liveness_ttl_s / 3)

    async def _pause(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _drain(self) -> None:
        """Finish chunks in hand for up to `grace_s`, then hand the rest back (`run` then
        leaves the group)."""
        tasks = [t for _, t in self._active.values()]
        if tasks:
            log.info("finishing %d chunks in hand (up to %gs)", len(tasks), self.grace_s)
            await asyncio.wait(tasks, timeout=self.grace_s)
        for entry_id, (fields, task) in list(self._active.items()):
            task.cancel()
            try:
                if await self.queue.hand_back(self.name, entry_id, fields):
                    self.stats["handed_back"] += 1
                    log.info("handed chunk %s back to the queue", entry_id.decode())
            except (RedisError, OSError) as exc:
                log.warning("could not hand back %s (%s): it will be reclaimed", entry_id, exc)
        await asyncio.gather(*tasks, return_exceptions=True)


async def _end(task: asyncio.Task[None]) -> None:
    """Cancel a background loop and wait (briefly) for it. Bounded: a cancellation that lands
    inside a Redis command can be turned into a connection error by the client and swallowed
    by the loop's error handling, leaving the task running to its next iteration."""
    task.cancel()
    await asyncio.wait([task], timeout=2.0)


def _verdict(answer: str) -> tuple[str, float | None]:
    """`begin`'s answer as (verdict, the job's deadline as a `time.monotonic()` instant)."""
    if answer.startswith("go:"):
        return "go", time.monotonic() + int(answer[3:]) / 1000
    return answer, None


async def run_worker(settings: Settings) -> int:
    """`rewardkit worker`: consume until SIGTERM/SIGINT; returns the exit status."""
    worker = RedisWorker.from_settings(settings)
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, worker.stop)
    await worker.start()
    tune_gc()
    log.info(
        "worker %s on %s (prefix %r, concurrency %d)",
        worker.name,
        settings.redis_url,
        settings.prefix,
        settings.concurrency,
    )
    try:
        await worker.run()
    finally:
        await worker.close()
    log.info("worker %s stopped: %s", worker.name, dict(worker.stats))
    return 0
