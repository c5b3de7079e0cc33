"""Selling through the API (``/api/v1/seller/…``): the token user's enterprises, their
listings (create, partial update, status moves, stock per variant), and their orders
with the fulfilment steps (accept, pack, ship with tracking, cancel).

The same rules as the seller pages: the enterprise comes only from the URL and is
checked against the token user's memberships on every request; products, variants
and fulfilments are then looked up *within* that enterprise, so another enterprise's
id answers 404 exactly like an id that does not exist. The work is done by the
services the pages call (``catalog.listings``, ``orders.services``); their
field keys (``variants-0-sku``) are translated to the request's JSON paths
(``variants.0.sku``).
"""

from __future__ import annotations

import re

from flask import g, url_for
from flask_babel import lazy_gettext as _l

from shop.api import selling_schemas as s
from shop.api.routing import operation
from shop.api.schemas import paginate
from shop.catalog import listing_status, listings, retail_ready, wholesale
from shop.catalog.access import require_membership
from shop.catalog.models import Enterprise, Product, Variant
from shop.errors import NotFound, ValidationFailed
from shop.extensions import db
from shop.geo import province_by_code
from shop.i18n import current_language
from shop.orders import services as order_services
from shop.orders import status as st
from shop.orders.models import Fulfilment
from shop.sellers import order_services as seller_orders
from shop.sellers import services as sellers

TAG = "selling"
ENTERPRISE = "/seller/enterprises/<id:enterprise_id>"


# ------------------------------------------------------------------ lookups


def _enterprise(enterprise_id: int) -> Enterprise:
    """The URL's enterprise, if the token user is a member of it; else 404."""
    return require_membership(g.api_user, enterprise_id).enterprise


def _product(enterprise_id: int, product_id: int) -> tuple[Enterprise, Product]:
    enterprise = _enterprise(enterprise_id)
    return enterprise, listings.product_for_enterprise(enterprise.id, product_id)


def _fulfilment(enterprise_id: int, fulfilment_id: int) -> tuple[Fulfilment, str]:
    enterprise = _enterprise(enterprise_id)
    fulfilment = seller_orders.fulfilment_for_enterprise(enterprise, fulfilment_id)
    role = order_services.seller_role(g.api_user, fulfilment)
    if role is None:  # pragma: no cover - membership was checked just above
        raise NotFound()
    return fulfilment, role


# ------------------------------------------------------------------ answers


def _variant_out(variant: Variant) -> s.SellerVariant:
    return s.SellerVariant(
        id=variant.id, sku=variant.sku, name_th=variant.name_th, name_en=variant.name_en, gtin13=variant.gtin13,
        weight_grams=variant.weight_grams or 0, price_satang=variant.price_satang, stock=variant.stock,
        low_stock_threshold=variant.low_stock_threshold,
        is_low_stock=bool(variant.is_active and variant.is_low_stock),
        moq=variant.moq, case_pack=variant.case_pack, lead_time_days=variant.lead_time_days,
        shelf_life_days=variant.shelf_life_days, is_active=variant.is_active,
        tiers=[s.TierOut(min_quantity=t.min_quantity, unit_price_satang=t.unit_price_satang)
               for t in variant.wholesale_tiers],
    )


def _product_fields(product: Product, readiness: retail_ready.Readiness | None = None) -> dict:
    readiness = readiness if readiness is not None else retail_ready.retail_ready(product)
    return {
        "id": product.id, "slug": product.slug, "status": product.status,
        "status_label": listing_status.status_label(product.status), "name_th": product.name_th,
        "name_en": product.name_en, "category_id": product.category_id,
        "min_price_satang": product.min_price_satang, "created_at": product.created_at,
        "updated_at": product.updated_at,
        "variants": [_variant_out(v) for v in product.variants],
        "retail_ready": readiness.ready,
        "missing": [s.MissingOut(code=m.code, message=str(m.label), variant_id=m.variant_id, variant_sku=m.variant_sku)
                    for m in sorted(readiness.missing, key=lambda m: retail_ready.ORDER.index(m.code))],
    }


