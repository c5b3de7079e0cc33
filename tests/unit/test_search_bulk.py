"""The rebuild's bulk writer (shop/search/bulk.py) writes what Whoosh's own writer
writes: the same terms, postings, block statistics, field lengths, stored fields and
columns, for the demo catalogue and the relevance set's second catalogue; and the fast
per-field analysis gives the analyzers' own terms."""

from __future__ import annotations

import pytest
from whoosh import index as whoosh_index
from whoosh.formats import Existence
from whoosh.system import pack_uint

from bench import relevance
from shop.search.bulk import BulkWriter, analyse_documents, field_plan
from shop.search.schema import build_schema, product_document
from shop.search.source import CERT_BITS

EXTRA_TEXTS = [
    "",
    "\n\n",
    "กาแฟคั่วโอ่ง\nJar-roasted coffee, 250g",
    "ผ้าไหม\u200bมัดหมี่ ＳＩＬＫ ＴＩＥ",  # zero-width space, full-width Latin
    "น้ำพริกหนุ่ม น้ำพริกหนุ่ม น้ำพริกหนุ่ม\nthe the and of",
    "ดริปกาแฟ เคม ๆ ฯ ๑๒๓ ABCกาแฟ",
    "ก" * 70 + " " + "ผ้าซิ่นตีนจก" * 12,  # runs longer than the memoised ones
]


@pytest.fixture
def documents(app):
    with app.app_context():
        facts = relevance.catalogue_facts()
    return [product_document(fact, CERT_BITS) for fact in facts]


def _reference(field, value):
    return sorted(field.index(value))


def _fast(field, counts):
    boost = field.format.field_boost
    if isinstance(field.format, Existence):
        return sorted((term.encode(), 1, boost, b"") for term in counts)
    return sorted((term.encode(), freq, freq * boost, pack_uint(freq)) for term, freq in counts.items())


def test_index_counts_give_the_analyzers_terms(app, documents):
    schema = build_schema()
    plan = field_plan(schema)
    checked = 0
    with app.app_context():
        values = [(name, value) for doc in documents for name, value in doc.items()]
        values += [(name, text) for text in EXTRA_TEXTS for name in ("name", "spell", "sub", "roman", "id")]
        for name, value in values:
            field, counts_of, _scorable, _frequency = plan[name]
            if counts_of is None:
                continue
            assert _fast(field, counts_of(value)) == _reference(field, value), (name, value)
            checked += 1
    assert checked > 1000


def _build(path, documents, bulk: bool, batch: int = 37):
    path.mkdir()
    ix = whoosh_index.create_in(str(path), build_schema(), indexname="products")
    if bulk:
        writer = BulkWriter(ix)
        for start in range(0, len(documents), batch):
            writer.add_batch(analyse_documents(writer.plan, documents[start:start + batch]))
        writer.commit(merge=False)
    else:
        writer = ix.writer()
        for doc in documents:
            writer.add_document(**doc)
        writer.commit()
    return whoosh_index.open_dir(str(path), indexname="products").reader()


def _postings(reader, fieldname, term):
    matcher = reader.postings(fieldname, term)
    out = []
    while matcher.is_active():
        out.append((matcher.id(), matcher.weight(), matcher.value(), matcher.block_min_length(),
                    matcher.block_max_length(), matcher.block_max_weight()))
        matcher.next()
    return out


def test_the_bulk_writer_writes_what_whoosh_writes(app, documents, tmp_path):
    # Enough copies that common terms span several postings blocks (128 each).
    many = [dict(doc, id=f"{copy}-{doc['id']}") for copy in range(3) for doc in documents]
    with app.app_context():
        whoosh_reader = _build(tmp_path / "whoosh", many, bulk=False)
        bulk_reader = _build(tmp_path / "bulk", many, bulk=True)
    assert bulk_reader.doc_count_all() == whoosh_reader.doc_count_all() == len(many)
    terms = list(whoosh_reader.all_terms())
    assert list(bulk_reader.all_terms()) == terms
    assert any(whoosh_reader.doc_frequency(f, t) > 128 for f, t in terms)
    for fieldname, term in terms:
        assert bulk_reader.term_info(fieldname, term).__dict__ == whoosh_reader.term_info(fieldname, term).__dict__
        assert _postings(bulk_reader, fieldname, term) == _postings(whoosh_reader, fieldname, term)
    for fieldname in whoosh_reader.schema.names():
        assert bulk_reader.field_length(fieldname) == whoosh_reader.field_length(fieldname)
        assert [bulk_reader.doc_field_length(d, fieldname) for d in range(len(many))] == \
            [whoosh_reader.doc_field_length(d, fieldname) for d in range(len(many))]
        assert bulk_reader.has_column(fieldname) == whoosh_reader.has_column(fieldname)
        if whoosh_reader.has_column(fieldname):
            assert list(bulk_reader.column_reader(fieldname)) == list(whoosh_reader.column_reader(fieldname))
    assert list(bulk_reader.all_stored_fields()) == list(whoosh_reader.all_stored_fields())
