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
from collections import Counter
from collections.abc import Iterator
from functools import lru_cache
from itertools import chain

from whoosh.analysis import Token, Tokenizer
from whoosh.lang.porter import stem as porter_stem

from shop.thai import THAI_CHARACTER, segmenter

# A Thai run (consonants, vowels, tone marks, Thai digits), or a run of other letters
# and digits. Thai characters are excluded from the second branch so "abcกาแฟ" splits.
_RUN_RE = re.compile(r"[\u0E01-\u0E3A\u0E40-\u0E4E\u0E50-\u0E59]+|[^\W_\u0E00-\u0E7F]+")
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
# Full-width ASCII (what some phone keyboards type) to ASCII.
_FULLWIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_NEEDS_TRANSLATION = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad\uff01-\uff5e]")
# Repetition and abbreviation marks are not words.
_NOT_WORDS = frozenset({"ๆ", "ฯ"})

ENGLISH_STOP_WORDS = frozenset(
    "a an and are as at be by for from in into is it of on or the this to with".split()
)


def normalize_text(text: str) -> str:
    """Canonical form before tokenizing: NFC, no zero-width characters, ASCII for
    full-width Latin. (Not NFKC: it would split Thai SARA AM into two characters.)"""
    text = unicodedata.normalize("NFC", text)
    # str.translate with a dict costs a dictionary lookup per character: only pay it
    # when there is something to translate (descriptions almost never have any).
    if _NEEDS_TRANSLATION.search(text) is None:
        return text
    return text.translate(_ZERO_WIDTH).translate(_FULLWIDTH)


@lru_cache(maxsize=4096)
def _segment_run(run: str) -> tuple[str, ...]:
    return _join_unknown(tuple(segmenter()(run)))


def _join_unknown(pieces: tuple[str, ...]) -> tuple[str, ...]:
    """Glue the fragments of a word the dictionary does not know (a loanword such as
    ดริป, a typo such as เคม) back together: the segmenter cuts it into letters and
    short syllables (ด + ริ + ป), and such a fragment must never match another
    product's fragment. A piece that is not a dictionary word joins a short (one- or
    two-letter) or unknown neighbour; real words of three letters or more stay apart."""
    words = thai_dictionary()

    def weak(piece: str) -> bool:
        return len(piece) <= 2 or piece not in words

    out: list[str] = []
    glue_next = False
    for piece in pieces:
        thai = THAI_CHARACTER.match(piece) is not None and piece.strip() == piece and piece not in _NOT_WORDS
        unknown = thai and piece not in words
        if out and thai and THAI_CHARACTER.match(out[-1]) and out[-1] not in _NOT_WORDS and (
                glue_next and (weak(piece) or len(out[-1]) == 1)
                or unknown and (weak(out[-1]) or len(piece) == 1)):
            out[-1] += piece
            glue_next = False
            continue
        out.append(piece)
        glue_next = unknown
    return tuple(out)


def split_words(text: str) -> Iterator[tuple[str, int, int]]:
    """``(word, start, end)`` for each word of ``text``; offsets index ``text``."""
    for match in _RUN_RE.finditer(text):
        run = match.group(0)
        start = match.start()
        if THAI_CHARACTER.match(run):
            pieces = _segment_run(run) if len(run) <= 64 else _join_unknown(tuple(segmenter()(run)))
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

    def index_counts(self, value: str) -> dict[str, int]:
        """``{term: frequency}`` of ``value`` for indexing: the same terms as the
        tokens of ``mode="index"``, counted without a token per word (the bulk writer's
        path, see ``shop.search.bulk``)."""
        if len(value) <= _MEMO_CHARS:
            return _short_value_counts(value, self.stem, self.remove_stops)
        return _value_counts(value, self.stem, self.remove_stops)


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


# --- indexing: words and terms per run, memoised -----------------------------------------
#
# The analyzers above make a Token per word. The bulk writer asks for a field's terms
# and frequencies instead, memoised per run of text: a run's words never depend on
# what surrounds it (the runs are what the segmenter sees), and category, enterprise
# and place names, tags and the stock phrases of descriptions repeat across thousands
# of products.


#: Runs and lines up to this length are memoised (longer ones are rare and unique).
_MEMO_CHARS = 160


