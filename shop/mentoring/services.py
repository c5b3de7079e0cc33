"""Mentors and coaching (docs/product.md: Programmes and mentors).

Staff make a user a mentor of a partner organisation and assign mentors to
enterprises (``MentorAssignment``, catalog's table: the seller pages' access rule
reads it). A mentor's home lists their enterprises with stage, checklist progress,
the last 30 days' sales and open problems. Mentors and staff write coaching notes
and visit records with next steps; the enterprise's members tick the steps done.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from shop import roles
from shop.accounts.models import User
from shop.catalog import status as catalog_status
from shop.catalog.access import is_assigned_mentor, require_membership
from shop.catalog.models import (
    Enterprise,
    EnterpriseMember,
    Mentor,
    MentorAssignment,
    PartnerOrganisation,
    Product,
    Programme,
    Variant,
)
from shop.database import transaction
from shop.dbtypes import utcnow
from shop.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shop.extensions import db
from shop.mentoring.models import KIND_VISIT, KINDS, CoachingNote, NextStep
from shop.notifications.services import queue_email
from shop.orders import services as order_services
from shop.orders import status as st
from shop.orders.models import Fulfilment, Order
from shop.text import checked_text
from shop.track import services as track

BANGKOK = ZoneInfo("Asia/Bangkok")
#: A paid part not shipped this many days after payment is late.
LATE_TO_SHIP_DAYS = 3
SALES_DAYS = 30
MAX_BODY = 5000
MAX_TOPICS = 300
MAX_STEP = 300
MAX_STEPS = 10
NOTES_SHOWN = 50


def _refuse(field_name: str, message) -> ValidationFailed:
    return ValidationFailed(message, fields={field_name: message})


def _require_staff(actor: User) -> None:
    if not getattr(actor, "is_staff", False):
        raise PermissionDenied()


def bangkok_today() -> date:
    return utcnow().astimezone(BANGKOK).date()


# ---------------------------------------------------------------- mentors and assignments


def partner_organisations() -> list[PartnerOrganisation]:
    return list(db.session.scalars(select(PartnerOrganisation).order_by(PartnerOrganisation.name_th,
                                                                        PartnerOrganisation.id)))


def programmes() -> list[Programme]:
    return list(db.session.scalars(select(Programme).order_by(Programme.name_th, Programme.id)))


def mentors() -> list[tuple[User, Mentor | None, list[MentorAssignment]]]:
    """Every mentor with their organisation and assignments, by name."""
    users = list(db.session.scalars(select(User).where(User.is_mentor.is_(True)).order_by(User.display_name, User.id)))
    profiles = {m.user_id: m for m in db.session.scalars(
        select(Mentor).options(joinedload(Mentor.partner)).where(Mentor.user_id.in_([u.id for u in users])))}
    by_mentor: dict[int, list[MentorAssignment]] = {}
    for assignment in db.session.scalars(
            select(MentorAssignment).options(joinedload(MentorAssignment.enterprise))
            .order_by(MentorAssignment.id)):
        by_mentor.setdefault(assignment.mentor_id, []).append(assignment)
    return [(user, profiles.get(user.id), by_mentor.get(user.id, [])) for user in users]


def _partner(partner_id) -> PartnerOrganisation | None:
    if partner_id in (None, "", "0", 0):
        return None
    try:
        partner = db.session.get(PartnerOrganisation, int(partner_id))
    except (TypeError, ValueError):
        partner = None
    if partner is None:
        raise _refuse("partner_id", _l("Choose a partner organisation from the list."))
    return partner


def make_mentor(actor: User, email: str | None, partner_id=None) -> User:
    """Make the account with that e-mail a mentor of the partner organisation (or
    change the organisation of one who is a mentor already)."""
    _require_staff(actor)
    address = checked_text(email, field="email").strip().lower()
    if not address:
        raise _refuse("email", _l("Enter the e-mail address of the mentor's account."))
    with transaction():
        user = db.session.scalar(select(User).where(User.email == address))
        if user is None:
            raise _refuse("email", _l("No account uses this e-mail address. Ask the mentor to register first."))
        if user.is_staff:
            raise _refuse("email", _l("This is a staff account: staff see every enterprise already."))
        partner = _partner(partner_id)
        user.is_mentor = True
        profile = db.session.get(Mentor, user.id)
        if profile is None:
            db.session.add(Mentor(user_id=user.id, partner_id=partner.id if partner else None))
        else:
            profile.partner_id = partner.id if partner else None
    return user


def assign(actor: User, enterprise_id: int, mentor_id, programme_id=None) -> MentorAssignment:
    """Staff assign a mentor to coach the enterprise."""
    _require_staff(actor)
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise NotFound()
    try:
        mentor = db.session.get(User, int(mentor_id))
    except (TypeError, ValueError):
        mentor = None
    if mentor is None or not mentor.is_mentor:
        raise _refuse("mentor_id", _l("Choose a mentor from the list."))
    programme = None
    if programme_id not in (None, "", "0", 0):
        try:
            programme = db.session.get(Programme, int(programme_id))
        except (TypeError, ValueError):
            programme = None
        if programme is None:
            raise _refuse("programme_id", _l("Choose a programme from the list."))
    try:
        with transaction():
            assignment = MentorAssignment(mentor_id=mentor.id, enterprise_id=enterprise.id,
                                          programme_id=programme.id if programme else None, assigned_by_id=actor.id)
            db.session.add(assignment)
            db.session.flush()
    except IntegrityError:
        raise Conflict(_l("This mentor already coaches this enterprise."),
                       fields={"mentor_id": _l("This mentor already coaches this enterprise.")}) from None
    return assignment


def end_assignment(actor: User, assignment_id: int) -> int:
    """Staff end an assignment; the mentor loses access at once. The enterprise's id."""
    _require_staff(actor)
    with transaction():
        assignment = db.session.get(MentorAssignment, assignment_id)
        if assignment is None:
            raise NotFound()
        enterprise_id = assignment.enterprise_id
        db.session.delete(assignment)
    return enterprise_id


