"""Decide whether an extracted answer equals the gold: structure first (choices, collections,
matrices, intervals, equations), then the fast number path, then sympy.

Every function here takes strings already passed through `normalize.clean`. `Refused` (from the
guards) and `SoftTimeout` propagate to the caller, which scores them `timeout`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache

import sympy

from app.checkers.math import evaluate, expression, symbolic
from app.checkers.math import normalize as nz
from app.checkers.math.guard import check_growth, check_size
from app.checkers.math.numbers import (
    EXACT,
    Num,
    Tolerance,
    close_enough,
    decimal_comma,
    numbers_equal,
    parse_number,
    within,
)

_INF = {
    "\\infty": 1,
    "+\\infty": 1,
    "\\infty ": 1,
    "-\\infty": -1,
    "oo": 1,
    "-oo": -1,
    "inf": 1,
    "-inf": -1,
}


@dataclass(frozen=True, slots=True)
class Gold:
    """A gold answer prepared once (cached): its clean form and choice letters, if any."""

    raw: str
    clean: str
    choices: frozenset[str] | None


class InvalidGold(ValueError):
    """The gold answer cannot be judged against (empty, or nothing left after cleaning)."""


@lru_cache(maxsize=4096)
def prepare_gold(gold: str) -> Gold:
    """Clean and classify a gold answer (bounded cache: GRPO sends each gold many times)."""
    from app.checkers.math.extract import extract  # local: avoid an import cycle

    text = gold.strip()
    found = extract(text) if "\\boxed" in text or "\\fbox" in text else None
    if found is not None and found.answer is not None:
        # A gold whose closing boxes form one answer (`\\boxed{1} and \\boxed{-2}`) lists them.
        text = ", ".join(found.group) if found.group else found.answer
    elif len(text) > 80 and ". " in text:
        # A worked solution given as the gold: its final answer, found like a completion's.
        found = extract(text).answer
        if found:
            text = found
    clean = nz.clean(text)
    if not clean:
        raise InvalidGold("gold answer is empty")
    if not _braces_balanced(clean):
        raise InvalidGold("gold answer has unbalanced braces")
    check_size(clean)
    return Gold(gold, clean, nz.choice_letters(clean, gold=True))


def _braces_balanced(s: str) -> bool:
    """Whether the TeX groups `{...}` of `s` close (escaped `\\{`, `\\}` are set braces)."""
    depth = 0
    i = 0
    while i < len(s):
        if s[i] == "\\" and i + 1 < len(s):
            i += 2
            continue
        if s[i] == "{":
            depth += 1
        elif s[i] == "}":
            depth -= 1
            if depth < 0:
                return False
        i += 1
    return depth == 0


def equivalent_clean(answer: str, gold: Gold, tol: Tolerance = EXACT) -> bool:
    """Decide on a cleaned answer against a prepared gold; `tol` accepts numeric answers close
    to a numeric gold (never anything else)."""
    check_size(answer)
    check_growth(answer)
    if gold.choices is not None:
        letters = nz.choice_letters(answer)
        if letters is not None:
            return letters == gold.choices
        # A letter gold written like a variable can still be a plain symbol answer.
        return len(gold.clean) <= 3 and _same(answer, gold.clean, tol)
    # A choice letter with its value (`(b) -\\frac{1}{2}` for gold -0.5): the value decides.
    value = nz.option_value(answer) if answer[:1] in "(\\ABCDEFGHIJabcdefghij" else None
    return _same(answer if value is None else value, gold.clean, tol)


# --- recursive comparison ---------------------------------------------------------------------


def _same(a: str, g: str, tol: Tolerance) -> bool:
    a, g = a.strip(), g.strip()
    if a == g:
        return True
    if not a or not g:
        return False
    # The fast path: two plain numbers never need sympy.
    if a[0] in "-+.\\0123456789" and g[0] in "-+.\\0123456789":
        na, ng = parse_number(a), parse_number(g)
        if na is not None and ng is not None:
            return numbers_equal(na, ng, tol)
        # A decimal comma against a plain number (`1000,99` ~ 1000.99, `0,111` ~ 0.111).
        if na is not None and ng is None and (ng := decimal_comma(g)) is not None:
            return numbers_equal(na, ng, tol)
        if ng is not None and na is None and (na := decimal_comma(a)) is not None:
            return numbers_equal(na, ng, tol)
    if ";" in a or ";" in g:
        a, g = _assignment_groups(a), _assignment_groups(g)
    # `name = value` against a plain value: the value (`(p, q) = (3, 2)` ~ `(3, 2)`,
    # `|AB| = 1` ~ `1`); an equation on both sides is left to the equation rules below.
    if "=" in a or "=" in g:
        va, vg = nz.assigned_value(a), nz.assigned_value(g)
        if va is not None and vg is None and nz.split_equation(g) is None:
            return _same(va, g, tol)
        if vg is not None and va is None and nz.split_equation(a) is None:
            return _same(a, vg, tol)
    # Matrices and vectors.
    ma, mg = nz.as_matrix(a), nz.as_matrix(g)
    if ma is not None or mg is not None:
        return _matrix_vs(ma, a, mg, g, tol)
    # Unions of intervals or sets.
    if "\\cup" in g or "\\cup" in a:
        pa, pg = _union_parts(a), _union_parts(g)
        # `x < -3 or x > 3` (cleaned to a list) is the union of its intervals.
        if len(pa) == 1:
            pa = _inequality_list(a) or pa
        if len(pg) == 1:
            pg = _inequality_list(g) or pg
        if len(pa) > 1 or len(pg) > 1:
            return len(pa) == len(pg) and _match_unordered(pa, pg, tol)
    # Collections: tuples, sets, intervals, bare lists, ± pairs; one-variable inequalities
    # count as the intervals they describe.
    ca, cg = _collection(a), _collection(g)
    ia, ig = _inequality(a), _inequality(g)
    if ca is not None or cg is not None:
        return _collections_equal(ca or ia, a, cg or ig, g, tol)
    if ia is not None and ig is not None:
        return _collections_equal(ia, a, ig, g, tol)
    # Equations and assignments.
    ea, eg = nz.split_equation(a), nz.split_equation(g)
    if ea is not None or eg is not None:
        return _equations(a, ea, g, eg, tol)
    if nz.relation_parts(a) or nz.relation_parts(g):
        return _relations(a, g)
    return _scalar(a, g, tol)


def _assignment_groups(s: str) -> str:
    """`p=5, q=2; p=7, q=2` → `(5, 2), (7, 2)`: solutions given as groups of assignments."""
    if "=" not in s:
        return s
    groups = nz.split_top(s, ";")
    if len(groups) < 2:
        return s
    tuples = []
    for grp in groups:
        items = nz.split_top(grp, ",")
        eqs = [nz.split_equation(it) for it in items]
        if len(items) < 2 or any(e is None or not nz.is_simple_lhs(e[0]) for e in eqs):
            return s
        tuples.append("(" + ", ".join(e[1] for e in eqs if e is not None) + ")")
    return ", ".join(tuples)


def _inequality_list(s: str) -> list[str] | None:
    """The items of a bare list whose items are all one-variable inequalities, else None."""
    items = nz.split_top(s, ",")
    if len(items) > 1 and all(_inequality(it) is not None for it in items):
        return items
    return None


def _union_parts(s: str) -> list[str]:
    parts = [p.strip() for p in s.split("\\cup")]
    return [p for p in parts if p]


def _collection(s: str) -> nz.Collection | None:
    c = nz.as_collection(s)
    if c is not None:
        return c
    pm = nz.expand_pm(s)
    if pm is not None:
        return nz.Collection("", "", tuple(pm))
    return None


def _inequality(s: str) -> nz.Collection | None:
    return (
        nz.as_interval(s)
        if ("<" in s or ">" in s or "\\le" in s or "\\ge" in s or "\\in" in s)
        else None
    )


def _collections_equal(
    ca: nz.Collection | None, a: str, cg: nz.Collection | None, g: str, tol: Tolerance
) -> bool:
    # An element of a set, or a tuple in a list of solutions, written twice is still one
    # (`(3,17), (3, 17)`); plain numbers in a list keep their multiplicity (double roots), and
    # a tuple's repeats are coordinates.
    repeats_ok = (
        ca is not None
        and cg is not None
        and ca.open in ("", "{")
        and cg.open in ("", "{")
        and (ca.is_set or cg.is_set or all(it[:1] in "([" for it in ca.items + cg.items))
    )
    if ca is None:
        ca = nz.Collection("", "", (a,))  # a single value against a one-element list
    if cg is None:
        cg = nz.Collection("", "", (g,))
    if len(ca.items) != len(cg.items) and not repeats_ok:
        return False
    if cg.is_bare or cg.is_set:
        # Unordered gold (a list of solutions or a set): any order, any list-like brackets,
        # but never an interval with mixed brackets.
        if ca.open + ca.close in ("(]", "[)"):
            return False
        named = _by_name(ca.items, cg.items, tol)
        if named is not None:
            return named
        xa, xg = _strip_assign(ca.items), _strip_assign(cg.items)
        if repeats_ok:
            xa, xg = _distinct(xa), _distinct(xg)
        return _match_unordered(xa, xg, tol)
    if ca.is_set:
        return False  # a set for an ordered gold
    if not ca.is_bare and (ca.open, ca.close) != (cg.open, cg.close):
        return False  # bracket mistakes are wrong: (1, 2] is not [1, 2]
    return all(_same(x, y, tol) for x, y in zip(ca.items, cg.items, strict=True))


def _distinct(items: Sequence[str]) -> list[str]:
    """`items` without repeats (spacing ignored)."""
    seen: set[str] = set()
    out = []
    for it in items:
        key = "".join(it.split())
        if key not in seen:
            seen.add(key)
            out.append(it)
    return out


def _assignments(items: Sequence[str]) -> dict[str, str] | None:
    """`a = 2, b = 3` as {name: value} when every item assigns a different variable (by its
    base letter: `x_1 = 1, x_2 = 4` are roots of one unknown, listed in any order)."""
    out: dict[str, str] = {}
    bases: set[str] = set()
    for it in items:
        eq = nz.split_equation(it)
        if eq is None or not nz.is_simple_lhs(eq[0]):
            return None
        name = eq[0].replace(" ", "")
        base = name.split("_", 1)[0]
        if base in bases:
            return None
        bases.add(base)
        out[name] = eq[1]
    return out


def _by_name(a: Sequence[str], g: Sequence[str], tol: Tolerance) -> bool | None:
    """Two lists of assignments to the same different variables (`a = 2, b = 3`): value by
    name, so `a = 3, b = 2` is wrong; None when they are not both such lists."""
    na, ng = _assignments(a), _assignments(g)
    if na is None or ng is None or set(na) != set(ng):
        return None
    return all(_same(na[k], ng[k], tol) for k in ng)


def _strip_assign(items: Sequence[str]) -> list[str]:
    """`x = 1` → `1` inside solution lists (`x=1, x=2` against `1, 2`)."""
    out = []
    for it in items:
        eq = nz.split_equation(it)
        out.append(eq[1] if eq is not None and nz.is_simple_lhs(eq[0]) else it)
    return out


def _match_unordered(a: list[str], g: list[str], tol: Tolerance) -> bool:
    """A one-to-one matching of `a` onto `g` under `same` (greedy; exact duplicates are rare)."""
    if len(a) != len(g):
        return False
    left = list(a)
    for y in g:
        for k, x in enumerate(left):
            if _same(x, y, tol):
                del left[k]
                break
        else:
            return False
    return True


def _matrix_vs(ma: nz.Matrix | None, a: str, mg: nz.Matrix | None, g: str, tol: Tolerance) -> bool:
    def flat(m: nz.Matrix | None, s: str) -> tuple[tuple[int, int], list[str]] | None:
        if m is not None:
            if not m.rows or len({len(r) for r in m.rows}) != 1:
                return None
            return (len(m.rows), len(m.rows[0])), [c for r in m.rows for c in r]
        c = nz.as_collection(s)
        if c is None or c.open != "(":
            return None
        return (len(c.items), 1), list(c.items)  # a tuple is a column vector

    fa, fg = flat(ma, a), flat(mg, g)
    if fa is None or fg is None:
        return _matrix_values_equal(a, g) if "\\begin" in a and "\\begin" in g else False
    (sa, ia), (sg, ig) = fa, fg
    if sa != sg and not (1 in sa and 1 in sg and len(ia) == len(ig)):
        return False
    return all(_same(x, y, tol) for x, y in zip(ia, ig, strict=True))


def _matrix_values_equal(a: str, g: str) -> bool:
    """Matrix expressions (`A + B`, `A B`) evaluated by sympy and compared entry by entry."""
    sa, sg = symbolic.to_sympy(a), symbolic.to_sympy(g)
    try:
        ma, mg = sympy.Matrix(sa.doit()), sympy.Matrix(sg.doit())
    except Exception:
        return False
    if ma.shape != mg.shape:
        return False
    return all(symbolic.exprs_equal(x, y) for x, y in zip(ma, mg, strict=True))


def _equations(
    a: str, ea: tuple[str, str] | None, g: str, eg: tuple[str, str] | None, tol: Tolerance
) -> bool:
    if ea is not None and eg is None:
        # `x = 3` against `3`: an assignment's value (also `k = 2 + 1 = 3`: the last part).
        return nz.is_simple_lhs(ea[0]) and _same(ea[1], g, tol)
    if eg is not None and ea is None:
        return nz.is_simple_lhs(eg[0]) and _same(a, eg[1], tol)
    assert ea is not None and eg is not None
    if nz.is_simple_lhs(ea[0]) and nz.is_simple_lhs(eg[0]):
        la, lg = ea[0].replace(" ", ""), eg[0].replace(" ", "")
        if la.lower() == lg.lower() and _same(ea[1], eg[1], tol):
            return True
    return _relations(a, g)


def _relations(a: str, g: str) -> bool:
    """Two equations or inequalities: the fast path when both are in its subset, else sympy."""
    ra, rg = expression.parse_relation(a), expression.parse_relation(g)
    if ra is not None and rg is not None:
        verdict = evaluate.relations_equal(ra, rg)
        if verdict is not None:
            return verdict
    return symbolic.relations_equal(symbolic.to_sympy(a), symbolic.to_sympy(g))


# --- scalars ----------------------------------------------------------------------------------


def _ratio(a: str, g: str, tol: Tolerance) -> bool | None:
    """`7:32` against `14:64` (the same ratio), `12:00` against `1:00` (times: part by part);
    None when either side is not a ratio of the same length."""
    pa, pg = split_top_colon(a), split_top_colon(g)
    if len(pa) < 2 or len(pa) != len(pg):
        return None
    na, ng = [parse_number(x) for x in pa], [parse_number(x) for x in pg]
    if all(n is not None for n in na + ng):
        va = [n.value for n in na if n is not None]
        vg = [n.value for n in ng if n is not None]
        if all(va) and all(vg):
            return all(x * vg[0] == y * va[0] for x, y in zip(va, vg, strict=True))
        return va == vg
    return all(_same(x, y, tol) for x, y in zip(pa, pg, strict=True))


def split_top_colon(s: str) -> list[str]:
    """`s` cut at top-level colons (`a:b:c`); `:` inside brackets or `\\text{}` stays."""
    return nz.split_top(s, ":") if ":" in s else [s]


def _scalar(a: str, g: str, tol: Tolerance) -> bool:
    if ":" in a and ":" in g:
        r = _ratio(a, g, tol)
        if r is not None:
            return r
    inf_a, inf_g = _INF.get(a.replace(" ", "")), _INF.get(g.replace(" ", ""))
    if inf_a is not None or inf_g is not None:
        return inf_a == inf_g
    # Text answers: words compare as words.
    ta, tg = nz.as_text(a), nz.as_text(g)
    if tg is not None and ta is not None:
        return ta == tg
    # `\\text{5 cm}`: a number and its unit inside one text group.
    a, g = _untext_number(a), _untext_number(g)
    # Units: converted when both sides name convertible units, else set aside.
    va, ua, _ = nz.split_unit(a)
    vg, ug, _ = nz.split_unit(g)
    factor = Fraction(1)
    if ua is not None and ug is not None:
        if ua.dimension != ug.dimension:
            return False  # 5 kg is not 5 cm
        if ua.power == ug.power:
            factor = ua.factor / ug.factor
    va, vg = nz.unwrap_text(va).strip(), nz.unwrap_text(vg).strip()
    # Degrees against radians: convert the degree side when the other side speaks in π.
    deg_a, deg_g = va.endswith("°"), vg.endswith("°")
    va, vg = va.rstrip("° "), vg.rstrip("° ")
    if deg_a != deg_g and ("\\pi" in va or "\\pi" in vg):
        if deg_a:
            va = f"\\frac{{({va})\\pi}}{{180}}"
        else:
            vg = f"\\frac{{({vg})\\pi}}{{180}}"
    na, ng = parse_number(va), parse_number(vg)
    if na is not None and factor != 1:
        na = Num(
            na.value * factor,
            None if factor.denominator == 1 and na.quantum is None else na.quantum,
            na.percent,
            na.rounded,
        )
    if na is not None and ng is not None:
        return numbers_equal(na, ng, tol)
    va, vg = nz.strip_parens(va), nz.strip_parens(vg)
    if ng is not None and not ng.percent:
        # A number gold: evaluate the answer (exactly when it can be) under the rounding policy.
        return _symbolic_vs_number(va, ng, factor, tol)
    ea, eg = expression.parse(va), expression.parse(vg)
    if ea is not None and eg is not None:
        verdict = evaluate.equal(expression.scaled(ea, factor), eg)
        if verdict is not None:
            return verdict or (bool(tol) and _close_values(expression.scaled(ea, factor), eg, tol))
    sa, sg = symbolic.to_sympy(va), symbolic.to_sympy(vg)
    if sa is None or sg is None:
        return _loose_text(va) == _loose_text(vg)
    if factor != 1:
        sa = sa * sympy.Rational(factor.numerator, factor.denominator)
    if isinstance(sa, sympy.Expr) and isinstance(sg, sympy.Expr):
        if symbolic.exprs_equal(sa, sg):
            return True
        return bool(tol) and _close_constants(sa, sg, tol)
    return bool(sa == sg)


def _close_constants(a: sympy.Expr, g: sympy.Expr, tol: Tolerance) -> bool:
    """Two real constants within `tol` (`1.732` for `\\sqrt{3}`); False for anything with a
    variable or an imaginary part, so a tolerance never loosens a non-numeric answer."""
    va, vg = symbolic.constant_value(a), symbolic.constant_value(g)
    if va is None or vg is None or not va.is_real or not vg.is_real:
        return False
    return within(Fraction(str(sympy.Float(va, 40))), Fraction(str(sympy.Float(vg, 40))), tol)


def _untext_number(s: str) -> str:
    if s.startswith("\\text"):
        inner = nz.unwrap_text(s).strip()
        if inner[:1].isdigit() or inner[:1] in "-.":
            return inner
    return s


def _close_values(a: expression.Expr, g: expression.Expr, tol: Tolerance) -> bool:
    """Two real constants within `tol`; False for anything with a variable or an imaginary part."""
    va, vg = evaluate.real_fraction(a), evaluate.real_fraction(g)
    return va is not None and vg is not None and within(va, vg, tol)


def _fast_vs_number(a: str, g: Num, factor: Fraction, tol: Tolerance) -> bool | None:
    """`_symbolic_vs_number` on the fast path; None when the answer is outside its subset."""
    ea = expression.parse(a)
    if ea is None:
        return None
    ea, gs = expression.scaled(ea, factor), expression.number(g.value)
    if ea.symbols:  # `\\sin^2 x + \\cos^2 x` against 1: an identity or nothing
        return False if g.gold_quantum is not None else evaluate.equal(ea, gs)
    verdict = evaluate.equal(ea, gs)
    if verdict is not False:
        return verdict
    value = evaluate.real_fraction(ea)
    if value is None:
        return False
    if g.gold_quantum is not None and close_enough(value, None, g.value, g.gold_quantum):
        return True
    return within(value, g.value, tol)


def _symbolic_vs_number(a: str, g: Num, factor: Fraction, tol: Tolerance) -> bool:
    fast = _fast_vs_number(a, g, factor, tol)
    if fast is not None:
        return fast
    sa = symbolic.to_sympy(a)
    if not isinstance(sa, sympy.Expr):
        return False
    if sa.free_symbols:  # `\\sin^2 x + \\cos^2 x` against 1: an identity or nothing
        gs = sympy.Rational(g.value.numerator, g.value.denominator)
        return g.gold_quantum is None and symbolic.exprs_equal(sa, gs)
    sa = sa * sympy.Rational(factor.numerator, factor.denominator)
    gs = sympy.Rational(g.value.numerator, g.value.denominator)
    if g.gold_quantum is None and not tol:
        return symbolic.exprs_equal(sa, gs)
    value = symbolic.constant_value(sa)
    if value is None or not value.is_real:
        return False
    exact = Fraction(str(sympy.Float(value, 40)))
    if g.gold_quantum is not None and close_enough(exact, None, g.value, g.gold_quantum):
        return True
    return within(exact, g.value, tol) or symbolic.exprs_equal(sa, gs)


def _loose_text(s: str) -> str:
    return "".join(nz.unwrap_text(s).lower().split())
