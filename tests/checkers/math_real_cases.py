"""Whole completions in the styles real model outputs come in, with the label their source
would give (is the model's final answer right?): GSM8K solutions (`#### 72`, "The answer is
72.", few-shot `A: 72`), MATH solutions in boxes, Minerva's "Final Answer: The final answer is
$X$. I hope it is correct.", PRM800K's `# Answer` heading, bold `**Answer:**` lines,
code-interpreter transcripts that end in an `output` block or a bare value, and decimal
approximations of exact answers (0.8571 for 6/7), which the sources' graders accept.

Shared by tests/checkers/test_math_real.py (the verdicts rewardkit must give under each
option) and loadtests/bench_math.py (agreement with the labels, against Math-Verify).

A case is (family, completion, gold, label, needs): `needs` says which options accept a
right answer: "final" (the default extraction), "last" (only the lenient `extract: last`
finds it) or "tol" (a decimal approximation: right only with a tolerance of 1e-3).
"""

from __future__ import annotations

RealCase = tuple[str, str, str, bool, str]

# (gold, right answers as a model writes them, wrong answers as a model writes them)
_NUMERIC = [
    ("72", ["72", "72.0", "\\$72", "72 clips"], ["71", "144", "-72"]),
    ("1,250", ["1250", "1,250", "\\$1,250.00"], ["125", "1205"]),
    ("18", ["18", "18.00"], ["16", "81"]),
    ("\\frac{6}{7}", ["\\frac{6}{7}", "6/7", "\\dfrac{6}{7}"], ["\\frac{7}{6}", "0.86", "6"]),
    ("\\frac{3}{8}", ["\\frac38", "0.375", "3/8"], ["\\frac{3}{4}", "0.38"]),
    ("-\\frac{1}{2}", ["-\\frac{1}{2}", "-0.5", "-1/2"], ["\\frac{1}{2}", "-2"]),
    ("2\\sqrt{3}", ["2\\sqrt{3}", "\\sqrt{12}", "2 \\sqrt 3"], ["3\\sqrt{2}", "\\sqrt{6}"]),
    ("\\frac{\\pi}{4}", ["\\frac{\\pi}{4}", "\\pi/4", "\\frac{1}{4}\\pi"], ["\\frac{\\pi}{2}"]),
    ("216", ["216", "216.", "6^3"], ["215", "36"]),
    ("0.25", ["0.25", "\\frac{1}{4}", "25\\%"], ["0.2", "4"]),
]
#: Decimal approximations of exact golds (right within 1e-3) and too-coarse ones (wrong).
_APPROX = [
    ("\\frac{6}{7}", ["0.8571", "0.857143"], ["0.85", "0.8"]),
    ("\\sqrt{3}", ["1.732", "1.7321"], ["1.73205 + 1", "1.7"]),
    ("\\frac{1}{3}", ["0.3333", "0.33333"], ["0.3", "0.34"]),
    ("\\pi", ["3.1416", "3.14159"], ["3.1", "3.2"]),
    ("\\frac{2\\sqrt{2}}{3}", ["0.9428"], ["0.94", "0.95"]),
    ("e^2", ["7.389"], ["7.3", "7.4"]),
]
_MATRIX_GOLD = "\\begin{pmatrix}-6\\\\6\\end{pmatrix}"
_MATRIX_RIGHT = [
    "\\begin{pmatrix}\n-6 \\\\\n6\n\\end{pmatrix}",
    "\\begin{pmatrix} -6 \\\\ 6 \\end{pmatrix}",
    "\\begin{bmatrix}\n  -6 \\\\\n  6\n\\end{bmatrix}",
    "(-6, 6)",
]
_MATRIX_WRONG = [
    "\\begin{pmatrix}\n6 \\\\\n-6\n\\end{pmatrix}",
    "\\begin{pmatrix}-6 & 6\\end{pmatrix}x",
]

