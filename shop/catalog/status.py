"""Listing and enterprise states, stored as readable strings."""

from __future__ import annotations

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
