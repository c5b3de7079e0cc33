"""Seller listing pages: products (create, edit, preview, status), photos, stock,
costs, CSV export and import, and channel feeds (docs/product.md: Catalogue,
Listing review, Expansion track, Dashboards).

Every page is under ``/seller/<enterprise_id>/`` and starts by checking that the
signed-in user is a member of *that* enterprise; products and photos are then looked
up within it, so another enterprise's ids answer 404. Nothing here reads an
enterprise id from a form. Views parse the form, call one service and render or
redirect; a refused form is shown again with its messages and a 422.

The channel fetchers (Facebook, Google, TikTok) have no session, so the feeds are
also served at ``/feeds/<enterprise slug>/<secret>/<file>`` (see ``feeds``).
"""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from shop.accounts.access import login_required
from shop.catalog import listing_status, status, wholesale
from shop.catalog import listings as services
from shop.catalog import retail_ready as rr
from shop.catalog.access import get_member_enterprise_or_404
from shop.catalog.certifications import KINDS
from shop.errors import NotFound, ValidationFailed
from shop.i18n import current_language
from shop.pagination import parse_page
from shop.sellers import bp, csv_io, feeds
from shop.sellers import listing_forms as forms
from shop.spreadsheets import CsvText, csv_response


@bp.context_processor
def _listing_helpers() -> dict:
    return {
        "listing_status_label": listing_status.status_label,
        "listing_statuses": status.PRODUCT_STATUSES,
        "certification_kinds": KINDS,
        "percent_bps": lambda bps: services.format_bps(bps, current_language()),
    }


def _enterprise(enterprise_id: int):
    enterprise, _membership = get_member_enterprise_or_404(current_user, enterprise_id)
    return enterprise


def _product(enterprise_id: int, product_id: int):
    enterprise = _enterprise(enterprise_id)
    return enterprise, services.product_for_enterprise(enterprise.id, product_id)


# ------------------------------------------------------------------------ listings


@bp.get("/<int:enterprise_id>/listings")
@login_required
def listings(enterprise_id: int):
    enterprise = _enterprise(enterprise_id)
    page = services.listings_page(enterprise, status_filter=request.args.get("status"), query=request.args.get("q"),
                                  page=parse_page(request.args.get("page"), lenient=True))
    return render_template("sellers/listings/index.html", enterprise=enterprise, page=page,
                           readiness=wholesale.readiness_of(page.items),
                           query=request.args.get("q", ""), active_tab="listings")


# Where each retail-ready fact is entered on the listing form: a field of the option's
# row, or a part of the form for what the product itself lacks.
_VARIANT_FIELD = {
    rr.GTIN: "gtin13",
    rr.WEIGHT: "weight_grams",
    rr.SHELF_LIFE: "shelf_life_days",
    rr.CASE_PACK: "case_pack",
    rr.WHOLESALE_TIERS: "tiers-0-min_quantity",
}
_PRODUCT_ANCHOR = {rr.NO_ACTIVE_VARIANT: "lst-variants", rr.FDA_NUMBER: "lst-certifications"}
# Kept in the folded "wholesale" part of an option's row, opened when one is missing.
_FOLDED = {rr.SHELF_LIFE, rr.CASE_PACK, rr.WHOLESALE_TIERS}


def _readiness_fixes(readiness: rr.Readiness, form) -> tuple[list, set[str]]:
    """``readiness.grouped()`` with, for each SKU, the id of the field to fix on
    ``form``: ``[(label, product anchor or None, [(sku, anchor)])]``, and the option
    rows whose folded wholesale part should start open."""
    row_of = {str(entry.form.id.data): entry.id for entry in form.variants if entry.form.id.data}
    variant_of = {m.variant_sku: m.variant_id for m in readiness.missing if m.variant_sku}
    fixes, folded = [], set()
    for code, label, skus in readiness.grouped():
        links = []
        for sku in skus:
            row = row_of.get(str(variant_of.get(sku)))
            links.append((sku, f"{row}-{_VARIANT_FIELD[code]}" if row else None))
            if row and code in _FOLDED:
                folded.add(row)
        fixes.append((label, _PRODUCT_ANCHOR.get(code), links))
    return fixes, folded


