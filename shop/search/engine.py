"""Fast matching, facet counting and sorting over the index, per segment, with bitsets.

Whoosh scores well but counts and sorts slowly in pure Python when a query matches
tens of thousands of products (measured on 100k synthetic products with Whoosh's own
collectors: facet counts over 10k+ hits p95 ≈ 0.5 s, AND queries p95 70–208 ms; BM25F
scoring of 20,000 matches ≈ 0.4 s). So this module does the set work itself.

Every set of documents of a segment is a Python ``int`` used as a bitset (bit *d* set
= local document *d*): union, intersection and counting (``int.bit_count``) run in C
over n/8 bytes, whatever the number of matches. What is cached per *segment*
(segments never change once written; only their deleted-document set grows):

* the bitset of a term's postings (read block by block), and of a term in a group of
  fields, in a byte-bounded LRU;
* the column fields (category, province, certification bits, price, wholesale,
  created, sales, product id), loaded once as ``array`` objects straight from the
  column bytes, and for each facet value the bitset of documents that have it — a
  facet count is then one AND and one popcount per value;
* per-sort-key document orders, so "best-selling" over 100,000 documents scans the
  pre-sorted order until a page is full instead of sorting.
"""

from __future__ import annotations

import heapq
import math
import sys
import threading
from array import array
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound

from shop.search.query import ROMAN, QueryPlan
from shop.search.schema import COLUMN_TYPES, MATCH_FIELDS, SCORE_WEIGHTS  # noqa: F401 (re-exported)

_LITTLE_ENDIAN = sys.byteorder == "little"


# --- bitsets ---------------------------------------------------------------------------------


def bits_from(ids: Iterable[int], nbytes: int) -> int:
    buffer = bytearray(nbytes)
    for d in ids:
        buffer[d >> 3] |= 1 << (d & 7)
    return int.from_bytes(buffer, "little")


def iter_bits(bits: int) -> Iterator[int]:
    """The set bits of ``bits``, ascending (C-speed search between them)."""
    if not bits:
        return
    text = bin(bits)[:1:-1]  # least significant bit first, without "0b"
    i = text.find("1")
    while i != -1:
        yield i
        i = text.find("1", i + 1)


def count(bits: int) -> int:
    return bits.bit_count()


# --- per-segment data ----------------------------------------------------------------------


def _load_column(segreader, fieldname: str) -> array:
    """A whole numeric column as an ``array``, from its bytes (no per-value unpacking)."""
    doccount = segreader.doc_count_all()
    typecode = COLUMN_TYPES[fieldname]
    if not segreader.has_column(fieldname):
        return array(typecode, bytes(array(typecode).itemsize * doccount))
    reader = segreader.column_reader(fieldname, translate=False)
    out = array(typecode)
    fixedlen = getattr(reader, "_fixedlen", None)
    if fixedlen == out.itemsize and hasattr(reader, "_dbfile"):
        raw = reader._dbfile.get(reader._basepos, reader._count * fixedlen)
        out.frombytes(bytes(raw))
        if _LITTLE_ENDIAN:
            out.byteswap()  # columns are written big-endian ("!" struct formats)
        missing = doccount - len(out)
        if missing > 0:
            out.extend([reader._default] * missing)
        return out
    return array(typecode, (reader[i] for i in range(doccount)))  # pragma: no cover


