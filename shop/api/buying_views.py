"""Buying through the API (docs/product.md: Contracts): place an order from lines, read
one's own orders, cancel one while it is unpaid.

``POST /orders`` turns the request's lines into a ``LinesCart`` priced at today's
unit price for this buyer and calls checkout's ``place_order``, exactly as the
checkout page does: prices, stock, shipping and totals are decided there, and the
order, its fulfilments, the stock taken, the "order placed" e-mail and the
``Idempotency-Key`` record are written in one transaction or not at all. What this
module adds is the translation between the JSON request and the cart: it finds each
line's variant (by id, or by SKU among the items on sale, which two enterprises may
share), refuses what cannot be bought with an error naming the line, and answers the
order with how to pay it.

A variant given in two lines is refused (422) rather than merged: a client that
sends it twice has most likely made a mistake, and a merged quantity could exceed
what it meant to buy.
"""

from __future__ import annotations

from flask import current_app, g, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from shop.api import idempotency as idem
from shop.api.buying_schemas import (
    AddressOut,
    CancelOrder,
    CreateOrder,
    EnterpriseRef,
    FulfilmentOut,
    FulfilmentSummary,
    InvoiceOut,
    OrderLineIn,
    OrderLineOut,
    OrderList,
    OrderListQuery,
    OrderOut,
    OrderSummary,
    PaymentOut,
    PromptPayOut,
    ShippingOut,
)
from shop.api.routing import HeaderParameter, operation
from shop.api.schemas import money, paginate
from shop.cart import checkout
from shop.cart import services as cart_services
from shop.cart.services import CartLine, LinesCart, StoredLine
from shop.catalog.models import Enterprise, Variant
from shop.catalog.services import is_product_visible, visible_variants_by_sku
from shop.errors import Conflict, NotFound, ValidationFailed
from shop.i18n import current_language
from shop.invoicing import services as invoicing
from shop.orders import services as order_services
from shop.orders import status as st
from shop.orders.access import load_order_for_buyer, order_url
from shop.orders.addresses import ADDRESS_FIELDS
from shop.orders.models import Fulfilment, Order, OrderLine
from shop.payments import slips
from shop.payments.providers import ProviderError, capabilities_of
from shop.payments.providers.flow import begin_payment, latest_pending_payment

TAG = "orders"

IDEMPOTENCY_HEADER = HeaderParameter(
    name=idem.HEADER,
    description="Any unique string (a UUID is ideal), 1 to 255 visible ASCII characters. Sending the same "
                "request again with the same key within 24 hours answers the order the first request "
                "created (with `Idempotent-Replayed: true`) instead of placing a second one; the same key "
                "with a different body is refused (422 `idempotency_key_reused`).",
    schema={"type": "string", "minLength": 1, "maxLength": idem.MAX_KEY_LENGTH, "pattern": "^[!-~]+$"},
)


class NotOnSale(Conflict):
    code = "not_on_sale"


# ------------------------------------------------------------------------ answers


def _enterprise_ref(enterprise: Enterprise, locale: str) -> EnterpriseRef:
    return EnterpriseRef(id=enterprise.id, slug=enterprise.slug, name=enterprise.t("name", locale))


def _line_out(line: OrderLine, locale: str) -> OrderLineOut:
    return OrderLineOut(
        id=line.id, variant_id=line.variant_id, product_id=line.product_id, sku=line.sku, name=line.name(locale),
        unit_price=money(line.unit_price_satang, locale), quantity=line.quantity,
        line_total=money(line.line_total_satang, locale),
    )


