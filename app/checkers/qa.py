"""The `qa` check: short-answer QA scored as SQuAD scores it.

The prediction is the answer part's final answer (after `</think>`, inside `<answer>` tags when
there are some): the last `\\boxed{}` or an explicit final-answer phrase ("The answer is ...",
"Final Answer: ..."), found as the math check finds them; failing both, the whole answer part.
LaTeX text wrappers (`\\text{...}`) and `$` are taken off first.

Prediction and golds are compared after SQuAD v1.1's `normalize_answer` (lower case, no
`string.punctuation`, no articles a/an/the as whole words, single spaces); the score is the best
over the golds of the exact match (0/1, `metric: "em"`, the default) or of the token F1
(`metric: "f1"`). `normalize`, `exact_match` and `f1` give the same numbers as the official
evaluation script on the same strings.

All of it is linear-time, so the check runs inline.
"""

from __future__ import annotations

import re
import string
from collections import Counter
from collections.abc import Hashable, Mapping
from typing import Any

from app.checkers.base import Score, Status
from app.checkers.math.extract import extract
from app.checkers.text import split_reasoning

METRICS = ("em", "f1")
_PUNCTUATION = frozenset(string.punctuation)
_ARTICLES = re.compile(r"\b(a|an|the)\b")
_LATEX_TEXT = re.compile(r"\\(?:text|textbf|textit|textrm|mathrm|mbox|emph)\s*\{([^{}]*)\}")
_TURN_END = re.compile(r"<\|(?:im_end|im_start|endoftext|eot_id|end_of_turn)\|>")


def normalize(text: str) -> str:
    """SQuAD v1.1's `normalize_answer`: lower, drop punctuation, drop articles, fix spaces."""
    text = "".join(ch for ch in text.lower() if ch not in _PUNCTUATION)
    return " ".join(_ARTICLES.sub(" ", text).split())


def exact_match(prediction: str, gold: str) -> bool:
    """SQuAD's exact match of the normalised strings."""
    return normalize(prediction) == normalize(gold)


def f1(prediction: str, gold: str) -> float:
    """SQuAD's token F1 of the normalised strings (0 when they share no token)."""
    pred, ref = normalize(prediction).split(), normalize(gold).split()
    same = sum((Counter(pred) & Counter(ref)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred), same / len(ref)
    return 2 * precision * recall / (precision + recall)


def _unwrap(text: str) -> str:
    for _ in range(4):  # nested wrappers (\textbf{\text{x}}) unwrap one level per pass
        new = _LATEX_TEXT.sub(r"\1", text)
        if new == text:
            break
        text = new
    return text.replace("$", " ").strip()


def extract_prediction(completion: str) -> str | None:
    """The prediction to score (see the module docstring); None when the answer part is
    empty (a truncated reasoning, or nothing after `</think>`)."""
    ex = extract(completion)
    if ex.answer is not None and ex.source in ("boxed", "phrase"):
        return _unwrap(ex.answer)
    part = split_reasoning(completion).answer
    turn = _TURN_END.search(part)
    if turn:
        part = part[: turn.start()]
    part = part.replace("<answer>", " ").replace("</answer>", " ")
    part = _unwrap(part)
    return part or None


def dedup_key(completion: str, params: Mapping[str, Any]) -> Hashable:
    """The score depends on the prediction, the golds and the metric only."""
    golds = params.get("golds")
    return (
        extract_prediction(completion),
        tuple(golds) if isinstance(golds, list | tuple) else repr(golds),
        params.get("metric"),
    )


def check(completion: str, params: Mapping[str, Any]) -> Score:
    """Best exact match (`metric: "em"`, default) or token F1 (`"f1"`) of the prediction
    over `params["golds"]`; `correct` when the best exact match is 1, `wrong` otherwise,
    `no_answer` without a prediction, `invalid` for empty golds or an unknown metric."""
    golds = params.get("golds")
    metric = params.get("metric") or "em"
    if metric not in METRICS:
        return Score.invalid(f"metric must be one of {', '.join(METRICS)}, got {metric!r}")
    if not isinstance(golds, list | tuple) or not golds:
        return Score.invalid("golds is empty: give at least one reference answer")
    if not all(isinstance(g, str) for g in golds):
        return Score.invalid("golds must be strings")
    if not any(g.strip() for g in golds):
        return Score.invalid("every gold answer is blank")
    prediction = extract_prediction(completion)
    if prediction is None:
        return Score(0.0, Status.NO_ANSWER, {"extracted": None})
    best_em = max(exact_match(prediction, g) for g in golds)
    best_f1 = max(f1(prediction, g) for g in golds)
    value = float(best_em) if metric == "em" else best_f1
    return Score(
        round(value, 6),
        Status.CORRECT if best_em else Status.WRONG,
        {"extracted": prediction[:300], "em": float(best_em), "f1": round(best_f1, 6)},
    )
