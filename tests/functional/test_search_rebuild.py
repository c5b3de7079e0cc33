"""A full rebuild (shop/search/indexer.py, ``rebuild``): products read and analysed in
worker processes come out as they do in the writing process, a catalogue past the
memory budget becomes several segments that answer as one, and the change-log
watermark and epoch are kept as before."""

from __future__ import annotations

import threading

from sqlalchemy import func, select

from shop.extensions import db
from shop.search import indexer, source
from shop.search.index import read_meta
from shop.search.models import SearchOutbox
from tests.factories import CategoryFactory, EnterpriseFactory, ProductFactory, TagFactory
from tests.functional.test_search_relevance import result_slugs, search


def _catalogue(count: int = 24) -> None:
    coffee = CategoryFactory(slug="coffee-tea", name_th="กาแฟและชา", name_en="Coffee and tea")
    textiles = CategoryFactory(slug="textiles", name_th="ผ้าและเครื่องแต่งกาย", name_en="Textiles")
    north = EnterpriseFactory(name_th="กลุ่มทอผ้าบ้านท่าผา", name_en="Ban Tha Pha Weavers", province_code="50")
    isan = EnterpriseFactory(name_th="ครัวบ้านโนนสูง", name_en="Ban Non Sung Kitchen", province_code="40")
    for i in range(count):
        if i % 2:
            product = ProductFactory(slug=f"sarong-{i}", enterprise=north, category=textiles, sales_count=i,
                                     name_th=f"ผ้าซิ่นตีนจกแม่แจ่ม ลาย {i}", name_en=f"Teen jok sarong {i}")
            TagFactory(product=product, tag="ผ้าซิ่น")
        else:
            ProductFactory(slug=f"coffee-{i}", enterprise=isan, category=coffee, sales_count=i,
                           name_th=f"กาแฟคั่วโอ่ง สูตร {i}", name_en=f"Jar-roasted coffee {i}")
    db.session.commit()


def _plain(batch) -> tuple:
    return (batch.count, batch.perdoc, {k: bytes(v) for k, v in batch.lengths.items()},
            {f: {t: (list(d), None if q is None else list(q)) for t, (d, q) in terms.items()}
             for f, terms in batch.postings.items()})


def test_worker_processes_analyse_products_as_the_writing_process_does(app):
    _catalogue()
    ranges = source.visible_id_ranges(db.session, batch_size=5)
    db.session.rollback()
    assert len(ranges) == 5 and ranges[0][0] == 0 and ranges[-1][1] is None
    here = [_plain(b) for b in indexer._analysed_batches(app, ranges, workers=1)]
    forked = [_plain(b) for b in indexer._analysed_batches(app, ranges, workers=2)]
    assert forked == here
    assert sum(count for count, *_ in here) == 24


def test_a_catalogue_past_the_memory_budget_is_several_segments_answering_as_one(app, client):
    _catalogue()
    indexer.rebuild(app, batch_size=50)
    one = {q: result_slugs(search(client, q)) for q in ("ตีนจก", "coffee", "กาแฟคั่ว", "sarong 7")}
    app.config["SEARCH_REBUILD_MEMORY_MB"] = 0  # a segment after every batch
    indexer.rebuild(app, batch_size=5)
    state = indexer.handle_for(app).state()
    assert state["segments"] == 5 and state["documents"] == 24
    several = {q: result_slugs(search(client, q)) for q in one}
    assert several == one and all(one.values())


def test_a_rebuild_keeps_the_log_watermark_and_epoch(app):
    _catalogue(4)
    db.session.rollback()
    seen = db.session.scalar(select(func.max(SearchOutbox.id)))
    epoch = indexer.log_epoch(db.session)
    db.session.rollback()
    assert seen
    indexer.rebuild(app)
    meta = read_meta(app.config["SEARCH_INDEX_DIR"])
    assert meta["last_outbox_id"] == seen and meta.get("log_epoch") == epoch and meta["documents"] == 4


def test_rebuilds_fork_workers_only_when_it_is_safe(app):
    app.config["SEARCH_REBUILD_PROCESSES"] = 3
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert indexer.rebuild_processes(app) == 1  # another thread: a forked child could inherit its locks
    finally:
        stop.set()
        other.join()
    assert indexer.rebuild_processes(app, 1) == 1
