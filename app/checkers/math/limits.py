"""The size limits of the math checker and the exception for answers beyond them.

A module of its own so that the refusing code (`guard.py`) and the evaluating code
(`numbers.py`, `expression.py`) share the limits without importing each other.
"""

from __future__ import annotations

#: Longest answer (after extraction) that is worth comparing at all.
MAX_ANSWER_CHARS = 2000
#: Deepest bracket nesting accepted.
MAX_DEPTH = 40
#: Largest exact integer (in bits) the fast number path will build.
MAX_BITS = 1 << 20
#: Largest n for which n! is evaluated.
MAX_FACTORIAL = 2000
#: Largest plain exponent accepted in a power.
MAX_EXPONENT = 10**6


class Refused(Exception):
    """The answer is too large or too deep to evaluate in bounded time."""
