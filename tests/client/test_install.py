"""Installing `rewardkit` without extras into a fresh venv gives a working client that pulls in
none of the server's dependencies. Needs the package index (PyPI or a mirror) for httpx and the
build backend: set REWARDKIT_OFFLINE=1 to skip it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("REWARDKIT_OFFLINE")), reason="REWARDKIT_OFFLINE: no package index"
)

SERVER_MODULES = ["fastapi", "pydantic", "sympy", "uvicorn", "redis", "app", "sandbox", "orjson"]


def test_client_installs_alone_and_scores(tmp_path: Path, live_server: str) -> None:
    # Build from a copy: the build writes egg-info next to the sources.
    src = tmp_path / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, src / name)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for pkg in ("rewardkit", "app", "sandbox"):
        if (ROOT / pkg).is_dir():
            shutil.copytree(ROOT / pkg, src / pkg, ignore=ignore)

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=60)
    py = venv / "bin" / "python"
    pip = subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(src)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert pip.returncode == 0, pip.stderr[-2000:]

    freeze = subprocess.run(
        [str(py), "-m", "pip", "freeze"], capture_output=True, text=True, check=True
    ).stdout.lower()
    for dist in ("fastapi", "pydantic", "sympy", "uvicorn", "redis"):
        assert f"\n{dist}==" not in "\n" + freeze, f"{dist} was installed without extras"

    script = textwrap.dedent(
        f"""
        import sys
        import rewardkit
        from rewardkit import RewardClient
        from rewardkit.integrations import trl, verl
        loaded = sorted(m for m in {SERVER_MODULES!r} if m in sys.modules)
        assert not loaded, loaded
        with RewardClient({live_server!r}) as client:
            (result,) = client.score_sync(
                [{{"completion": "<think>yes</think> 1", "checks": {{"format": {{}}}}}}]
            )
        assert result.reward == 1.0, result
        print("ok", rewardkit.__file__)
        """
    )
    # Run from the venv's directory, not the repo: the checkout's packages must not be found.
    run = subprocess.run(
        [str(py), "-c", script], capture_output=True, text=True, timeout=60, cwd=tmp_path
    )
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.startswith("ok ") and str(venv) in run.stdout
