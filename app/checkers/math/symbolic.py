"""The symbolic path: LaTeX → sympy (latex2sympy2_extended), then equality by exact evaluation,
high-precision numbers and random-point tests, with `simplify` only as the last resort.

Random points decide most expression pairs in microseconds where `simplify` can take seconds:
two different expressions agreeing at several irrational points to 25 digits is not a risk worth
a reward, and an identity such as `tan^2 y + 1 = sec^2 y` holds at every point.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

import sympy
from latex2sympy2_extended import latex2sympy
from latex2sympy2_extended.math_normalization import NormalizationConfig
from sympy.core.relational import Relational

from app.checkers.math.guard import SoftTimeout

log = logging.getLogger("rewardkit.math")

_NORM = NormalizationConfig(
    basic_latex=True,
    units=False,
    malformed_operators=True,
    nits=False,
    boxed="none",
    equations=False,
)
#: Digits for numeric comparison, and how close "equal" must be (relative).
_DIGITS = 40
_TOL = sympy.Float("1e-25", _DIGITS)
#: Working precision (bits) for checking that a difference of close constants is zero, and
#: what "zero" means then (relative): far below anything a finite answer can differ by.
_MAXN = 400
_ZERO = sympy.Float("1e-90", _DIGITS)
#: Points at which free symbols are sampled (irrational-looking, positive, away from 0 and 1).
_POINTS = (0.6180339887498949, 1.4142135623730951, 2.718281828459045, 0.3183098861837907)
_I = sympy.Symbol("i")
_TRIG = re.compile(r"\\(?:sin|cos|tan|cot|sec|csc)")


def _prepare(latex: str) -> str:
    s = latex
    if "°" in s:
        # Inside trig functions a degree sign means a conversion; elsewhere it is a unit.
        s = s.replace("°", "\\cdot\\frac{\\pi}{180}" if _TRIG.search(s) else "")
    return s.replace("\\infty", "\\infty ").strip()


@lru_cache(maxsize=8192)
def to_sympy(latex: str) -> Any:
    """`latex` as a sympy object (None when it does not parse). `i` is the imaginary unit;
    decimal literals become exact rationals (0.333 is 333/1000, not a float)."""
    try:
        expr = latex2sympy(_prepare(latex), normalization_config=_NORM)
    except SoftTimeout:
        raise
    except Exception:
        return None
    try:
        if isinstance(expr, sympy.Basic):
            if expr.has(_I):
                expr = expr.xreplace({_I: sympy.I})
            floats = expr.atoms(sympy.Float)
            if floats:
                expr = expr.xreplace({f: sympy.Rational(str(f)) for f in floats})
    except SoftTimeout:
        raise
    except Exception:
        return None
    return expr


def _num(expr: Any) -> Any:
    """`expr` evaluated to `_DIGITS` digits (a sympy number), or None."""
    try:
        v = sympy.N(expr, _DIGITS)
    except SoftTimeout:
        raise
    except Exception:
        return None
    if not isinstance(v, sympy.Expr) or not v.is_number or v.has(sympy.nan, sympy.zoo):
        return None
    return v


def _close(a: Any, b: Any) -> bool:
    diff = abs(a - b)
    scale = max(sympy.Integer(1), abs(a), abs(b))
    return bool(diff <= _TOL * scale)


def _exact(expr: Any) -> Any:
    """Integer/rational value of a constant expression when sympy can get it exactly."""
    try:
        v = expr.doit() if hasattr(expr, "doit") else expr
    except SoftTimeout:
        raise
    except Exception:
        return None
    return v if isinstance(v, sympy.Rational) else None


def constant_value(expr: Any) -> Any:
    """A constant expression's numeric value (sympy number, maybe complex), else None."""
    if not isinstance(expr, sympy.Expr) or expr.free_symbols:
        return None
    return _num(expr)


def _symbols(*exprs: Any) -> list[sympy.Symbol]:
    names: set[sympy.Symbol] = set()
    for e in exprs:
        names |= e.free_symbols
    return sorted(names, key=str)


def _at_points(expr: Any, syms: list[sympy.Symbol]) -> list[Any]:
    out = []
    for k, base in enumerate(_POINTS):
        subs = {s: sympy.Float(base + 0.37 * j * (k + 1), _DIGITS) for j, s in enumerate(syms)}
        try:
            v = sympy.N(expr.xreplace(subs), _DIGITS)
        except SoftTimeout:
            raise
        except Exception:
            v = None
        out.append(
            v
            if isinstance(v, sympy.Expr)
            and v.is_number
            and not v.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo)
            else None
        )
    return out


