"""The Redis broker: jobs travel as chunks on a Redis Stream read by a consumer group.

Layout (every key under `prefix`, so deployments and tests share one server):
- `{p}:queue`: the stream. One entry per chunk of a job (`job`, `idx`, `of`, `n`, `items`);
  workers read it in the consumer group `workers` (XREADGROUP), acknowledge and delete an entry
  once its results are stored (XACK + XDEL), and take over entries a dead worker left pending:
  at once when its liveness key has expired (XCLAIM), and in any case after `claim_idle_s`
  without a heartbeat on the entry (XAUTOCLAIM).
- `{p}:alive:{consumer}`: a worker's liveness key, refreshed every `liveness_ttl_s / 3` with a
  TTL of `liveness_ttl_s`; its value is the worker's load (JSON) for /metrics.
- `{p}:job:{id}`: a hash with the job's status, chunk count and chunks done.
- `{p}:res:{id}`: a hash of chunk index -> that chunk's results (JSON).
- `{p}:pending`: items queued or being scored, the bound behind back-pressure.
- `{p}:events`: a pub/sub channel that carries the id of every job that finishes, so a waiting
  request wakes at once.

Delivery is at-least-once (a chunk may be scored twice after a reclaim) and the results are
exactly-once: a chunk's results are written with HSETNX inside one Lua script that also counts
the chunk done, so the first run to finish wins, a later run is dropped, and the job completes
exactly once. Payloads are JSON; nothing read from Redis is ever unpickled.

`StreamQueue` is that protocol, shared with the worker (`app.worker.redis_worker`);
`RedisBroker` is the API's side of it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import orjson
import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff, NoBackoff
from redis.exceptions import RedisError, ResponseError

from app import metrics
from app.broker.base import Broker, BrokerError, QueueFull
from app.jobs import Item, ItemResult, Job, JobState, JobStatus
from app.scoring import deadline_result

if TYPE_CHECKING:
    from app.config import Settings

log = logging.getLogger("rewardkit.broker.redis")

#: The consumer group every worker reads the stream in.
GROUP = "workers"
#: A job's record outlives its queueing by this much before its results exist (then
#: `result_ttl_s` takes over): a job nobody scores for a day is forgotten, not kept forever.
QUEUED_TTL_S = 86400
#: Job ids are ours (hex uuids) but arrive from URLs: bound what reaches a key name.
MAX_JOB_ID = 128
#: A job past its deadline is finished by the reader this long after it, so the workers'
#: results for what they finished by the deadline (stored right after it) are in.
DEADLINE_GRACE_S = 0.25

# Lua scripts run atomically in Redis: each is one step of the protocol that must not be
# interleaved with another worker's.

#: Lua: the Redis server's clock in milliseconds (one clock for every deadline, whatever the
#: clocks of the API and worker machines say).
_NOW_MS = """
local function now_ms()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
"""

_SUBMIT = (
    _NOW_MS
    + """
-- KEYS: pending, job, stream, res, waiting. ARGV: n, limit, ttl, job_id, created, chunks,
-- channel, result_ttl, deadline_ms ('' = none), then (n_items, items_json, skeleton_json)
-- per chunk. Returns 1 queued, 0 full, -1 duplicate id.
local n = tonumber(ARGV[1])
local cur = tonumber(redis.call('GET', KEYS[1]) or '0')
if cur > 0 and cur + n > tonumber(ARGV[2]) then return 0 end
if redis.call('EXISTS', KEYS[2]) == 1 then return -1 end
local chunks = tonumber(ARGV[6])
if chunks == 0 then
  redis.call('HSET', KEYS[2], 'status', 'done', 'chunks', 0, 'items', 0, 'done', 0,
             'created', ARGV[5])
  redis.call('EXPIRE', KEYS[2], ARGV[8])
  redis.call('PUBLISH', ARGV[7], ARGV[4])
  return 1
end
redis.call('INCRBY', KEYS[1], n)
redis.call('INCRBY', KEYS[5], n)
redis.call('HSET', KEYS[2], 'status', 'queued', 'chunks', chunks, 'items', n, 'done', 0,
           'created', ARGV[5])
local dl = ''
if ARGV[9] ~= '' then
  dl = '1'
  redis.call('HSET', KEYS[2], 'deadline', now_ms() + tonumber(ARGV[9]))
