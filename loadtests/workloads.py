"""Item generators shared by the benchmark and the locust scenarios: GRPO-shaped batches
(G completions per prompt that often share a final answer)."""

from __future__ import annotations

import json
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


def choice_items(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """Multiple-choice completions stated the ways models state them; some hedge."""
    rng = random.Random(seed)
    forms = [
        "The answer is ({}).",
        "**Answer: {}**",
        "Therefore the correct option is {}.",
        "\\boxed{{{}}}",
        "After eliminating the others:\n{}. The last option text",
    ]
    out = []
    for i in range(n):
        gold, pick = rng.choice("ABCD"), rng.choice("ABCD")
        answer = rng.choice(forms).format(pick)
        if rng.random() < 0.1:
            answer = f"It is {pick} or {rng.choice('ABCD')}."
        completion = f"<think>{_reasoning(rng, 'en', 3)}</think> {answer}"
        out.append({"id": str(i), "completion": completion, "checks": {"choice": {"gold": gold}}})
    return out


QA_FACTS = [
    ("Denver Broncos", "The Denver Broncos won the game."),
    ("Paris", "It is the city of Paris, in France."),
    ("1998", "The company was founded in 1998."),
    ("Mount Everest", "Mount Everest is the highest."),
]


def qa_items(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """Short answers as a final-answer phrase or as a sentence, against 1-3 golds (F1)."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        gold, sentence = rng.choice(QA_FACTS)
        answer = rng.choice([f"The answer is {gold}.", sentence, f"\\boxed{{{gold}}}"])
        golds = [gold, f"the {gold}", gold.lower()][: rng.randint(1, 3)]
        completion = f"<think>{_reasoning(rng, 'en', 3)}</think> {answer} ({i})"
        out.append(
            {
                "id": str(i),
                "completion": completion,
                "checks": {"qa": {"golds": golds, "metric": "f1"}},
            }
        )
    return out


IFEVAL_ROWS = [
    (
        ["length_constraints:number_words", "punctuation:no_comma"],
        [{"num_words": 40, "relation": "at least"}, {}],
    ),
    (
        ["detectable_format:number_bullet_lists", "change_case:capital_word_frequency"],
        [{"num_bullets": 3}, {"capital_frequency": 2, "capital_relation": "less than"}],
    ),
    (
        ["length_constraints:number_sentences", "detectable_format:title", "startend:end_checker"],
        [{"num_sentences": 4, "relation": "at least"}, {}, {"end_phrase": "Any other questions?"}],
    ),
    (["change_case:english_lowercase", "keywords:existence"], [{}, {"keywords": ["garden"]}]),
]


def ifeval_items(n: int, seed: int = 0, group: int = 8) -> list[dict[str, Any]]:
    """GRPO groups over IFEval rows (2-3 instructions each, counting and language ID among
    them), each completion a distinct response."""
    rng = random.Random(seed)
    out = []
    for p in range(0, n, group):
        ids, kwargs = rng.choice(IFEVAL_ROWS)
        for k in range(min(group, n - p)):
            lines = [f"* {REASONING_EN.strip()} ({p + k}.{j})" for j in range(rng.randint(2, 4))]
            body = (
                f"<<Notes {p + k}>>\n" + "\n".join(lines) + "\nWe walked in the garden, then home."
            )
            if rng.random() < 0.3:
                body = body.lower()
            response = body + ("\nAny other questions?" if rng.random() < 0.5 else "")
            out.append(
                {
                    "id": f"{p + k}",
                    "completion": f"<think>{REASONING_EN}</think>\n{response}",
                    "checks": {
                        "ifeval": {
                            "instruction_id_list": ids,
                            "kwargs": kwargs,
                            "mode": rng.choice(["strict", "loose"]),
                        }
                    },
                }
            )
    return out


JSON_SCHEMA = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "age": {"type": "integer", "minimum": 0},
        "tags": {"type": "array", "items": {"type": "string"}, "uniqueItems": True},
    },
    "required": ["name", "age"],
    "additionalProperties": False,
}


def json_items(n: int, seed: int = 0) -> list[dict[str, Any]]:
    """Structured-output completions (fenced or inline JSON; some break the schema or the
    syntax) against one schema per batch."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        doc: dict[str, Any] = {"name": f"user{i}", "age": rng.randint(-2, 90)}
        if rng.random() < 0.5:
            doc["tags"] = [rng.choice(["a", "b", "c"]) for _ in range(rng.randint(0, 3))]
        text = json.dumps(doc)
        if rng.random() < 0.1:
            text = text[:-1]
        wrapped = rng.choice(["```json\n{}\n```", "Here you go: {}", "{}"]).format(text)
        completion = f"<think>{REASONING_EN}</think>\n{wrapped}"
        out.append(
            {"id": str(i), "completion": completion, "checks": {"json": {"schema": JSON_SCHEMA}}}
        )
    return out