def _fulfilment_out(fulfilment: Fulfilment, locale: str) -> FulfilmentOut:
    return FulfilmentOut(
        id=fulfilment.id, enterprise=_enterprise_ref(fulfilment.enterprise, locale), status=fulfilment.status,
        lines=[_line_out(line, locale) for line in fulfilment.lines],
        shipping=ShippingOut(
            option_id=fulfilment.shipping_option_id, kind=fulfilment.shipping_kind, name=fulfilment.shipping_name,
            fee=money(fulfilment.shipping_satang, locale), carrier=fulfilment.carrier,
            tracking_number=fulfilment.tracking_number,
        ),
        subtotal=money(fulfilment.subtotal_satang, locale), total=money(fulfilment.total_satang, locale),
        accepted_at=fulfilment.accepted_at, shipped_at=fulfilment.shipped_at,
        delivered_at=fulfilment.delivered_at, cancelled_at=fulfilment.cancelled_at,
    )


def _payment_out(order: Order, locale: str, checkout_url: str | None = None) -> PaymentOut | None:
    if order.status != st.ORDER_PENDING_PAYMENT:
        return None
    promptpay = None
    capabilities = capabilities_of(order.payment_method)
    if capabilities.slip_review:
        panel = slips.pay_panel(order)
        promptpay = PromptPayOut(
            payload=panel.payload, payee_name=panel.payee.name, payee_promptpay_id=panel.payee.masked_id,
            slip_status=panel.latest_slip.status if panel.latest_slip is not None else None,
        )
    elif checkout_url is None:
        pending = latest_pending_payment(order)
        checkout_url = pending.redirect_url if pending is not None else None
    return PaymentOut(
        method=order.payment_method, amount=money(order.total_satang, locale), expires_at=order.expires_at,
        order_page_url=order_url(order, _external=True), promptpay=promptpay,
        checkout_url=checkout_url if capabilities.hosted_checkout else None,
    )


def order_out(order: Order, locale: str, *, checkout_url: str | None = None) -> OrderOut:
    return OrderOut(
        id=order.public_id, status=order.status, payment_method=order.payment_method, created_at=order.created_at,
        expires_at=order.expires_at, paid_at=order.paid_at, cancelled_at=order.cancelled_at,
        cancel_reason=order.cancel_reason, buyer_note=order.buyer_note, po_number=order.po_number,
        subtotal=money(order.subtotal_satang, locale), shipping=money(order.shipping_satang, locale),
        total=money(order.total_satang, locale), refunded=money(order.refunded_satang or 0, locale),
        address=AddressOut(**{name: getattr(order, name) for name in ADDRESS_FIELDS}),
        fulfilments=[_fulfilment_out(f, locale) for f in order.fulfilments],
        payment=_payment_out(order, locale, checkout_url),
        invoice=_invoice_out(order, locale),
    )


def _invoice_out(order: Order, locale: str) -> InvoiceOut | None:
    invoice = invoicing.invoice_of_order(order)
    if invoice is None:
        return None
    return InvoiceOut(
        number=invoice.number, issued_on=invoice.issued_on, due_on=invoice.due_on,
        total=money(invoice.total_satang, locale), paid=money(invoice.paid_satang, locale),
        amount_due=money(invoice.due_satang, locale), pdf_url=invoicing.pdf_url(invoice, external=True),
    )


def _created(order: Order, *, replayed: bool, checkout_url: str | None = None):
    headers = {"Location": url_for("api.get_order", public_id=order.public_id)}
    if replayed:
        headers[idem.REPLAYED_HEADER] = "true"
    return order_out(order, current_language(), checkout_url=checkout_url), 201, headers


# ------------------------------------------------------------------------ the lines


def _find_by_sku(lines: list[tuple[int, OrderLineIn]]) -> dict[int, list[Variant]]:
    """Line index -> the variants on sale whose SKU (and enterprise, when given) match."""
    if not lines:
        return {}
    candidates = visible_variants_by_sku(sorted({line.sku for _i, line in lines}))
    found: dict[int, list[Variant]] = {}
    for index, line in lines:
        found[index] = [
            v for v in candidates
            if v.sku == line.sku
            and (line.enterprise_id is None or v.enterprise_id == line.enterprise_id)
            and (line.enterprise_slug is None or v.product.enterprise.slug == line.enterprise_slug)
        ]
    return found