def _render_form(enterprise, form, product=None, status_code: int = 200, messages=()):
    readiness = wholesale.readiness_of([product])[product.id] if product is not None else None
    fixes, folded = _readiness_fixes(readiness, form) if readiness is not None else ([], set())
    return render_template(
        "sellers/listings/form.html", enterprise=enterprise, form=form, product=product,
        readiness=readiness, readiness_fixes=fixes, open_wholesale=folded,
        messages=list(messages), active_tab="listings",
        checklist=services.listing_checklist(product) if product is not None else None,
        targets=listing_status.allowed_targets(product, current_user, role=listing_status.MEMBER)
        if product is not None else [],
        status_form=forms.StatusForm(),
    ), status_code


def _new_form():
    form = forms.ProductForm()
    form.set_categories(services.categories_for_select(), current_language())
    return form


def _save(enterprise, form, product=None):
    """Shared POST handling of the new and edit pages."""
    if form.wants_more_rows():
        form.add_rows()
        return _render_form(enterprise, form, product)
    if not form.validate():
        return _render_form(enterprise, form, product, 422)
    try:
        data = form.to_input()
        if product is None:
            product = services.create_product(enterprise, current_user, data)
            flash(_("Saved as a draft. Add photos, then preview and submit it for review."), "success")
            return redirect(url_for("sellers.listing_photos", enterprise_id=enterprise.id, product_id=product.id))
        services.update_product(product, current_user, data)
    except ValidationFailed as exc:
        unplaced = forms.apply_errors(form, exc.fields)
        return _render_form(enterprise, form, product, 422, messages=[str(exc.message), *unplaced])
    flash(_("Changes saved."), "success")
    return redirect(url_for("sellers.listing_edit", enterprise_id=enterprise.id, product_id=product.id))


@bp.route("/<int:enterprise_id>/listings/new", methods=["GET", "POST"])
@login_required
def listing_new(enterprise_id: int):
    enterprise = _enterprise(enterprise_id)
    form = _new_form()
    if request.method == "GET":
        form.process(data={"certifications": [{}], "variants": [{}]})
        return _render_form(enterprise, form)
    return _save(enterprise, form)


@bp.route("/<int:enterprise_id>/listings/<int:product_id>/edit", methods=["GET", "POST"])
@login_required
def listing_edit(enterprise_id: int, product_id: int):
    enterprise, product = _product(enterprise_id, product_id)
    form = _new_form()
    if request.method == "GET":
        form.fill_from(product, food_choice=services.food_choice(product))
        form.set_categories(services.categories_for_select(), current_language())
        return _render_form(enterprise, form, product)
    return _save(enterprise, form, product)


@bp.get("/<int:enterprise_id>/listings/<int:product_id>/preview")
@login_required
def listing_preview(enterprise_id: int, product_id: int):
    enterprise, product = _product(enterprise_id, product_id)
    page = services.preview_page(product)
    return render_template(
        "sellers/listings/preview.html", enterprise=enterprise, page=page, product=product,
        checklist=services.listing_checklist(product), show_wholesale=True, login_url=None,
        targets=listing_status.allowed_targets(product, current_user, role=listing_status.MEMBER),
        status_form=forms.StatusForm(),
    )


