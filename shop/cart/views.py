"""Cart and checkout pages.

The view picks the cart's store (the session for a guest, the database for a user),
calls one service and renders or redirects. A refused change re-shows the cart (or the
checkout) with the reason and the error's 4xx status; nothing was changed.
"""

from __future__ import annotations

from flask import flash, make_response, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from shop.cart import checkout, forms, quick_order, reorder
from shop.cart import services as cart_services
from shop.cart.blueprint import bp
from shop.cart.services import CartStore, SessionCart, UserCart
from shop.database import end_read
from shop.errors import DomainError
from shop.forms import show_domain_error
from shop.i18n import current_language
from shop.invoicing import services as invoicing
from shop.orders import shipping as shipping_service
from shop.orders import status as st
from shop.orders.access import order_url
from shop.orders.addresses import get_saved_address, list_saved_addresses
from shop.payments.providers import ProviderError, allow_checkout_redirect, capabilities_of
from shop.payments.providers.flow import begin_payment
from shop.security import is_safe_local_path


def current_cart() -> CartStore:
    if current_user.is_authenticated:
        return UserCart(current_user._get_current_object())
    return SessionCart(session)


def _buyer():
    return current_user._get_current_object() if current_user.is_authenticated else None


@bp.app_template_global()
def cart_item_count() -> int:
    """Units in the visitor's cart, for the header link."""
    try:
        return cart_services.item_count(current_cart())
    except SQLAlchemyError:
        # The header is also drawn on the error page of a failed request: show 0
        # rather than fail again (discarding what the failed request left).
        end_read()
        return 0


def header_cart_key() -> tuple:
    """What the header's cart link (``partials/header_cart.html``) shows besides the
    language: the page cache draws it once per value (docs/caching.md)."""
    return (cart_item_count(), request.endpoint == "cart.view")


def _safe_next(default: str) -> str:
    target = request.form.get("next") or request.args.get("next")
    return target if is_safe_local_path(target) else default


# ---------------------------------------------------------------- cart


def _render_cart(status: int = 200, *, error=None, error_variant_id: int | None = None, fix=None):
    """The cart page; ``fix`` is a refused wholesale quantity whose nearest valid
    quantity the page offers as one button."""
    view = cart_services.view_cart(current_cart(), buyer=_buyer(), locale=current_language())
    if not (isinstance(fix, cart_services.WholesaleQuantityRefused) and fix.problem.suggestion):
        fix = None
    return render_template(
        "cart/cart.html", cart=view, form=forms.CartActionForm(), error=error, error_variant_id=error_variant_id,
        max_line_quantity=cart_services.max_line_quantity(), fix=fix,
    ), status


@bp.get("/cart")
def view():
    return _render_cart()


def _variant_id_or_none() -> int | None:
    try:
        return cart_services.parse_variant_id(request.form.get("variant_id"))
    except DomainError:
        return None


@bp.post("/cart/add")
def add():
    try:
        line = cart_services.add_to_cart(
            current_cart(), request.form.get("variant_id"), request.form.get("quantity", "1"),
            buyer=_buyer(), locale=current_language(),
        )
    except DomainError as exc:
        return _render_cart(exc.status_code, error=exc.message, error_variant_id=_variant_id_or_none(), fix=exc)
    flash(_("%(name)s is in your cart (%(count)d).",
            name=cart_services.display_name(line.variant, current_language()), count=line.quantity), "success")
    return redirect(_safe_next(url_for("cart.view")), 303)


@bp.post("/cart/update")
def update():
    try:
        cart_services.set_quantity(
            current_cart(), request.form.get("variant_id"), request.form.get("quantity"), buyer=_buyer(),
            locale=current_language(),
        )
    except DomainError as exc:
        return _render_cart(exc.status_code, error=exc.message, error_variant_id=_variant_id_or_none(), fix=exc)
    flash(_("The quantity is updated."), "success")
    return redirect(_safe_next(url_for("cart.view")), 303)


@bp.post("/cart/remove")
def remove():
    if cart_services.remove_from_cart(current_cart(), request.form.get("variant_id")):
        flash(_("The item is removed from your cart."), "success")
    return redirect(_safe_next(url_for("cart.view")), 303)


@bp.post("/cart/remove-booking")
def remove_booking():
    if cart_services.remove_booking(current_cart(), request.form.get("session_id")):
        flash(_("The booking is removed from your cart."), "success")
    return redirect(_safe_next(url_for("cart.view")), 303)


