"""The wholesale catalogue page, ``/wholesale/`` (docs/product.md: Wholesale).

A verified retail buyer sees the list; everyone else sees how to get access (200,
never the list). A filter, sort, quantity or page number we cannot use answers 400
with the message on the page itself, above the filter form.
"""

from __future__ import annotations

from flask import current_app, render_template, request, url_for
from flask_login import current_user

from shop.catalog import bp, pricing, wholesale
from shop.errors import DomainError
from shop.i18n import current_language
from shop.pagination import parse_page


def _access_links() -> dict:
    here = url_for("catalog.wholesale")
    views = current_app.view_functions
    return {
        "login_url": url_for("accounts.login", next=here) if "accounts.login" in views else None,
        "apply_url": url_for("accounts.register_business") if "accounts.register_business" in views else None,
        "account_url": url_for("accounts.index") if "accounts.index" in views else None,
    }


@bp.get("/wholesale/", endpoint="wholesale")
def wholesale_catalogue():
    buyer = current_user._get_current_object()
    if not pricing.buys_wholesale(buyer):
        return render_template("catalog/wholesale_access.html", buyer=getattr(buyer, "retail_buyer", None),
                               **_access_links())
    language = current_language()
    categories, provinces, kinds = wholesale.filter_choices(language)
    context = {"categories": categories, "provinces": provinces, "kinds": kinds, "sort_labels": wholesale.SORT_LABELS,
               "max_lead": wholesale.MAX_LEAD_TIME_DAYS, "max_qty": wholesale.max_quantity()}
    try:
        filters = wholesale.parse_filters(request.args, locale=language)
        page = wholesale.wholesale_page(filters, parse_page(request.args.get("page")), buyer, locale=language)
    except DomainError as exc:
        return render_template("catalog/wholesale.html", error=exc.message, filters=wholesale.Filters(),
                               page=None, **context), exc.status_code
    return render_template("catalog/wholesale.html", error=None, filters=filters, page=page, **context)



@bp.app_context_processor
def _wholesale_helpers() -> dict:
    return {"sees_wholesale": lambda: pricing.buys_wholesale(current_user._get_current_object())}