_REASON = [
    "Natalia sold 48 clips in April and half as many in May, 48/2 = 24.",
    "Let the number be $x$. Then $3x + 5 = 2x + 9$, so we simplify step by step.",
    "We compute each part separately and add the results together.",
    "First note that the expression is symmetric, so we may assume $a \\le b$.",
]


def _gsm8k(ans: str, k: int) -> str:
    return f"{_REASON[k % 4]}\nSo the total is {ans}.\n#### {ans}"


def _answer_is(ans: str, k: int) -> str:
    return f"{_REASON[k % 4]} The answer is {ans}."


def _qa_line(ans: str, k: int) -> str:
    return f"Q: How many are there in all?\nA: {_REASON[k % 4]}\nA: {ans}"


def _boxed(ans: str, k: int) -> str:
    return f"{_REASON[k % 4]}\nTherefore the answer is $\\boxed{{{ans}}}$."


def _minerva(ans: str, k: int) -> str:
    return f"{_REASON[k % 4]}\n\nFinal Answer: The final answer is ${ans}$. I hope it is correct."


def _prm800k(ans: str, k: int) -> str:
    return f"{_REASON[k % 4]}\n\nSo the value is ${ans}$ after all.\n\n# Answer\n\n{ans}"


def _bold(ans: str, k: int) -> str:
    return f"{_REASON[k % 4]}\n\n**Answer:** ${ans}$"


def _bold_heading(ans: str, k: int) -> str:
    return f"{_REASON[k % 4]}\n\n### Final Answer\n\n$$\n{ans}\n$$"


def _code_output(ans: str, k: int) -> str:
    return (
        f"{_REASON[k % 4]}\n```python\nresult = compute()\nprint(result)\n```\n"
        f"```output\n{ans}\n```"
    )


def _code_value(ans: str, k: int) -> str:
    return f"```python\nprint(solve())\n```\n```output\n{ans}\n```\nThe result is\n${ans}$"


def _think_boxed(ans: str, k: int) -> str:
    return f"<think>\n{_REASON[k % 4]} Hmm, maybe 5? No.\n</think>\n\nThe answer is $\\boxed{{{ans}}}$."


def _last_line_prose(ans: str, k: int) -> str:
    """No final-answer marker at all: only `extract: last` reads the closing line's value."""
    return f"{_REASON[k % 4]}\nAdding these up, she ends with {ans} of them in all"


_MARKED = [
    ("gsm8k", _gsm8k),
    ("answer is", _answer_is),
    ("qa line", _qa_line),
    ("boxed", _boxed),
    ("minerva", _minerva),
    ("prm800k", _prm800k),
    ("bold", _bold),
    ("bold heading", _bold_heading),
    ("code output", _code_output),
    ("code value", _code_value),
    ("think boxed", _think_boxed),
]
#: Styles where the answer is plain text, not math: only plain numbers fit them.
_PLAIN_ONLY = {"gsm8k", "qa line", "code output"}


def _plain(ans: str) -> bool:
    return all(ch.isdigit() or ch in ",.-/" for ch in ans)


