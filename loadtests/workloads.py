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


MATH_PAIRS = [
    ("\\frac{1}{2}", "0.5"),
    ("42", "42"),
    ("1,000", "1000"),
    ("\\sqrt{2}/2", "\\frac{\\sqrt{2}}{2}"),
    ("x^2+2x+1", "(x+1)^2"),
    ("3", "4"),
    ("\\pi", "3.14159"),
    ("(1,2)", "(1, 2)"),
    ("50\\%", "0.5"),
    ("2^{10}", "1024"),
]


def math_items(n: int, seed: int = 0, group: int = 8) -> list[dict[str, Any]]:
    """GRPO groups: `group` completions per prompt; most of a group share one answer."""
    rng = random.Random(seed)
    out = []
    for p in range(0, n, group):
        answer, gold = MATH_PAIRS[(p // group + seed) % len(MATH_PAIRS)]
        for k in range(min(group, n - p)):
            ans = answer if rng.random() < 0.7 else str(rng.randint(1, 50))
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
        completion = f"<think>{REASONING_EN}</think>\n{code}\n{'#' * (i % 7)}"
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
