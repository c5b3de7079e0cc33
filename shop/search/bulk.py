"""Writing a whole index at once (``flask search reindex``): the same segment files as
Whoosh's own writer, several times faster.

Whoosh's ``SegmentWriter`` turns every word of every document into a posting tuple,
sorts all of them (spilling sorted runs to disk past ``limitmb``) and then, posting by
posting, writes them while reading each document's field length back from the
segment's length column. At 100,000 products (≈ 170 postings each) that generic path,
not the Thai analysis, was most of a rebuild.

``BulkWriter`` keeps Whoosh's per-document writer (stored fields, columns, field
lengths) and its postings format, and changes only how postings are gathered:
``analyse_documents`` asks each field's analyzer for ``{term: frequency}`` of a value
(``index_counts``, memoised in ``analysis.py``) and inverts a batch of documents into
two arrays per term (document numbers, frequencies); it returns plain data, so worker
processes can do it (``indexer.rebuild``). ``add_batch`` appends a batch's arrays to
the writer's (documents arrive in document-number order, so they stay sorted), and the
segment is written term by term, a block of 128 postings at a time, with the block
statistics Whoosh computes (lengths from an array in memory instead of a column read
per posting). ``tests/unit/test_search_bulk.py`` checks that both writers make the
same postings, statistics, lengths, stored fields and columns.

Memory is what the arrays hold (about 8 bytes a posting and 200 bytes a term,
``memory_estimate``); past its budget the caller commits the segment and starts
another writer (``rebuild`` does, with ``SEARCH_REBUILD_MEMORY_MB``).
"""

from __future__ import annotations

import struct
from array import array
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter, sub

from whoosh.analysis import IDTokenizer
from whoosh.codec.whoosh3 import W3PostingsWriter
from whoosh.fields import UnknownFieldError
from whoosh.formats import Existence, Frequency
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import SegmentWriter

#: Postings per block, as Whoosh's W3 codec writes them (``W3Codec(blocklimit=128)``).
BLOCK = 128  # the default; the writer uses its codec's own figure
#: Bytes a posting and a term cost in memory (two ``array`` items; a dict entry, two
#: arrays and the term), for the budget.
POSTING_BYTES = 8
TERM_BYTES = 200


def supports(schema) -> bool:
    """Whether every indexed field of ``schema`` can be written by ``BulkWriter``:
    frequency or existence postings, no vectors, no separate spelling field."""
    for _name, fieldobj in schema.items():
        if not fieldobj.indexed:
            continue
        if fieldobj.vector or fieldobj.separate_spelling() or type(fieldobj.format) not in (Frequency, Existence):
            return False
    return True


class _BlockWriter(W3PostingsWriter):
    """Whoosh's postings writer with its two per-posting Python loops done in C: the
    delta-encoding of the ids and the check for equal weights (same bytes out)."""

    def _mini_ids(self):
        ids = self._ids
        return tuple(map(sub, ids, chain((0,), ids)))

    def _mini_weights(self):
        weights = self._weights
        low, high = min(weights), max(weights)
        if low == high:
            return None if low == 1.0 else weights[0]
        return tuple(weights)


def _plain_counts(fieldobj):
    """``{term: frequency}`` of a value for a field whose analyzer has no
    ``index_counts``: an ID field's value is its one term; others go through Whoosh."""
    if type(fieldobj.analyzer) is IDTokenizer:
        return lambda value: {value: 1}
    return lambda value: {tbytes.decode("utf-8"): freq for tbytes, freq, _w, _v in fieldobj.index(value)}


def field_plan(schema) -> dict[str, tuple]:
    """Per field: (field, its counts function or None, scorable, frequency format)."""
    plan = {}
    for name, fieldobj in schema.items():
        counts = None
        if fieldobj.indexed:
            counts = getattr(fieldobj.analyzer, "index_counts", None) or _plain_counts(fieldobj)
        plan[name] = (fieldobj, counts, bool(fieldobj.scorable), isinstance(fieldobj.format, Frequency))
    return plan


