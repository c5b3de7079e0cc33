"""Highlighting: the query's words wrapped in ``<mark>``, everything else escaped.

The text is cut by the same analyzer as the index, so a Thai word or an English stem
("roasted" for "roast") is marked exactly when it matched. The only markup in the
result is ours.
"""

from __future__ import annotations

from functools import lru_cache

from markupsafe import Markup, escape

from shop.search.analysis import normalize_text, term_spans


def highlight(text: str | None, tokens: set[str]) -> Markup | None:
    if not text:
        return None
    return _highlight(text, frozenset(tokens))


@lru_cache(maxsize=8192)
def _highlight(text: str, tokens: frozenset[str]) -> Markup:
    # Memoised: the same products come back for the same and for related queries.
    text = normalize_text(text)
    if not tokens:
        return escape(text)
    spans: list[list[int]] = []
    for term, start, end in term_spans(text):
        if term in tokens:
            if spans and spans[-1][1] == start:
                spans[-1][1] = end  # Thai words touch: one mark for "มะนาวผง"
            else:
                spans.append([start, end])
    out, last = [], 0
    for start, end in spans:
        out.append(escape(text[last:start]))
        out.append(Markup("<mark>") + escape(text[start:end]) + Markup("</mark>"))
        last = end
    out.append(escape(text[last:]))
    return Markup("").join(out)
