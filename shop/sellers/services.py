"""Seller use cases: apply to open an enterprise, edit its profile and photos, invite
and remove members, and move an enterprise through its status workflow.

Every function takes the acting user, checks that user may act on *that* enterprise
(again, after the view did: the API and commands call these too), validates all input
before writing anything, and commits once. Refusals are ``DomainError`` subclasses
with a message for the user; a ``ValidationFailed`` names the offending fields.

Enterprise status workflow (each change is recorded as an ``EnterpriseEvent``)::

    (apply) -> pending -> approved <-> suspended
               pending -> rejected -> pending (the owner resubmits)

Staff approve, reject, suspend and reinstate; owners resubmit.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from shop import roles
from shop import statemachine as sm
from shop.accounts.models import User
from shop.accounts.services import public_url
from shop.accounts.validation import check_email
from shop.catalog import status
from shop.catalog.access import find_membership
from shop.catalog.images import delete_image, process_upload
from shop.catalog.models import Enterprise, EnterpriseMember, EnterprisePhoto, MentorAssignment, Product, Variant
from shop.database import transaction
from shop.dbtypes import utcnow
from shop.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from shop.extensions import db
from shop.geo import province_by_code
from shop.notifications.services import queue_email
from shop.search.outbox import enqueue_enterprises
from shop.sellers import validation as v
from shop.sellers.models import EnterpriseEvent, EnterpriseInvitation
from shop.text import slugify
from shop.thai import normalize_tax_id, normalize_thai_phone, tax_id_problem, thai_phone_problem

INVITATION_LIFETIME = timedelta(days=7)
MAX_OPEN_INVITATIONS = 20
MAX_ENTERPRISE_PHOTOS = 12
PHOTO_FOLDER = "enterprises"

#: (from, to) -> who may make the change: "staff" or "owner".
ENTERPRISE_TRANSITIONS: dict[tuple[str, str], frozenset[str]] = {
    (status.ENTERPRISE_PENDING, status.ENTERPRISE_APPROVED): frozenset({roles.PROGRAMME_STAFF}),
    (status.ENTERPRISE_PENDING, status.ENTERPRISE_REJECTED): frozenset({roles.PROGRAMME_STAFF}),
    # Resubmission: only an owner of the enterprise (``resubmit_application`` checks).
    (status.ENTERPRISE_REJECTED, status.ENTERPRISE_PENDING): frozenset({roles.ENTERPRISE_MEMBER}),
    (status.ENTERPRISE_APPROVED, status.ENTERPRISE_SUSPENDED): frozenset({roles.PROGRAMME_STAFF}),
    (status.ENTERPRISE_SUSPENDED, status.ENTERPRISE_APPROVED): frozenset({roles.PROGRAMME_STAFF}),
}
#: Changes that must say why (the reason is shown to the enterprise).
TRANSITIONS_NEEDING_REASON = {
    (status.ENTERPRISE_PENDING, status.ENTERPRISE_REJECTED),
    (status.ENTERPRISE_APPROVED, status.ENTERPRISE_SUSPENDED),
}


class InvitationInvalid(DomainError):
    """A link whose token matches no invitation (mistyped, cut short, tampered)."""

    status_code = 404
    code = "invitation_invalid"

    default_message = _l("This invitation link is not valid. Check that you opened the whole link from the e-mail.")


class InvitationExpired(DomainError):
    status_code = 410
    code = "invitation_expired"

    default_message = _l("This invitation has expired. Ask the enterprise owner to invite you again.")


class InvitationUsed(DomainError):
    status_code = 409
    code = "invitation_used"

    default_message = _l("This invitation has already been used or was withdrawn.")


# ---------------------------------------------------------------- enterprise details


@dataclass(frozen=True)
class EnterpriseDetails:
    """Everything an enterprise says about itself (all but the registration number)."""

    name_th: str
    province_code: str
    contact_phone: str
    promptpay_id: str
    name_en: str = ""
    tagline_th: str = ""
    tagline_en: str = ""
    story_th: str = ""
    story_en: str = ""
    village: str = ""
    subdistrict: str = ""
    district: str = ""
    contact_email: str = ""
    line_id: str = ""
    vat_registered: bool = False
    tax_id: str = ""


#: Longest accepted value of each text field (the column sizes).
_MAX_LENGTHS = {
    "name_th": 200, "name_en": 200, "tagline_th": 300, "tagline_en": 300,
    "story_th": 20_000, "story_en": 20_000, "village": 120, "subdistrict": 120, "district": 120,
}


def check_details(details: EnterpriseDetails) -> EnterpriseDetails:
    """The details cleaned and normalised, or ValidationFailed naming every bad field."""
    cleaned = {
        f.name: (getattr(details, f.name) or "").strip() if f.type in ("str", str) else getattr(details, f.name)
        for f in fields(details)
    }
    problems: dict[str, object] = {}
    for name, limit in _MAX_LENGTHS.items():
        if len(cleaned[name]) > limit:
            problems[name] = _l("Use at most %(n)d characters.", n=limit)
    if not cleaned["name_th"]:
        problems["name_th"] = _l("Enter the enterprise's name in Thai.")
    if province_by_code(cleaned["province_code"]) is None:
        problems["province_code"] = _l("Choose the province from the list.")

    problem = thai_phone_problem(cleaned["contact_phone"])
    if problem:
        problems["contact_phone"] = problem
    else:
        cleaned["contact_phone"] = normalize_thai_phone(cleaned["contact_phone"])

    if cleaned["contact_email"]:
        try:
            cleaned["contact_email"] = check_email(cleaned["contact_email"])
        except ValidationFailed as exc:
            problems["contact_email"] = exc.message

    if cleaned["line_id"]:
        problem = v.line_id_problem(cleaned["line_id"])
        if problem:
            problems["line_id"] = problem
        else:
            cleaned["line_id"] = v.normalize_line_id(cleaned["line_id"])

    problem = v.promptpay_problem(cleaned["promptpay_id"]) if cleaned["promptpay_id"] else _l(
        "Enter the PromptPay ID that buyers pay to: a mobile number or a 13-digit ID number."
    )
    if problem:
        problems["promptpay_id"] = problem
    else:
        cleaned["promptpay_id"] = v.normalize_promptpay_id(cleaned["promptpay_id"])

    cleaned["vat_registered"] = bool(cleaned["vat_registered"])
    if cleaned["tax_id"]:
        problem = tax_id_problem(cleaned["tax_id"])
        if problem:
            problems["tax_id"] = problem
        else:
            cleaned["tax_id"] = normalize_tax_id(cleaned["tax_id"])
    elif cleaned["vat_registered"]:
        problems["tax_id"] = _l("A VAT-registered enterprise must give its 13-digit tax ID.")

    if problems:
        raise ValidationFailed(_l("Please check the fields marked below."), fields=problems)
    return EnterpriseDetails(**cleaned)


def _apply_details(enterprise: Enterprise, details: EnterpriseDetails) -> None:
    for f in fields(details):
        value = getattr(details, f.name)
        setattr(enterprise, f.name, value if value != "" else None)
    enterprise.name_th = details.name_th
    enterprise.province_code = details.province_code


def details_of(enterprise: Enterprise) -> EnterpriseDetails:
    """The enterprise's current details, to fill an edit form."""
    values = {f.name: getattr(enterprise, f.name) for f in fields(EnterpriseDetails)}
    return EnterpriseDetails(**{k: (val if val is not None else "") for k, val in values.items()})


