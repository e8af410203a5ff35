"""The fast symbolic path, part two: values and equality of the trees of `expression.py`,
with exact fractions or mpmath (never sympy).

Equality follows `symbolic.exprs_equal`: exact fractions when both sides are rational; other
constants agree to 60 digits and their difference vanishes at 150 (so `\\sqrt{10^{40}+1}` is
not `10^{20}`); expressions in variables agree at four irrational points and at their mirror
images where both sides are real (|x| is not x). Relations compare as `symbolic.relations_equal`.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import mpmath

from app.checkers.math.expression import Expr, Node, Relation, Unsupported
from app.checkers.math.limits import MAX_BITS, MAX_FACTORIAL

#: Evaluation contexts: a working precision for comparison, a higher one to confirm a zero.
_LOW = mpmath.MPContext()
_LOW.dps = 60
_HIGH = mpmath.MPContext()
_HIGH.dps = 150
#: Relative closeness at the working precision, and what "zero" means at the high one.
_TOL = mpmath.mpf("1e-25")
_ZERO = mpmath.mpf("1e-120")
#: Points at which free symbols are sampled (the same as `symbolic._POINTS`).
_POINTS = (0.6180339887498949, 1.4142135623730951, 2.718281828459045, 0.3183098861837907)
# --- exact rational values --------------------------------------------------------------------


def _root_exact(v: Fraction, n: int) -> Fraction | None:
    if v < 0 and n % 2 == 0:
        return None
    sign = -1 if v < 0 else 1
    num, den = abs(v.numerator), v.denominator
    if num.bit_length() > 4096 or den.bit_length() > 4096:
        return None
    rn, rd = _iroot(num, n), _iroot(den, n)
    if rn is None or rd is None:
        return None
    return sign * Fraction(rn, rd)


def _iroot(x: int, n: int) -> int | None:
    if x < 2:
        return x
    r = round(x ** (1.0 / n)) if x.bit_length() < 1000 else math.isqrt(x) if n == 2 else None
    if r is None:
        return None
    for c in (r - 1, r, r + 1):
        if c >= 0 and c**n == x:
            return c
    return None


def exact_value(e: Expr) -> Fraction | None:
    """The rational value of a constant expression when it is one exactly, else None."""
    if e.symbols:
        return None
    try:
        return _exact(e.tree)
    except (Unsupported, ZeroDivisionError, OverflowError, ValueError):
        return None


def _exact(t: Node) -> Fraction:
    op = t[0]
    if op == "n":
        return t[1]
    if op == "+":
        return _exact(t[1]) + _exact(t[2])
    if op == "*":
        return _exact(t[1]) * _exact(t[2])
    if op == "/":
        return _exact(t[1]) / _exact(t[2])
    if op == "neg":
        return -_exact(t[1])
    if op == "abs":
        return abs(_exact(t[1]))
    if op == "^":
        b, x = _exact(t[1]), _exact(t[2])
        if x.denominator != 1:
            r = _root_exact(b, x.denominator)
            if r is None:
                raise Unsupported("irrational power")
            b, x = r, Fraction(x.numerator)
        k = int(x)
        bits = max(abs(b.numerator).bit_length(), b.denominator.bit_length())
        if abs(k) * max(1, bits) > MAX_BITS:
            raise Unsupported("power too large")
        return b**k
    if op == "root":
        n = _exact(t[2])
        if n.denominator != 1 or n < 2:
            raise Unsupported("root index")
        r = _root_exact(_exact(t[1]), int(n))
        if r is None:
            raise Unsupported("irrational root")
        return r
    if op == "!":
        n = _exact(t[1])
        if n.denominator != 1 or n < 0 or n > MAX_FACTORIAL:
            raise Unsupported("factorial")
        return Fraction(math.factorial(int(n)))
    if op == "binom":
        n, k = _exact(t[1]), _exact(t[2])
        if n.denominator != 1 or k.denominator != 1 or n < 0 or n > 10**5:
            raise Unsupported("binomial")
        return Fraction(math.comb(int(n), int(k)) if k >= 0 else 0)
    raise Unsupported(op)


# --- numeric values ---------------------------------------------------------------------------


def _num(ctx: mpmath.MPContext, t: Node, env: dict[str, Any]) -> Any:
    op = t[0]
    if op == "n":
        v = t[1]
        return ctx.mpf(v.numerator) / v.denominator
    if op == "s":
        return env[t[1]]
    if op == "pi":
        return +ctx.pi
    if op == "e":
        return +ctx.e
    if op == "i":
        return ctx.mpc(0, 1)
    if op == "+":
        return _num(ctx, t[1], env) + _num(ctx, t[2], env)
    if op == "*":
        return _num(ctx, t[1], env) * _num(ctx, t[2], env)
    if op == "/":
        return _num(ctx, t[1], env) / _num(ctx, t[2], env)
    if op == "neg":
        return -_num(ctx, t[1], env)
    if op == "abs":
        return abs(_num(ctx, t[1], env))
    if op == "^":
        b, x = _num(ctx, t[1], env), _num(ctx, t[2], env)
        if abs(x) > 10**6:
            raise Unsupported("exponent too large")
        if t[2][0] == "n" and t[2][1].denominator == 1:
            return ctx.power(b, int(t[2][1]))
        return ctx.power(b, x)
    if op == "root":
        n = _num(ctx, t[2], env)
        b = _num(ctx, t[1], env)
        if n == 2:
            return ctx.sqrt(b)
        return ctx.power(b, 1 / n)
    if op == "f":
        return _FN[t[1]](ctx, _num(ctx, t[2], env))
    if op == "log":
        return ctx.ln(_num(ctx, t[1], env)) / ctx.ln(_num(ctx, t[2], env))
    if op in ("!", "binom"):
        v = _exact(t)  # integers only; symbolic factorials are left to sympy
        return ctx.mpf(v.numerator) / v.denominator
    raise Unsupported(op)


_FN = {
    "sin": lambda c, x: c.sin(x),
    "cos": lambda c, x: c.cos(x),
    "tan": lambda c, x: c.tan(x),
    "sec": lambda c, x: c.sec(x),
    "csc": lambda c, x: c.csc(x),
    "cot": lambda c, x: c.cot(x),
    "asin": lambda c, x: c.asin(x),
    "acos": lambda c, x: c.acos(x),
    "atan": lambda c, x: c.atan(x),
    "sinh": lambda c, x: c.sinh(x),
    "cosh": lambda c, x: c.cosh(x),
    "tanh": lambda c, x: c.tanh(x),
    "ln": lambda c, x: c.ln(x),
    "exp": lambda c, x: c.exp(x),
}


def _evaluate(ctx: mpmath.MPContext, e: Expr, env: dict[str, Any]) -> Any:
    """The value of `e` (mpf or mpc), None where it is undefined or infinite."""
    try:
        v = _num(ctx, e.tree, env)
    except (ZeroDivisionError, ValueError, OverflowError, Unsupported, KeyError):
        return None
    if not ctx.isfinite(v):
        return None
    return v


def _scale(a: Any, b: Any) -> Any:
    return max(mpmath.mpf(1), abs(a), abs(b))


def _close(a: Any, b: Any) -> bool:
    return bool(abs(a - b) <= _TOL * _scale(a, b))


def _is_real(v: Any) -> bool:
    return bool(v.imag == 0)  # mpf and mpc both have `.imag` (each context has its own classes)


def constant(e: Expr) -> Any:
    """A constant's value to 60 digits (mpf, or mpc when complex), None when undefined."""
    if e.symbols:
        return None
    return _evaluate(_LOW, e, {})


