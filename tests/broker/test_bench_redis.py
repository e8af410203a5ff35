"""loadtests/bench_redis.py runs and reports every setup, the sizing rows and the failover
(not timed: it checks the script)."""

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
    out = json.loads(proc.stdout)
    rows = out["rows"]
    assert [r["setup"] for r in rows] == [
        "embedded, 1 checker process",
        "redis, 1 worker x 1 checker process",
        "redis, 2 workers x 1 checker process",
    ]
    for r in rows:
        assert r["items_per_s"] > 0 and r["ratio"] > 0 and r["job_p50_ms"] > 0
    assert rows[0]["ratio"] == 1.0 and rows[0]["overhead_ms"] == 0.0
    assert [z["kind"] for z in out["sizing"]] == ["format", "language", "math", "code"]
    assert all(z["items_per_s"] > 0 for z in out["sizing"])
    failover = out["failover"]
    assert failover["exact"] is True and failover["killed_held"] >= 1
    assert 0 < failover["takeover_s"] <= failover["finish_s"]
    assert not list(rds.scan_iter(match="bench-*:*"))  # the bench cleans up its keys
