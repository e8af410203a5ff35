"""`rewardkit score FILE.jsonl`: score a file of items in-process or through a service."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import orjson
from pydantic import ValidationError

from app.api import schemas
from app.config import Settings
from app.jobs import Item


def _read_items(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str | None]]:
    """(line number, item dict or None, error or None) per non-empty line."""
    with path.open("rb") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                data = orjson.loads(line)
            except orjson.JSONDecodeError as exc:
                yield n, None, f"line {n}: invalid JSON: {exc}"
                continue
            if not isinstance(data, dict):
                yield n, None, f"line {n}: expected a JSON object"
                continue
            yield n, data, None


def _to_item(n: int, data: dict[str, Any]) -> Item:
    it = schemas.ItemIn.model_validate(data)
    checks = it.checks.as_dict()
    return Item(
        id=str(n) if it.id is None else str(it.id),
        completion=it.completion,
        checks=checks,
        weights={k: v for k, v in (it.weights or {}).items() if k in checks},
    )


def _error_line(item_id: str, message: str) -> dict[str, Any]:
    return {"id": item_id, "reward": None, "scores": {}, "details": {}, "error": message}


async def score_file(
    path: Path,
    output: Path | None,
    *,
    settings: Settings,
    url: str | None = None,
    batch_size: int = 256,
    progress: bool = True,
) -> int:
    """Score every line of `path`, writing one result line per input line, in order.

    A line that is not a valid item gets a result line with `error` (the run goes on).
    Returns the process exit code: 0, or 1 when any line was invalid.
    """
    from tqdm import tqdm

    lines = list(_read_items(path))
    out: IO[bytes] = output.open("wb") if output else sys.stdout.buffer
    bad = 0
    bar = tqdm(total=len(lines), unit="item", disable=not progress, file=sys.stderr)
    runner = await _Runner.open(settings, url)
    try:
        for start in range(0, len(lines), batch_size):
            chunk = lines[start : start + batch_size]
            rows: list[dict[str, Any] | None] = [None] * len(chunk)
            valid: list[tuple[int, Item, dict[str, Any]]] = []
            for k, (n, data, err) in enumerate(chunk):
                item_id = str(data.get("id", n)) if isinstance(data, dict) else str(n)
                if err is not None or data is None:
                    rows[k], bad = _error_line(item_id, err or "invalid"), bad + 1
                    continue
                try:
                    valid.append((k, _to_item(n, data), data))
                except ValidationError as exc:
                    msg = "; ".join(
                        f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()
                    )
                    rows[k], bad = _error_line(item_id, f"line {n}: {msg}"), bad + 1
            results = await runner.score([v[1] for v in valid], [v[2] for v in valid])
            for (k, _, _), res in zip(valid, results, strict=True):
                rows[k] = res
            for row in rows:
                out.write(orjson.dumps(row) + b"\n")
            out.flush()
            bar.update(len(chunk))
    finally:
        bar.close()
        await runner.close()
        if output:
            out.close()
    return 1 if bad else 0


class _Runner:
    """Scores batches in-process (own checker pool) or through a service's /v1/rewards."""

    def __init__(self, scorer: Any = None, client: Any = None, url: str | None = None) -> None:
        self.scorer, self.client, self.url = scorer, client, url

    @classmethod
    async def open(cls, settings: Settings, url: str | None) -> _Runner:
        if url:
            import httpx

            headers = (
                {"Authorization": f"Bearer {settings.api_token}"} if settings.api_token else {}
            )
            return cls(
                client=httpx.AsyncClient(timeout=settings.request_timeout_s, headers=headers),
                url=url,
            )
        from app.worker.scorer import build_scorer

        scorer = build_scorer(settings)
        assert scorer.pool is not None
        scorer.pool.start()
        return cls(scorer=scorer)

    async def score(self, items: list[Item], raw: list[dict[str, Any]]) -> list[dict[str, Any]]:
        if not items:
            return []
        if self.scorer is not None:
            return [r.to_json() for r in await self.scorer.score(items)]
        body = {"items": [{**r, "id": it.id} for it, r in zip(items, raw, strict=True)]}
        resp = await self.client.post(self.url.rstrip("/") + "/v1/rewards", json=body)
        if resp.status_code != 200:
            return [
                _error_line(it.id, f"HTTP {resp.status_code}: {resp.text[:300]}") for it in items
            ]
        return resp.json()["results"]

    async def close(self) -> None:
        if self.scorer is not None and self.scorer.pool is not None:
            self.scorer.pool.close()
        if self.client is not None:
            await self.client.aclose()
