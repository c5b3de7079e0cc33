"""Back-office pages for mentors: who is a mentor of which partner organisation, and
which enterprises each coaches (assigned from the enterprise's page). Staff-only
through the blueprint's guard (``shop.admin``)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from shop.admin import bp
from shop.errors import DomainError, NotFound
from shop.forms import show_domain_error
from shop.i18n import current_language
from shop.mentoring import forms
from shop.mentoring import services as mentoring


def _mentor_form() -> forms.MentorForm:
    form = forms.MentorForm()
    form.partner_id.choices = [SelectChoice("", _("None"))] + [
        SelectChoice(str(p.id), p.t("name", current_language())) for p in mentoring.partner_organisations()]
    return form


def _render_mentors(form=None, status: int = 200):
    return render_template("admin/mentors.html", mentors=mentoring.mentors(), form=form or _mentor_form()), status


@bp.get("/mentors")
def mentors():
    return _render_mentors()


@bp.post("/mentors")
def make_mentor():
    form = _mentor_form()
    if form.validate() and not form.refused_text():
        try:
            user = mentoring.make_mentor(current_user, form.email.data, form.partner_id.data)
        except DomainError as exc:
            show_domain_error(form, exc)
            return _render_mentors(form, exc.status_code)
        flash(_("%(name)s is a mentor now. Assign them enterprises from each enterprise's page.",
                name=user.display_name), "success")
        return redirect(url_for("admin.mentors"), 303)
    return _render_mentors(form, 422)


@bp.post("/enterprises/<int:enterprise_id>/mentors")
def assign_mentor(enterprise_id: int):
    try:
        mentoring.assign(current_user, enterprise_id, request.form.get("mentor_id"), request.form.get("programme_id"))
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        flash(exc.message, "error")
        return redirect(url_for("admin.enterprise", enterprise_id=enterprise_id, _anchor="mentors"), 303)
    flash(_("Mentor assigned: they can now read this enterprise's pages and write coaching notes."), "success")
    return redirect(url_for("admin.enterprise", enterprise_id=enterprise_id, _anchor="mentors"), 303)


@bp.post("/mentor-assignments/<int:assignment_id>/end")
def end_mentor_assignment(assignment_id: int):
    enterprise_id = mentoring.end_assignment(current_user, assignment_id)
    flash(_("The mentor no longer coaches this enterprise."), "success")
    return redirect(url_for("admin.enterprise", enterprise_id=enterprise_id, _anchor="mentors"), 303)
