"""The docker backend: a pool of warm containers built from `sandbox/Dockerfile`.

Each run takes a started container (no network, read-only root, size-capped tmpfs on /tmp, all
capabilities dropped, no-new-privileges, a pids and memory cgroup limit, a uid of its own),
copies the harness's input frames into it, runs the same harness as the local backend in batch
mode (`docker exec`), and throws the container away; a thread keeps the pool full. The harness
sets the same per-test rlimits as in the local backend; the container's cgroup bounds the run
as a whole. Each container gets its own uid so RLIMIT_NPROC, counted per uid on the host,
never mixes runs.
"""

from __future__ import annotations

import io
import itertools
import logging
import tarfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sandbox import languages
from sandbox.protocol import (
    ProtocolError,
    check_message,
    frame,
    judge,
    parse_replies,
    program_message,
    test_message,
)
from sandbox.types import (
    Checker,
    CheckerError,
    Compare,
    Limits,
    Program,
    SandboxUnavailable,
    Test,
    TestResult,
    TestStatus,
    Verdict,
    VerdictStatus,
)

log = logging.getLogger("rewardkit.sandbox")

IMAGE = "rewardkit-sandbox:latest"
LABEL = "rewardkit.sandbox"
UID_LABEL = "rewardkit.uid"
HARNESS_IN_IMAGE = "/opt/rewardkit/harness.py"
JOB_PATH = "/tmp/job.bin"
#: Each container runs as its own uid, taken from this range in turn.
_UIDS = itertools.cycle(range(200_000, 300_000))


