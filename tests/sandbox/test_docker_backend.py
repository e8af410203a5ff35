"""The docker backend against a fake Docker client (no engine runs here).

The fake's "containers" run the real harness in a local bubblewrap sandbox, fed with exactly
the bytes the backend copied into the container, so everything but Docker itself is real.
"""

from __future__ import annotations

import io
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

import sandbox
from sandbox import Compare, Limits, Program, SandboxUnavailable, Test, TestStatus
from sandbox.docker_backend import HARNESS_IN_IMAGE, UID_LABEL, DockerBackend
from sandbox.local import LocalBackend


@dataclass
class ExecResult:
    exit_code: int
    output: tuple[bytes | None, bytes | None]


class FakeContainer:
    def __init__(self, client: FakeClient, options: dict[str, Any]) -> None:
        self.client = client
        self.options = options
        self.labels = options["labels"]
        self.files: dict[str, tarfile.TarInfo] = {}
        self.data: dict[str, bytes] = {}
        self.removed = False

    def put_archive(self, path: str, data: bytes) -> bool:
        with tarfile.open(fileobj=io.BytesIO(data)) as tar:
            for m in tar.getmembers():
                f = tar.extractfile(m)
                assert f is not None
                self.files[f"{path}/{m.name}"] = m
                self.data[f"{path}/{m.name}"] = f.read()
        return True

    def exec_run(self, cmd: list[str], demux: bool = False) -> ExecResult:
        assert demux
        self.client.execs.append(cmd)
        if self.client.exec_output is not None:
            return ExecResult(1, self.client.exec_output)
        assert cmd[-2] == HARNESS_IN_IMAGE
        frames = self.data.pop(cmd[-1])
        box = self.client.local._spawn()
        assert box.proc.stdin and box.proc.stdout
        try:
            out, err = box.proc.communicate(frames, timeout=60)
        finally:
            box.release_group()  # a container's own cgroup goes with it, as here
        return ExecResult(box.proc.returncode, (out, err))

    def remove(self, force: bool = False) -> None:
        self.removed = True


class FakeImages:
    def __init__(self, present: bool) -> None:
        self.present = present
        self.builds: list[dict[str, Any]] = []

    def get(self, name: str) -> object:
        if not self.present:
            raise LookupError(f"no such image: {name}")
        return object()

    def build(self, **kwargs: Any) -> object:
        self.builds.append(kwargs)
        self.present = True
        return object()


class FakeContainers:
    def __init__(self, client: FakeClient) -> None:
        self.client = client
        self.started: list[FakeContainer] = []

    def run(self, image: str, **options: Any) -> FakeContainer:
        c = FakeContainer(self.client, options)
        self.started.append(c)
        return c


class FakeClient:
    def __init__(self, image_present: bool = True) -> None:
        self.images = FakeImages(image_present)
        self.containers = FakeContainers(self)
        self.execs: list[list[str]] = []
        self.exec_output: tuple[bytes | None, bytes | None] | None = None
        self.local = LocalBackend(pool_size=0)

    def ping(self) -> bool:
        return True


def run(backend: DockerBackend, src: str, tests: list[Test]) -> Any:
    return backend.run(Program("python", src), tests, Limits(timeout_s=2), Compare())


def test_runs_the_harness_in_a_locked_down_container() -> None:
    client = FakeClient()
    backend = DockerBackend(client=client, pool_size=0)
    src = "def f(x):\n    return x + 1\nimport sys\nprint(f(int(sys.stdin.read() or 0)))\n"
    tests = [Test("1", "2"), Test("1", "SECRET-EXPECTED"), Test(code="assert f(1) == 2")]
    v = run(backend, src, tests)
    assert [t.status for t in v.tests] == [TestStatus.PASSED, TestStatus.WRONG, TestStatus.PASSED]
    (c,) = client.containers.started
    o = c.options
    assert o["network_mode"] == "none" and o["read_only"] is True
    assert o["cap_drop"] == ["ALL"] and "no-new-privileges" in o["security_opt"]
    assert o["pids_limit"] > 0 and o["mem_limit"].endswith("m")
    assert "size=" in o["tmpfs"]["/tmp"] and o["environment"] == {}
    uid = int(o["user"].split(":")[0])
    assert uid >= 200_000 and c.labels[UID_LABEL] == str(uid)
    info = c.files["/tmp/job.bin"]
    assert (info.uid, info.gid, info.mode) == (uid, uid, 0o600)
    # Expected outputs never enter the container; the container is thrown away after one run.
    assert b"SECRET-EXPECTED" not in b"".join(c.data.values())
    time.sleep(0.1)
    assert c.removed