def assignments_of(enterprise_id: int) -> list[MentorAssignment]:
    return list(db.session.scalars(
        select(MentorAssignment).options(joinedload(MentorAssignment.mentor), joinedload(MentorAssignment.programme))
        .where(MentorAssignment.enterprise_id == enterprise_id).order_by(MentorAssignment.id)))


def mentor_choices() -> list[tuple[int, str]]:
    return [(u.id, f"{u.display_name} ({u.email})") for u in db.session.scalars(
        select(User).where(User.is_mentor.is_(True)).order_by(User.display_name, User.id))]


# ---------------------------------------------------------------- the mentor's home


@dataclass
class MentorRow:
    enterprise: Enterprise
    programme: Programme | None
    sales_30d_satang: int = 0
    orders_30d: int = 0
    late_to_ship: int = 0
    below_cost: int = 0
    low_stock: int = 0
    open_steps: int = 0
    checklist: tuple[int, int] | None = None  # (done, total) at the current stage
    extra: dict = field(default_factory=dict)

    @property
    def problems(self) -> int:
        return self.late_to_ship + self.below_cost + self.low_stock


def _grouped(stmt) -> dict[int, int]:
    return {int(key): int(value or 0) for key, value in db.session.execute(stmt).all()}


def mentor_rows(mentor: User, *, now: datetime | None = None) -> list[MentorRow]:
    """The mentor's enterprises, by name, with their figures (a few grouped queries
    for all of them, whatever their number)."""
    assignments = list(db.session.scalars(
        select(MentorAssignment).options(joinedload(MentorAssignment.enterprise), joinedload(MentorAssignment.programme))
        .where(MentorAssignment.mentor_id == mentor.id)))
    rows = {a.enterprise_id: MentorRow(enterprise=a.enterprise, programme=a.programme) for a in assignments}
    ids = list(rows)
    if not ids:
        return []
    now = now or utcnow()
    since = now - timedelta(days=SALES_DAYS)
    sale = (Fulfilment.enterprise_id.in_(ids), Order.paid_at.is_not(None), Order.paid_at >= since,
            Fulfilment.status != st.FULFILMENT_CANCELLED)
    for key, total, count in db.session.execute(
            select(Fulfilment.enterprise_id, func.sum(Fulfilment.total_satang - Fulfilment.refunded_satang),
                   func.count(Fulfilment.id))
            .join(Order, Order.id == Fulfilment.order_id).where(*sale).group_by(Fulfilment.enterprise_id)).all():
        rows[key].sales_30d_satang = max(0, int(total or 0))
        rows[key].orders_30d = int(count or 0)
    late_before = now - timedelta(days=LATE_TO_SHIP_DAYS)
    for key, count in _grouped(
            select(Fulfilment.enterprise_id, func.count(Fulfilment.id)).join(Order, Order.id == Fulfilment.order_id)
            .where(Fulfilment.enterprise_id.in_(ids), Fulfilment.status.in_(st.FULFILMENT_OPEN),
                   func.coalesce(Order.paid_at, Order.created_at) < late_before,
                   Order.status.in_(order_services.CONFIRMED_STATES))
            .group_by(Fulfilment.enterprise_id)).items():
        rows[key].late_to_ship = count
    on_sale = (Variant.enterprise_id.in_(ids), Variant.is_active.is_(True), Product.status == catalog_status.LIVE)
    for key, count in _grouped(
            select(Variant.enterprise_id, func.count(Variant.id)).join(Product, Product.id == Variant.product_id)
            .where(*on_sale, Variant.stock <= Variant.low_stock_threshold).group_by(Variant.enterprise_id)).items():
        rows[key].low_stock = count
    cost = (func.coalesce(Variant.cost_materials_satang, 0) + func.coalesce(Variant.cost_packaging_satang, 0)
            + func.coalesce(Variant.cost_labour_satang, 0) + func.coalesce(Variant.cost_overhead_satang, 0))
    for key, count in _grouped(
            select(Variant.enterprise_id, func.count(Variant.id)).join(Product, Product.id == Variant.product_id)
            .where(*on_sale, Variant.price_satang < cost).group_by(Variant.enterprise_id)).items():
        rows[key].below_cost = count
    for key, count in _grouped(
            select(NextStep.enterprise_id, func.count(NextStep.id))
            .where(NextStep.enterprise_id.in_(ids), NextStep.done_at.is_(None))
            .group_by(NextStep.enterprise_id)).items():
        rows[key].open_steps = count
    checklists = track.progress_of([row.enterprise for row in rows.values()])
    for enterprise_id, row in rows.items():
        row.checklist = checklists[enterprise_id]
    return sorted(rows.values(), key=lambda r: (r.enterprise.name_th, r.enterprise.id))