def run_words(run: str) -> tuple[str, ...]:
    """The words of one run (a match of ``_RUN_RE``), as ``split_words`` yields them."""
    return _run_words(run) if len(run) <= _MEMO_CHARS else _run_words.__wrapped__(run)


@lru_cache(maxsize=32768)
def _run_words(run: str) -> tuple[str, ...]:
    if THAI_CHARACTER.match(run):
        pieces = _segment_run(run) if len(run) <= 64 else _join_unknown(tuple(segmenter()(run)))
        return tuple(word for word in (piece.strip() for piece in pieces) if word and word not in _NOT_WORDS)
    return (run,)


@lru_cache(maxsize=65536)
def _run_terms(run: str, stem: bool, remove_stops: bool) -> tuple[str, ...]:
    stops = ENGLISH_STOP_WORDS if remove_stops else ()
    out = []
    for word in run_words(run):
        text = word.lower()
        if text in stops:
            continue
        if stem and _ASCII_WORD.match(text):
            text = stem_english(text)
        out.append(text)
    return tuple(out)


# The parts of compounds and the roman keys are memoised per line: a value is lines
# joined with "\n" (names, tags ...), no run crosses a line break and NFC leaves one
# alone, so a value's texts are its lines' texts, and the same lines recur (a product's
# names in both fields, tags across products).


def _memo_line(function):
    cached = lru_cache(maxsize=32768)(function)

    def per_line(line: str, *args):
        return cached(line, *args) if len(line) <= _MEMO_CHARS else function(line, *args)

    per_line.cache_clear = cached.cache_clear
    return per_line


def _value_counts(value: str, stem: bool, remove_stops: bool) -> dict[str, int]:
    return Counter(chain.from_iterable(
        _run_terms(run, stem, remove_stops) for run in _RUN_RE.findall(normalize_text(value))))


# Category, enterprise, place and certification names repeat across thousands of
# products: their counts are memoised whole (callers never change them).
_short_value_counts = lru_cache(maxsize=8192)(_value_counts)


def _line_thai_words(line: str) -> Iterator[str]:
    """The Thai words of a line (its other runs are one word each, never Thai)."""
    for run in _RUN_RE.findall(normalize_text(line)):
        if THAI_CHARACTER.match(run):
            yield from run_words(run)


@_memo_line
def _line_compound_texts(line: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(chain.from_iterable(map(compound_texts, _line_thai_words(line)))))


@_memo_line
def _line_roman_keys(line: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(chain.from_iterable(map(thai_roman_keys, _line_thai_words(line)))))


def analyze(text: str, analyzer: ThaiEnglishAnalyzer | None = None) -> list[str]:
    """The token texts ``analyzer`` (default: the text analyzer) makes of ``text``."""
    analyzer = analyzer or _TEXT
    return [t.text for t in analyzer(text, mode="query")]


_TEXT = text_analyzer()
_WORDS = word_analyzer()


def analyze_words(text: str) -> list[str]:
    return [t.text for t in _WORDS(text, mode="query")]


# --- parts of compounds, tone-less forms and romanised forms ---------------------------------
#
# Thai compounds (ผ้าซิ่นตีนจก, น้ำพริกหนุ่ม, ผักตบชวา) are one segmenter word, but
# shoppers say a part of them (ตีนจก, ซิ่น, ผักตบ). ``sub_words`` gives the dictionary
# words of every complete dictionary segmentation of a word: a part counts only when the
# rest of the word is made of dictionary words too, so ขาวม้า gives ขาว and ม้า but
# never ขา (the rest, วม้า, is not words). These parts go into the ``sub`` field.
#
# Shoppers also type Thai without tone marks (ไสอัว for ไส้อั่ว) and in Latin letters
# (som tam, somtum, khao soi, khaosoi). ``fold_thai`` drops tone marks and the
# shortening mark and reads ำ as า; ``roman_key`` reduces a Latin spelling to a
# skeleton that RTGS and the informal spellings of menus and shop signs share:
# aspiration (ph, th, kh), ch/j, final b/d/g/l/r, every vowel run as one V.

