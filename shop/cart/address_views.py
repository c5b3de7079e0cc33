"""Saved addresses under ``/account/addresses``: list, add, edit, delete, make default.

They live with checkout (the only place addresses are used) but under the account's
URLs. Another user's address id answers 404, like one that does not exist.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.accounts.access import login_required
from shop.cart import forms
from shop.cart.blueprint import bp
from shop.errors import DomainError
from shop.forms import ConfirmForm, show_domain_error
from shop.orders import addresses as address_service


def _render_list(form=None, status: int = 200):
    return render_template(
        "accounts/addresses.html",
        addresses=address_service.list_saved_addresses(current_user),
        form=form or forms.SavedAddressForm(),
        confirm_form=ConfirmForm(),
        max_addresses=address_service.MAX_SAVED_ADDRESSES,
    ), status


@bp.get("/account/addresses")
@login_required
def addresses():
    form = forms.SavedAddressForm()
    if not form.recipient_name.data:
        form.recipient_name.data = current_user.display_name
        form.phone.data = current_user.phone or ""
    return _render_list(form)


@bp.post("/account/addresses")
@login_required
def add_address():
    form = forms.SavedAddressForm()
    form.validate()  # CSRF already checked; the service checks the address
    if form.refused_text():
        return _render_list(form, 422)
    try:
        address_service.save_address(
            current_user, form.address_data(), label=form.label.data, make_default=bool(form.make_default.data)
        )
    except DomainError as exc:
        show_domain_error(form, exc)
        return _render_list(form, exc.status_code)
    flash(_("The address is saved."), "success")
    return redirect(url_for("cart.addresses"), 303)


@bp.route("/account/addresses/<int:address_id>/edit", methods=["GET", "POST"])
@login_required
def edit_address(address_id: int):
    saved = address_service.get_saved_address(current_user, address_id)
    form = forms.SavedAddressForm()
    if request.method == "GET":
        form.fill_address(saved)
        form.label.data = saved.label or ""
        form.make_default.data = saved.is_default
        return render_template("accounts/address_edit.html", form=form, address=saved)
    form.validate()
    if form.refused_text():
        return render_template("accounts/address_edit.html", form=form, address=saved), 422
    try:
        address_service.update_saved_address(
            current_user, address_id, form.address_data(), label=form.label.data,
            make_default=bool(form.make_default.data),
        )
    except DomainError as exc:
        show_domain_error(form, exc)
        return render_template("accounts/address_edit.html", form=form, address=saved), exc.status_code
    flash(_("The address is saved."), "success")
    return redirect(url_for("cart.addresses"), 303)


@bp.post("/account/addresses/<int:address_id>/delete")
@login_required
def delete_address(address_id: int):
    address_service.delete_saved_address(current_user, address_id)
    flash(_("The address is deleted."), "success")
    return redirect(url_for("cart.addresses"), 303)


@bp.post("/account/addresses/<int:address_id>/default")
@login_required
def default_address(address_id: int):
    address_service.set_default_address(current_user, address_id)
    flash(_("This address will be used first at checkout."), "success")
    return redirect(url_for("cart.addresses"), 303)
