"""Benchmark of the Redis broker: items/s with 1 and 2 workers and the overhead per job, next
to the embedded broker measured in the same run (the baseline, ratio 1.00).

Every setup gets the same checker resources per worker: one checker process. The embedded
broker scores in this process; the Redis setups run `rewardkit worker --workers 1` subprocesses
and submit from this process through `RedisBroker` (no HTTP in either, so the difference is the
broker alone).

- throughput: GRPO-shaped batches (math + format + language per item, `--batch` items each),
  one at a time, `--rounds` of them after a warm-up; a batch is split into chunks of
  `--chunk` items that all workers share.
- per-job latency: `--jobs` one-item jobs (a format check), one after another; the overhead is
  the p50 minus the embedded broker's p50.

Usage: python -m loadtests.bench_redis [--redis URL] [--batch 4096] [--rounds 3]
       [--jobs 300] [--chunk 256] [--concurrency 4] [--quick] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from pathlib import Path

import redis

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
    ratio: float
    job_p50_ms: float
    job_p99_ms: float
    overhead_ms: float


def batch(n: int, seed: int) -> Job:
    """A GRPO batch (math + format + language) as a Job."""
    items = workloads.mixed_items(n, seed)
    return Job([Item(i["id"], i["completion"], i["checks"], i.get("weights") or {}) for i in items])


def tiny_job(k: int) -> Job:
    return Job([Item(str(k), "<think>r</think> 4", {"format": {}})])


async def measure(broker: Broker, args: argparse.Namespace) -> tuple[float, list[float]]:
    """Items/s over `rounds` batches, then per-job latencies (ms) of one-item jobs."""
    # Warm-up: enough chunks that every worker loads its checkers (sympy, the language model).
    for seed in (98, 99):
        await broker.run(batch(max(args.batch, 2048), seed=seed), timeout_s=600)
    for k in range(20):
        await broker.run(tiny_job(k), timeout_s=60)
    jobs = [batch(args.batch, seed=r) for r in range(args.rounds)]
    t0 = time.perf_counter()
    for job in jobs:
        results = await broker.run(job, timeout_s=600)
        assert len(results) == len(job.items)
    items_per_s = args.batch * args.rounds / (time.perf_counter() - t0)
    lat = []
    for k in range(args.jobs):
        t = time.perf_counter()
        (result,) = await broker.run(tiny_job(k), timeout_s=60)
        lat.append((time.perf_counter() - t) * 1000)
        assert result.reward == 1.0
    return items_per_s, lat


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


def row(setup: str, ips: float, lat: list[float], base: Row | None) -> Row:
    p50 = statistics.median(lat)
    p99 = statistics.quantiles(lat, n=100)[98] if len(lat) >= 2 else lat[0]
    return Row(
        setup,
        ips,
        ips / base.items_per_s if base else 1.0,
        p50,
        p99,
        p50 - base.job_p50_ms if base else 0.0,
    )


async def run(args: argparse.Namespace) -> list[Row]:
    rows: list[Row] = []
    pool = CheckerPool(1)
    embedded = EmbeddedBroker(Scorer(pool))
    await embedded.start()
    try:
        base = row("embedded, 1 checker process", *await measure(embedded, args), None)
    finally:
        await embedded.close()
    rows.append(base)

    prefix = f"bench-{uuid.uuid4().hex[:8]}"
    client = redis.Redis.from_url(args.redis)
    procs: list[subprocess.Popen[bytes]] = []
    broker = RedisBroker(args.redis, prefix=prefix, chunk_items=args.chunk)
    await broker.start()
    try:
        for n in (1, 2):
            procs.append(start_worker(args.redis, prefix, args.concurrency))
            wait_consumers(client, prefix, n)
            label = f"redis, {n} worker{'s' if n > 1 else ''} x 1 checker process"
            rows.append(row(label, *await measure(broker, args), base))
    finally:
        await broker.close()
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=30)
        keys = list(client.scan_iter(match=f"{prefix}:*"))
        if keys:
            client.delete(*keys)
        client.close()
    return rows


def print_table(rows: list[Row], args: argparse.Namespace) -> None:
    print(
        f"batches of {args.batch} items (math+format+language), {args.rounds} rounds, "
        f"chunks of {args.chunk}; {args.jobs} one-item jobs; {os.cpu_count()} CPUs"
    )
    head = (
        f"{'setup':<42} {'items/s':>9} {'x embedded':>10} {'job p50 ms':>10} "
        f"{'job p99 ms':>10} {'overhead ms':>11}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        print(
            f"{r.setup:<42} {r.items_per_s:>9.0f} {r.ratio:>10.2f} {r.job_p50_ms:>10.2f} "
            f"{r.job_p99_ms:>10.2f} {r.overhead_ms:>+11.2f}"
        )


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    p.add_argument("--batch", type=int, default=4096)
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--jobs", type=int, default=300)
    p.add_argument("--chunk", type=int, default=256)
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument("--quick", action="store_true", help="small run (checks the script works)")
    p.add_argument("--json", action="store_true", help="print rows as JSON instead of a table")
    args = p.parse_args()
    if args.quick:
        args.batch, args.rounds, args.jobs, args.chunk = 256, 1, 20, 64
    rows = asyncio.run(run(args))
    if args.json:
        print(json.dumps([asdict(r) for r in rows]))
    else:
        print_table(rows, args)


if __name__ == "__main__":
    main()
