"""The benchmark and the locust scenarios run and produce what they promise (not timed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import ROOT


def test_bench_quick_prints_every_column() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "loadtests.bench",
            "--quick",
            "--json",
            "--batch",
            "16",
            "--concurrency",
            "2",
            "--workers",
            "1",
            "--scenarios",
            "format,language",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    rows = json.loads(proc.stdout)
    assert [r["scenario"] for r in rows] == ["format", "language"]
    for r in rows:
        assert set(r) == {
            "scenario",
            "items_per_s",
            "p50_ms",
            "p99_ms",
            "floor",
            "floor_items_per_s",
            "ratio",
            "batches",
        }
        assert r["items_per_s"] > 0 and r["floor_items_per_s"] > 0 and r["batches"] > 0
        assert r["p50_ms"] <= r["p99_ms"]
        assert r["floor"] == "trivial FastAPI endpoint"


def test_bench_table_output() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "loadtests.bench",
            "--quick",
            "--batch",
            "8",
            "--concurrency",
            "1",
            "--workers",
            "1",
            "--scenarios",
            "format",
            "--duration",
            "1",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = proc.stdout.splitlines()
    assert lines[1] == "| scenario | items/s | p50 ms | p99 ms | floor | floor items/s | ratio |"
    assert lines[3].startswith("| format | ")


def test_locust_headless_against_live_server(live_server: str, tmp_path) -> None:
    env = {
        **os.environ,
        "RK_BATCH": "8",
        "RK_MIX": "format=2,language=1,jobs=1",
        "RK_JOB_CHECKS": "format,language",
    }
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "locust",
            "-f",
            "loadtests/locustfile.py",
            "--headless",
            "-u",
            "2",
            "-r",
            "2",
            "-t",
            "4s",
            "--host",
            live_server,
            "--csv",
            str(tmp_path / "run"),
            "--only-summary",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    stats = (tmp_path / "run_stats.csv").read_text()
    assert "/v1/rewards [format]" in stats
    failures = (tmp_path / "run_failures.csv").read_text().strip().splitlines()
    assert len(failures) == 1, failures  # header only