def _resolve_lines(body: CreateOrder) -> list[tuple[int, OrderLineIn, Variant]]:
    """Each line's variant, or ValidationFailed naming every line that names none
    (an unknown id or SKU, an item not on sale in the storefront's sense, an
    ambiguous SKU, a variant given twice, a quantity over the shop's limit)."""
    problems: dict[str, object] = {}
    by_id = cart_services.load_variants(
        (line.variant_id for line in body.lines if line.variant_id is not None), refresh=True)
    by_sku = _find_by_sku([(i, line) for i, line in enumerate(body.lines) if line.sku is not None])
    limit = cart_services.max_line_quantity()
    resolved: list[tuple[int, OrderLineIn, Variant]] = []
    first_line_of: dict[int, int] = {}
    for index, line in enumerate(body.lines):
        if line.quantity > limit:
            problems[f"lines.{index}.quantity"] = _l("You can buy at most %(max)d of one item in one order.", max=limit)
        variant: Variant | None
        if line.variant_id is not None:
            variant = by_id.get(line.variant_id)
            if variant is None or not is_product_visible(variant.product):
                problems[f"lines.{index}.variant_id"] = _l("There is no item on sale with this id.")
                continue
        else:
            matches = by_sku[index]
            if not matches:
                problems[f"lines.{index}.sku"] = _l("There is no item on sale with this SKU.")
                continue
            if len(matches) > 1:
                problems[f"lines.{index}.sku"] = _l(
                    "Several enterprises sell an item with this SKU. Add enterprise_id or enterprise_slug.")
                continue
            variant = matches[0]
        if variant.id in first_line_of:
            problems[f"lines.{index}"] = _l("This item is already in line %(line)d. Give each item once, "
                                            "with the whole quantity.", line=first_line_of[variant.id])
            continue
        first_line_of[variant.id] = index
        resolved.append((index, line, variant))
    if problems:
        raise ValidationFailed(_l("Some lines need attention."), fields=problems)
    return resolved


def _cart_lines(resolved: list[tuple[int, OrderLineIn, Variant]], buyer) -> list[tuple[int, CartLine]]:
    """Each line as the cart sees it now, at today's price for this buyer."""
    lines = []
    for index, line, variant in resolved:
        price = cart_services.unit_price(variant, line.quantity, buyer)
        lines.append((index, CartLine(variant=variant, quantity=line.quantity, price_seen_satang=price,
                                      unit_price_satang=price, on_sale=cart_services.is_on_sale(variant))))
    return lines


def _check_wholesale_quantities(lines: list[tuple[int, CartLine]], buyer, locale: str) -> None:
    """Refuse (422) a verified retail buyer's lines under the MOQ or not in whole case
    packs, naming each line and the rule with its numbers (the cart's own rule)."""
    refusals = []
    for index, line in lines:
        try:
            cart_services.check_wholesale_quantity(line.variant, line.quantity, buyer, locale=locale,
                                                   field=f"lines.{index}.quantity")
        except cart_services.WholesaleQuantityRefused as exc:
            refusals.append(exc)
    if refusals:
        first = refusals[0]
        fields = {name: message for refusal in refusals for name, message in refusal.fields.items()}
        raise cart_services.WholesaleQuantityRefused(first.message, problem=first.problem,
                                                     variant_id=first.variant_id, fields=fields)