end
redis.call('EXPIRE', KEYS[2], ARGV[3])
for i = 0, chunks - 1 do
  local n_i, items, skel = ARGV[10 + 3 * i], ARGV[11 + 3 * i], ARGV[12 + 3 * i]
  if dl ~= '' then
    -- What the reader needs to answer `deadline` for a chunk nobody finished in time.
    redis.call('HSET', KEYS[2], 'sk:' .. i, skel, 'n:' .. i, n_i)
  end
  redis.call('XADD', KEYS[3], '*', 'job', ARGV[4], 'idx', i, 'of', chunks,
             'n', n_i, 'items', items, 'dl', dl)
end
return 1
"""
)

_BEGIN = (
    _NOW_MS
    + """
-- KEYS: job, res, waiting. ARGV: idx, now, n_items. Returns what the worker should do with
-- the chunk: 'go', 'go:<ms left before the job's deadline>', 'late' (past it), or why not.
if redis.call('EXISTS', KEYS[1]) == 0 then return 'gone' end
if redis.call('HSETNX', KEYS[1], 'b:' .. ARGV[1], 1) == 1 then
  -- First start of this chunk: its items no longer wait.
  if redis.call('DECRBY', KEYS[3], ARGV[3]) < 0 then redis.call('SET', KEYS[3], 0) end
end
if redis.call('HEXISTS', KEYS[2], ARGV[1]) == 1 then return 'scored' end
local status = redis.call('HGET', KEYS[1], 'status')
if status ~= 'queued' then return status end
redis.call('HSETNX', KEYS[1], 'started', ARGV[2])
local deadline = redis.call('HGET', KEYS[1], 'deadline')
if not deadline then return 'go' end
local left = tonumber(deadline) - now_ms()
if left <= 0 then return 'late' end
return 'go:' .. left
"""
)

_FINISH = """
-- KEYS: job, res, pending, stream. ARGV: idx, payload, n_items, result_ttl, error ('' =
-- success), job_id, channel, group, entry_id ('' = do not acknowledge).
-- Returns 1 when this call finished the job, 0 when it stored a chunk, -1 when the job is
-- gone, -2 when the chunk already had results (a re-run: dropped). The stream entry is
-- acknowledged and deleted in the same step, so results never exist beside a live entry.
local function store()
  if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
  if redis.call('HSETNX', KEYS[2], ARGV[1], ARGV[2]) == 0 then return -2 end
  local pttl = redis.call('PTTL', KEYS[1])
  if pttl > 0 then redis.call('PEXPIRE', KEYS[2], pttl) end
  if redis.call('DECRBY', KEYS[3], ARGV[3]) < 0 then redis.call('SET', KEYS[3], 0) end
  if redis.call('HGET', KEYS[1], 'status') ~= 'queued' then return 0 end
  if ARGV[5] ~= '' then
    redis.call('HSET', KEYS[1], 'status', 'failed', 'error', ARGV[5])
  else
    local done = redis.call('HINCRBY', KEYS[1], 'done', 1)
    if done < tonumber(redis.call('HGET', KEYS[1], 'chunks')) then return 0 end
    redis.call('HSET', KEYS[1], 'status', 'done')
  end
  redis.call('EXPIRE', KEYS[1], ARGV[4])
  redis.call('EXPIRE', KEYS[2], ARGV[4])
  redis.call('PUBLISH', ARGV[7], ARGV[6])
  return 1
end
local out = store()
if ARGV[9] ~= '' then
  redis.call('XACK', KEYS[4], ARGV[8], ARGV[9])
  redis.call('XDEL', KEYS[4], ARGV[9])
end
return out
"""

_STATE = (
    _NOW_MS
    + """
-- KEYS: job, res, pending, waiting. ARGV: take ('1': delete a finished job once read: nobody
-- asks again), grace_ms, result_ttl, channel, job_id.
-- Returns {} for an unknown job, else {status, chunks, started, error, recheck_ms, res
-- fields...} with the results only when done: one round trip, and no partial results read
-- while polling. A job past its deadline (plus `grace_ms`, for the workers to store what they
-- finished) is finished here: every chunk without results gets 'D' .. its skeleton (the
-- reader answers `deadline` for its items), so a late worker's results are dropped (HSETNX).
-- `recheck_ms`: for a job still running with a deadline, when to read again.
local meta = redis.call('HMGET', KEYS[1], 'status', 'chunks', 'started', 'error', 'deadline')
if not meta[1] then return {} end
local recheck = ''
if meta[1] == 'queued' and meta[5] then
  local left = tonumber(meta[5]) + tonumber(ARGV[2]) - now_ms()
  if left > 0 then
    recheck = tostring(left)
  else
    for i = 0, tonumber(meta[2]) - 1 do
      if redis.call('HEXISTS', KEYS[2], i) == 0 then
        redis.call('HSET', KEYS[2], i, 'D' .. (redis.call('HGET', KEYS[1], 'sk:' .. i) or '[]'))
        local n = tonumber(redis.call('HGET', KEYS[1], 'n:' .. i) or '0')
        if redis.call('DECRBY', KEYS[3], n) < 0 then redis.call('SET', KEYS[3], 0) end
        if redis.call('HSETNX', KEYS[1], 'b:' .. i, 1) == 1 then
          if redis.call('DECRBY', KEYS[4], n) < 0 then redis.call('SET', KEYS[4], 0) end
        end
      end
    end
    redis.call('HSET', KEYS[1], 'status', 'done')
    redis.call('EXPIRE', KEYS[1], ARGV[3])
    redis.call('EXPIRE', KEYS[2], ARGV[3])
    redis.call('PUBLISH', ARGV[4], ARGV[5])
    meta[1] = 'done'
  end
