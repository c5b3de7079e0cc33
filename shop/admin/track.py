"""Back-office pages for the expansion track (docs/product.md: Expansion track): the
enterprises by stage with their progress and a "ready to move" filter, the checklist
editor, and ticking or unticking an enterprise's manual items (on its review page).
The use cases are the track's (``shop.track.services``); staff-only through the
blueprint's guard (``shop.admin``)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.admin import bp
from shop.admin.views import render_review
from shop.catalog import status
from shop.errors import DomainError, ValidationFailed
from shop.forms import ConfirmForm, show_domain_error
from shop.track import forms, rules, services

# ---------------------------------------------------------------- who is where


@bp.get("/track")
def track():
    stage = request.args.get("stage") or None
    if stage is not None and stage not in status.TRACK_STAGES:
        message = _("Choose one of the four stages.")
        raise ValidationFailed(message, fields={"stage": message})
    ready_only = request.args.get("ready") == "1"
    return render_template("admin/track.html", admin_tab="track", rows=services.overview(stage, ready_only=ready_only),
                           stage=stage, ready_only=ready_only, counts=services.stage_counts(),
                           stages=status.TRACK_STAGES, limit=services.OVERVIEW_LIMIT)


# ---------------------------------------------------------------- the checklist


def _render_checklist(add_form=None, rename_forms=None, status_code: int = 200, error=None):
    items = services.items(include_retired=True)
    rename_forms = rename_forms or {}
    for item in items:
        if item.id not in rename_forms:
            form = forms.RenameItemForm(prefix=f"i{item.id}")
            form.label_th.data, form.label_en.data = item.label_th, item.label_en
            rename_forms[item.id] = form
    return render_template(
        "admin/track_checklist.html", admin_tab="track", items=items, stages=status.TRACK_STAGES,
        add_form=add_form or forms.ChecklistItemForm(prefix="new"), rename_forms=rename_forms,
        confirm_form=ConfirmForm(), rule_labels={key: label for key, (label, _fn) in rules.RULES.items()},
        error=error,
    ), status_code


@bp.get("/track/checklist")
def track_checklist():
    return _render_checklist()


@bp.post("/track/checklist")
def track_checklist_add():
    form = forms.ChecklistItemForm(prefix="new")
    if not form.validate():
        return _render_checklist(add_form=form, status_code=422)
    try:
        services.add_item(current_user, form.stage.data, form.label_th.data, form.label_en.data)
    except DomainError as exc:
        show_domain_error(form, exc)
        return _render_checklist(add_form=form, status_code=exc.status_code)
    flash(_("Item added."), "success")
    return redirect(url_for("admin.track_checklist"), 303)


@bp.post("/track/checklist/<int:item_id>")
def track_checklist_rename(item_id: int):
    form = forms.RenameItemForm(prefix=f"i{item_id}")
    if not form.validate():
        return _render_checklist(rename_forms={item_id: form}, status_code=422)
    try:
        services.rename_item(current_user, item_id, form.label_th.data, form.label_en.data)
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        show_domain_error(form, exc)
        return _render_checklist(rename_forms={item_id: form}, status_code=exc.status_code)
    flash(_("Item renamed."), "success")
    return redirect(url_for("admin.track_checklist", _anchor=f"item-{item_id}"), 303)


def _item_action(item_id: int, action, done: str):
    if not ConfirmForm().validate():
        return _render_checklist(status_code=400, error=_("The form expired. Please try again."))
    try:
        action()
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        return _render_checklist(status_code=exc.status_code, error=exc.message)
    flash(done, "success")
    return redirect(url_for("admin.track_checklist", _anchor=f"item-{item_id}"), 303)


@bp.post("/track/checklist/<int:item_id>/move")
def track_checklist_move(item_id: int):
    return _item_action(item_id, lambda: services.move_item(current_user, item_id, request.form.get("move")),
                        _("Item moved."))


@bp.post("/track/checklist/<int:item_id>/retire")
def track_checklist_retire(item_id: int):
    return _item_action(item_id, lambda: services.retire_item(current_user, item_id),
                        _("Item retired: it no longer counts."))


@bp.post("/track/checklist/<int:item_id>/restore")
def track_checklist_restore(item_id: int):
    return _item_action(item_id, lambda: services.restore_item(current_user, item_id),
                        _("Item back on the checklist."))


# ---------------------------------------------------------------- ticking an enterprise's items


@bp.post("/enterprises/<int:enterprise_id>/checklist/<int:item_id>/tick")
def checklist_tick(enterprise_id: int, item_id: int):
    upload = request.files.get("photo")
    photo = upload.read() if upload and upload.filename else None
    try:
        services.tick(current_user, enterprise_id, item_id, request.form.get("note"), photo)
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        return render_review(enterprise_id, error=None if exc.fields else exc.message,
                             tick_errors={item_id: exc.fields or {}}, status_code=exc.status_code)
    flash(_("Item ticked."), "success")
    return redirect(url_for("admin.enterprise", enterprise_id=enterprise_id, _anchor="checklist"), 303)


@bp.post("/enterprises/<int:enterprise_id>/checklist/<int:item_id>/untick")
def checklist_untick(enterprise_id: int, item_id: int):
    try:
        services.untick(current_user, enterprise_id, item_id, request.form.get("reason"))
    except DomainError as exc:
        if exc.status_code == 404:
            raise
        return render_review(enterprise_id, error=exc.message, status_code=exc.status_code)
    flash(_("Item unticked."), "success")
    return redirect(url_for("admin.enterprise", enterprise_id=enterprise_id, _anchor="checklist"), 303)
