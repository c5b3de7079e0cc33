"""Back-office pages: the index with its queues, the enterprise list and review page,
and the retail-buyer queue. Every action is a POST (CSRF-checked by ``CSRFProtect``)
that calls one service with the acting staff user; staff-only is enforced for the
whole blueprint in ``shop.admin``.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.accounts.models import RetailBuyer
from shop.admin import bp, forms, services
from shop.catalog import status
from shop.catalog.services import STAGE_LABELS, track_progress
from shop.errors import DomainError, NotFound, ValidationFailed
from shop.forms import ConfirmForm, show_domain_error
from shop.invoicing import services as invoicing
from shop.invoicing.models import NET_TERMS
from shop.ledger import services as ledger
from shop.pagination import parse_page
from shop.track import programmes as track_programmes
from shop.track import services as track


@bp.context_processor
def _admin_helpers() -> dict:
    return {
        "status_label": status.enterprise_status_label,
        "role_label": status.member_role_label,
        "stage_labels": STAGE_LABELS,
        "admin_link": admin_link,
        "buyer_status_label": buyer_status_label,
    }


def admin_link(endpoint: str, **values) -> str | None:
    """A link to a back-office page another area may provide, or None."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


def buyer_status_label(code: str) -> str:
    labels = {RetailBuyer.PENDING: _("Waiting for review"), RetailBuyer.VERIFIED: _("Verified"),
              RetailBuyer.REJECTED: _("Refused")}
    return labels.get(code, code)


@bp.get("/")
def index():
    return render_template("admin/index.html", counts=services.back_office_counts())


# ---------------------------------------------------------------- enterprises


@bp.get("/enterprises")
def enterprises():
    status_filter = services.parse_filter(request.args.get("status"), services.ENTERPRISE_FILTERS,
                                          status.ENTERPRISE_PENDING)
    page = services.list_enterprises(status_filter, parse_page(request.args.get("page"), error=ValidationFailed))
    return render_template("admin/enterprises.html", page=page, status_filter=status_filter,
                           filters=services.ENTERPRISE_FILTERS)


def _render_review(enterprise_id: int, *, reject_form=None, suspend_form=None, stage_form=None,
                   registration_form=None, error=None, status_code: int = 200, payout_errors=None,
                   payout_values=None, tick_errors=None):
    review = services.enterprise_review(enterprise_id)
    if stage_form is None:
        stage_form = forms.StageForm()
        stage_form.stage.data = review.enterprise.track_stage
    if registration_form is None:
        registration_form = forms.RegistrationNoForm()
        registration_form.registration_no.data = review.enterprise.registration_no
    return render_template(
        "admin/enterprise.html",
        review=review,
        enterprise=review.enterprise,
        track=track_progress(review.enterprise),
        confirm_form=ConfirmForm(),
        reject_form=reject_form or forms.ReasonForm(prefix="reject"),
        suspend_form=suspend_form or forms.ReasonForm(prefix="suspend"),
        stage_form=stage_form,
        registration_form=registration_form,
        payout_errors=payout_errors or {},
        payout_values=payout_values,
        default_fee_bps=current_app.config["PLATFORM_FEE_BPS"],
        error=error,
        checklist=track.checklist(review.enterprise),
        tick_history=track.tick_history(review.enterprise.id),
        programmes=track_programmes.programmes_of(review.enterprise),
        staff_forms=_TickForms(review.enterprise.id, tick_errors or {}),
    ), status_code


render_review = _render_review


class _TickForms:
    """What the checklist's item rows need to draw the staff's tick and untick forms."""

    def __init__(self, enterprise_id: int, errors: dict):
        self.enterprise_id = enterprise_id
        self.errors = errors
        self.open = next(iter(errors), None)

    def tick_url(self, item) -> str:
        return url_for("admin.checklist_tick", enterprise_id=self.enterprise_id, item_id=item.id)

    def untick_url(self, item) -> str:
        return url_for("admin.checklist_untick", enterprise_id=self.enterprise_id, item_id=item.id)


@bp.get("/enterprises/<int:enterprise_id>")
def enterprise(enterprise_id: int):
    return _render_review(enterprise_id)


def _back_to_review(enterprise_id: int, message: str):
    flash(message, "success")
    return redirect(url_for("admin.enterprise", enterprise_id=enterprise_id))


def _refused(enterprise_id: int, exc: DomainError, **forms_with_errors):
    if isinstance(exc, NotFound):
        raise exc
    return _render_review(enterprise_id, error=exc.message if not exc.fields else None,
                          status_code=exc.status_code, **forms_with_errors)


@bp.post("/enterprises/<int:enterprise_id>/approve")
def approve(enterprise_id: int):
    try:
        services.approve_enterprise(current_user, enterprise_id)
    except DomainError as exc:
        return _refused(enterprise_id, exc)
    return _back_to_review(enterprise_id, _("Approved. The owners have been told by e-mail."))


def _with_reason(enterprise_id: int, prefix: str, action, done: str):
    form = forms.ReasonForm(prefix=prefix)
    form_key = f"{prefix}_form"
    if not form.validate():
        return _render_review(enterprise_id, status_code=422, **{form_key: form})
    try:
        action(current_user, enterprise_id, form.reason.data or "")
    except DomainError as exc:
        if exc.fields:
            form.reason.errors = [*form.reason.errors, *exc.fields.values()]
        return _refused(enterprise_id, exc, **{form_key: form})
    return _back_to_review(enterprise_id, done)


