"""Text analysis for search: Thai word segmentation, English lowercasing and stemming.

Thai is written without spaces between words, and its vowel and tone marks are not
``\\w`` characters, so Whoosh's regex tokenizers cut Thai into meaningless pieces. Here
text is first split into *runs*: Thai runs go through the dictionary word segmenter
(``shop.thai.segmenter``), and other runs of letters and digits become one token
each. The same analyzers serve indexing, queries and highlighting, so a word is cut
the same way everywhere.

Whoosh pickles the schema, analyzers included, into the index: every class here must
stay importable under this module path.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache

from whoosh.analysis import Token, Tokenizer
from whoosh.lang.porter import stem as porter_stem

from shop.thai import THAI_CHARACTER, segmenter

# A Thai run (consonants, vowels, tone marks, Thai digits), or a run of other letters
# and digits. Thai characters are excluded from the second branch so "abcกาแฟ" splits.
_RUN_RE = re.compile(r"[\u0E01-\u0E3A\u0E40-\u0E4E\u0E50-\u0E59]+|[^\W_\u0E00-\u0E7F]+")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# Full-width ASCII (what some phone keyboards type) to ASCII.
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
# Repetition and abbreviation marks are not words.
_NOT_WORDS = frozenset({"ๆ", "ฯ"})

ENGLISH_STOP_WORDS = frozenset(
    "a an and are as at be by for from in into is it of on or the this to with".split()
)


def normalize_text(text: str) -> str:
    """Canonical form before tokenizing: NFC, no zero-width characters, ASCII for
    full-width Latin. (Not NFKC: it would split Thai SARA AM into two characters.)"""
    text = unicodedata.normalize("NFC", text)
    return text.translate(_ZERO_WIDTH).translate(_FULLWIDTH)


@lru_cache(maxsize=4096)
def _segment_run(run: str) -> tuple[str, ...]:
    return tuple(segmenter()(run))


def split_words(text: str) -> Iterator[tuple[str, int, int]]:
    """``(word, start, end)`` for each word of ``text``; offsets index ``text``."""
    for match in _RUN_RE.finditer(text):
        run = match.group(0)
        start = match.start()
        if THAI_CHARACTER.match(run):
            pieces = _segment_run(run) if len(run) <= 64 else tuple(segmenter()(run))
            offset = start
            for piece in pieces:
                end = offset + len(piece)
                word = piece.strip()
                if word and word not in _NOT_WORDS:
                    yield word, offset, end
                offset = end
        else:
            yield run, start, match.end()


class ThaiEnglishAnalyzer(Tokenizer):
    """Tokens for Thai (segmented by dictionary) and other scripts (letter runs),
    lower-cased, without English stop words, and (``stem=True``) with English words
    Porter-stemmed. One generator instead of a tokenizer and three filters: indexing
    100,000 products spends most of its time here, once per token."""

    def __init__(self, stem: bool = True, remove_stops: bool = True):
        self.stem = stem
        self.remove_stops = remove_stops

    def __eq__(self, other):
        return (other is not None and self.__class__ is other.__class__
                and self.stem == other.stem and self.remove_stops == other.remove_stops)

    def __hash__(self):
        return hash((self.__class__.__name__, self.stem, self.remove_stops))

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        value = normalize_text(value)
        if not tokenize:
            token.original = token.text = value.lower()
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = start_pos
            if chars:
                token.startchar = start_char
                token.endchar = start_char + len(value)
            yield token
            return
        stops = ENGLISH_STOP_WORDS if self.remove_stops else ()
        stem = self.stem
        for pos, (word, start, end) in enumerate(split_words(value)):
            text = word.lower()
            if text in stops:
                continue
            if stem and _ASCII_WORD.match(text):
                text = stem_english(text)
            token.text = text
            token.boost = 1.0
            token.stopped = False
            if keeporiginal:
                token.original = word
            if positions:
                token.pos = start_pos + pos
            if chars:
                token.startchar = start_char + start
                token.endchar = start_char + end
            yield token


@lru_cache(maxsize=50000)
def stem_english(word: str) -> str:
    return porter_stem(word)


_ASCII_WORD = re.compile(r"^[a-z]{3,}$")


def text_analyzer() -> ThaiEnglishAnalyzer:
    """For searchable text: segmented, lower-cased, English stop words out, stemmed."""
    return ThaiEnglishAnalyzer(stem=True, remove_stops=True)


def word_analyzer() -> ThaiEnglishAnalyzer:
    """For the spelling and type-ahead lexicon: segmented and lower-cased, not stemmed."""
    return ThaiEnglishAnalyzer(stem=False, remove_stops=False)


@lru_cache(maxsize=20000)
def term_spans(text: str) -> tuple[tuple[str, int, int], ...]:
    """``(term, start, end)`` for each indexed term of ``text`` (already normalised),
    exactly as the text analyzer makes them; memoised, because the same product names
    are highlighted again and again."""
    out = []
    for word, start, end in split_words(text):
        term = word.lower()
        if term in ENGLISH_STOP_WORDS:
            continue
        if _ASCII_WORD.match(term):
            term = stem_english(term)
        out.append((term, start, end))
    return tuple(out)


def analyze(text: str, analyzer: ThaiEnglishAnalyzer | None = None) -> list[str]:
    """The token texts ``analyzer`` (default: the text analyzer) makes of ``text``."""
    analyzer = analyzer or _TEXT
    return [t.text for t in analyzer(text, mode="query")]


_TEXT = text_analyzer()
_WORDS = word_analyzer()


def analyze_words(text: str) -> list[str]:
    return [t.text for t in _WORDS(text, mode="query")]