def _check_available(lines: list[tuple[int, CartLine]], locale: str) -> None:
    """Refuse lines that cannot be bought now, naming them (409), by the cart's own
    rule (``CartLine.problem``). Checkout checks the same again inside its
    transaction; this only says which line it is."""
    not_on_sale: dict[str, object] = {}
    short: dict[str, object] = {}
    for index, line in lines:
        if line.problem == cart_services.PROBLEM_UNAVAILABLE:
            name = cart_services.display_name(line.variant, locale)
            not_on_sale[f"lines.{index}"] = _l("%(name)s is not on sale right now.", name=name)
        elif line.problem is not None:
            short[f"lines.{index}.quantity"] = cart_services.stock_message(line.variant, line.available, locale)
    if not_on_sale:
        raise NotOnSale(next(iter(not_on_sale.values())), fields={**not_on_sale, **short})
    if short:
        raise checkout.SoldOut(next(iter(short.values())), fields=short)


def _check_shipping_keys(body: CreateOrder, resolved) -> dict[int, str]:
    enterprise_ids = {variant.enterprise_id for _i, _line, variant in resolved}
    choices: dict[int, str] = {}
    problems: dict[str, object] = {}
    for key, option in (body.shipping or {}).items():
        enterprise_id = int(key)
        if enterprise_id not in enterprise_ids:
            problems[f"shipping.{key}"] = _l("This order has nothing from that enterprise.")
        else:
            choices[enterprise_id] = option
    if problems:
        raise ValidationFailed(_l("A shipping option is no longer offered. Choose again."), fields=problems)
    return choices


def _json_fields(fields: dict) -> dict:
    """Checkout's form field names as this request's JSON paths."""
    mapped = {}
    for name, message in fields.items():
        if name in ADDRESS_FIELDS:
            name = f"address.{name}"
        elif name.startswith("shipping_"):
            name = "shipping." + name.removeprefix("shipping_")
        mapped[name] = message
    return mapped


# ------------------------------------------------------------------------ endpoints


@operation(
    "POST", "/orders", summary="Place an order", tag=TAG, body=CreateOrder, response=OrderOut, status=201,
    errors=(409, 503), headers=(IDEMPOTENCY_HEADER,),
    rate_limits=(lambda: current_app.config["API_ORDER_RATE_LIMIT"],),
    response_description="The order, with how to pay it. `Location` names it; `Idempotent-Replayed: true` "
                         "marks an order created earlier under the same `Idempotency-Key`.",
    description=(
        "Places one order (one payment; one fulfilment per enterprise) for the lines, holding their stock "
        "until it is paid or its hold lapses. Prices, shipping fees and totals are today's; nothing is "
        "written when anything is refused.\n\n"
        "* 422: a bad field, an unknown `variant_id` or `sku` (`lines.N.variant_id` / `lines.N.sku`), an "
        "SKU that several enterprises use, a variant in two lines, a verified retail buyer's quantity under the "
        "item's minimum order or not a multiple of its case pack (`wholesale_quantity`, `lines.N.quantity`), a payment method not offered, an address "
        "that does not check out, a reused `Idempotency-Key` (`idempotency_key_reused`);\n"
        "* 409: an item not on sale (`not_on_sale`), sold out or short (`out_of_stock`), a price that changed "
        "(`prices_changed`), a total other than `expected_total_satang` (`total_changed`);\n"
        "* 429: more orders than this token may place per minute;\n"
        "* 503: the shop is too busy right now (`busy`); nothing was ordered."
    ),
)
def create_order(body: CreateOrder):
    buyer = g.api_user
    locale = current_language()
    key = idem.parse_key(request.headers.get(idem.HEADER))
    digest = idem.request_hash(body.model_dump(mode="json")) if key is not None else ""
    if key is not None:
        existing = idem.find_order(buyer, key, digest)
        if existing is not None:
            return _replay(existing)
    resolved = _resolve_lines(body)
    lines = _cart_lines(resolved, buyer)
    _check_available(lines, locale)
    _check_wholesale_quantities(lines, buyer, locale)
    choices = _check_shipping_keys(body, resolved)
    cart = LinesCart(StoredLine(line.variant_id, line.quantity, line.unit_price_satang) for _index, line in lines)
    record_key = idem.recorder(buyer, key, digest) if key is not None else None

    try:
        order = checkout.place_order(
            cart, buyer=buyer, address=body.address.model_dump(), shipping_choices=choices,
            payment_method=body.payment_method, locale=locale, buyer_note=body.buyer_note,
            po_number=body.po_number, expected_total_satang=body.expected_total_satang, before_commit=record_key,
        )
    except ValidationFailed as exc:
        exc.fields = _json_fields(exc.fields)
        raise
    except IntegrityError:
        # Another request with the same key committed first (place_order rolled back).
        if key is not None:
            existing = idem.find_order(buyer, key, digest)
            if existing is not None:
                return _replay(existing)
        raise checkout.ShopBusy() from None
    except Conflict:
        # A request with the same key may have taken the last units a moment ago.
        if key is not None:
            existing = idem.find_order(buyer, key, digest)
            if existing is not None:
                return _replay(existing)
        raise
    return _created(order, replayed=False, checkout_url=_start_payment(order))


