"""The `code` check: run the completion's program against tests in the sandbox.

The program is the last fenced block of the requested language (```python / ```py / ```cpp /
```c++ / ```c / ```javascript / ```js / ```java / ```rust ...), else the last fenced block of
any kind, else the check answers `no_code`. The sandbox compiles it once and runs every test;
the score is passed / total (or 1.0 / 0.0 with `partial: false`). Details give `passed`,
`total` and per test `status` and `time_ms`. With a `checker` (problems with many right
outputs, see sandbox/checkers.py) each test's score is the checker's (partial credit in
[0, 1]) and its `message` is kept; a checker that cannot judge makes the check `invalid`.

The sandbox backend is a process-wide default configured once at start-up (`sandbox.configure`,
called by the broker factory): this function stays a pure function of (completion, params).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Hashable, Mapping
from typing import Any

import sandbox
from app.checkers.base import Score, Status
from sandbox import (
    Checker,
    Compare,
    Limits,
    Program,
    SandboxUnavailable,
    Test,
    TestStatus,
    VerdictStatus,
)

log = logging.getLogger("rewardkit.checkers.code")

#: Fence info strings that name each language (lower-cased, first word).
ALIASES: dict[str, frozenset[str]] = {
    "python": frozenset({"python", "py", "python3", "py3"}),
    "cpp": frozenset({"cpp", "c++", "cxx", "cc"}),
    "c": frozenset({"c", "h"}),
    "javascript": frozenset({"javascript", "js", "node", "nodejs", "jsx"}),
    "java": frozenset({"java"}),
    "rust": frozenset({"rust", "rs"}),
}
LANGUAGE_NAMES = {name: lang for lang, names in ALIASES.items() for name in names}

#: Test status -> check status when that test is the first one that did not pass.
_STATUS = {
    TestStatus.WRONG: Status.WRONG,
    TestStatus.FAILED: Status.FAILED,
    TestStatus.TIMEOUT: Status.TIMEOUT,
    TestStatus.MEMORY_LIMIT: Status.MEMORY_LIMIT,
    TestStatus.OUTPUT_LIMIT: Status.OUTPUT_LIMIT,
    TestStatus.SKIPPED: Status.FAILED,
}


def fenced_blocks(text: str) -> list[tuple[str, str]]:
    """Every closed fenced block as (info word lower-cased, body), in order.

    A fence is a line starting (after up to three spaces) with three or more backticks or
    tildes; it closes on a line of the same character at least as long and nothing else.
    Linear in the text's length.
    """
    blocks: list[tuple[str, str]] = []
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        stripped = lines[i].lstrip(" ")
        indent = len(lines[i]) - len(stripped)
        ch = stripped[:1]
        if indent <= 3 and ch in ("`", "~") and stripped.startswith(ch * 3):
            n = len(stripped) - len(stripped.lstrip(ch))
            info = stripped[n:].strip()
            if ch == "`" and "`" in info:  # an inline code span, not a fence
                i += 1
                continue
            for j in range(i + 1, len(lines)):
                close = lines[j].strip()
                if len(close) >= n and close == ch * len(close):
                    word = info.split()[0].lower() if info else ""
                    blocks.append((word, "\n".join(lines[i + 1 : j])))
                    i = j
                    break
            else:
                break  # never closed: not a block (and nothing after it can be)
        i += 1
    return blocks


def extract_program(completion: str, language: str) -> str | None:
    """The last fenced block of `language`, else the last fenced block, else None."""
    blocks = fenced_blocks(completion)
    names = ALIASES.get(language, frozenset({language}))
    for word, body in reversed(blocks):
        if word in names:
            return body
    return blocks[-1][1] if blocks else None


def _tests(raw: Any) -> list[Test]:
    if not isinstance(raw, list) or not raw:
        raise ValueError("tests must be a non-empty list")
    tests = []
    for i, t in enumerate(raw):
        if not isinstance(t, Mapping):
            raise ValueError(f"test {i} must be an object")
        if t.get("code") is not None:
            tests.append(Test(code=str(t["code"])))
        elif t.get("output") is not None:
            tests.append(Test(input=str(t.get("input") or ""), output=str(t["output"])))
        else:
            raise ValueError(f"test {i} needs input and output, or code")
    return tests


def _checker(raw: Any) -> Checker | None:
    if raw is None:
        return None
    if not isinstance(raw, Mapping):
        raise ValueError("checker must be an object")
    language = str(raw.get("language") or "python").strip().lower()
    return Checker(
        code=str(raw.get("code") or ""),
        language=LANGUAGE_NAMES.get(language, language),
        protocol=str(raw.get("protocol") or "function"),
    )


def check(completion: str, params: Mapping[str, Any]) -> Score:
    """Run the program in `completion` against `params["tests"]` (see the module docstring)."""
    language = LANGUAGE_NAMES.get(str(params.get("language", "")).strip().lower())
    if language is None:
        names = ", ".join(ALIASES)
        return Score.invalid(f"unsupported language {params.get('language')!r}: use {names}")
    try:
        tests = _tests(params.get("tests"))
        compare = Compare(**(params.get("compare") or {}))
        limits = Limits.from_mapping(dict(params.get("limits") or {}))
        checker = _checker(params.get("checker"))
    except (TypeError, ValueError) as exc:
        return Score.invalid(str(exc))
    source = extract_program(completion, language)
    if source is None or not source.strip():
        return Score(0.0, Status.NO_CODE, {"passed": 0, "total": len(tests)})
    partial = params.get("partial", True)
    try:
        verdict = sandbox.run(
            Program(language, source),
            tests,
            limits,
            compare,
            stop_on_failure=not partial,
            checker=checker,
        )
    except ValueError as exc:
        return Score.invalid(str(exc))
    except SandboxUnavailable as exc:
        log.error("code check cannot run: sandbox unavailable: %s", exc)
        return Score.error(f"sandbox unavailable: {exc}")
    except sandbox.Cancelled:
        return Score.deadline()
    per_test = [_test_detail(t) for t in verdict.tests]
    details: dict[str, Any] = {"passed": verdict.passed, "total": len(tests), "tests": per_test}
    if verdict.flags:
        # Hacking attempts the sandbox caught (patched builtins, rigged values ...): a trainer
        # can log how often its policy tries.
        details["flags"] = verdict.flags
    if verdict.status is VerdictStatus.COMPILE_ERROR:
        return Score(0.0, Status.COMPILE_ERROR, {**details, "message": verdict.message[-2000:]})
    failing = next((t for t in verdict.tests if t.status is not TestStatus.PASSED), None)
    if failing is None:
        return Score(1.0, Status.CORRECT, details)
    details["message"] = failing.message
    value = sum(t.value for t in verdict.tests) / len(tests) if partial else 0.0
    return Score(value, _STATUS[failing.status], details)


def _test_detail(t: Any) -> dict[str, Any]:
    detail: dict[str, Any] = {"status": t.status.value, "time_ms": t.time_ms}
    if t.score is not None:  # a checker judged it: its score and its words
        detail["score"] = t.score
        if t.message:
            detail["message"] = t.message
    return detail


def deadline_s(params: Mapping[str, Any], default: float) -> float:
    """Compile time plus every test's time limit, at most the item's total time, with slack
    for the sandbox's start-up."""
    try:
        limits = Limits.from_mapping(dict(params.get("limits") or {}))
        n = len(params.get("tests") or []) or 1
        budget = limits.compile_timeout_s + n * (limits.timeout_s + 0.5)
        checking = 0.0
        if params.get("checker"):  # its own build, and a run after each test
            checking = limits.compile_timeout_s + n * (max(5.0, limits.timeout_s) + 0.5)
        return min(budget, limits.total_timeout_s) + checking + 10.0
    except (TypeError, ValueError):
        return default


def dedup_key(completion: str, params: Mapping[str, Any]) -> Hashable:
    """Completions whose extracted program is the same are the same work (GRPO samples often
    differ only in their reasoning)."""
    language = LANGUAGE_NAMES.get(str(params.get("language", "")).strip().lower(), "")
    program = extract_program(completion, language) if language else completion
    return (program, json.dumps(params, sort_keys=True, default=str))
