"""The sandbox's vocabulary: what goes in (program, tests, limits, comparison) and what comes out
(a verdict with one result per test). Plain frozen dataclasses; nothing here knows HTTP or
checkers."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sandbox.languages import LANGUAGES

__all__ = ["LANGUAGES"]  # re-exported: every language the sandbox knows (see sandbox/languages)


class SandboxUnavailable(RuntimeError):
    """The sandbox could not start (bwrap missing, no user namespaces, Docker down ...).

    The service is to blame, not the program: callers report `error`, never a score of 0.
    """


@dataclass(frozen=True, slots=True)
class Program:
    """Source code in one of `LANGUAGES`."""

    language: str
    source: str


class CheckerError(ValueError):
    """The request's checker could not judge (it does not compile, crashed, timed out or
    answered nonsense): the request is to blame, never the program (`invalid`, not a 0)."""


@dataclass(frozen=True, slots=True)
class Checker:
    """A program that judges an output when many are right (see `sandbox.checkers`):
    `function` (Python `check(input, expected, output)`), `testlib` or `kattis`."""

    code: str
    language: str = "python"
    protocol: str = "function"


@dataclass(frozen=True, slots=True)
class Test:
    """One test: stdio (`input` fed to stdin, stdout compared with `output`) or function-style
    (`code` run after the program in the same interpreter; passes when it runs to its end)."""

    __test__ = False  # not a pytest class

    input: str | None = None
    output: str | None = None
    code: str | None = None

    @property
    def is_stdio(self) -> bool:
        return self.code is None


@dataclass(frozen=True, slots=True)
class Compare:
    """How stdout is compared with the expected output (see `sandbox.compare`)."""

    mode: str = "lines"  # lines | tokens | float | exact
    abs_tol: float = 1e-6
    rel_tol: float = 1e-6


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-run limits; defaults are the contract's."""

    timeout_s: float = 5.0  # wall time per test
    memory_mb: int = 512  # all the run's processes together (cgroup), else per process (rlimit)
    max_output_bytes: int = 1_000_000  # stdout per test (also the largest file it may write)
    max_processes: int = 64  # processes + threads the program may have at once
    max_open_files: int = 256  # file descriptors per process
    compile_timeout_s: float = 30.0
    total_timeout_s: float = 60.0  # the whole run, compile included

    @classmethod
    def from_mapping(cls, data: dict[str, Any] | None) -> Limits:
        """Limits from a (possibly partial) dict; unknown keys are ignored. A value outside
        `LIMIT_RANGES` is a ValueError naming the field."""
        data = data or {}
        values: dict[str, Any] = {}
        for name, f in cls.__dataclass_fields__.items():
            raw = data.get(name)
            if raw is None:
                continue
            try:
                value = float(raw) if f.type == "float" else int(raw)
            except (TypeError, ValueError, OverflowError):
                raise ValueError(f"limits.{name} must be a number, got {raw!r}") from None
            lo, hi = LIMIT_RANGES[name]
            if not lo <= value <= hi:
                raise ValueError(f"limits.{name} must be in [{lo:g}, {hi:g}], got {raw!r}")
            values[name] = value
        return cls(**values)


#: The range each limit may take (inclusive). The API's schema states the same bounds.
LIMIT_RANGES: dict[str, tuple[float, float]] = {
    "timeout_s": (0.01, 60.0),
    "memory_mb": (16, 8192),
    "max_output_bytes": (1, 64_000_000),
    "max_processes": (1, 1024),
    "max_open_files": (16, 4096),
    "compile_timeout_s": (0.01, 120.0),
    "total_timeout_s": (0.01, 600.0),
}


class TestStatus(StrEnum):
    """What happened to one test."""

    __test__ = False

    PASSED = "passed"
    WRONG = "wrong"  # ran to its end, stdout differs
    FAILED = "failed"  # crashed, non-zero exit, assertion, or never reached the sentinel
    TIMEOUT = "timeout"
    MEMORY_LIMIT = "memory_limit"
    OUTPUT_LIMIT = "output_limit"
    SKIPPED = "skipped"  # not run: no compile, an earlier failure (stop_on_failure) or no time left


class VerdictStatus(StrEnum):
    """What happened to the run as a whole."""

    OK = "ok"  # every test was run (each has its own status)
    COMPILE_ERROR = "compile_error"


@dataclass(frozen=True, slots=True)
class TestResult:
    __test__ = False
    status: TestStatus
    time_ms: float
    #: Short reason for a failure (exception type, signal, tail of stderr); empty when passed.
    #: With a checker: the checker's message.
    message: str = ""
    #: Attempts on the tests' world the sandbox caught (e.g. "patched_builtins"), sorted.
    flags: tuple[str, ...] = ()
    #: A checker's score in [0, 1] (partial credit); None: 1.0 when passed, else 0.0.
    score: float | None = None

    @property
    def value(self) -> float:
        """The test's score: the checker's, else 1.0 for passed and 0.0 for anything else."""
        if self.score is not None:
            return self.score
        return 1.0 if self.status is TestStatus.PASSED else 0.0


@dataclass(frozen=True, slots=True)
class Verdict:
    """The outcome of a run: a status and one result per test, in order."""

    status: VerdictStatus
    tests: list[TestResult] = field(default_factory=list)
    #: Compiler output (truncated) for `COMPILE_ERROR`.
    message: str = ""

    @classmethod
    def compile_error(cls, message: str, n_tests: int) -> Verdict:
        """The program did not compile: every test skipped, the compiler's words kept."""
        skipped = [TestResult(TestStatus.SKIPPED, 0.0) for _ in range(n_tests)]
        return cls(VerdictStatus.COMPILE_ERROR, skipped, message)

    @property
    def passed(self) -> int:
        return sum(t.status is TestStatus.PASSED for t in self.tests)

    @property
    def flags(self) -> list[str]:
        """Every hacking attempt caught in any test, sorted, each once."""
        return sorted({f for t in self.tests for f in t.flags})
