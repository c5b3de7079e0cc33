"""Reads what the index needs from the database, through the catalogue's visibility rule.

The indexer works in its own short-lived sessions (never the request's session). It
reads plain rows, not ORM objects: products in batches, then their tags,
certifications and active variants (with "has wholesale tiers") in one query each, and
enterprises and categories once. At 100,000 products this is several times faster
than loading the object graph, and the rule is the catalogue's own
``visible_product_condition`` (live product, approved enterprise).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from flask_babel import force_locale
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from shop.catalog.certifications import KINDS
from shop.catalog.models import Category, Certification, Enterprise, Product, ProductTag, Variant, WholesaleTier
from shop.catalog.services import visible_product_condition
from shop.database import end_read
from shop.geo import province_by_code
from shop.search.schema import ProductFacts

#: Bit number of each certification kind in the ``cert_mask`` column.
CERT_BITS: dict[str, int] = {code: bit for bit, code in enumerate(KINDS)}


_cert_labels_cache: dict[str, tuple[str, ...]] = {}


def cert_search_labels(kind: str) -> tuple[str, ...]:
    """A certification's names in Thai and English (what a shopper may type)."""
    if kind not in _cert_labels_cache:
        found = KINDS.get(kind)
        labels: list[str] = [kind]
        if found is not None:
            for locale in ("th", "en"):
                with force_locale(locale):
                    labels += [str(found.label), str(found.short)]
        _cert_labels_cache[kind] = tuple(dict.fromkeys(labels))
    return _cert_labels_cache[kind]


@dataclass(frozen=True)
class _EnterpriseRow:
    status: str
    names: tuple[str, ...]
    places: tuple[str, ...]
    province_code: str


class _Reference:
    """Enterprises and categories, read once per drain or rebuild (they are few)."""

    def __init__(self, session: Session):
        self.categories: dict[int, tuple[int | None, tuple[str, ...]]] = {
            row.id: (row.parent_id, tuple(n for n in (row.name_th, row.name_en) if n))
            for row in session.execute(select(Category.id, Category.parent_id, Category.name_th, Category.name_en))
        }
        self.enterprises: dict[int, _EnterpriseRow] = {}
        self.enterprise_certs: dict[int, list[str]] = {}
        self._session = session

    def enterprise(self, enterprise_id: int) -> _EnterpriseRow:
        if enterprise_id not in self.enterprises:
            self.load_enterprises([enterprise_id])
        return self.enterprises[enterprise_id]

    def load_enterprises(self, ids: Iterable[int]) -> None:
        missing = sorted(set(ids) - set(self.enterprises))
        for start in range(0, len(missing), 900):
            chunk = missing[start:start + 900]
            rows = self._session.execute(select(
                Enterprise.id, Enterprise.status, Enterprise.name_th, Enterprise.name_en, Enterprise.village,
                Enterprise.subdistrict, Enterprise.district, Enterprise.province_code,
            ).where(Enterprise.id.in_(chunk)))
            for row in rows:
                province = province_by_code(row.province_code)
                places = (row.village, row.subdistrict, row.district,
                          province.name_th if province else None, province.name_en if province else None)
                self.enterprises[row.id] = _EnterpriseRow(
                    row.status, tuple(n for n in (row.name_th, row.name_en) if n),
                    tuple(p for p in places if p), row.province_code,
                )
                self.enterprise_certs.setdefault(row.id, [])
            certs = self._session.execute(select(Certification.enterprise_id, Certification.kind).where(
                Certification.enterprise_id.in_(chunk), Certification.product_id.is_(None)))
            for enterprise_id, kind in certs:
                self.enterprise_certs.setdefault(enterprise_id, []).append(kind)

    def category_names(self, category_id: int) -> tuple[str, ...]:
        names: list[str] = []
        seen: set[int] = set()
        current: int | None = category_id
        while current is not None and current not in seen and current in self.categories:
            seen.add(current)
            parent, own = self.categories[current]
            names += own
            current = parent
        return tuple(names)


_PRODUCT_COLUMNS = (
    Product.id, Product.slug, Product.enterprise_id, Product.category_id, Product.name_th, Product.name_en,
    Product.summary_th, Product.summary_en, Product.description_th, Product.description_en,
    Product.published_at, Product.created_at, Product.min_price_satang, Product.sales_count,
)


