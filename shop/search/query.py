"""From what a shopper typed to a safe query plan.

Shoppers never write Whoosh syntax: the text is cleaned (control characters out,
length bounded), cut into words by the same analyzer as the index, and every word is
looked up as plain text. ``status:draft``, ``*``, ``~2`` or ``((`` are just characters
that produce no word or an ordinary word; there are no field prefixes, wildcards or
fuzzy terms to abuse. Prefix expansion (type-ahead) and spelling correction are
bounded here, not by the user.

A plan is a list of *slots*, one per query word (or synonym phrase). A slot holds the
alternatives that satisfy it: the word itself and its synonyms in the other language,
each a tuple of analyzed tokens ("brown rice" -> ("brown", "rice")). Results must
match every slot (AND); when nothing does, the search falls back to any slot (OR).
"""

from __future__ import annotations

import csv
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from whoosh import query as wq

from shop.search.analysis import analyze, best_split, fold_thai, normalize_text, roman_key, term_spans, word_analyzer
from shop.search.schema import TEXT_FIELDS
from shop.text import drop_controls
from shop.thai import is_thai

MAX_QUERY_CHARS = 200  # longer queries are cut (a product name is shorter than this)
MAX_RAW_QUERY_CHARS = 2000  # longer than this is refused with a 400
MAX_SLOTS = 12  # words beyond this are ignored
MAX_ALTERNATIVES = 12  # synonyms per slot

SYNONYMS_FILE = Path(__file__).with_name("lexicon.csv")

Alternative = tuple[str, ...]


#: Marks a token looked up in the ``roman`` field only (analyzed words never contain it).
ROMAN = "~"

#: Words of natural phrases ("I'd like a really good ...", อยากได้ ... แท้ ๆ): optional,
#: they add to the score when a product has them but never filter.
FILLER_WORDS = frozenset("""
อยาก ได้ อยากได้ แท้ แท้ๆ อร่อย อร่อยๆ จาก ขอ หา ซื้อ หาซื้อ ต้องการ มี ไหม มั้ย ดี ดีๆ สวย สวยๆ ของ ค่ะ คะ ครับ
หน่อย บ้าง ที่ จ้า นะ เอา แบบ อัน ชิ้น ราคา ถูก ถูกๆ ส่ง ฟรี เจ้า ร้าน ขาย สุด ที่สุด มาก เยอะ ใช้ ๆ
i id d want would like best really good nice some cheap please authentic need buy looking real genuine me my
great quality any do you have sell where can get shop online delicious tasty original lovely beautiful
""".split())


@dataclass(frozen=True)
class Slot:
    alternatives: tuple[Alternative, ...]
    optional: bool = False  # a filler word, a number or a place: scores, never filters

    @property
    def tokens(self) -> set[str]:
        return {t for alt in self.alternatives for t in alt}


@dataclass(frozen=True)
class QueryPlan:
    text: str  # the cleaned query text
    slots: tuple[Slot, ...]
    truncated: bool = False

    @property
    def is_empty(self) -> bool:
        return not self.slots

    def all_tokens(self) -> set[str]:
        return {t for slot in self.slots for t in slot.tokens if not t.startswith(ROMAN)}

    def without_roman(self, keep) -> QueryPlan:
        """The plan without the romanised alternative of slots whose word ``keep(slot)``
        says is an ordinary known word ("tea" is English, not a Thai word spelt out)."""
        slots = []
        for slot in self.slots:
            if not keep(slot):
                alternatives = tuple(a for a in slot.alternatives if not a[0].startswith(ROMAN)) or slot.alternatives
                slot = Slot(alternatives, slot.optional)
            slots.append(slot)
        return QueryPlan(self.text, tuple(slots), self.truncated)

    def with_optional(self, indexes) -> QueryPlan:
        slots = tuple(Slot(s.alternatives, True) if i in indexes else s for i, s in enumerate(self.slots))
        return QueryPlan(self.text, slots, self.truncated)




def clean_query(raw: str | None) -> tuple[str, bool]:
    """``(text, truncated)``: control characters removed, spaces collapsed, cut to
    ``MAX_QUERY_CHARS`` at a word boundary when possible."""
    if not raw:
        return "", False
    text = normalize_text(raw)
    text = drop_controls(text, " ")
    # Drop unpaired surrogates and private-use characters; keep letters, marks,
    # digits, punctuation and symbols (emoji simply produce no word).
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("Cs", "Co", "Cn"))
    text = " ".join(text.split())
    truncated = len(text) > MAX_QUERY_CHARS
    if truncated:
        cut = text[:MAX_QUERY_CHARS]
        space = cut.rfind(" ")
        text = cut[:space] if space > MAX_QUERY_CHARS // 2 else cut
    return text, truncated


# --- synonyms -----------------------------------------------------------------------


