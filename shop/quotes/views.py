"""Request-for-quote pages: the buyer's (``/quotes/new``, ``/account/quotes``) and the
enterprise's (``/seller/<enterprise_id>/quotes``).

Seller pages check membership with ``catalog/access.py`` on every request and look a
request up within that enterprise, so another enterprise's request answers 404; a
buyer sees only their own. A refused form is shown again with its messages and the
refusal's status (422, 409 …).
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.accounts.access import login_required
from shop.cart import checkout
from shop.catalog.access import get_member_enterprise_or_404
from shop.catalog.pricing import buys_wholesale
from shop.catalog.status import enterprise_status_label, member_role_label
from shop.errors import DomainError
from shop.forms import show_domain_error
from shop.i18n import current_language
from shop.money import satang_to_input
from shop.orders import status as st
from shop.orders.access import order_url
from shop.orders.addresses import list_saved_addresses
from shop.pagination import paginate, parse_page
from shop.quotes import forms
from shop.quotes import services as svc
from shop.quotes.machines import LABELS, QUOTES
from shop.quotes.models import QUOTED, REQUESTED
from shop.roles import BUYER, ENTERPRISE_MEMBER
from shop.roles import LABELS as ROLE_LABELS
from shop.statemachine import history

bp = Blueprint("quotes", __name__)

PER_PAGE = 20


def _page_context() -> dict:
    return {"quote_status_label": lambda req: LABELS[svc.shown_status(req)], "shown_status": svc.shown_status,
            "may_accept": svc.may_accept, "quote_state_label": lambda code: LABELS.get(code, code),
            "actor_label": lambda code: ROLE_LABELS.get(code, code), "order_link": order_url}


def _link_if_installed(endpoint: str, **values) -> str | None:
    """A link to a page another area may provide, or None (the seller layout asks for
    its optional tabs this way)."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


@bp.context_processor
def _seller_layout_helpers() -> dict:
    return {"status_label": enterprise_status_label, "role_label": member_role_label,
            "seller_link": _link_if_installed}


# ---------------------------------------------------------------- buyer


@bp.route("/quotes/new", methods=["GET", "POST"])
@login_required
def new_request():
    if not buys_wholesale(current_user):
        raise svc.NotAWholesaleBuyer()
    variant_id = svc.parse_whole(request.args.get("variant"), "variant_id")
    variant = svc.load_quote_variant(variant_id)
    form = forms.RequestForm()
    if request.method == "GET":
        form.quantity.data = str(max(variant.moq, variant.case_pack))
        return _render_new(form, variant)
    status = 422
    if form.validate() and not form.refused_text():
        try:
            req = svc.request_quote(
                current_user, variant.id,
                quantity=svc.parse_whole(form.quantity.data, "quantity"),
                target_unit_satang=svc.parse_baht(form.target_unit_price.data, "target_unit_price", required=False),
                delivery_date=svc.parse_date(form.delivery_date.data, "delivery_date"),
                message=form.message.data,
            )
        except DomainError as exc:
            show_domain_error(form, exc)
            status = exc.status_code
        else:
            flash(_("Your request %(ref)s is sent. The enterprise will answer here and by e-mail.",
                    ref=req.reference), "success")
            return redirect(url_for("quotes.buyer_detail", request_id=req.id), 303)
    return _render_new(form, variant, status)


def _render_new(form, variant, status: int = 200):
    return render_template("quotes/new.html", form=form, variant=variant, product=variant.product,
                           enterprise=variant.product.enterprise), status


@bp.get("/account/quotes")
@login_required
def buyer_list():
    page = paginate(svc.buyer_requests_query(current_user), parse_page(request.args.get("page"), lenient=True),
                    PER_PAGE)
    return render_template("quotes/buyer_list.html", page=page, **_page_context())


def _buyer_detail(req, *, accept_form=None, message_form=None, withdraw_form=None, status: int = 200,
                  error=None):
    accept_form = accept_form or _accept_form(req)
    if request.method == "GET":
        saved = accept_form.saved_address.choices
        if len(saved) > 1:
            accept_form.saved_address.data = saved[1][0]
    return render_template(
        "quotes/buyer_detail.html", req=req, order=svc.order_of(req), accept_form=accept_form,
        message_form=message_form or forms.MessageForm(), withdraw_form=withdraw_form or forms.WithdrawForm(),
        events=history(QUOTES, req.id), error=error, **_page_context(),
    ), status