def test_each_container_has_its_own_uid() -> None:
    backend = DockerBackend(client=FakeClient(), pool_size=0)
    assert backend.container_options()["user"] != backend.container_options()["user"]


def test_compile_error_and_cpp() -> None:
    backend = DockerBackend(client=FakeClient(), pool_size=0)
    v = backend.run(Program("cpp", "int main( {"), [Test("", "")], Limits(), Compare())
    assert v.status is sandbox.VerdictStatus.COMPILE_ERROR and "error" in v.message


def test_missing_image_is_built_from_the_dockerfile() -> None:
    client = FakeClient(image_present=False)
    backend = DockerBackend(client=client, pool_size=0)
    assert run(backend, "print(1)", [Test("", "1")]).passed == 1
    (build,) = client.images.builds
    assert build["dockerfile"] == "Dockerfile"
    assert (Path(build["path"]) / "Dockerfile").is_file()
    assert "harness.py" in (Path(build["path"]) / "Dockerfile").read_text()


def test_missing_image_without_build_is_unavailable() -> None:
    backend = DockerBackend(client=FakeClient(image_present=False), pool_size=0, build=False)
    with pytest.raises(SandboxUnavailable, match="missing"):
        run(backend, "print(1)", [Test("", "1")])
    assert backend.health()["ok"] is False


def test_unreachable_engine_is_unavailable(monkeypatch: pytest.MonkeyPatch) -> None:
    import docker

    def refuse(**_: Any) -> None:
        raise docker.errors.DockerException("Error while fetching server API version")

    monkeypatch.setattr(docker, "from_env", refuse)
    backend = DockerBackend(pool_size=0)
    with pytest.raises(SandboxUnavailable, match="Docker engine"):
        run(backend, "print(1)", [Test("", "1")])
    h = backend.health()
    assert h["ok"] is False and "Docker engine" in h["error"]


def test_garbage_or_silent_harness_is_unavailable() -> None:
    client = FakeClient()
    backend = DockerBackend(client=client, pool_size=0)
    client.exec_output = (b"", b"python3: not found")
    with pytest.raises(SandboxUnavailable, match="not found"):
        run(backend, "print(1)", [Test("", "1")])
    client.exec_output = (b"\xff\xfe not a header\n", b"")
    with pytest.raises(SandboxUnavailable, match="garbage"):
        run(backend, "print(1)", [Test("", "1")])


def test_truncated_output_fails_the_remaining_tests() -> None:
    client = FakeClient()
    backend = DockerBackend(client=client, pool_size=0)
    client.exec_output = (b"op=ready status=ok out=0 err=0\n", b"")
    v = run(backend, "print(1)", [Test("", "1"), Test("", "1")])
    assert [t.status for t in v.tests] == [TestStatus.FAILED, TestStatus.SKIPPED]


def test_warm_pool_is_refilled() -> None:
    client = FakeClient()
    backend = DockerBackend(client=client, pool_size=2)
    try:
        assert run(backend, "print(1)", [Test("", "1")]).passed == 1
        deadline = time.monotonic() + 5
        while len(backend._pool) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(backend._pool) == 2
        assert run(backend, "print(2)", [Test("", "2")]).passed == 1
    finally:
        backend.close()
    assert all(c.removed for c in client.containers.started)


def test_configure_selects_the_docker_backend() -> None:
    previous = sandbox.get_backend()
    try:
        b = sandbox.configure("docker", client=FakeClient(), pool_size=0, close_previous=False)
        assert sandbox.get_backend() is b and b.name == "docker"
        assert sandbox.health()["ok"] is True
    finally:
        sandbox.configure(previous)  # the suites' own backend, still open
