"""Item generators shared by the benchmark and the locust scenarios: GRPO-shaped batches
(G completions per prompt that often share a final answer)."""

from __future__ import annotations

import random
from typing import Any

REASONING_EN = (
    "First we compute the derivative of the function. Then we set it equal to zero and solve "
    "for the variable. We check the second derivative to confirm it is a minimum. "
)
REASONING_FR = (
    "D'abord nous calculons la dérivée de la fonction. Ensuite nous résolvons l'équation. "
)
REASONING_ZH = "首先我们计算函数的导数。然后令导数等于零并求解变量。"

PYTHON_SOLUTION = "```python\na, b = map(int, input().split())\nprint(a + b)\n```"
PYTHON_WRONG = "```python\na, b = map(int, input().split())\nprint(a - b)\n```"


def _reasoning(rng: random.Random, lang: str, sentences: int) -> str:
    base = {"en": REASONING_EN, "fr": REASONING_FR, "zh": REASONING_ZH}[lang]
    mix = REASONING_EN if lang != "en" and rng.random() < 0.3 else ""
    return (base * sentences) + mix


def format_items(n: int, seed: int = 0) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        body = _reasoning(rng, "en", 3)
        completion = f"<think>{body}</think> The answer is \\boxed{{{rng.randint(1, 99)}}}."
        if rng.random() < 0.2:
            completion = completion.replace("<think>", "")
        out.append({"id": str(i), "completion": completion, "checks": {"format": {}}})
    return out


def language_items(n: int, seed: int = 0) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        lang = rng.choice(["en", "fr", "zh"])
        completion = f"<think>{_reasoning(rng, lang, 4)}</think> 42"
        out.append(
            {"id": str(i), "completion": completion, "checks": {"language": {"target": lang}}}
        )
    return out


def _math_pair(rng: random.Random) -> tuple[str, str, str]:
    """(gold, an equivalent answer in another notation, a wrong answer), fresh numbers each
    time so no two prompts share a gold: the benchmark gets no credit for the gold cache."""
    a, b = rng.randint(2, 999), rng.randint(2, 99)
    kind = rng.randrange(6)
    if kind == 0:
        return str(a * 1000 + b), f"{a},{b:03d}", str(a * 1000 + b + 1)
    if kind == 1:
        return f"\\frac{{{a}}}{{{b}}}", f"{a}/{b}", f"\\frac{{{b}}}{{{a}}}"
    if kind == 2:
        return f"{a}.{b}", f"{a}.{b}0", f"{a}.{b + 1}"
    if kind == 3:
        return f"(x+{a})^2", f"x^2+{2 * a}x+{a * a}", f"x^2+{a}x+{a * a}"
    if kind == 4:
        return f"\\sqrt{{{b * b * 2}}}", f"{b}\\sqrt{{2}}", f"{b}\\sqrt{{3}}"
    return f"({a}, {b})", f"({a},{b})", f"({b}, {a})"


def math_items(n: int, seed: int = 0, group: int = 8) -> list[dict[str, Any]]:
    """GRPO groups: `group` completions per prompt, each prompt with its own gold; most of a
    group agree on the right answer (in one of two notations), some are wrong."""
    rng = random.Random(seed)
    out = []
    for p in range(0, n, group):
        gold, same, wrong = _math_pair(rng)
        for k in range(min(group, n - p)):
            ans = rng.choices([gold, same, wrong], weights=[4, 3, 3])[0]
            completion = f"<think>{REASONING_EN}</think> The answer is $\\boxed{{{ans}}}$."
            out.append(
                {"id": f"{p + k}", "completion": completion, "checks": {"math": {"gold": gold}}}
            )
    return out


def code_items(n: int, seed: int = 0) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    tests = [
        {"input": f"{a} {b}\n", "output": f"{a + b}\n"} for a, b in [(1, 2), (10, 20), (-5, 5)]
    ]
    out = []
    for i in range(n):
        code = PYTHON_SOLUTION if rng.random() < 0.7 else PYTHON_WRONG
        # A distinct program per item (as sampled programs are): no credit for deduplication.
        code = code.replace("print(", f"x{seed}_{i} = 0\nprint(")
        completion = f"<think>{REASONING_EN}</think>\n{code}"
        out.append(
            {
                "id": str(i),
                "completion": completion,
                "checks": {"code": {"language": "python", "tests": tests}},
            }
        )
    return out


def mixed_items(
    n: int, seed: int = 0, checks: tuple[str, ...] = ("math", "format", "language")
) -> list[dict[str, Any]]:
    """A GRPO batch as trainers send it: math accuracy + format + language per completion."""
    items = math_items(n, seed)
    for it in items:
        c: dict[str, Any] = {}
        if "math" in checks:
            c["math"] = it["checks"]["math"]
        if "format" in checks:
            c["format"] = {}
        if "language" in checks:
            c["language"] = {"target": "en"}
        it["checks"] = c
        it["weights"] = {"format": 0.5} if "format" in c else None
        if it["weights"] is None:
            del it["weights"]
    return items
