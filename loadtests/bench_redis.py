"""Benchmark of the Redis broker: items/s with 1 and 2 workers and the overhead per job, next
to the embedded broker measured in the same run (the baseline, ratio 1.00); items/s per worker
core for each check kind (sizing); and the failover time after `kill -9` of a worker.

Every setup gets the same checker resources per worker: one checker process. The embedded
broker scores in this process; the Redis setups run `rewardkit worker --workers 1` subprocesses
and submit from this process through `RedisBroker` (no HTTP in either, so the difference is the
broker alone).

- throughput: GRPO-shaped batches (math + format + language per item, `--batch` items each),
  one at a time, `--rounds` of them after a warm-up; a batch is split into chunks of
  `--chunk` items that all workers share. The embedded broker scores the same batches in
  turn with each Redis setup (the machine is shared: alternation keeps load drift out of
  the ratio).
- per-job latency: `--jobs` one-item jobs (a format check), one after another, interleaved
  job by job with the embedded broker; the overhead is the p50 difference.
- sizing (one worker, one checker process): items/s of a batch of each check kind alone
  (format, language, math, code with 3 stdio tests), and the CPU it took (the worker, its
  checker process and sandboxes, Redis and this process): items/s per core = items/s / cores.
- failover (two workers): a math batch in chunks; once both workers hold chunks and some are
  done, `kill -9` of the first; `takeover` = seconds until the dead worker holds nothing (its
  liveness key expired, another worker claimed its chunks), `finish` = seconds until the job
  is done. Every item must come back exactly once. The idle-time claim alone would need
  `claim_idle_s` (30 s) for the takeover.

Usage: python -m loadtests.bench_redis [--redis URL] [--batch 4096] [--rounds 3]
       [--jobs 300] [--chunk 256] [--concurrency 4] [--warmup 2048] [--quick] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

import redis

from app.api import schemas
from app.broker.base import Broker
from app.broker.embedded import EmbeddedBroker
from app.broker.redis import RedisBroker
from app.jobs import Item, Job
from app.worker.pool import CheckerPool
from app.worker.scorer import Scorer
from loadtests import workloads

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Row:
    setup: str
    items_per_s: float
    ratio: float  # items/s over the embedded broker's, measured in alternation with it
    cores: float  # CPU seconds per second of this process tree and Redis while scoring
    host: float  # CPU seconds per second of the whole machine (others' work included)
    job_p50_ms: float
    job_p99_ms: float
    overhead_ms: float  # job p50 minus the embedded broker's, measured interleaved with it


def batch(n: int, seed: int, group: int = 8) -> Job:
    """A GRPO batch: groups of `group` completions per prompt, checked for math (a gold of
    the prompt's own), format and language.

    Every completion's text is its own and every prompt has its own gold, so duplicate work
    exists only inside a group, as in training. (`loadtests.workloads.mixed_items` reuses ten
    gold answers across the whole batch: a whole-batch dedup would then skip work a real
    batch has, which would flatter the unchunked embedded broker.)
    """
    rng = random.Random(seed)
    items = []
    for p in range(0, n, group):
        q = seed * 100_000 + p // group
        gold = f"\\frac{{{q % 97 + 1}}}{{{q % 89 + 2}}}"
        same = f"\\frac{{{2 * (q % 97 + 1)}}}{{{2 * (q % 89 + 2)}}}"
        for k in range(min(group, n - p)):
            r = rng.random()
            answer = gold if r < 0.4 else same if r < 0.7 else str(rng.randint(1, 50))
            text = f"{workloads.REASONING_EN} Item {p + k}: we simplify and check. "
            items.append(
                Item(
                    str(p + k),
                    f"<think>{text}</think> The answer is $\\boxed{{{answer}}}$.",
                    {"math": {"gold": gold}, "format": {}, "language": {"target": "en"}},
                    {"format": 0.5},
                )
            )
    return Job(items)


def kind_job(kind: str, n: int, seed: int) -> Job:
    """A batch of one check kind from the shared workloads, through the API's own schema (so
    every parameter has its default, as in a request)."""
    make = {
        "format": workloads.format_items,
        "language": workloads.language_items,
        "math": workloads.math_items,
        "code": workloads.code_items,
    }[kind]
    return schemas.to_job(schemas.RewardsRequest.model_validate({"items": make(n, seed)}))


def tiny_job(k: int) -> Job:
    return Job([Item(str(k), "<think>r</think> 4", {"format": {}})])


async def warm_up(broker: Broker, args: argparse.Namespace) -> None:
    """Enough chunks that every worker loads its checkers (sympy, the language model)."""
    for seed in (98, 99):
        await broker.run(batch(args.warmup, seed=seed), timeout_s=600)
    for k in range(20):
        await broker.run(tiny_job(k), timeout_s=60)


def cpu_seconds(extra_pids: tuple[int, ...] = ()) -> float:
    """CPU seconds used so far by this process, all its descendants (workers, checker
    processes) and `extra_pids` (the Redis server), from /proc; NaN where there is none."""
    try:
        parent: dict[int, int] = {}
        ticks: dict[int, int] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parent[int(entry)] = int(fields[1])
            ticks[int(entry)] = int(fields[11]) + int(fields[12])  # utime + stime
    except OSError:
        return float("nan")
    mine = {os.getpid()}
    grew = True
    while grew:
        kids = {pid for pid, ppid in parent.items() if ppid in mine} - mine
        grew = bool(kids)
        mine |= kids
    total = sum(ticks.get(pid, 0) for pid in mine | set(extra_pids))
    return total / os.sysconf("SC_CLK_TCK")


def host_busy_seconds() -> float:
    """CPU seconds the whole machine has spent not idle (all processes, ours and others')."""
    try:
        with open("/proc/stat") as fh:
            ticks = [int(x) for x in fh.readline().split()[1:]]
    except OSError:
        return float("nan")
    idle = ticks[3] + ticks[4]  # idle + iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


async def throughput(
    brokers: list[Broker], args: argparse.Namespace, redis_pid: int
) -> list[tuple[float, float]]:
    """(items/s, cores used by us, cores busy on the whole machine) of each broker over
    `rounds` batches, the brokers taking turns
    batch by batch (so a change in the shared machine's load hits all of them alike)."""
    seconds = [0.0] * len(brokers)
    cpu = [0.0] * len(brokers)
    host = [0.0] * len(brokers)
    for r in range(args.rounds):
        for i, broker in enumerate(brokers):
            job = batch(args.batch, seed=r)  # the same items for each broker
            c0, h0, t0 = cpu_seconds((redis_pid,)), host_busy_seconds(), time.perf_counter()
            results = await broker.run(job, timeout_s=600)
            seconds[i] += time.perf_counter() - t0
            cpu[i] += cpu_seconds((redis_pid,)) - c0
            host[i] += host_busy_seconds() - h0
            assert len(results) == len(job.items)
    return [
        (args.batch * args.rounds / s, c / s, h / s)
        for s, c, h in zip(seconds, cpu, host, strict=True)
    ]


async def latencies(brokers: list[Broker], n: int) -> list[list[float]]:
    """Milliseconds per one-item job, the brokers interleaved job by job."""
    out: list[list[float]] = [[] for _ in brokers]
    for k in range(n):
        for i, broker in enumerate(brokers):
            t0 = time.perf_counter()
            (result,) = await broker.run(tiny_job(k), timeout_s=60)
            out[i].append((time.perf_counter() - t0) * 1000)
            assert result.reward == 1.0
    return out


def start_worker(url: str, prefix: str, concurrency: int) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "app.cli", "worker", "--redis", url, "--prefix", prefix]
    cmd += ["--workers", "1", "--concurrency", str(concurrency), "--log-level", "warning"]
    return subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})