def real_fraction(e: Expr) -> Fraction | None:
    """A real constant's value as a Fraction (exact when rational, else to 40 digits)."""
    exact = exact_value(e)
    if exact is not None:
        return exact
    v = constant(e)
    if v is None or not _is_real(v):
        return None
    return Fraction(mpmath.nstr(v.real, 40, min_fixed=-mpmath.inf, max_fixed=mpmath.inf))


def _points(symbols: tuple[str, ...], ctx: mpmath.MPContext, sign: int) -> list[dict[str, Any]]:
    return [
        {s: sign * ctx.mpf(base + 0.37 * j * (k + 1)) for j, s in enumerate(symbols)}
        for k, base in enumerate(_POINTS)
    ]


def equal(a: Expr, g: Expr) -> bool | None:
    """Whether two parsed expressions are equal; None when this path cannot tell (too few
    points where both are defined), so the caller asks sympy."""
    if a.tree == g.tree:
        return True
    syms = tuple(sorted(set(a.symbols) | set(g.symbols)))
    if not syms:
        ea, eg = exact_value(a), exact_value(g)
        if ea is not None and eg is not None:
            return ea == eg
        va, vg = _evaluate(_LOW, a, {}), _evaluate(_LOW, g, {})
        if va is None or vg is None:
            return None
        if not _close(va, vg):
            return False
        ha, hg = _evaluate(_HIGH, a, {}), _evaluate(_HIGH, g, {})
        if ha is None or hg is None:
            return None
        return bool(abs(ha - hg) <= _ZERO * _scale(ha, hg))
    tested = 0
    for env in _points(syms, _LOW, 1):
        x, y = _evaluate(_LOW, a, env), _evaluate(_LOW, g, env)
        if x is None or y is None:
            continue
        if not _close(x, y):
            return False
        tested += 1
    if tested < 2:
        return None
    for env in _points(syms, _LOW, -1):
        x, y = _evaluate(_LOW, a, env), _evaluate(_LOW, g, env)
        if x is not None and y is not None and _is_real(x) and _is_real(y) and not _close(x, y):
            return False
    return True


def _proportional(a: Expr, g: Expr, *, positive: bool) -> bool | None:
    """`a = c·g` for one constant c ≠ 0 (c > 0 when `positive`), as `symbolic._proportional`."""
    syms = tuple(sorted(set(a.symbols) | set(g.symbols)))
    envs = _points(syms, _LOW, 1) if syms else [{}]
    ratios = []
    for env in envs:
        x, y = _evaluate(_LOW, a, env), _evaluate(_LOW, g, env)
        if x is not None and y is not None and abs(y) > _TOL:
            ratios.append(x / y)
    if (len(ratios) < 2 and syms) or not ratios:
        return None
    r0 = ratios[0]
    if abs(r0) <= _TOL or not all(_close(r, r0) for r in ratios):
        return False
    if positive:
        return bool(_is_real(r0) and r0.real > 0)
    return True


def relations_equal(a: Relation, g: Relation) -> bool | None:
    """Equations with the same solution set (`y = 2x+1` ~ `2x+1-y = 0`), or inequalities that
    say the same thing (`x > 3` ~ `3 < x`); None when this path cannot tell."""
    if (a.op == "=") != (g.op == "=") or (a.op == "!=") != (g.op == "!="):
        return False
    if a.op in ("=", "!="):
        return _proportional(a.diff, g.diff, positive=False)
    if a.op != g.op:
        return False
    return _proportional(a.diff, g.diff, positive=True)
