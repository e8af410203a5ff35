"""Checker programs for problems with many right outputs, in three protocols.

A checker is code the requester wrote: it is built once per run inside the same sandbox as the
program and runs there after each test that ended normally, with the test's input, the expected
answer and the program's output as files (written only once the program's processes are all
dead). Protocols:

- `function`: Python `check(input, expected, output)` returning a bool, a score in [0, 1], or
  a (bool | score, message) pair; run by a small driver appended to the code.
- `testlib`: a program run as `checker INPUT OUTPUT ANSWER`; exit 0 accepts, 1 (wrong answer),
  2 (presentation error), 4 (extra output) and 8 (unexpected end of file) reject, 7 gives
  `points X` (X in [0, 1]) on stderr, 16 + p gives p percent; 3 (`_fail`) is the checker's own
  failure. The message is its stderr (testlib writes its verdict there).
- `kattis`: `validator INPUT ANSWER FEEDBACK_DIR < OUTPUT`; exit 42 accepts, 43 rejects; the
  message is FEEDBACK_DIR/judgemessage.txt, a score (scoring problems) FEEDBACK_DIR/score.txt.

Anything else the checker does (a crash, a timeout, an exit code the protocol does not have, a
score outside [0, 1]) raises `CheckerError`: the request's fault, `invalid`, never a 0.
"""

from __future__ import annotations

import re
from typing import Any

from sandbox import languages
from sandbox.languages import Toolchain
from sandbox.types import Checker, CheckerError, Limits, TestResult, TestStatus

PROTOCOLS = ("function", "testlib", "kattis")

#: Arguments after the checker's command, by protocol (paths filled in by the harness).
_ARGS = {
    "function": ["input", "output", "answer"],
    "testlib": ["input", "output", "answer"],
    "kattis": ["input", "answer", "feedback"],
}

#: Appended to a `function` checker's code: reads the three files, calls check(), prints the
#: score on the first line of stdout and the message after it. What check() prints goes to
#: stderr, so it cannot pass for a score.
_DRIVER = """

def __rk_main():
    import sys

    real_out, sys.stdout = sys.stdout, sys.stderr

    def read(path):
        with open(path, encoding="utf-8", errors="replace") as f:
            return f.read()

    test_input, output, answer = (read(p) for p in sys.argv[1:4])
    result = check(test_input, answer, output)
    message = ""
    if isinstance(result, tuple) and len(result) == 2:
        result, message = result
    if isinstance(result, bool) or type(result).__name__ == "bool_":
        score = 1.0 if result else 0.0
    elif isinstance(result, (int, float)) or hasattr(result, "__float__"):
        score = float(result)
    else:
        sys.stderr.write("check() returned %r: want a bool or a score in [0, 1]\\n" % (result,))
        sys.exit(3)
    if not 0.0 <= score <= 1.0:
        sys.stderr.write("check() returned the score %r: want one in [0, 1]\\n" % (score,))
        sys.exit(3)
    real_out.write("%r\\n%s" % (score, str(message)[:1000]))
    real_out.flush()


__rk_main()
"""

_POINTS = re.compile(rb"points\s+([-+0-9.eE]+)")


def validate(checker: Checker) -> None:
    """Refuse a checker that cannot be run, naming the field (`ValueError`)."""
    if checker.protocol not in PROTOCOLS:
        raise ValueError(
            f"checker.protocol: unknown protocol {checker.protocol!r} (use {', '.join(PROTOCOLS)})"
        )
    if checker.language not in languages.LANGUAGES:
        raise ValueError(f"checker.language: unsupported language {checker.language!r}")
    if checker.protocol == "function" and checker.language != "python":
        raise ValueError("checker.language: the function protocol is Python only")
    if not checker.code.strip():
        raise ValueError("checker.code: empty")
    if checker.language == "python":
        try:
            compile(checker.code, "<checker>", "exec")
        except (SyntaxError, ValueError, MemoryError, RecursionError) as exc:
            raise ValueError(f"checker.code does not compile: {exc}") from None
        if checker.protocol == "function" and not re.search(r"\bdef\s+check\s*\(", checker.code):
            raise ValueError("checker.code: defines no check(input, expected, output) function")


def limits(program: Limits) -> dict[str, Any]:
    """The checker's own limits: at least as generous as the program's, never below a floor
    (a checker may be slower than the solution it judges)."""
    return {
        "timeout_s": max(5.0, float(program.timeout_s)),
        "memory_mb": max(512, int(program.memory_mb)),
        "max_processes": max(16, int(program.max_processes)),
    }


def message(checker: Checker, program: Limits, toolchain: Toolchain) -> dict[str, Any]:
    """What the harness needs to build and run the checker (plain data)."""
    lim = limits(program)
    source = checker.code + _DRIVER if checker.protocol == "function" else checker.code
    lang = languages.get(checker.language)
    return {
        "build": lang.spec(toolchain, source, lim["memory_mb"]),
        "source": source,
        "args": _ARGS[checker.protocol],
        "stdin": "output" if checker.protocol == "kattis" else None,
        "feedback": checker.protocol == "kattis",
        "limits": lim,
    }


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace").strip()[-500:]


def _result(score: float, ms: float, message: str) -> TestResult:
    status = TestStatus.PASSED if score >= 1.0 else TestStatus.WRONG
    return TestResult(status, ms, message[:500], score=score)


def _score(raw: str | None, what: str) -> float | None:
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise CheckerError(f"checker wrote a {what} that is not a number: {raw[:50]!r}") from None
    if not 0.0 <= value <= 1.0:
        raise CheckerError(f"checker gave the {what} {value!r}: want one in [0, 1]")
    return value


def judge(
    checker: Checker, fields: dict[str, str], out: bytes, err: bytes, ms: float
) -> TestResult:
    """The test's result from the harness's `op=check` reply (`ms`: the program's time)."""
    if fields.get("ran") != "1":
        raise CheckerError("checker did not run on an output that ended normally")
    if fields.get("timeout") == "1":
        raise CheckerError(f"checker timed out: {_text(err)}".strip(": "))
    if "signal" in fields:
        raise CheckerError(f"checker killed by signal {fields['signal']}: {_text(err)}")
    code = int(fields.get("exit", "-1"))
    if checker.protocol == "function":
        if code != 0:
            raise CheckerError(f"checker crashed: {_text(err) or f'exit code {code}'}")
        first, _, rest = out.decode("utf-8", "replace").partition("\n")
        return _result(_score(first.strip(), "score") or 0.0, ms, rest.strip())
    if checker.protocol == "testlib":
        message = _text(err) or _text(out)
        if code == 0:
            return _result(1.0, ms, message)
        if code in (1, 2, 4, 8):
            return _result(0.0, ms, message)
        if code == 7:
            m = _POINTS.search(err) or _POINTS.search(out)
            if m is None:
                raise CheckerError(f"testlib checker exited 7 (points) without points: {message}")
            return _result(_score(m.group(1).decode(), "points") or 0.0, ms, message)
        if 16 <= code <= 116:
            return _result((code - 16) / 100, ms, message)
        if code == 3:
            raise CheckerError(f"testlib checker failed (_fail): {message}")
        raise CheckerError(f"testlib checker exited {code}: {message}")
    # kattis
    message = _text(out) or _text(err)
    if code == 42:
        score = _score(fields["score"], "score") if "score" in fields else None
        return _result(1.0 if score is None else score, ms, message)
    if code == 43:
        return _result(0.0, ms, message)
    raise CheckerError(f"kattis validator exited {code} (42 accepts, 43 rejects): {message}")