@bp.post("/<int:enterprise_id>/listings/<int:product_id>/status")
@login_required
def listing_status_change(enterprise_id: int, product_id: int):
    enterprise, product = _product(enterprise_id, product_id)
    form = forms.StatusForm()
    if not form.validate():
        flash(_("Your form expired. Please try again."), "error")
    else:
        try:
            services.change_status(product, current_user, form.to_status.data or "", form.reason.data)
        except ValidationFailed as exc:  # also TransitionRefused
            flash(str(exc.message), "error")
            return redirect(url_for("sellers.listing_edit", enterprise_id=enterprise.id, product_id=product.id)), 303
        messages = {
            status.PENDING_REVIEW: _("Submitted. Staff will review it, usually within two working days."),
            status.DRAFT: _("Withdrawn: it is a draft again."),
            status.PAUSED: _("Paused: shoppers no longer see it."),
            status.LIVE: _("Live again on the storefront."),
            status.ARCHIVED: _("Archived."),
        }
        flash(messages.get(product.status, _("Status changed.")), "success")
    if product.status == status.ARCHIVED:
        return redirect(url_for("sellers.listings", enterprise_id=enterprise.id)), 303
    return redirect(url_for("sellers.listing_edit", enterprise_id=enterprise.id, product_id=product.id)), 303


# -------------------------------------------------------------------------- photos


def _render_photos(enterprise, product, form, status_code=200, error=None):
    return render_template("sellers/listings/photos.html", enterprise=enterprise, product=product, form=form,
                           action_form=forms.PhotoActionForm(), error=error, max_photos=services.MAX_PHOTOS,
                           active_tab="listings"), status_code


@bp.route("/<int:enterprise_id>/listings/<int:product_id>/photos", methods=["GET", "POST"])
@login_required
def listing_photos(enterprise_id: int, product_id: int):
    enterprise, product = _product(enterprise_id, product_id)
    form = forms.PhotoUploadForm()
    if request.method == "GET":
        return _render_photos(enterprise, product, form)
    if not form.validate():
        return _render_photos(enterprise, product, form, 400, _("Your form expired. Please try again."))
    uploads = [(f.filename or "", f.read()) for f in request.files.getlist(form.photos.name) if f]
    try:
        added = services.add_photos(product, current_user, uploads)
    except ValidationFailed as exc:
        product = services.product_for_enterprise(enterprise.id, product.id)
        return _render_photos(enterprise, product, form, 422, str(exc.message))
    flash(ngettext("%(num)s photo added.", "%(num)s photos added.", len(added)), "success")
    return redirect(url_for("sellers.listing_photos", enterprise_id=enterprise.id, product_id=product.id)), 303


@bp.post("/<int:enterprise_id>/listings/<int:product_id>/photos/<int:photo_id>")
@login_required
def listing_photo_action(enterprise_id: int, product_id: int, photo_id: int):
    enterprise, product = _product(enterprise_id, product_id)
    form = forms.PhotoActionForm()
    if not form.validate():
        flash(_("Your form expired. Please try again."), "error")
    elif form.action.data == "delete":
        services.delete_photo(product, current_user, photo_id)
        flash(_("Photo deleted."), "success")
    else:
        services.move_photo(product, current_user, photo_id, form.action.data or "")
    return redirect(url_for("sellers.listing_photos", enterprise_id=enterprise.id, product_id=product.id)
                    + f"#photo-{photo_id}"), 303


# --------------------------------------------------------------------------- stock


@bp.route("/<int:enterprise_id>/stock", methods=["GET", "POST"])
@login_required
def stock(enterprise_id: int):
    enterprise = _enterprise(enterprise_id)
    low_only = request.args.get("low") == "1"
    page_number = parse_page(request.args.get("page"), lenient=True)
    page = services.stock_page(enterprise, page=page_number, low_only=low_only)
    form = forms.StockForm()
    conflicts = []
    status_code = 200
    if request.method == "POST":
        if form.validate():
            try:
                result = services.update_stock(enterprise, current_user, form.to_changes())
            except ValidationFailed as exc:
                forms.apply_errors(form, exc.fields)
                status_code = 422
            else:
                if result.saved:
                    flash(ngettext("Stock saved for %(num)s option.", "Stock saved for %(num)s options.",
                                   result.saved), "success")
                if not result.conflicts:
                    if not result.saved:
                        flash(_("Nothing changed."), "info")
                    return redirect(request.full_path.rstrip("?")), 303
                conflicts = result.conflicts
                status_code = 409
                page = services.stock_page(enterprise, page=page.number, low_only=low_only)
                form = forms.StockForm(formdata=None)
        else:
            status_code = 422
    posted_ids = [entry.form.variant_id.data for entry in form.rows]
    if posted_ids != [str(v.id) for v in page.items]:
        # Not the rows of this page (first visit, or the list changed meanwhile): draw it fresh.
        form = forms.StockForm(formdata=None)
        form.fill_from(page.items)
    rows = list(zip(page.items, form.rows, strict=True))
    return render_template("sellers/listings/stock.html", enterprise=enterprise, page=page, form=form, rows=rows,
                           conflicts=conflicts, low_count=services.low_stock_count(enterprise),
                           active_tab="listings"), status_code