class SegmentData:
    """Everything cached for one segment (keyed by its id)."""

    def __init__(self, segreader):
        self.segment_id = segreader.segment().segment_id()
        self.doccount = segreader.doc_count_all()
        self.nbytes = (self.doccount + 7) // 8
        self.all_bits = (1 << self.doccount) - 1
        self.columns: dict[str, array] = {name: _load_column(segreader, name) for name in COLUMN_TYPES}
        self._orders: dict[str, list[int]] = {}
        self._value_bits: dict[str, dict[int, int]] = {}
        self._lock = threading.Lock()
        self._deleted_key: int | None = None
        self._live = self.all_bits
        self.lexicon: tuple[list[str], list[int]] | None = None

    def live(self, segreader) -> int:
        """Bitset of the documents not deleted."""
        deleted_count = segreader.segment().deleted_count()
        if deleted_count != self._deleted_key:
            deleted = segreader._perdoc.deleted_docs() if deleted_count else ()
            self._live = self.all_bits & ~bits_from(deleted, self.nbytes)
            self._deleted_key = deleted_count
        return self._live

    def add_column(self, name: str, values: array) -> None:
        with self._lock:
            self.columns[name] = values

    def value_bits(self, column: str) -> dict[int, int]:
        """For each value of a column, the bitset of documents having it (for
        ``cert_mask``: for each certification bit)."""
        found = self._value_bits.get(column)
        if found is None:
            buffers: dict[int, bytearray] = {}
            nbytes = self.nbytes
            values = self.columns[column]
            if column == "cert_mask":
                for d, mask in enumerate(values):
                    bit = 0
                    while mask:
                        if mask & 1:
                            buffer = buffers.get(bit)
                            if buffer is None:
                                buffer = buffers[bit] = bytearray(nbytes)
                            buffer[d >> 3] |= 1 << (d & 7)
                        mask >>= 1
                        bit += 1
            else:
                for d, value in enumerate(values):
                    buffer = buffers.get(value)
                    if buffer is None:
                        buffer = buffers[value] = bytearray(nbytes)
                    buffer[d >> 3] |= 1 << (d & 7)
            found = {value: int.from_bytes(buffer, "little") for value, buffer in buffers.items()}
            with self._lock:
                self._value_bits[column] = found
        return found

    def order(self, key: str) -> list[int]:
        """Local docnums sorted by a sort key (``price``, ``-price``, ``-created``, ``-sales``)."""
        if key not in self._orders:
            column = self.columns[key.lstrip("-")]
            # Ties broken by docnum so pages never overlap or skip.
            if key.startswith("-"):
                ordered = sorted(range(self.doccount), key=lambda d: (-column[d], d))
            else:
                ordered = sorted(range(self.doccount), key=lambda d: (column[d], d))
            with self._lock:
                self._orders[key] = ordered
        return self._orders[key]


class SegmentCache:
    """Segment data and term bitsets, shared by every searcher of one process."""

    def __init__(self, max_bytes: int = 96 * 1024 * 1024):
        self._segments: dict[str, SegmentData] = {}
        self._bits: OrderedDict[tuple, int] = OrderedDict()
        self._size = 0
        self._max_bytes = max_bytes
        self._lock = threading.Lock()

    def segment(self, segreader) -> SegmentData:
        segment_id = segreader.segment().segment_id()
        data = self._segments.get(segment_id)
        if data is None:
            data = SegmentData(segreader)
            with self._lock:
                self._segments[segment_id] = data
        return data

    def retain(self, segment_ids: Iterable[str]) -> None:
        """Forget segments that are no longer in the index (merged away)."""
        keep = set(segment_ids)
        with self._lock:
            for segment_id in list(self._segments):
                if segment_id not in keep:
                    del self._segments[segment_id]
            for key in [k for k in self._bits if k[0] not in keep]:
                self._size -= _size_of(self._bits.pop(key))

    def get(self, key: tuple) -> int | None:
        with self._lock:
            found = self._bits.get(key)
            if found is not None:
                self._bits.move_to_end(key)
            return found

    def put(self, key: tuple, bits: int) -> int:
        with self._lock:
            if key not in self._bits:
                self._bits[key] = bits
                self._size += _size_of(bits)
                while self._size > self._max_bytes and len(self._bits) > 1:
                    _, dropped = self._bits.popitem(last=False)
                    self._size -= _size_of(dropped)
        return bits

    def term_bits(self, segreader, data: SegmentData, field: str, token: str) -> int:
        key = (data.segment_id, field, token)
        found = self.get(key)
        if found is None:
            found = self.put(key, bits_from(_read_postings(segreader, field, token), data.nbytes))
        return found


