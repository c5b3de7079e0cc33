"""Mentor pages (``/mentor/…``) and the enterprise's coaching page
(``/seller/<enterprise id>/coaching``)."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop import roles
from shop.accounts.access import login_required
from shop.catalog.access import enterprise_membership, get_member_enterprise_or_404, is_assigned_mentor
from shop.catalog.models import EnterpriseMember
from shop.catalog.services import STAGE_LABELS
from shop.catalog.status import enterprise_status_label, member_role_label
from shop.errors import DomainError, NotFound, PermissionDenied
from shop.forms import show_domain_error
from shop.i18n import current_language
from shop.mentoring import forms
from shop.mentoring import services as svc
from shop.mentoring.models import KIND_VISIT

bp = Blueprint("mentoring", __name__)


def _link_if_installed(endpoint: str, **values) -> str | None:
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


@bp.context_processor
def _helpers() -> dict:
    return {"status_label": enterprise_status_label, "role_label": member_role_label,
            "actor_role_label": roles.label, "seller_link": _link_if_installed}


def _require_mentor() -> None:
    if not (current_user.is_mentor or current_user.is_staff):
        raise PermissionDenied(_("This page is for the programme's mentors."))


@bp.get("/mentor/")
@login_required
def home():
    _require_mentor()
    rows = svc.mentor_rows(current_user)
    return render_template("mentoring/home.html", rows=rows, stage_labels=STAGE_LABELS,
                           late_days=svc.LATE_TO_SHIP_DAYS, sales_days=svc.SALES_DAYS)


def _render_enterprise(enterprise, form=None, status: int = 200):
    if form is None:
        form = forms.NoteForm()
        form.visited_on.data = svc.bangkok_today().isoformat()
    return render_template("mentoring/enterprise.html", enterprise=enterprise, form=form,
                           notes=svc.notes_of(enterprise.id), steps=svc.open_steps(enterprise.id),
                           stage_labels=STAGE_LABELS, kind_visit=KIND_VISIT), status


@bp.get("/mentor/enterprises/<int:enterprise_id>")
@login_required
def enterprise(enterprise_id: int):
    _require_mentor()
    return _render_enterprise(svc.coaching_enterprise(current_user, enterprise_id))


@bp.post("/mentor/enterprises/<int:enterprise_id>/notes")
@login_required
def write_note(enterprise_id: int):
    _require_mentor()
    enterprise = svc.coaching_enterprise(current_user, enterprise_id)
    form = forms.NoteForm()
    if form.validate() and not form.refused_text():
        try:
            svc.write_note(
                current_user, enterprise.id, kind=form.kind.data or "", body=form.body.data, topics=form.topics.data,
                visited_on=form.visited_on.data,
                steps=[svc.StepInput(text.data, due.data) for text, due in form.step_rows()],
            )
        except DomainError as exc:
            if isinstance(exc, NotFound):
                raise
            show_domain_error(form, exc)
            return _render_enterprise(enterprise, form, exc.status_code)
        flash(_("Saved. The enterprise's owners were told by e-mail."), "success")
        return redirect(url_for("mentoring.enterprise", enterprise_id=enterprise.id), 303)
    return _render_enterprise(enterprise, form, 422)


# ---------------------------------------------------------------- the enterprise's side


@bp.get("/seller/<int:enterprise_id>/coaching")
@login_required
def seller_notes(enterprise_id: int):
    enterprise, membership = get_member_enterprise_or_404(current_user, enterprise_id)
    return render_template("mentoring/seller_notes.html", enterprise=enterprise, active_tab="home",
                           notes=svc.notes_of(enterprise.id), mentors=svc.assignments_of(enterprise.id),
                           may_tick=isinstance(membership, EnterpriseMember))


def _tick(enterprise_id: int, step_id: int, done: bool):
    get_member_enterprise_or_404(current_user, enterprise_id)  # a mentor: 403 here
    try:
        svc.set_step_done(current_user, enterprise_id, step_id, done)
    except DomainError as exc:
        if isinstance(exc, (NotFound, PermissionDenied)):
            raise
        flash(exc.message, "error")
    else:
        flash(_("Step marked done.") if done else _("Step marked not done."), "success")
    return redirect(url_for("mentoring.seller_notes", enterprise_id=enterprise_id, _anchor=f"step-{step_id}"), 303)


@bp.post("/seller/<int:enterprise_id>/coaching/steps/<int:step_id>/done")
@login_required
def step_done(enterprise_id: int, step_id: int):
    return _tick(enterprise_id, step_id, True)


@bp.post("/seller/<int:enterprise_id>/coaching/steps/<int:step_id>/undo")
@login_required
def step_undo(enterprise_id: int, step_id: int):
    return _tick(enterprise_id, step_id, False)


def init_app(app: Flask) -> None:
    """The blueprint; ``viewing_as_mentor(enterprise_id)`` for the seller pages'
    read-only banner; the staff enterprise page's mentor panel's lists."""
    app.register_blueprint(bp)

    def viewing_as_mentor(enterprise_id: int) -> bool:
        return (current_user.is_authenticated and enterprise_membership(current_user, enterprise_id) is None
                and is_assigned_mentor(current_user, enterprise_id))

    def programme_choices() -> list[tuple[int, str]]:
        return [(p.id, p.t("name", current_language())) for p in svc.programmes()]

    app.jinja_env.globals.update(viewing_as_mentor=viewing_as_mentor, enterprise_mentors=svc.assignments_of,
                                 mentor_choices=svc.mentor_choices, programme_choices=programme_choices)
