"""Back-office review moderation: the newest reviews (all, shown or hidden), and the
staff decisions: hide an abusive review with a reason, show a hidden one again. Both
keep the product's rating in step (``shop/reviews/services.py``).

Staff-only is enforced for the whole ``admin`` blueprint in ``shop.admin``.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.admin import bp
from shop.errors import DomainError
from shop.forms import show_domain_error
from shop.pagination import parse_page
from shop.reviews import forms, services
from shop.reviews.models import HIDDEN, VISIBLE


def _show_filter(value: str | None) -> str:
    return value if value in services.STAFF_FILTERS else "all"


def _render(show: str, page_number: int, *, hide_forms=None, status: int = 200):
    page = services.staff_reviews(page=page_number, show=show)
    hide_forms = hide_forms or {}
    for review in page.items:
        hide_forms.setdefault(review.id, forms.HideForm(prefix=f"h{review.id}"))
    return render_template("admin/reviews.html", page=page, show=show, filters=services.STAFF_FILTERS,
                           hide_forms=hide_forms, admin_tab="reviews", HIDDEN=HIDDEN, VISIBLE=VISIBLE), status


@bp.get("/reviews")
def reviews():
    return _render(_show_filter(request.args.get("show")), parse_page(request.args.get("page"), lenient=True))


def _back(show: str, page_number: int, review_id: int):
    return redirect(url_for("admin.reviews", show=None if show == "all" else show,
                            page=page_number if page_number > 1 else None) + f"#review-{review_id}", code=303)


@bp.post("/reviews/<int:review_id>/hide")
def review_hide(review_id: int):
    show = _show_filter(request.form.get("show"))
    page_number = parse_page(request.form.get("page"), lenient=True)
    form = forms.HideForm(prefix=f"h{review_id}")
    if not form.validate():
        expired = "csrf_token" in form.errors
        form.form_errors.append(_("Your form expired. Please try again.") if expired
                                else _("Please check the fields marked below."))
        return _render(show, page_number, hide_forms={review_id: form}, status=400 if expired else 422)
    try:
        services.hide(current_user, review_id, form.reason.data)
    except DomainError as exc:
        show_domain_error(form, exc)
        return _render(show, page_number, hide_forms={review_id: form}, status=exc.status_code)
    flash(_("The review is hidden and no longer counts in the product's rating."), "success")
    return _back(show, page_number, review_id)


@bp.post("/reviews/<int:review_id>/unhide")
def review_unhide(review_id: int):
    show = _show_filter(request.form.get("show"))
    page_number = parse_page(request.form.get("page"), lenient=True)
    try:
        services.unhide(current_user, review_id)
    except DomainError as exc:
        flash(str(exc.message), "error")
        return _render(show, page_number, status=exc.status_code)
    flash(_("The review is shown again and counts in the product's rating."), "success")
    return _back(show, page_number, review_id)
