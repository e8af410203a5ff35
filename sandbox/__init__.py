"""Run untrusted programs against tests, isolated: `run(program, tests, limits) -> Verdict`.

This package knows nothing of HTTP or checkers. The backend is a process-wide default chosen
once at start-up with `configure(...)` ("local": bubblewrap, the default; "docker": a pool of
warm containers); `run` and `health` use it. Without a `configure` call the local backend is
created on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from functools import lru_cache
from typing import Any, Protocol

from sandbox import checkers
from sandbox.cancel import Cancelled, cancel_scope
from sandbox.compare import MODES
from sandbox.types import (
    LANGUAGES,
    LIMIT_RANGES,
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

__all__ = [
    "LANGUAGES",
    "LIMIT_RANGES",
    "Backend",
    "Cancelled",
    "Checker",
    "CheckerError",
    "Compare",
    "Limits",
    "Program",
    "SandboxUnavailable",
    "Test",
    "TestResult",
    "TestStatus",
    "Verdict",
    "VerdictStatus",
    "cancel_scope",
    "configure",
    "get_backend",
    "health",
    "run",
    "stats",
]


class Backend(Protocol):
    name: str

    def run(
        self,
        program: Program,
        tests: Sequence[Test],
        limits: Limits,
        compare: Compare,
        stop_on_failure: bool = False,
        checker: Checker | None = None,
    ) -> Verdict: ...

    def languages(self) -> dict[str, Any]: ...

    def health(self, refresh: bool = False) -> dict[str, Any]: ...

    def close(self) -> None: ...


_lock = threading.Lock()
_backend: Backend | None = None
#: Runs in progress in this process (for `stats`).
_busy = 0


def configure(
    backend: str | Backend = "local", *, close_previous: bool = True, **options: Any
) -> Backend:
    """Set the process-wide backend: "local", "docker" or a ready `Backend`. `options` go to
    the backend's constructor (e.g. `pool_size`). Replaces the previous one, and closes it
    unless `close_previous` is False (to put it back later)."""
    global _backend
    if isinstance(backend, str):
        if backend == "local":
            from sandbox.local import LocalBackend

            new: Backend = LocalBackend(**options)
        elif backend == "docker":
            from sandbox.docker_backend import DockerBackend

            new = DockerBackend(**options)
        else:
            raise ValueError(f"unknown sandbox backend {backend!r} (local or docker)")
    else:
        new = backend
    with _lock:
        old, _backend = _backend, new
    if old is not None and old is not new and close_previous:
        old.close()
    return new


def get_backend() -> Backend:
    """The configured backend (the local one when nothing was configured)."""
    global _backend
    with _lock:
        if _backend is None:
            from sandbox.local import LocalBackend

            _backend = LocalBackend()
        return _backend


def _check(
    program: Program, tests: Sequence[Test], compare: Compare, checker: Checker | None
) -> None:
    if program.language not in LANGUAGES:
        raise ValueError(f"unsupported language {program.language!r}")
    toolchains = get_backend().languages()
    for name in {program.language, checker.language if checker else program.language}:
        tc = toolchains.get(name)
        if tc is not None and not tc.ok:
            raise ValueError(f"language {name!r} is not available here: no {tc.missing}")
    if checker is not None:
        checkers.validate(checker)
    if compare.mode not in MODES:
        raise ValueError(f"unknown compare mode {compare.mode!r}: use {', '.join(MODES)}")
    if not tests:
        raise ValueError("no tests")
    for i, t in enumerate(tests):
        if t.code is not None:
            if program.language != "python":
                raise ValueError(f"test {i}: code tests need language python")
            why = _compile_error(t.code)
            if why is not None:
                raise ValueError(f"test {i}: its code does not compile: {why}")
        elif t.output is None:
            raise ValueError(f"test {i}: needs input and output, or code")


@lru_cache(maxsize=1024)
def _compile_error(code: str) -> str | None:
    """Why test code does not compile (None: it does); cached, as a batch shares its tests."""
    try:
        compile(code, "<test>", "exec")
    except (SyntaxError, ValueError) as exc:
        return str(exc)
    return None


def run(
    program: Program,
    tests: Sequence[Test],
    limits: Limits | None = None,
    compare: Compare | None = None,
    stop_on_failure: bool = False,
    checker: Checker | None = None,
) -> Verdict:
    """Compile `program` once and run it against every test, isolated. With `stop_on_failure`
    the first test that does not pass ends the run and the rest are `skipped` (all-or-nothing
    scoring knows its verdict then); with a `checker`, it judges each stdio test's output
    instead of `compare` (see `sandbox.checkers`).

    Raises `ValueError` for a request that cannot be run (unknown language, a toolchain this
    service lacks, a test of the wrong shape; `CheckerError` for a checker that cannot judge)
    and `SandboxUnavailable` when the sandbox cannot start; everything the program does ends up
    in the verdict.
    """
    global _busy
    compare = compare or Compare()
    _check(program, tests, compare, checker)
    backend = get_backend()
    with _lock:
        _busy += 1
    try:
        return backend.run(program, tests, limits or Limits(), compare, stop_on_failure, checker)
    finally:
        with _lock:
            _busy -= 1


def stats() -> dict[str, Any]:
    """Sandboxes in this process: `busy` (runs in progress) and `warm` (started and waiting
    for a run), and what the backend adds (the local backend: `programs` served, `spawned`,
    `recycled` by reason)."""
    with _lock:
        busy, backend = _busy, _backend
    own = getattr(backend, "stats", None)
    out: dict[str, Any] = dict(own()) if callable(own) else {"warm": 0}
    out["busy"] = busy
    return out


def health(refresh: bool = False) -> dict[str, Any]:
    """The backend's health (`ok`, `backend`, and an `error` when not ok); cached probe."""
    try:
        return get_backend().health(refresh)
    except Exception as exc:  # a health probe reports, it does not raise
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