end
local out = {meta[1], meta[2] or '0', meta[3] or '', meta[4] or '', recheck}
if meta[1] == 'done' then
  local parts = redis.call('HGETALL', KEYS[2])
  for i = 1, #parts do out[#out + 1] = parts[i] end
end
if ARGV[1] == '1' and (meta[1] == 'done' or meta[1] == 'failed') then
  redis.call('DEL', KEYS[1], KEYS[2])
end
return out
"""
)

_HEARTBEAT = """
-- KEYS: stream. ARGV: group, consumer, ids... Resets the idle time of the entries this
-- consumer still owns (XCLAIM to itself, JUSTID: no delivery counted); never steals one back.
local kept = 0
for i = 3, #ARGV do
  local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[i], ARGV[i], 1, ARGV[2])
  if #p > 0 then
    redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[i], 'JUSTID')
    kept = kept + 1
  end
end
return kept
"""

_HAND_BACK = """
-- KEYS: stream. ARGV: group, consumer, id, fields... Re-queue an entry this consumer owns
-- (a fresh copy at the tail, the old one acknowledged and deleted) so another worker takes it
-- now rather than after the claim timeout.
local p = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1, ARGV[2])
if #p == 0 then return 0 end
local fields = {}
for i = 4, #ARGV do fields[#fields + 1] = ARGV[i] end
redis.call('XADD', KEYS[1], '*', unpack(fields))
redis.call('XACK', KEYS[1], ARGV[1], ARGV[3])
redis.call('XDEL', KEYS[1], ARGV[3])
return 1
"""

_FORGET_CONSUMER = """
-- KEYS: stream. ARGV: group, consumer. Remove a consumer that holds no pending entries
-- (XGROUP DELCONSUMER would silently drop entries it still held).
local ok, info = pcall(redis.call, 'XPENDING', KEYS[1], ARGV[1], '-', '+', 1, ARGV[2])
if not ok or #info > 0 then return 0 end
return redis.call('XGROUP', 'DELCONSUMER', KEYS[1], ARGV[1], ARGV[2])
"""


@dataclass(frozen=True, slots=True)
class Keys:
    """Every Redis name the broker uses, under one prefix."""

    prefix: str

    @property
    def stream(self) -> str:
        return f"{self.prefix}:queue"

    @property
    def pending(self) -> str:
        return f"{self.prefix}:pending"

    @property
    def events(self) -> str:
        return f"{self.prefix}:events"

    @property
    def waiting(self) -> str:
        return f"{self.prefix}:waiting"

    def job(self, job_id: str) -> str:
        return f"{self.prefix}:job:{job_id}"

    def res(self, job_id: str) -> str:
        return f"{self.prefix}:res:{job_id}"

    def alive(self, consumer: str) -> str:
        return f"{self.prefix}:alive:{consumer}"


class MalformedEntry(ValueError):
    """A stream entry that is not a chunk this code wrote. `job_id`/`index` when readable."""

    def __init__(self, message: str, job_id: str | None = None, index: int | None = None):
        super().__init__(message)
        self.job_id = job_id
        self.index = index


@dataclass(slots=True)
class Chunk:
    """One stream entry: a slice of a job's items."""

    entry_id: bytes
    job_id: str
    index: int
    count: int
    items: list[Item] = field(default_factory=list)
    #: Whether its job has a deadline (the remaining time is asked of Redis at `begin`).
    deadline: bool = False