def _accept_form(req) -> forms.AcceptForm:
    form = forms.AcceptForm()
    form.saved_address.choices = [("", _("A new address (below)"))] + [
        (str(a.id), f"{a.label or a.recipient_name}: {a.address_line}, {a.district} {a.postcode}")
        for a in list_saved_addresses(current_user)
    ]
    total = req.quoted_total_satang if req.status == QUOTED else None
    methods = checkout.offered_methods(current_user, total)
    form.payment_method.choices = [(code, checkout.PAYMENT_METHOD_LABELS.get(code, code)) for code in methods]
    if not form.payment_method.data:
        form.payment_method.data = methods[0] if methods else None
    if request.method == "GET" and not form.recipient_name.data:
        form.recipient_name.data = current_user.display_name
        form.phone.data = current_user.phone or ""
    return form


@bp.get("/account/quotes/<int:request_id>")
@login_required
def buyer_detail(request_id: int):
    return _buyer_detail(svc.get_for_buyer(current_user, request_id))


@bp.post("/account/quotes/<int:request_id>/messages")
@login_required
def buyer_message(request_id: int):
    req = svc.get_for_buyer(current_user, request_id)
    form = forms.MessageForm()
    if form.validate() and not form.refused_text():
        try:
            svc.post_message(current_user, req, form.body.data, role=BUYER)
        except DomainError as exc:
            show_domain_error(form, exc)
            return _buyer_detail(req, message_form=form, status=exc.status_code)
        flash(_("Message sent."), "success")
        return redirect(url_for("quotes.buyer_detail", request_id=req.id, _anchor="messages"), 303)
    return _buyer_detail(req, message_form=form, status=422)


@bp.post("/account/quotes/<int:request_id>/withdraw")
@login_required
def withdraw(request_id: int):
    req = svc.get_for_buyer(current_user, request_id)
    form = forms.WithdrawForm()
    if form.validate() and not form.refused_text():
        try:
            svc.withdraw(current_user, req, form.reason.data)
        except DomainError as exc:
            show_domain_error(form, exc)
            return _buyer_detail(req, withdraw_form=form, status=exc.status_code)
        flash(_("Your request %(ref)s is withdrawn.", ref=req.reference), "success")
        return redirect(url_for("quotes.buyer_detail", request_id=req.id), 303)
    return _buyer_detail(req, withdraw_form=form, status=422)


@bp.post("/account/quotes/<int:request_id>/accept")
@login_required
def accept(request_id: int):
    req = svc.get_for_buyer(current_user, request_id)
    form = _accept_form(req)
    if form.validate() and not form.refused_text():
        try:
            order = svc.accept(
                current_user, req, address=form.address_data(), saved_address_id=form.saved_address.data or None,
                payment_method=form.payment_method.data, po_number=form.po_number.data or None,
                buyer_note=form.buyer_note.data, locale=current_language(),
            )
        except DomainError as exc:
            show_domain_error(form, exc)
            return _buyer_detail(req, accept_form=form, status=exc.status_code,
                                 error=None if exc.fields else exc.message)
        if order.payment_method == st.PAYMENT_INVOICE:
            flash(_("Quote accepted: order %(number)s is placed at the quoted price and confirmed on invoice.",
                    number=order.public_id), "success")
        else:
            flash(_("Quote accepted: order %(number)s is placed at the quoted price. Please pay to confirm it.",
                    number=order.public_id), "success")
        return redirect(order_url(order), 303)
    return _buyer_detail(req, accept_form=form, status=422)


# ---------------------------------------------------------------- seller


def _enterprise(enterprise_id: int):
    enterprise, _membership = get_member_enterprise_or_404(current_user, enterprise_id)
    return enterprise


@bp.get("/seller/<int:enterprise_id>/quotes")
@login_required
def seller_list(enterprise_id: int):
    enterprise = _enterprise(enterprise_id)
    to_answer = request.args.get("show") == "to_answer"
    page = paginate(svc.enterprise_requests_query(enterprise.id, to_answer=to_answer),
                    parse_page(request.args.get("page"), lenient=True), PER_PAGE)
    return render_template("quotes/seller_list.html", enterprise=enterprise, page=page, to_answer=to_answer,
                           active_tab="orders", **_page_context())