# ---------------------------------------------------------------- notes and next steps


def coaching_enterprise(user: User, enterprise_id: int) -> Enterprise:
    """The enterprise a mentor (assigned) or staff coaches from the mentor pages; 404
    for anyone else, as for an enterprise that does not exist."""
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise NotFound()
    if getattr(user, "is_staff", False) or is_assigned_mentor(user, enterprise_id):
        return enterprise
    raise NotFound()


def notes_of(enterprise_id: int, *, limit: int = NOTES_SHOWN) -> list[CoachingNote]:
    return list(db.session.scalars(
        select(CoachingNote).options(joinedload(CoachingNote.author), selectinload(CoachingNote.steps))
        .where(CoachingNote.enterprise_id == enterprise_id)
        .order_by(CoachingNote.created_at.desc(), CoachingNote.id.desc()).limit(limit)))


def open_steps(enterprise_id: int) -> list[NextStep]:
    return list(db.session.scalars(
        select(NextStep).where(NextStep.enterprise_id == enterprise_id, NextStep.done_at.is_(None))
        .order_by(NextStep.due_on.is_(None), NextStep.due_on, NextStep.id)))


def _parse_day(value, field_name: str, *, required: bool) -> date | None:
    text = (value or "").strip() if isinstance(value, str) else value
    if not text:
        if required:
            raise _refuse(field_name, _l("Enter the date."))
        return None
    if isinstance(text, date):
        return text
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _refuse(field_name, _l("Enter the date as YYYY-MM-DD.")) from None


@dataclass(frozen=True)
class StepInput:
    text: str | None
    due_on: str | date | None = None