@bp.post("/enterprises/<int:enterprise_id>/reject")
def reject(enterprise_id: int):
    return _with_reason(enterprise_id, "reject", services.reject_enterprise,
                        _("Application refused. The owners have been told why by e-mail."))


@bp.post("/enterprises/<int:enterprise_id>/suspend")
def suspend(enterprise_id: int):
    return _with_reason(enterprise_id, "suspend", services.suspend_enterprise,
                        _("Enterprise suspended: its products are hidden from the shop."))


@bp.post("/enterprises/<int:enterprise_id>/reinstate")
def reinstate(enterprise_id: int):
    try:
        services.reinstate_enterprise(current_user, enterprise_id)
    except DomainError as exc:
        return _refused(enterprise_id, exc)
    return _back_to_review(enterprise_id, _("Enterprise reinstated."))


@bp.post("/enterprises/<int:enterprise_id>/stage")
def stage(enterprise_id: int):
    form = forms.StageForm()
    if not form.validate():
        return _render_review(enterprise_id, stage_form=form, status_code=422)
    try:
        services.move_track_stage(current_user, enterprise_id, form.stage.data, form.note.data)
    except DomainError as exc:
        show_domain_error(form, exc)
        return _refused(enterprise_id, exc, stage_form=form)
    return _back_to_review(enterprise_id, _("Track stage changed."))


@bp.post("/enterprises/<int:enterprise_id>/registration")
def registration(enterprise_id: int):
    form = forms.RegistrationNoForm()
    if not form.validate():
        return _render_review(enterprise_id, registration_form=form, status_code=422)
    try:
        services.correct_registration_no(current_user, enterprise_id, form.registration_no.data)
    except DomainError as exc:
        show_domain_error(form, exc)
        return _refused(enterprise_id, exc, registration_form=form)
    return _back_to_review(enterprise_id, _("Registration number corrected."))


@bp.post("/enterprises/<int:enterprise_id>/payouts")
def payout_settings(enterprise_id: int):
    form = ConfirmForm()
    if not form.validate():
        return _render_review(enterprise_id, error=_("The form expired. Please try again."), status_code=400)
    try:
        ledger.set_payout_settings(current_user, enterprise_id, fee_percent=request.form.get("fee_percent"),
                                   stripe_account_id=request.form.get("stripe_account_id"))
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        return _render_review(enterprise_id, payout_errors=exc.fields, status_code=exc.status_code,
                              payout_values=request.form)
    return _back_to_review(enterprise_id, _("Fee and payout settings saved."))


# ---------------------------------------------------------------- retail buyers


def _render_buyers(status_filter: str, page_number: int = 1, *, reason_errors=None, error=None,
                   status_code: int = 200):
    page = services.list_retail_buyers(status_filter, page_number)
    return render_template(
        "admin/retail_buyers.html", page=page, status_filter=status_filter,
        filters=services.RETAIL_BUYER_FILTERS, confirm_form=ConfirmForm(),
        reason_errors=reason_errors or {}, error=error,
        terms=invoicing.terms_for_buyers(buyer.user_id for buyer in page.items), net_terms=NET_TERMS,
    ), status_code


@bp.get("/retail-buyers")
def retail_buyers():
    status_filter = services.parse_filter(request.args.get("status"), services.RETAIL_BUYER_FILTERS,
                                          RetailBuyer.PENDING)
    return _render_buyers(status_filter, parse_page(request.args.get("page"), error=ValidationFailed))


def _buyers_filter_from_form() -> str:
    value = request.form.get("back_status", RetailBuyer.PENDING)
    return value if value in services.RETAIL_BUYER_FILTERS else RetailBuyer.PENDING


@bp.post("/retail-buyers/<int:buyer_id>/verify")
def verify_buyer(buyer_id: int):
    back = _buyers_filter_from_form()
    try:
        buyer = services.verify_retail_buyer(current_user, buyer_id)
    except NotFound:
        raise
    except DomainError as exc:
        return _render_buyers(back, error=exc.message, status_code=exc.status_code)
    flash(_("%(company)s is verified and can now see wholesale prices.", company=buyer.company_name), "success")
    return redirect(url_for("admin.retail_buyers", status=back))


@bp.post("/retail-buyers/<int:buyer_id>/reject")
def reject_buyer(buyer_id: int):
    back = _buyers_filter_from_form()
    reason = request.form.get("reason", "")
    if len(reason) > 2000:
        return _render_buyers(back, reason_errors={buyer_id: _("Use at most %(max)d characters.", max=2000)},
                              status_code=422)
    try:
        buyer = services.reject_retail_buyer(current_user, buyer_id, reason)
    except NotFound:
        raise
    except DomainError as exc:
        if exc.fields:
            return _render_buyers(back, reason_errors={buyer_id: exc.message}, status_code=exc.status_code)
        return _render_buyers(back, error=exc.message, status_code=exc.status_code)
    flash(_("%(company)s was refused. The buyer has been told why by e-mail.", company=buyer.company_name),
          "success")
    return redirect(url_for("admin.retail_buyers", status=back))