def _product_detail(product: Product) -> s.SellerProductDetail:
    return s.SellerProductDetail(
        **_product_fields(product),
        summary_th=product.summary_th, summary_en=product.summary_en,
        description_th=product.description_th, description_en=product.description_en,
        tags=[t.tag for t in sorted(product.tags, key=lambda t: t.id or 0)],
        is_food=listings.is_food(product), is_food_choice=listings.food_choice(product),
        certifications=[s.CertificationOut(kind=c.kind, number=c.number, stars=c.stars)
                        for c in sorted(product.certifications, key=lambda c: c.id or 0)],
        status_reason=product.status_reason, published_at=product.published_at, photo_count=len(product.photos),
        allowed_statuses=listing_status.allowed_targets(product, g.api_user, role=listing_status.MEMBER),
        checklist=[s.ChecklistItem(ok=i.ok, message=str(i.message), blocking=i.blocking)
                   for i in listings.listing_checklist(product)],
        history=[s.ListingChange(from_status=c.from_status, to_status=c.to_status, actor_role=c.actor_role,
                                 reason=c.reason, created_at=c.created_at)
                 for c in listings.status_history(product)],
    )


def _fresh_product(enterprise_id: int, product_id: int) -> s.SellerProductDetail:
    db.session.expire_all()  # read what was committed, with its relations, afresh
    return _product_detail(listings.product_for_enterprise(enterprise_id, product_id))


def _order_fields(fulfilment: Fulfilment, locale: str) -> dict:
    order = fulfilment.order
    code = seller_orders.seller_status(fulfilment)
    return {
        "id": fulfilment.id, "order_number": order.public_id, "status": code,
        "status_label": str(seller_orders.seller_status_label(code)), "order_status": order.status,
        "items_summary": seller_orders.items_summary(fulfilment.lines, locale),
        "shipping_kind": fulfilment.shipping_kind, "shipping_name": fulfilment.shipping_name,
        "subtotal_satang": fulfilment.subtotal_satang, "shipping_satang": fulfilment.shipping_satang,
        "total_satang": fulfilment.total_satang, "refunded_satang": fulfilment.refunded_satang,
        "carrier": fulfilment.carrier, "tracking_number": fulfilment.tracking_number,
        "created_at": fulfilment.created_at, "paid_at": order.paid_at, "shipped_at": fulfilment.shipped_at,
    }


def _order_detail(fulfilment: Fulfilment, role: str) -> s.SellerOrderDetail:
    locale = current_language()
    order = fulfilment.order
    pickup = fulfilment.shipping_kind == st.SHIPPING_PICKUP
    province = province_by_code(order.province_code)
    ship_to = s.ShippingAddress(
        recipient_name=order.recipient_name, phone=order.phone,
        address_line=None if pickup else order.address_line, subdistrict=None if pickup else order.subdistrict,
        district=None if pickup else order.district, province_code=None if pickup else order.province_code,
        province_name=None if pickup or province is None else province.name(locale),
        postcode=None if pickup else order.postcode,
    )
    actions = seller_orders.seller_actions(fulfilment, role)
    return s.SellerOrderDetail(
        **_order_fields(fulfilment, locale),
        lines=[s.OrderLineOut(
            id=line.id, variant_id=line.variant_id, product_id=line.product_id, sku=line.sku,
            product_name=line.t("product_name", locale), variant_name=line.t("variant_name", locale),
            quantity=line.quantity, unit_price_satang=line.unit_price_satang,
            line_total_satang=line.line_total_satang,
        ) for line in fulfilment.lines],
        ship_to=ship_to, buyer_note=order.buyer_note, po_number=order.po_number,
        buyer_company=order.buyer_company, buyer_tax_id=order.buyer_tax_id, document_no=fulfilment.document_no,
        cancel_reason=fulfilment.cancel_reason,
        timeline=[s.TimelineEntry(machine=c.machine, from_status=c.from_status, to_status=c.to_status,
                                  actor_role=c.actor_role, reason=c.reason, created_at=c.created_at)
                  for c in seller_orders.timeline(fulfilment)],
        actions=s.SellerActionsOut(accept=actions.accept, pack=actions.pack, ship=actions.ship,
                                   deliver=actions.deliver, cancel=actions.cancel,
                                   waiting_for_payment=actions.waiting_for_payment),
    )


