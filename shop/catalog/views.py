"""Storefront pages: home, categories, products, enterprises and provinces
(docs/product.md: Catalogue, Contracts).

Each view reads its query string, calls one service in ``catalog.services`` and
renders. Bad ``page``/``sort``/``province`` values and hidden or unknown objects come
back from the services as DomainErrors (400/404) that the error handlers render.
Visitors who are not signed in get these pages from the page cache while the
catalogue stays the same (``cached_page``, docs/caching.md).
"""

from __future__ import annotations

from flask import current_app, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from shop.cache import cached_fragment
from shop.catalog import bp, pricing, seo, services
from shop.i18n import current_language
from shop.page_cache import cached_page, catalogue_generation


def _may_see_wholesale() -> bool:
    return pricing.buys_wholesale(current_user._get_current_object())


def _login_url() -> str | None:
    if "accounts.login" not in current_app.view_functions:
        return None
    return url_for("accounts.login", next=request.full_path.rstrip("?"))


@bp.app_context_processor
def _storefront_helpers() -> dict:
    return {
        "stock_level": services.stock_level,
        "price_range": services.price_range,
        "stage_label": services.stage_label,
        "applicable_tiers": pricing.applicable_tiers,
        "smallest_wholesale_quantity": pricing.smallest_valid_quantity,
    }


@bp.get("/")
@cached_page
def home():
    language = current_language()
    sections = cached_fragment(
        ("home", language, catalogue_generation()),
        lambda: render_template("catalog/_home_sections.html", page=services.home_page(language)),
    )
    # Our own template's output, escaped when it was rendered.
    return render_template("catalog/home.html", sections=Markup(sections), meta=seo.home_meta())  # noqa: S704


@bp.get("/categories")
@cached_page
def categories():
    return render_template("catalog/categories.html", tree=services.category_tree(), meta=seo.categories_meta())


@bp.get("/categories/<slug>")
@cached_page
def category(slug: str):
    page = services.category_page(slug, sort=request.args.get("sort"), page=request.args.get("page"))
    return render_template("catalog/category.html", page=page, sort_labels=services.SORT_LABELS,
                           meta=seo.category_meta(page.category))


@bp.get("/products/<slug>")
@cached_page
def product(slug: str):
    page = services.product_page(slug)
    return render_template(
        "catalog/product.html",
        page=page,
        product=page.product,
        selected_variant=services.variant_by_sku(page.product, request.args.get("variant")),
        show_wholesale=_may_see_wholesale(),
        login_url=_login_url(),
        meta=seo.product_meta(page.product),
    )


@bp.get("/enterprises")
@cached_page
def enterprises():
    page = services.enterprise_list_page(
        province=request.args.get("province"), page=request.args.get("page"), locale=current_language()
    )
    return render_template("catalog/enterprises.html", page=page, meta=seo.enterprises_meta())


@bp.get("/enterprises/<slug>")
@cached_page
def enterprise(slug: str):
    page = services.enterprise_page(slug, page=request.args.get("page"))
    return render_template("catalog/enterprise.html", page=page, enterprise=page.enterprise,
                           meta=seo.enterprise_meta(page.enterprise))


@bp.get("/provinces")
@cached_page
def provinces():
    return render_template("catalog/provinces.html", provinces=services.provinces_with_enterprises(current_language()),
                           meta=seo.provinces_meta())


@bp.get("/provinces/<slug>")
@cached_page
def province(slug: str):
    page = services.province_page(slug, page=request.args.get("page"), locale=current_language())
    return render_template("catalog/province.html", page=page, province=page.province,
                           meta=seo.province_meta(page.province))
