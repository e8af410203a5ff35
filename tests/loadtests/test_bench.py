"""The benchmark and the locust scenarios run and produce what they promise (not timed)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import httpx
import orjson
import pytest

from loadtests import bench, workloads
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


def test_scenarios_include_the_code_workloads() -> None:
    assert list(bench.SCENARIOS) == [
        "format",
        "language",
        "math",
        "code",
        "mixed",
        "choice",
        "qa",
        "ifeval",
        "json",
        "humaneval",
        "cpp",
    ]
    assert bench.SCENARIOS["humaneval"] is workloads.humaneval_items
    assert bench.SCENARIOS["cpp"] is workloads.cpp_items
    assert set(bench.CODE_SCENARIOS) == {"humaneval", "cpp"}


def test_not_correct_names_the_statuses_of_items_below_one() -> None:
    results = [
        {"id": "0", "scores": {"code": 1.0}, "details": {"code": {"status": "correct"}}},
        {"id": "1", "scores": {"code": 0.0}, "details": {"code": {"status": "wrong"}}},
        {"id": "2", "scores": {"code": None}, "details": {"code": {"status": "deadline"}}},
    ]
    response = httpx.Response(200, content=orjson.dumps({"results": results}))
    assert bench._not_correct(response) == ["wrong", "deadline"]


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="no bubblewrap on this host")
def test_bench_humaneval_row_scores_every_item_correct() -> None:
    """Through the service: the HumanEval row runs with its own batch and concurrency, against
    the bwrap floor, and every canonical solution scores 1.0 (no warning)."""
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "loadtests.bench",
            "--json",
            "--duration",
            "1",
            "--workers",
            "1",
            "--humaneval-batch",
            "8",
            "--humaneval-concurrency",
            "2",
            "--scenarios",
            "humaneval",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert "did not score 1.0" not in proc.stderr, proc.stderr[-2000:]
    (row,) = json.loads(proc.stdout)
    assert row["scenario"] == "humaneval"
    assert row["floor"] == "bare bwrap spawn x1"
    assert row["items_per_s"] > 0 and row["floor_items_per_s"] > 0 and row["batches"] > 0


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