def write_note(actor: User, enterprise_id: int, *, kind: str, body: str | None, topics: str | None = None,
               visited_on=None, steps: Sequence[StepInput] = ()) -> CoachingNote:
    """A mentor of the enterprise (or staff) records a note or a visit, with next
    steps; the enterprise's owners are told by e-mail. Nothing is written when a field
    is refused."""
    enterprise = coaching_enterprise(actor, enterprise_id)
    if kind not in KINDS:
        raise _refuse("kind", _l("Choose a note or a visit."))
    text = checked_text(body, field="body", multi_line=True).strip()
    if not text:
        raise _refuse("body", _l("Write what you saw and advised."))
    if len(text) > MAX_BODY:
        raise _refuse("body", _l("Use at most %(max)d characters.", max=MAX_BODY))
    topic_text = checked_text(topics, field="topics").strip() or None
    if topic_text and len(topic_text) > MAX_TOPICS:
        raise _refuse("topics", _l("Use at most %(max)d characters.", max=MAX_TOPICS))
    day = _parse_day(visited_on, "visited_on", required=kind == KIND_VISIT) if kind == KIND_VISIT else None
    today = bangkok_today()
    if day is not None and day > today:
        raise _refuse("visited_on", _l("A visit cannot be in the future."))
    if day is not None and day < today - timedelta(days=366):
        raise _refuse("visited_on", _l("Record visits of the past year only."))
    clean_steps = []
    for index, step in enumerate(steps):
        step_text = checked_text(step.text, field=f"steps_{index}_text").strip()
        due = _parse_day(step.due_on, f"steps_{index}_due_on", required=False)
        if not step_text:
            if due is not None:
                raise _refuse(f"steps_{index}_text", _l("Say what is to be done by this date."))
            continue
        if len(step_text) > MAX_STEP:
            raise _refuse(f"steps_{index}_text", _l("Use at most %(max)d characters.", max=MAX_STEP))
        if due is not None and not today <= due <= today + timedelta(days=366):
            raise _refuse(f"steps_{index}_due_on", _l("Choose a due date from today to a year ahead."))
        clean_steps.append((step_text, due))
    if len(clean_steps) > MAX_STEPS:
        raise _refuse("steps", _l("At most %(max)d next steps per note.", max=MAX_STEPS))
    role = roles.PROGRAMME_STAFF if actor.is_staff else roles.MENTOR
    with transaction():
        note = CoachingNote(enterprise_id=enterprise.id, author_id=actor.id, author_role=role, kind=kind,
                            visited_on=day, topics=topic_text, body=text)
        db.session.add(note)
        db.session.flush()
        for step_text, due in clean_steps:
            db.session.add(NextStep(note_id=note.id, enterprise_id=enterprise.id, text=step_text, due_on=due))
        db.session.flush()
        _tell_owners(enterprise, note, len(clean_steps))
    return note


def _tell_owners(enterprise: Enterprise, note: CoachingNote, steps: int) -> None:
    rows = db.session.execute(
        select(User.email, User.locale).join(EnterpriseMember, EnterpriseMember.user_id == User.id)
        .where(EnterpriseMember.enterprise_id == enterprise.id, EnterpriseMember.role == catalog_status.MEMBER_OWNER)
        .order_by(User.id)).all()
    link = url_for("mentoring.seller_notes", enterprise_id=enterprise.id, _external=True)
    for email, locale in rows:
        queue_email(to=email, kind="coaching_note", template="coaching_note", locale=locale or "th",
                    enterprise=enterprise, coaching=note, steps=steps, link=link)


def _step_of(enterprise_id: int, step_id: int) -> NextStep:
    step = db.session.get(NextStep, step_id)
    if step is None or step.enterprise_id != enterprise_id:
        raise NotFound()
    return step


def set_step_done(user: User, enterprise_id: int, step_id: int, done: bool) -> NextStep:
    """A member of the enterprise ticks a next step done (or not done after all)."""
    if not isinstance(require_membership(user, enterprise_id), EnterpriseMember):
        raise PermissionDenied()  # a mentor reads the steps; the enterprise ticks them
    with transaction():
        step = _step_of(enterprise_id, step_id)
        if done and step.done_at is not None or not done and step.done_at is None:
            raise Conflict(_l("This step was already marked so; nothing was changed."))
        step.done_at = utcnow() if done else None
        step.done_by_id = user.id if done else None
    return step

