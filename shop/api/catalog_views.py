"""The catalogue in the API: products, enterprises, categories and search
(docs/product.md: Catalogue, Search, Contracts).

Readable without a token; a token that is sent must be valid. Every answer goes
through the storefront's services and its visibility rule (a product is shown when it
is live and its enterprise approved), so the API shows exactly what the pages show
and hides what they hide: a draft, a paused listing or an unapproved enterprise's
product is "not found" here too, and wholesale prices are given only to verified
retail buyers, as on the product page.

Lists are ordered as the storefront orders them and end on a unique column, so pages
never overlap or skip an item while the catalogue stays the same.

Answers to clients without a token are kept by the page cache until the catalogue
changes (``cached=True``; search until the catalogue or this host's index changes,
``cached=search_services.page_cache_key``; not reviews), and the lists' totals are
counted once per catalogue generation (docs/caching.md).
"""

from __future__ import annotations

import math
import re

from flask import g, url_for
from flask_babel import lazy_gettext as _l

from shop import storage
from shop.api.blueprint import API_PREFIX
from shop.api.catalog_schemas import (
    Badge,
    Category,
    CategoryList,
    CategoryRef,
    EnterpriseDetail,
    EnterpriseList,
    EnterpriseListQuery,
    EnterpriseRef,
    EnterpriseSummary,
    Facet,
    FacetOption,
    MapPoint,
    Photo,
    ProductDetail,
    ProductList,
    ProductListQuery,
    ProductSummary,
    Province,
    RatingSummary,
    Review,
    ReviewList,
    ReviewListQuery,
    ReviewReply,
    SearchHit,
    SearchQuery,
    SearchResults,
    TrackStep,
    Variant,
    WholesaleTier,
)
from shop.api.routing import AUTH_OPTIONAL, operation
from shop.api.schemas import PageMeta, money, paginate
from shop.cart.services import max_line_quantity
from shop.catalog import pricing
from shop.catalog import services as catalog
from shop.catalog.models import Enterprise, Product
from shop.catalog.models import Variant as VariantRow
from shop.errors import DomainError, NotFound, ValidationFailed
from shop.geo import province_by_code, province_by_slug
from shop.i18n import current_language
from shop.reviews import ratings as review_ratings
from shop.reviews import services as review_services
from shop.search import services as search_services

TAG = "catalogue"

_SLUG = re.compile(r"[A-Za-z0-9_-]{1,160}")

_AVAILABILITY = {"in": "in_stock", "low": "low", "out": "sold_out"}
_AVAILABILITY_LABELS = {
    "in_stock": _l("In stock"),
    "low": _l("Only a few left"),
    "sold_out": _l("Out of stock"),
}


class SearchUnavailable(DomainError):
    status_code = 503
    code = "search_unavailable"
    default_message = _l("Search is being rebuilt and will be back in a minute. "
                         "Meanwhile you can browse by category.")


# ------------------------------------------------------------------------ building answers


def _photo(photo, folder: str) -> Photo:
    return Photo(
        thumb_url=storage.image_url(folder, photo.image_key, "thumb"),
        card_url=storage.image_url(folder, photo.image_key, "card"),
        full_url=storage.image_url(folder, photo.image_key, "full"),
        width=photo.width, height=photo.height, alt_th=photo.alt_th, alt_en=photo.alt_en,
    )


def _province(code: str | None) -> Province | None:
    province = province_by_code(code)
    if province is None:
        return None
    return Province(code=province.code, slug=province.slug, name_th=province.name_th, name_en=province.name_en)


def _category_ref(category) -> CategoryRef:
    return CategoryRef(id=category.id, slug=category.slug, name_th=category.name_th, name_en=category.name_en,
                       parent_id=category.parent_id)


def _enterprise_ref(enterprise: Enterprise) -> EnterpriseRef:
    return EnterpriseRef(
        id=enterprise.id, slug=enterprise.slug, name_th=enterprise.name_th, name_en=enterprise.name_en,
        province=_province(enterprise.province_code),
        url=url_for("catalog.enterprise", slug=enterprise.slug),
    )


def _badge(badge: catalog.Badge) -> Badge:
    return Badge(kind=badge.kind, label=badge.label, short=badge.short, number=badge.number, stars=badge.stars)


def _average(product: Product) -> float | None:
    average = product.rating_average
    return round(average, 2) if average is not None else None


