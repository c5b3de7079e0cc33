"""Review pages (blueprint ``reviews``, registered by ``shop.create_app``).

* ``GET|POST /orders/<public_id>/items/<line_id>/review``: the buyer reviews one item
  of a delivered part of their order.
* ``GET|POST /reviews/<review_id>/edit``: the buyer changes their review
  (``services.EDIT_DAYS``).
* ``GET /products/<slug>/reviews``: a product's shown reviews, newest first, paged.
* ``GET /seller/<enterprise_id>/reviews`` and ``POST …/<review_id>/reply``: members of
  the enterprise read the reviews of its products and reply once to each.

The storefront's product page and the order page sit in lower areas; they show
reviews through the template globals registered here (``product_reviews``,
``order_reviews``), which they ask for only when this blueprint is installed. The
staff's list is in the back office (``shop/admin/reviews.py``).
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.accounts.access import login_required
from shop.catalog import services as catalog
from shop.catalog.access import get_member_enterprise_or_404
from shop.catalog.models import Product
from shop.catalog.status import enterprise_status_label, member_role_label
from shop.errors import DomainError, NotFound
from shop.forms import show_domain_error
from shop.orders.access import load_order_for_buyer, order_path
from shop.orders.models import Order
from shop.pagination import parse_page
from shop.reviews import forms, ratings, services
from shop.reviews.models import HIDDEN

bp = Blueprint("reviews", __name__)


def _link_if_installed(endpoint: str, **values) -> str | None:
    """A link to a page another area may provide, or None (the seller layout asks for
    its optional tabs this way)."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


@bp.context_processor
def _review_helpers() -> dict:
    # What the seller layout reads on this blueprint's seller page.
    return {"status_label": enterprise_status_label, "role_label": member_role_label,
            "seller_link": _link_if_installed}


def _form_refused(form) -> tuple[str, int] | None:
    """Why a posted form is refused before the service sees it: an expired page (400)
    or text the free-text rule refused (422); None when it may go on."""
    if form.validate():
        return None
    if "csrf_token" in form.errors:
        return _("Your form expired. Please try again."), 400
    return _("Please check the fields marked below."), 422


# ------------------------------------------------------------------------ the buyer


def _line_of_order(order: Order, line_id: int):
    line = services.reviewable_line(current_user, line_id)
    if line.order_id != order.id:
        raise NotFound(_("We could not find that item in your orders."))
    return line


def _render_write(order: Order, line, form, status: int = 200):
    return render_template("reviews/write.html", order=order, line=line, form=form, review=None,
                           action=url_for("reviews.write", public_id=order.public_id, line_id=line.id)), status


@bp.route("/orders/<public_id>/items/<int:line_id>/review", methods=["GET", "POST"])
@login_required
def write(public_id: str, line_id: int):
    order = load_order_for_buyer(public_id, current_user, None)
    if request.method == "GET":
        # A link followed again after the review was written opens the review.
        existing = services.review_of_line(line_id)
        if existing is not None and existing.user_id == current_user.id:
            return redirect(url_for("reviews.edit", review_id=existing.id))
    line = _line_of_order(order, line_id)
    form = forms.ReviewForm()
    if request.method == "GET":
        return _render_write(order, line, form)
    refused = _form_refused(form)
    if refused is not None:
        form.form_errors.append(refused[0])
        return _render_write(order, line, form, refused[1])
    try:
        services.write_review(current_user, line.id, rating=form.rating.data, title=form.title.data,
                              body=form.body.data)
    except DomainError as exc:
        show_domain_error(form, exc)
        return _render_write(order, line, form, exc.status_code)
    flash(_("Thank you! Your review is on the product's page."), "success")
    return redirect(order_path(order, with_token=False), code=303)


def _render_edit(review, form, status: int = 200):
    return render_template("reviews/write.html", order=review.line.order, line=review.line, form=form,
                           review=review, editable_until=services.editable_until(review),
                           action=url_for("reviews.edit", review_id=review.id)), status