_TONE_MARKS = dict.fromkeys(map(ord, "\u0e48\u0e49\u0e4a\u0e4b\u0e47\u0e4c"), None)
_SARA_AM = str.maketrans({"\u0e33": "\u0e32"})
MIN_SUB_WORD = 2  # characters; one-letter "words" are never parts


def fold_thai(word: str) -> str:
    """The tone-less spelling of a Thai word: no tone marks, no ็ or ์, ำ read as า."""
    return word.translate(_TONE_MARKS).translate(_SARA_AM)


@lru_cache(maxsize=1)
def thai_dictionary() -> frozenset[str]:
    """The segmenter's own word list (PyThaiNLP's bundled ``words_th.txt``)."""
    from pythainlp.corpus import thai_words

    return frozenset(thai_words())


@lru_cache(maxsize=50000)
def sub_words(word: str) -> tuple[str, ...]:
    """Dictionary words that make up ``word`` in some complete segmentation, shortest
    segmentation first, without ``word`` itself (``ผ้าซิ่นตีนจก`` → ผ้า, ซิ่น, ตีน, จก,
    ผ้าซิ่น, ตีนจก ...). Empty for a word that has no such split."""
    n = len(word)
    if n < 2 * MIN_SUB_WORD or n > 40:
        return ()
    words = thai_dictionary()
    # reach[i]: word[:i] splits into dictionary words; back[j]: word[j:] does.
    reach = [False] * (n + 1)
    reach[0] = True
    spans = []
    for i in range(n):
        if not reach[i]:
            continue
        for j in range(i + MIN_SUB_WORD, n + 1):
            if word[i:j] in words:
                reach[j] = True
                spans.append((i, j))
    if not reach[n]:
        return ()
    back = [False] * (n + 1)
    back[n] = True
    for i, j in sorted(spans, key=lambda s: -s[0]):
        if back[j]:
            back[i] = True
    out = [word[i:j] for i, j in spans if back[j] and (i, j) != (0, n)]
    return tuple(dict.fromkeys(out))


def best_split(word: str) -> tuple[str, ...]:
    """The fewest dictionary words that make up ``word`` (itself when it has no split)."""
    parts = set(sub_words(word))
    if not parts:
        return (word,)
    n = len(word)
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[0] = ()
    for i in range(n):
        if best[i] is None:
            continue
        for j in range(i + MIN_SUB_WORD, n + 1):
            piece = word[i:j]
            if piece in parts:
                candidate = best[i] + (piece,)
                if best[j] is None or len(candidate) < len(best[j]):
                    best[j] = candidate
    return best[n] or (word,)


_ROMAN_RULES = (
    (re.compile(r"[^a-z]"), ""),
    (re.compile(r"(.)\1+"), r"\1"),  # doubled letters (noom, honney)
    (re.compile(r"(?<=[a-z]{3})e$"), ""),  # silent final e (jone)
    (re.compile(r"sh|ch|j"), "c"),
    (re.compile(r"ph"), "p"),
    (re.compile(r"th"), "t"),
    (re.compile(r"kh|q|x|c(?=k)"), "k"),
    (re.compile(r"(?<!n)g"), "k"),
    (re.compile(r"v"), "w"),
    (re.compile(r"z"), "s"),
    (re.compile(r"(?<=[aeiou])[wy]"), "a"),  # vowel glides (neaw, khao, sai/say)
    (re.compile(r"[aeiou]+"), "V"),
    (re.compile(r"b(?=$|[^V])"), "p"),  # final consonants as RTGS writes them
    (re.compile(r"d(?=$|[^V])"), "t"),
    (re.compile(r"[lr](?=$)"), "n"),
    (re.compile(r"h(?!V)"), ""),
    (re.compile(r"(.)\1+"), r"\1"),
)


@lru_cache(maxsize=50000)
def roman_key(text: str) -> str:
    """The spelling-independent key of a Latin word (``somtum`` and ``som tam`` joined
    both give ``sVmtVm``); empty when nothing is left."""
    key = text.lower()
    for pattern, replacement in _ROMAN_RULES:
        key = pattern.sub(replacement, key)
    return key


# Silent ห before a low consonant (หมู, แหนม, เหนียว) confuses the romaniser.
_LEADING_HO = re.compile(r"^([เแโใไ]?)ห(?=[งญนมยรลว])")