@dataclass(frozen=True)
class SynonymTable:
    groups: tuple[tuple[Alternative, ...], ...]
    lookup: dict[Alternative, int]
    longest: int

    def expand(self, key: Alternative) -> tuple[Alternative, ...] | None:
        index = self.lookup.get(key)
        return None if index is None else self.groups[index]


def load_synonyms(path: Path = SYNONYMS_FILE) -> SynonymTable:
    """Read the CSV; groups that share a term are merged (so the relation is symmetric
    and transitive), and every term is analyzed like query text."""
    raw_groups: list[set[Alternative]] = []
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            if not row or row[0].lstrip().startswith("#"):
                continue
            group = {tuple(analyze(term)) for term in row if term.strip()}
            group.discard(())
            if len(group) > 1:
                raw_groups.append(group)
    merged: list[set[Alternative]] = []
    for group in raw_groups:
        overlapping = [g for g in merged if g & group]
        for g in overlapping:
            group |= g
            merged.remove(g)
        merged.append(group)
    groups = tuple(tuple(sorted(g, key=lambda alt: (len(alt), alt))) for g in merged)
    lookup = {alt: i for i, g in enumerate(groups) for alt in g}
    longest = max((len(alt) for alt in lookup), default=1)
    return SynonymTable(groups, lookup, longest)


@lru_cache(maxsize=1)
def synonyms() -> SynonymTable:
    return load_synonyms()


# --- plans ------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _fillers() -> frozenset[str]:
    return frozenset(t for word in FILLER_WORDS for t in analyze(word)) | FILLER_WORDS


def _roman_alternative(word: str) -> Alternative | None:
    if not word.isascii() or not word.isalpha() or len(word) < 2:
        return None
    key = roman_key(word)
    return (ROMAN + key,) if len(key) >= 2 else None


def _compound_alternatives(token: str, table: SynonymTable) -> tuple[Alternative, ...]:
    """Synonyms of the parts of a compound query word (ผ้าถุง → parts ผ้า + ถุง have no
    synonyms, but น้ำผึ้งป่า → น้ำผึ้ง has): the word matches through a part's synonym
    together with the other parts."""
    if not is_thai(token):
        return ()
    out: list[Alternative] = []
    parts = best_split(token)
    if len(parts) < 2:
        return ()
    for k, part in enumerate(parts):
        group = table.expand((part,))
        if group is None:
            continue
        rest = tuple(p for j, p in enumerate(parts) if j != k)
        for alt in group:
            if alt != (part,):
                out.append(alt + rest)
    return tuple(out)


def build_plan(raw: str | None, table: SynonymTable | None = None) -> QueryPlan:
    text, truncated = clean_query(raw)
    spans = term_spans(text) if text else ()
    tokens = [term for term, _start, _end in spans]
    words = [text[start:end].lower() for _term, start, end in spans]
    table = table or synonyms()
    fillers = _fillers()
    slots: list[Slot] = []
    i = 0
    while i < len(tokens) and len(slots) < MAX_SLOTS:
        for width in range(min(table.longest, len(tokens) - i), 0, -1):
            key = tuple(tokens[i:i + width])
            group = table.expand(key)
            if group is not None:
                alternatives = (key,) + tuple(alt for alt in group if alt != key)
                if width == 1 and (roman := _roman_alternative(words[i])):
                    alternatives += (roman,)
                optional = width == 1 and (key[0] in fillers or words[i] in fillers)
                slots.append(Slot(alternatives[:MAX_ALTERNATIVES + 1], optional=optional))
                i += width
                break
        else:
            token, word = tokens[i], words[i]
            alternatives = ((token,),) + _compound_alternatives(token, table)[:MAX_ALTERNATIVES]
            if roman := _roman_alternative(word):
                alternatives += (roman,)
            optional = token in fillers or word in fillers or token.isdigit()
            slots.append(Slot(alternatives, optional=optional))
            i += 1
    # The same word twice adds nothing but cost.
    unique = tuple(dict.fromkeys(slots))
    return QueryPlan(text=text, slots=unique, truncated=truncated or i < len(tokens))


def _token_query(token: str, fields=TEXT_FIELDS) -> wq.Query:
    return wq.Or([wq.Term(field, token) for field in fields])


def whoosh_query(plan: QueryPlan, *, any_slot: bool = False, fields=TEXT_FIELDS) -> wq.Query:
    """The plan as a Whoosh query (used for BM25F scoring of the matching documents)."""
    slot_queries = []
    for slot in plan.slots:
        alternatives = []
        for alt in slot.alternatives:
            parts = [_token_query(token, fields) for token in alt]
            alternatives.append(parts[0] if len(parts) == 1 else wq.And(parts))
        slot_queries.append(alternatives[0] if len(alternatives) == 1 else wq.Or(alternatives))
    if not slot_queries:
        return wq.NullQuery
    if len(slot_queries) == 1:
        return slot_queries[0]
    return wq.Or(slot_queries) if any_slot else wq.And(slot_queries)


