"""`rewardkit score` in-process and through a live server; config precedence."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from app.config import ConfigError, Settings
from tests.conftest import ROOT

LINES = [
    {"id": "a", "completion": "<think>We add.</think> 4", "checks": {"format": {}}},
    {"id": "b", "completion": "4", "checks": {"format": {}}},
    "not json at all",
    {"id": "d", "completion": "x", "checks": {"bogus": {}}},
    {
        "completion": "<think>Nous calculons la dérivée de la fonction.</think>",
        "checks": {"language": {"target": "fr"}},
    },
]


def write_input(path: Path) -> Path:
    with path.open("w") as fh:
        for line in LINES:
            fh.write((line if isinstance(line, str) else json.dumps(line)) + "\n")
        fh.write("\n")  # blank lines are skipped
    return path


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def check_output(rows: list[dict]) -> None:
    assert [r["id"] for r in rows] == ["a", "b", "3", "d", "5"]
    assert rows[0]["reward"] == 1.0
    assert rows[1]["reward"] == 0.0 and rows[1]["details"]["format"]["status"] == "bad_format"
    assert rows[2]["reward"] is None and "invalid JSON" in rows[2]["error"]
    assert rows[3]["reward"] is None and "bogus" in rows[3]["error"]
    assert rows[4]["reward"] == 1.0


@pytest.mark.parametrize("mode", ["in-process", "url"])
def test_score_file(tmp_path: Path, mode: str, request: pytest.FixtureRequest) -> None:
    src, out = write_input(tmp_path / "in.jsonl"), tmp_path / "out.jsonl"
    extra = (
        ["--url", request.getfixturevalue("live_server")] if mode == "url" else ["--workers", "1"]
    )
    proc = run_cli("score", str(src), "-o", str(out), *extra)
    assert proc.returncode == 1, proc.stderr  # some lines were invalid
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    check_output(rows)
    assert "item" in proc.stderr  # the progress bar


def test_score_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    proc = run_cli("score", str(tmp_path / "nope.jsonl"))
    assert proc.returncode == 1
    assert "nope.jsonl" in proc.stderr


def test_bad_setting_is_a_clear_error() -> None:
    proc = run_cli("serve", "--port", "0")
    assert proc.returncode == 2
    assert "port" in proc.stderr


def test_flags_win_over_env_and_env_over_defaults() -> None:
    env = {"REWARDKIT_PORT": "9001", "REWARDKIT_MAX_ITEMS": "7", "REWARDKIT_LOG_COMPLETIONS": "yes"}
    s = Settings.load(env=env, port=9002)
    assert (s.port, s.max_items, s.log_completions, s.host) == (9002, 7, True, "127.0.0.1")


@pytest.mark.parametrize(
    "env",
    [
        {"REWARDKIT_PORT": "eighty"},
        {"REWARDKIT_MAX_ITEMS": "0"},
        {"REWARDKIT_WORKERS": "0"},
        {"REWARDKIT_LOG_COMPLETIONS": "perhaps"},
        {"REWARDKIT_SANDBOX_POOL": "-1"},
        {"REWARDKIT_SANDBOX_REUSE": "0"},
    ],
)
def test_bad_env_values_raise(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        Settings.load(env=env)