@dataclass
class AnalysedBatch:
    """Documents analysed for ``BulkWriter.add_batch``: plain data (arrays, dicts and
    tuples), so a worker process can make it and send it to the writing one.

    ``perdoc``: per document, ``(field, stored value or None, length, has a column,
    column value)`` for each field the per-document writer records, in field-name
    order; ``lengths``: per scorable field, the length byte of each document;
    ``postings``: per field, ``{term: [document numbers, frequencies or None]}`` with
    document numbers counted from the batch's first document."""

    count: int = 0
    perdoc: list[tuple] = field(default_factory=list)
    lengths: dict[str, array] = field(default_factory=dict)
    postings: dict[str, dict[str, list]] = field(default_factory=dict)


def analyse_documents(plan: dict[str, tuple], documents) -> AnalysedBatch:
    """Analyse ``documents`` (dicts as for Whoosh's ``add_document``) for ``BulkWriter``."""
    batch = AnalysedBatch()
    postings = batch.postings
    lengths = batch.lengths
    for docnum, fields in enumerate(documents):
        entries = []
        for name in sorted(fields):
            if name.startswith("_"):
                raise ValueError(f"BulkWriter does not take {name!r} (boosts, custom stored values)")
            value = fields[name]
            if value is None:
                continue
            try:
                fieldobj, counts_of, scorable, frequency = plan[name]
            except KeyError:
                raise UnknownFieldError(f"No field named {name!r}") from None
            length = 0
            if counts_of is not None:
                counts = counts_of(value)
                if counts:
                    terms = postings.get(name)
                    if terms is None:
                        terms = postings[name] = {}
                    if frequency:
                        for term, freq in counts.items():
                            entry = terms.get(term)
                            if entry is None:
                                terms[term] = [array("I", (docnum,)), array("I", (freq,))]
                            else:
                                entry[0].append(docnum)
                                entry[1].append(freq)
                        if scorable:
                            length = sum(counts.values())
                    else:
                        for term in counts:
                            entry = terms.get(term)
                            if entry is None:
                                terms[term] = [array("I", (docnum,)), None]
                            else:
                                entry[0].append(docnum)
                        if scorable:
                            length = len(counts)
            if scorable:
                codes = lengths.get(name)
                if codes is None:
                    codes = lengths[name] = array("B")
                codes.extend(bytes(docnum + 1 - len(codes)))
                codes[docnum] = length_to_byte(length) if length else 0
            column = fieldobj.column_type
            stored = value if fieldobj.stored else None
            if length or stored is not None or column:
                entries.append((name, stored, length, bool(column),
                                fieldobj.to_column_value(value) if column else None))
        batch.perdoc.append(tuple(entries))
    batch.count = len(batch.perdoc)
    for codes in lengths.values():
        codes.extend(bytes(batch.count - len(codes)))
    return batch


