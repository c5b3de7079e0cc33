"""JSON API speed: the catalogue endpoints (product lists, product detail,
enterprises, search) under gunicorn (2 sync workers), beside a minimal Flask page on
the same server settings, on SQLite and PostgreSQL.

    .venv/bin/python bench/api.py --products 20000 100000 --databases sqlite postgresql

The catalogues are bench/storefront.py's (the curated demo plus ``flask demo generate
--products N --seed 42`` and its search index; ``--reuse`` keeps them). Rate limits are off
(``RATELIMIT_ENABLED=0``), as in the other benchmarks: they would be measured, not the
API. The rows, measured as bench/storefront.py measures its pages (wrk at 4 and 32
connections, rotating URLs, production settings): ``GET /api/v1/products`` (pages 1–5
of the whole catalogue, then the first three pages of every category, newest and
cheapest first), ``GET /api/v1/products/{id}`` (2,000 products),
``GET /api/v1/enterprises`` (pages 1–5), ``GET /api/v1/enterprises/{id}`` (every
approved enterprise, up to 2,000) and ``GET /api/v1/search``. Figures are printed and
appended to docs/benchmarks.md (not with ``--no-append``).
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _harness import query  # noqa: E402
from storefront import add_arguments, run, visible_products  # noqa: E402

WORDS = ["กาแฟ", "coffee", "ข้าว", "rice", "มะนาวผง", "honey", "soap", "ผ้าทอ", "tea", "chili"]


def sample_paths(env: dict[str, str], count: int = 2000) -> dict[str, list[str]]:
    rng = random.Random(11)
    categories = [row[0] for row in query(env, "SELECT slug FROM categories ORDER BY id")]
    visible = visible_products(env)
    picked = rng.sample(visible, min(count, len(visible)))
    enterprises = [row[0] for row in query(
        env, "SELECT id FROM enterprises WHERE status = 'approved' ORDER BY id LIMIT ?", (count,))]
    lists = [f"/api/v1/products?page={page}" for page in range(1, 6)]
    lists += [f"/api/v1/products?category={c}&page={p}&sort={s}"
              for s in ("newest", "price_asc") for p in (1, 2, 3) for c in categories]
    return {
        f"GET /api/v1/products ({len(lists)} pages)": lists,
        f"GET /api/v1/products/{{id}} ({len(picked):,})": [f"/api/v1/products/{pid}" for pid, _slug in picked],
        "GET /api/v1/enterprises (pages 1–5)": [f"/api/v1/enterprises?page={p}" for p in range(1, 6)],
        f"GET /api/v1/enterprises/{{id}} ({len(enterprises)})": [f"/api/v1/enterprises/{eid}" for eid in enterprises],
        "GET /api/v1/search (20 queries)": [f"/api/v1/search?q={quote(w)}" for w in WORDS]
                                           + [f"/api/v1/search?q={quote(w)}&page=2" for w in WORDS],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    add_arguments(parser, products=[20_000])
    args = parser.parse_args()
    run("JSON API catalogue", args, sample_paths)


if __name__ == "__main__":
    main()