def _size_of(bits: int) -> int:
    return 64 + (bits.bit_length() + 7) // 8


def _read_postings(segreader, field: str, token: str) -> list[int]:
    """Every docnum (deleted ones included) posted for a term, a block at a time."""
    try:
        matcher = segreader.postings(field, token)
    except TermNotFound:
        return []
    if isinstance(matcher, FilterMatcher):
        matcher = matcher.child  # deletions are subtracted by the caller, once
    if not hasattr(matcher, "_read_ids") or not hasattr(matcher, "_lastblock"):
        return list(matcher.all_ids())  # pragma: no cover
    ids: list[int] = []
    while True:
        if matcher._ids is None:
            matcher._read_ids()
        ids.extend(matcher._ids)
        if matcher._lastblock:
            return ids
        matcher._goto(matcher._nextoffset)


# --- matching -----------------------------------------------------------------------------


@dataclass
class Leaf:
    reader: object
    offset: int
    data: SegmentData
    docs: int  # bitset of local docnums

    @property
    def size(self) -> int:
        return self.docs.bit_count()


def leaves_for(searcher, cache: SegmentCache) -> list[tuple[object, int, SegmentData]]:
    reader = searcher.reader()
    # An index without documents has an EmptyReader, which has no segment.
    return [(r, offset, cache.segment(r)) for r, offset in reader.leaf_readers()
            if getattr(r, "segment", None) is not None and r.segment() is not None and r.doc_count_all()]


def _token_bits(cache: SegmentCache, segreader, data: SegmentData, token: str, fields) -> int:
    """Docs with ``token`` in any of ``fields`` (the union is cached like a posting list).
    A romanised key (``~sVmtVm``) is looked up in the ``roman`` field whatever ``fields``
    says, when ``fields`` is the match set or names ``roman``."""
    if token.startswith(ROMAN):
        if fields is MATCH_FIELDS or "roman" in fields:
            return cache.term_bits(segreader, data, "roman", token[1:])
        return 0
    if len(fields) == 1:
        return cache.term_bits(segreader, data, fields[0], token)
    key = (data.segment_id, tuple(fields), token)
    found = cache.get(key)
    if found is None:
        found = 0
        for field in fields:
            found |= cache.term_bits(segreader, data, field, token)
        cache.put(key, found)
    return found


def slot_bits(cache: SegmentCache, segreader, data: SegmentData, plan: QueryPlan, fields=MATCH_FIELDS) -> list[int]:
    """For each slot of the plan, the documents (deleted ones included) that satisfy it in
    one of ``fields``: any alternative, every token of that alternative."""
    out: list[int] = []
    for slot in plan.slots:
        slot_docs = 0
        for alternative in slot.alternatives:
            alt_docs = -1  # all bits
            for token in alternative:
                alt_docs &= _token_bits(cache, segreader, data, token, fields)
                if not alt_docs:
                    break
            if alt_docs > 0:
                slot_docs |= alt_docs
        out.append(slot_docs)
    return out


def _and(values: list[int]) -> int:
    result = -1
    for value in values:
        result &= value
        if not result:
            return 0
    return max(result, 0)


def match_leaf(cache: SegmentCache, segreader, data: SegmentData, plan: QueryPlan, *,
               any_slot: bool = False, fields=MATCH_FIELDS) -> int:
    """Bitset of the segment's live documents matching the plan: every required slot
    (optional ones, filler words, numbers and places, only score); with no required
    slot, or ``any_slot``, any slot."""
    live = data.live(segreader)
    if plan.is_empty:
        return live
    slots = slot_bits(cache, segreader, data, plan, fields)
    required = [bits for slot, bits in zip(plan.slots, slots, strict=True) if not slot.optional]
    matched = 0
    if any_slot or not required:
        for bits in (required if any_slot and required else slots):
            matched |= bits
    else:
        matched = _and(required)
    return matched & live


