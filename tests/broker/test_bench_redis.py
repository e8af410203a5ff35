"""loadtests/bench_redis.py runs and reports every setup (not timed: it checks the script)."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.broker.redis_support import ROOT


def test_bench_redis_quick_reports_every_setup(redis_url: str, rds) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "loadtests.bench_redis", "--quick", "--json", "--redis", redis_url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = json.loads(proc.stdout)
    assert [r["setup"] for r in rows] == [
        "embedded, 1 checker process",
        "redis, 1 worker x 1 checker process",
        "redis, 2 workers x 1 checker process",
    ]
    for r in rows:
        assert r["items_per_s"] > 0 and r["ratio"] > 0 and r["job_p50_ms"] > 0
    assert rows[0]["ratio"] == 1.0 and rows[0]["overhead_ms"] == 0.0
    assert not list(rds.scan_iter(match="bench-*:*"))  # the bench cleans up its keys