def _facts_for_rows(session: Session, reference: _Reference, rows: list) -> list[ProductFacts]:
    """Product rows (``_PRODUCT_COLUMNS``) to facts, reading their tags, certifications
    and variants in one query each."""
    if not rows:
        return []
    ids = [row.id for row in rows]
    reference.load_enterprises({row.enterprise_id for row in rows})
    tags: dict[int, list[str]] = {}
    certs: dict[int, list[str]] = {}
    prices: dict[int, list[int]] = {}
    wholesale: set[int] = set()
    for start in range(0, len(ids), 900):
        chunk = ids[start:start + 900]
        for product_id, tag in session.execute(
                select(ProductTag.product_id, ProductTag.tag).where(ProductTag.product_id.in_(chunk))
                .order_by(ProductTag.id)):
            tags.setdefault(product_id, []).append(tag)
        for product_id, kind in session.execute(
                select(Certification.product_id, Certification.kind).where(Certification.product_id.in_(chunk))):
            certs.setdefault(product_id, []).append(kind)
        has_tiers = select(WholesaleTier.id).where(WholesaleTier.variant_id == Variant.id).exists()
        for product_id, price, tiered in session.execute(
                select(Variant.product_id, Variant.price_satang, has_tiers)
                .where(Variant.product_id.in_(chunk), Variant.is_active.is_(True))):
            prices.setdefault(product_id, []).append(price)
            if tiered:
                wholesale.add(product_id)
    out = []
    for row in rows:
        enterprise = reference.enterprise(row.enterprise_id)
        kinds = tuple(dict.fromkeys(certs.get(row.id, []) + reference.enterprise_certs.get(row.enterprise_id, [])))
        variant_prices = prices.get(row.id)
        out.append(ProductFacts(
            id=row.id,
            slug=row.slug,
            enterprise_id=row.enterprise_id,
            category_id=row.category_id,
            name_th=row.name_th,
            name_en=row.name_en,
            summary_th=row.summary_th,
            summary_en=row.summary_en,
            description_th=row.description_th,
            description_en=row.description_en,
            tags=tuple(tags.get(row.id, ())),
            category_names=reference.category_names(row.category_id),
            enterprise_names=enterprise.names,
            place_names=enterprise.places,
            province_code=enterprise.province_code,
            cert_kinds=kinds,
            cert_labels=tuple(label for kind in kinds for label in cert_search_labels(kind)),
            price_satang=row.min_price_satang or (min(variant_prices) if variant_prices else 0),
            has_wholesale=row.id in wholesale,
            created=row.published_at or row.created_at,
            sales_count=row.sales_count or 0,
        ))
    return out


def _visible_rows(session: Session):
    return select(*_PRODUCT_COLUMNS).join(Enterprise, Enterprise.id == Product.enterprise_id) \
        .where(visible_product_condition())


def load_products(session: Session, product_ids: Iterable[int]) -> tuple[list[ProductFacts], set[int]]:
    """Facts for the visible ones among ``product_ids``, and the ids to remove."""
    ids = sorted(set(product_ids))
    if not ids:
        return [], set()  # a drain of page changes only: no categories to read
    reference = _Reference(session)
    visible: list[ProductFacts] = []
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        rows = list(session.execute(_visible_rows(session).where(Product.id.in_(chunk))))
        visible += _facts_for_rows(session, reference, rows)
    return visible, set(ids) - {f.id for f in visible}


def product_ids_of(session: Session, *, enterprise_id: int | None = None, category_id: int | None = None) -> list[int]:
    stmt = select(Product.id)
    if enterprise_id is not None:
        stmt = stmt.where(Product.enterprise_id == enterprise_id)
    if category_id is not None:
        stmt = stmt.where(Product.category_id == category_id)
    return list(session.scalars(stmt))


def iter_visible_batches(session: Session, batch_size: int = 1000) -> Iterator[list[ProductFacts]]:
    """Every visible product, in id order, one short transaction per batch (so a
    rebuild never holds a database lock for long)."""
    reference = _Reference(session)
    end_read(session)
    last_id = 0
    while True:
        stmt = _visible_rows(session).where(Product.id > last_id).order_by(Product.id).limit(batch_size)
        rows = list(session.execute(stmt))
        if not rows:
            end_read(session)
            return
        last_id = rows[-1].id
        batch = _facts_for_rows(session, reference, rows)
        end_read(session)  # the facts are plain data
        yield batch


def visible_id_ranges(session: Session, batch_size: int) -> list[tuple[int, int | None]]:
    """The visible products cut into ranges of ``batch_size`` ids, as ``(after,
    through)`` pairs covering every id (the last open-ended: a product made visible
    meanwhile is read too)."""
    ids = list(session.scalars(select(Product.id).join(Enterprise, Enterprise.id == Product.enterprise_id)
                               .where(visible_product_condition()).order_by(Product.id)))
    ranges: list[tuple[int, int | None]] = []
    after = 0
    for start in range(0, len(ids), batch_size):
        through = ids[min(start + batch_size, len(ids)) - 1]
        ranges.append((after, through))
        after = through
    if not ranges:
        return [(0, None)]
    ranges[-1] = (ranges[-1][0], None)
    return ranges


class RangeReader:
    """Reads the visible products of id ranges, one short transaction each, with the
    categories and enterprises kept between ranges (they are few)."""

    def __init__(self, session: Session):
        self.session = session
        self.reference = _Reference(session)
        end_read(session)

    def read(self, after: int, through: int | None) -> list[ProductFacts]:
        stmt = _visible_rows(self.session).where(Product.id > after)
        if through is not None:
            stmt = stmt.where(Product.id <= through)
        rows = list(self.session.execute(stmt.order_by(Product.id)))
        facts = _facts_for_rows(self.session, self.reference, rows)
        end_read(self.session)  # the facts are plain data
        return facts


def count_visible(session: Session) -> int:
    stmt = select(func.count(Product.id)).join(Enterprise, Enterprise.id == Product.enterprise_id) \
        .where(visible_product_condition())
    return int(session.scalar(stmt) or 0)