# Relevance: a BM25-style score with field weights, computed with bitset operations so
# that ranking 20,000 matches costs about as much as ranking 20. Each slot (query word
# with its synonyms) adds idf(slot) x the weight of the best field it is found in
# (name > romanised name > tags > part of a compound > category > place > description);
# optional slots (filler words, numbers, places) add a third of that. The documents are
# split into groups of equal score by intersecting bitsets; ties go to the best-selling
# product, then the lower document number, so the order is always the same.
SCORE_LEVELS: tuple[tuple[float, tuple[str, ...]], ...] = tuple(
    (weight, (field,)) for field, weight in sorted(SCORE_WEIGHTS.items(), key=lambda kv: -kv[1])
)
OPTIONAL_FACTOR = 1 / 3
MAX_GROUPS = 256


def slot_idf(matching: int, total: int) -> float:
    """BM25's idf of a slot matched by ``matching`` of ``total`` documents."""
    return math.log(1 + (total - matching + 0.5) / (matching + 0.5))


def plan_idfs(cache: SegmentCache, leaves: list[Leaf], plan: QueryPlan) -> list[float]:
    """idf of each slot over the whole index (live documents)."""
    total = 0
    counts = [0] * len(plan.slots)
    for leaf in leaves:
        live = leaf.data.live(leaf.reader)
        total += live.bit_count()
        for i, bits in enumerate(slot_bits(cache, leaf.reader, leaf.data, plan)):
            counts[i] += (bits & live).bit_count()
    return [slot_idf(n, max(total, 1)) for n in counts]


def score_groups(cache: SegmentCache, leaf: Leaf, plan: QueryPlan, idfs: list[float]) -> list[tuple[float, int]]:
    """``leaf.docs`` split into disjoint ``(score, bitset)`` groups."""
    groups: dict[float, int] = {0.0: leaf.docs}
    if plan.is_empty or not leaf.docs:
        return [(0.0, leaf.docs)]
    for slot_index, slot in enumerate(plan.slots):
        single = type(plan)(plan.text, (slot,))
        weight_of_slot = idfs[slot_index] * (OPTIONAL_FACTOR if slot.optional else 1.0)
        levels = []
        for weight, fields in SCORE_LEVELS:
            bits = slot_bits(cache, leaf.reader, leaf.data, single, fields)[0]
            if bits:
                levels.append((weight * weight_of_slot, bits))
        if not levels:
            continue
        new_groups: dict[float, int] = {}
        for score, docs in groups.items():
            rest = docs
            for add, bits in levels:
                part = rest & bits
                if part:
                    key = round(score + add, 6)
                    new_groups[key] = new_groups.get(key, 0) | part
                    rest &= ~part
                    if not rest:
                        break
            if rest:
                new_groups[score] = new_groups.get(score, 0) | rest
        if len(new_groups) > MAX_GROUPS:  # coarser scores rather than unbounded work
            merged: dict[float, int] = {}
            for score, docs in new_groups.items():
                key = round(score, 1)
                merged[key] = merged.get(key, 0) | docs
            new_groups = merged
        groups = new_groups
    return list(groups.items())


def slot_coverage(cache: SegmentCache, leaf: Leaf, plan: QueryPlan, idfs: list[float]) -> list[tuple[float, int]]:
    """``leaf.docs`` grouped by the share of the required slots' idf they match (1.0 =
    every word the shopper meant): the relaxed search keeps only the well-covered."""
    required = [(i, s) for i, s in enumerate(plan.slots) if not s.optional]
    if not required:
        return [(1.0, leaf.docs)]
    total = sum(idfs[i] for i, _ in required) or 1.0
    bits = slot_bits(cache, leaf.reader, leaf.data, plan)
    groups: dict[float, int] = {0.0: leaf.docs}
    for i, _slot in required:
        new: dict[float, int] = {}
        for share, docs in groups.items():
            hit = docs & bits[i]
            miss = docs & ~bits[i]
            if hit:
                key = round(share + idfs[i] / total, 6)
                new[key] = new.get(key, 0) | hit
            if miss:
                new[share] = new.get(share, 0) | miss
        groups = new
    return list(groups.items())