@bp.route("/reviews/<int:review_id>/edit", methods=["GET", "POST"])
@login_required
def edit(review_id: int):
    review = services.own_review(current_user, review_id)
    if request.method == "GET":
        form = forms.ReviewForm(data={"rating": str(review.rating), "title": review.title, "body": review.body})
        if not services.can_edit(review, current_user):
            form.form_errors.append(_("This review can no longer be changed."))
        return _render_edit(review, form)
    form = forms.ReviewForm()
    refused = _form_refused(form)
    if refused is not None:
        form.form_errors.append(refused[0])
        return _render_edit(review, form, refused[1])
    try:
        services.edit_review(current_user, review.id, rating=form.rating.data, title=form.title.data,
                             body=form.body.data)
    except DomainError as exc:
        show_domain_error(form, exc)
        return _render_edit(review, form, exc.status_code)
    flash(_("Your review is updated."), "success")
    return redirect(order_path(review.line.order, with_token=False), code=303)


# ------------------------------------------------------------------------ the storefront


@bp.get("/products/<slug>/reviews")
def product_reviews(slug: str):
    product = catalog.product_by_slug(slug)
    page = services.product_review_page(product, parse_page(request.args.get("page")))
    return render_template("reviews/product_reviews.html", product=product, page=page,
                           distribution=ratings.distribution(product.id))


@bp.app_template_global("product_reviews")
def product_reviews_global(product: Product) -> dict:
    """What the product page shows of its reviews: the count of each rating and the
    newest few."""
    if not product.rating_count:
        return {"distribution": None, "latest": []}
    return {"distribution": ratings.distribution(product.id), "latest": services.latest_reviews(product)}


@bp.app_template_global("order_reviews")
def order_reviews_global(order: Order) -> dict:
    """For the order page: the buyer's reviews of its lines (by line id), and which
    parts may be reviewed (delivered, and the viewer is the order's buyer)."""
    user = current_user if current_user.is_authenticated else None
    return {
        "by_line": services.reviews_by_line(order, user),
        "open_parts": {f.id for f in order.fulfilments if services.may_review(order, user, f)},
    }


# ------------------------------------------------------------------------ the enterprise


def _render_seller(enterprise, *, show: str, page_number: int, reply_forms=None, status: int = 200):
    page = services.enterprise_reviews(enterprise.id, page=page_number, show=show)
    reply_forms = reply_forms or {}
    for review in page.items:
        reply_forms.setdefault(review.id, forms.ReplyForm(prefix=f"r{review.id}"))
    return render_template("reviews/seller.html", enterprise=enterprise, page=page, show=show,
                           filters=services.ENTERPRISE_FILTERS, reply_forms=reply_forms,
                           active_tab="listings", HIDDEN=HIDDEN), status


def _show_filter() -> str:
    show = request.args.get("show", "all")
    return show if show in services.ENTERPRISE_FILTERS else "all"


@bp.get("/seller/<int:enterprise_id>/reviews")
@login_required
def seller_reviews(enterprise_id: int):
    enterprise, _membership = get_member_enterprise_or_404(current_user, enterprise_id)
    return _render_seller(enterprise, show=_show_filter(),
                          page_number=parse_page(request.args.get("page"), lenient=True))


@bp.post("/seller/<int:enterprise_id>/reviews/<int:review_id>/reply")
@login_required
def seller_reply(enterprise_id: int, review_id: int):
    enterprise, _membership = get_member_enterprise_or_404(current_user, enterprise_id)
    services.enterprise_review(enterprise.id, review_id)  # another enterprise's review: 404
    form = forms.ReplyForm(prefix=f"r{review_id}")
    page_number = parse_page(request.form.get("page"), lenient=True)
    refused = _form_refused(form)
    if refused is not None:
        form.form_errors.append(refused[0])
        return _render_seller(enterprise, show="all", page_number=page_number,
                              reply_forms={review_id: form}, status=refused[1])
    try:
        services.reply(current_user, enterprise.id, review_id, form.reply.data)
    except DomainError as exc:
        show_domain_error(form, exc)
        return _render_seller(enterprise, show="all", page_number=page_number,
                              reply_forms={review_id: form}, status=exc.status_code)
    flash(_("Your reply is published under the review."), "success")
    return redirect(url_for("reviews.seller_reviews", enterprise_id=enterprise.id, page=page_number or None)
                    + f"#review-{review_id}", code=303)