def check_registration_no(value: str, *, exclude_id: int | None = None) -> str:
    """The registration number in stored form, or ValidationFailed (bad or taken)."""
    problem = v.registration_no_problem(value)
    if problem:
        raise ValidationFailed(problem, fields={"registration_no": problem})
    number = v.normalize_registration_no(value)
    stmt = select(Enterprise.id).where(Enterprise.registration_no == number)
    if exclude_id is not None:
        stmt = stmt.where(Enterprise.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        message = _l("An enterprise with this registration number is already on Chumchon Market. "
                     "If it is yours, ask its owner to invite you.")
        raise Conflict(message, fields={"registration_no": message})
    return number


def _unique_slug(name_en: str, registration_no: str) -> str:
    base = slugify(name_en) or "ce-" + "".join(ch for ch in registration_no if ch.isdigit())
    taken = set(db.session.scalars(select(Enterprise.slug).where(Enterprise.slug.like(f"{base}%"))))
    if base not in taken:
        return base
    n = 2
    while f"{base}-{n}" in taken:
        n += 1
    return f"{base}-{n}"


def _record(enterprise: Enterprise, kind: str, old: str | None, new: str, actor: User | None,
            note: str | None = None) -> None:
    db.session.add(EnterpriseEvent(enterprise_id=enterprise.id, kind=kind, from_value=old, to_value=new,
                                   note=note or None, actor_id=actor.id if actor else None))


def _staff_addresses() -> list[tuple[str, str]]:
    rows = db.session.execute(
        select(User.email, User.locale).where(User.is_staff.is_(True), User.is_active_account.is_(True))
    )
    return [(email, locale or "th") for email, locale in rows]


def owner_addresses(enterprise: Enterprise) -> list[tuple[str, str]]:
    """(e-mail, locale) of each owner, for notices about the enterprise."""
    rows = db.session.execute(
        select(User.email, User.locale)
        .join(EnterpriseMember, EnterpriseMember.user_id == User.id)
        .where(EnterpriseMember.enterprise_id == enterprise.id, EnterpriseMember.role == status.MEMBER_OWNER)
        .order_by(User.id)
    )
    return [(email, locale or "th") for email, locale in rows]


def _public_url(endpoint: str, **values) -> str:
    return public_url(endpoint, **values)


def _notify_staff_of_application(enterprise: Enterprise, *, resubmitted: bool) -> None:
    link = _public_url("admin.enterprise", enterprise_id=enterprise.id) if "admin.enterprise" in current_app.view_functions else None
    for email, locale in _staff_addresses():
        queue_email(to=email, kind="seller_new_application", template="seller_new_application", locale=locale,
                    enterprise=enterprise, link=link, resubmitted=resubmitted)


def apply_for_enterprise(user: User, *, registration_no: str, details: EnterpriseDetails) -> Enterprise:
    """Create a pending enterprise with ``user`` as its owner, in one transaction, and
    queue the "application received" e-mail (and a notice to staff)."""
    if not user.email_verified:
        raise PermissionDenied(_l("Confirm your e-mail address before you apply: open the link we sent you."))
    # Check everything first so the form can mark every bad field at once.
    problems: dict[str, object] = {}
    duplicate: Conflict | None = None
    try:
        details = check_details(details)
    except ValidationFailed as exc:
        problems.update(exc.fields)
    try:
        number = check_registration_no(registration_no)
    except Conflict as exc:
        duplicate = exc
    except ValidationFailed as exc:
        problems.update(exc.fields)
    if problems:
        if duplicate is not None:
            problems.update(duplicate.fields)
        raise ValidationFailed(_l("Please check the fields marked below."), fields=problems)
    if duplicate is not None:
        raise duplicate

    enterprise = Enterprise(
        registration_no=number, slug=_unique_slug(details.name_en, number),
        status=status.ENTERPRISE_PENDING, track_stage=status.STAGE_FOUNDATION, name_th=details.name_th,
        province_code=details.province_code,
    )
    _apply_details(enterprise, details)
    try:
        with transaction():
            db.session.add(enterprise)
            db.session.add(EnterpriseMember(enterprise=enterprise, user_id=user.id, role=status.MEMBER_OWNER))
            db.session.flush()
            _record(enterprise, EnterpriseEvent.KIND_STATUS, None, status.ENTERPRISE_PENDING, user)
            queue_email(to=user.email, kind="seller_application_received", template="seller_application_received",
                        locale=user.locale or "th", user=user, enterprise=enterprise,
                        link=_public_url("sellers.dashboard", enterprise_id=enterprise.id))
            _notify_staff_of_application(enterprise, resubmitted=False)
            db.session.flush()
    except IntegrityError:
        # Another application with the same number (or slug) committed in between.
        message = _l("An enterprise with this registration number is already on Chumchon Market. "
                     "If it is yours, ask its owner to invite you.")
        raise Conflict(message, fields={"registration_no": message}) from None
    return enterprise


def _require_member(user: User, enterprise: Enterprise, *, owner: bool = False) -> EnterpriseMember:
    membership = find_membership(user, enterprise.id)
    if membership is None:
        raise NotFound()
    if owner and membership.role != status.MEMBER_OWNER:
        raise PermissionDenied(_l("Only an owner of this enterprise can do that."))
    return membership


def update_profile(user: User, enterprise: Enterprise, details: EnterpriseDetails) -> Enterprise:
    """Save the profile. The registration number, slug and status are not touched."""
    _require_member(user, enterprise)
    details = check_details(details)
    with transaction():
        _apply_details(enterprise, details)
    return enterprise


def resubmit_application(user: User, enterprise: Enterprise) -> Enterprise:
    """A rejected application goes back to staff for review (owners only)."""
    _require_member(user, enterprise, owner=True)
    with transaction():
        transition_enterprise(enterprise, status.ENTERPRISE_PENDING, actor=user, role=roles.ENTERPRISE_MEMBER)
        _notify_staff_of_application(enterprise, resubmitted=True)
    return enterprise


def _refuse_enterprise_state(machine: sm.StateMachine, from_status: str, to_status: str) -> Exception:
    return Conflict(_l("This enterprise is %(status)s: that change is not possible now.",
                       status=status.enterprise_status_label(from_status)))


def _refuse_enterprise_reason(machine: sm.StateMachine) -> Exception:
    message = _l("Write the reason: the enterprise will see it.")
    return ValidationFailed(message, fields={"reason": message})


def _record_enterprise_change(change: sm.Change) -> EnterpriseEvent:
    return EnterpriseEvent(enterprise_id=change.row.id, kind=EnterpriseEvent.KIND_STATUS,
                           from_value=change.from_status, to_value=change.to_status, note=change.reason,
                           actor_id=change.actor_id, created_at=change.at)


def _reindex_enterprise(change: sm.Change) -> None:
    enqueue_enterprises(db.session, [change.row.id])


#: Enterprise applications; history in ``enterprise_events`` (kind "status").
ENTERPRISES = sm.StateMachine(
    name="enterprise", model=Enterprise, states=status.ENTERPRISE_STATUSES, moves=ENTERPRISE_TRANSITIONS,
    record=_record_enterprise_change, labels=status.ENTERPRISE_STATUS_LABELS,
    reason_required={(frm, to, role) for (frm, to) in TRANSITIONS_NEEDING_REASON
                     for role in ENTERPRISE_TRANSITIONS[(frm, to)]},
    refuse_state=_refuse_enterprise_state, refuse_reason=_refuse_enterprise_reason, after=_reindex_enterprise,
)


def transition_enterprise(enterprise: Enterprise, new_status: str, *, actor: User, role: str,
                          reason: str | None = None) -> None:
    """The one place an enterprise's status changes (through the ``ENTERPRISES``
    machine); the caller commits.

    ``role`` is what the actor acts as (``roles.PROGRAMME_STAFF``, or
    ``roles.ENTERPRISE_MEMBER`` for an owner), already checked by the caller. Refuses
    changes the workflow does not allow from the current status.
    """
    old = enterprise.status
    values: dict = {}
    if new_status == status.ENTERPRISE_APPROVED and old == status.ENTERPRISE_PENDING:
        values["approved_at"] = utcnow()
    # The reason of a refusal stays visible until the next refusal; approval clears it.
    if new_status in (status.ENTERPRISE_REJECTED, status.ENTERPRISE_SUSPENDED):
        values["status_reason"] = (reason or "").strip()
    elif new_status == status.ENTERPRISE_APPROVED:
        values["status_reason"] = None
    sm.transition(ENTERPRISES, enterprise, new_status, actor=actor, role=role, reason=reason, values=values)


def set_track_stage(enterprise: Enterprise, stage: str, *, actor: User, note: str | None = None) -> None:
    """Move the enterprise to another track stage; the caller commits."""
    if stage not in status.TRACK_STAGES:
        message = _l("Choose one of the four stages.")
        raise ValidationFailed(message, fields={"stage": message})
    if stage == enterprise.track_stage:
        message = _l("The enterprise is already at this stage.")
        raise Conflict(message, fields={"stage": message})
    old = enterprise.track_stage
    enterprise.track_stage = stage
    _record(enterprise, EnterpriseEvent.KIND_STAGE, old, stage, actor, (note or "").strip()[:2000])


def enterprise_events(enterprise: Enterprise, *, kind: str | None = None, limit: int = 50) -> list[EnterpriseEvent]:
    stmt = (select(EnterpriseEvent).options(joinedload(EnterpriseEvent.actor))
            .where(EnterpriseEvent.enterprise_id == enterprise.id)
            .order_by(EnterpriseEvent.created_at.desc(), EnterpriseEvent.id.desc()).limit(limit))
    if kind:
        stmt = stmt.where(EnterpriseEvent.kind == kind)
    return list(db.session.scalars(stmt))


# ---------------------------------------------------------------- the seller home


def memberships_of(user: User, *, by_enterprise_id: bool = False) -> list[EnterpriseMember]:
    """The user's memberships, enterprise loaded, by enterprise name (or id)."""
    if by_enterprise_id:
        return list(db.session.scalars(memberships_by_enterprise_id(user)))
    return list(db.session.scalars(
        select(EnterpriseMember)
        .join(Enterprise, Enterprise.id == EnterpriseMember.enterprise_id)
        .options(joinedload(EnterpriseMember.enterprise))
        .where(EnterpriseMember.user_id == user.id)
        .order_by(Enterprise.name_th, Enterprise.id)
    ))


def enterprises_of(user: User):
    """The enterprises the user is a member of or, as a mentor, coaches, by id (the
    API's list)."""
    mine = select(EnterpriseMember.enterprise_id).where(EnterpriseMember.user_id == user.id)
    coached = select(MentorAssignment.enterprise_id).where(MentorAssignment.mentor_id == user.id)
    condition = Enterprise.id.in_(mine)
    if user.is_mentor:
        condition = condition | Enterprise.id.in_(coached)
    return select(Enterprise).where(condition).order_by(Enterprise.id)


def roles_in(user: User, enterprise_ids: list[int]) -> dict[int, str]:
    """The user's role in each of those enterprises: a member's role, else ``mentor``."""
    found = dict(db.session.execute(
        select(EnterpriseMember.enterprise_id, EnterpriseMember.role)
        .where(EnterpriseMember.user_id == user.id, EnterpriseMember.enterprise_id.in_(enterprise_ids))).all())
    return {enterprise_id: found.get(enterprise_id, roles.MENTOR) for enterprise_id in enterprise_ids}


def memberships_by_enterprise_id(user: User):
    """The user's memberships, enterprise loaded, by enterprise id (the API's list)."""
    return (
        select(EnterpriseMember).where(EnterpriseMember.user_id == user.id)
        .options(joinedload(EnterpriseMember.enterprise))
        .order_by(EnterpriseMember.enterprise_id, EnterpriseMember.id)
    )


def single_approved_enterprise(memberships: Sequence[EnterpriseMember]) -> Enterprise | None:
    """The enterprise to open at once: the only one the user belongs to, if approved."""
    if len(memberships) == 1 and memberships[0].enterprise.is_approved:
        return memberships[0].enterprise
    return None


@dataclass(frozen=True)
class DashboardSummary:
    live: int
    pending_review: int
    drafts: int
    paused: int
    low_stock: int
    photos: int


def dashboard_summary(enterprise: Enterprise) -> DashboardSummary:
    counts = dict(db.session.execute(
        select(Product.status, func.count(Product.id))
        .where(Product.enterprise_id == enterprise.id).group_by(Product.status)
    ).all())
    low_stock = db.session.scalar(
        select(func.count(Variant.id))
        .join(Product, Product.id == Variant.product_id)
        .where(
            Variant.enterprise_id == enterprise.id,
            Variant.is_active.is_(True),
            Product.status.in_((status.LIVE, status.PAUSED, status.PENDING_REVIEW)),
            Variant.stock <= Variant.low_stock_threshold,
        )
    ) or 0
    photos = db.session.scalar(
        select(func.count(EnterprisePhoto.id)).where(EnterprisePhoto.enterprise_id == enterprise.id)
    ) or 0
    return DashboardSummary(
        live=counts.get(status.LIVE, 0), pending_review=counts.get(status.PENDING_REVIEW, 0),
        drafts=counts.get(status.DRAFT, 0), paused=counts.get(status.PAUSED, 0), low_stock=low_stock,
        photos=photos,
    )


def latest_stage_note(enterprise: Enterprise) -> EnterpriseEvent | None:
    events = enterprise_events(enterprise, kind=EnterpriseEvent.KIND_STAGE, limit=1)
    return events[0] if events else None


# ---------------------------------------------------------------- photos


def _photos(enterprise: Enterprise) -> list[EnterprisePhoto]:
    return list(db.session.scalars(
        select(EnterprisePhoto).where(EnterprisePhoto.enterprise_id == enterprise.id)
        .order_by(EnterprisePhoto.position, EnterprisePhoto.id)
    ))


def _renumber(photos: list[EnterprisePhoto]) -> None:
    for position, photo in enumerate(photos):
        photo.position = position


def add_photos(user: User, enterprise: Enterprise, uploads: Sequence[bytes]) -> list[EnterprisePhoto]:
    """Store each uploaded photo (all or none) and add them after the existing ones."""
    _require_member(user, enterprise)
    uploads = [data for data in uploads if data]
    if not uploads:
        message = _l("Choose one or more photos to upload.")
        raise ValidationFailed(message, fields={"photos": message})
    existing = _photos(enterprise)
    if len(existing) + len(uploads) > MAX_ENTERPRISE_PHOTOS:
        message = _l("An enterprise can show at most %(n)d photos. Delete some first.", n=MAX_ENTERPRISE_PHOTOS)
        raise ValidationFailed(message, fields={"photos": message})
    stored = []
    try:
        for data in uploads:
            stored.append(process_upload(data, folder=PHOTO_FOLDER))
    except DomainError as exc:
        for image in stored:
            delete_image(PHOTO_FOLDER, image.image_key)
        raise ValidationFailed(exc.message, fields={"photos": exc.message}) from None
    except BaseException:
        for image in stored:
            delete_image(PHOTO_FOLDER, image.image_key)
        raise
    added = [
        EnterprisePhoto(enterprise_id=enterprise.id, image_key=image.image_key, width=image.width,
                        height=image.height, position=len(existing) + i)
        for i, image in enumerate(stored)
    ]
    try:
        with transaction():
            db.session.add_all(added)
            _renumber(existing + added)
    except BaseException:
        for image in stored:  # the transaction rolled back: no row names these files
            delete_image(PHOTO_FOLDER, image.image_key)
        raise
    return added


def _photo_index(photos: list[EnterprisePhoto], photo_id: int) -> int:
    for index, photo in enumerate(photos):
        if photo.id == photo_id:
            return index
    raise NotFound()  # not a photo of this enterprise


PHOTO_MOVES = ("up", "down", "cover")


def move_photo(user: User, enterprise: Enterprise, photo_id: int, move: str) -> None:
    """Move a photo one place up or down, or to the front (the cover)."""
    _require_member(user, enterprise)
    photos = _photos(enterprise)
    index = _photo_index(photos, photo_id)
    if move not in PHOTO_MOVES:
        raise ValidationFailed(_l("Unknown photo action."))
    photo = photos.pop(index)
    target = {"up": max(index - 1, 0), "down": min(index + 1, len(photos)), "cover": 0}[move]
    photos.insert(target, photo)
    with transaction():
        _renumber(photos)


def delete_photo(user: User, enterprise: Enterprise, photo_id: int) -> None:
    _require_member(user, enterprise)
    photos = _photos(enterprise)
    photo = photos.pop(_photo_index(photos, photo_id))
    image_key = photo.image_key
    with transaction():
        db.session.delete(photo)
        _renumber(photos)
    # Files go only once the row is gone: a failed commit leaves the photo whole.
    delete_image(PHOTO_FOLDER, image_key)


def photos_of(enterprise: Enterprise) -> list[EnterprisePhoto]:
    return _photos(enterprise)


# ---------------------------------------------------------------- members


def members_of(enterprise: Enterprise) -> list[EnterpriseMember]:
    return list(db.session.scalars(
        select(EnterpriseMember).options(joinedload(EnterpriseMember.user))
        .where(EnterpriseMember.enterprise_id == enterprise.id)
        .order_by(EnterpriseMember.role.desc(), EnterpriseMember.id)  # owners first
    ))


def open_invitations(enterprise: Enterprise) -> list[EnterpriseInvitation]:
    return list(db.session.scalars(
        select(EnterpriseInvitation)
        .where(
            EnterpriseInvitation.enterprise_id == enterprise.id,
            EnterpriseInvitation.accepted_at.is_(None),
            EnterpriseInvitation.revoked_at.is_(None),
            EnterpriseInvitation.expires_at > utcnow(),
        )
        .order_by(EnterpriseInvitation.created_at.desc())
    ))


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class SentInvitation:
    invitation: EnterpriseInvitation
    token: str  # only ever in the e-mail (and returned here for tests and the API)


def invite_member(user: User, enterprise: Enterprise, *, email: str, role: str) -> SentInvitation:
    """Invite someone by e-mail (owners only). A new invitation to the same address
    replaces an open one, so "invite again" also resends."""
    _require_member(user, enterprise, owner=True)
    try:
        email = check_email(email)
    except ValidationFailed as exc:
        raise ValidationFailed(exc.message, fields={"email": exc.message}) from None
    if role not in status.MEMBER_ROLES:
        message = _l("Choose owner or staff.")
        raise ValidationFailed(message, fields={"role": message})
    already = db.session.scalar(
        select(EnterpriseMember.id).join(User, User.id == EnterpriseMember.user_id)
        .where(EnterpriseMember.enterprise_id == enterprise.id, func.lower(User.email) == email)
    )
    if already is not None:
        message = _l("%(email)s is already a member of this enterprise.", email=email)
        raise Conflict(message, fields={"email": message})
    now = utcnow()
    previous = [inv for inv in open_invitations(enterprise) if inv.email == email]
    if len(open_invitations(enterprise)) - len(previous) >= MAX_OPEN_INVITATIONS:
        raise Conflict(_l("There are too many open invitations. Withdraw some before inviting more."))
    token = secrets.token_urlsafe(32)
    with transaction():
        for invitation in previous:
            invitation.revoked_at = now
        invitation = EnterpriseInvitation(
            enterprise_id=enterprise.id, email=email, role=role, token_hash=hash_token(token),
            invited_by_id=user.id, expires_at=now + INVITATION_LIFETIME,
        )
        db.session.add(invitation)
        invitee = db.session.scalar(select(User).where(func.lower(User.email) == email))
        queue_email(
            to=email, kind="seller_invitation", template="seller_invitation",
            locale=(invitee.locale if invitee else None) or user.locale or "th",
            enterprise=enterprise, inviter=user, role=role,
            link=_public_url("sellers.invitation", token=token), days=INVITATION_LIFETIME.days,
        )
    return SentInvitation(invitation=invitation, token=token)


def revoke_invitation(user: User, enterprise: Enterprise, invitation_id: int) -> None:
    _require_member(user, enterprise, owner=True)
    invitation = db.session.scalar(select(EnterpriseInvitation).where(
        EnterpriseInvitation.id == invitation_id, EnterpriseInvitation.enterprise_id == enterprise.id))
    if invitation is None:
        raise NotFound()
    if invitation.accepted_at is None and invitation.revoked_at is None:
        with transaction():
            invitation.revoked_at = utcnow()


def invitation_for_token(token: str) -> EnterpriseInvitation:
    """The invitation the link names, or InvitationInvalid / Expired / Used."""
    if not token or len(token) > 128:
        raise InvitationInvalid()
    invitation = db.session.scalar(
        select(EnterpriseInvitation).options(joinedload(EnterpriseInvitation.enterprise))
        .where(EnterpriseInvitation.token_hash == hash_token(token))
    )
    if invitation is None:
        raise InvitationInvalid()
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise InvitationUsed()
    if invitation.expires_at <= utcnow():
        raise InvitationExpired()
    return invitation


class WrongAccount(PermissionDenied):
    code = "invitation_other_account"


def accept_invitation(user: User, token: str) -> EnterpriseMember:
    """Join the enterprise as the invited role. The signed-in account must have the
    invited address; the invitation works once."""
    invitation = invitation_for_token(token)
    if (user.email or "").lower() != invitation.email:
        raise WrongAccount(_l("This invitation was sent to %(email)s. Sign in with that address to accept it.",
                              email=invitation.email))
    # Claim the invitation with a conditional update: of two simultaneous accepts
    # only one changes the row.
    now = utcnow()
    try:
        with transaction():
            claimed = db.session.execute(
                update(EnterpriseInvitation)
                .where(EnterpriseInvitation.id == invitation.id, EnterpriseInvitation.accepted_at.is_(None),
                       EnterpriseInvitation.revoked_at.is_(None))
                .values(accepted_at=now, accepted_by_id=user.id)
                .execution_options(synchronize_session=False)
            ).rowcount
            if claimed != 1:
                raise InvitationUsed()
            membership = find_membership(user, invitation.enterprise_id)
            if membership is None:
                membership = EnterpriseMember(enterprise_id=invitation.enterprise_id, user_id=user.id,
                                              role=invitation.role)
                db.session.add(membership)
            db.session.flush()
    except IntegrityError:
        raise InvitationUsed() from None
    db.session.refresh(membership)
    return membership


def _lock_enterprise(enterprise: Enterprise) -> None:
    """Serialise membership changes of one enterprise (PostgreSQL row lock; SQLite
    writers are already serialised by BEGIN IMMEDIATE), so two owners removing each
    other at once cannot leave it with none."""
    db.session.execute(select(Enterprise.id).where(Enterprise.id == enterprise.id).with_for_update())


def _member_in(enterprise: Enterprise, member_id: int) -> EnterpriseMember:
    member = db.session.scalar(select(EnterpriseMember).where(
        EnterpriseMember.id == member_id, EnterpriseMember.enterprise_id == enterprise.id))
    if member is None:
        raise NotFound()
    return member


def _owner_count(enterprise: Enterprise) -> int:
    return db.session.scalar(select(func.count(EnterpriseMember.id)).where(
        EnterpriseMember.enterprise_id == enterprise.id, EnterpriseMember.role == status.MEMBER_OWNER)) or 0


LAST_OWNER = _l("An enterprise needs at least one owner. Make someone else an owner first.")


def remove_member(user: User, enterprise: Enterprise, member_id: int) -> None:
    """Remove a member (owners only); they lose access on their next request."""
    _require_member(user, enterprise, owner=True)
    with transaction():
        _lock_enterprise(enterprise)
        member = _member_in(enterprise, member_id)
        if member.role == status.MEMBER_OWNER and _owner_count(enterprise) <= 1:
            raise Conflict(LAST_OWNER)
        db.session.delete(member)


def change_member_role(user: User, enterprise: Enterprise, member_id: int, role: str) -> EnterpriseMember:
    _require_member(user, enterprise, owner=True)
    if role not in status.MEMBER_ROLES:
        raise ValidationFailed(_l("Choose owner or staff."))
    with transaction():
        _lock_enterprise(enterprise)
        member = _member_in(enterprise, member_id)
        if member.role == status.MEMBER_OWNER and role != status.MEMBER_OWNER and _owner_count(enterprise) <= 1:
            raise Conflict(LAST_OWNER)
        member.role = role
    return member


# ---------------------------------------------------------------- staff corrections


def correct_registration_no(enterprise: Enterprise, value: str) -> None:
    """Staff correct a mistyped registration number; the caller checks staff and commits."""
    enterprise.registration_no = check_registration_no(value, exclude_id=enterprise.id)

