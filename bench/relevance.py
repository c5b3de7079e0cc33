"""Search relevance on a labelled query set: recall@10, top-1 and MRR per query class.

    .venv/bin/python bench/relevance.py [--no-append] [--show-failures]

The set lives in ``tests/data/relevance/``: ``queries.csv`` (class, query, the slugs
of the products it means, ``|``-separated; none for a thing the market does not sell)
and ``second_catalogue.json`` (products of kinds the demo does not have). The index is
built in a temporary folder from the demo catalogue's visible products
(``shop.catalog.demo_data``) plus that second catalogue, with the same schema and
document builder as ``flask search reindex``, and every query goes through the same
code as ``/search`` (plan, correction, fallback, ranking), without a database.

Scores per query: recall@10 is the share of the expected products in the first ten
results; top-1 is 1 when the first result is one of them; MRR is 1/rank of the first
expected product. For a "nothing" query all three are 1 when there is no result and
0 otherwise. Figures are printed and appended to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "relevance"
CLASSES = ("exact", "compound", "phrase", "english", "synonym", "cross", "typo", "toneless", "romanised", "nothing")

#: The bar ``make test`` holds the set to (tests/functional/test_search_relevance_set.py).
MIN_RECALL_AT_10 = 0.98
MIN_TOP_1 = 0.90


@dataclass(frozen=True)
class LabelledQuery:
    klass: str
    query: str
    expected: tuple[str, ...]


def load_queries(path: Path = DATA / "queries.csv") -> list[LabelledQuery]:
    with open(path, encoding="utf-8", newline="") as fh:
        return [LabelledQuery(row["class"], row["query"], tuple(s for s in row["expected"].split("|") if s))
                for row in csv.DictReader(fh)]


def catalogue_facts() -> list:
    """``ProductFacts`` for the demo's visible products and the second catalogue."""
    from shop.catalog.demo_data import CATEGORIES, ENTERPRISES
    from shop.geo import province_by_code
    from shop.search.schema import ProductFacts
    from shop.search.source import cert_search_labels

    categories = {c["slug"]: (i + 1, (c["name_th"], c["name_en"])) for i, c in enumerate(CATEGORIES)}
    second = json.loads((DATA / "second_catalogue.json").read_text(encoding="utf-8"))
    base = datetime(2026, 1, 1)
    facts = []

    def places(spec):
        province = province_by_code(spec["province_code"])
        return tuple(p for p in (spec.get("village"), spec.get("subdistrict"), spec.get("district"),
                                 province.name_th if province else None, province.name_en if province else None) if p)

    def add(product, enterprise, enterprise_id, certs):
        category_id, category_names = categories[product["category"]]
        facts.append(ProductFacts(
            id=len(facts) + 1, slug=product["slug"], enterprise_id=enterprise_id, category_id=category_id,
            name_th=product["name_th"], name_en=product.get("name_en"),
            summary_th=product.get("summary_th"), summary_en=product.get("summary_en"),
            description_th=product.get("description_th"), description_en=product.get("description_en"),
            tags=tuple(product.get("tags", ())), category_names=category_names,
            enterprise_names=tuple(n for n in (enterprise["name_th"], enterprise.get("name_en")) if n),
            place_names=places(enterprise), province_code=enterprise["province_code"],
            cert_kinds=certs, cert_labels=tuple(label for kind in certs for label in cert_search_labels(kind)),
            price_satang=10_000, has_wholesale=False, created=base + timedelta(days=len(facts)),
            sales_count=int(product.get("sales", 0)),
        ))

    for e_index, enterprise in enumerate(ENTERPRISES, start=1):
        certs = tuple(kind for kind, *_rest in enterprise.get("certifications", ()))
        for product in enterprise["products"]:
            if product.get("status", "live") == "live":
                add(product, enterprise, e_index, certs)
    enterprises = {e["key"]: (i, e) for i, e in enumerate(second["enterprises"], start=100)}
    for product in second["products"]:
        e_id, enterprise = enterprises[product["enterprise"]]
        add(product, enterprise, e_id, ())
    return facts


