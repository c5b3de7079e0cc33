"""The track's pages (blueprint ``track``, registered by ``shop.create_app``).

* ``GET /seller/<enterprise_id>/track``: the whole checklist, every stage, for the
  enterprise's members, programme staff and the enterprise's mentors (others 404).
* ``GET /seller/<enterprise_id>/track/evidence/<tick_id>/<size>.webp``: an evidence
  photo, to the same people only (never through ``/media``).

Staff tick, untick and edit the checklist in the back office (``shop/admin/track.py``);
the dashboard's track card comes through the seller dashboard's hook
(``shop.track.dashboard``). The template global ``enterprise_programmes`` lets the
enterprise pages of lower areas list the programmes an enterprise belongs to.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, url_for
from flask_login import current_user

from shop.accounts.access import login_required
from shop.catalog.access import enterprise_membership
from shop.catalog.models import Enterprise
from shop.catalog.status import enterprise_status_label, member_role_label
from shop.track import programmes, services

bp = Blueprint("track", __name__)


def _link_if_installed(endpoint: str, **values) -> str | None:
    return url_for(endpoint, **values) if endpoint in current_app.view_functions else None


@bp.context_processor
def _track_helpers() -> dict:
    return {"status_label": enterprise_status_label, "role_label": member_role_label,
            "seller_link": _link_if_installed}


@bp.app_template_global("enterprise_programmes")
def enterprise_programmes(enterprise: Enterprise) -> list[programmes.Membership]:
    """The programmes ``enterprise`` belongs to (for the enterprise pages)."""
    return programmes.programmes_of(enterprise)


@bp.get("/seller/<int:enterprise_id>/track")
@login_required
def seller_checklist(enterprise_id: int):
    enterprise = services.viewable_enterprise(current_user, enterprise_id)
    return render_template(
        "track/checklist.html", enterprise=enterprise, sections=services.checklist(enterprise),
        membership=enterprise_membership(current_user, enterprise_id),
        programmes=programmes.programmes_of(enterprise), active_tab="home",
        may_tick=services.may_tick(current_user, enterprise_id),
    )


@bp.get("/seller/<int:enterprise_id>/track/evidence/<int:tick_id>/<size>.webp")
@login_required
def evidence(enterprise_id: int, tick_id: int, size: str):
    return services.evidence_response(current_user, enterprise_id, tick_id, size)
