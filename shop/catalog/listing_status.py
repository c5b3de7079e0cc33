"""The product listing state machine: one transition table, one function.

Every change of ``Product.status`` goes through ``transition_product``. It picks the
capacity the actor acts in (a member of the product's enterprise, or programme staff:
``shop/roles.py``), applies this module's guards, and moves the product through the
engine (``shop/statemachine.py``: the ``LISTINGS`` machine built from ``TRANSITIONS``),
which records it as a ``ListingStatusChange`` (who, when, from, to, why) in the same
UPDATE-guarded step that sets ``published_at`` the first time a product goes live. It
does not commit: the calling service owns the transaction. The history table keeps
its own role codes (``member`` / ``staff``, as the API documents them).

========================  ================  =====================================
from → to                 who               what it is
========================  ================  =====================================
draft → pending_review    member            submit for review
pending_review → draft    member            withdraw the submission
pending_review → draft    staff             send back (a reason is required)
pending_review → live     staff             approve
live → paused             member            pause (e.g. out of season)
live → paused             staff             take down (a reason is required)
paused → live             member            resume (not after a staff take-down)
paused → pending_review   member            resubmit after a staff take-down
any → archived            member            archive (archived is final)
========================  ================  =====================================

A member may not resume a listing that staff took down: the seller fixes it and
submits it for review again (``paused → pending_review``), so staff see it before it
returns to the storefront.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from shop import roles
from shop import statemachine as sm
from shop.catalog import status
from shop.catalog.listing_models import ListingStatusChange
from shop.catalog.models import EnterpriseMember, Product
from shop.dbtypes import utcnow
from shop.errors import PermissionDenied, ValidationFailed
from shop.extensions import db
from shop.hooks import Hook

MEMBER = roles.ENTERPRISE_MEMBER
STAFF = roles.PROGRAMME_STAFF
# How ``listing_status_changes.actor_role`` spells each role.
STORED_ROLES = {MEMBER: ListingStatusChange.ROLE_MEMBER, STAFF: ListingStatusChange.ROLE_STAFF}


@dataclass(frozen=True)
class Transition:
    from_status: str
    to_status: str
    role: str
    reason_required: bool = False


TRANSITIONS: tuple[Transition, ...] = (
    Transition(status.DRAFT, status.PENDING_REVIEW, MEMBER),
    Transition(status.PENDING_REVIEW, status.DRAFT, MEMBER),
    Transition(status.PENDING_REVIEW, status.DRAFT, STAFF, reason_required=True),
    Transition(status.PENDING_REVIEW, status.LIVE, STAFF),
    Transition(status.LIVE, status.PAUSED, MEMBER),
    Transition(status.LIVE, status.PAUSED, STAFF, reason_required=True),
    Transition(status.PAUSED, status.LIVE, MEMBER),
    Transition(status.PAUSED, status.PENDING_REVIEW, MEMBER),
    *(
        Transition(source, status.ARCHIVED, MEMBER)
        for source in status.PRODUCT_STATUSES
        if source != status.ARCHIVED
    ),
)

STATUS_LABELS = {
    status.DRAFT: _l("Draft"),
    status.PENDING_REVIEW: _l("Waiting for review"),
    status.LIVE: _l("Live"),
    status.PAUSED: _l("Paused"),
    status.ARCHIVED: _l("Archived"),
}

MAX_REASON_LENGTH = 2000


class TransitionRefused(sm.TransitionRefused, ValidationFailed):
    """A status change that the table or a guard does not allow (409; the listing
    forms re-show it like any refused input)."""


def _refuse_state(machine: sm.StateMachine, from_status: str, to_status: str) -> Exception:
    return TransitionRefused(
        _l("A listing that is “%(current)s” cannot be moved to “%(target)s”.",
           current=status_label(from_status), target=status_label(to_status))
    )


def _refuse_reason(machine: sm.StateMachine) -> Exception:
    message = _l("Please give a reason: the enterprise will read it.")
    return ValidationFailed(message, fields={"reason": message})


def _record(change: sm.Change) -> ListingStatusChange:
    return ListingStatusChange(
        product_id=change.row.id, from_status=change.from_status, to_status=change.to_status,
        actor_role=STORED_ROLES[change.role], actor_id=change.actor_id, reason=change.reason,
        created_at=change.at,
    )


#: ``(session, product_ids)``: a listing moved with an UPDATE statement, which skips
#: the session's flush events; search queues the products for its index
#: (``shop/hooks.py``; search sits above the catalogue).
products_updated = Hook("catalog.products_updated")


def _reindex(change: sm.Change) -> None:
    products_updated(db.session, [change.row.id])


def _moves() -> dict[tuple[str, str], set[str]]:
    moves: dict[tuple[str, str], set[str]] = {}
    for t in TRANSITIONS:
        moves.setdefault((t.from_status, t.to_status), set()).add(t.role)
    return moves


LISTINGS = sm.StateMachine(
    name="listing", model=Product, states=status.PRODUCT_STATUSES, moves=_moves(), record=_record,
    reason_required={(t.from_status, t.to_status, t.role) for t in TRANSITIONS if t.reason_required},
    labels=STATUS_LABELS, error=TransitionRefused, refuse_state=_refuse_state, refuse_reason=_refuse_reason,
    after=_reindex,
)


def status_label(code: str) -> str:
    return str(STATUS_LABELS.get(code, code))


def find_transition(from_status: str, to_status: str, role: str) -> Transition | None:
    for transition in TRANSITIONS:
        if (transition.from_status, transition.to_status, transition.role) == (from_status, to_status, role):
            return transition
    return None


def actor_roles(product: Product, actor) -> list[str]:
    """The capacities ``actor`` may act in on this product, member first."""
    roles = []
    if actor is not None and getattr(actor, "id", None) is not None:
        is_member = db.session.scalar(
            select(EnterpriseMember.id).where(
                EnterpriseMember.enterprise_id == product.enterprise_id, EnterpriseMember.user_id == actor.id
            )
        )
        if is_member is not None:
            roles.append(MEMBER)
        if getattr(actor, "is_staff", False):
            roles.append(STAFF)
    return roles


def last_change_into(product: Product, to_status: str) -> ListingStatusChange | None:
    return db.session.scalars(
        select(ListingStatusChange)
        .where(ListingStatusChange.product_id == product.id, ListingStatusChange.to_status == to_status)
        .order_by(ListingStatusChange.created_at.desc(), ListingStatusChange.id.desc())
        .limit(1)
    ).first()


def was_taken_down(product: Product) -> bool:
    """True when the product is paused because staff took it down."""
    if product.status != status.PAUSED:
        return False
    change = last_change_into(product, status.PAUSED)
    return change is not None and change.actor_role == STORED_ROLES[STAFF]


def allowed_targets(product: Product, actor, *, role: str | None = None) -> list[str]:
    """The statuses ``actor`` may move this product to now (for buttons)."""
    roles = [role] if role else actor_roles(product, actor)
    targets = []
    for transition in TRANSITIONS:
        if transition.from_status != product.status or transition.role not in roles:
            continue
        if _guard_message(product, transition) is None and transition.to_status not in targets:
            targets.append(transition.to_status)
    return targets


def _guard_message(product: Product, transition: Transition):
    """Why a move in the table is refused for this product now, or None."""
    target = transition.to_status
    if target in (status.PENDING_REVIEW, status.LIVE) and not product.active_variants:
        return _l("Add at least one option on sale (with its SKU and price) first.")
    if transition.role == MEMBER and (transition.from_status, target) == (status.PAUSED, status.LIVE):
        if was_taken_down(product):
            return _l("Staff took this listing down. Fix it and submit it for review again.")
    if transition.role == MEMBER and (transition.from_status, target) == (status.PAUSED, status.PENDING_REVIEW):
        if not was_taken_down(product):
            return _l("This listing is paused by you: resume it instead.")
    return None


def transition_product(product: Product, to_status: str, *, actor, reason: str | None = None,
                       role: str | None = None) -> ListingStatusChange:
    """Move ``product`` to ``to_status`` as ``actor`` and record it; no commit.

    ``role`` picks the capacity when the actor holds both (a staff member who also
    belongs to the enterprise): the admin pages pass ``"staff"``, the seller pages
    ``"member"``. Raises ``PermissionDenied`` when the actor may not act on the
    product at all, ``TransitionRefused`` when the move is not allowed from here, and
    ``ValidationFailed`` when a required reason is missing.
    """
    if to_status not in status.PRODUCT_STATUSES:
        raise TransitionRefused(_l("Unknown listing status."))
    roles = actor_roles(product, actor)
    if role is not None:
        if role not in roles:
            raise PermissionDenied()
        roles = [role]
    if not roles:
        raise PermissionDenied()
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > MAX_REASON_LENGTH:
        raise ValidationFailed(_l("Keep the reason under %(n)s characters.", n=MAX_REASON_LENGTH),
                               fields={"reason": _l("Too long.")})
    candidates = [t for r in roles if (t := find_transition(product.status, to_status, r)) is not None]
    if not candidates:
        raise LISTINGS.refuse_state(LISTINGS, product.status, to_status)
    refusal = None
    for transition in candidates:
        refusal = _guard_message(product, transition)
        if refusal is not None:
            continue
        return _apply(product, transition, actor=actor, reason=reason)
    raise TransitionRefused(refusal)


def _apply(product: Product, transition: Transition, *, actor, reason: str | None) -> ListingStatusChange:
    values: dict = {}
    if transition.to_status == status.LIVE and product.published_at is None:
        values["published_at"] = utcnow()
    if transition.role == STAFF and transition.to_status in (status.DRAFT, status.PAUSED):
        values["status_reason"] = reason  # shown to the seller on the listing until resubmitted
    elif transition.to_status in (status.PENDING_REVIEW, status.LIVE):
        values["status_reason"] = None
    return sm.transition(LISTINGS, product, transition.to_status, actor=actor, role=transition.role,
                         reason=reason, values=values)