def _replay(order: Order):
    checkout_url = None
    if capabilities_of(order.payment_method).hosted_checkout and order.status == st.ORDER_PENDING_PAYMENT:
        if latest_pending_payment(order) is None:
            # The first answer was lost before its payment page opened: open it now.
            checkout_url = _start_payment(order)
    return _created(order, replayed=True, checkout_url=checkout_url)


def _start_payment(order: Order) -> str | None:
    """The provider's payment page for an order paid there (Stripe Checkout; the same
    call the checkout page makes); None for PromptPay QR, or when the provider cannot
    be reached: the order stands and its page offers to start the payment again."""
    if not capabilities_of(order.payment_method).hosted_checkout:
        return None

    try:
        return begin_payment(order).redirect_url
    except ProviderError:
        current_app.logger.warning("api: payment page for order %s could not be opened", order.public_id)
        return None


@operation("GET", "/orders", summary="My orders", tag=TAG, query=OrderListQuery, response=OrderList,
           description="The orders placed with this token's account, newest first.")
def list_orders(query: OrderListQuery):
    locale = current_language()
    orders, meta = paginate(order_services.orders_of_user_query(g.api_user), query)
    counts = order_services.item_counts(orders)
    return OrderList(
        data=[
            OrderSummary(
                id=o.public_id, status=o.status, payment_method=o.payment_method, created_at=o.created_at,
                expires_at=o.expires_at, paid_at=o.paid_at, total=money(o.total_satang, locale),
                item_count=int(counts.get(o.id, 0)),
                fulfilments=[FulfilmentSummary(id=f.id, enterprise=_enterprise_ref(f.enterprise, locale),
                                               status=f.status) for f in o.fulfilments],
            )
            for o in orders
        ],
        meta=meta,
    )


def _own_order(public_id: str) -> Order:
    """The token's own order; anyone else's (staff included) is "not found" here."""
    order = load_order_for_buyer(public_id, g.api_user, None)
    if order.user_id != g.api_user.id:
        raise NotFound()
    return order


@operation("GET", "/orders/<public_id>", summary="One of my orders", tag=TAG, response=OrderOut,
           description="The order with its fulfilments, their shipping and tracking, and, while unpaid, how "
                       "to pay it. Another account's order is 404.")
def get_order(public_id: str):
    return order_out(_own_order(public_id), current_language())


@operation("POST", "/orders/<public_id>/cancel", summary="Cancel my unpaid order", tag=TAG, body=CancelOrder,
           response=OrderOut, errors=(409,),
           description="Cancels the whole order while it is unpaid and gives its stock back, as the order "
                       "page does. A paid order, a cancelled one, or one whose transfer slip is being "
                       "checked is 409.")
def cancel_order(public_id: str, body: CancelOrder):
    order = _own_order(public_id)
    order = order_services.cancel_order(order, actor=g.api_user, role=st.ROLE_BUYER, reason=body.reason)
    return order_out(order, current_language())