# ------------------------------------------------------------------------- costing


@bp.get("/<int:enterprise_id>/costs")
@login_required
def costs(enterprise_id: int):
    enterprise = _enterprise(enterprise_id)
    return render_template("sellers/listings/costs.html", enterprise=enterprise,
                           rows=services.enterprise_costing(enterprise), active_tab="listings")


@bp.route("/<int:enterprise_id>/listings/<int:product_id>/costs", methods=["GET", "POST"])
@login_required
def listing_costs(enterprise_id: int, product_id: int):
    enterprise, product = _product(enterprise_id, product_id)
    form = forms.CostForm()
    status_code = 200
    if request.method == "GET":
        form.fill_from(product.variants)
    elif not form.validate():
        status_code = 422
    else:
        try:
            services.save_costs(product, current_user, form.to_costs())
        except ValidationFailed as exc:
            forms.apply_errors(form, exc.fields)
            status_code = 422
        else:
            flash(_("Costs saved."), "success")
            return redirect(url_for("sellers.listing_costs", enterprise_id=enterprise.id,
                                    product_id=product.id)), 303
    costing = services.product_costing(product)
    rows = list(zip(costing, form.rows, strict=False))
    return render_template("sellers/listings/product_costs.html", enterprise=enterprise, product=product,
                           form=form, rows=rows, active_tab="listings"), status_code


# ----------------------------------------------------------------------- CSV


@bp.get("/<int:enterprise_id>/listings/export.csv")
@login_required
def listings_export(enterprise_id: int):
    enterprise = _enterprise(enterprise_id)
    return csv_response(csv_io.export_csv(enterprise), filename=f"{enterprise.slug}-listings.csv")


def _render_import(enterprise, form, preview=None, status_code=200):
    return render_template("sellers/listings/import.html", enterprise=enterprise, form=form, preview=preview,
                           confirm_form=forms.ImportConfirmForm(token=preview.token if preview else None),
                           columns=csv_io.COLUMNS, column_help=csv_io.COLUMN_HELP,
                           active_tab="listings"), status_code


@bp.route("/<int:enterprise_id>/listings/import", methods=["GET", "POST"])
@login_required
def listings_import(enterprise_id: int):
    enterprise = _enterprise(enterprise_id)
    form = forms.ImportUploadForm()
    if request.method == "GET":
        return _render_import(enterprise, form)
    upload = request.files.get(form.file.name)
    if not form.validate() or upload is None or not upload.filename:
        form.file.errors = [_("Choose a CSV file.")]
        return _render_import(enterprise, form, status_code=422)
    data = upload.read(csv_io.MAX_IMPORT_BYTES + 1)
    preview = csv_io.check_import(enterprise, data)
    if preview.ok:
        preview.token = csv_io.store_pending(enterprise, current_user, data)
        return _render_import(enterprise, form, preview)
    return _render_import(enterprise, form, preview, 422)