# ------------------------------------------------------------------ service errors -> JSON paths

_VARIANT_FIELDS = {"price": "price_satang"}
_TIER_FIELDS = {"price": "unit_price_satang", "min_quantity": "min_quantity"}
_TIER_KEY = re.compile(r"^tiers-(\d+)-(\w+)$")


def _json_key(key: str, rows: dict[str, str]) -> str:
    """``variants-0-tiers-1-price`` -> ``variants.0.tiers.1.unit_price_satang``.

    ``rows`` maps each row prefix the view gave the service (``variants-0``,
    ``variant-17``, ``certifications-2``) to its JSON path.
    """
    for prefix, path in sorted(rows.items(), key=lambda item: -len(item[0])):
        if key.startswith(prefix + "-"):
            rest = key[len(prefix) + 1:]
            if path.startswith("variants"):
                tier = _TIER_KEY.match(rest)
                if tier:
                    return f"{path}.tiers.{tier.group(1)}.{_TIER_FIELDS.get(tier.group(2), tier.group(2))}"
                rest = _VARIANT_FIELDS.get(rest, rest)
            return f"{path}.{rest}"
    return key


def _json_errors(exc: ValidationFailed, rows: dict[str, str]) -> ValidationFailed:
    fields = {_json_key(key, rows): message for key, message in exc.fields.items()}
    error = type(exc)(exc.message, fields=fields)
    return error


# ------------------------------------------------------------------ input building


def _tiers(tiers: list[s.TierIn]) -> list[listings.TierInput]:
    return [listings.TierInput(t.min_quantity, t.unit_price_satang) for t in tiers]


def _certifications(certs: list[s.CertificationIn], rows: dict[str, str]) -> list[listings.CertificationInput]:
    result = []
    for index, cert in enumerate(certs):
        prefix = f"certifications-{index}"
        rows[prefix] = f"certifications.{index}"
        result.append(listings.CertificationInput(kind=cert.kind, number=cert.number, stars=cert.stars,
                                                  prefix=prefix))
    return result


def _new_variant(v: s.VariantIn | s.VariantPatch, index: int, rows: dict[str, str]) -> listings.VariantInput:
    prefix = f"variants-{index}"
    rows[prefix] = f"variants.{index}"
    return listings.VariantInput(
        id=None, name_th=v.name_th.strip(), name_en=v.name_en, sku=v.sku.strip(),
        gtin13=listings.normalize_gtin(v.gtin13), weight_grams=v.weight_grams, price_satang=v.price_satang,
        stock=v.stock, low_stock_threshold=v.low_stock_threshold if v.low_stock_threshold is not None else 5,
        moq=v.moq if v.moq is not None else 1, case_pack=v.case_pack if v.case_pack is not None else 1,
        lead_time_days=v.lead_time_days, shelf_life_days=v.shelf_life_days,
        is_active=v.is_active if v.is_active is not None else True, tiers=_tiers(v.tiers or []), prefix=prefix,
    )


def _create_input(body: s.ProductCreate, rows: dict[str, str]) -> listings.ProductInput:
    return listings.ProductInput(
        name_th=body.name_th.strip(), name_en=body.name_en, summary_th=body.summary_th, summary_en=body.summary_en,
        description_th=body.description_th, description_en=body.description_en, category_id=body.category_id,
        tags=listings.clean_tags(body.tags), is_food=body.is_food,
        variants=[_new_variant(v, i, rows) for i, v in enumerate(body.variants)],
        certifications=_certifications(body.certifications, rows),
    )


_NEW_VARIANT_REQUIRED = ("name_th", "sku", "price_satang", "stock")
_PRODUCT_PATCH_FIELDS = ("name_th", "name_en", "summary_th", "summary_en", "description_th", "description_en",
                         "category_id", "is_food")