# --- spelling ---------------------------------------------------------------------------

_WORDS = word_analyzer()


def query_words(text: str) -> list[tuple[str, int, int]]:
    """``(word, start, end)`` of each unstemmed, lower-cased word of ``text``."""
    return [(t.text, t.startchar, t.endchar) for t in _WORDS(text, chars=True, mode="query")]


def max_edit_distance(word: str) -> int:
    """Bounded fuzziness: one edit for words up to four letters, two for longer ones
    (Thai words count their vowel and tone marks, so ไข่เคม is six characters)."""
    return 1 if len(word) <= 4 else 2


def fold_segment(run: str, folded_words: dict[str, str], max_len: int = 20) -> str | None:
    """``run`` read as known words after folding tone marks (ไสอัว → ไส้อั่ว, นาผึง →
    น้ำผึ้ง): the fewest pieces of at least two characters, each a tone-less spelling of
    a word of the index (``folded_words`` maps it to the word). None when it cannot."""
    folded = fold_thai(run)
    n = len(folded)
    best: list[tuple[str, ...] | None] = [None] * (n + 1)
    best[0] = ()
    for i in range(n):
        if best[i] is None:
            continue
        for j in range(i + 2, min(n, i + max_len) + 1):
            word = folded_words.get(folded[i:j])
            if word is not None:
                candidate = best[i] + (word,)
                if best[j] is None or len(candidate) < len(best[j]):
                    best[j] = candidate
    return "".join(best[n]) if best[n] else None


@dataclass(frozen=True)
class Correction:
    text: str  # the whole query with misspelt words replaced
    changed: bool


def correct_query(text: str, known, suggest, fold_lookup=None, sound_lookup=None) -> Correction:
    """Replace words that are not in the lexicon by their closest known word.

    ``known(word) -> bool`` and ``suggest(word, maxdist) -> str | None`` come from the
    index (``fold_lookup`` reads a Thai run through tone-less spellings,
    ``sound_lookup`` finds a Latin word with the same roman key). Thai words are tried
    as the whole Thai run first ("กาแฝ" -> "กาแฟ", which
    the segmenter had cut into pieces), then each unknown piece joined with its
    neighbour, then alone.
    """
    words = query_words(text)
    replacements: list[tuple[int, int, str]] = []
    budget = 12  # corrector calls per query
    i = 0
    while i < len(words) and budget > 0:
        word, start, end = words[i]
        if is_thai(word):
            j = i
            while j + 1 < len(words) and is_thai(words[j + 1][0]) and words[j + 1][1] == words[j][2]:
                j += 1
            run = words[i:j + 1]
            i = j + 1
            if all(known(w) for w, _, _ in run):
                continue
            run_text = text[run[0][1]:run[-1][2]]
            budget -= 1
            fixed = fold_lookup(run_text) if fold_lookup else None
            if fixed and fixed != run_text:
                replacements.append((run[0][1], run[-1][2], fixed))
                continue
            fixed = suggest(run_text, max_edit_distance(run_text))
            if fixed:
                replacements.append((run[0][1], run[-1][2], fixed))
                continue
            k = 0
            while k < len(run) and budget > 0:
                piece, p_start, p_end = run[k]
                if known(piece):
                    k += 1
                    continue
                candidates = []
                if k > 0:
                    candidates.append((run[k - 1][1], p_end))
                if k + 1 < len(run):
                    candidates.append((p_start, run[k + 1][2]))
                candidates.append((p_start, p_end))
                for c_start, c_end in candidates:
                    budget -= 1
                    fragment = text[c_start:c_end]
                    if len(fragment) < 2:
                        continue
                    fixed = suggest(fragment, max_edit_distance(fragment))
                    if fixed:
                        replacements = [r for r in replacements if r[1] <= c_start or r[0] >= c_end]
                        replacements.append((c_start, c_end, fixed))
                        break
                k += 1
        else:
            i += 1
            if len(word) < 3 or word.isdigit() or known(word) or word in FILLER_WORDS:
                continue
            budget -= 1
            fixed = suggest(word, max_edit_distance(word))
            if not fixed and sound_lookup is not None:
                # Vowel slips beyond two edits ("mangostine"): the same roman key.
                fixed = sound_lookup(word)
            if fixed:
                replacements.append((start, end, fixed))
    if not replacements:
        return Correction(text, False)
    out, last = [], 0
    for start, end, fixed in sorted(replacements):
        if start < last:
            continue
        out.append(text[last:start])
        out.append(fixed)
        last = end
    out.append(text[last:])
    corrected = "".join(out)
    return Correction(corrected, corrected.lower() != text.lower())
