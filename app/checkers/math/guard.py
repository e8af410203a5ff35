"""Cheap refusals for pathological answers, and a soft deadline where signals allow one.

A reward service must not hang on `\\boxed{9^{9^{9^9}}}`. The pool kills a child that overruns
its deadline, but a kill costs a process restart and does nothing for callers running the
checker in a thread. So answers that would obviously take unbounded time or memory are refused
up front (scored `timeout`, the status the contract names for them), and on the main thread a
SIGALRM-based soft deadline turns slow pure-Python sympy work into the same `timeout` without
losing the process.
"""

from __future__ import annotations

import contextlib
import re
import signal
import threading
from collections.abc import Iterator

from app.checkers.math.limits import (
    MAX_ANSWER_CHARS,
    MAX_DEPTH,
    MAX_EXPONENT,
    MAX_FACTORIAL,
    Refused,
)
from app.checkers.math.numbers import parse_number

__all__ = ["Refused", "SoftTimeout", "check_growth", "check_size", "soft_deadline"]


class SoftTimeout(Exception):
    """The soft deadline of `soft_deadline` fired."""


_FACT_NUM = re.compile(r"(\d+)\s*!")
_FACT_GROUP = re.compile(r"[)}\]]\s*!")


def check_size(s: str) -> None:
    """Raise `Refused` when `s` is too long or too deeply nested (linear time)."""
    if len(s) > MAX_ANSWER_CHARS:
        raise Refused(f"answer longer than {MAX_ANSWER_CHARS} characters")
    depth = 0
    for ch in s:
        if ch in "({[":
            depth += 1
            if depth > MAX_DEPTH:
                raise Refused(f"answer nested deeper than {MAX_DEPTH} levels")
        elif ch in ")}]":
            depth -= 1


def check_growth(s: str) -> None:
    """Raise `Refused` for giant factorials and power towers (the string must be short already).

    Factorials of more than `MAX_FACTORIAL`, factorials of groups holding a power or another
    factorial, and numeric exponents beyond `MAX_EXPONENT` (including any exponent that is
    itself a numeric power tower) are refused.
    """
    for m in _FACT_NUM.finditer(s):
        if len(m.group(1)) > 6 or int(m.group(1)) > MAX_FACTORIAL:
            raise Refused("factorial too large to evaluate")
    for m in _FACT_GROUP.finditer(s):
        group = _group_before(s, m.start())
        big = any(int(n) > MAX_FACTORIAL for n in re.findall(r"\d{1,7}", group))
        if big or "^" in group or "!" in group or re.search(r"\d{8}", group):
            raise Refused("factorial of a large expression")
    i = s.find("^")
    while i >= 0:
        exponent = _exponent_at(s, i + 1)
        _check_exponent(exponent)
        i = s.find("^", i + 1)


def _group_before(s: str, close: int) -> str:
    """The bracketed group ending at `close` (bounded scan back)."""
    depth = 0
    for j in range(close, max(-1, close - MAX_ANSWER_CHARS), -1):
        if s[j] in ")}]":
            depth += 1
        elif s[j] in "({[":
            depth -= 1
            if depth == 0:
                return s[j : close + 1]
    return s[: close + 1]


def _exponent_at(s: str, i: int) -> str:
    """The exponent text starting at `i` (a braced group or one token)."""
    while i < len(s) and s[i] == " ":
        i += 1
    if i < len(s) and s[i] == "{":
        depth = 0
        for j in range(i, len(s)):
            if s[j] == "{":
                depth += 1
            elif s[j] == "}":
                depth -= 1
                if depth == 0:
                    return s[i + 1 : j]
        return s[i + 1 :]
    m = re.match(r"-?\d+|\\?[A-Za-z]+|.", s[i:])
    return m.group(0) if m else ""


_PLAIN_INT = re.compile(r"\s*[-+]?\d+\s*")


def _check_exponent(exponent: str) -> None:
    text = exponent.strip()
    if _PLAIN_INT.fullmatch(text):
        if len(text) > 7 or abs(int(text)) > MAX_EXPONENT:
            raise Refused("exponent too large to evaluate")
        return
    if "^" in text or "!" in text:
        # A tower: refuse it when its numeric part alone is already beyond the limit.
        num = parse_number(text)
        if num is not None and abs(num.value) > MAX_EXPONENT:
            raise Refused("power tower too large to evaluate")
        if num is None and not re.search(r"[A-Za-z]", text.replace("\\frac", "")):
            raise Refused("power tower too large to evaluate")


@contextlib.contextmanager
def soft_deadline(seconds: float) -> Iterator[None]:
    """Raise `SoftTimeout` in the body after `seconds`, when running on the main thread with
    SIGALRM free; otherwise do nothing (the pool's hard deadline still applies).

    Signals only interrupt between bytecodes, so this catches slow pure-Python work (sympy's
    simplify), not one long C call; the pool's kill covers that case.
    """
    usable = (
        seconds > 0
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, None)
    )
    if not usable:
        yield
        return

    def fire(signum: int, frame: object) -> None:
        raise SoftTimeout(f"equivalence check took longer than {seconds:g}s")

    signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL)