def _summary_fields(product: Product, locale: str) -> dict:
    low, high = catalog.price_range(product)
    cover = product.cover_photo
    return {
        "id": product.id, "slug": product.slug, "name_th": product.name_th, "name_en": product.name_en,
        "summary_th": product.summary_th, "summary_en": product.summary_en,
        "price_min": money(low, locale), "price_max": money(high, locale),
        "in_stock": product.in_stock, "has_wholesale": product.has_wholesale,
        "rating_average": _average(product), "rating_count": product.rating_count,
        "published_at": product.published_at,
        "cover_photo": _photo(cover, "products") if cover is not None else None,
        "category": _category_ref(product.category),
        "enterprise": _enterprise_ref(product.enterprise),
        "url": url_for("catalog.product", slug=product.slug),
    }


def product_summary(product: Product, locale: str) -> ProductSummary:
    return ProductSummary(**_summary_fields(product, locale))


def _variant(variant: VariantRow, locale: str, *, show_wholesale: bool) -> Variant:
    availability = _AVAILABILITY[catalog.stock_level(variant)]
    available = 0 if availability == "sold_out" else min(int(variant.stock), max_line_quantity())
    tiers = None
    if show_wholesale:
        tiers = [WholesaleTier(min_quantity=t.min_quantity, unit_price=money(t.unit_price_satang, locale))
                 for t in pricing.applicable_tiers(variant)]
    return Variant(
        id=variant.id, sku=variant.sku, name_th=variant.name_th, name_en=variant.name_en, gtin13=variant.gtin13,
        price=money(variant.price_satang, locale), weight_grams=variant.weight_grams, moq=variant.moq,
        case_pack=variant.case_pack, lead_time_days=variant.lead_time_days, availability=availability,
        availability_label=str(_AVAILABILITY_LABELS[availability]), available_quantity=available,
        wholesale_tiers=tiers,
    )


def _may_see_wholesale() -> bool:
    return pricing.buys_wholesale(g.get("api_user"))


# ------------------------------------------------------------------------ products


def _category_ids(slug: str) -> list[int]:
    """The category and every category under it; a slug we do not have is refused."""
    try:
        category = catalog.category_by_slug(slug)
    except NotFound:
        message = _l("We do not have that category.")
        raise ValidationFailed(message, fields={"category": message}) from None
    return catalog.category_ids_with_descendants(category.id)


def _enterprise_id(slug: str) -> int:
    try:
        return catalog.enterprise_by_slug(slug).id
    except NotFound as exc:
        raise ValidationFailed(exc.message, fields={"enterprise": exc.message}) from None


@operation("GET", "/products", summary="List products on sale", tag=TAG, response=ProductList,
           query=ProductListQuery, auth_mode=AUTH_OPTIONAL, cached=True,
           description="The products shoppers can buy, filtered as on the storefront (category with its "
                       "sub-categories, enterprise, province, featured) and sorted as it sorts them.")
def list_products(query: ProductListQuery):
    locale = current_language()
    stmt = catalog.visible_products(
        category_ids=_category_ids(query.category) if query.category is not None else None,
        enterprise_id=_enterprise_id(query.enterprise) if query.enterprise is not None else None,
        province_code=province_by_slug(query.province).code if query.province is not None else None,
        featured=query.featured, sort=query.sort,
    )
    rows, meta = paginate(catalog.with_summary_data(stmt), query, catalogue_list=(
        "products", query.category, query.enterprise, query.province, query.featured))
    return ProductList(data=[product_summary(p, locale) for p in rows], meta=meta)


def _product_detail(product: Product) -> ProductDetail:
    locale = current_language()
    page = catalog.build_product_page(product, with_more=False)
    product = page.product
    show_wholesale = _may_see_wholesale()
    return ProductDetail(
        **_summary_fields(product, locale),
        description_th=product.description_th, description_en=product.description_en,
        photos=[_photo(p, "products") for p in product.photos],
        variants=[_variant(v, locale, show_wholesale=show_wholesale) for v in product.active_variants],
        tags=[t.tag for t in sorted(product.tags, key=lambda t: t.tag)],
        certifications=[_badge(b) for b in page.badges],
        wholesale_visible=show_wholesale,
    )


