"""Profile the service path in-process: N POST /v1/rewards requests driven straight through the
ASGI app (no sockets, no client), under cProfile, printing where the time goes per item.

    python -m loadtests.profile_service [--scenario format] [--batch 256] [--requests 200]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import pstats
import time
from typing import Any

import orjson

from app.api.app import create_app
from app.config import Settings
from loadtests import workloads


async def _call(app: Any, body: bytes) -> int:
    """One request through the ASGI app; returns the status code."""
    sent = False
    status = 0

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/rewards",
        "raw_path": b"/v1/rewards",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
        ],
        "client": ("127.0.0.1", 1),
        "server": ("127.0.0.1", 8000),
    }
    await app(scope, receive, send)
    return status


async def _run(args: argparse.Namespace) -> None:
    app = create_app(Settings.load(env={}, workers=1))
    gen = {
        "format": workloads.format_items,
        "language": workloads.language_items,
        "math": workloads.math_items,
        "mixed": workloads.mixed_items,
    }[args.scenario]
    bodies = [orjson.dumps({"items": gen(args.batch, seed)}) for seed in range(4)]
    async with app.router.lifespan_context(app):
        for body in bodies:  # warm-up
            assert await _call(app, body) == 200
        prof = cProfile.Profile()
        t0 = time.perf_counter()
        prof.enable()
        for i in range(args.requests):
            await _call(app, bodies[i % len(bodies)])
        prof.disable()
        elapsed = time.perf_counter() - t0
    n = args.requests * args.batch
    print(
        f"{args.scenario}: {n / elapsed:,.0f} items/s in-process under cProfile, "
        f"{elapsed / n * 1e6:.1f} us/item"
    )
    pstats.Stats(prof).sort_stats(args.sort).print_stats(args.top)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--scenario", default="format")
    p.add_argument("--batch", type=int, default=256)
    p.add_argument("--requests", type=int, default=200)
    p.add_argument("--sort", default="tottime")
    p.add_argument("--top", type=int, default=25)
    asyncio.run(_run(p.parse_args()))


if __name__ == "__main__":
    main()
