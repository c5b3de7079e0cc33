"""Back-office use cases: the review queues, enterprise decisions (approve, reject,
suspend, reinstate, track stage, registration-number corrections) and retail-buyer
verification.

Each action takes the acting staff user, checks that it is staff (the blueprint
already did; these are also called from commands and tests), changes state through
the owning area's workflow function, queues the e-mail and commits once.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from shop import roles
from shop import statemachine as sm
from shop.accounts.machines import RETAIL_BUYERS
from shop.accounts.models import RetailBuyer, User
from shop.accounts.services import public_url
from shop.catalog import status
from shop.catalog.models import Enterprise, EnterpriseMember, Product
from shop.catalog.services import STAGE_LABELS
from shop.database import transaction
from shop.dbtypes import utcnow
from shop.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shop.extensions import db
from shop.notifications.services import queue_email
from shop.pagination import Page, paginate
from shop.sellers import services as sellers

PER_PAGE = 50

ENTERPRISE_FILTERS = (*status.ENTERPRISE_STATUSES, "all")
RETAIL_BUYER_FILTERS = (*RetailBuyer.STATUSES, "all")


def require_staff(actor: User | None) -> User:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_staff:
        raise PermissionDenied()
    return actor


def _public_url(endpoint: str, **values) -> str:
    return public_url(endpoint, **values)


# ---------------------------------------------------------------- queues


@dataclass(frozen=True)
class BackOfficeCounts:
    pending_enterprises: int
    approved_enterprises: int
    suspended_enterprises: int
    pending_retail_buyers: int
    pending_listings: int


def back_office_counts() -> BackOfficeCounts:
    by_status = dict(db.session.execute(
        select(Enterprise.status, func.count(Enterprise.id)).group_by(Enterprise.status)).all())
    buyers = db.session.scalar(
        select(func.count(RetailBuyer.id)).where(RetailBuyer.status == RetailBuyer.PENDING)) or 0
    listings = db.session.scalar(
        select(func.count(Product.id)).where(Product.status == status.PENDING_REVIEW)) or 0
    return BackOfficeCounts(
        pending_enterprises=by_status.get(status.ENTERPRISE_PENDING, 0),
        approved_enterprises=by_status.get(status.ENTERPRISE_APPROVED, 0),
        suspended_enterprises=by_status.get(status.ENTERPRISE_SUSPENDED, 0),
        pending_retail_buyers=buyers,
        pending_listings=listings,
    )


def parse_filter(value: str | None, allowed: tuple[str, ...], default: str) -> str:
    value = (value or default).strip().lower()
    if value not in allowed:
        raise ValidationFailed(_l("Unknown filter."))
    return value


def list_enterprises(status_filter: str, page: int = 1) -> Page[Enterprise]:
    # The oldest application first: it has waited longest.
    stmt = select(Enterprise).order_by(Enterprise.created_at, Enterprise.id)
    if status_filter != "all":
        stmt = stmt.where(Enterprise.status == status_filter)
    return paginate(stmt, page, PER_PAGE)


def list_retail_buyers(status_filter: str, page: int = 1) -> Page[RetailBuyer]:
    stmt = (select(RetailBuyer).options(selectinload(RetailBuyer.user))
            .order_by(RetailBuyer.created_at, RetailBuyer.id))
    if status_filter != "all":
        stmt = stmt.where(RetailBuyer.status == status_filter)
    return paginate(stmt, page, PER_PAGE)


# ---------------------------------------------------------------- enterprise review


@dataclass(frozen=True)
class EnterpriseReview:
    enterprise: Enterprise
    members: list[EnterpriseMember]
    events: list
    product_count: int


def enterprise_for_review(enterprise_id: int) -> Enterprise:
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise NotFound()
    return enterprise


def enterprise_review(enterprise_id: int) -> EnterpriseReview:
    enterprise = enterprise_for_review(enterprise_id)
    products = db.session.scalar(
        select(func.count(Product.id)).where(Product.enterprise_id == enterprise.id)) or 0
    return EnterpriseReview(
        enterprise=enterprise,
        members=sellers.members_of(enterprise),
        events=sellers.enterprise_events(enterprise),
        product_count=products,
    )


def _tell_owners(enterprise: Enterprise, template: str, **context) -> None:
    link = _public_url("sellers.dashboard", enterprise_id=enterprise.id)
    for email, locale in sellers.owner_addresses(enterprise):
        queue_email(to=email, kind=template, template=template, locale=locale, enterprise=enterprise,
                    link=link, **context)


def _decide(actor: User, enterprise_id: int, new_status: str, template: str, reason: str | None = None) -> Enterprise:
    require_staff(actor)
    with transaction():
        enterprise = enterprise_for_review(enterprise_id)
        sellers.transition_enterprise(enterprise, new_status, actor=actor, role=roles.PROGRAMME_STAFF, reason=reason)
        _tell_owners(enterprise, template, reason=(reason or "").strip())
    return enterprise


def approve_enterprise(actor: User, enterprise_id: int) -> Enterprise:
    return _decide(actor, enterprise_id, status.ENTERPRISE_APPROVED, "seller_enterprise_approved")


def reject_enterprise(actor: User, enterprise_id: int, reason: str) -> Enterprise:
    return _decide(actor, enterprise_id, status.ENTERPRISE_REJECTED, "seller_enterprise_rejected", reason)


def suspend_enterprise(actor: User, enterprise_id: int, reason: str) -> Enterprise:
    return _decide(actor, enterprise_id, status.ENTERPRISE_SUSPENDED, "seller_enterprise_suspended", reason)


def reinstate_enterprise(actor: User, enterprise_id: int) -> Enterprise:
    require_staff(actor)
    enterprise = enterprise_for_review(enterprise_id)
    if enterprise.status != status.ENTERPRISE_SUSPENDED:
        raise Conflict(_l("Only a suspended enterprise can be reinstated."))
    return _decide(actor, enterprise_id, status.ENTERPRISE_APPROVED, "seller_enterprise_reinstated")


def move_track_stage(actor: User, enterprise_id: int, stage: str, note: str | None = None) -> Enterprise:
    """Move the enterprise to another stage, saying why: the reason is recorded with
    who moved it and when (an ``EnterpriseEvent``) and e-mailed to the owners."""
    require_staff(actor)
    if not (note or "").strip():
        message = _l("Write why the enterprise moves to this stage: it is kept with the move.")
        raise ValidationFailed(message, fields={"note": message})
    with transaction():
        enterprise = enterprise_for_review(enterprise_id)
        sellers.set_track_stage(enterprise, stage, actor=actor, note=note)
        _tell_owners(enterprise, "seller_stage_changed", stage=stage, stage_name=STAGE_LABELS[stage],
                     note=(note or "").strip())
    return enterprise


def correct_registration_no(actor: User, enterprise_id: int, value: str) -> Enterprise:
    require_staff(actor)
    with transaction():
        enterprise = enterprise_for_review(enterprise_id)
        sellers.correct_registration_no(enterprise, value)
    return enterprise


# ---------------------------------------------------------------- retail buyers


def _retail_buyer(buyer_id: int) -> RetailBuyer:
    buyer = db.session.get(RetailBuyer, buyer_id)
    if buyer is None:
        raise NotFound()
    return buyer


def verify_retail_buyer(actor: User, buyer_id: int) -> RetailBuyer:
    """Verify a business account: its user sees wholesale prices from now on."""
    require_staff(actor)
    buyer = _retail_buyer(buyer_id)
    if buyer.status == RetailBuyer.VERIFIED:
        raise Conflict(_l("This business account is already verified."))
    with transaction():
        sm.transition(RETAIL_BUYERS, buyer, RetailBuyer.VERIFIED, actor=actor, role=roles.PROGRAMME_STAFF,
                      values={"status_reason": None, "verified_at": utcnow(), "verified_by_id": actor.id})
        queue_email(to=buyer.user.email, kind="retail_buyer_verified", template="admin_retail_buyer_verified",
                    locale=buyer.user.locale or "th", buyer=buyer, user=buyer.user,
                    link=_public_url("catalog.home"))
    return buyer


def reject_retail_buyer(actor: User, buyer_id: int, reason: str) -> RetailBuyer:
    """Refuse (or withdraw) a business account's verification, saying why."""
    require_staff(actor)
    buyer = _retail_buyer(buyer_id)
    reason = (reason or "").strip()
    if not reason:
        message = _l("Write the reason: the buyer will see it.")
        raise ValidationFailed(message, fields={"reason": message})
    if buyer.status == RetailBuyer.REJECTED:
        raise Conflict(_l("This business account was already refused."))
    with transaction():
        sm.transition(RETAIL_BUYERS, buyer, RetailBuyer.REJECTED, actor=actor, role=roles.PROGRAMME_STAFF,
                      reason=reason[:2000], values={"status_reason": reason[:2000], "verified_at": None,
                                                    "verified_by_id": actor.id})
        queue_email(to=buyer.user.email, kind="retail_buyer_rejected", template="admin_retail_buyer_rejected",
                    locale=buyer.user.locale or "th", buyer=buyer, user=buyer.user, reason=buyer.status_reason)
    return buyer
