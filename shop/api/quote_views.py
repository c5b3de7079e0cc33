"""Requests for quote through the API: the buyer's side (``/quotes``) and the
enterprise's (``/seller/enterprises/{enterprise_id}/quotes``).

The same rules as the pages (``shop/quotes/services.py``): only verified retail buyers
ask and accept; a buyer sees only their own requests; the enterprise comes from the
URL and is checked against the token user's memberships, and a request is looked up
within it, so another enterprise's or another buyer's request is 404. Accepting
places the order at the quoted price in one transaction with the move to
``accepted``; an ``Idempotency-Key`` makes a retry answer the same order.
"""

from __future__ import annotations

from flask import g, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from shop.api import idempotency as idem
from shop.api import quote_schemas as q
from shop.api.buying_schemas import EnterpriseRef, OrderOut
from shop.api.buying_views import IDEMPOTENCY_HEADER, order_out
from shop.api.routing import operation
from shop.api.schemas import money, paginate
from shop.catalog.access import require_membership
from shop.errors import Conflict, ValidationFailed
from shop.i18n import current_language
from shop.orders.addresses import ADDRESS_FIELDS
from shop.quotes import services as svc
from shop.quotes.models import QuoteRequest
from shop.roles import BUYER, ENTERPRISE_MEMBER

TAG = "quotes"
ONE = "/quotes/<id:request_id>"
SELLER = "/seller/enterprises/<id:enterprise_id>/quotes"

# Where a generated client may go next from a request's answer.
_BUYER_LINKS = {
    "GetQuoteRequest": ("get_quote_request", {"request_id": "$response.body#/id"}),
    "AcceptQuote": ("accept_quote", {"request_id": "$response.body#/id"}),
    "PostQuoteMessage": ("post_quote_message", {"request_id": "$response.body#/id"}),
    "WithdrawQuoteRequest": ("withdraw_quote_request", {"request_id": "$response.body#/id"}),
}
_SELLER_LINKS = {
    "GetSellerQuoteRequest": ("get_seller_quote_request", {"enterprise_id": "$request.path.enterprise_id",
                                                           "request_id": "$response.body#/id"}),
    "SendQuote": ("send_quote", {"enterprise_id": "$request.path.enterprise_id", "request_id": "$response.body#/id"}),
    "DeclineQuoteRequest": ("decline_quote_request", {"enterprise_id": "$request.path.enterprise_id",
                                                      "request_id": "$response.body#/id"}),
    "PostSellerQuoteMessage": ("post_seller_quote_message", {"enterprise_id": "$request.path.enterprise_id",
                                                             "request_id": "$response.body#/id"}),
}


def _summary_fields(req: QuoteRequest, locale: str) -> dict:
    variant = req.variant
    name = variant.product.t("name", locale)
    if variant.t("name", locale):
        name = f"{name} ({variant.t('name', locale)})"
    quote = None
    if req.quoted_unit_satang is not None:
        quote = q.QuoteOut(
            unit_price=money(req.quoted_unit_satang, locale), quantity=req.quoted_quantity,
            subtotal=money(req.quoted_subtotal_satang, locale),
            shipping=money(req.quoted_shipping_satang or 0, locale), total=money(req.quoted_total_satang, locale),
            valid_until=req.valid_until, lead_time_days=req.lead_time_days, note=req.quote_note,
            quoted_at=req.quoted_at,
        )
    order = svc.order_of(req)
    return dict(
        id=req.id, reference=req.reference, status=svc.shown_status(req),
        enterprise=EnterpriseRef(id=req.enterprise.id, slug=req.enterprise.slug, name=req.enterprise.t("name", locale)),
        variant=q.VariantRef(id=variant.id, sku=variant.sku, name=name, product_id=variant.product_id),
        buyer_name=req.buyer.display_name, quantity=req.quantity,
        target_unit_price=money(req.target_unit_satang, locale) if req.target_unit_satang else None,
        delivery_date=req.delivery_date, quote=quote, order_id=order.public_id if order else None,
        created_at=req.created_at,
    )


def request_out(req: QuoteRequest) -> q.QuoteRequestOut:
    locale = current_language()
    return q.QuoteRequestOut(
        **_summary_fields(req, locale), message=req.message, decline_reason=req.decline_reason,
        messages=[q.QuoteMessageOut(id=m.id, author=m.author_role, body=m.body, created_at=m.created_at)
                  for m in req.messages],
    )


def _list(stmt, query) -> q.QuoteRequestList:
    locale = current_language()
    items, meta = paginate(stmt, query)
    return q.QuoteRequestList(data=[q.QuoteRequestSummary(**_summary_fields(r, locale)) for r in items], meta=meta)