class BulkWriter(SegmentWriter):
    """A ``SegmentWriter`` for documents written once, in order (a rebuild):
    ``add_batch(analyse_documents(...))`` or ``add_document(**fields)``, then
    ``commit(merge=False)``."""

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        if not supports(self.schema):
            self.cancel()
            raise ValueError("BulkWriter: the schema has fields it cannot write")
        self.plan = field_plan(self.schema)
        # fieldname -> {term: [document numbers, frequencies or None]}
        self._terms: dict[str, dict[str, list]] = {}
        # fieldname -> length byte of each document (scorable fields)
        self._length_bytes: dict[str, array] = {}
        self.postings = 0
        self.terms = 0

    def memory_estimate(self) -> int:
        """Bytes the gathered postings hold, roughly."""
        return self.postings * POSTING_BYTES + self.terms * TERM_BYTES

    def add_document(self, **fields):
        self.add_batch(analyse_documents(self.plan, [fields]))

    def add_batch(self, batch: AnalysedBatch) -> None:
        """Write the per-document data of ``batch`` and gather its postings."""
        self._check_state()
        base = self.docnum
        perdoc = self.perdocwriter
        schema = self.schema
        docnum = base
        for entries in batch.perdoc:
            perdoc.start_doc(docnum)
            for name, stored, length, has_column, column_value in entries:
                fieldobj = schema[name]
                if length or stored is not None:  # otherwise Whoosh's add_field does nothing
                    perdoc.add_field(name, fieldobj, stored, length)
                if has_column:
                    perdoc.add_column_value(name, fieldobj.column_type, column_value)
            perdoc.finish_doc()
            docnum += 1
        for name, codes in batch.lengths.items():
            mine = self._length_bytes.get(name)
            if mine is None:
                mine = self._length_bytes[name] = array("B")
            mine.extend(bytes(base - len(mine)))
            mine.extend(codes)
        shift = base.__add__
        for name, terms in batch.postings.items():
            mine = self._terms.get(name)
            if mine is None:
                mine = self._terms[name] = {}
            for term, (docs, freqs) in terms.items():
                if base:
                    docs = array("I", map(shift, docs))
                self.postings += len(docs)
                entry = mine.get(term)
                if entry is None:
                    mine[term] = [docs, freqs]
                    self.terms += 1
                else:
                    entry[0].extend(docs)
                    if freqs is not None:
                        entry[1].extend(freqs)
        if batch.count:
            self._added = True
        self.docnum = docnum

    def _flush_segment(self):
        self.perdocwriter.close()
        fieldwriter = self.fieldwriter
        for name in sorted(self._terms):
            fieldobj = self.schema[name]
            fieldwriter.start_field(name, fieldobj)
            codec = self.codec
            fieldwriter._postwriter = _BlockWriter(fieldwriter._postfile, blocklimit=codec._blocklimit,
                                                   compression=codec._compression, inlinelimit=codec._inlinelimit)
            self._write_field(fieldwriter, fieldobj, self._terms[name], self._length_bytes.get(name))
            fieldwriter.finish_field()
        self._terms.clear()
        fieldwriter.close()

    @staticmethod
    def _write_field(fieldwriter, fieldobj, terms: dict[str, list], length_bytes: array | None) -> None:
        """Each term's postings in blocks, exactly as ``W3PostingsWriter.add_posting``
        would buffer them (ids, float32 weights, packed frequencies, block statistics)."""
        boost = fieldobj.format.field_boost
        block = fieldwriter._postwriter._blocklimit
        for term in sorted(terms):  # code-point order is UTF-8 byte order
            docs, freqs = terms.pop(term)
            fieldwriter.start_term(term.encode("utf-8"))
            writer = fieldwriter._postwriter
            total = len(docs)
            for start in range(0, total, block):
                ids = docs[start:start + block]
                count = len(ids)
                if freqs is None:
                    writer._weights = array("f", [boost]) * count
                    writer._values = []
                    writer._maxweight = max(boost, 0)
                else:
                    block_freqs = freqs[start:start + block]
                    low, high = min(block_freqs), max(block_freqs)
                    if low == high:  # most terms occur once in every document
                        writer._weights = array("f", [low * boost]) * count
                    else:
                        writer._weights = array("f", [f * boost for f in block_freqs])
                    writer._values = [struct.pack(f"!{count}I", *block_freqs)]
                    writer._maxweight = max(high * boost, 0)
                # Only non-zero lengths count, as in add_posting (a document without a
                # length byte reads back as no length).
                if length_bytes is None:
                    writer._minlength, writer._maxlength = None, 0
                else:
                    codes = itemgetter(*ids)(length_bytes) if count > 1 else (length_bytes[ids[0]],)
                    shortest = min(codes) or min((c for c in codes if c), default=0)
                    longest = max(codes)
                    writer._minlength = byte_to_length(shortest) if shortest else None
                    writer._maxlength = byte_to_length(longest) if longest else 0
                writer._ids = ids
                if start + block < total:
                    writer._write_block()
            fieldwriter.finish_term()