@bp.post("/<int:enterprise_id>/listings/import/confirm")
@login_required
def listings_import_confirm(enterprise_id: int):
    enterprise = _enterprise(enterprise_id)
    form = forms.ImportConfirmForm()
    if not form.validate():
        flash(_("Your form expired. Please try again."), "error")
        return redirect(url_for("sellers.listings_import", enterprise_id=enterprise.id)), 303
    try:
        result = csv_io.apply_import(enterprise, current_user, form.token.data)
    except ValidationFailed as exc:
        preview = getattr(exc, "preview", None)
        if preview is None:
            flash(str(exc.message), "error")
            return redirect(url_for("sellers.listings_import", enterprise_id=enterprise.id)), 303
        return _render_import(enterprise, forms.ImportUploadForm(formdata=None), preview, 422)
    flash(_("Import applied: %(created)s rows for new products, %(added)s options added, %(updated)s options updated.",
            created=result.created, added=result.added, updated=result.updated), "success")
    return redirect(url_for("sellers.listings", enterprise_id=enterprise.id)), 303


# --------------------------------------------------------------------------- feeds


def _feed_urls(enterprise) -> dict[str, str] | None:
    secret = feeds.secret_for(enterprise)
    if secret is None:
        return None
    return {channel: feeds.public_feed_url(enterprise, secret, channel) for channel in feeds.CHANNELS}


@bp.get("/<int:enterprise_id>/feeds")
@login_required
def feeds_page(enterprise_id: int):
    enterprise = _enterprise(enterprise_id)
    return render_template("sellers/listings/feeds.html", enterprise=enterprise, urls=_feed_urls(enterprise),
                           left_out=feeds.left_out(enterprise), item_count=len(feeds.feed_items(enterprise)),
                           enterprise_approved=enterprise.status == status.ENTERPRISE_APPROVED,
                           form=forms.FeedKeyForm(), active_tab="listings")


@bp.post("/<int:enterprise_id>/feeds/key")
@login_required
def feeds_rotate(enterprise_id: int):
    enterprise = _enterprise(enterprise_id)
    form = forms.FeedKeyForm()
    if form.validate():
        had_key = feeds.secret_for(enterprise) is not None
        feeds.rotate_feed_key(enterprise, current_user)
        flash(_("New secret links made. The old links no longer work: update them in each channel.")
              if had_key else _("Secret feed links made."), "success")
    else:
        flash(_("Your form expired. Please try again."), "error")
    return redirect(url_for("sellers.feeds_page", enterprise_id=enterprise.id)), 303


def _feed_response(enterprise, channel: str, *, download: bool) -> Response:
    if channel not in feeds.CHANNELS:
        raise NotFound()
    body = feeds.render_feed(enterprise, channel, current_language())
    filename = f"{enterprise.slug}-{channel}" if download else None
    if isinstance(body, CsvText):
        response = csv_response(body, filename=filename)
    else:
        response = Response(body, content_type="application/xml; charset=utf-8")
        if filename:
            response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    if download:
        response.headers["Cache-Control"] = "private, no-store"
    else:
        # Fetchers poll; a few minutes of caching spares the database. Private: the
        # response may carry the language cookie of ``?lang=``, which no shared cache
        # should keep.
        response.headers["Cache-Control"] = "private, max-age=300"
        response.headers["X-Robots-Tag"] = "noindex"
    return response


@bp.get("/<int:enterprise_id>/feeds/<channel>")
@login_required
def feed_download(enterprise_id: int, channel: str):
    enterprise = _enterprise(enterprise_id)
    return _feed_response(enterprise, channel, download=True)


def channel_feed(enterprise_slug: str, secret: str, channel: str):
    """The feed for a channel's fetcher: no session, the secret in the URL decides."""
    enterprise = feeds.enterprise_for_feed(enterprise_slug, secret)
    return _feed_response(enterprise, channel, download=False)


def _register_public_feed(state) -> None:
    # Outside /seller (and its login checks): the URL itself is the credential.
    state.app.add_url_rule(
        "/feeds/<enterprise_slug>/<secret>/<channel>",
        endpoint="channel_feed", view_func=channel_feed, methods=["GET"],
    )


bp.record_once(_register_public_feed)