def page_by_relevance(cache: SegmentCache, leaves: list[Leaf], plan: QueryPlan, start: int, stop: int, *,
                      any_slot: bool = False) -> list[int]:
    """Global docnums ``[start:stop]`` in relevance order (score, then best-selling)."""
    idfs = plan_idfs(cache, leaves, plan)
    by_score: dict[float, list[Leaf]] = {}
    for leaf in leaves:
        if not leaf.docs:
            continue
        for score, docs in score_groups(cache, leaf, plan, idfs):
            if docs:
                by_score.setdefault(score, []).append(Leaf(leaf.reader, leaf.offset, leaf.data, docs))
    out: list[int] = []
    skipped = 0
    for score in sorted(by_score, reverse=True):
        group_leaves = by_score[score]
        size = sum(leaf.size for leaf in group_leaves)
        if skipped + size <= start:
            skipped += size
            continue
        first = max(0, start - skipped)
        needed = first + (stop - start - len(out))
        ordered = top_by_order(group_leaves, "-sales", needed)
        out += [docnum for _, docnum in ordered[first:needed]]
        skipped += size
        if len(out) >= stop - start:
            break
    return out


# --- filters and facets ---------------------------------------------------------------------


@dataclass(frozen=True)
class FacetFilter:
    """One active facet: the column it reads and the values it accepts (for
    ``cert_mask``: certification bit numbers)."""

    name: str
    column: str
    values: frozenset[int]

    def bits(self, data: SegmentData) -> int:
        by_value = data.value_bits(self.column)
        out = 0
        for value in self.values:
            out |= by_value.get(value, 0)
        return out


def count_facet(data: SegmentData, column: str, docs: int) -> Counter:
    """Documents of ``docs`` per value of ``column`` (per bit for ``cert_mask``)."""
    out: Counter = Counter()
    if not docs:
        return out
    for value, bits in data.value_bits(column).items():
        n = (bits & docs).bit_count()
        if n:
            out[value] = n
    return out


def top_by_order(leaves: list[Leaf], key: str, limit: int) -> list[tuple[int, int]]:
    """The first ``limit`` ``(sort value, global docnum)`` by a column sort key, merged over
    segments. Small result sets are sorted directly; large ones scan the cached order."""
    column_name = key.lstrip("-")
    reverse = key.startswith("-")
    sign = -1 if reverse else 1
    per_leaf: list[list[tuple[int, int]]] = []
    for leaf in leaves:
        if not leaf.docs or limit <= 0:
            continue
        column = leaf.data.columns[column_name]
        size = leaf.size
        # Scanning the pre-sorted order finds ``limit`` matches after about
        # limit * doccount / size steps; a heap costs size. Pick the cheaper.
        if size * size < limit * leaf.data.doccount:
            picked = heapq.nsmallest(limit, iter_bits(leaf.docs), key=lambda d, c=column: (sign * c[d], d))
        else:
            member = leaf.docs.to_bytes(leaf.data.nbytes, "little")
            picked = []
            for d in leaf.data.order(key):
                if member[d >> 3] >> (d & 7) & 1:
                    picked.append(d)
                    if len(picked) == limit:
                        break
        per_leaf.append([(sign * column[d], leaf.offset + d) for d in picked])
    merged = heapq.merge(*per_leaf)
    out = []
    for item in merged:
        out.append(item)
        if len(out) == limit:
            break
    return out


def derived_column(data: SegmentData, name: str, source: str, function: Callable[[int], int],
                   typecode: str = "B") -> None:
    """Add a column computed once from another (e.g. the price band from the price)."""
    if name not in data.columns:
        data.add_column(name, array(typecode, map(function, data.columns[source])))
