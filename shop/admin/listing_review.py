"""Back-office review of listings: the queue of listings waiting for review (and the
other statuses), one listing shown as the storefront will show it, and the staff
decisions: approve (→ live), send back to draft with a reason, take down a live
listing with a reason. Each decision e-mails the enterprise's owners.

Staff-only is enforced for the whole ``admin`` blueprint in ``shop.admin``; the
service checks it again.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.admin import bp
from shop.catalog import listing_status, status
from shop.catalog import listings as services
from shop.errors import ValidationFailed
from shop.pagination import parse_page
from shop.sellers import listing_forms as forms


@bp.context_processor
def _listing_review_helpers() -> dict:
    return {"listing_status_label": listing_status.status_label, "listing_statuses": status.PRODUCT_STATUSES}


@bp.get("/listings")
def listings():
    status_filter = request.args.get("status", status.PENDING_REVIEW)
    if status_filter not in status.PRODUCT_STATUSES:
        status_filter = status.PENDING_REVIEW
    page = services.review_queue(status_filter, page=parse_page(request.args.get("page"), lenient=True))
    return render_template("admin/listings/index.html", page=page, status_filter=status_filter,
                           admin_tab="listings")


def _render_listing(product, form=None, status_code: int = 200, error=None):
    return render_template(
        "admin/listings/detail.html", product=product, page=services.preview_page(product),
        enterprise=product.enterprise, form=form or forms.ReviewForm(), error=error,
        history=services.status_history(product), checklist=services.listing_checklist(product),
        targets=listing_status.allowed_targets(product, current_user, role=listing_status.STAFF),
        show_wholesale=True, login_url=None, admin_tab="listings",
    ), status_code


@bp.get("/listings/<int:product_id>")
def listing(product_id: int):
    return _render_listing(services.product_for_staff(product_id))


@bp.post("/listings/<int:product_id>/review")
def listing_review(product_id: int):
    product = services.product_for_staff(product_id)
    form = forms.ReviewForm()
    if not form.validate():
        return _render_listing(product, form, 400, _("Your form expired. Please try again."))
    decision = form.decision.data or ""
    try:
        services.review_listing(product, current_user, decision, form.reason.data)
    except ValidationFailed as exc:  # also a refused transition (409)
        if exc.fields.get("reason"):
            form.reason.errors = [exc.fields["reason"]]
        product = services.product_for_staff(product_id)
        return _render_listing(product, form, exc.status_code, None if exc.fields else exc.message)
    done = {
        "approve": _("Approved: the listing is live. The owners have been told by e-mail."),
        "send_back": _("Sent back to the enterprise with your reason."),
        "take_down": _("Taken down: shoppers no longer see it. The owners have been told why."),
    }
    flash(done.get(decision, _("Done.")), "success")
    if decision == "approve":
        return redirect(url_for("admin.listings")), 303
    return redirect(url_for("admin.listing", product_id=product.id)), 303
