"""The host side of the harness protocol (see `sandbox/harness.py`), shared by every backend:
framing of what goes in, parsing of what comes out, and turning a harness reply into a
`TestResult` (the comparison with the expected output happens here, on the host)."""

from __future__ import annotations

import marshal
import signal
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sandbox import checkers, languages
from sandbox.compare import outputs_match
from sandbox.languages import Toolchain
from sandbox.testguard import guard
from sandbox.types import Checker, Compare, Limits, Program, Test, TestResult, TestStatus

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


def program_message(
    program: Program,
    limits: Limits,
    cgroup: bool = False,
    toolchains: dict[str, Toolchain] | None = None,
    checker: Checker | None = None,
) -> dict[str, Any]:
    """The first frame of a run: the program, its limits, and how to build and run it (and
    the checker) with `toolchains` (by language: the backend's own; this host's by default).
    `cgroup`: a cgroup counts the run's memory as a whole, so the harness sets no per-process
    address-space limit."""
    tc = toolchains or {}

    def toolchain(name: str) -> Toolchain:
        return tc[name] if name in tc else languages.toolchain(name)

    lang = languages.get(program.language)
    build = None
    if program.language != "python":  # Python runs in the harness's interpreter
        build = lang.spec(toolchain(program.language), program.source, int(limits.memory_mb))
    check = None
    if checker is not None:
        check = checkers.message(checker, limits, toolchain(checker.language))
    return {
        "language": program.language,
        "build": build,
        "checker": check,
        "source": program.source,
        "limits": {
            "timeout_s": float(limits.timeout_s),
            "memory_mb": int(limits.memory_mb),
            "max_output_bytes": int(limits.max_output_bytes),
            "max_processes": int(limits.max_processes),
            "max_open_files": int(limits.max_open_files),
            "compile_timeout_s": float(limits.compile_timeout_s),
            "cgroup": bool(cgroup),
        },
    }


def test_message(test: Test, timeout_s: float | None = None) -> dict[str, Any]:
    """One test's frame. The expected output stays on the host (with a checker: see
    `check_message`); function-style test code goes
    in guarded (see `sandbox.testguard`), with the modules it imports. `timeout_s` lowers this
    test's time limit (what is left of the run's total)."""
    msg: dict[str, Any] = {"input": test.input, "code": None}
    if test.code is not None:
        msg["code"], msg["imports"] = guard_test(test.code)
    if timeout_s is not None:
        msg["timeout_s"] = float(timeout_s)
    return msg


@lru_cache(maxsize=1024)
def guard_test(code: str) -> tuple[str, list[str]]:
    """`testguard.guard`, cached: a batch's items share their tests."""
    return guard(code)


def check_message(test: Test) -> dict[str, Any]:
    """With a checker, the frame after each test: the expected answer, which the harness
    reads only once the program's processes are all dead."""
    return {"answer": test.output or ""}


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


#: Flags of attempts on the tests' world, with what the test's message says about them.
FLAG_MESSAGES = {
    "rigged_value": "the test was given a value whose class answers for itself",
    "patched_builtins": "the program patched the builtins",
    "patched_modules": "the program patched modules the tests use",
    "frame_access": "the program reached for the tests' frames",
    "introspection": "the program used introspection the sandbox refuses",
    "fork": "the program forked (a function test runs in its process: a child is an oracle)",
    "shadowed_builtins": "the program rebound builtin names",
}


def judge(
    test: Test,
    reply: Reply,
    compare: Compare,
    language: str,
    oom: bool = False,
    checker: Checker | None = None,
    check: Reply | None = None,
) -> TestResult:
    """The status of one test from the harness's reply and the expected output (or, with a
    `checker`, its `check` reply: `CheckerError` when the checker could not judge). `oom`: the
    run's cgroup killed a process for memory during this test."""
    result = _judge(test, reply, compare, language, oom, checker, check)
    flags = tuple(sorted(f for f in reply.fields.get("flags", "").split(",") if f))
    if not flags:
        return result
    return TestResult(result.status, result.time_ms, result.message, flags, result.score)


def _judge(
    test: Test,
    reply: Reply,
    compare: Compare,
    language: str,
    oom: bool,
    checker: Checker | None,
    check: Reply | None,
) -> TestResult:
    ms = round(reply.float("time_ms"), 3)
    sig = reply.int("signal", -1)
    exc = reply.fields.get("exception", "")
    cpu_out = sig == signal.SIGKILL and reply.float("cpu_ms") >= reply.float("cpu_limit_ms", 1e18)
    # Output past the cap first: a runtime that ignores SIGXFSZ (node) keeps running after
    # its writes fail, and then also times out.
    if reply.int("overflow") or sig == signal.SIGXFSZ:
        return TestResult(TestStatus.OUTPUT_LIMIT, ms, "output limit exceeded")
    if reply.int("timeout") or sig == signal.SIGXCPU or cpu_out:
        return TestResult(TestStatus.TIMEOUT, ms, "time limit exceeded")
    lang = languages.get(language)
    code = reply.int("exit", -1)
    died = sig >= 0 or code != 0
    if oom or exc == "MemoryError" or (died and lang.out_of_memory(sig, reply.err)):
        return TestResult(TestStatus.MEMORY_LIMIT, ms, "memory limit exceeded")
    if reply.int("rigged") or exc == "RiggedValue":
        flags = [f for f in reply.fields.get("flags", "").split(",") if f in FLAG_MESSAGES]
        why = "; ".join(FLAG_MESSAGES[f] for f in flags if f != "shadowed_builtins")
        return TestResult(TestStatus.FAILED, ms, f"hack caught: {why or 'rigged value'}")
    if sig >= 0:
        name = signal.Signals(sig).name if sig in signal.Signals._value2member_map_ else sig
        why = lang.failure(reply.err)
        message = f"killed by signal {name}: {why}" if why else f"killed by signal {name}"
        return TestResult(TestStatus.FAILED, ms, message[:200])
    if exc:
        tail = _stderr_tail(reply.err)
        return TestResult(TestStatus.FAILED, ms, tail if exc in tail else f"{exc}: {tail}"[:200])
    if not test.is_stdio:
        if reply.int("sentinel"):
            return TestResult(TestStatus.PASSED, ms)
        why = "exited (sys.exit)" if reply.int("sysexit") else "exited"
        return TestResult(TestStatus.FAILED, ms, f"{why} before the test finished")
    if code != 0:
        why = lang.failure(reply.err)
        return TestResult(
            TestStatus.FAILED, ms, f"exit code {code}: {why}" if why else f"exit code {code}"
        )
    if checker is not None:
        if check is None:
            raise ProtocolError("no checker reply")
        return checkers.judge(checker, check.fields, check.out, check.err, ms)
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