def _seller_detail(enterprise, req, *, quote_form=None, decline_form=None, message_form=None, status: int = 200):
    if quote_form is None:
        quote_form = forms.QuoteForm()
        if req.status == QUOTED:
            quote_form.unit_price.data = satang_to_input(req.quoted_unit_satang)
            quote_form.quantity.data = str(req.quoted_quantity)
            quote_form.shipping.data = satang_to_input(req.quoted_shipping_satang)
            quote_form.valid_until.data = req.valid_until.isoformat() if req.valid_until else ""
            quote_form.lead_time_days.data = "" if req.lead_time_days is None else str(req.lead_time_days)
            quote_form.note.data = req.quote_note or ""
        elif req.status == REQUESTED:
            quote_form.quantity.data = str(req.quantity)
            quote_form.shipping.data = "0"
            if req.variant.lead_time_days is not None:
                quote_form.lead_time_days.data = str(req.variant.lead_time_days)
    return render_template(
        "quotes/seller_detail.html", enterprise=enterprise, req=req, order=svc.order_of(req),
        quote_form=quote_form, decline_form=decline_form or forms.DeclineForm(),
        message_form=message_form or forms.MessageForm(), events=history(QUOTES, req.id),
        active_tab="orders", max_valid_days=svc.MAX_VALID_DAYS, **_page_context(),
    ), status


@bp.get("/seller/<int:enterprise_id>/quotes/<int:request_id>")
@login_required
def seller_detail(enterprise_id: int, request_id: int):
    enterprise = _enterprise(enterprise_id)
    return _seller_detail(enterprise, svc.get_for_enterprise(enterprise.id, request_id))


@bp.post("/seller/<int:enterprise_id>/quotes/<int:request_id>/quote")
@login_required
def answer(enterprise_id: int, request_id: int):
    enterprise = _enterprise(enterprise_id)
    req = svc.get_for_enterprise(enterprise.id, request_id)
    form = forms.QuoteForm()
    if form.validate() and not form.refused_text():
        try:
            svc.answer_quote(
                current_user, req,
                unit_satang=svc.parse_baht(form.unit_price.data, "unit_price"),
                quantity=svc.parse_whole(form.quantity.data, "quantity"),
                shipping_satang=svc.parse_baht(form.shipping.data, "shipping"),
                valid_until=svc.parse_date(form.valid_until.data, "valid_until"),
                lead_time_days=svc.parse_whole(form.lead_time_days.data, "lead_time_days", required=False),
                note=form.note.data,
            )
        except DomainError as exc:
            show_domain_error(form, exc)
            return _seller_detail(enterprise, req, quote_form=form, status=exc.status_code)
        flash(_("Your quote is sent to the buyer."), "success")
        return redirect(url_for("quotes.seller_detail", enterprise_id=enterprise.id, request_id=req.id), 303)
    return _seller_detail(enterprise, req, quote_form=form, status=422)


@bp.post("/seller/<int:enterprise_id>/quotes/<int:request_id>/decline")
@login_required
def decline(enterprise_id: int, request_id: int):
    enterprise = _enterprise(enterprise_id)
    req = svc.get_for_enterprise(enterprise.id, request_id)
    form = forms.DeclineForm()
    if form.validate() and not form.refused_text():
        try:
            svc.decline(current_user, req, form.reason.data)
        except DomainError as exc:
            show_domain_error(form, exc)
            return _seller_detail(enterprise, req, decline_form=form, status=exc.status_code)
        flash(_("The request is declined; the buyer is told why."), "success")
        return redirect(url_for("quotes.seller_detail", enterprise_id=enterprise.id, request_id=req.id), 303)
    return _seller_detail(enterprise, req, decline_form=form, status=422)


@bp.post("/seller/<int:enterprise_id>/quotes/<int:request_id>/messages")
@login_required
def seller_message(enterprise_id: int, request_id: int):
    enterprise = _enterprise(enterprise_id)
    req = svc.get_for_enterprise(enterprise.id, request_id)
    form = forms.MessageForm()
    if form.validate() and not form.refused_text():
        try:
            svc.post_message(current_user, req, form.body.data, role=ENTERPRISE_MEMBER)
        except DomainError as exc:
            show_domain_error(form, exc)
            return _seller_detail(enterprise, req, message_form=form, status=exc.status_code)
        flash(_("Message sent."), "success")
        return redirect(url_for("quotes.seller_detail", enterprise_id=enterprise.id, request_id=req.id,
                                _anchor="messages"), 303)
    return _seller_detail(enterprise, req, message_form=form, status=422)