def wait_consumers(client: redis.Redis, prefix: str, n: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if len(client.xinfo_consumers(f"{prefix}:queue", "workers")) >= n:
                return
        except redis.ResponseError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{n} workers did not join in {timeout}s")


@dataclass
class Sizing:
    kind: str
    items: int
    items_per_s: float
    cores: float
    items_per_s_per_core: float


async def sizing(broker: Broker, args: argparse.Namespace, redis_pid: int) -> list[Sizing]:
    """Items/s and CPU of one worker with one checker process, per check kind."""
    out = []
    for kind, n in (
        ("format", args.batch),
        ("language", args.batch),
        ("math", args.batch // 2),
        ("code", args.code_items),
    ):
        await broker.run(kind_job(kind, min(n, 256), seed=900), timeout_s=600)  # warm
        job = kind_job(kind, n, seed=901)
        c0, t0 = cpu_seconds((redis_pid,)), time.perf_counter()
        results = await broker.run(job, timeout_s=1200)
        seconds = time.perf_counter() - t0
        cores = (cpu_seconds((redis_pid,)) - c0) / seconds
        assert len(results) == n
        ips = n / seconds
        out.append(Sizing(kind, n, ips, cores, ips / cores if cores > 0 else float("nan")))
    return out


@dataclass
class Failover:
    items: int
    chunks: int
    killed_held: int  # chunks the killed worker held at the kill
    takeover_s: float
    finish_s: float
    liveness_ttl_s: float
    exact: bool  # every item came back once, in order, none missing


async def failover(
    broker: RedisBroker,
    client: redis.Redis,
    prefix: str,
    procs: list[subprocess.Popen[bytes]],
    args: argparse.Namespace,
) -> Failover:
    """Kill -9 the first worker while it holds chunks; time the takeover and the finish."""
    job = kind_job("math", args.failover_items, seed=777)
    stream = f"{prefix}:queue"
    victim = procs[0]
    names = [c["name"].decode() for c in client.xinfo_consumers(stream, "workers")]
    (dead,) = [n for n in names if f":{victim.pid}:" in n]

    def held(name: str) -> int:
        return len(client.xpending_range(stream, "workers", "-", "+", 1000, consumername=name))

    await broker.submit(job)
    res = f"{prefix}:res:{job.id}"
    deadline = time.monotonic() + 120
    while not (held(dead) > 0 and client.hlen(res) >= 1):
        if time.monotonic() > deadline:
            raise RuntimeError("the first worker never held a chunk")
        await asyncio.sleep(0.01)
    killed_held = held(dead)
    victim.kill()
    victim.wait()
    killed = time.monotonic()
    while held(dead) > 0:
        await asyncio.sleep(0.02)
    takeover = time.monotonic() - killed
    state = await broker.state(job.id, wait_s=600)
    finish = time.monotonic() - killed
    exact = bool(
        state is not None
        and state.results is not None
        and [r.id for r in state.results] == [i.id for i in job.items]
    )
    chunks = -(-len(job.items) // broker.chunk_items)
    return Failover(len(job.items), chunks, killed_held, takeover, finish, 3.0, exact)


def p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100)[98] if len(values) >= 2 else values[0]


async def run(args: argparse.Namespace) -> tuple[list[Row], list[Sizing], Failover]:
    embedded = EmbeddedBroker(Scorer(CheckerPool(1)))
    await embedded.start()
    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    client = redis.Redis.from_url(args.redis)
    procs: list[subprocess.Popen[bytes]] = []
    broker = RedisBroker(args.redis, prefix=prefix, chunk_items=args.chunk)
    await broker.start()
    rows: list[Row] = []
    base_ips: list[float] = []
    base_cores: list[float] = []
    base_host: list[float] = []
    redis_pid = int(client.info("server")["process_id"])
    base_lat: list[float] = []
    sized: list[Sizing] = []
    try:
        await warm_up(embedded, args)
        for n in (1, 2):
            procs.append(start_worker(args.redis, prefix, args.concurrency))
            wait_consumers(client, prefix, n)
            await warm_up(broker, args)
            (e_ips, e_cores, e_host), (r_ips, r_cores, r_host) = await throughput(
                [embedded, broker], args, redis_pid
            )
            e_lat, r_lat = await latencies([embedded, broker], args.jobs)
            base_ips.append(e_ips)
            base_cores.append(e_cores)
            base_host.append(e_host)
            base_lat += e_lat
            rows.append(
                Row(
                    f"redis, {n} worker{'s' if n > 1 else ''} x 1 checker process",
                    r_ips,
                    r_ips / e_ips,
                    r_cores,
                    r_host,
                    statistics.median(r_lat),
                    p99(r_lat),
                    statistics.median(r_lat) - statistics.median(e_lat),
                )
            )
            if n == 1:
                sized = await sizing(broker, args, redis_pid)
        failed_over = await failover(broker, client, prefix, procs, args)
    finally:
        await broker.close()
        await embedded.close()
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()
    ips = statistics.mean(base_ips)
    base = Row(
        "embedded, 1 checker process",
        ips,
        1.0,
        statistics.mean(base_cores),
        statistics.mean(base_host),
        statistics.median(base_lat),
        p99(base_lat),
        0.0,
    )
    return [base, *rows], sized, failed_over


def print_table(
    rows: list[Row], sized: list[Sizing], failed: Failover, args: argparse.Namespace
) -> None:
    print(
        f"batches of {args.batch} items (math+format+language), {args.rounds} rounds, "
        f"chunks of {args.chunk}; {args.jobs} one-item jobs; {os.cpu_count()} CPUs\n"
        "x embedded, overhead: against the embedded broker run in turn with each setup\n"
        "cores: CPU s/s used by the bench, its workers and Redis while scoring; "
        "host: CPU s/s busy on the whole machine (others' work included)"
    )
    head = (
        f"{'setup':<38} {'items/s':>8} {'x embedded':>10} {'cores':>5} {'host':>5} "
        f"{'job p50 ms':>10} {'job p99 ms':>10} {'overhead ms':>11}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r.setup:<38} {r.items_per_s:>8.0f} {r.ratio:>10.2f} {r.cores:>5.2f} "
            f"{r.host:>5.2f} {r.job_p50_ms:>10.2f} {r.job_p99_ms:>10.2f} {r.overhead_ms:>+11.2f}"
        )
    print("\nsizing: one worker, one checker process, one check kind per batch")
    head = f"{'check':<10} {'items':>6} {'items/s':>9} {'cores':>6} {'items/s per core':>17}"
    print(head)
    print("-" * len(head))
    for z in sized:
        print(
            f"{z.kind:<10} {z.items:>6} {z.items_per_s:>9.0f} {z.cores:>6.2f} "
            f"{z.items_per_s_per_core:>17.0f}"
        )
    print(
        f"\nfailover: kill -9 of a worker holding {failed.killed_held} of {failed.chunks} chunks "
        f"({failed.items} math items, 2 workers, liveness TTL {failed.liveness_ttl_s:g} s): "
        f"takeover {failed.takeover_s:.2f} s, job done {failed.finish_s:.2f} s after the kill; "
        f"every item once: {failed.exact}"
    )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    p.add_argument("--batch", type=int, default=4096)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--jobs", type=int, default=300)
    p.add_argument("--chunk", type=int, default=256)
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument("--warmup", type=int, default=2048, help="items per warm-up batch")
    p.add_argument("--code-items", type=int, default=128, help="items of the code sizing row")
    p.add_argument("--failover-items", type=int, default=4096, help="items of the failover job")
    p.add_argument("--quick", action="store_true", help="small run (checks the script works)")
    p.add_argument("--json", action="store_true", help="print rows as JSON instead of a table")
    args = p.parse_args()
    if args.quick:
        args.batch, args.rounds, args.jobs, args.chunk, args.warmup = 256, 1, 20, 64, 256
        args.code_items, args.failover_items = 8, 512
    rows, sized, failed = asyncio.run(run(args))
    if args.json:
        out = {
            "rows": [asdict(r) for r in rows],
            "sizing": [asdict(z) for z in sized],
            "failover": asdict(failed),
        }
        print(json.dumps(out))
    else:
        print_table(rows, sized, failed, args)


if __name__ == "__main__":
    main()
