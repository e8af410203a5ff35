"""The fast symbolic path, part one: a common subset of LaTeX expressions parsed by hand into
small trees (`evaluate.py` compares them), so that most answers never touch latex2sympy.

A trainer's golds and answers are new at every step, so the cold path is what it pays for:
latex2sympy's ANTLR parser builds its tables lazily (tens of milliseconds for a new shape) and
sympy's simplification is slower still. This module reads numbers, letters (with subscripts),
Greek letters, `\\pi`, `e`, `i`, `+ - * / ^ !`, implicit products, `\\frac`, `\\sqrt[n]{}`,
`\\binom`, `|x|`, the elementary functions and one relation sign, with latex2sympy's
conventions (`1/2x` is `1/(2x)`, `\\sin 2x` is `sin(2x)`, `\\log` is base 10, letters without
case). Anything else (`\\text`, `\\infty`, commas, unknown commands, `I`/`E`, words) is left to
`symbolic.py`: `parse` answers None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

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


class Unsupported(Exception):
    """The input is outside the subset of this path (raised while parsing or evaluating)."""


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
            raise Unsupported(m.group())
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
            raise Unsupported("unexpected end")
        self.pos += 1
        return tok

    def expect(self, text: str) -> None:
        if self.take()[1] != text:
            raise Unsupported(f"expected {text}")

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
            prev, nxt = self.toks[self.pos - 1], self.toks[self.pos]
            if prev[0] == "num" and (nxt[0] == "num" or nxt == ("cmd", "frac")):
                # `2 1/2`, `2\\frac{1}{2}`: a mixed number to some readers, a product to others.
                raise Unsupported("number after a number")
            node = ("*", node, self.power())
        return node

    # power := postfix ['^' exponent]
    def power(self) -> Node:
        base = self.postfix()
        if self.at("^"):
            self.take()
            exp = self.exponent()
            if self.at("^"):
                raise Unsupported("ambiguous power tower")
            base = ("^", base, exp)
            while self.at("!"):
                raise Unsupported("factorial of a power")
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
                raise Unsupported("multi-digit bare exponent")
            return ("n", Fraction(text))
        return self.name(kind, text)

    def name(self, kind: str, text: str) -> Node:
        """A letter or a command token as a node."""
        if kind == "letter":
            return self.letter(text)
        if kind == "cmd":
            return self.command(text)
        raise Unsupported(text)

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
        raise Unsupported(text)

    def letter(self, text: str) -> Node:
        if text in ("I", "E"):
            raise Unsupported("I and E are ambiguous")
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
                        raise Unsupported("complex subscript")
                    parts.append(t2)
                self.take()
                sub = "{" + "".join(parts) + "}"
            elif kind not in ("num", "letter"):
                raise Unsupported("complex subscript")
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
        raise Unsupported(name)

    def frac_arg(self) -> Node:
        """An argument of `\\frac` / `\\sqrt`: a group or a single token (`\\frac12`)."""
        if self.at("{"):
            return self.group()
        kind, text = self.take()
        if kind == "num":
            if not text.isdigit():
                raise Unsupported("decimal bare argument")
            if len(text) > 1:
                # `\\frac12` is 1/2: TeX takes one digit; the rest is the next token.
                self.pos -= 1
                self.toks[self.pos : self.pos + 1] = [("num", text[0]), ("num", text[1:])]
                self.pos += 1
                text = text[0]
            return ("n", Fraction(text))
        return self.name(kind, text)

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
            raise Unsupported("function without an argument")
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
    except (Unsupported, ValueError, ZeroDivisionError, RecursionError):
        return None
    return Expr(tree, tuple(sorted(p.symbols)))


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
