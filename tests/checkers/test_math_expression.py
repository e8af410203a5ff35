"""The fast symbolic path (app/checkers/math/expression.py, evaluate.py): it reads what
latex2sympy reads, the same way, and its equality agrees with sympy's on the case table."""

from __future__ import annotations

import pytest
import sympy

from app.checkers.math import evaluate, expression
from app.checkers.math.guard import Refused, check_growth
from app.checkers.math.normalize import clean
from app.checkers.math.symbolic import exprs_equal, to_sympy
from tests.helpers.tables import load_table

CASES = load_table("math_cases")


@pytest.mark.parametrize(
    "latex",
    [
        "\\text{yes}",
        "\\infty",
        "1, 2",
        "undefined",
        "E",
        "I",
        "x^23",
        "2^3^2",
        "\\frac{1}{",
        "\\unknowncommand x",
        "x = y = 2",
        "",
    ],
)
def test_outside_the_subset_is_none(latex: str) -> None:
    assert expression.parse(latex) is None


@pytest.mark.parametrize(
    ("latex", "sympy_text"),
    [
        ("1/2x", "1/(2*x)"),  # latex2sympy's binding: implicit products first
        ("\\sin 2x", "sin(2*x)"),
        ("2\\sin x\\cos x", "2*sin(x)*cos(x)"),
        ("\\sin^2 x + \\cos^{2}x", "sin(x)**2 + cos(x)**2"),
        ("\\sin^{-1} x", "asin(x)"),
        ("\\log 100", "log(100, 10)"),
        ("\\log_2 8", "log(8, 2)"),
        ("\\frac12 x", "x/2"),
        ("\\sqrt[3]{x}", "x**(1/3)"),
        ("|x - 3|", "Abs(x - 3)"),
        ("e^{i\\pi}", "-1"),
        ("2\\cdot -3", "-6"),
        ("-x^2", "-x**2"),
        ("\\binom{5}{2} + 3!", "16"),
        ("x_1 + X_{12}", "x_1 + x_12"),
    ],
)
def test_conventions_match_latex2sympy(latex: str, sympy_text: str) -> None:
    parsed = expression.parse(latex)
    assert parsed is not None
    theirs = to_sympy(latex)
    if "_" not in latex:
        assert exprs_equal(theirs, sympy.sympify(sympy_text))
    _assert_same_values(parsed, theirs)


def _assert_same_values(parsed: expression.Expr, theirs: sympy.Expr) -> None:
    syms = sorted(theirs.free_symbols, key=str)
    assert sorted(map(str, syms)) == list(parsed.symbols)
    for sign in (1, -1):
        for env in evaluate._points(parsed.symbols, evaluate._LOW, sign):
            mine = evaluate._evaluate(evaluate._LOW, parsed, env)
            subs = {s: sympy.Float(str(env[str(s)]), 60) for s in syms}
            value = sympy.N(theirs.xreplace(subs), 40)
            if mine is None or value.has(sympy.zoo, sympy.nan, sympy.oo, -sympy.oo):
                continue
            re_part, im_part = (sympy.Float(x, 40) for x in value.as_real_imag())
            ctx = evaluate._LOW
            other = ctx.mpc(ctx.mpf(str(re_part)), ctx.mpf(str(im_part)))
            assert abs(mine - other) <= ctx.mpf("1e-20") * max(1, abs(other)), (mine, other)


def _table_strings() -> list[str]:
    out: set[str] = set()
    for _, (answer, gold, _) in CASES.ALL:
        for s in (clean(answer), clean(gold)):
            try:
                check_growth(s)  # what the guard refuses never reaches either path
            except Refused:
                continue
            if expression.parse(s) is not None and isinstance(to_sympy(s), sympy.Expr):
                out.add(s)
    return sorted(out)


TABLE = _table_strings()


def test_the_fast_path_reads_most_of_the_table() -> None:
    assert len(TABLE) >= 250


@pytest.mark.parametrize("latex", TABLE)
def test_values_agree_with_sympy_on_the_table(latex: str) -> None:
    parsed = expression.parse(latex)
    assert parsed is not None
    _assert_same_values(parsed, to_sympy(latex))


@pytest.mark.parametrize(
    ("a", "g", "expected"),
    [
        ("\\sqrt{10^{40}+1}", "10^{20}", False),  # equal to 40 digits, not equal
        ("2\\sqrt{2}", "\\sqrt{8}", True),
        ("\\frac{\\sqrt{3}}{2}", "\\sin\\frac{\\pi}{3}", True),
        ("2^{100}+1", "2^{100}", False),
        ("\\sqrt{x^2}", "x", False),  # the mirror points
        ("|x|", "\\sqrt{x^2}", True),
        ("\\ln(x^2)", "2\\ln x", True),  # equal where both are real
        ("(x+1)^2", "x^2+2x+1", True),
        ("\\frac{1}{x-1}-\\frac{1}{x+1}", "\\frac{2}{x^2-1}", True),
        ("i^2", "-1", True),
        ("\\frac{1}{0}", "1", None),  # undefined: left to sympy
    ],
)
def test_equality(a: str, g: str, expected: bool | None) -> None:
    pa, pg = expression.parse(a), expression.parse(g)
    assert pa is not None and pg is not None
    assert evaluate.equal(pa, pg) is expected


@pytest.mark.parametrize(
    ("a", "g", "expected"),
    [
        ("y = 2x + 1", "2x + 1 - y = 0", True),
        ("y = 2x + 1", "y = 2x - 1", False),
        ("x > 3", "3 < x", True),
        ("2x > 6", "x > 3", True),
        ("x \\ge 3", "x > 3", False),
        ("x^2 < 4", "4 > x^2", True),
        ("x \\ne 2", "x \\neq 2", True),
        ("-x < -3", "x > 3", True),
    ],
)
def test_relations(a: str, g: str, expected: bool) -> None:
    ra, rg = expression.parse_relation(clean(a)), expression.parse_relation(clean(g))
    assert ra is not None and rg is not None
    assert evaluate.relations_equal(ra, rg) is expected