@operation("GET", "/products/<id:product_id>", summary="A product on sale, with its options", tag=TAG,
           response=ProductDetail, auth_mode=AUTH_OPTIONAL, cached=True,
           description="Prices, stock availability, photos, certifications and the enterprise. A product "
                       "that is not on sale (a draft, paused, or of an enterprise not approved) is 404.")
def product_detail(product_id: int):
    return _product_detail(catalog.product_by_id(product_id))


@operation("GET", "/products/by-slug/<slug>", summary="A product on sale, by its storefront slug", tag=TAG,
           response=ProductDetail, auth_mode=AUTH_OPTIONAL, cached=True,
           description="As `GET /products/{product_id}`, for the slug in `/products/<slug>` on the storefront.")
def product_by_slug(slug: str):
    if not _SLUG.fullmatch(slug):
        # No product has such a slug; the database is not asked (a NUL byte is an error there).
        raise NotFound(_l("We could not find that product. It may no longer be on sale."))
    return _product_detail(catalog.product_by_slug(slug))


def _review(review) -> Review:
    line = review.line
    reply = (ReviewReply(text=review.reply_body, replied_at=review.reply_at)
             if review.reply_body and review.reply_at else None)
    return Review(
        id=review.id, rating=review.rating, title=review.title, text=review.body, author=review.author_name,
        verified_purchase=True, option_th=line.variant_name_th, option_en=line.variant_name_en,
        created_at=review.created_at, reply=reply,
    )


@operation("GET", "/products/<slug>/reviews", summary="A product's reviews", tag=TAG, response=ReviewList,
           query=ReviewListQuery, auth_mode=AUTH_OPTIONAL,
           description="The rating summary and the reviews of verified buyers, newest first. Reviews hidden "
                       "by the programme staff are neither listed nor counted. A product that is not on sale "
                       "is 404.")
def product_reviews(slug: str, query: ReviewListQuery):
    if not _SLUG.fullmatch(slug):
        raise NotFound(_l("We could not find that product. It may no longer be on sale."))
    product = catalog.product_by_slug(slug)
    rows, meta = paginate(review_services.visible_reviews(product.id), query)
    summary = RatingSummary(
        average=_average(product), count=product.rating_count,
        distribution={str(k): v for k, v in review_ratings.distribution(product.id).items()},
    )
    return ReviewList(summary=summary, data=[_review(r) for r in rows], meta=meta)


# ------------------------------------------------------------------------ enterprises


def _enterprise_summary_fields(enterprise: Enterprise) -> dict:
    cover = enterprise.photos[0] if enterprise.photos else None
    return {
        "id": enterprise.id, "slug": enterprise.slug, "name_th": enterprise.name_th, "name_en": enterprise.name_en,
        "tagline_th": enterprise.tagline_th, "tagline_en": enterprise.tagline_en, "village": enterprise.village,
        "province": _province(enterprise.province_code),
        "cover_photo": _photo(cover, "enterprises") if cover is not None else None,
        "url": url_for("catalog.enterprise", slug=enterprise.slug),
    }


@operation("GET", "/enterprises", summary="List community enterprises", tag=TAG, response=EnterpriseList,
           query=EnterpriseListQuery, auth_mode=AUTH_OPTIONAL, cached=True,
           description="Approved community enterprises by name in the response language, then id.")
def list_enterprises(query: EnterpriseListQuery):
    locale = current_language()
    province_code = province_by_slug(query.province).code if query.province is not None else None
    rows, meta = paginate(catalog.approved_enterprises(province_code=province_code, locale=locale), query,
                          catalogue_list=("enterprises", query.province))
    return EnterpriseList(data=[EnterpriseSummary(**_enterprise_summary_fields(e)) for e in rows], meta=meta)


@operation("GET", "/enterprises/<id:enterprise_id>", summary="A community enterprise", tag=TAG,
           response=EnterpriseDetail, auth_mode=AUTH_OPTIONAL, cached=True,
           description="Its story, place, track stage and certifications. An enterprise that is not approved is 404.")