def decode_entry(entry_id: bytes, fields: dict[bytes, bytes] | None) -> Chunk:
    """Parse a stream entry; raises `MalformedEntry` for anything that is not a valid chunk."""
    if not fields:
        raise MalformedEntry("entry has no fields (deleted or empty)")
    job_id: str | None = None
    index: int | None = None
    try:
        job_id = fields[b"job"].decode()
        if not job_id or len(job_id) > MAX_JOB_ID:
            raise ValueError("bad job id")
        index = int(fields[b"idx"])
        count = int(fields[b"of"])
        raw = orjson.loads(fields[b"items"])
        if not isinstance(raw, list) or not 0 <= index < count:
            raise ValueError("bad chunk index or items")
        items = [Item.from_json(x) for x in raw]
        if any(not isinstance(i.checks, dict) or not isinstance(i.completion, str) for i in items):
            raise ValueError("bad item")
    except (KeyError, ValueError, TypeError, AttributeError, UnicodeDecodeError) as exc:
        raise MalformedEntry(f"{type(exc).__name__}: {exc}", job_id, index) from None
    return Chunk(entry_id, job_id, index, count, items, fields.get(b"dl") == b"1")


def _b(value: bytes | str) -> bytes:
    return value if isinstance(value, bytes) else value.encode()


def connect(url: str, *, socket_timeout: float = 10.0, retries: int = 1) -> aioredis.Redis:
    """A client that fails fast while Redis is down (so /healthz and submits answer at once)
    and retries a command once on a fresh connection (so a Redis restart is invisible)."""
    retry = Retry(ExponentialBackoff(cap=0.2, base=0.02), retries) if retries else None
    return aioredis.Redis.from_url(
        url,
        decode_responses=False,  # payloads are decoded by us: bad bytes must not kill a read
        socket_connect_timeout=2.0,
        socket_timeout=socket_timeout,
        retry=retry or Retry(NoBackoff(), 0),
    )