def _own(request_id: int) -> QuoteRequest:
    return svc.get_for_buyer(g.api_user, request_id)


def _enterprise_request(enterprise_id: int, request_id: int) -> QuoteRequest:
    enterprise = require_membership(g.api_user, enterprise_id).enterprise
    return svc.get_for_enterprise(enterprise.id, request_id)


def _json_fields(exc: ValidationFailed) -> ValidationFailed:
    """The services' form field names as this API's JSON paths."""
    renamed = {"target_unit_price": "target_unit_satang", "unit_price": "unit_price_satang",
               "shipping": "shipping_satang"}
    exc.fields = {(f"address.{k}" if k in ADDRESS_FIELDS else renamed.get(k, k)): v for k, v in exc.fields.items()}
    return exc


# ------------------------------------------------------------------------ buyer


@operation(
    "POST", "/quotes", summary="Ask an enterprise for a quote", tag=TAG, body=q.CreateQuoteRequest,
    response=q.QuoteRequestOut, status=201, errors=(403, 404, 409), links=_BUYER_LINKS,
    description="A verified retail buyer asks the item's enterprise for a quantity at a target price by a date. "
                "403 `not_verified_retail_buyer` for anyone else; 404 for an item that is not on the storefront; "
                "409 for an option no longer on sale; 422 for a bad field.",
)
def create_quote_request(body: q.CreateQuoteRequest):
    try:
        req = svc.request_quote(g.api_user, body.variant_id, quantity=body.quantity,
                                target_unit_satang=body.target_unit_satang, delivery_date=body.delivery_date,
                                message=body.message)
    except ValidationFailed as exc:
        raise _json_fields(exc) from None
    return request_out(req), 201, {"Location": url_for("api.get_quote_request", request_id=req.id)}


@operation("GET", "/quotes", summary="My requests for quote", tag=TAG, query=q.QuoteListQuery,
           response=q.QuoteRequestList, description="Newest first.")
def list_quote_requests(query: q.QuoteListQuery):
    return _list(svc.buyer_requests_query(g.api_user), query)


@operation("GET", ONE, summary="One of my requests for quote", tag=TAG, response=q.QuoteRequestOut,
           links=_BUYER_LINKS, description="With the quote and the messages. Another buyer's request is 404.")
def get_quote_request(request_id: int):
    return request_out(_own(request_id))


@operation("POST", ONE + "/messages", summary="Write on my request for quote", tag=TAG, body=q.MessageIn,
           response=q.QuoteRequestOut, status=201, errors=(409,), links=_BUYER_LINKS,
           description="The enterprise's members get it by e-mail. 409 `quote_closed` once the request is closed.")
def post_quote_message(request_id: int, body: q.MessageIn):
    req = _own(request_id)
    svc.post_message(g.api_user, req, body.body, role=BUYER)
    return request_out(req), 201, {"Location": url_for("api.get_quote_request", request_id=req.id)}


@operation("POST", ONE + "/withdraw", summary="Withdraw my request, or turn the quote down", tag=TAG,
           body=q.WithdrawIn, response=q.QuoteRequestOut, errors=(409,), links=_BUYER_LINKS,
           description="While it is `requested` or `quoted`; otherwise 409.")
def withdraw_quote_request(request_id: int, body: q.WithdrawIn):
    req = _own(request_id)
    svc.withdraw(g.api_user, req, body.reason)
    return request_out(req)