@bp.post("/cart/accept-prices")
def accept_prices():
    cart_services.accept_current_prices(current_cart(), buyer=_buyer(), locale=current_language())
    flash(_("The new prices are confirmed."), "success")
    return redirect(_safe_next(url_for("cart.view")), 303)


# ---------------------------------------------------------------- quick order and order again


def _render_quick_order(form, check=None, status: int = 200):
    return render_template(
        "cart/quick_order.html", form=form, check=check, cart_form=forms.CartActionForm(),
        max_entries=quick_order.MAX_ENTRIES, max_file_kb=quick_order.MAX_FILE_BYTES // 1024,
    ), status


@bp.route("/cart/quick-order", methods=["GET", "POST"])
def quick_order_page():
    """Many items at once, typed or uploaded; all are added or none (docs/product.md:
    Wholesale)."""
    form = forms.QuickOrderForm()
    if request.method == "GET":
        return _render_quick_order(form)
    form.validate()  # the CSRF token was already checked; the lines are checked by the service
    if form.refused_text():
        return _render_quick_order(form, status=422)
    upload = request.files.get(form.file.name)
    if upload is not None and upload.filename:
        check = quick_order.parse_csv(upload.read(quick_order.MAX_FILE_BYTES + 1))
    else:
        check = quick_order.parse_text(form.lines.data)
    try:
        result = quick_order.quick_order(current_cart(), check, buyer=_buyer(), locale=current_language())
    except quick_order.QuickOrderRefused as exc:
        return _render_quick_order(form, exc.check, exc.status_code)
    flash(ngettext("%(num)d item added to your cart (%(units)d units in all).",
                   "%(num)d items added to your cart (%(units)d units in all).",
                   result.item_count, units=result.unit_count), "success")
    return redirect(url_for("cart.view"), 303)


#: Lines of an order again explained one by one; the rest are counted.
MAX_REORDER_NOTES = 10


@bp.post("/cart/order-again/<public_id>")
def order_again(public_id: str):
    """A past order of the signed-in buyer back into the cart at today's prices."""
    buyer = _buyer()
    order = reorder.own_order(public_id, buyer)
    result = reorder.order_again(current_cart(), order, buyer=buyer, locale=current_language())
    added = len(result.added_lines)
    if added:
        flash(ngettext("%(num)d item of order %(number)s is in your cart at today's price.",
                       "%(num)d items of order %(number)s are in your cart at today's prices.",
                       added, number=order.public_id), "success")
    else:
        flash(_("Nothing of order %(number)s could be added to your cart.", number=order.public_id), "error")
    changed = result.changed_lines
    for line in changed[:MAX_REORDER_NOTES]:
        flash(f"{line.name}: {' '.join(line.notes)}", "warning")
    if len(changed) > MAX_REORDER_NOTES:
        flash(ngettext("%(num)d more item changed; check your cart.", "%(num)d more items changed; check your cart.",
                       len(changed) - MAX_REORDER_NOTES), "warning")
    return redirect(url_for("cart.view"), 303)


# ---------------------------------------------------------------- checkout


def _shipping_choices_from_form() -> dict[int, str]:
    """The form's ``shipping_<enterprise id>`` choices; the checkout refuses a choice
    that is not one of that enterprise's options, and ignores enterprises not in the
    cart."""
    choices = {}
    for name, value in request.form.items():
        number = name.removeprefix("shipping_")
        if number != name and number.isascii() and number.isdigit() and len(number) <= 10:
            choices[int(number)] = value
    return choices


def _render_checkout(form, view, status: int = 200, *, field_errors=None, saved=None):
    return allow_checkout_redirect(make_response(render_template(
        "cart/checkout.html",
        form=form,
        cart=view,
        saved_addresses=saved if saved is not None else (list_saved_addresses(current_user) if current_user.is_authenticated else []),
        field_errors=field_errors or {},
        confirm_form=forms.CartActionForm(),
        default_option_key=shipping_service.DEFAULT_OPTION_KEY,
        po_number_allowed=_may_give_po_number(),
        credit=invoicing.credit_of(_buyer()),
        invoice_method=st.PAYMENT_INVOICE,
    ), status))


def _may_give_po_number() -> bool:
    """Whether the checkout asks for a purchase-order number (``place_order`` refuses
    one from anyone but a verified retail buyer)."""
    buyer = _buyer()
    return bool(buyer is not None and buyer.is_verified_retail_buyer)