def _build() -> list[RealCase]:
    out: list[RealCase] = []
    k = 0
    for gold, rights, wrongs in _NUMERIC:
        for name, style in _MARKED:
            for ans, label in [(a, True) for a in rights] + [(a, False) for a in wrongs]:
                k += 1
                if name in _PLAIN_ONLY and not _plain(ans):
                    continue
                if k % 3 and name not in ("gsm8k", "minerva", "prm800k", "qa line"):
                    continue  # a sample of the styles for each spelling keeps the table small
                out.append((name, style(ans, k), gold, label, "final"))
    for gold, rights, wrongs in _APPROX:
        for i, (_name, style) in enumerate(_MARKED):
            for ans, label in [(a, True) for a in rights] + [(a, False) for a in wrongs]:
                if (i + len(ans)) % 3:
                    continue
                out.append(
                    ("approximation", style(ans, i), gold, label, "tol" if label else "final")
                )
    for i, (ans, gold) in enumerate(
        [("72", "72"), ("6/7", "\\frac{6}{7}"), ("-0.5", "-\\frac12"), ("1,250", "1250")]
    ):
        out.append(("last line", _last_line_prose(ans, i), gold, True, "last"))
        out.append(("last line", _last_line_prose("13", i), gold, False, "final"))
        # A number that was right mid-way, then a different final value: the last one counts.
        mid = f"At first I got {ans}, but that double counts. The answer is 13."
        out.append(("last line", mid, gold, False, "final"))
    for i, ans in enumerate(_MATRIX_RIGHT):
        out.append(("matrix lines", _boxed(ans, i), _MATRIX_GOLD, True, "final"))
        out.append(("matrix lines", _minerva(ans, i), _MATRIX_GOLD, True, "final"))
    for i, ans in enumerate(_MATRIX_WRONG):
        out.append(("matrix lines", _boxed(ans, i), _MATRIX_GOLD, False, "final"))
        out.append(("matrix lines", _bold_heading(ans, i), _MATRIX_GOLD, False, "final"))
    out += [
        # A choice letter with its value, for a gold that is the value.
        ("choice value", _boxed("(b) -\\frac{1}{2}", 0), "-0.5", True, "final"),
        ("choice value", _minerva("\\text{(C) } 12", 1), "12", True, "final"),
        ("choice value", _answer_is("(B) $\\frac{3}{4}$", 2), "0.75", True, "final"),
        ("choice value", _boxed("(b) -\\frac{1}{2}", 3), "0.5", False, "final"),
        ("choice value", _boxed("(a) 5, (b) 6", 0), "5", False, "final"),
        ("choice value", _boxed("\\textbf{(D) }18", 1), "18", True, "final"),
        # An equation of the asked variable against its value.
        ("one variable", _boxed("h = 7", 0), "7", True, "final"),
        ("one variable", _minerva("x=-\\frac{3}{2}", 1), "-\\frac32", True, "final"),
        ("one variable", _boxed("(h, b) = (7, -4)", 2), "7", False, "final"),
        ("one variable", _boxed("h = 8", 3), "7", False, "final"),
        ("one variable", _answer_is("$a = 2, b = 7$", 0), "7", False, "final"),
        ("one variable", _bold("n = 12", 1), "12", True, "final"),
        # A program's printed exact value, as sympy and `fractions` print it.
        ("code output", _code_output("sqrt(3)/2", 0), "\\frac{\\sqrt{3}}{2}", True, "final"),
        ("code output", _code_output("pi/4", 1), "\\frac{\\pi}{4}", True, "final"),
        ("code output", _code_output("Matrix([[-6], [6]])", 2), _MATRIX_GOLD, True, "final"),
        ("code output", _code_output("Fraction(3, 8)", 3), "0.375", True, "final"),
        ("code output", _code_output("sqrt(2)/2", 0), "\\frac{\\sqrt{3}}{2}", False, "final"),
        ("code output", _code_output("0.8571428571428571", 1), "\\frac67", True, "tol"),
        # A few-shot turn the model went on to write is not its answer.
        (
            "next turn",
            "So 24 + 48 = 72.\n#### 72\n\nQuestion: Tom has 5 apples...\n#### 5",
            "72",
            True,
            "final",
        ),
        (
            "next turn",
            "The answer is 71.\n\nQ: What is 2+3?\nA: The answer is 72.",
            "72",
            False,
            "final",
        ),
        (
            "next turn",
            "Hence $x=3$.\n\nProblem:\nFind $y$.\n\nSolution: $\\boxed{3}$",
            "4",
            False,
            "final",
        ),
        # Truncated or answerless outputs are wrong for every grader.
        ("no answer", "Let me think. First we compute 48/2 = 24. Then", "72", False, "final"),
        ("no answer", "<think>We need 6/7 of the total, which is", "\\frac{6}{7}", False, "final"),
        ("no answer", "```python\nprint(6/7)\n```", "\\frac{6}{7}", False, "final"),
    ]
    return out


REAL: list[RealCase] = _build()
