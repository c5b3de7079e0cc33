"""Back-office pages for programmes and partner organisations (docs/product.md:
Programmes): lists, new and edit forms, and a programme's enterprises. The use cases
are the track's (``shop.track.programmes``); staff-only through the blueprint's guard
(``shop.admin``). A refused form comes back with its messages and a 4xx status."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.admin import bp
from shop.errors import DomainError
from shop.forms import ConfirmForm, show_domain_error
from shop.i18n import current_language
from shop.track import forms
from shop.track import programmes as service

# ---------------------------------------------------------------- partners


@bp.get("/partners")
def partners():
    return render_template("admin/partners.html", admin_tab="programmes", partners=service.partners(),
                           kind_label=service.kind_label)


def _render_partner(form, partner=None, status_code: int = 200):
    return render_template("admin/partner_form.html", admin_tab="programmes", form=form,
                           partner=partner), status_code


def _save_partner(partner_id: int | None):
    partner = service.get_partner(partner_id) if partner_id is not None else None
    form = forms.PartnerForm(obj=partner if request.method == "GET" else None)
    if request.method == "GET":
        return _render_partner(form, partner)
    if not form.validate():
        return _render_partner(form, partner, 422)
    try:
        saved = service.save_partner(current_user, partner_id, service.PartnerDetails(
            name_th=form.name_th.data, name_en=form.name_en.data or "", kind=form.kind.data))
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        show_domain_error(form, exc)
        return _render_partner(form, partner, exc.status_code)
    flash(_("%(name)s is saved.", name=saved.name_th), "success")
    return redirect(url_for("admin.partners"), 303)


@bp.route("/partners/new", methods=["GET", "POST"])
def partner_new():
    return _save_partner(None)


@bp.route("/partners/<int:partner_id>/edit", methods=["GET", "POST"])
def partner_edit(partner_id: int):
    return _save_partner(partner_id)


# ---------------------------------------------------------------- programmes


@bp.get("/programmes")
def programmes():
    return render_template("admin/programmes.html", admin_tab="programmes", programmes=service.programmes())


def _programme_form(programme=None, *, from_request: bool):
    form = forms.ProgrammeForm() if from_request else forms.ProgrammeForm(obj=programme)
    form.set_partners(service.partners(), current_language())
    if not from_request and programme is not None:
        form.partner_id.data = str(programme.partner_id) if programme.partner_id else ""
        form.started_on.data = programme.started_on.isoformat() if programme.started_on else ""
    return form


def _membership_form(form=None):
    form = form or forms.MembershipForm(prefix="member")
    form.set_enterprises(service.enterprise_choices(), current_language())
    return form


def _render_programme(form, programme=None, status_code: int = 200, member_form=None, error=None):
    return render_template(
        "admin/programme_form.html", admin_tab="programmes", form=form, programme=programme,
        members=service.members_of(programme) if programme is not None else [],
        member_form=_membership_form(member_form) if programme is not None else None,
        confirm_form=ConfirmForm(), error=error,
    ), status_code


def _save_programme(programme_id: int | None):
    programme = service.get_programme(programme_id) if programme_id is not None else None
    if request.method == "GET":
        return _render_programme(_programme_form(programme, from_request=False), programme)
    form = _programme_form(programme, from_request=True)
    if not form.validate():
        return _render_programme(form, programme, 422)
    try:
        saved = service.save_programme(current_user, programme_id, service.ProgrammeDetails(
            **{name: form[name].data or "" for name in service.ProgrammeDetails.__dataclass_fields__}))
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        show_domain_error(form, exc)
        return _render_programme(form, programme, exc.status_code)
    flash(_("%(name)s is saved.", name=saved.name_th), "success")
    return redirect(url_for("admin.programme_edit", programme_id=saved.id), 303)


@bp.route("/programmes/new", methods=["GET", "POST"])
def programme_new():
    return _save_programme(None)


@bp.route("/programmes/<int:programme_id>/edit", methods=["GET", "POST"])
def programme_edit(programme_id: int):
    return _save_programme(programme_id)


@bp.post("/programmes/<int:programme_id>/enterprises")
def programme_add_enterprise(programme_id: int):
    programme = service.get_programme(programme_id)
    member_form = _membership_form(forms.MembershipForm(prefix="member"))
    form = _programme_form(programme, from_request=False)
    if not member_form.validate():
        return _render_programme(form, programme, 422, member_form=member_form)
    try:
        service.add_enterprise(current_user, programme_id, member_form.enterprise_id.data,
                               member_form.joined_on.data)
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        show_domain_error(member_form, exc)
        return _render_programme(form, programme, exc.status_code, member_form=member_form)
    flash(_("The enterprise is now in the programme."), "success")
    return redirect(url_for("admin.programme_edit", programme_id=programme_id, _anchor="members"), 303)


@bp.post("/programmes/<int:programme_id>/enterprises/<int:enterprise_id>/remove")
def programme_remove_enterprise(programme_id: int, enterprise_id: int):
    form = ConfirmForm()
    if not form.validate():
        programme = service.get_programme(programme_id)
        return _render_programme(_programme_form(programme, from_request=False), programme, 400,
                                 error=_("The form expired. Please try again."))
    service.remove_enterprise(current_user, programme_id, enterprise_id)
    flash(_("The enterprise was taken out of the programme."), "success")
    return redirect(url_for("admin.programme_edit", programme_id=programme_id, _anchor="members"), 303)