_VARIANT_PATCH_FIELDS = ("name_th", "name_en", "sku", "weight_grams", "price_satang", "stock",
                         "low_stock_threshold", "moq", "case_pack", "lead_time_days", "shelf_life_days", "is_active")


def _patch_input(product: Product, body: s.ProductPatch, rows: dict[str, str]) -> listings.ProductInput:
    """The saved product with the fields the request gives laid over it."""
    data = listings.input_from_product(product)
    given = body.model_fields_set
    for name in _PRODUCT_PATCH_FIELDS:
        if name in given:
            value = getattr(body, name)
            setattr(data, name, value.strip() if name == "name_th" else value)
    if "tags" in given:
        data.tags = listings.clean_tags(body.tags)
    for saved in data.variants:
        # Options not in the request keep their values; errors in them name the option.
        rows[saved.prefix] = f"variants[id={saved.id}]"
    if "variants" in given:
        missing: dict[str, object] = {}
        by_id = {v.id: v for v in data.variants}
        for index, patch in enumerate(body.variants):
            if patch.id is None:
                absent = [f for f in _NEW_VARIANT_REQUIRED if f not in patch.model_fields_set]
                for name in absent:
                    missing[f"variants.{index}.{name}"] = _l("A new option needs this field.")
                if not absent:
                    data.variants.append(_new_variant(patch, index, rows))
                continue
            saved = by_id.get(patch.id)
            if saved is None:
                raise NotFound(_l("This product has no option with id %(id)s.", id=patch.id))
            prefix = f"variants-{index}"
            saved.prefix = prefix
            rows[prefix] = f"variants.{index}"
            for name in _VARIANT_PATCH_FIELDS:
                if name in patch.model_fields_set:
                    value = getattr(patch, name)
                    setattr(saved, name, value.strip() if name in ("name_th", "sku") else value)
            if "gtin13" in patch.model_fields_set:
                saved.gtin13 = listings.normalize_gtin(patch.gtin13)
            if "tiers" in patch.model_fields_set:
                saved.tiers = _tiers(patch.tiers)
        if missing:
            raise ValidationFailed(_l("Some fields need attention."), fields=missing)
    if "certifications" in given:
        data.certifications = _certifications(body.certifications, rows)
    else:
        for cert in data.certifications:
            rows[cert.prefix] = "certifications"
    return data


# ------------------------------------------------------------------ enterprises


@operation("GET", "/seller/enterprises", summary="The enterprises the token user belongs to or coaches", tag=TAG,
           response=s.SellerEnterpriseList, query=s.EnterprisesQuery,
           description="Each enterprise with the user's role (`owner` or `staff`; `mentor` for one the user "
                       "coaches, whose read endpoints answer and whose writes answer 403), by enterprise id.")
def seller_enterprises(query: s.EnterprisesQuery):
    rows, meta = paginate(sellers.enterprises_of(g.api_user), query)
    roles_by_id = sellers.roles_in(g.api_user, [e.id for e in rows])
    return s.SellerEnterpriseList(data=[
        s.SellerEnterprise(id=e.id, slug=e.slug, name_th=e.name_th, name_en=e.name_en, status=e.status,
                           role=roles_by_id[e.id])
        for e in rows
    ], meta=meta)


# ------------------------------------------------------------------ listings


@operation("GET", f"{ENTERPRISE}/products", summary="The enterprise's listings", tag=TAG,
           response=s.SellerProductList, query=s.ProductsQuery,
           description="Newest first (by id), with each option's price and stock, and `retail_ready` with what "
                       "keeps the product from it (`missing`). Without `status`, every listing except archived ones.")
def seller_products(enterprise_id: int, query: s.ProductsQuery):
    enterprise = _enterprise(enterprise_id)
    stmt = listings.listings_query(enterprise.id, status_filter=query.status, query=query.q,
                                   order=listings.LISTINGS_NEWEST)
    rows, meta = paginate(stmt, query)
    readiness = wholesale.readiness_of(rows)
    return s.SellerProductList(data=[s.SellerProduct(**_product_fields(p, readiness[p.id])) for p in rows], meta=meta)