def _prefill(form) -> list:
    """Fill an empty checkout form from the user's chosen or default saved address."""
    if not current_user.is_authenticated:
        return []
    form.email.data = current_user.email
    saved = list_saved_addresses(current_user)
    chosen = None
    wanted = request.args.get("address")
    if wanted:
        try:
            chosen = get_saved_address(current_user, wanted)
        except DomainError:
            chosen = None
    chosen = chosen or (saved[0] if saved else None)
    if chosen is not None:
        form.fill_address(chosen)
        form.save_address.data = False
    elif current_user.phone:
        form.phone.data = current_user.phone
    if not form.recipient_name.data:
        form.recipient_name.data = current_user.display_name
    return saved


@bp.route("/checkout", methods=["GET", "POST"])
def checkout_page():
    cart = current_cart()
    buyer = _buyer()
    locale = current_language()
    if request.method == "GET":
        view = checkout.preview_order(cart, buyer=buyer, locale=locale)
        if view.is_empty:
            flash(_("Your cart is empty."), "info")
            return redirect(url_for("cart.view"))
        form = forms.CheckoutForm()
        _offer_payment_methods(form, default=True, with_bookings=bool(view.bookings))
        saved = _prefill(form)
        form.expected_total.data = str(view.total_satang)
        return _render_checkout(form, view, saved=saved)

    form = forms.CheckoutForm()
    _offer_payment_methods(form, with_bookings=bool(cart.bookings()))
    form.validate()  # the CSRF token was already checked; values are checked by the service
    choices = _shipping_choices_from_form()
    if request.form.get("action") == "update":
        view = checkout.preview_order(cart, buyer=buyer, locale=locale, shipping_choices=choices)
        form.expected_total.data = str(view.total_satang)
        return _render_checkout(form, view)
    if current_user.is_authenticated:
        form.email.data = current_user.email
    if form.refused_text():
        view = checkout.preview_order(cart, buyer=buyer, locale=locale, shipping_choices=choices)
        form.expected_total.data = str(view.total_satang)
        return _render_checkout(form, view, 422)
    try:
        expected = checkout.parse_expected_total(form.expected_total.data)
        order = checkout.place_order(
            cart,
            buyer=buyer,
            address=form.address_data(),
            email=form.email.data,
            shipping_choices=choices,
            payment_method=form.payment_method.data,
            locale=locale,
            buyer_note=form.buyer_note.data,
            po_number=form.po_number.data or None,
            save_address=bool(form.save_address.data),
            expected_total_satang=expected,
        )
    except DomainError as exc:
        show_domain_error(form, exc)
        field_errors = {name: message for name, message in exc.fields.items() if not hasattr(form, name)}
        if field_errors and exc.message not in form.form_errors:
            form.form_errors.append(exc.message)
        view = getattr(exc, "cart_view", None) or checkout.preview_order(cart, buyer=buyer, locale=locale,
                                                                         shipping_choices=choices)
        form.expected_total.data = str(view.total_satang)
        return _render_checkout(form, view, exc.status_code, field_errors=field_errors)

    if capabilities_of(order.payment_method).hosted_checkout:
        return _start_provider_payment(order, order_url(order))
    if order.payment_method == st.PAYMENT_INVOICE:
        flash(_("Thank you! Your order %(number)s is confirmed. The invoice is on the order page.",
                number=order.public_id), "success")
        return redirect(order_url(order), 303)
    flash(_("Thank you! Your order %(number)s is placed. Please pay to confirm it.", number=order.public_id),
          "success")
    return redirect(order_url(order), 303)


def _offer_payment_methods(form, *, default: bool = False, total_satang: int | None = None,
                           with_bookings: bool = False) -> None:
    """The methods offered to this buyer now (Stripe only when configured; not on
    invoice for a cart that books an experience), the first the default."""
    methods = checkout.offered_methods(_buyer(), total_satang, with_bookings=with_bookings)
    form.payment_method.choices = [(code, checkout.PAYMENT_METHOD_LABELS[code]) for code in methods]
    if default or not form.payment_method.data:
        form.payment_method.data = methods[0]


def _start_provider_payment(order, order_link: str):
    """After placing an order paid on the provider's page: off to that page, or (the
    provider failing) the order page with a retry button; the order stays unpaid
    either way."""
    try:
        start = begin_payment(order)
    except ProviderError:
        flash(_("Your order %(number)s is placed, but the payment page could not be opened just now. "
                "Please try again with the button below.", number=order.public_id), "error")
        return redirect(order_link, 303)
    if start.redirect_url:
        return redirect(start.redirect_url, 303)
    return redirect(order_link, 303)


from shop.cart import address_views  # noqa: E402,F401  (its routes are on this blueprint)
