"""String-level normalisation of an extracted answer: LaTeX noise out, one canonical spelling
in, and the answer's shape (collection, matrix, equation, units, choice letters, text).

Everything here is linear-ish string work on an answer already bounded by `guard.check_size`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

# --- cleaning ---------------------------------------------------------------------------------

_REPLACE = [
    ("\\dfrac", "\\frac"),
    ("\\tfrac", "\\frac"),
    ("\\cfrac", "\\frac"),
    ("\\dbinom", "\\binom"),
    ("\\tbinom", "\\binom"),
    ("\\displaystyle", " "),
    ("\\textstyle", " "),
    ("{,}", ","),
    ("\\!", ""),
    ("**", "^"),
    ("\\,", " "),
    ("\\;", " "),
    ("\\:", " "),
    ("\\>", " "),
    ("\\qquad", " "),
    ("\\quad", " "),
    ("~", " "),
    ("\\leqslant", "\\le "),
    ("\\geqslant", "\\ge "),
    ("\\leq", "\\le "),
    ("\\geq", "\\ge "),
    ("\\lt", "<"),
    ("\\gt", ">"),
    ("\\neq", "\\ne "),
    ("!=", "\\ne "),
    ("≤", "\\le "),
    ("≥", "\\ge "),
    ("≠", "\\ne "),
    ("−", "-"),
    ("–", "-"),
    ("×", "\\times "),
    ("·", "\\cdot "),
    ("π", "\\pi "),
    ("∞", "\\infty "),
    ("∪", "\\cup "),
    ("√", "\\sqrt"),
    ("\\%", "%"),
    ("\\$", " "),
    ("$", " "),
    ("\\lbrace", "\\{"),
    ("\\rbrace", "\\}"),
    ("\\lvert", "|"),
    ("\\rvert", "|"),
    ("\\vert", "|"),
    ("\\mid", "|"),
    ("\\langle", "\\langle "),
    ("\\rangle", "\\rangle "),
    ("\\degree", "°"),
    ("\\textdegree", "°"),
    ("\\circ", "\\circ "),
    ("\\infinity", "\\infty"),
    ("\\varnothing", "\\emptyset"),
    ("∅", "\\emptyset"),
    ("\\bigl", ""),
    ("\\bigr", ""),
    ("\\Bigl", ""),
    ("\\Bigr", ""),
    ("\\biggl", ""),
    ("\\biggr", ""),
    ("\\Biggl", ""),
    ("\\Biggr", ""),
    ("\\big", ""),
    ("\\Big", ""),
    ("\\bigg", ""),
    ("\\Bigg", ""),
]
_LEFT_RIGHT = re.compile(r"\\(?:left|right)(?![a-zA-Z])\s*\.?")
_DEGREE = re.compile(r"\^\s*\{\s*\\circ\s*\}|\^\s*\\circ|\\circ|°")
_STYLE = re.compile(
    r"\\(?:mathrm|mathbf|mathit|textbf|textit|textrm|textnormal|mbox|operatorname|mathsf|boldsymbol|bm)\s*\{"
)
_WS = re.compile(r"\s+")
_BACKSLASH_SPACE = re.compile(r"(?<!\\)\\ ")  # `\ ` is a space; `\\ ` is a row break
_BOXED = re.compile(r"^\\(?:boxed|fbox)\s*\{(.*)\}$", re.S)
_DELIMS = [("\\(", "\\)"), ("\\[", "\\]")]
_WORD_PCT = re.compile(r"\s*\b(?:percent|percentage|pct)\b")
_AND_OR = re.compile(r"\\text\s*\{\s*(?:and|or)\s*\}|(?<![A-Za-z\\])(?:and|or)(?![A-Za-z])")
_ANSWER_IS = re.compile(r"\\text\s*\{\s*(?:the\s+)?(?:final\s+)?answer\s+is\s*:?\s*\}\s*", re.I)
_CIS = re.compile(
    r"\\text\s*\{\s*cis\s*\}\s*(?:\(([^()]{1,60})\)|\{([^{}]{1,60})\}|([^\s,;()]{1,60}))"
)
_TEXT_EMPTY = re.compile(r"\\text\s*\{\s*\}")
#: A command written with a doubled backslash (`\\\\frac`): the string was escaped twice.
_DOUBLED_CMD = re.compile(r"\\\\[A-Za-z]")
_SINGLE_CMD = re.compile(r"(?<!\\)\\[A-Za-z]")
#: Thousands written `11,\\! 111` or `14 {, }916`.
_THOUSANDS_GLUE = re.compile(r"(?<=\d),\s*\\!\s*(?=\d)|(?<=\d)\s*\{\s*,\s*\}\s*(?=\d)")


def clean(answer: str) -> str:
    """One canonical spelling of an answer: delimiters, `\\boxed`, sizing and spacing commands
    out; `\\dfrac` → `\\frac`; `\\%` → `%`; `\\le`/`\\ge`; degree signs → `°`; styling commands
    → `\\text`; "and"/"or" between items → `,`; trailing punctuation dropped."""
    s = answer.strip()
    if "\\\\" in s and _DOUBLED_CMD.search(s) and not _SINGLE_CMD.search(s):
        s = s.replace("\\\\", "\\")
    if "," in s:
        s = _THOUSANDS_GLUE.sub(",", s)
    for _ in range(3):
        m = _BOXED.match(s)
        if not m:
            break
        s = m.group(1).strip()
    for a, b in _DELIMS:
        if s.startswith(a) and s.endswith(b):
            s = s[len(a) : -len(b)]
    if "\\" not in s and _PY_MARKERS.search(s):
        s = python_math(s)
    for a, b in _REPLACE:
        if a in s:
            s = s.replace(a, b)
    s = _BACKSLASH_SPACE.sub(" ", s)
    s = _LEFT_RIGHT.sub("", s)
    s = _STYLE.sub(r"\\text{", s)
    if s.startswith("\\text") and _ANSWER_IS.match(s):
        s = _ANSWER_IS.sub("", s, count=1)  # `\\boxed{\\text{The answer is } 5}`
    s = _TEXT_EMPTY.sub(" ", s)
    s = _DEGREE.sub("°", s)
    if "cis" in s:
        s = _CIS.sub(_cis, s)  # polar form `2 \\text{cis} 60°`
    s = _WORD_PCT.sub("%", s)
    s = _AND_OR.sub(",", s)
    s = _WS.sub(" ", s).strip()
    s = s.rstrip(".;, ").lstrip(",; ")
    if s.endswith("\\") and not s.endswith("\\\\"):
        s = s[:-1].rstrip()  # a stray trailing backslash (`185\\`)
    while s.startswith(",") or s.endswith(","):
        s = s.strip(", ")
    s = _strip_group_braces(s)
    if s in _ALL_REALS:
        return "(-\\infty, \\infty)"
    if s == "\\emptyset":
        return "\\{\\}"  # one spelling of the empty set, so it meets `\\{\\}` as a set
    if s.startswith("\\{") and ("|" in s or ":" in s):
        m = _SET_BUILDER.fullmatch(s)
        if m and m.group(1) in m.group(2):
            return m.group(2).strip()  # `\\{x | x > 1\\}`: the condition (an inequality)
    return s


#: The whole real line, as models write it.
_ALL_REALS = frozenset(
    {
        "\\mathbb{R}",
        "\\mathbb R",
        "\\R",
        "\\text{all real numbers}",
        "all real numbers",
        "\\text{R}",
    }
)
#: `\\{x | x > 1\\}`, `\\{x \\in \\mathbb{R} : x \\ne 2\\}`: a set given by a condition on one variable.
_SET_BUILDER = re.compile(
    r"\\\{\s*([A-Za-z])\s*(?:\\in\s*\\mathbb\s*\{?R\}?\s*)?(?:\||:)\s*([^{}|:]*?[<>\\][^{}|:]*)\\\}"
)


def _cis(m: re.Match[str]) -> str:
    """`\\text{cis} θ` → `(\\cos(θ) + i\\sin(θ))`."""
    arg = next(g for g in m.groups() if g is not None)
    return f"(\\cos({arg}) + i\\sin({arg}))"


#: What a program prints for exact values (sympy, `fractions`): read as the LaTeX they mean.
_PY_MARKERS = re.compile(r"\b(?:sqrt|pi|Fraction|Rational|Matrix)\b")
_PY_CALL = re.compile(r"\b(sqrt|Fraction|Rational)\(")
_PY_MATRIX = re.compile(r"^Matrix\(\[(\[.*\])\]\)$")


def _paren_end(s: str, start: int) -> int:
    """Index of the `)` closing the `(` at `start`, -1 when it does not close."""
    depth = 0
    for j in range(start, len(s)):
        if s[j] == "(":
            depth += 1
        elif s[j] == ")":
            depth -= 1
            if depth == 0:
                return j
    return -1


def python_math(s: str) -> str:
    """A program's printed value in LaTeX: `sqrt(3)/2` → `\\sqrt{3}/2`, `pi/4` → `\\pi/4`,
    `Fraction(3, 4)` / `Rational(3, 4)` → `\\frac{3}{4}`, `Matrix([[1], [2]])` → a pmatrix.
    Only for text without LaTeX commands (a code-interpreter transcript's output)."""
    if "\\" in s or not _PY_MARKERS.search(s):
        return s
    m = _PY_MATRIX.match(s.strip())
    if m:
        rows = re.findall(r"\[([^\[\]]*)\]", m.group(1))
        if rows:
            body = " \\\\ ".join(" & ".join(c.strip() for c in r.split(",")) for r in rows)
            return f"\\begin{{pmatrix}}{python_math(body)}\\end{{pmatrix}}"
    out, pos = [], 0
    for _ in range(50):
        m = _PY_CALL.search(s, pos)
        if m is None:
            break
        end = _paren_end(s, m.end() - 1)
        if end < 0:
            break
        inner = python_math(s[m.end() : end])
        if m.group(1) == "sqrt":
            out.append(f"{s[pos : m.start()]}\\sqrt{{{inner}}}")
        else:
            parts = split_top(inner, ",")
            if len(parts) != 2:
                return s
            out.append(f"{s[pos : m.start()]}\\frac{{{parts[0]}}}{{{parts[1]}}}")
        pos = end + 1
    out.append(s[pos:])
    return re.sub(r"\bpi\b", r"\\pi ", "".join(out))


def _strip_group_braces(s: str) -> str:
    """`{1, 3}` → `1, 3`: plain braces around everything are a TeX group, not a set (`\\{`)."""
    for _ in range(3):  # a few layers: deeper nesting is left for the guards to refuse
        if len(s) < 2 or s[0] != "{" or s[-1] != "}":
            return s
        depth = 0
        for i, ch in enumerate(s):
            if ch == "{" and (i == 0 or s[i - 1] != "\\"):
                depth += 1
            elif ch == "}" and s[i - 1] != "\\":
                depth -= 1
                if depth == 0 and i != len(s) - 1:
                    return s
        s = s[1:-1].strip()
    return s


# --- top-level structure ----------------------------------------------------------------------

_OPEN = "([{"
_CLOSE = ")]}"


def _tokens(s: str) -> list[tuple[int, str]]:
    """Bracket tokens with positions: `\\{`, `\\}`, `\\langle`, `\\rangle` count as brackets."""
    out: list[tuple[int, str]] = []
    i = 0
    while i < len(s):
        if s.startswith("\\{", i) or s.startswith("\\}", i):
            out.append((i, s[i : i + 2]))
            i += 2
        elif s.startswith("\\langle", i):
            out.append((i, "<"))
            i += 7
        elif s.startswith("\\rangle", i):
            out.append((i, ">"))
            i += 7
        elif s[i] in _OPEN or s[i] in _CLOSE:
            out.append((i, s[i]))
            i += 1
        else:
            i += 1
    return out


def _is_open(tok: str) -> bool:
    return tok in _OPEN or tok in ("\\{", "<")


def split_top(s: str, seps: str = ",;") -> list[str]:
    """`s` cut at separators outside every bracket (mismatched bracket kinds still nest, so
    interval ends like `[1,2)` work)."""
    parts, depth, start, i = [], 0, 0, 0
    while i < len(s):
        if s.startswith("\\{", i) or s.startswith("\\}", i):
            depth += 1 if s[i + 1] == "{" else -1
            i += 2
            continue
        if s.startswith("\\langle", i):
            depth += 1
            i += 7
            continue
        if s.startswith("\\rangle", i):
            depth -= 1
            i += 7
            continue
        ch = s[i]
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
        elif ch in seps and depth == 0:
            parts.append(s[start:i])
            start = i + 1
        i += 1
    parts.append(s[start:])
    return [p.strip() for p in parts]


def outer_group(s: str) -> tuple[str, str, str] | None:
    """(open, inner, close) when one bracket pair wraps all of `s`, else None."""
    toks = _tokens(s)
    if len(toks) < 2 or toks[0][0] != 0:
        return None
    last_pos, last = toks[-1]
    if last_pos + len(last if last not in "<>" else "\\rangle") != len(s):
        return None
    if not _is_open(toks[0][1]) or _is_open(last):
        return None
    depth = 0
    for k, (_, tok) in enumerate(toks):
        depth += 1 if _is_open(tok) else -1
        if depth == 0 and k != len(toks) - 1:
            return None
    first = toks[0][1]
    start = len(first) if first != "<" else 7
    return first, s[start:last_pos].strip(), last


@dataclass(frozen=True, slots=True)
class Collection:
    """A tuple, set, interval, vector or bare list. `open`/`close` are the brackets as written
    (`""` for a bare list, `"{"` for a set, `"("` for tuples and vectors)."""

    open: str
    close: str
    items: tuple[str, ...]

    @property
    def is_set(self) -> bool:
        return self.open == "{"

    @property
    def is_bare(self) -> bool:
        return self.open == ""


@dataclass(frozen=True, slots=True)
class Matrix:
    """A matrix as rows of entry strings."""

    rows: tuple[tuple[str, ...], ...]


_MATRIX = re.compile(r"^\\begin\{([pbBvV]?matrix|array)\}(?:\{[^{}]*\})?(.*)\\end\{\1\}$", re.S)


def as_matrix(s: str) -> Matrix | None:
    """A `pmatrix`/`bmatrix`/`matrix`/`array` environment as a `Matrix`."""
    m = _MATRIX.match(s)
    if not m:
        inner = outer_group(s)
        if inner and inner[0] in "([" and inner[1].startswith("\\begin{"):
            return as_matrix(inner[1])
        return None
    body = m.group(2).strip()
    rows = [r for r in re.split(r"\\\\", body) if r.strip() and r.strip() != "\\hline"]
    return Matrix(tuple(tuple(c.strip() for c in r.split("&")) for r in rows))


def as_collection(s: str) -> Collection | None:
    """`s` as a collection when it has top-level separators or is a bracketed list."""
    group = outer_group(s)
    if group is not None:
        open_, inner, close = group
        items = split_top(inner)
        if open_ == "\\{":
            return Collection("{", "}", tuple(i for i in items if i) if inner else ())
        if len(items) > 1:
            o = "(" if open_ == "<" else open_
            c = ")" if close == ">" else close
            return Collection(o, c, tuple(items))
        return None
    items = split_top(s)
    if len(items) > 1 and all(items):
        return Collection("", "", tuple(items))
    return None


def strip_parens(s: str) -> str:
    """`(x)` → `x`, repeatedly, when the parentheses wrap everything."""
    while True:
        g = outer_group(s)
        if g is None or g[0] != "(" or g[2] != ")" or len(split_top(g[1])) > 1:
            return s
        s = g[1]


_PM = re.compile(r"\\pm|\\mp|±")


def expand_pm(s: str) -> list[str] | None:
    """`a \\pm b` → [`a + b`, `a - b`] (one `\\pm` only), else None."""
    found = _PM.findall(s)
    if len(found) != 1:
        return None
    return [_PM.sub("+", s), _PM.sub("-", s)]


# --- equations, relations, intervals ----------------------------------------------------------

_SIMPLE_LHS = re.compile(
    r"^(?:\\?[A-Za-z]+|\\text\{[^{}]*\})(?:_\{?[\w\\]+\}?)?'*(?:\^\{?\w\}?)?(?:\([^()]*\))?$"
)


def split_equation(s: str) -> tuple[str, str] | None:
    """(lhs, rhs) of `lhs = ... = rhs` (first and last part), None when there is no top-level `=`."""
    parts = split_top(s, "=")
    if len(parts) < 2 or not all(parts):
        return None
    return parts[0], parts[-1]


_NAME_NOISE = re.compile(
    r"\\(?:frac|left|right|text|overline|angle|triangle|vec|hat|bar|prime|operatorname|cdot)"
    r"|_\{[^{}]*\}|_[A-Za-z0-9]|\^\{?\\prime\}?|[{}()\[\]|:/,'\s*+-]"
)
_NAME = re.compile(r"(?:[A-Za-z]|\\[A-Za-z]+)+")
_NOT_NAMES = re.compile(r"\\(?:sqrt|pi|infty|sum|int|prod|lim|log|ln|sin|cos|tan|exp)(?![a-zA-Z])")
_COMMANDS = re.compile(r"\\[A-Za-z]+")


def assigned_value(s: str) -> str | None:
    """The value of `name = ... = value` (`x = 3`, `(p, q) = (3, 2)`, `|AB| = 1`, `A:B = 1`,
    `V_1:V_2 = 11:21`) or of a computation `5 \\times 6 = 30`, else None. The left side must be
    a name made of letters (no digits, so `x^2 = 4` and `2x + 4y - 3 = 0` stay equations) or a
    constant with no letters at all; a list of assignments (`x = 1, y = 2`) is not one."""
    if "=" not in s:
        return None
    parts = split_top(s, "=")
    if len(parts) < 2 or not all(parts) or any(len(split_top(p)) > 1 for p in parts[:-1]):
        return None
    lhs = parts[0]
    if relation_parts(lhs) or "\\ne" in lhs:
        return None
    if is_simple_lhs(lhs) or (
        not _NOT_NAMES.search(lhs) and _NAME.fullmatch(_NAME_NOISE.sub("", lhs) or "0")
    ):
        return parts[-1]
    if not any(re.search(r"[A-Za-z]", _COMMANDS.sub("", p)) for p in (lhs, parts[-1])):
        return parts[-1]  # `5 \\times 6 \\times 4 = 120`: a computation ending in its value
    return None


def is_simple_lhs(lhs: str) -> bool:
    """A variable name (`x`, `y_1`, `f(x)`, `\\theta`, `AB`): an assignment's left side."""
    return bool(_SIMPLE_LHS.match(lhs.replace(" ", "")))


_REL = re.compile(r"\\le(?![a-z])|\\ge(?![a-z])|<=|>=|<|>")
_REL_NORM = {"\\le": "<=", "\\ge": ">=", "<=": "<=", ">=": ">=", "<": "<", ">": ">"}
_VAR = re.compile(r"^(?:[A-Za-z]|\\[a-zA-Z]+|[A-Za-z]\s*\(\s*[A-Za-z]\s*\))$")


def relation_parts(s: str) -> tuple[list[str], list[str]] | None:
    """Operands and operators of a chain `a < x \\le b`, None without a relation."""
    ops = [_REL_NORM[m.group(0)] for m in _REL.finditer(s)]
    if not ops or s.count("\\langle") or s.count("\\rangle"):
        return None
    operands = [p.strip() for p in _REL.split(s)]
    if not all(operands):
        return None
    return operands, ops


def as_interval(s: str) -> Collection | None:
    """A one-variable inequality (`x > 3`, `3 \\le x < 5`, `x \\in [1, 2)`) as an interval."""
    if "\\in" in s:
        m = re.match(r"^\s*([A-Za-z])\s*\\in\s*(.+)$", s)
        if m:
            c = as_collection(m.group(2).strip())
            return c if c is not None and len(c.items) == 2 else None
    rel = relation_parts(s)
    if rel is None:
        return None
    operands, ops = rel
    var_idx = [i for i, o in enumerate(operands) if _VAR.match(o) and o not in ("\\infty", "\\pi")]
    if len(var_idx) != 1:
        return None
    vi = var_idx[0]
    lo, hi, lo_closed, hi_closed = "-\\infty", "\\infty", False, False
    if len(ops) == 1:
        op = ops[0]
        other = operands[1 - vi]
        # normalise to `x op other`
        if vi == 1:
            op = {"<": ">", ">": "<", "<=": ">=", ">=": "<="}[op]
        if op in ("<", "<="):
            hi, hi_closed = other, op == "<="
        else:
            lo, lo_closed = other, op == ">="
    elif len(ops) == 2 and vi == 1:
        if ops[0] in ("<", "<=") and ops[1] in ("<", "<="):
            lo, lo_closed, hi, hi_closed = operands[0], ops[0] == "<=", operands[2], ops[1] == "<="
        elif ops[0] in (">", ">=") and ops[1] in (">", ">="):
            hi, hi_closed, lo, lo_closed = operands[0], ops[0] == ">=", operands[2], ops[1] == ">="
        else:
            return None
    else:
        return None
    return Collection("[" if lo_closed else "(", "]" if hi_closed else ")", (lo, hi))


# --- units ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unit:
    """A recognised unit: its dimension, power (cm^2 → 2) and factor to the base unit."""

    dimension: str
    power: int
    factor: Fraction


_UNITS: dict[str, tuple[str, Fraction]] = {}


def _add(dim: str, factor: Fraction, *names: str) -> None:
    for n in names:
        _UNITS[n] = (dim, factor)


_add("time", Fraction(1), "s", "sec", "secs", "second", "seconds")
_add("time", Fraction(60), "min", "mins", "minute", "minutes")
_add("time", Fraction(3600), "h", "hr", "hrs", "hour", "hours")
_add("time", Fraction(86400), "day", "days")
_add("time", Fraction(604800), "week", "weeks")
_add("length", Fraction(1, 1000), "mm", "millimeter", "millimeters", "millimetre", "millimetres")
_add("length", Fraction(1, 100), "cm", "centimeter", "centimeters", "centimetre", "centimetres")
_add("length", Fraction(1), "m", "meter", "meters", "metre", "metres")
_add("length", Fraction(1000), "km", "kilometer", "kilometers", "kilometre", "kilometres")
_add("length", Fraction(254, 10000), "in", "inch", "inches")
_add("length", Fraction(3048, 10000), "ft", "foot", "feet")
_add("length", Fraction(9144, 10000), "yd", "yard", "yards")
_add("length", Fraction(1609344, 1000), "mi", "mile", "miles")
_add("mass", Fraction(1, 1000), "mg", "milligram", "milligrams")
_add("mass", Fraction(1), "g", "gram", "grams")
_add("mass", Fraction(1000), "kg", "kilogram", "kilograms")
_add("volume", Fraction(1, 1000), "ml", "mL", "milliliter", "milliliters", "millilitre")
_add("volume", Fraction(1), "l", "L", "liter", "liters", "litre", "litres")
_add("money", Fraction(1), "dollar", "dollars", "usd", "USD")
_add("money", Fraction(1, 100), "cent", "cents")

_UNIT_TAIL = re.compile(
    r"^(?P<core>.*?)\s*(?:\\text\{\s*(?P<t>[^{}]*?)\s*\}|(?<=[\d}\s])(?P<w>[A-Za-z]{1,12}(?: [A-Za-z]{2,12})?))"
    r"\s*(?:\^\s*\{?(?P<p>[23])\}?)?\s*$"
)
_NUMERIC_COMMANDS = re.compile(r"\\(?:frac|sqrt|pi|times|cdot)")
_NUMERIC_END = re.compile(r"[\d}%)\]]\s*$|\\pi\s*$")


def split_unit(s: str) -> tuple[str, Unit | None, bool]:
    """(value, unit, had_unit): a trailing unit word (`10 \\text{ cm}`, `4 hours`, `5 cm^2`)
    cut off a numeric-looking value. The unit is None when the word is not one we can convert."""
    m = _UNIT_TAIL.match(s)
    if not m:
        return s, None, False
    core = m.group("core").strip()
    word = (m.group("t") or m.group("w") or "").strip()
    if not core or not word or not _NUMERIC_END.search(core) or "=" in core:
        return s, None, False
    if m.group("w"):
        if len(word) == 1 and word not in _UNITS:
            return s, None, False  # `\\frac{\\sqrt3}{2} i`: a factor, not a unit
        # A bare word is a unit only after a plain numeric value (`2x`, `\\sin^2 x` are not).
        # (one-letter units need the space: `3s^2` is an expression, `3 s` a time)
        if not (s[m.start("w") - 1] == " " or (word in _UNITS and len(word) > 1)):
            return s, None, False
        if re.search(r"[A-Za-z]", _NUMERIC_COMMANDS.sub("", core)):
            return s, None, False
    key = word if word in _UNITS else word.lower()
    power = int(m.group("p") or 1)
    if key.startswith("square ") or key.startswith("sq "):
        key, power = key.split(" ", 1)[1], 2
    elif key.startswith("cubic "):
        key, power = key.split(" ", 1)[1], 3
    if key in _UNITS:
        dim, factor = _UNITS[key]
        return core, Unit(dim, power, factor**power), True
    return core, None, True


# --- choice letters and text ------------------------------------------------------------------

_TEXT_WRAP = re.compile(r"\\text\s*\{([^{}]*)\}")
_CHOICE_WORDS = re.compile(
    r"^(?:the\s+)?(?:correct\s+)?(?:option|choice|answer)\s*(?:is\s*)?:?\s*", re.I
)
_ONE_LETTER = re.compile(r"^\(?([A-Ja-j])\)?$")
_PAREN_LETTER = re.compile(r"\(([A-Ja-j])\)")
_LETTER_WITH_TEXT = re.compile(r"^\(([A-Ja-j])\)\s*.*$|^([A-J])(?:\)|:|\.)\s+.*$", re.S)


def unwrap_text(s: str) -> str:
    """`\\text{abc}` wrappers removed (content kept)."""
    prev = None
    while prev != s:
        prev, s = s, _TEXT_WRAP.sub(r"\1", s)
    return s


def choice_letters(s: str, *, gold: bool = False) -> frozenset[str] | None:
    """The option letters of a multiple-choice answer (`B`, `(b)`, `\\text{(C) 12}`, `A, C`),
    upper-cased; None when `s` is not a choice answer. A gold needs an upper-case letter or
    parentheses, so a lower-case variable `a` is not read as a choice."""
    t = _CHOICE_WORDS.sub("", unwrap_text(s).strip()).strip()
    t = t.strip("*").strip()
    m = _ONE_LETTER.match(t)
    if m:
        if gold and not (t.startswith("(") or m.group(1).isupper()):
            return None
        return frozenset(m.group(1).upper())
    parts = [p for p in re.split(r"\s*(?:,|;|/|\band\b|\bor\b|&)\s*|\s+", t) if p]
    if len(parts) > 1 and all(_ONE_LETTER.match(p) for p in parts):
        if gold and not all(p.strip("()").isupper() for p in parts):
            return None
        return frozenset(p.strip("()").upper() for p in parts)
    m = _LETTER_WITH_TEXT.match(t)
    if m:
        letter = (m.group(1) or m.group(2)).upper()
        # `(C) 12` is letter C; `(C), (D)` or `(C) and (D) 12` names two options.
        others = {
            x.upper() for x in _PAREN_LETTER.findall(t[m.start(1 if m.group(1) else 2) + 1 :])
        }
        return frozenset({letter} | others)
    if not gold and re.fullmatch(r"[A-J]{2,4}", t) and len(set(t)) == len(t):
        return frozenset(t)
    return None


_OPTION_LABEL = re.compile(r"^(?:\\text\s*\{\s*)?\(?([A-Ja-j])\)(?:\s*\})?\s*(?=\S)")


def option_value(s: str) -> str | None:
    """The value after a leading option label (`(b) -\\frac{1}{2}` → `-\\frac{1}{2}`,
    `\\text{(B)} 12`, `B) 12`), None without one or with a second label after it
    (`(a) 5, (b) 6` answers two parts)."""
    m = _OPTION_LABEL.match(s)
    if m is None:
        return None
    rest = s[m.end() :].strip()
    if not rest or _PAREN_LETTER.search(rest) or re.search(r"(?:^|[\s,;])[A-Ja-j]\)", rest):
        return None
    return rest


_WORDS = re.compile(r"^[A-Za-z][A-Za-z' -]*$")
_ARTICLES = re.compile(r"^(?:the|a|an)\s+", re.I)


def as_text(s: str) -> str | None:
    """A word answer (`\\text{Evelyn}`, `yes`, `odd`) in a canonical lower-case form, or None
    when `s` holds anything but words."""
    t = unwrap_text(s).strip().strip(".").strip()
    if not _WORDS.match(t) or ("\\text" not in s and len(t) < 2):
        return None
    if "\\text" not in s and len(t.replace(" ", "")) <= 2:
        return None  # `ab`, `xy`: symbols rather than words
    words = _ARTICLES.sub("", _WS.sub(" ", t.lower())).strip().split(" ")
    # Plurals are spelling, not meaning: `red apples` ~ `red apple` (not `yes`, `class`).
    return " ".join(
        w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in words
    )