class DockerBackend:
    """Runs programs in warm Docker containers. `client` is a `docker.DockerClient` (or a fake
    with the same surface); by default one from the environment, created on first use."""

    name = "docker"

    def __init__(
        self,
        *,
        client: Any = None,
        image: str = IMAGE,
        pool_size: int = 4,
        tmpfs_mb: int = 256,
        memory_mb: int = 4096,
        pids_limit: int = 512,
        cpus: float = 1.0,
        build: bool = True,
    ) -> None:
        self._client_obj = client
        self.image = image
        self.pool_size = pool_size
        self.tmpfs_mb = tmpfs_mb
        self.memory_mb = memory_mb
        self.pids_limit = pids_limit
        self.cpus = cpus
        self.build = build
        self._lock = threading.Lock()
        self._image_ready = False
        self._pool: list[Any] = []
        self._pool_cv = threading.Condition()
        self._closed = False
        self._refiller: threading.Thread | None = None
        self._health: dict[str, Any] | None = None

    # --- docker plumbing ------------------------------------------------------------------------

    def _client(self) -> Any:
        with self._lock:
            if self._client_obj is None:
                try:
                    import docker

                    self._client_obj = docker.from_env(timeout=120)
                except Exception as exc:
                    raise SandboxUnavailable(f"cannot reach the Docker engine: {exc}") from exc
            return self._client_obj

    def _ensure_image(self) -> None:
        if self._image_ready:
            return
        client = self._client()
        try:
            client.images.get(self.image)
        except Exception as exc:
            if not self.build:
                raise SandboxUnavailable(f"image {self.image} missing: {exc}") from exc
            log.info("building sandbox image %s", self.image)
            try:
                client.images.build(
                    path=str(Path(__file__).parent), dockerfile="Dockerfile", tag=self.image
                )
            except Exception as exc2:
                raise SandboxUnavailable(f"cannot build {self.image}: {exc2}") from exc2
        self._image_ready = True

    def container_options(self) -> dict[str, Any]:
        """Keyword arguments of `containers.run` for one sandbox container."""
        uid = next(_UIDS)
        return {
            "command": ["sleep", "infinity"],
            "detach": True,
            "user": f"{uid}:{uid}",
            "network_mode": "none",
            "read_only": True,
            "tmpfs": {
                "/tmp": f"rw,exec,nosuid,nodev,size={self.tmpfs_mb}m,mode=1777",
                "/dev/shm": "rw,nosuid,nodev,size=16m,mode=1777",
            },
            "cap_drop": ["ALL"],
            "security_opt": ["no-new-privileges"],
            "pids_limit": self.pids_limit,
            "mem_limit": f"{self.memory_mb}m",
            "memswap_limit": f"{self.memory_mb}m",
            "nano_cpus": int(self.cpus * 1e9),
            "ipc_mode": "private",
            "environment": {},
            "labels": {LABEL: "1", UID_LABEL: str(uid)},
        }

    def _start(self) -> Any:
        self._ensure_image()
        try:
            return self._client().containers.run(self.image, **self.container_options())
        except SandboxUnavailable:
            raise
        except Exception as exc:
            raise SandboxUnavailable(f"cannot start a sandbox container: {exc}") from exc

    def _discard(self, container: Any) -> None:
        try:
            container.remove(force=True)
        except Exception as exc:  # the engine cleans up labelled leftovers eventually
            log.warning("could not remove sandbox container: %s", exc)

    # --- pool -----------------------------------------------------------------------------------

    def _ensure_refiller(self) -> None:
        if self.pool_size > 0 and self._refiller is None:
            self._refiller = threading.Thread(target=self._refill, name="docker-pool", daemon=True)
            self._refiller.start()

    def _refill(self) -> None:
        while not self._closed:
            with self._pool_cv:
                while len(self._pool) >= self.pool_size and not self._closed:
                    self._pool_cv.wait()
            if self._closed:
                return
            try:
                container = self._start()
            except SandboxUnavailable as exc:
                log.error("docker sandbox pool: %s", exc)
                time.sleep(2.0)
                continue
            with self._pool_cv:
                self._pool.append(container)
                self._pool_cv.notify_all()

    def _take(self) -> Any:
        self._ensure_refiller()
        with self._pool_cv:
            if self._pool:
                container = self._pool.pop()
                self._pool_cv.notify_all()
                return container
        return self._start()

    def stats(self) -> dict[str, int]:
        """Containers started and waiting for a run (`warm`)."""
        with self._pool_cv:
            return {"warm": len(self._pool)}

    def close(self) -> None:
        self._closed = True
        with self._pool_cv:
            containers, self._pool = self._pool, []
            self._pool_cv.notify_all()
        for c in containers:
            self._discard(c)

    # --- running --------------------------------------------------------------------------------

    def languages(self) -> dict[str, languages.Toolchain]:
        """The image's toolchains (sandbox/Dockerfile installs every language's)."""
        return {name: languages.get(name).image_toolchain() for name in languages.LANGUAGES}

    def run(
        self,
        program: Program,
        tests: Sequence[Test],
        limits: Limits,
        compare: Compare,
        stop_on_failure: bool = False,
        checker: Checker | None = None,
    ) -> Verdict:
        """Run every test in one warm container, judge on the host, discard the container.

        The container's own cgroup bounds the run's memory and processes. Batch mode sends every
        test at once, so `stop_on_failure` cannot save the time of the tests after a failure
        here: their results are replaced by `skipped`, the verdict is the same as the local
        backend's. With a checker, each test's frame is followed by its answer's: the harness
        reads that only after the program's processes are dead (the job file is unlinked at
        start)."""
        frames = frame(
            program_message(program, limits, toolchains=self.languages(), checker=checker)
        )
        for t in tests:
            frames += frame(test_message(t))
            if checker is not None:
                frames += frame(check_message(t))
        container = self._take()
        try:
            uid = int(container.labels.get(UID_LABEL, 65534))
            # Owned by the container's uid: the harness must read and then unlink it.
            container.put_archive("/tmp", _tar("job.bin", frames, uid))
            result = container.exec_run(
                ["python3", "-I", "-S", HARNESS_IN_IMAGE, JOB_PATH], demux=True
            )
        except Exception as exc:
            raise SandboxUnavailable(f"docker exec failed: {exc}") from exc
        finally:
            threading.Thread(target=self._discard, args=(container,), daemon=True).start()
        stdout = (result.output[0] if result.output else None) or b""
        try:
            replies = parse_replies(stdout)
        except ProtocolError as exc:
            raise SandboxUnavailable(f"sandbox answered garbage: {exc}") from exc
        if not replies:
            stderr = (result.output[1] if result.output else None) or b""
            why = stderr.decode("utf-8", "replace")[-500:] or f"exit code {result.exit_code}"
            raise SandboxUnavailable(f"harness did not start: {why}")
        ready, test_replies = replies[0], replies[1:]
        if ready.fields.get("status") == "checker_error":
            why = ready.err.decode("utf-8", "replace")[-2000:] or "compile error"
            raise CheckerError(f"checker does not compile: {why}")
        if ready.fields.get("status") != "ok":
            message = ready.err.decode("utf-8", "replace")[-2000:] or "compile error"
            return Verdict.compile_error(message, len(tests))
        broken = [r for r in test_replies if "harness_error" in r.fields]
        if broken:
            raise SandboxUnavailable(f"sandbox harness failed: {broken[0].fields['harness_error']}")
        checks: list[Any] = [None] * len(tests)
        if checker is not None:  # test, check, test, check ...
            checks = test_replies[1::2]
            test_replies = test_replies[::2][: len(checks)]
        results = [
            judge(t, r, compare, program.language, checker=checker, check=c)
            for t, r, c in zip(tests, test_replies, checks, strict=False)
        ]
        missing = len(tests) - len(results)
        if missing:
            results.append(TestResult(TestStatus.FAILED, 0.0, "sandbox ended unexpectedly"))
            results += [TestResult(TestStatus.SKIPPED, 0.0) for _ in range(missing - 1)]
        if stop_on_failure:
            first = next(
                (i for i, r in enumerate(results) if r.status is not TestStatus.PASSED), None
            )
            if first is not None:
                why = "not run: an earlier test failed (partial: false)"
                results[first + 1 :] = [TestResult(TestStatus.SKIPPED, 0.0, why)] * (
                    len(results) - first - 1
                )
        return Verdict(VerdictStatus.OK, results)

    def health(self, refresh: bool = False) -> dict[str, Any]:
        """Whether the engine answers and the image exists (cached once it is ok)."""
        if self._health is not None and self._health["ok"] and not refresh:
            return self._health
        info: dict[str, Any] = {"backend": self.name, "image": self.image}
        try:
            self._client().ping()
            self._ensure_image()
            report = languages.report(self.languages())
            self._health = {**info, "ok": True, "pool": len(self._pool), **report}
        except Exception as exc:
            self._health = {**info, "ok": False, "error": str(exc)[:500]}
        return self._health


def _tar(name: str, data: bytes, uid: int) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo(name)
        info.size = len(data)
        info.mode = 0o600
        info.uid = info.gid = uid
        tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()