def exprs_equal(a: Any, g: Any) -> bool:
    """Two sympy expressions are mathematically equal."""
    if not isinstance(a, sympy.Expr) or not isinstance(g, sympy.Expr):
        return False
    if a == g:
        return True
    if a.is_infinite or g.is_infinite:
        return a == g
    syms = _symbols(a, g)
    if not syms:
        ea, eg = _exact(a), _exact(g)
        if ea is not None and eg is not None:
            return ea == eg
        va, vg = _num(a), _num(g)
        if va is None or vg is None:
            return _simplifies_to_zero(a - g)
        return _close(va, vg) and _difference_vanishes(a, g, va, vg)
    va, vg = _at_points(a, syms), _at_points(g, syms)
    tested = 0
    for x, y in zip(va, vg, strict=True):
        if x is None or y is None:
            continue
        if not _close(x, y):
            return False
        tested += 1
    if tested < 2:
        return _simplifies_to_zero(a - g)
    # Equal on positive points; a mirror point where both sides are real must agree too
    # (|x| is not x), while points where one side leaves the reals are skipped (ln x).
    mirror = {s: -s for s in syms}
    for x, y in zip(
        _at_points(a.xreplace(mirror), syms), _at_points(g.xreplace(mirror), syms), strict=True
    ):
        if x is not None and y is not None and x.is_real and y.is_real and not _close(x, y):
            return False
    return True


def _difference_vanishes(a: Any, g: Any, va: Any, vg: Any) -> bool:
    """Two constants that agree to `_DIGITS` digits: is `a - g` really zero? sympy evaluates a
    difference adaptively (cancellation raises the working precision), so `sqrt(10^40 + 1)`
    against `10^20` shows its 5e-21, while a true identity comes back as a zero of no size."""
    try:
        d = sympy.N(a - g, 15, maxn=_MAXN)
    except SoftTimeout:
        raise
    except Exception:
        return True  # the 40-digit agreement stands
    if not isinstance(d, sympy.Expr) or not d.is_number:
        return True
    scale = max(sympy.Integer(1), abs(va), abs(vg))
    return bool(abs(d) <= _ZERO * scale)


def _simplifies_to_zero(d: Any) -> bool:
    try:
        return bool(sympy.simplify(d) == 0)
    except SoftTimeout:
        raise
    except Exception:
        return False


def _proportional(a: Any, g: Any, *, positive: bool) -> bool:
    """`a = c·g` for one constant c ≠ 0 (c > 0 when `positive`)."""
    syms = _symbols(a, g)
    va, vg = _at_points(a, syms), _at_points(g, syms)
    ratios = [
        x / y
        for x, y in zip(va, vg, strict=True)
        if x is not None and y is not None and abs(y) > _TOL
    ]
    if len(ratios) < 2 and syms:
        return False
    if not ratios:
        return False
    r0 = ratios[0]
    if abs(r0) <= _TOL or not all(_close(r, r0) for r in ratios):
        return False
    if positive:
        return bool(sympy.re(r0) > 0 and abs(sympy.im(r0)) <= _TOL)
    return True


_FLIP = {sympy.StrictLessThan: sympy.StrictGreaterThan, sympy.LessThan: sympy.GreaterThan}


def relations_equal(a: Any, g: Any) -> bool:
    """Equations with the same solution set (`y = 2x+1` ~ `2x+1-y = 0`), or inequalities that
    say the same thing (`x > 3` ~ `3 < x`)."""
    if not isinstance(a, Relational) or not isinstance(g, Relational):
        return False
    if isinstance(a, sympy.Equality) and isinstance(g, sympy.Equality):
        return _proportional(a.lhs - a.rhs, g.lhs - g.rhs, positive=False)
    if isinstance(a, sympy.Equality) or isinstance(g, sympy.Equality):
        return False
    if isinstance(a, sympy.Unequality) or isinstance(g, sympy.Unequality):
        return type(a) is type(g) and _proportional(a.lhs - a.rhs, g.lhs - g.rhs, positive=False)

    def canon(r: Relational) -> tuple[type, Any]:
        # Every inequality as `D > 0` or `D >= 0`.
        if isinstance(r, (sympy.StrictLessThan, sympy.LessThan)):
            return _FLIP[type(r)], r.rhs - r.lhs
        return type(r), r.lhs - r.rhs

    ta, da = canon(a)
    tg, dg = canon(g)
    return ta is tg and _proportional(da, dg, positive=True)
