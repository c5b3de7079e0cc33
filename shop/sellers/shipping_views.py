"""Seller pages for shipping options: list, add, edit, turn on/off, reorder, delete
(docs/product.md: Orders, "shipping per enterprise").

Every page is under ``/seller/<enterprise_id>/shipping`` and checks membership on
every request; options are looked up within that enterprise, so another enterprise's
option id answers 404. A refused form is shown again with its messages and a 422.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.accounts.access import login_required
from shop.catalog.access import get_member_enterprise_or_404
from shop.errors import ValidationFailed
from shop.forms import ConfirmForm
from shop.i18n import current_language
from shop.sellers import bp
from shop.sellers import shipping_services as services
from shop.sellers.order_forms import ShippingOptionForm


def _enterprise(enterprise_id: int):
    enterprise, _membership = get_member_enterprise_or_404(current_user, enterprise_id)
    return enterprise


@bp.get("/<int:enterprise_id>/shipping")
@login_required
def shipping(enterprise_id: int):
    enterprise = _enterprise(enterprise_id)
    options = services.options_of(enterprise)
    return render_template(
        "sellers/shipping.html", enterprise=enterprise, options=options, active_tab="shipping",
        has_active=any(o.is_active for o in options), default_fee=services.default_fee_satang(),
        kind_label=services.kind_label, max_options=services.MAX_OPTIONS, confirm_form=ConfirmForm(),
    )


def _render_form(enterprise, form, option=None, status_code: int = 200):
    return render_template(
        "sellers/shipping_form.html", enterprise=enterprise, form=form, option=option, active_tab="shipping",
    ), status_code


def _save(enterprise, form, option=None):
    if not form.validate():
        return _render_form(enterprise, form, option, 422)
    try:
        if option is None:
            services.create_option(enterprise, current_user, form.to_input())
            flash(_("Shipping option added."), "success")
        else:
            services.update_option(enterprise, current_user, option.id, form.to_input())
            flash(_("Changes saved."), "success")
    except ValidationFailed as exc:
        placed = False
        for name, message in exc.fields.items():
            field = getattr(form, ShippingOptionForm.SERVICE_FIELDS.get(name, name), None)
            if field is not None:
                field.errors = [*field.errors, message]
                placed = True
        if not placed:
            form.form_errors.append(exc.message)
        return _render_form(enterprise, form, option, exc.status_code)
    return redirect(url_for("sellers.shipping", enterprise_id=enterprise.id))


@bp.route("/<int:enterprise_id>/shipping/new", methods=["GET", "POST"])
@login_required
def shipping_new(enterprise_id: int):
    enterprise = _enterprise(enterprise_id)
    form = ShippingOptionForm()
    if request.method == "GET":
        kind = request.args.get("kind")
        form.kind.data = kind if kind in dict(form.kind.choices) else "flat"
        form.is_active.data = True
        return _render_form(enterprise, form)
    return _save(enterprise, form)


@bp.route("/<int:enterprise_id>/shipping/<int:option_id>/edit", methods=["GET", "POST"])
@login_required
def shipping_edit(enterprise_id: int, option_id: int):
    enterprise = _enterprise(enterprise_id)
    option = services.option_for_enterprise(enterprise, option_id)
    form = ShippingOptionForm()
    if request.method == "GET":
        form.fill(services.input_from(option))
        return _render_form(enterprise, form, option)
    return _save(enterprise, form, option)


@bp.post("/<int:enterprise_id>/shipping/<int:option_id>/active")
@login_required
def shipping_active(enterprise_id: int, option_id: int):
    enterprise = _enterprise(enterprise_id)
    active = request.form.get("active") == "1"
    option = services.set_active(enterprise, current_user, option_id, active)
    name = option.t("name", current_language())
    flash(_("“%(name)s” is offered to buyers again.", name=name) if active
          else _("“%(name)s” is no longer offered to buyers.", name=name), "success")
    return redirect(url_for("sellers.shipping", enterprise_id=enterprise.id))


@bp.post("/<int:enterprise_id>/shipping/<int:option_id>/move")
@login_required
def shipping_move(enterprise_id: int, option_id: int):
    enterprise = _enterprise(enterprise_id)
    services.move_option(enterprise, current_user, option_id, request.form.get("move", ""))
    return redirect(url_for("sellers.shipping", enterprise_id=enterprise.id) + f"#option-{option_id}")


@bp.post("/<int:enterprise_id>/shipping/<int:option_id>/delete")
@login_required
def shipping_delete(enterprise_id: int, option_id: int):
    enterprise = _enterprise(enterprise_id)
    services.delete_option(enterprise, current_user, option_id)
    flash(_("Shipping option removed. Orders that used it keep their shipping details."), "success")
    return redirect(url_for("sellers.shipping", enterprise_id=enterprise.id))
