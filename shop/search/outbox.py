"""Session events that keep the search outbox in step with catalogue changes.

After every flush, the changed catalogue rows (products and what their search document
is made of: variants, wholesale tiers, tags, certifications, photos, the enterprise and
the category) become ``search_outbox`` rows inserted on the flush's own connection, so
they belong to the same transaction as the change. After a commit that wrote such rows
the in-process indexer is nudged (see ``indexer.notify_committed``). A change to those
rows that alters no search document but shows on the storefront (stock, a rating, a
track stage) becomes an ``OP_PAGE`` row, which the indexer skips and the page cache
counts (docs/caching.md).

Bulk statements (``update(Product)…`` executed directly, Core inserts such as
``flask demo generate``) bypass these events: code that changes indexed fields that
way calls :func:`enqueue_products`, code that changes what only pages show
:func:`enqueue_pages` or :func:`enqueue_variant_pages`, and bulk loads are followed by
``flask search reindex``.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import current_app, has_app_context
from sqlalchemy import bindparam, event, insert, inspect, literal, select
from sqlalchemy.orm import Session, SessionTransaction

from shop.catalog.models import (
    Category,
    Certification,
    Enterprise,
    Product,
    ProductPhoto,
    ProductTag,
    Variant,
    WholesaleTier,
)
from shop.dbtypes import utcnow
from shop.search.indexer import notify_committed
from shop.search.models import OP_CATEGORY, OP_ENTERPRISE, OP_PAGE, OP_PRODUCT, SearchOutbox

_FLAG = "search_outbox_written"

# Attribute changes that do not alter a search document.
_PRODUCT_IGNORED = frozenset({"updated_at", "rating_sum", "rating_count", "status_reason", "is_featured"})
_VARIANT_INDEXED = frozenset({"price_satang", "is_active", "product_id"})
_ENTERPRISE_INDEXED = frozenset(
    {"status", "name_th", "name_en", "village", "subdistrict", "district", "province_code"}
)
_CATEGORY_INDEXED = frozenset({"name_th", "name_en", "parent_id"})
# Changes that not even a page shows.
_UNSEEN = frozenset({"updated_at"})


def _changed_attrs(obj) -> set[str]:
    state = inspect(obj)
    return {attr.key for attr in state.attrs if attr.history.has_changes()}


class _Changes:
    def __init__(self) -> None:
        self.products: set[int] = set()
        self.enterprises: set[int] = set()
        self.categories: set[int] = set()
        self.variants: set[int] = set()  # product looked up after the flush
        self.page_products: set[int] = set()  # OP_PAGE rows
        self.other_pages = False  # one OP_PAGE row naming no product

    def __bool__(self) -> bool:
        return bool(self.products or self.enterprises or self.categories or self.variants
                    or self.page_products or self.other_pages)

    def rows(self) -> list[dict]:
        # One executemany needs every row to have the same keys.
        now = utcnow()
        empty = {"product_id": None, "enterprise_id": None, "category_id": None, "created_at": now}
        rows = [{**empty, "op": OP_PRODUCT, "product_id": pid} for pid in sorted(self.products)]
        rows += [{**empty, "op": OP_ENTERPRISE, "enterprise_id": eid} for eid in sorted(self.enterprises)]
        rows += [{**empty, "op": OP_CATEGORY, "category_id": cid} for cid in sorted(self.categories)]
        pages = sorted(self.page_products - self.products)
        rows += [{**empty, "op": OP_PAGE, "product_id": pid} for pid in pages]
        if self.other_pages and not rows:
            rows.append({**empty, "op": OP_PAGE})
        return rows


def _collect(changes: _Changes, obj, kind: str) -> None:
    """``kind`` is "new", "dirty" or "deleted"."""
    changed = _changed_attrs(obj) if kind == "dirty" else set()
    seen = kind != "dirty" or bool(changed - _UNSEEN)
    if isinstance(obj, Product):
        if kind != "dirty" or changed - _PRODUCT_IGNORED:
            changes.products.add(obj.id)
        elif seen:
            changes.page_products.add(obj.id)
    elif isinstance(obj, Variant):
        if kind != "dirty" or changed & _VARIANT_INDEXED:
            changes.products.add(obj.product_id)
            if kind == "dirty":
                old = inspect(obj).attrs.product_id.history.deleted
                changes.products.update(p for p in old if p is not None)
        elif seen and obj.product_id is not None:
            changes.page_products.add(obj.product_id)
    elif isinstance(obj, WholesaleTier):
        if obj.variant_id is not None:
            changes.variants.add(obj.variant_id)
    elif isinstance(obj, ProductTag | ProductPhoto):
        if obj.product_id is not None:
            changes.products.add(obj.product_id)
    elif isinstance(obj, Certification):
        if obj.product_id is not None:
            changes.products.add(obj.product_id)
        elif obj.enterprise_id is not None:
            changes.enterprises.add(obj.enterprise_id)
    elif isinstance(obj, Enterprise):
        if kind != "dirty" or changed & _ENTERPRISE_INDEXED:
            changes.enterprises.add(obj.id)
        elif seen:
            changes.other_pages = True
    elif isinstance(obj, Category):
        if kind == "dirty" and changed & _CATEGORY_INDEXED:
            changes.categories.add(obj.id)
        elif seen:
            changes.other_pages = True


_TRACKED = (Product, Variant, WholesaleTier, ProductTag, ProductPhoto, Certification, Enterprise, Category)
# Rows of the areas above whose changes only pages show (``track_page_models``).
_PAGE_ONLY: tuple[type, ...] = ()


def track_page_models(*models: type) -> None:
    """Count changes to rows of ``models`` (an upper area's, e.g. experiences and their
    sessions on the province and enterprise pages) as ``OP_PAGE`` rows naming no
    product, so cached pages follow them (docs/caching.md)."""
    global _PAGE_ONLY
    _PAGE_ONLY = tuple(dict.fromkeys(_PAGE_ONLY + models))


def _after_flush(session: Session, _flush_context) -> None:
    # In after_flush the new/dirty/deleted collections and attribute histories still
    # show what this flush wrote, and new rows already have their primary keys.
    changes = _Changes()
    for kind, objects in (("new", session.new), ("dirty", session.dirty), ("deleted", session.deleted)):
        for obj in objects:
            if isinstance(obj, _TRACKED):
                _collect(changes, obj, kind)
            elif _PAGE_ONLY and isinstance(obj, _PAGE_ONLY) and (kind != "dirty" or _changed_attrs(obj) - _UNSEEN):
                changes.other_pages = True
    if not changes:
        return
    connection = session.connection()
    if changes.variants:
        found = connection.execute(
            select(Variant.product_id).where(Variant.id.in_(sorted(changes.variants)))
        ).scalars()
        changes.products.update(found)
    changes.products.discard(None)
    changes.page_products.discard(None)
    rows = changes.rows()
    if rows:
        connection.execute(insert(SearchOutbox.__table__), rows)
        session.info[_FLAG] = True


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released (``transaction()`` nested): the rows are not committed yet
    if not session.info.pop(_FLAG, False):
        return
    if has_app_context():
        notify_committed(current_app._get_current_object())


def _after_rollback(session: Session, previous: SessionTransaction) -> None:
    # Only the outermost transaction's rollback takes every row back: after a savepoint's
    # the rows written before it remain (a nudge for nothing costs one empty drain).
    if previous.parent is None:
        session.info.pop(_FLAG, None)


def enqueue_products(session: Session, product_ids: Iterable[int]) -> None:
    """Queue products for re-indexing in ``session``'s transaction (for code that
    changes indexed fields with bulk statements, which skip the session events)."""
    now = utcnow()
    rows = [{"op": OP_PRODUCT, "product_id": int(pid), "created_at": now} for pid in sorted(set(product_ids))]
    if rows:
        session.execute(insert(SearchOutbox.__table__), rows)
        session.info[_FLAG] = True


def enqueue_enterprises(session: Session, enterprise_ids: Iterable[int]) -> None:
    """Queue enterprises (and so their products) for re-indexing, as ``enqueue_products``."""
    now = utcnow()
    rows = [{"op": OP_ENTERPRISE, "enterprise_id": int(eid), "created_at": now} for eid in sorted(set(enterprise_ids))]
    if rows:
        session.execute(insert(SearchOutbox.__table__), rows)
        session.info[_FLAG] = True


def enqueue_pages(session: Session, product_ids: Iterable[int]) -> None:
    """Record, in ``session``'s transaction, that these products' pages changed but
    not their search documents (``OP_PAGE``: a rating moved by an UPDATE statement)."""
    now = utcnow()
    rows = [{"op": OP_PAGE, "product_id": int(pid), "created_at": now} for pid in sorted(set(product_ids))]
    if rows:
        session.execute(insert(SearchOutbox.__table__), rows)


def enqueue_other_pages(session: Session) -> None:
    """Record, in ``session``'s transaction, that pages changed without naming a
    product (an UPDATE statement on a row ``track_page_models`` follows: the seats
    left on an experience's session)."""
    session.execute(insert(SearchOutbox.__table__), [{"op": OP_PAGE, "created_at": utcnow()}])


def enqueue_variant_pages(session: Session, variant_ids: Iterable[int]) -> None:
    """As ``enqueue_pages`` for the products of these options (stock taken or given
    back by UPDATE statements), in one INSERT … SELECT."""
    ids = sorted({int(vid) for vid in variant_ids})
    if not ids:
        return
    session.execute(_INSERT_VARIANT_PAGES, {"variant_ids": ids, "now": utcnow()})


# ``enqueue_variant_pages``'s INSERT … SELECT, built once: each call passes its variant
# ids and the time.
_INSERT_VARIANT_PAGES = insert(SearchOutbox.__table__).from_select(
    ["op", "product_id", "created_at"],
    select(literal(OP_PAGE), Variant.product_id, bindparam("now", type_=SearchOutbox.created_at.type))
    .where(Variant.id.in_(bindparam("variant_ids", expanding=True))).distinct(),
)


# The three ``enqueue_*pages`` above do not wake the indexer after the commit: page
# rows change no search document, and the pages read the log themselves
# (``page_cache``); the indexer steps over them at its next poll or drain, many at once.
# Waking it for each would cost a drain per order in a busy sale.


_installed = False


def install_session_events() -> None:
    """Listen on every SQLAlchemy session (once per process)."""
    global _installed
    if _installed:
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "after_commit", _after_commit)
    event.listen(Session, "after_soft_rollback", _after_rollback)
    _installed = True