@operation("POST", f"{ENTERPRISE}/products", summary="Create a draft listing", tag=TAG,
           body=s.ProductCreate, response=s.SellerProductDetail, status=201, errors=(409,),
           response_description="The new draft; `Location` is its address.",
           description="Saved as a draft in the URL's enterprise. Every field is checked as on the listing "
                       "form; `fields` names each bad one by its path (`variants.0.sku`).")
def seller_product_create(enterprise_id: int, body: s.ProductCreate):
    enterprise = _enterprise(enterprise_id)
    rows: dict[str, str] = {}
    data = _create_input(body, rows)
    try:
        product = listings.create_product(enterprise, g.api_user, data)
    except ValidationFailed as exc:
        raise _json_errors(exc, rows) from None
    location = url_for("api.seller_product", enterprise_id=enterprise.id, product_id=product.id)
    return _fresh_product(enterprise.id, product.id), 201, {"Location": location}


@operation("GET", f"{ENTERPRISE}/products/<id:product_id>", summary="One listing in full", tag=TAG,
           response=s.SellerProductDetail,
           description="With its options, certifications, the moves it can make now, the checklist before "
                       "review, and its status history.")
def seller_product(enterprise_id: int, product_id: int):
    _enterprise_, product = _product(enterprise_id, product_id)
    return _product_detail(product)


@operation("PATCH", f"{ENTERPRISE}/products/<id:product_id>", summary="Change a listing (partial update)",
           tag=TAG, body=s.ProductPatch, response=s.SellerProductDetail, errors=(409,),
           description="Fields given replace the saved ones; the rest keep their value. Options are matched by "
                       "`id`; an option without `id` is added. Options not listed are kept unchanged (never "
                       "deleted: set `is_active` to false to take one off sale). A live listing stays live. "
                       "An archived listing cannot be changed (409).")
def seller_product_update(enterprise_id: int, product_id: int, body: s.ProductPatch):
    enterprise, product = _product(enterprise_id, product_id)
    rows: dict[str, str] = {}
    data = _patch_input(product, body, rows)
    try:
        listings.update_product(product, g.api_user, data)
    except ValidationFailed as exc:
        raise _json_errors(exc, rows) from None
    return _fresh_product(enterprise.id, product.id)


@operation("POST", f"{ENTERPRISE}/products/<id:product_id>/status", summary="Move a listing to another status",
           tag=TAG, body=s.StatusChangeIn, response=s.SellerProductDetail, errors=(409,),
           description="Submit a draft for review (`pending_review`), withdraw it (`draft`), pause a live "
                       "listing (`paused`), resume it (`live`), or archive it (`archived`, final). A move the "
                       "listing cannot make now answers 409 and says why.")
def seller_product_status(enterprise_id: int, product_id: int, body: s.StatusChangeIn):
    enterprise, product = _product(enterprise_id, product_id)
    listings.change_status(product, g.api_user, body.status, body.reason)
    return _fresh_product(enterprise.id, product.id)


@operation("PUT", f"{ENTERPRISE}/variants/<id:variant_id>/stock", summary="Set one option's stock", tag=TAG,
           body=s.StockIn, response=s.SellerStock, errors=(409,),
           description="With `expected_stock`, the stock is written only if it is still that value; otherwise "
                       "nothing changes and the answer is 409 naming the current stock. Without it, the stock "
                       "is set whatever it was.")
def seller_variant_stock(enterprise_id: int, variant_id: int, body: s.StockIn):
    enterprise = _enterprise(enterprise_id)
    result = listings.set_stock(enterprise, g.api_user, variant_id, body.stock, expected=body.expected_stock)
    variant = result.variant
    return s.SellerStock(variant_id=variant.id, product_id=variant.product_id, sku=variant.sku,
                         stock=variant.stock, changed=result.changed)


# ------------------------------------------------------------------ orders


