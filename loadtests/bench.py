"""Headless benchmark of the service path: items/s and p50/p99 latency per checker and for a
mixed GRPO batch, each next to its floor measured in the same run, with the ratio.

Floors:
- HTTP floor (format, language, mixed, choice, qa, ifeval, json): a trivial FastAPI endpoint that parses the same body
  with the same schema and scores nothing (loadtests/trivial_app.py).
- math: Math-Verify 0.9.0 (`parse` + `verify`) on the same items, one process, in this process.
- code: a bare `bwrap ... python3 -c pass` spawn, as many at once as the service has cores.

Usage: python -m loadtests.bench [--quick] [--json] [--batch 256] [--concurrency 4]
       [--duration 8] [--scenarios format,language,math,code,mixed,choice,qa,ifeval,json]
       [--url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson

from loadtests import workloads

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Row:
    scenario: str
    items_per_s: float
    p50_ms: float
    p99_ms: float
    floor: str
    floor_items_per_s: float
    ratio: float
    batches: int


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"server exited with {proc.returncode}")
        try:
            if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not become healthy")


def start(
    cmd: list[str], port: int, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    _wait_healthy(url, proc)
    return proc, url


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()


async def load(
    url: str, bodies: list[bytes], n_items: int, concurrency: int, duration: float
) -> tuple[float, list[float]]:
    """POST bodies round-robin from `concurrency` loops for `duration` s: (items/s, latencies)."""
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=120, limits=limits) as client:
        headers = {"content-type": "application/json"}
        # Warm-up: every body once (imports, caches of the golds, forkserver children).
        for body in bodies[:2]:
            (
                await client.post(url + "/v1/rewards", content=body, headers=headers)
            ).raise_for_status()
        stop_at = time.perf_counter() + duration
        counter = 0

        async def loop(k: int) -> None:
            nonlocal counter
            i = k
            while time.perf_counter() < stop_at:
                t0 = time.perf_counter()
                r = await client.post(
                    url + "/v1/rewards", content=bodies[i % len(bodies)], headers=headers
                )
                r.raise_for_status()
                latencies.append(time.perf_counter() - t0)
                counter += 1
                i += concurrency

        t0 = time.perf_counter()
        await asyncio.gather(*(loop(k) for k in range(concurrency)))
        elapsed = time.perf_counter() - t0
    return counter * n_items / elapsed, latencies


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0] * 1000
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] * 1000


def math_verify_floor(items: list[dict[str, Any]], duration: float) -> float:
    """Math-Verify's items/s on the same completions and golds, single process."""
    from math_verify import parse, verify

    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < duration:
        for it in items:
            verify(parse(it["checks"]["math"]["gold"]), parse(it["completion"]))
            n += 1
    return n / (time.perf_counter() - t0)


