"""Listing and enterprise states, stored as readable strings, and the names pages show
for an enterprise's status and a member's role."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

# Product listing workflow: draft -> pending_review -> live <-> paused -> archived.
DRAFT = "draft"
PENDING_REVIEW = "pending_review"
LIVE = "live"
PAUSED = "paused"
ARCHIVED = "archived"
PRODUCT_STATUSES = (DRAFT, PENDING_REVIEW, LIVE, PAUSED, ARCHIVED)

# Enterprise applications: staff approve or reject them.
ENTERPRISE_PENDING = "pending"
ENTERPRISE_APPROVED = "approved"
ENTERPRISE_REJECTED = "rejected"
ENTERPRISE_SUSPENDED = "suspended"
ENTERPRISE_STATUSES = (ENTERPRISE_PENDING, ENTERPRISE_APPROVED, ENTERPRISE_REJECTED, ENTERPRISE_SUSPENDED)

# The market-channel expansion track (docs/product.md: Expansion track), in order.
STAGE_FOUNDATION = "foundation"
STAGE_ADVANCING = "advancing"
STAGE_NETWORKING = "networking"
STAGE_EXPANSION = "expansion"
TRACK_STAGES = (STAGE_FOUNDATION, STAGE_ADVANCING, STAGE_NETWORKING, STAGE_EXPANSION)

# Membership roles within an enterprise.
MEMBER_OWNER = "owner"
MEMBER_STAFF = "staff"
MEMBER_ROLES = (MEMBER_OWNER, MEMBER_STAFF)

ENTERPRISE_STATUS_LABELS = {
    ENTERPRISE_PENDING: _l("Under review"),
    ENTERPRISE_APPROVED: _l("Approved"),
    ENTERPRISE_REJECTED: _l("Not approved"),
    ENTERPRISE_SUSPENDED: _l("Suspended"),
}
MEMBER_ROLE_LABELS = {
    MEMBER_OWNER: _l("Owner"),
    MEMBER_STAFF: _l("Staff"),
}


def enterprise_status_label(code: str) -> str:
    return str(ENTERPRISE_STATUS_LABELS.get(code, code))


def member_role_label(code: str) -> str:
    return str(MEMBER_ROLE_LABELS.get(code, code))