@operation("GET", f"{ENTERPRISE}/orders", summary="The enterprise's orders", tag=TAG,
           response=s.SellerOrderList, query=s.OrdersQuery,
           description="This enterprise's part of each order (a fulfilment), newest first. `status` filters "
                       "as the orders page does: `awaiting_payment` is a part whose order is not paid yet.")
def seller_orders_list(enterprise_id: int, query: s.OrdersQuery):
    enterprise = _enterprise(enterprise_id)
    # The orders page's own query for its "all" tab: the same filters, newest first.
    stmt = seller_orders.filtered_fulfilments(enterprise.id, seller_orders.TAB_ALL, query.status,
                                              seller_orders.clean_query(query.q))
    rows, meta = paginate(stmt, query)
    locale = current_language()
    return s.SellerOrderList(data=[s.SellerOrder(**_order_fields(f, locale)) for f in rows], meta=meta)


@operation("GET", f"{ENTERPRISE}/orders/<id:fulfilment_id>", summary="One order (this enterprise's part)",
           tag=TAG, response=s.SellerOrderDetail,
           description="Lines, where to deliver (for pick-up only the buyer's name and phone), the timeline "
                       "and the actions possible now.")
def seller_order(enterprise_id: int, fulfilment_id: int):
    fulfilment, role = _fulfilment(enterprise_id, fulfilment_id)
    return _order_detail(fulfilment, role)


def _run_step(enterprise_id: int, fulfilment_id: int, action, **kwargs) -> s.SellerOrderDetail:
    fulfilment, role = _fulfilment(enterprise_id, fulfilment_id)
    action(fulfilment, actor=g.api_user, role=role, **kwargs)
    db.session.expire_all()
    fulfilment, role = _fulfilment(enterprise_id, fulfilment_id)
    return _order_detail(fulfilment, role)


_STEP_ERRORS = "A step the part cannot take now (not paid yet, already shipped, cancelled …) answers 409."


@operation("POST", f"{ENTERPRISE}/orders/<id:fulfilment_id>/accept", summary="Accept an order", tag=TAG,
           response=s.SellerOrderDetail, errors=(409,), description="Paid orders only. " + _STEP_ERRORS)
def seller_order_accept(enterprise_id: int, fulfilment_id: int):
    return _run_step(enterprise_id, fulfilment_id, order_services.accept_fulfilment)


@operation("POST", f"{ENTERPRISE}/orders/<id:fulfilment_id>/pack", summary="Mark an order as packed", tag=TAG,
           response=s.SellerOrderDetail, errors=(409,), description="After accepting it. " + _STEP_ERRORS)
def seller_order_pack(enterprise_id: int, fulfilment_id: int):
    return _run_step(enterprise_id, fulfilment_id, order_services.pack_fulfilment)


@operation("POST", f"{ENTERPRISE}/orders/<id:fulfilment_id>/ship", summary="Ship an order with its tracking number",
           tag=TAG, body=s.ShipIn, response=s.SellerOrderDetail, errors=(409,),
           description="After packing it. The buyer is e-mailed the carrier and tracking number. For pick-up, "
                       "marks it ready to collect (carrier and tracking number optional). " + _STEP_ERRORS)
def seller_order_ship(enterprise_id: int, fulfilment_id: int, body: s.ShipIn):
    return _run_step(enterprise_id, fulfilment_id, order_services.ship_fulfilment, carrier=body.carrier,
                     tracking_number=body.tracking_number)


@operation("POST", f"{ENTERPRISE}/orders/<id:fulfilment_id>/cancel", summary="Cancel this enterprise's part",
           tag=TAG, body=s.CancelIn, response=s.SellerOrderDetail, errors=(409,),
           description="Before it ships, with a reason the buyer receives. Its stock goes back; on a paid order "
                       "its total is owed back to the buyer. " + _STEP_ERRORS)
def seller_order_cancel(enterprise_id: int, fulfilment_id: int, body: s.CancelIn):
    return _run_step(enterprise_id, fulfilment_id, order_services.cancel_fulfilment, reason=body.reason)