@operation(
    "POST", ONE + "/accept", summary="Accept the quote: place the order", tag=TAG, body=q.AcceptIn,
    response=OrderOut, status=201, errors=(403, 409, 503), headers=(IDEMPOTENCY_HEADER,),
    links={"GetOrder": ("get_order", {"public_id": "$response.body#/id"})},
    response_description="The order placed at the quoted price, with how to pay it. `Location` names it.",
    description=(
        "Places the order for the quoted quantity at the quoted unit price and shipping, holding the stock, "
        "in the same transaction as the request's move to `accepted`: two accepts at once place one order.\n\n"
        "* 403 `not_verified_retail_buyer`: the account is no longer verified;\n"
        "* 409 `quote_expired` (past `valid_until`), `quote_changed` (not `quoted` any more, e.g. accepted "
        "already), `not_on_sale`, `out_of_stock`;\n"
        "* 422: a bad field or address, a payment method not offered, no address at all, a reused "
        "`Idempotency-Key`."
    ),
)
def accept_quote(request_id: int, body: q.AcceptIn):
    buyer = g.api_user
    req = _own(request_id)
    key = idem.parse_key(request.headers.get(idem.HEADER))
    digest = idem.request_hash({"quote": request_id, **body.model_dump(mode="json")}) if key is not None else ""
    if key is not None:
        existing = idem.find_order(buyer, key, digest)
        if existing is not None:
            return _created(existing, replayed=True)
    if body.address is None and body.saved_address_id is None:
        message = _l("Give a delivery address, or the id of one of your saved addresses.")
        raise ValidationFailed(message, fields={"address": message})
    try:
        order = svc.accept(
            buyer, req, address=body.address.model_dump() if body.address else None,
            saved_address_id=body.saved_address_id, payment_method=body.payment_method, po_number=body.po_number,
            buyer_note=body.buyer_note, locale=current_language(),
            before_commit=idem.recorder(buyer, key, digest) if key is not None else None,
        )
    except ValidationFailed as exc:
        raise _json_fields(exc) from None
    except (Conflict, IntegrityError):
        # A request with the same key may have placed the order a moment ago.
        if key is not None:
            existing = idem.find_order(buyer, key, digest)
            if existing is not None:
                return _created(existing, replayed=True)
        raise
    return _created(order, replayed=False)


def _created(order, *, replayed: bool):
    headers = {"Location": url_for("api.get_order", public_id=order.public_id)}
    if replayed:
        headers[idem.REPLAYED_HEADER] = "true"
    return order_out(order, current_language()), 201, headers


# ------------------------------------------------------------------------ seller


@operation("GET", SELLER, summary="An enterprise's requests for quote", tag=TAG, query=q.SellerQuoteListQuery,
           response=q.QuoteRequestList,
           description="Newest first; `to_answer=true` for those waiting for a quote. 404 unless the token's "
                       "account is a member of the enterprise.")
def list_seller_quote_requests(enterprise_id: int, query: q.SellerQuoteListQuery):
    enterprise = require_membership(g.api_user, enterprise_id).enterprise
    return _list(svc.enterprise_requests_query(enterprise.id, to_answer=query.to_answer), query)


@operation("GET", SELLER + "/<id:request_id>", summary="One request for quote to the enterprise", tag=TAG,
           response=q.QuoteRequestOut, links=_SELLER_LINKS,
           description="Another enterprise's request is 404.")
def get_seller_quote_request(enterprise_id: int, request_id: int):
    return request_out(_enterprise_request(enterprise_id, request_id))


@operation("POST", SELLER + "/<id:request_id>/quote", summary="Send or revise the quote", tag=TAG, body=q.QuoteIn,
           response=q.QuoteRequestOut, errors=(409,), links=_SELLER_LINKS,
           description="From `requested`, or revising while `quoted`. The quantity must be whole case packs of "
                       "the item (422 on `quantity` with the nearest fit); 409 once the request is closed.")
def send_quote(enterprise_id: int, request_id: int, body: q.QuoteIn):
    req = _enterprise_request(enterprise_id, request_id)
    try:
        svc.answer_quote(g.api_user, req, unit_satang=body.unit_price_satang, quantity=body.quantity,
                         shipping_satang=body.shipping_satang, valid_until=body.valid_until,
                         lead_time_days=body.lead_time_days, note=body.note)
    except ValidationFailed as exc:
        raise _json_fields(exc) from None
    return request_out(req)


@operation("POST", SELLER + "/<id:request_id>/decline", summary="Decline the request", tag=TAG, body=q.DeclineIn,
           response=q.QuoteRequestOut, errors=(409,), links=_SELLER_LINKS,
           description="From `requested` or `quoted` (taking the quote back), with a reason the buyer sees.")
def decline_quote_request(enterprise_id: int, request_id: int, body: q.DeclineIn):
    req = _enterprise_request(enterprise_id, request_id)
    svc.decline(g.api_user, req, body.reason, role=ENTERPRISE_MEMBER)
    return request_out(req)


@operation("POST", SELLER + "/<id:request_id>/messages", summary="Write on a request for quote", tag=TAG,
           body=q.MessageIn, response=q.QuoteRequestOut, status=201, errors=(409,), links=_SELLER_LINKS,
           description="The buyer gets it by e-mail. 409 `quote_closed` once the request is closed.")
def post_seller_quote_message(enterprise_id: int, request_id: int, body: q.MessageIn):
    req = _enterprise_request(enterprise_id, request_id)
    svc.post_message(g.api_user, req, body.body, role=ENTERPRISE_MEMBER)
    return request_out(req), 201, {"Location": url_for("api.get_seller_quote_request", enterprise_id=enterprise_id,
                                                        request_id=req.id)}
