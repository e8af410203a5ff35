"""The host side of the harness protocol (see `sandbox/harness.py`), shared by every backend:
framing of what goes in, parsing of what comes out, and turning a harness reply into a
`TestResult` (the comparison with the expected output happens here, on the host)."""

from __future__ import annotations

import marshal
import signal
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sandbox.compare import outputs_match
from sandbox.types import Compare, Limits, Program, Test, TestResult, TestStatus

HARNESS_PATH = Path(__file__).with_name("harness.py")
HARNESS_SOURCE = HARNESS_PATH.read_text()
#: A reply header longer than this is not from the harness.
MAX_HEADER = 1024


class ProtocolError(RuntimeError):
    """The harness answered something that is not a reply (or nothing at all)."""


def frame(obj: dict[str, Any]) -> bytes:
    """One host -> harness message (marshal of plain str/int/float/None values)."""
    body = marshal.dumps(obj)
    return b"%d\n" % len(body) + body


def program_message(program: Program, limits: Limits) -> dict[str, Any]:
    return {
        "language": program.language,
        "source": program.source,
        "limits": {
            "timeout_s": float(limits.timeout_s),
            "memory_mb": int(limits.memory_mb),
            "max_output_bytes": int(limits.max_output_bytes),
            "max_processes": int(limits.max_processes),
            "compile_timeout_s": float(limits.compile_timeout_s),
        },
    }


def test_message(test: Test) -> dict[str, Any]:
    # The expected output stays on the host.
    return {"input": test.input, "code": test.code}


@dataclass(frozen=True, slots=True)
class Reply:
    """A parsed harness reply: header fields, captured stdout and the tail of stderr."""

    fields: dict[str, str]
    out: bytes
    err: bytes

    def int(self, key: str, default: int = 0) -> int:
        try:
            return int(self.fields.get(key, default))
        except ValueError:
            return default

    def float(self, key: str, default: float = 0.0) -> float:
        try:
            return float(self.fields.get(key, default))
        except ValueError:
            return default


def parse_header(line: bytes) -> dict[str, str]:
    """`key=value key=value` (ASCII) into a dict; ProtocolError on anything else."""
    if len(line) > MAX_HEADER:
        raise ProtocolError("reply header too long")
    try:
        text = line.decode("ascii").strip()
        fields = dict(part.split("=", 1) for part in text.split())
        int(fields["out"]), int(fields["err"])
    except (UnicodeDecodeError, ValueError, KeyError) as exc:
        raise ProtocolError(f"malformed reply header {line[:100]!r}") from exc
    return fields


def _stderr_tail(err: bytes) -> str:
    lines = err.decode("utf-8", "replace").strip().splitlines()
    return lines[-1][:200] if lines else ""


def judge(test: Test, reply: Reply, compare: Compare, language: str) -> TestResult:
    """The status of one test from the harness's reply and the expected output."""
    ms = round(reply.float("time_ms"), 3)
    sig = reply.int("signal", -1)
    exc = reply.fields.get("exception", "")
    if reply.int("timeout") or sig == signal.SIGXCPU:
        return TestResult(TestStatus.TIMEOUT, ms, "time limit exceeded")
    if reply.int("overflow") or sig == signal.SIGXFSZ:
        return TestResult(TestStatus.OUTPUT_LIMIT, ms, "output limit exceeded")
    if exc == "MemoryError" or (
        language == "cpp" and sig in (signal.SIGABRT, signal.SIGSEGV) and b"bad_alloc" in reply.err
    ):
        return TestResult(TestStatus.MEMORY_LIMIT, ms, "memory limit exceeded")
    if sig >= 0:
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else sig
        return TestResult(TestStatus.FAILED, ms, f"killed by signal {name}")
    if exc:
        tail = _stderr_tail(reply.err)
        return TestResult(TestStatus.FAILED, ms, tail if exc in tail else f"{exc}: {tail}"[:200])
    if not test.is_stdio:
        if reply.int("sentinel"):
            return TestResult(TestStatus.PASSED, ms)
        why = "exited (sys.exit)" if reply.int("sysexit") else "exited"
        return TestResult(TestStatus.FAILED, ms, f"{why} before the test finished")
    code = reply.int("exit", -1)
    if code != 0:
        return TestResult(TestStatus.FAILED, ms, f"exit code {code}")
    got = reply.out.decode("utf-8", "replace")
    if outputs_match(got, test.output or "", compare):
        return TestResult(TestStatus.PASSED, ms)
    return TestResult(TestStatus.WRONG, ms, "wrong output")


def parse_replies(data: bytes) -> list[Reply]:
    """Every complete reply in `data` (the whole output of a batch-mode harness), in order."""
    replies: list[Reply] = []
    while data:
        line, sep, rest = data.partition(b"\n")
        if not sep:
            break
        fields = parse_header(line)
        n_out, n_err = int(fields["out"]), int(fields["err"])
        if len(rest) < n_out + n_err:
            break
        replies.append(Reply(fields, rest[:n_out], rest[n_out : n_out + n_err]))
        data = rest[n_out + n_err :]
    return replies
