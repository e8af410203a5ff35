"""The fast symbolic path: a common subset of LaTeX expressions parsed by hand and evaluated
with exact fractions or mpmath, so that most answers never touch latex2sympy or sympy.

A trainer's golds and answers are new at every step, so the cold path is what it pays for:
latex2sympy's ANTLR parser builds its tables lazily (tens of milliseconds for a new shape) and
sympy's simplification is slower still. This module reads numbers, letters (with subscripts),
Greek letters, `\\pi`, `e`, `i`, `+ - * / ^ !`, implicit products, `\\frac`, `\\sqrt[n]{}`,
`\\binom`, `|x|` and the elementary functions, with latex2sympy's conventions (`1/2x` is
`1/(2x)`, `\\sin 2x` is `sin(2x)`, `\\log` is base 10). Anything else (`\\text`, `\\infty`,
relations, commas, unknown commands, `I`/`E`) is left to `symbolic.py`: `parse` answers None.

Equality follows `symbolic.exprs_equal`: exact fractions when both sides are rational; other
constants agree to 60 digits and their difference vanishes at 150 (so `\\sqrt{10^{40}+1}` is
not `10^{20}`); expressions in variables agree at four irrational points and at their mirror
images where both sides are real (|x| is not x).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath

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
#: Longest input worth parsing here (longer ones go to sympy, which has the deadline guard).
_MAX_LEN = 400

_TOKEN = re.compile(
    r"\s+|(?P<cmd>\\[A-Za-z]+)|(?P<space>\\[,;:! ])|(?P<num>\d+(?:\.\d*)?|\.\d+)"
    r"|(?P<letter>[A-Za-z])|(?P<op>[-+*/^_(){}\[\]|!])|(?P<bad>.)"
)
#: Three letters in a row outside a command: a word (`undefined`), not a product.
_WORD_RUN = re.compile(r"(?<![\\A-Za-z])[A-Za-z]{3,}")
_FUNCS = {
    "sin": "sin",
    "cos": "cos",
    "tan": "tan",
    "sec": "sec",
    "csc": "csc",
    "cot": "cot",
    "arcsin": "asin",
    "arccos": "acos",
    "arctan": "atan",
    "sinh": "sinh",
    "cosh": "cosh",
    "tanh": "tanh",
    "ln": "ln",
    "exp": "exp",
    "log": "log",
}
_INVERSE = {"sin": "asin", "cos": "acos", "tan": "atan"}
#: Lower-case Greek letters are variables (upper-case ones are left to sympy).
_GREEK = frozenset(
    {"alpha", "beta", "gamma", "delta", "epsilon", "varepsilon", "zeta", "eta", "theta"}
    | {"vartheta", "kappa", "lambda", "mu", "nu", "xi", "rho", "sigma", "tau", "phi"}
    | {"varphi", "chi", "psi", "omega"}
)
_FRACS = frozenset({"frac", "dfrac", "tfrac"})
_TIMES = frozenset({"cdot", "times"})


class _Unsupported(Exception):
    """The input is outside the subset this module reads."""


# An expression is a tuple tree: ("n", Fraction) | ("s", name) | ("pi",) | ("e",) | ("i",)
# | ("+", a, b) | ("*", a, b) | ("/", a, b) | ("neg", a) | ("^", a, b) | ("f", name, a)
# | ("root", a, n) | ("abs", a) | ("!", a) | ("binom", a, b) | ("log", a, base).
Node = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Expr:
    """A parsed expression and the names of its free variables."""

    tree: Node
    symbols: tuple[str, ...]


def _tokens(s: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for m in _TOKEN.finditer(s):
        kind = m.lastgroup
        if kind is None or kind == "space":
            continue
        if kind == "bad":
            raise _Unsupported(m.group())
        text = m.group()
        if kind == "cmd":
            name = text[1:]
            if name in ("left", "right"):
                continue
            out.append(("cmd", name))
        else:
            out.append((kind, text))
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.toks = tokens
        self.pos = 0
        self.symbols: set[str] = set()

    def peek(self, k: int = 0) -> tuple[str, str] | None:
        j = self.pos + k
        return self.toks[j] if j < len(self.toks) else None

    def take(self) -> tuple[str, str]:
        tok = self.peek()
        if tok is None:
            raise _Unsupported("unexpected end")
        self.pos += 1
        return tok

    def expect(self, text: str) -> None:
        if self.take()[1] != text:
            raise _Unsupported(f"expected {text}")

    def at(self, text: str) -> bool:
        tok = self.peek()
        return tok is not None and tok[1] == text and tok[0] in ("op", "cmd")

    # expr := ['+'|'-'] product (('+'|'-') product)*
    def expr(self) -> Node:
        node: Node | None = None
        while True:
            sign = 1
            while self.at("+") or self.at("-"):
                if self.take()[1] == "-":
                    sign = -sign
            term = self.product()
            if sign < 0:
                term = ("neg", term)
            node = term if node is None else ("+", node, term)
            if not (self.at("+") or self.at("-")):
                return node

    # product := chain (('*' | '\\cdot' | '\\times' | '/' | '\\div') chain)*
    def product(self) -> Node:
        node = self.chain()
        while True:
            tok = self.peek()
            if tok is None:
                return node
            if tok == ("op", "*") or (tok[0] == "cmd" and tok[1] in _TIMES):
                self.take()
                node = ("*", node, self.signed_chain())
            elif tok == ("op", "/") or tok == ("cmd", "div"):
                self.take()
                node = ("/", node, self.signed_chain())  # `1/2x` is 1/(2x), as latex2sympy
            else:
                return node

    def signed_chain(self) -> Node:
        if self.at("-"):
            self.take()
            return ("neg", self.chain())
        if self.at("+"):
            self.take()
        return self.chain()

    def starts_factor(self, *, in_function: bool = False) -> bool:
        tok = self.peek()
        if tok is None:
            return False
        kind, text = tok
        if kind in ("num", "letter"):
            return True
        if kind == "op":
            return text in "({"
        if kind == "cmd":
            if in_function and text in _FUNCS:
                return False  # `\\sin x \\cos x`: the argument stops at the next function
            return text not in _TIMES and text != "div"
        return False

    # chain := power power* (implicit products)
    def chain(self, *, in_function: bool = False) -> Node:
        node = self.power()
        while self.starts_factor(in_function=in_function):
            node = ("*", node, self.power())
        return node

    # power := postfix ['^' exponent]
    def power(self) -> Node:
        base = self.postfix()
        if self.at("^"):
            self.take()
            exp = self.exponent()
            if self.at("^"):
                raise _Unsupported("ambiguous power tower")
            base = ("^", base, exp)
            while self.at("!"):
                raise _Unsupported("factorial of a power")
        return base

    def exponent(self) -> Node:
        if self.at("{"):
            return self.group()
        if self.at("-"):
            self.take()
            return ("neg", self.atom_token())
        return self.atom_token()

    def atom_token(self) -> Node:
        """One token as an exponent or argument: `x^2`, `x^a`, `2^\\pi`."""
        kind, text = self.take()
        if kind == "num":
            if len(text) > 1 and "." not in text:
                # `x^23` is x^2·3 in TeX; leave such spellings to sympy.
                raise _Unsupported("multi-digit bare exponent")
            return ("n", Fraction(text))
        if kind == "letter":
            return self.letter(text)
        if kind == "cmd":
            return self.command(text)
        raise _Unsupported(text)

    def postfix(self) -> Node:
        node = self.primary()
        while self.at("!"):
            self.take()
            node = ("!", node)
        return node

    def group(self) -> Node:
        self.expect("{")
        node = self.expr()
        self.expect("}")
        return node

    def primary(self) -> Node:
        kind, text = self.take()
        if kind == "num":
            return ("n", Fraction(text))
        if kind == "letter":
            return self.letter(text)
        if kind == "cmd":
            return self.command(text)
        if text == "(":
            node = self.expr()
            self.expect(")")
            return node
        if text == "{":
            node = self.expr()
            self.expect("}")
            return node
        if text == "|":
            node = self.expr()
            self.expect("|")
            return ("abs", node)
        raise _Unsupported(text)

    def letter(self, text: str) -> Node:
        if text in ("I", "E"):
            raise _Unsupported("I and E are ambiguous")
        # latex2sympy reads letters without case (`C` is `c`); the verdicts must agree.
        name = text = text.lower()
        if self.at("_"):
            self.take()
            kind, sub = self.take()
            if sub == "{":
                parts = []
                while not self.at("}"):
                    k2, t2 = self.take()
                    if k2 not in ("num", "letter"):
                        raise _Unsupported("complex subscript")
                    parts.append(t2)
                self.take()
                sub = "{" + "".join(parts) + "}"
            elif kind not in ("num", "letter"):
                raise _Unsupported("complex subscript")
            name = f"{text}_{sub}"
        elif text == "e":
            return ("e",)
        elif text == "i":
            return ("i",)
        self.symbols.add(name)
        return ("s", name)

    def command(self, name: str) -> Node:
        if name == "pi":
            return ("pi",)
        if name in _GREEK:
            self.symbols.add(name)
            return ("s", name)
        if name in _FRACS:
            return ("/", self.frac_arg(), self.frac_arg())
        if name in ("binom", "dbinom", "tbinom"):
            return ("binom", self.group(), self.group())
        if name == "sqrt":
            index: Node = ("n", Fraction(2))
            if self.at("["):
                self.take()
                index = self.expr()
                self.expect("]")
            return ("root", self.frac_arg(), index)
        if name in _FUNCS:
            return self.function(name)
        raise _Unsupported(name)

    def frac_arg(self) -> Node:
        """An argument of `\\frac` / `\\sqrt`: a group or a single token (`\\frac12`)."""
        if self.at("{"):
            return self.group()
        kind, text = self.take()
        if kind == "num":
            if not text.isdigit():
                raise _Unsupported("decimal bare argument")
            if len(text) > 1:
                # `\\frac12` is 1/2: TeX takes one digit; the rest is the next token.
                self.pos -= 1
                self.toks[self.pos : self.pos + 1] = [("num", text[0]), ("num", text[1:])]
                self.pos += 1
                text = text[0]
            return ("n", Fraction(text))
        if kind == "letter":
            return self.letter(text)
        if kind == "cmd":
            return self.command(text)
        raise _Unsupported(text)

    def function(self, name: str) -> Node:
        base: Node | None = None
        if name == "log" and self.at("_"):
            self.take()
            base = self.group() if self.at("{") else self.atom_token()
        power: Node | None = None
        if self.at("^"):
            self.take()
            power = self.exponent()
        if self.at("("):
            self.take()
            arg = self.expr()
            self.expect(")")
        elif self.at("{"):
            arg = self.group()
        elif self.starts_factor(in_function=True):
            arg = self.chain(in_function=True)  # `\\sin 2x` is sin(2x)
        else:
            raise _Unsupported("function without an argument")
        fn = _FUNCS[name]
        if power == ("neg", ("n", Fraction(1))) and name in _INVERSE:
            return ("f", _INVERSE[name], arg)  # `\\sin^{-1} x`
        if fn == "log":
            node: Node = ("log", arg, base if base is not None else ("n", Fraction(10)))
        else:
            node = ("f", fn, arg)
        return node if power is None else ("^", node, power)


def parse(latex: str) -> Expr | None:
    """`latex` as an expression of the subset, or None when it is outside it."""
    if not latex or len(latex) > _MAX_LEN or _WORD_RUN.search(latex):
        return None
    try:
        p = _Parser(_tokens(latex))
        if not p.toks:
            return None
        tree = p.expr()
        if p.peek() is not None:
            return None
    except (_Unsupported, ValueError, ZeroDivisionError, RecursionError):
        return None
    return Expr(tree, tuple(sorted(p.symbols)))


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
    except (_Unsupported, ZeroDivisionError, OverflowError, ValueError):
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
                raise _Unsupported("irrational power")
            b, x = r, Fraction(x.numerator)
        k = int(x)
        bits = max(abs(b.numerator).bit_length(), b.denominator.bit_length())
        if abs(k) * max(1, bits) > MAX_BITS:
            raise _Unsupported("power too large")
        return b**k
    if op == "root":
        n = _exact(t[2])
        if n.denominator != 1 or n < 2:
            raise _Unsupported("root index")
        r = _root_exact(_exact(t[1]), int(n))
        if r is None:
            raise _Unsupported("irrational root")
        return r
    if op == "!":
        n = _exact(t[1])
        if n.denominator != 1 or n < 0 or n > MAX_FACTORIAL:
            raise _Unsupported("factorial")
        return Fraction(math.factorial(int(n)))
    if op == "binom":
        n, k = _exact(t[1]), _exact(t[2])
        if n.denominator != 1 or k.denominator != 1 or n < 0 or n > 10**5:
            raise _Unsupported("binomial")
        return Fraction(math.comb(int(n), int(k)) if k >= 0 else 0)
    raise _Unsupported(op)


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
            raise _Unsupported("exponent too large")
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
    raise _Unsupported(op)


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
    except (ZeroDivisionError, ValueError, OverflowError, _Unsupported, KeyError):
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


def number(value: Fraction) -> Expr:
    """A rational constant as an expression."""
    return Expr(("n", value), ())


def scaled(e: Expr, factor: Fraction) -> Expr:
    """`factor · e` (a unit conversion)."""
    return e if factor == 1 else Expr(("*", ("n", factor), e.tree), e.symbols)


def _difference(lhs: Expr, rhs: Expr) -> Expr:
    return Expr(("+", lhs.tree, ("neg", rhs.tree)), tuple(sorted(set(lhs.symbols + rhs.symbols))))


# --- relations --------------------------------------------------------------------------------

_REL = re.compile(
    r"\\(?:leq?|leqslant)(?![A-Za-z])|\\(?:geq?|geqslant)(?![A-Za-z])|\\neq?(?![A-Za-z])"
    r"|<=|>=|!=|=|<|>"
)
_REL_OP = {"=": "=", "<": "<", ">": ">", "<=": "<=", ">=": ">=", "!=": "!="}


@dataclass(frozen=True, slots=True)
class Relation:
    """`lhs op rhs` with one relation sign; `diff` is lhs - rhs."""

    op: str
    diff: Expr


def _rel_op(text: str) -> str:
    if text.startswith("\\"):
        name = text[1:]
        return "<=" if name.startswith("le") else ">=" if name.startswith("ge") else "!="
    return _REL_OP[text]


def parse_relation(latex: str) -> Relation | None:
    """`latex` as one equation or inequality of the subset, else None."""
    if len(latex) > _MAX_LEN:
        return None
    found = list(_REL.finditer(latex))
    if len(found) != 1:
        return None
    m = found[0]
    lhs, rhs = parse(latex[: m.start()]), parse(latex[m.end() :])
    if lhs is None or rhs is None:
        return None
    op = _rel_op(m.group())
    if op in ("<", "<="):  # every inequality as `D > 0` or `D >= 0`
        return Relation(">" if op == "<" else ">=", _difference(rhs, lhs))
    return Relation(op, _difference(lhs, rhs))


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
