"""The fast exact path: plain numbers parsed to `Fraction` without sympy.

Most GRPO answers are plain numbers, so integers (with thousands separators), decimals,
fractions, mixed numbers, percentages, scientific notation and integer powers are parsed here
into exact rationals, and compared under the rounding policy of `docs/math.md`:
- exact values compare exactly (`2^{100}` and `2^{100}+1` differ; 0.333 is not 1/3);
- a gold decimal that looks like a rounding (`looks_rounded`: 3.14, 0.33, 2.72, not 0.5 or
  0.25) is taken to be rounded at its last digit: the exact value, or any answer at least as
  precise that rounds (half away from zero) to the gold, is right; other decimals are exact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from app.checkers.math.limits import MAX_BITS, Refused


@dataclass(frozen=True, slots=True)
class Num:
    """An exact number as written. `quantum` is the power of ten of the last written digit of
    a decimal (`-2` for 0.33, `21` for 6.02e23), None for exact forms (integers, fractions).
    `percent` says the text ended in `%` (`value` is then the number before the sign)."""

    value: Fraction
    quantum: int | None = None
    percent: bool = False
    #: Written like a rounding (see `looks_rounded`): as a gold, it accepts what rounds to it.
    rounded: bool = False

    @property
    def gold_quantum(self) -> int | None:
        """The quantum to round answers to when this number is the gold (None: exact)."""
        return self.quantum if self.rounded else None


# A thousands group never follows a leading 0 (`0,111` is a decimal comma or a list).
_INT = r"[1-9]\d{0,2}(?:,\d{3})+|[1-9]\d{0,2}(?: \d{3})+|\d+"
_DEC = rf"(?:{_INT})(?:\.\d*)?|\.\d+"
_SIGNED = rf"[-+]?\s*(?:{_DEC})"
_DECIMAL = re.compile(
    rf"(?P<m>{_DEC})\s*(?:[eE](?P<e1>[-+]?\d+)"
    rf"|(?:\\times|\\cdot|\*|×)\s*10\s*\^\s*(?:\{{\s*(?P<e2>[-+]?\d+)\s*\}}|(?P<e3>\d)))?"
)
_TEN_POW = re.compile(r"10\s*\^\s*(?:\{\s*(?P<e>[-+]?\d+)\s*\}|(?P<e1>\d))")
_POWER = re.compile(r"(?P<b>\d+)\s*\^\s*(?:\{\s*(?P<e>[-+]?\d+)\s*\}|(?P<e1>\d))")
_FRAC = re.compile(
    rf"\\frac\s*(?:\{{\s*(?P<n>{_SIGNED})\s*\}}|(?P<n1>\d))\s*(?:\{{\s*(?P<d>{_SIGNED})\s*\}}|(?P<d1>\d))"
)
_SLASH = re.compile(rf"(?P<n>{_DEC})\s*/\s*(?P<d>{_DEC})")
_MIXED = re.compile(
    r"(?P<w>\d+)\s*(?:\\frac\s*(?:\{\s*(?P<n>\d+)\s*\}|(?P<n1>\d))\s*(?:\{\s*(?P<d>\d+)\s*\}|(?P<d1>\d))"
    r"|\s(?P<sn>\d+)\s*/\s*(?P<sd>\d+))"
)
_TOWER = re.compile(r"\^\s*\{[^{}]*\^")
#: A repeating decimal: `0.\\overline{6}`, `0.1\\overline{6}`, `1.\\overline{142857}`.
_REPEATING = re.compile(
    r"(?P<i>\d*)\.(?P<f>\d*)\s*\\overline\s*(?:\{\s*(?P<r>\d{1,50})\s*\}|(?P<r1>\d))"
)


#: Denominators of the decimals that exact answers produce (halves, quarters, eighths,
#: sixteenths, fifths): 0.25, 0.125, 0.40 are exact values, not roundings.
_EXACT_DENOMINATORS = frozenset({1, 2, 4, 5, 8, 16})


def looks_rounded(mantissa: str) -> bool:
    """Whether a decimal as written is plausibly a rounding: at least two decimal places, at
    least two significant digits, and not a fraction with a small power-of-two-or-five
    denominator. 3.14, 2.72, 0.33, 1.414, 6.02 (×10²³) are roundings; 0.5, 0.25, 0.125,
    0.05, 3.1 are exact values."""
    clean = mantissa.replace(",", "").replace(" ", "")
    if "." not in clean:
        return False
    places = len(clean) - clean.index(".") - 1
    significant = len(clean.replace(".", "").lstrip("0"))
    if places < 2 or significant < 2:
        return False
    return Fraction(Decimal(clean)).denominator not in _EXACT_DENOMINATORS


def _dec(text: str) -> tuple[Fraction, int | None]:
    """A decimal literal (separators allowed) as (value, quantum)."""
    clean = text.replace(",", "").replace(" ", "")
    if clean.endswith("."):
        clean = clean[:-1]
    if "." in clean:
        places = len(clean) - clean.index(".") - 1
        return Fraction(Decimal(clean)), -places
    return Fraction(int(clean)), None


def _power(base: int, exp: int) -> Fraction:
    if base not in (0, 1) and abs(exp) * max(1, base.bit_length()) > MAX_BITS:
        raise Refused("power too large to evaluate exactly")
    if exp < 0:
        return Fraction(1, base ** (-exp)) if base else Fraction(0)
    return Fraction(base**exp)


def _unsigned(body: str) -> Num | None:
    m = _REPEATING.fullmatch(body) if "\\overline" in body else None
    if m:
        # i.f(r)(r)... = (ifr - if) / (10^|f| (10^|r| - 1)): an exact value, not a rounding.
        i, f, r = m.group("i") or "0", m.group("f"), m.group("r") or m.group("r1")
        return Num(Fraction(int(i + f + r) - int(i + f), 10 ** len(f) * (10 ** len(r) - 1)))
    m = _MIXED.fullmatch(body)
    if m:
        n = int(m.group("n") or m.group("n1") or m.group("sn"))
        d = int(m.group("d") or m.group("d1") or m.group("sd"))
        if d == 0 or n >= d:  # 2\frac{5}{3} is not a mixed number a writer would use
            return None
        return Num(int(m.group("w")) + Fraction(n, d))
    m = _DECIMAL.fullmatch(body)
    if m:
        value, quantum = _dec(m.group("m"))
        e = m.group("e1") or m.group("e2") or m.group("e3")
        if e is not None:
            exp = int(e)
            if abs(exp) > 10000:
                raise Refused("exponent too large to evaluate exactly")
            value *= Fraction(10) ** exp
            quantum = None if quantum is None else quantum + exp
        return Num(value, quantum, rounded=looks_rounded(m.group("m")))
    m = _TEN_POW.fullmatch(body) or _POWER.fullmatch(body)
    if m:
        base = int(m.groupdict().get("b") or 10)
        exp = int(m.group("e") or m.group("e1"))
        return Num(_power(base, exp))
    m = _FRAC.fullmatch(body)
    if m:
        n = _signed_value(m.group("n") or m.group("n1"))
        d = _signed_value(m.group("d") or m.group("d1"))
        return Num(n / d) if d else None
    m = _SLASH.fullmatch(body)
    if m:
        n, d = _dec(m.group("n"))[0], _dec(m.group("d"))[0]
        return Num(n / d) if d else None
    return None


def _signed_value(text: str) -> Fraction:
    text = text.replace(" ", "")
    neg = text.startswith("-")
    value = _dec(text.lstrip("+-"))[0]
    return -value if neg else value


def parse_number(text: str) -> Num | None:
    """`text` as an exact number, or None when it is not a plain number.

    Accepts a sign, `%` at the end, thousands separators (`1,000`, `1 000`), decimals, `a/b`,
    `\\frac{a}{b}` (and `\\frac12`), mixed numbers (`2\\frac{1}{2}`, `2 1/2`), scientific
    notation (`1e3`, `1.5\\times10^{3}`) and integer powers (`2^{100}`). Raises `Refused` for
    powers too large to build.
    """
    s = text.strip()
    percent = s.endswith("%")
    if percent:
        s = s[:-1].rstrip()
    neg = False
    if s[:1] in ("-", "+"):
        neg = s[0] == "-"
        s = s[1:].lstrip()
    if not s or len(s) > 200 or not (s[0].isdigit() or s[0] in ".\\"):
        return None
    if "^" in s and _TOWER.search(s):
        raise Refused("power tower too large to evaluate")
    try:
        num = _unsigned(s)
    except (InvalidOperation, ValueError, ZeroDivisionError):
        return None
    if num is None:
        return None
    return Num(-num.value if neg else num.value, num.quantum, percent, num.rounded)


_DECIMAL_COMMA = re.compile(r"[-+]?\d+,\d+")


def decimal_comma(text: str) -> Num | None:
    """`1000,99` / `0,111` read with a decimal comma (one comma, no spaces), else None. Only for
    comparing against a plain number: on its own `1,22` may as well be the list 1, 22."""
    s = text.strip()
    if not _DECIMAL_COMMA.fullmatch(s):
        return None
    return parse_number(s.replace(",", "."))


def round_to(value: Fraction, quantum: int) -> Fraction:
    """`value` rounded half away from zero to a multiple of 10**quantum."""
    step = Fraction(10) ** quantum
    q = value / step
    whole = int(abs(q) + Fraction(1, 2))  # floor(|q| + 1/2): half away from zero
    return (whole if q >= 0 else -whole) * step


def close_enough(
    answer: Fraction, a_quantum: int | None, gold: Fraction, g_quantum: int | None
) -> bool:
    """The rounding policy: equal, or the gold is a rounded decimal and the answer (exact, or
    written at least as precisely) rounds to it."""
    if answer == gold:
        return True
    if g_quantum is None:
        return False
    if a_quantum is not None and a_quantum > g_quantum:
        return False  # coarser than the gold: 3.1 is not 3.14
    return round_to(answer, g_quantum) == gold


@dataclass(frozen=True, slots=True)
class Tolerance:
    """The `rel_tol` / `abs_tol` of a request: a numeric answer within either of them of a
    numeric gold is right (as `math.isclose`: |a - g| <= max(rel·max(|a|, |g|), abs)). Zero
    for both (the default, `EXACT`) means exact comparison under the rounding policy."""

    rel: float = 0.0
    abs: float = 0.0

    def __bool__(self) -> bool:
        return self.rel > 0 or self.abs > 0


EXACT = Tolerance()


def within(answer: Fraction, gold: Fraction, tol: Tolerance) -> bool:
    """Whether `answer` is within `tol` of `gold` (exact arithmetic on the tolerances' values)."""
    if not tol:
        return answer == gold
    bound = max(Fraction(tol.rel) * max(abs(answer), abs(gold)), Fraction(tol.abs))
    return abs(answer - gold) <= bound


def _both_integers(a: Num, g: Num) -> bool:
    """Both written as whole numbers (no decimal point): an integer is never an approximation of
    another integer, so 999 is not 1000 at any tolerance (counting answers stay exact)."""
    return (
        a.quantum is None
        and g.quantum is None
        and a.value.denominator == 1
        and g.value.denominator == 1
    )


def numbers_equal(a: Num, g: Num, tol: Tolerance = EXACT) -> bool:
    """Compare two parsed numbers, percent signs included: `28%` matches 28 and 0.28 when the
    other side has no sign; `0.28` and `28` do not match each other. With a tolerance, a value
    within it of the gold's (either reading of a percent) is right too, unless both are integers."""
    gq = g.gold_quantum
    if a.percent == g.percent:
        pairs = [(a.value, a.quantum, g.value, gq)]
    elif g.percent:
        pairs = [(a.value, a.quantum, g.value, gq)]
        pairs.append((a.value, a.quantum, g.value / 100, None if gq is None else gq - 2))
    else:
        pairs = [(a.value, a.quantum, g.value, gq)]
        pairs.append((a.value / 100, None if a.quantum is None else a.quantum - 2, g.value, gq))
    if any(close_enough(*p) for p in pairs):
        return True
    if not tol or _both_integers(a, g):
        return False
    return any(within(av, gv, tol) for av, _, gv, _ in pairs)


def decimal_text(value: Fraction, digits: int = 30) -> str:
    """A short decimal rendering (for messages and tests)."""
    return str(Decimal(value.numerator) / Decimal(value.denominator))[: digits + 2]


_ = ROUND_HALF_UP  # the rounding mode `round_to` implements, named for readers
