"""Seller dashboard pages: the seller home, the application form, one enterprise's
dashboard, its profile and photos, its members, and invitation links.

Views parse the form, call one service and render or redirect. CSRF is checked for
every POST by ``CSRFProtect`` before a view runs. The enterprise comes
from the URL and ``get_member_enterprise_or_404`` on every request (see
``catalog.access``); a refused form is shown again with the reason and a 4xx status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from shop.accounts.access import login_required
from shop.catalog import status
from shop.catalog.access import find_membership, get_member_enterprise_or_404
from shop.catalog.services import STAGE_LABELS, track_progress
from shop.errors import DomainError, NotFound, PermissionDenied
from shop.extensions import limiter
from shop.forms import ConfirmForm, show_domain_error
from shop.hooks import Hook
from shop.i18n import current_language
from shop.sellers import bp, charts, forms, order_services, services

# Each invitation sends an e-mail to an address the owner types: a backstop against
# using the form to send mail in bulk.
INVITE_RATE = "20 per hour; 60 per day"


@dataclass(frozen=True)
class DashboardSection:
    """A part of the dashboard drawn by an area above this one: its template gets
    ``ctx``. ``slot`` says where: "figures" (after the sales figures, for approved
    enterprises) or "track" (in place of the plain track panel)."""

    template: str
    slot: str
    context: dict[str, Any] = field(default_factory=dict)


#: ``(enterprise, period=, first_day=)`` -> a list of ``DashboardSection``: what the
#: areas above add to the dashboard (the track's channel mix, margin, payouts and
#: checklist card), for the sales period chosen (``first_day``: its first Bangkok day).
dashboard_sections = Hook("sellers.dashboard_sections")


@bp.context_processor
def _seller_helpers() -> dict:
    return {
        "status_label": status.enterprise_status_label,
        "role_label": status.member_role_label,
        "seller_link": seller_link,
        "stage_labels": STAGE_LABELS,
        "ENTERPRISE_STATUS": {
            "pending": status.ENTERPRISE_PENDING, "approved": status.ENTERPRISE_APPROVED,
            "rejected": status.ENTERPRISE_REJECTED, "suspended": status.ENTERPRISE_SUSPENDED,
        },
    }


def seller_link(endpoint: str, **values) -> str | None:
    """A link to a seller page that another part of the dashboard may provide, or
    None while that page is not installed."""
    if endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, **values)


# ---------------------------------------------------------------- home and application


@bp.get("/")
@login_required
def index():
    memberships = services.memberships_of(current_user)
    only = services.single_approved_enterprise(memberships)
    if only is not None and request.args.get("all") is None:
        return redirect(url_for("sellers.dashboard", enterprise_id=only.id))
    return render_template("sellers/index.html", memberships=memberships)


def _render_apply(form, status_code: int = 200):
    return render_template("sellers/apply.html", form=form), status_code


@bp.route("/apply", methods=["GET", "POST"])
@login_required
def apply():
    if not current_user.email_verified:
        return render_template("sellers/verify_first.html"), (200 if request.method == "GET" else 403)
    form = forms.ApplicationForm(locale=current_language())
    if request.method == "GET":
        return _render_apply(form)
    if not form.validate():
        return _render_apply(form, 422)
    try:
        enterprise = services.apply_for_enterprise(
            current_user, registration_no=form.registration_no.data, details=form.details()
        )
    except DomainError as exc:
        show_domain_error(form, exc)
        return _render_apply(form, exc.status_code)
    flash(_("Thank you! We have received your application. Our staff will review it, usually within a few working days."),
          "success")
    return redirect(url_for("sellers.dashboard", enterprise_id=enterprise.id))


# ---------------------------------------------------------------- one enterprise


@bp.get("/<int:enterprise_id>/")
@login_required
def dashboard(enterprise_id: int):
    enterprise, membership = get_member_enterprise_or_404(current_user, enterprise_id)
    memberships = services.memberships_of(current_user)
    # Orders, sales and stock figures (docs/product.md: Dashboards);
    # ``?sales=30d|12w|12m`` picks the chart's period, anything else falls back to 30 days.
    figures = order_services.dashboard_figures(enterprise, period=request.args.get("sales", ""))
    sections = [section for answer in dashboard_sections(enterprise, period=figures.sales.period,
                                                           first_day=figures.sales.first_day)
                for section in (answer or ())]
    return render_template(
        "sellers/dashboard.html",
        enterprise=enterprise,
        membership=membership,
        other_memberships=[m for m in memberships if m.enterprise_id != enterprise.id],
        summary=services.dashboard_summary(enterprise),
        track=track_progress(enterprise),
        stage_note=services.latest_stage_note(enterprise),
        confirm_form=ConfirmForm(),
        figures=figures,
        chart=charts.sales_chart(figures.sales, current_language()),
        periods=order_services.PERIODS,
        period_label=order_services.period_label,
        sections=sections,
        has_track_section=any(section.slot == "track" for section in sections),
    )


@bp.post("/<int:enterprise_id>/resubmit")
@login_required
def resubmit(enterprise_id: int):
    enterprise, _membership = get_member_enterprise_or_404(current_user, enterprise_id, owner=True)
    try:
        services.resubmit_application(current_user, enterprise)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        flash(str(exc.message), "error")
        return redirect(url_for("sellers.dashboard", enterprise_id=enterprise.id))
    flash(_("Your application is back with our staff for review."), "success")
    return redirect(url_for("sellers.dashboard", enterprise_id=enterprise.id))


def _render_profile(enterprise, membership, form=None, photo_form=None, status_code: int = 200):
    if form is None:
        form = forms.EnterpriseProfileForm(locale=current_language())
        form.fill(services.details_of(enterprise))
    return render_template(
        "sellers/profile.html",
        enterprise=enterprise,
        membership=membership,
        form=form,
        photo_form=photo_form or forms.PhotoUploadForm(),
        photos=services.photos_of(enterprise),
        max_photos=services.MAX_ENTERPRISE_PHOTOS,
        confirm_form=ConfirmForm(),
    ), status_code


@bp.route("/<int:enterprise_id>/profile", methods=["GET", "POST"])
@login_required
def profile(enterprise_id: int):
    enterprise, membership = get_member_enterprise_or_404(current_user, enterprise_id)
    if request.method == "GET":
        return _render_profile(enterprise, membership)
    form = forms.EnterpriseProfileForm(locale=current_language())
    if not form.validate():
        return _render_profile(enterprise, membership, form=form, status_code=422)
    try:
        services.update_profile(current_user, enterprise, form.details())
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        show_domain_error(form, exc)
        return _render_profile(enterprise, membership, form=form, status_code=exc.status_code)
    flash(_("Your profile is saved."), "success")
    return redirect(url_for("sellers.profile", enterprise_id=enterprise.id))


@bp.post("/<int:enterprise_id>/photos")
@login_required
def upload_photos(enterprise_id: int):
    enterprise, membership = get_member_enterprise_or_404(current_user, enterprise_id)
    photo_form = forms.PhotoUploadForm()
    if not photo_form.validate():
        return _render_profile(enterprise, membership, photo_form=photo_form, status_code=400)
    uploads = [f.read() for f in request.files.getlist(photo_form.photos.name) if f and f.filename]
    try:
        added = services.add_photos(current_user, enterprise, uploads)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        show_domain_error(photo_form, exc)
        return _render_profile(enterprise, membership, photo_form=photo_form, status_code=exc.status_code)
    flash(_("Photos added: %(num)d.", num=len(added)), "success")
    return redirect(url_for("sellers.profile", enterprise_id=enterprise.id) + "#photos")


@bp.post("/<int:enterprise_id>/photos/<int:photo_id>/move")
@login_required
def move_photo(enterprise_id: int, photo_id: int):
    enterprise, membership = get_member_enterprise_or_404(current_user, enterprise_id)
    try:
        services.move_photo(current_user, enterprise, photo_id, request.form.get("move", ""))
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        photo_form = forms.PhotoUploadForm()
        show_domain_error(photo_form, exc)
        return _render_profile(enterprise, membership, photo_form=photo_form, status_code=exc.status_code)
    return redirect(url_for("sellers.profile", enterprise_id=enterprise.id) + f"#photo-{photo_id}")


@bp.post("/<int:enterprise_id>/photos/<int:photo_id>/delete")
@login_required
def delete_photo(enterprise_id: int, photo_id: int):
    enterprise, membership = get_member_enterprise_or_404(current_user, enterprise_id)
    services.delete_photo(current_user, enterprise, photo_id)
    flash(_("Photo deleted."), "success")
    return redirect(url_for("sellers.profile", enterprise_id=enterprise.id) + "#photos")


# ---------------------------------------------------------------- members


def _render_members(enterprise, membership, *, invite_form=None, error=None, status_code: int = 200):
    return render_template(
        "sellers/members.html",
        enterprise=enterprise,
        membership=membership,
        is_owner=membership.role == status.MEMBER_OWNER,
        members=services.members_of(enterprise),
        invitations=services.open_invitations(enterprise),
        invite_form=invite_form or forms.InviteForm(),
        role_form=forms.RoleForm(),
        confirm_form=ConfirmForm(),
        error=error,
    ), status_code


@bp.get("/<int:enterprise_id>/members")
@login_required
def members(enterprise_id: int):
    enterprise, membership = get_member_enterprise_or_404(current_user, enterprise_id)
    return _render_members(enterprise, membership)


@bp.post("/<int:enterprise_id>/members/invite")
@login_required
@limiter.limit(INVITE_RATE)
def invite(enterprise_id: int):
    enterprise, membership = get_member_enterprise_or_404(current_user, enterprise_id, owner=True)
    form = forms.InviteForm()
    if not form.validate():
        return _render_members(enterprise, membership, invite_form=form, status_code=422)
    try:
        sent = services.invite_member(current_user, enterprise, email=form.email.data, role=form.role.data)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        show_domain_error(form, exc)
        return _render_members(enterprise, membership, invite_form=form, status_code=exc.status_code)
    flash(_("Invitation sent to %(email)s. The link works for 7 days.", email=sent.invitation.email), "success")
    return redirect(url_for("sellers.members", enterprise_id=enterprise.id))


def _member_action(enterprise_id: int, action, success_message: str):
    enterprise, membership = get_member_enterprise_or_404(current_user, enterprise_id, owner=True)
    try:
        action(enterprise)
    except (NotFound, PermissionDenied):
        raise
    except DomainError as exc:
        return _render_members(enterprise, membership, error=exc.message, status_code=exc.status_code)
    flash(success_message, "success")
    # The acting owner may have just removed themselves: their seller home then.
    if find_membership(current_user, enterprise.id) is None:
        return redirect(url_for("sellers.index", all=1))
    return redirect(url_for("sellers.members", enterprise_id=enterprise.id))


@bp.post("/<int:enterprise_id>/members/<int:member_id>/remove")
@login_required
def remove_member(enterprise_id: int, member_id: int):
    return _member_action(
        enterprise_id,
        lambda enterprise: services.remove_member(current_user, enterprise, member_id),
        _("The member was removed. They no longer have access to this enterprise."),
    )


@bp.post("/<int:enterprise_id>/members/<int:member_id>/role")
@login_required
def change_role(enterprise_id: int, member_id: int):
    return _member_action(
        enterprise_id,
        lambda enterprise: services.change_member_role(current_user, enterprise, member_id,
                                                       request.form.get("role", "")),
        _("The member's role was changed."),
    )


@bp.post("/<int:enterprise_id>/invitations/<int:invitation_id>/revoke")
@login_required
def revoke_invitation(enterprise_id: int, invitation_id: int):
    return _member_action(
        enterprise_id,
        lambda enterprise: services.revoke_invitation(current_user, enterprise, invitation_id),
        _("The invitation was withdrawn."),
    )


# ---------------------------------------------------------------- invitation links


def _render_invitation_problem(exc: DomainError):
    return render_template("sellers/invitation_problem.html", message=exc.message), exc.status_code


@bp.get("/invitations/<token>")
def invitation(token: str):
    try:
        invitation = services.invitation_for_token(token)
    except DomainError as exc:
        return _render_invitation_problem(exc)
    signed_in = current_user.is_authenticated
    matches = signed_in and (current_user.email or "").lower() == invitation.email
    return render_template(
        "sellers/invitation.html",
        invitation=invitation,
        enterprise=invitation.enterprise,
        signed_in=signed_in,
        matches=matches,
        form=ConfirmForm(),
        here=url_for("sellers.invitation", token=token),
    )


@bp.post("/invitations/<token>")
@login_required
def accept_invitation(token: str):
    try:
        membership = services.accept_invitation(current_user, token)
    except DomainError as exc:
        return _render_invitation_problem(exc)
    flash(_("Welcome to %(name)s!", name=membership.enterprise.t("name", current_language())), "success")
    return redirect(url_for("sellers.dashboard", enterprise_id=membership.enterprise_id))
