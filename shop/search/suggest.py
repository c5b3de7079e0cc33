"""Type-ahead: complete the word being typed from the index's lexicon, and name a few
products that match.

Completions come from the ``spell`` field's terms (unstemmed words of names, tags,
categories, enterprises and places), loaded once per segment into a sorted list with
document frequencies, so a prefix is two binary searches plus a pass over the range
(bounded). Thai is typed without spaces, so the prefix tried first is the whole Thai
run being typed ("กาแ" -> "กาแฟ"), then its tail from each word boundary the segmenter
found ("กาแฟคั่" -> "กาแฟ" + "คั่ว").
"""

from __future__ import annotations

import bisect
from collections import Counter

from shop.search import engine
from shop.search.query import QueryPlan, build_plan, clean_query, query_words
from shop.thai import is_thai

MAX_SUGGEST_CHARS = 100
MAX_SCAN = 4000  # terms looked at per segment for one prefix
HEAD_CANDIDATES = 40  # completions checked against the words typed before
PRODUCT_SUGGESTIONS = 4


def _segment_lexicon(data: engine.SegmentData, segreader) -> tuple[list[str], list[int]]:
    if data.lexicon is None:
        terms: list[str] = []
        freqs: list[int] = []
        for term, info in segreader.iter_field("spell"):
            text = term.decode("utf-8") if isinstance(term, bytes) else term
            terms.append(text)
            freqs.append(info.doc_frequency())
        data.lexicon = (terms, freqs)
    return data.lexicon


def _complete_prefix(searcher, cache, prefix: str, limit: int, head: QueryPlan | None = None) -> list[str]:
    """The commonest lexicon words starting with ``prefix``; with words typed before it
    (``head``), those that occur together with them, ranked by how often."""
    leaves = engine.leaves_for(searcher, cache)
    counts: Counter = Counter()
    for reader, _offset, data in leaves:
        terms, freqs = _segment_lexicon(data, reader)
        lo = bisect.bisect_left(terms, prefix)
        hi = bisect.bisect_left(terms, prefix + "\U0010ffff", lo)
        for i in range(lo, min(hi, lo + MAX_SCAN)):
            term = terms[i]
            if len(term) >= 2 and not term.isdigit():
                counts[term] += freqs[i]
    ranked = [term for term, _ in sorted(counts.items(), key=lambda kv: (-kv[1], len(kv[0]), kv[0]))]
    if head is None or head.is_empty:
        return ranked[:limit]
    together: Counter = Counter()
    for reader, _offset, data in leaves:
        head_docs = engine.match_leaf(cache, reader, data, head)
        if not head_docs:
            continue
        for term in ranked[:HEAD_CANDIDATES]:
            n = (head_docs & cache.term_bits(reader, data, "spell", term)).bit_count()
            if n:
                together[term] += n
    return [term for term, _ in together.most_common(limit)]


def _prefix_candidates(text: str) -> list[int]:
    """Start offsets of the prefixes to try, longest first."""
    words = query_words(text)
    if not words or words[-1][2] != len(text):
        return []
    last = len(words) - 1
    if not is_thai(words[last][0]):
        return [words[last][1]]
    first = last
    while first > 0 and is_thai(words[first - 1][0]) and words[first - 1][2] == words[first][1]:
        first -= 1
    return [words[k][1] for k in range(first, last + 1)]


def complete(searcher, cache: engine.SegmentCache, raw: str | None, *, limit: int = 8) -> tuple[list[str], list[dict]]:
    text, _ = clean_query(raw)
    text = text[:MAX_SUGGEST_CHARS]
    if not text:
        return [], []
    completions: list[str] = []
    if not (raw or "").endswith(" "):
        for start in _prefix_candidates(text):
            prefix = text[start:].lower()
            head = build_plan(text[:start]) if start else None
            terms = _complete_prefix(searcher, cache, prefix, limit, head)
            if terms:
                head = text[:start]
                completions = [head + term for term in terms if (head + term).lower() != text.lower()]
                if not completions:
                    completions = [text]
                break
    plan = build_plan(completions[0] if completions else text)
    product_docs = _top_products(searcher, cache, plan, PRODUCT_SUGGESTIONS)
    return completions[: max(0, limit - len(product_docs))] or completions[:1], product_docs


def _top_products(searcher, cache, plan: QueryPlan, limit: int) -> list[dict]:
    if plan.is_empty:
        return []
    # Names only (with their synonyms): a suggestion should be what the shopper means.
    leaves = []
    for reader, offset, data in engine.leaves_for(searcher, cache):
        docs = engine.match_leaf(cache, reader, data, plan, fields=("name",))
        leaves.append(engine.Leaf(reader, offset, data, docs))
    top = engine.top_by_order(leaves, "-sales", limit)
    return [searcher.stored_fields(docnum) for _, docnum in top]