def consumer_name() -> str:
    """A unique consumer name that says where the worker runs."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class StreamQueue:
    """The Redis protocol of jobs, chunks and results, used by the broker and the workers."""

    def __init__(self, client: aioredis.Redis, keys: Keys, *, result_ttl_s: int) -> None:
        self.redis = client
        self.keys = keys
        self.result_ttl_s = result_ttl_s
        self._submit = client.register_script(_SUBMIT)
        self._begin = client.register_script(_BEGIN)
        self._finish = client.register_script(_FINISH)
        self._heartbeat = client.register_script(_HEARTBEAT)
        self._hand_back = client.register_script(_HAND_BACK)
        self._forget = client.register_script(_FORGET_CONSUMER)
        self._state = client.register_script(_STATE)

    async def ensure_group(self) -> None:
        """Create the stream and consumer group if missing (e.g. after a Redis restart).

        The group starts at id 0: entries are deleted once acknowledged, so whatever is in the
        stream when the group is (re)created is work nobody has done.
        """
        try:
            await self.redis.xgroup_create(self.keys.stream, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def join(self, consumer: str) -> None:
        """Create `consumer` in the group now (XREADGROUP on an empty stream would not), so
        /healthz and operators see an idle worker too."""
        await self.redis.xgroup_createconsumer(self.keys.stream, GROUP, consumer)

    async def enqueue(self, job: Job, *, chunk_items: int, max_pending_items: int) -> None:
        """Queue `job` as chunks of at most `chunk_items` items; `QueueFull` past the bound."""
        args: list[Any] = []
        for start in range(0, len(job.items), chunk_items):
            part = job.items[start : start + chunk_items]
            skeleton = b""
            if job.deadline_s is not None:
                skeleton = orjson.dumps([[i.id, list(i.checks)] for i in part])
            args += [len(part), orjson.dumps([i.to_json() for i in part]), skeleton]
        chunks = len(args) // 3
        deadline_ms = "" if job.deadline_s is None else str(max(1, int(job.deadline_s * 1000)))
        k = self.keys
        verdict = await self._submit(
            keys=[k.pending, k.job(job.id), k.stream, k.res(job.id), k.waiting],
            args=[
                len(job.items),
                max_pending_items,
                QUEUED_TTL_S + self.result_ttl_s,
                job.id,
                repr(job.created),
                chunks,
                k.events,
                self.result_ttl_s,
                deadline_ms,
                *args,
            ],
        )
        if verdict == 0:
            raise QueueFull(f"more than {max_pending_items} items pending", retry_after=2)
        if verdict == -1:
            raise BrokerError(f"job id {job.id} already exists")

    async def begin(self, chunk: Chunk, now: float) -> str:
        """Mark the job started; says `go` (`go:<ms left>` for a job with a deadline), `late`
        (its deadline has passed), or why not (`gone`, `scored`, `done`, `failed`)."""
        k = self.keys
        out = await self._begin(
            keys=[k.job(chunk.job_id), k.res(chunk.job_id), k.waiting],
            args=[chunk.index, repr(now), len(chunk.items)],
        )
        return out.decode() if isinstance(out, bytes) else str(out)

    async def finish(
        self,
        chunk: Chunk,
        results: list[ItemResult] | None,
        error: str | None = None,
        *,
        ack: bool = True,
    ) -> int:
        """Store a chunk's results (or fail its job) exactly once, and acknowledge its entry
        in the same atomic step unless `ack` is False; see `_FINISH` for the answer."""
        payload = orjson.dumps([r.to_json() for r in results or []]) if error is None else b"!"
        k = self.keys
        return int(
            await self._finish(
                keys=[k.job(chunk.job_id), k.res(chunk.job_id), k.pending, k.stream],
                args=[
                    chunk.index,
                    payload,
                    len(chunk.items),
                    self.result_ttl_s,
                    error or "",
                    chunk.job_id,
                    k.events,
                    GROUP,
                    chunk.entry_id if ack else b"",
                ],
            )
        )

    async def fail_job(self, job_id: str, index: int, error: str) -> int:
        """Fail a job whose chunk `index` cannot be read (its items are unknown)."""
        chunk = Chunk(b"", job_id, index, index + 1)
        return await self.finish(chunk, None, error)

    async def ack(self, *entry_ids: bytes) -> None:
        """Acknowledge and delete entries: done with, for good."""
        async with self.redis.pipeline(transaction=True) as pipe:
            pipe.xack(self.keys.stream, GROUP, *entry_ids)
            pipe.xdel(self.keys.stream, *entry_ids)
            await pipe.execute()

    async def read(self, consumer: str, count: int, block_ms: int) -> list[tuple[bytes, Any]]:
        """New entries for `consumer` (XREADGROUP), waiting up to `block_ms` for some."""
        reply = await self.redis.xreadgroup(
            GROUP, consumer, {self.keys.stream: ">"}, count=count, block=block_ms
        )
        return [e for _, entries in reply or [] for e in entries]

    async def reclaim(
        self, consumer: str, min_idle_ms: int, count: int, cursor: bytes | str = "0-0"
    ) -> tuple[bytes | str, list[tuple[bytes, Any, int]]]:
        """Take over entries idle past `min_idle_ms` (their worker died). Returns the cursor
        to continue from and `(id, fields, times delivered)` per entry taken."""
        reply = await self.redis.xautoclaim(
            self.keys.stream, GROUP, consumer, min_idle_ms, cursor, count=count
        )
        out = []
        for entry_id, fields in reply[1]:
            info = await self.redis.xpending_range(
                self.keys.stream, GROUP, min=entry_id, max=entry_id, count=1
            )
            out.append((entry_id, fields, info[0]["times_delivered"] if info else 1))
        return reply[0], out

    async def heartbeat(self, consumer: str, entry_ids: list[bytes]) -> int:
        """Keep `consumer`'s in-hand entries from being reclaimed while it works on them."""
        return int(
            await self._heartbeat(keys=[self.keys.stream], args=[GROUP, consumer, *entry_ids])
        )

    async def hand_back(self, consumer: str, entry_id: bytes, fields: dict[bytes, bytes]) -> bool:
        """Re-queue an entry `consumer` cannot finish (shutdown)."""
        flat = [x for kv in fields.items() for x in kv]
        done = await self._hand_back(
            keys=[self.keys.stream], args=[GROUP, consumer, entry_id, *flat]
        )
        return bool(done)

    async def forget_consumer(self, consumer: str) -> None:
        """Remove `consumer` from the group if it holds nothing."""
        await self._forget(keys=[self.keys.stream], args=[GROUP, consumer])

    # --- liveness: a key per worker with a short TTL ------------------------------------------

    async def beat(self, consumer: str, ttl_ms: int, load: dict[str, Any]) -> None:
        """Say `consumer` is alive for `ttl_ms` more, with its load (read by /metrics)."""
        await self.redis.set(self.keys.alive(consumer), orjson.dumps(load), px=ttl_ms)

    async def leave(self, consumer: str) -> None:
        """A clean exit: no liveness key, and out of the group if holding nothing."""
        await self.redis.delete(self.keys.alive(consumer))
        await self.forget_consumer(consumer)

    async def dead_holders(self, consumer: str) -> list[str]:
        """Other consumers that hold pending entries but whose liveness key has expired."""
        summary = await self.redis.xpending(self.keys.stream, GROUP)
        holders = [
            c["name"].decode() if isinstance(c["name"], bytes) else str(c["name"])
            for c in summary.get("consumers") or []
            if int(c["pending"]) > 0
        ]
        holders = [h for h in holders if h != consumer]
        if not holders:
            return []
        async with self.redis.pipeline(transaction=False) as pipe:
            for h in holders:
                pipe.exists(self.keys.alive(h))
            flags = await pipe.execute()
        return [h for h, live in zip(holders, flags, strict=True) if not live]

    async def take_from(
        self, dead: str, consumer: str, min_idle_ms: int, count: int
    ) -> list[tuple[bytes, Any, int]]:
        """XCLAIM up to `count` of `dead`'s pending entries for `consumer`: `(id, fields,
        times delivered)` per entry taken. `min_idle_ms` makes a race between two claimers
        harmless: the first claim resets the idle time, so the second takes nothing."""
        info = await self.redis.xpending_range(
            self.keys.stream, GROUP, min="-", max="+", count=count, consumername=dead
        )
        if not info:
            return []
        deliveries = {p["message_id"]: int(p["times_delivered"]) + 1 for p in info}
        taken = await self.redis.xclaim(
            self.keys.stream, GROUP, consumer, min_idle_ms, list(deliveries)
        )
        out = []
        for entry_id, fields in taken or []:
            if entry_id is None:
                continue
            out.append((entry_id, fields, deliveries.get(entry_id, 1)))
        # An entry XCLAIM found deleted (its results were stored) is gone from the pending
        # list too; once the dead consumer holds nothing it leaves the group.
        if len(info) < count:
            await self.forget_consumer(dead)
        return out

    async def worker_loads(self) -> dict[str, dict[str, Any]]:
        """The load each live worker of the group last reported, by consumer name."""
        try:
            group = await self.redis.xinfo_consumers(self.keys.stream, GROUP)
        except ResponseError:  # no stream or group yet
            return {}
        names = [c["name"].decode() if isinstance(c["name"], bytes) else c["name"] for c in group]
        if not names:
            return {}
        values = await self.redis.mget([self.keys.alive(n) for n in names])
        out: dict[str, dict[str, Any]] = {}
        for name, raw in zip(names, values, strict=True):
            if raw is None:
                continue
            try:
                load = orjson.loads(raw)
            except orjson.JSONDecodeError:
                continue
            if isinstance(load, dict):
                out[name] = load
        return out

    async def read_state(self, job_id: str, *, take: bool = False) -> JobState | None:
        """The job's state from Redis; None when unknown or expired. With `take`, a finished
        job is deleted in the same step (the synchronous path). A job past its deadline is
        finished by this read (see `_STATE`)."""
        state, _ = await self.read_state_until(job_id, take=take)
        return state

    async def read_state_until(
        self, job_id: str, *, take: bool = False
    ) -> tuple[JobState | None, float | None]:
        """`read_state`, and for a running job with a deadline the seconds until this read
        would finish it (None otherwise)."""
        k = self.keys
        reply = await self._state(
            keys=[k.job(job_id), k.res(job_id), k.pending, k.waiting],
            args=[
                int(take),
                int(DEADLINE_GRACE_S * 1000),
                self.result_ttl_s,
                k.events,
                job_id,
            ],
        )
        if not reply:
            return None, None
        status, chunks, started, error, recheck, *flat = reply
        if status == b"queued":
            state = JobState(JobStatus.RUNNING if started else JobStatus.QUEUED)
            return state, int(recheck) / 1000 if recheck else None
        if status == b"failed":
            error_text = (error or b"failed").decode(errors="replace")
            return JobState(JobStatus.FAILED, error=error_text), None
        parts = dict(zip(flat[::2], flat[1::2], strict=True))
        n = int(chunks)
        if len(parts) != n:
            return None, None  # the results expired before the record
        results: list[ItemResult] = []
        for index in range(n):
            part = parts[str(index).encode()]
            if part.startswith(b"D"):  # nobody finished this chunk by the deadline
                skeleton = orjson.loads(part[1:])  # [id, [check names]] per item
                results.extend(deadline_result(str(i), checks) for i, checks in skeleton)
            else:
                results.extend(ItemResult.from_json(r) for r in orjson.loads(part))
        return JobState(JobStatus.DONE, results), None


