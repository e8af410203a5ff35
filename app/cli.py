"""The `rewardkit` command: `serve`, `worker`, `score`.

Flags win over `REWARDKIT_*` environment variables, which win over defaults.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from app.config import ConfigError, Settings


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="rewardkit", description="Rule-based rewards for RL of reasoning models."
    )
    sub = p.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", help="bind address (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8000)")
    serve.add_argument(
        "--redis", dest="redis_url", help="Redis URL; without it the embedded broker is used"
    )
    serve.add_argument(
        "--workers",
        type=int,
        help="checker processes (default: CPU count; 0 with --redis: HTTP only)",
    )
    serve.add_argument("--prefix", help="namespace of every Redis key")
    serve.add_argument("--log-level", dest="log_level", help="debug, info, warning, error")

    worker = sub.add_parser("worker", help="run a Redis worker")
    worker.add_argument("--redis", dest="redis_url", help="Redis URL (or REWARDKIT_REDIS_URL)")
    worker.add_argument("--concurrency", type=int, help="jobs taken at once (default 4)")
    worker.add_argument("--workers", type=int, help="checker processes (default: CPU count)")
    worker.add_argument("--prefix", help="namespace of every Redis key")
    worker.add_argument("--log-level", dest="log_level")

    score = sub.add_parser("score", help="score a JSONL file of items")
    score.add_argument(
        "file", type=Path, help="JSONL, one item per line (the /v1/rewards item shape)"
    )
    score.add_argument("--url", help="score through a running service instead of in-process")
    score.add_argument("-o", "--output", type=Path, help="where to write results (default: stdout)")
    score.add_argument("--batch-size", type=int, default=256, help="items per batch (default 256)")
    score.add_argument("--workers", type=int, help="checker processes when in-process")
    score.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `rewardkit` console script."""
    args = _parser().parse_args(argv)
    flags = {k: v for k, v in vars(args).items() if k in Settings.__dataclass_fields__}
    try:
        settings = Settings.load(**flags)
    except ConfigError as exc:
        print(f"rewardkit: {exc}", file=sys.stderr)
        return 2
    from app.logs import setup_logging

    setup_logging(settings.log_level)
    if args.command == "serve":
        return _serve(settings)
    if args.command == "worker":
        return _worker(settings)
    from app.batch_file import score_file

    try:
        return asyncio.run(
            score_file(
                args.file,
                args.output,
                settings=settings,
                url=args.url,
                batch_size=args.batch_size,
                progress=not args.no_progress,
            )
        )
    except (OSError, ValueError) as exc:
        print(f"rewardkit score: {exc}", file=sys.stderr)
        return 1


def _serve(settings: Settings) -> int:
    import uvicorn

    from app.api.app import create_app

    logging.getLogger("rewardkit").info(
        "serving on http://%s:%d (%s broker, %d checker processes)",
        settings.host,
        settings.port,
        "redis" if settings.redis_url else "embedded",
        settings.pool_size,
    )
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        access_log=False,  # our middleware writes one structured line per request
        timeout_graceful_shutdown=30,
        log_config=None,  # keep our JSON logging for uvicorn too
    )
    return 0


def _worker(settings: Settings) -> int:
    if not settings.redis_url:
        print("rewardkit worker: --redis URL (or REWARDKIT_REDIS_URL) is required", file=sys.stderr)
        return 2
    from app.worker.redis_worker import run_worker

    return asyncio.run(run_worker(settings))


if __name__ == "__main__":
    raise SystemExit(main())
