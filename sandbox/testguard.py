"""Function-style tests, rewritten on the host so that the program's values cannot rig them.

A function test (`{"code": "assert f(1, 2) == 3"}`) runs in the program's own interpreter, after
the program. Whatever the test does with a value the program made can run the program's code:
`==` calls its `__eq__`, `assert x` its `__bool__`, `len(x)` its `__len__`, `abs(x - y)` its
`__sub__`. This module rewrites the test's syntax tree so every such use goes through a guard
that the harness defines inside the sandbox (see `harness.py`, "the tests' world"):

- `_rk_v(x)`: `x` itself when it is plain data (or an object whose class overrides none of the
  value dunders); otherwise the test fails (`rigged_value`). Iterators come back wrapped so that
  each item is checked as it is drawn.
- `_rk_t(x)`: `_rk_v(x)`, then its truth value.
- `_rk_call(f, *args, **kwargs)`: calls `f`; when `f` is not the program's or the test's own
  code (a builtin, the standard library), each argument must pass `_rk_v` first, so that
  `math.isclose(f(x), y)` or `self.assertEqual(f(1), 3)` cannot be fooled either.

Operands of comparisons (`is` / `is not` excepted: they call nothing), arithmetic and boolean
operators, conditions (`assert`, `if`, `while`, ternaries, comprehension filters), subscripted
values, iterated values, formatted values, dict keys and set items are guarded. Plain attribute
access and calls into the program are left alone: a test may call methods of an object the
program made, and whatever those return is guarded where it is used.

`guard(source)` returns the rewritten source and the top-level modules the test imports (the
harness imports them before the program runs, so the test sees their pristine state).
"""

from __future__ import annotations

import ast

#: Names the harness binds in the test's globals; a test that defines them itself is refused.
GUARDS = ("_rk_v", "_rk_t", "_rk_call")
#: Calls left as they are: they read the caller's frame (zero-argument `super`, `locals` ...),
#: which a call through `_rk_call` would change.
FRAME_READERS = frozenset({"super", "locals", "globals", "vars", "dir", "eval", "exec"})


def _wrap(fn: str, node: ast.expr) -> ast.expr:
    return ast.Call(func=ast.Name(fn, ast.Load()), args=[node], keywords=[])


class _Guard(ast.NodeTransformer):
    """Wraps every place where a test inspects a value (see the module docstring)."""

    # --- expressions ----------------------------------------------------------------------

    def visit_Compare(self, node: ast.Compare) -> ast.expr:
        self.generic_visit(node)
        if all(isinstance(op, ast.Is | ast.IsNot) for op in node.ops):
            return node  # identity calls no dunder
        node.left = _wrap("_rk_v", node.left)
        node.comparators = [_wrap("_rk_v", c) for c in node.comparators]
        return node

    def visit_BinOp(self, node: ast.BinOp) -> ast.expr:
        self.generic_visit(node)
        node.left, node.right = _wrap("_rk_v", node.left), _wrap("_rk_v", node.right)
        return node

    def visit_UnaryOp(self, node: ast.UnaryOp) -> ast.expr:
        self.generic_visit(node)
        node.operand = _wrap("_rk_t" if isinstance(node.op, ast.Not) else "_rk_v", node.operand)
        return node

    def visit_BoolOp(self, node: ast.BoolOp) -> ast.expr:
        self.generic_visit(node)
        # `a and b` evaluates to one of its operands: each is checked, the value kept.
        node.values = [_wrap("_rk_v", v) for v in node.values]
        return node

    def visit_IfExp(self, node: ast.IfExp) -> ast.expr:
        self.generic_visit(node)
        node.test = _wrap("_rk_t", node.test)
        return node

    def visit_Subscript(self, node: ast.Subscript) -> ast.expr:
        self.generic_visit(node)
        if isinstance(node.ctx, ast.Load):
            node.value = _wrap("_rk_v", node.value)
        return node

    def visit_FormattedValue(self, node: ast.FormattedValue) -> ast.expr:
        self.generic_visit(node)
        node.value = _wrap("_rk_v", node.value)
        return node

    def visit_Dict(self, node: ast.Dict) -> ast.expr:
        self.generic_visit(node)
        node.keys = [None if k is None else _wrap("_rk_v", k) for k in node.keys]
        return node

    def visit_Set(self, node: ast.Set) -> ast.expr:
        self.generic_visit(node)
        node.elts = [_wrap("_rk_v", e) for e in node.elts]
        return node

    def visit_comprehension(self, node: ast.comprehension) -> ast.comprehension:
        self.generic_visit(node)
        node.iter = _wrap("_rk_v", node.iter)
        node.ifs = [_wrap("_rk_t", c) for c in node.ifs]
        return node

    def visit_Call(self, node: ast.Call) -> ast.expr:
        self.generic_visit(node)
        if isinstance(node.func, ast.Name) and node.func.id in FRAME_READERS:
            return node
        return ast.Call(
            func=ast.Name("_rk_call", ast.Load()),
            args=[node.func, *node.args],
            keywords=node.keywords,
        )

    # --- statements -----------------------------------------------------------------------

    def visit_Assert(self, node: ast.Assert) -> ast.stmt:
        self.generic_visit(node)
        node.test = _wrap("_rk_t", node.test)
        return node

    def visit_If(self, node: ast.If) -> ast.stmt:
        self.generic_visit(node)
        node.test = _wrap("_rk_t", node.test)
        return node

    def visit_While(self, node: ast.While) -> ast.stmt:
        self.generic_visit(node)
        node.test = _wrap("_rk_t", node.test)
        return node

    def visit_For(self, node: ast.For) -> ast.stmt:
        self.generic_visit(node)
        node.iter = _wrap("_rk_v", node.iter)
        return node

    visit_AsyncFor = visit_For  # type: ignore[assignment]

    def visit_Assign(self, node: ast.Assign) -> ast.stmt:
        self.generic_visit(node)
        # Unpacking iterates the value: `a, b = f()` runs the value's __iter__.
        if any(isinstance(t, ast.Tuple | ast.List | ast.Starred) for t in node.targets):
            node.value = _wrap("_rk_v", node.value)
        return node


def imported_modules(tree: ast.AST) -> list[str]:
    """Top-level names of every absolute import anywhere in `tree`, in order, each once."""
    seen: dict[str, None] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                seen.setdefault(alias.name, None)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            seen.setdefault(node.module, None)
    return list(seen)


def guard(source: str) -> tuple[str, list[str]]:
    """The test's source with every value inspection guarded, and the modules it imports.

    Raises `ValueError` for a test that does not parse or that binds a guard's name."""
    try:
        tree = ast.parse(source, "<test>", "exec")
    except (SyntaxError, ValueError) as exc:
        raise ValueError(f"its code does not parse: {exc}") from None
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in GUARDS:
            raise ValueError(f"its code may not use the name {node.id!r}")
    guarded = ast.fix_missing_locations(_Guard().visit(tree))
    return ast.unparse(guarded), imported_modules(tree)