class LocalWorker(Protocol):
    """A consumer run on the broker's event loop (`rewardkit serve --redis URL --workers N`):
    the worker's side, wired in by `app.wiring`, so the broker never imports it."""

    async def start(self) -> None: ...

    async def run(self) -> None: ...

    def stop(self) -> None: ...

    async def close(self) -> None: ...

    def health(self) -> dict[str, Any]: ...


class RedisBroker(Broker):
    """The API's side of the Redis protocol: submit chunks, wait for the finish event.

    With a `local_worker` this process also runs a consumer on this event loop.
    """

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "rewardkit",
        result_ttl_s: int = 3600,
        chunk_items: int = 256,
        max_pending_items: int = 65536,
        local_worker: LocalWorker | None = None,
    ) -> None:
        self.url = url
        self.keys = Keys(prefix)
        self.chunk_items = chunk_items
        self.max_pending_items = max_pending_items
        self.client = connect(url)
        self.queue = StreamQueue(self.client, self.keys, result_ttl_s=result_ttl_s)
        self.local_worker = local_worker
        self._waiters: dict[str, set[asyncio.Event]] = {}
        self._listener: asyncio.Task[None] | None = None
        self._worker_task: asyncio.Task[None] | None = None
        self._subscribed = asyncio.Event()

    @classmethod
    def from_settings(
        cls, settings: Settings, local_worker: LocalWorker | None = None
    ) -> RedisBroker:
        """The broker the settings describe, with `local_worker` if given."""
        assert settings.redis_url
        return cls(
            settings.redis_url,
            prefix=settings.prefix,
            result_ttl_s=settings.result_ttl_s,
            chunk_items=settings.chunk_items,
            max_pending_items=settings.max_pending_items,
            local_worker=local_worker,
        )

    async def start(self) -> None:
        # Redis may be down at start-up: the service starts anyway, answers 503, and recovers.
        with contextlib.suppress(RedisError, OSError):
            await self.queue.ensure_group()
        self._listener = asyncio.create_task(self._listen(), name="redis-broker-events")
        if self.local_worker is not None:
            await self.local_worker.start()
            self._worker_task = asyncio.create_task(
                self.local_worker.run(), name="redis-local-worker"
            )
        # Waiters register before reading state, but a finish event published before the
        # subscription exists would be missed: be subscribed before taking requests.
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._subscribed.wait(), 2.0)

    async def close(self) -> None:
        if self.local_worker is not None and self._worker_task is not None:
            self.local_worker.stop()
            await asyncio.gather(self._worker_task, return_exceptions=True)
            await self.local_worker.close()
        if self._listener is not None:
            self._listener.cancel()
            await asyncio.gather(self._listener, return_exceptions=True)
        self._wake_all()
        await self.client.aclose()

    async def submit(self, job: Job) -> None:
        try:
            await self.queue.enqueue(
                job, chunk_items=self.chunk_items, max_pending_items=self.max_pending_items
            )
        except (RedisError, OSError) as exc:
            raise BrokerError(f"redis: {type(exc).__name__}: {exc}") from exc

    async def run(self, job: Job, timeout_s: float) -> list[ItemResult]:
        if job.deadline_s is not None:
            # The answer comes by the deadline: the read after it finishes the job.
            timeout_s = min(timeout_s, job.deadline_s + DEADLINE_GRACE_S + 5.0)
        await self.submit(job)
        # `take`: nobody asks for a synchronous job again, so its results are read and freed
        # in one step rather than kept for the TTL.
        state = await self._wait(job.id, timeout_s, take=True)
        if state is None:  # e.g. Redis restarted without persistence and forgot the job
            raise BrokerError(f"job {job.id} was lost by Redis; submit it again")
        if state.results is None:
            reason = state.error or "timed out waiting for results"
            raise BrokerError(f"job {job.id}: {reason}")
        return state.results

    async def state(self, job_id: str, wait_s: float = 0.0) -> JobState | None:
        if not job_id or len(job_id) > MAX_JOB_ID:
            return None
        return await self._wait(job_id, wait_s, take=False)

    async def _wait(self, job_id: str, wait_s: float, *, take: bool) -> JobState | None:
        """Read the job's state, and while it is unfinished wait (up to `wait_s`) for its
        finish event and read again: no polling."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + wait_s
        event = asyncio.Event()
        # Registered before the first read: a finish between the read and the wait still wakes.
        self._waiters.setdefault(job_id, set()).add(event)
        try:
            while True:
                event.clear()
                try:
                    state, recheck = await self.queue.read_state_until(job_id, take=take)
                except (RedisError, OSError) as exc:
                    raise BrokerError(f"redis: {type(exc).__name__}: {exc}") from exc
                left = deadline - loop.time()
                if state is None or state.status in (JobStatus.DONE, JobStatus.FAILED):
                    return state
                if left <= 0:
                    return state
                if recheck is not None:  # the job's deadline comes first: read again then
                    left = min(left, recheck + 0.005)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(event.wait(), left)
        finally:
            waiters = self._waiters.get(job_id)
            if waiters is not None:
                waiters.discard(event)
                if not waiters:
                    del self._waiters[job_id]

    def _wake_all(self) -> None:
        for events in self._waiters.values():
            for event in events:
                event.set()

    async def _listen(self) -> None:
        """Relay finish events to waiting requests; on reconnect wake everyone to re-read
        (an event published while we were disconnected is lost)."""
        backoff = 0.05
        while True:
            client = connect(self.url, retries=0)
            pubsub = client.pubsub()
            try:
                await pubsub.subscribe(self.keys.events)
                self._subscribed.set()
                self._wake_all()
                backoff = 0.05
                while True:
                    msg = await pubsub.get_message(ignore_subscribe_messages=True, timeout=5.0)
                    if msg is not None and msg["type"] in ("message", b"message"):
                        job_id = msg["data"].decode(errors="replace")
                        for event in self._waiters.get(job_id, ()):
                            event.set()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.warning("redis event listener: %s: %s", type(exc).__name__, exc)
            finally:
                self._subscribed.clear()
                with contextlib.suppress(Exception):
                    await pubsub.aclose()
                with contextlib.suppress(Exception):
                    await client.aclose()
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 2.0)

    async def load(self) -> dict[str, Any]:
        """The fleet's load from Redis: items and chunks waiting, the oldest chunk's wait
        (from its stream id, a millisecond timestamp, against Redis's clock), and what each
        live worker last reported with its liveness key."""
        k = self.keys
        async with self.client.pipeline(transaction=False) as pipe:
            pipe.get(k.waiting)
            pipe.get(k.pending)
            pipe.time()
            pipe.xlen(k.stream)
            waiting, pending, (secs, micros), entries = await pipe.execute()
        chunks_waiting = in_flight = 0
        oldest_s = 0.0
        with contextlib.suppress(ResponseError):  # no stream or group yet
            groups = await self.client.xinfo_groups(k.stream)
            group = next((g for g in groups if g["name"] in (GROUP, GROUP.encode())), None)
            if group is not None:
                in_flight = int(group["pending"])
                # The stream holds only unfinished work (finished entries are deleted).
                chunks_waiting = max(0, int(entries) - in_flight)
                # The first entry past the last delivered one is the oldest nobody started.
                last = _b(group["last-delivered-id"])
                first = await self.client.xrange(k.stream, min=b"(" + last, count=1)
                if first:
                    born_ms = int(_b(first[0][0]).split(b"-")[0])
                    oldest_s = max(0.0, int(secs) + int(micros) / 1e6 - born_ms / 1000)
        return {
            "items_waiting": max(0, int(waiting or 0)),
            "oldest_wait_s": round(oldest_s, 3),
            "queue_depth": max(0, int(pending or 0)),
            "chunks_waiting": chunks_waiting,
            "chunks_in_flight": in_flight,
            "workers": await self.queue.worker_loads(),
        }

    async def health(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": "redis", "prefix": self.keys.prefix}
        try:
            async with asyncio.timeout(2.5):
                async with self.client.pipeline(transaction=False) as pipe:
                    pipe.ping()
                    pipe.get(self.keys.pending)
                    pipe.xlen(self.keys.stream)
                    _, pending, chunks = await pipe.execute()
                groups = []
                with contextlib.suppress(ResponseError):  # no stream yet
                    groups = await self.client.xinfo_groups(self.keys.stream)
        except (RedisError, OSError, TimeoutError) as exc:
            return {**out, "ok": False, "error": f"redis unreachable: {type(exc).__name__}: {exc}"}
        pending_items = int(pending or 0)
        metrics.QUEUE_DEPTH.set(pending_items)
        group = next((g for g in groups if g["name"] in (GROUP, GROUP.encode())), None)
        out |= {
            "ok": True,
            "pending_items": pending_items,
            "stream_entries": chunks,
            "chunks_in_flight": group["pending"] if group else 0,
            "consumers": group["consumers"] if group else 0,
            "events": self._subscribed.is_set(),
        }
        if self.local_worker is not None:
            out["local_worker"] = self.local_worker.health()
        return out