def bwrap_floor(duration: float, parallel: int) -> float:
    """Bare sandbox spawns per second: bwrap with fresh namespaces running `python3 -c pass`."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return float("nan")
    real = os.path.realpath(sys.executable)
    prefix = str(Path(real).parent.parent)
    cmd = [
        bwrap,
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
        "--ro-bind",
        "/usr",
        "/usr",
        "--ro-bind",
        prefix,
        prefix,
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--tmpfs",
        "/tmp",
        "--clearenv",
    ]
    for d in ("/lib", "/lib64", "/bin"):
        if os.path.exists(d):
            cmd += (
                ["--ro-bind", d, d] if not os.path.islink(d) else ["--symlink", os.readlink(d), d]
            )
    cmd += [real, "-S", "-c", "pass"]

    async def run() -> int:
        stop_at, n = time.perf_counter() + duration, 0

        async def one() -> None:
            nonlocal n
            while time.perf_counter() < stop_at:
                p = await asyncio.create_subprocess_exec(
                    *cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                )
                await p.wait()
                n += 1

        await asyncio.gather(*(one() for _ in range(parallel)))
        return n

    t0 = time.perf_counter()
    n = asyncio.run(run())
    return n / (time.perf_counter() - t0)


SCENARIOS: dict[str, Callable[[int, int], list[dict[str, Any]]]] = {
    "format": workloads.format_items,
    "language": workloads.language_items,
    "math": workloads.math_items,
    "code": workloads.code_items,
    "mixed": workloads.mixed_items,
    "choice": workloads.choice_items,
    "qa": workloads.qa_items,
    "ifeval": workloads.ifeval_items,
    "json": workloads.json_items,
}


def registered_checks(url: str) -> set[str]:
    return set(httpx.get(url + "/healthz", timeout=5).json().get("checks", {}))


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--quick", action="store_true", help="short runs (the whole table within a minute)"
    )
    p.add_argument("--json", action="store_true", help="print JSON instead of a table")
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--concurrency", type=int, default=4)
    p.add_argument("--duration", type=float, default=8.0, help="seconds per measurement")
    p.add_argument("--workers", type=int, default=2, help="checker processes of the service")
    p.add_argument("--scenarios", default="format,language,math,code,mixed,choice,qa,ifeval,json")
    p.add_argument("--url", help="benchmark a running service instead of starting one")
    args = p.parse_args(argv)
    duration = 2.0 if args.quick else args.duration
    batch = min(args.batch, 64) if args.quick and args.batch == 256 else args.batch

    procs: list[subprocess.Popen[bytes]] = []
    try:
        if args.url:
            url = args.url
        else:
            port = _free_port()
            proc, url = start(
                [
                    sys.executable,
                    "-m",
                    "app.cli",
                    "serve",
                    "--port",
                    str(port),
                    "--workers",
                    str(args.workers),
                    "--log-level",
                    "warning",
                ],
                port,
            )
            procs.append(proc)
        tport = _free_port()
        tproc, trivial = start(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "loadtests.trivial_app:app",
                "--port",
                str(tport),
                "--log-level",
                "warning",
                "--no-access-log",
            ],
            tport,
        )
        procs.append(tproc)
        available = registered_checks(url)
        rows: list[Row] = []
        for name in args.scenarios.split(","):
            gen = SCENARIOS[name]
            needs = {"mixed": {"math", "format", "language"}}.get(name, {name})
            if not needs <= available:
                print(
                    f"# skipping {name}: the service has no {sorted(needs - available)} check",
                    file=sys.stderr,
                )
                continue
            items_sets = [gen(batch, seed) for seed in range(8)]
            bodies = [orjson.dumps({"items": items}) for items in items_sets]
            ips, lat = asyncio.run(load(url, bodies, batch, args.concurrency, duration))
            if name == "math":
                floor_name, floor = (
                    "Math-Verify 0.9.0, 1 process",
                    math_verify_floor(items_sets[0], duration),
                )
            elif name == "code":
                floor_name, floor = (
                    f"bare bwrap spawn x{args.workers}",
                    bwrap_floor(duration, args.workers),
                )
            else:
                floor_name = "trivial FastAPI endpoint"
                floor, _ = asyncio.run(load(trivial, bodies, batch, args.concurrency, duration))
            rows.append(
                Row(
                    name,
                    ips,
                    pct(lat, 50),
                    pct(lat, 99),
                    floor_name,
                    floor,
                    ips / floor if floor else float("nan"),
                    len(lat),
                )
            )
    finally:
        for proc in procs:
            stop(proc)

    if args.json:
        print(orjson.dumps([asdict(r) for r in rows], option=orjson.OPT_INDENT_2).decode())
        return 0
    print(
        f"batch={batch} concurrency={args.concurrency} duration={duration}s workers={args.workers} cores={os.cpu_count()}"
    )
    head = ("scenario", "items/s", "p50 ms", "p99 ms", "floor", "floor items/s", "ratio")
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")
    for r in rows:
        print(
            f"| {r.scenario} | {r.items_per_s:,.0f} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.floor} | {r.floor_items_per_s:,.0f} | {r.ratio:.2f}x |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
