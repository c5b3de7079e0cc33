"""The labelled relevance set (tests/data/relevance/) holds the bar: recall@10 and
top-1 overall, computed exactly as ``bench/relevance.py`` prints them."""

from __future__ import annotations

import csv
import json

from bench import relevance


def test_every_expected_product_exists_in_the_catalogues():
    slugs = {fact.slug for fact in relevance.catalogue_facts()}
    for query in relevance.load_queries():
        assert query.klass in relevance.CLASSES, query
        assert set(query.expected) <= slugs, query


def test_the_set_covers_every_class_and_a_second_catalogue():
    queries = relevance.load_queries()
    assert len(queries) >= 150
    assert {q.klass for q in queries} == set(relevance.CLASSES)
    second = json.loads((relevance.DATA / "second_catalogue.json").read_text(encoding="utf-8"))
    assert len(second["products"]) >= 40
    with open(relevance.DATA / "queries.csv", encoding="utf-8", newline="") as fh:
        rows = [(r["class"], r["query"]) for r in csv.DictReader(fh)]
    assert len(rows) == len(set(rows))


def test_relevance_meets_the_bar(app):
    with app.app_context():
        figures, rows = relevance.run()
    overall = figures["overall"]
    misses = [(q.klass, q.query, s.results[:3]) for q, s in rows if s.recall < 1 or s.top1 < 1]
    assert overall["recall@10"] >= relevance.MIN_RECALL_AT_10, (relevance.table(figures), misses)
    assert overall["top-1"] >= relevance.MIN_TOP_1, (relevance.table(figures), misses)
