"""Comparison of a program's stdout with the expected output.

Runs on the host, outside the sandbox: expected outputs never enter it, so a program cannot read
the answers.
"""

from __future__ import annotations

import math

from sandbox.types import Compare

MODES = ("lines", "tokens", "float", "exact")


def _lines(text: str) -> list[str]:
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def _float_equal(got: str, want: str, abs_tol: float, rel_tol: float) -> bool:
    if got == want:
        return True
    try:
        a, b = float(got), float(want)
    except ValueError:
        return False
    if math.isnan(a) or math.isnan(b):
        # "NaN" where "nan" was expected is the same value; a number is never NaN.
        return math.isnan(a) and math.isnan(b)
    return math.isclose(a, b, rel_tol=rel_tol, abs_tol=abs_tol)


def outputs_match(got: str, want: str, how: Compare) -> bool:
    """Whether `got` (the program's stdout) counts as `want` under `how.mode`.

    - `lines`: line by line, trailing white space on each line and trailing empty lines ignored.
    - `tokens`: the white-space separated tokens are equal.
    - `float`: token by token; tokens that both parse as numbers are equal within
      `abs_tol` / `rel_tol`, other tokens must be identical.
    - `exact`: byte for byte.
    """
    if how.mode == "exact":
        return got == want
    if how.mode == "tokens":
        return got.split() == want.split()
    if how.mode == "float":
        g, w = got.split(), want.split()
        return len(g) == len(w) and all(
            _float_equal(a, b, how.abs_tol, how.rel_tol) for a, b in zip(g, w, strict=True)
        )
    if how.mode == "lines":
        return _lines(got) == _lines(want)
    raise ValueError(f"unknown compare mode {how.mode!r}")