def enterprise_detail(enterprise_id: int):
    enterprise = catalog.enterprise_by_id(enterprise_id)
    has_point = enterprise.latitude is not None and enterprise.longitude is not None
    return EnterpriseDetail(
        **_enterprise_summary_fields(enterprise),
        story_th=enterprise.story_th, story_en=enterprise.story_en,
        subdistrict=enterprise.subdistrict, district=enterprise.district,
        registration_no=enterprise.registration_no,
        map_point=MapPoint(latitude=enterprise.latitude, longitude=enterprise.longitude) if has_point else None,
        track_stage=enterprise.track_stage,
        track=[TrackStep(code=s.code, label=s.label, description=s.description, state=s.state)
               for s in catalog.track_progress(enterprise)],
        certifications=[_badge(catalog.certification_badge(c)) for c in enterprise.certifications],
        photos=[_photo(p, "enterprises") for p in enterprise.photos],
        product_count=catalog.visible_product_count(enterprise.id),
        products_url=f"{API_PREFIX}/products?enterprise={enterprise.slug}",
    )


# ------------------------------------------------------------------------ categories


@operation("GET", "/categories", summary="Every category", tag=TAG, response=CategoryList, auth_mode=AUTH_OPTIONAL,
           cached=True,
           description="Flat, in the shop's order; `parent_id` links a sub-category to its parent.")
def list_categories():
    return CategoryList(data=[
        Category(id=c.id, slug=c.slug, name_th=c.name_th, name_en=c.name_en, description_th=c.description_th,
                 description_en=c.description_en, parent_id=c.parent_id, position=c.position,
                 url=url_for("catalog.category", slug=c.slug))
        for c in catalog.all_categories()
    ])


# ------------------------------------------------------------------------ search

_SEARCH_FIELDS = ("q", "category", "province", "cert", "price", "wholesale", "sort", "page")


def _search_params(query: SearchQuery) -> search_services.SearchParams:
    """The storefront's search parameters; a value it refuses is a 422 naming the field."""
    raw = {
        "q": query.q, "category": query.category or "", "province": query.province or "",
        "cert": query.cert or "", "price": query.price or "", "wholesale": "1" if query.wholesale else "0",
        "sort": query.sort, "page": str(query.page),
    }
    try:
        return search_services.parse_params(raw)
    except search_services.BadSearchRequest as exc:
        fields = {}
        for name in _SEARCH_FIELDS:
            try:
                search_services.parse_params({name: raw[name]})
            except search_services.BadSearchRequest as one:
                fields[name] = str(one.message)
        raise ValidationFailed(exc.message, fields=fields or {"q": str(exc.message)}) from None


def _search_meta(page: int, total: int) -> PageMeta:
    per_page = search_services.PER_PAGE
    pages = min(search_services.MAX_PAGE, math.ceil(total / per_page)) if total else 0
    return PageMeta(page=page, per_page=per_page, total=total, pages=pages,
                    next_page=page + 1 if page < pages else None)


@operation("GET", "/search", summary="Search products, with facets", tag=TAG, response=SearchResults,
           query=SearchQuery, auth_mode=AUTH_OPTIONAL, errors=(503,), cached=search_services.page_cache_key,
           description="Full-text search in Thai and English with the storefront's facets and sorts, "
                       f"{search_services.PER_PAGE} results a page. Each facet counts the results of the "
                       "other filters. A misspelt query is corrected (`corrected_from`) or a spelling "
                       "suggested (`did_you_mean`). 503 while the index is being rebuilt.")
def search(query: SearchQuery):
    locale = current_language()
    params = _search_params(query)
    try:
        page = search_services.search(params, locale)
    except search_services.BadSearchRequest as exc:
        # The one check made against the index's categories: a slug we do not have.
        raise ValidationFailed(exc.message, fields={"category": str(exc.message)}) from None
    if page.unavailable:
        raise SearchUnavailable()
    products = {p.id: p for p in catalog.visible_products_by_ids([hit.product.id for hit in page.hits])}
    hits = [
        SearchHit(product=product_summary(products[hit.product.id], locale), name_html=str(hit.name_html or ""),
                  snippet_html=str(hit.snippet_html) if hit.snippet_html is not None else None)
        for hit in page.hits if hit.product.id in products
    ]
    facets = [
        Facet(name=f.name, label=f.label,
              options=[FacetOption(value=o.value, label=o.label, count=o.count, selected=o.selected)
                       for o in f.options])
        for f in page.facets
    ]
    return SearchResults(
        query=page.query, corrected_from=page.corrected_from, did_you_mean=page.did_you_mean,
        relaxed=page.relaxed, truncated=page.truncated, sort=params.sort, hits=hits, facets=facets,
        meta=_search_meta(params.page, page.total),
    )