def build_index(path: str, facts) -> float:
    """Index ``facts`` into a new index at ``path``; returns the seconds it took."""
    from whoosh import index as whoosh_index

    from shop.search.bulk import BulkWriter, analyse_documents
    from shop.search.schema import build_schema, product_document
    from shop.search.source import CERT_BITS

    started = time.perf_counter()
    ix = whoosh_index.create_in(path, build_schema(), indexname="products")
    writer = BulkWriter(ix)  # as `flask search reindex` writes
    writer.add_batch(analyse_documents(writer.plan, [product_document(fact, CERT_BITS) for fact in facts]))
    writer.commit(merge=False)
    return time.perf_counter() - started


@dataclass
class Score:
    recall: float
    top1: float
    rr: float
    results: list[str]


def score(query: LabelledQuery, results: list[str]) -> Score:
    if not query.expected:
        ok = 0.0 if results else 1.0
        return Score(ok, ok, ok, results)
    top = results[:10]
    recall = sum(1 for slug in query.expected if slug in top) / len(query.expected)
    rank = next((i for i, slug in enumerate(results, start=1) if slug in query.expected), None)
    return Score(recall, 1.0 if rank == 1 else 0.0, 1.0 / rank if rank else 0.0, results)


def run(queries: list[LabelledQuery] | None = None) -> tuple[dict[str, dict[str, float]], list[tuple]]:
    """``(figures per class and "overall", per-query rows)``; needs an app context."""
    from whoosh import index as whoosh_index

    from shop.search import engine, services

    queries = queries if queries is not None else load_queries()
    facts = catalogue_facts()
    slug_of = {f.id: f.slug for f in facts}
    with tempfile.TemporaryDirectory(prefix="relevance-") as folder:
        build_index(folder, facts)
        ix = whoosh_index.open_dir(folder, indexname="products")
        with ix.searcher() as searcher:
            cache = engine.SegmentCache()
            categories = services.empty_categories()
            rows = []
            for query in queries:
                outcome = services.compute_outcome(searcher, cache, services.SearchParams(q=query.query), categories)
                results = [slug_of[pid] for pid in outcome.product_ids]
                rows.append((query, score(query, results)))
    by_class: dict[str, list[Score]] = defaultdict(list)
    for query, s in rows:
        by_class[query.klass].append(s)
        by_class["overall"].append(s)
    figures = {
        klass: {
            "queries": len(scores),
            "recall@10": sum(s.recall for s in scores) / len(scores),
            "top-1": sum(s.top1 for s in scores) / len(scores),
            "MRR": sum(s.rr for s in scores) / len(scores),
        }
        for klass, scores in by_class.items()
    }
    return figures, rows


def table(figures: dict[str, dict[str, float]]) -> str:
    lines = ["| class | queries | recall@10 | top-1 | MRR |", "|---|---:|---:|---:|---:|"]
    for klass in [*[c for c in CLASSES if c in figures], "overall"]:
        f = figures[klass]
        lines.append(f"| {klass} | {f['queries']} | {f['recall@10']:.1%} | {f['top-1']:.1%} | {f['MRR']:.3f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-append", action="store_true", help="print only; do not append to docs/benchmarks.md")
    parser.add_argument("--show-failures", action="store_true", help="list queries that miss or rank wrongly")
    parser.add_argument("--label", default="", help="a note for the heading (e.g. what changed)")
    args = parser.parse_args()
    os.environ.setdefault("PYTHAINLP_DATA", str(ROOT / "instance" / "pythainlp-data"))
    sys.path.insert(0, str(ROOT))
    from shop import create_app

    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SEARCH_INDEXER": "off"})
    started = time.perf_counter()
    with app.app_context():
        figures, rows = run()
    elapsed = time.perf_counter() - started
    if args.show_failures:
        for query, s in rows:
            if s.recall < 1 or s.top1 < 1:
                print(f"{query.klass:10} {query.query!r:34} r={s.recall:.2f} top1={s.top1:.0f} "
                      f"want={'|'.join(query.expected) or '-'} got={s.results[:4]}")
    text = table(figures)
    print(text)
    print(f"({len(rows)} queries in {elapsed:.1f} s, index included)")
    if not args.no_append:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from _harness import append_results

        title = "Search relevance" + (f" ({args.label})" if args.label else "")
        append_results(title, f"{len(rows)} labelled queries, tests/data/relevance/.\n\n{text}")


if __name__ == "__main__":
    main()