@lru_cache(maxsize=50000)
def romanize_thai(word: str) -> str:
    """RTGS of one Thai dictionary word (PyThaiNLP's rule-based ``royin``, offline).
    The word is already segmented, so royin's per-word rule is called directly: its
    public ``romanize`` segments again with ``newmm``, whose Python trie costs seconds
    to build."""
    return _royin()(_LEADING_HO.sub(r"\1", word))


@lru_cache(maxsize=1)
def _royin():
    from pythainlp.transliterate import royin

    rule = getattr(royin, "_romanize", None) or royin.romanize

    def safe(word: str) -> str:
        try:
            return rule(word)
        except Exception:  # pragma: no cover - a word the romaniser cannot read
            return ""

    return safe


@lru_cache(maxsize=50000)
def thai_roman_keys(word: str) -> tuple[str, ...]:
    """Roman keys of a Thai word: of each part of its best split, and of the parts
    joined (what a shopper typing ``somtum`` or ``som tam`` reaches)."""
    pieces = best_split(word)
    romans = [romanize_thai(p) for p in pieces]
    keys = [roman_key(r) for r in romans]
    keys.append(roman_key("".join(romans)))
    return tuple(k for k in dict.fromkeys(keys) if len(k) >= 2)


def warm_analysis() -> None:
    """Load the word list and the romaniser now (≈ 0.5 s) rather than in the first drain."""
    thai_dictionary()
    romanize_thai("กา")


class CompoundAnalyzer(Tokenizer):
    """For the ``sub`` field: the dictionary parts of each Thai word, plus the tone-less
    spelling of every Thai word and part (``mode="query"`` gives the plain words). A
    tone-less query the segmenter cuts into real words (ผา ไหม) matches here; one it
    cuts into junk is corrected through the ``spell`` words (``query.fold_segment``)."""

    def __eq__(self, other):
        return other is not None and self.__class__ is other.__class__

    def __hash__(self):
        return hash(self.__class__.__name__)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        seen: set[str] = set()
        for word, _start, _end in split_words(normalize_text(value)):
            if mode == "query":
                texts = [word.lower()]
            elif is_thai_word(word):
                texts = [*sub_words(word)]
                texts += [fold_thai(t) for t in (word, *texts)]
            else:
                continue
            for text in texts:
                if text in seen:
                    continue
                seen.add(text)
                token.text = text
                token.boost = 1.0
                token.stopped = False
                yield token

    def index_counts(self, value: str) -> dict[str, int]:
        """``{text: 1}`` for each text ``mode="index"`` yields (each once)."""
        return dict.fromkeys(chain.from_iterable(map(_line_compound_texts, value.split("\n"))), 1)


@lru_cache(maxsize=50000)
def compound_texts(word: str) -> tuple[str, ...]:
    """What the ``sub`` field indexes for one Thai word: its dictionary parts, and the
    tone-less spelling of the word and of each part."""
    parts = sub_words(word)
    return (*parts, *(fold_thai(text) for text in (word, *parts)))


class RomanAnalyzer(Tokenizer):
    """For the ``roman`` field: the roman keys of every Thai word (``mode="query"``:
    the key of each Latin word as typed)."""

    def __eq__(self, other):
        return other is not None and self.__class__ is other.__class__

    def __hash__(self):
        return hash(self.__class__.__name__)

    def __call__(self, value, positions=False, chars=False, keeporiginal=False, removestops=True,
                 start_pos=0, start_char=0, tokenize=True, mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        seen: set[str] = set()
        for word, _start, _end in split_words(normalize_text(value)):
            if mode == "query":
                keys: tuple[str, ...] = () if is_thai_word(word) else (roman_key(word),)
            elif is_thai_word(word):
                keys = thai_roman_keys(word)
            else:
                continue
            for key in keys:
                if key and key not in seen:
                    seen.add(key)
                    token.text = key
                    token.boost = 1.0
                    token.stopped = False
                    yield token

    def index_counts(self, value: str) -> dict[str, int]:
        """``{key: 1}`` for each key ``mode="index"`` yields (each once)."""
        return dict.fromkeys(chain.from_iterable(map(_line_roman_keys, value.split("\n"))), 1)


def is_thai_word(word: str) -> bool:
    return bool(THAI_CHARACTER.match(word))
