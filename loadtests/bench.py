"""Headless benchmark of the service path: items/s and p50/p99 latency per checker and for a
mixed GRPO batch, each next to its floor measured in the same run, with the ratio.

Floors:
- HTTP floor (format, language, mixed, choice, qa, ifeval, json): a trivial FastAPI endpoint that parses the same body
  with the same schema and scores nothing (loadtests/trivial_app.py).
- math: Math-Verify 0.9.0 (`parse` + `verify`) on the same items, one process, in this process.
- code, humaneval: a bare `bwrap ... python3 -c pass` spawn, as many at once as the service has
  workers.
- cpp: a plain `g++` compile (the sandbox's own C++ flags) + a run of each test of the same
  programs, no sandbox, as many at once as this host has cores.

The code scenarios `humaneval` (HumanEval-format canonical solutions, one function test each)
and `cpp` (`bits/stdc++.h` contest programs, stdio tests) are slow per item: they take their
own batch size and requests in flight (`--humaneval-batch 32 --humaneval-concurrency 4`,
`--cpp-batch 8 --cpp-concurrency 2`), warm up with one small request, and warn on stderr when
an item does not score 1.0 (every program is a correct one). They are not in the default list.

Usage: python -m loadtests.bench [--quick] [--json] [--batch 256] [--concurrency 4]
       [--duration 8] [--scenarios format,language,math,code,mixed,choice,qa,ifeval,json]
       [--humaneval-batch 32] [--humaneval-concurrency 4] [--cpp-batch 8]
       [--cpp-concurrency 2] [--url URL]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
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


def _not_correct(response: httpx.Response) -> list[str]:
    """The code statuses of the items of a response that did not score 1.0."""
    return [
        str((r.get("details") or {}).get("code", {}).get("status"))
        for r in orjson.loads(response.content)["results"]
        if (r.get("scores") or {}).get("code") != 1.0
    ]


async def load(
    url: str,
    bodies: list[bytes],
    n_items: int,
    concurrency: int,
    duration: float,
    warmup: list[bytes] | None = None,
    expect_correct: bool = False,
) -> tuple[float, list[float]]:
    """POST bodies round-robin from `concurrency` loops for `duration` s: (items/s, latencies).

    `warmup` replaces the default warm-up bodies (the first two); with `expect_correct`
    every response is parsed and items whose `code` score is not 1.0 are reported on stderr
    (a benchmark of failing runs would measure the wrong thing).
    """
    latencies: list[float] = []
    bad: list[str] = []
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(timeout=600, limits=limits) as client:
        headers = {"content-type": "application/json"}
        # Warm-up: every body once (imports, caches of the golds, forkserver children).
        for body in bodies[:2] if warmup is None else warmup:
            r = await client.post(url + "/v1/rewards", content=body, headers=headers)
            r.raise_for_status()
            if expect_correct:
                bad += _not_correct(r)
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
                if expect_correct:
                    bad.extend(_not_correct(r))

        t0 = time.perf_counter()
        await asyncio.gather(*(loop(k) for k in range(concurrency)))
        elapsed = time.perf_counter() - t0
    if bad:
        statuses = {s: bad.count(s) for s in sorted(set(bad))}
        print(f"# warning: {len(bad)} items did not score 1.0: {statuses}", file=sys.stderr)
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


def cpp_plain_floor(items: list[dict[str, Any]], duration: float, parallel: int) -> float:
    """Items/s of a plain compile + run of every test of the items' C++ programs, no sandbox:
    the sandbox's compiler and C++ flags (sandbox.languages' Cpp: `g++ -O2 -std=gnu++20`),
    `parallel` at once, the items round-robin, for `duration` s and at least two items each."""
    from app.checkers.code import extract_program
    from sandbox import languages

    lang, tc = languages.get("cpp"), languages.toolchain("cpp")
    if not tc.ok:
        return float("nan")
    jobs = [
        (extract_program(it["completion"], "cpp") or "", it["checks"]["code"]["tests"])
        for it in items
    ]

    def once(k: int) -> None:
        source, tests = jobs[k % len(jobs)]
        with tempfile.TemporaryDirectory() as work:
            Path(work, lang.source_name).write_text(source)
            # The C++ language's own compiler and flags, spelled out rather than its whole
            # compile command: a precompiled header the sandbox may add is not "plain g++".
            src = f"{work}/{lang.source_name}"
            argv = [tc.commands["cc"], *lang.flags, "-pipe", "-o", f"{work}/prog", src, "-lm"]
            subprocess.run(argv, check=True, capture_output=True)
            for t in tests:
                out = subprocess.run(
                    [f"{work}/prog"], input=t["input"].encode(), capture_output=True, timeout=30
                ).stdout
                if out.decode() != t["output"]:
                    raise RuntimeError(f"plain C++ run gave {out!r}, expected {t['output']!r}")

    stop_at, n, lock = time.perf_counter() + duration, [0], threading.Lock()

    def worker(w: int) -> None:
        # At least two items each: one compile takes seconds, a `--quick` run would otherwise
        # time a single item per core.
        k = w
        while time.perf_counter() < stop_at or k < 2 * parallel:
            once(k)
            with lock:
                n[0] += 1
            k += parallel

    t0 = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        for f in [pool.submit(worker, w) for w in range(parallel)]:
            f.result()
    return n[0] / (time.perf_counter() - t0)


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
    "humaneval": workloads.humaneval_items,
    "cpp": workloads.cpp_items,
}
#: Slow code scenarios: (their own batch, their own requests in flight), both configurable.
CODE_SCENARIOS = ("humaneval", "cpp")


def _rate(x: float) -> str:
    """Items/s for the table: whole numbers, with decimals for the slow (code) rows."""
    return f"{x:,.0f}" if x >= 100 else f"{x:.2f}"


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
    p.add_argument("--humaneval-batch", type=int, default=32)
    p.add_argument("--humaneval-concurrency", type=int, default=4)
    p.add_argument("--cpp-batch", type=int, help="default 8 (--quick: 4)")
    p.add_argument("--cpp-concurrency", type=int, default=2)
    p.add_argument("--url", help="benchmark a running service instead of starting one")
    args = p.parse_args(argv)
    duration = 2.0 if args.quick else args.duration
    batch = min(args.batch, 64) if args.quick and args.batch == 256 else args.batch
    code_shape = {
        "humaneval": (args.humaneval_batch, args.humaneval_concurrency),
        "cpp": (args.cpp_batch or (4 if args.quick else 8), args.cpp_concurrency),
    }

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
            needs = {
                "mixed": {"math", "format", "language"},
                "humaneval": {"code"},
                "cpp": {"code"},
            }.get(name, {name})
            if not needs <= available:
                print(
                    f"# skipping {name}: the service has no {sorted(needs - available)} check",
                    file=sys.stderr,
                )
                continue
            n_items, concurrency = code_shape.get(name, (batch, args.concurrency))
            items_sets = [gen(n_items, seed) for seed in range(8)]
            bodies = [orjson.dumps({"items": items}) for items in items_sets]
            warmup = None
            if name in CODE_SCENARIOS:
                # One small request: a full batch of compiles would be minutes of warm-up.
                warmup = [orjson.dumps({"items": gen(2, 1000)})]
            ips, lat = asyncio.run(
                load(
                    url,
                    bodies,
                    n_items,
                    concurrency,
                    duration,
                    warmup=warmup,
                    expect_correct=name in CODE_SCENARIOS,
                )
            )
            if name == "math":
                floor_name, floor = (
                    "Math-Verify 0.9.0, 1 process",
                    math_verify_floor(items_sets[0], duration),
                )
            elif name == "cpp":
                cores = os.cpu_count() or 1
                floor_name, floor = (
                    f"plain g++ + run x{cores}",
                    cpp_plain_floor(items_sets[0], duration, cores),
                )
            elif name in ("code", "humaneval"):
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
    shapes = "".join(
        f" {name}: batch={code_shape[name][0]} concurrency={code_shape[name][1]};"
        for name in CODE_SCENARIOS
        if any(r.scenario == name for r in rows)
    )
    print(
        f"batch={batch} concurrency={args.concurrency} duration={duration}s workers={args.workers} cores={os.cpu_count()}"
        + (f" |{shapes.rstrip(';')}" if shapes else "")
    )
    head = ("scenario", "items/s", "p50 ms", "p99 ms", "floor", "floor items/s", "ratio")
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")
    for r in rows:
        print(
            f"| {r.scenario} | {_rate(r.items_per_s)} | {r.p50_ms:.1f} | {r.p99_ms:.1f} | {r.floor} | {_rate(r.floor_items_per_s)} | {r.ratio:.2f}x |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
