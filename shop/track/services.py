"""Use cases of the expansion track's checklists (docs/product.md: Expansion track).

* ``checklist(enterprise)``: every stage with its items, each done or not, automatic
  or ticked, with its evidence and where the enterprise fixes it;
  ``progress(enterprise)``: (done, total) for its current stage; ``ready_to_move``:
  every item of the current stage done.
* ``tick`` / ``untick``: programme staff or a mentor assigned to the enterprise mark a
  manual item done (a note, an optional photo) or not done any more (a reason). Others
  get 403 (a member of the enterprise) or 404 (anyone else: ids reveal nothing).
* The checklist itself (``add_item``, ``rename_item``, ``move_item``, ``retire_item``,
  ``restore_item``): staff only. Automatic items keep their rule.
* ``overview``: approved enterprises by stage with their progress, for staff.

Automatic items are evaluated by ``shop.track.rules`` on every read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app, has_request_context, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from shop import storage
from shop.accounts.models import User
from shop.catalog import status
from shop.catalog.access import enterprise_membership, is_assigned_mentor
from shop.catalog.images import delete_image, process_upload
from shop.catalog.models import Enterprise
from shop.catalog.services import STAGE_DESCRIPTIONS, STAGE_LABELS
from shop.database import transaction
from shop.dbtypes import utcnow
from shop.errors import Conflict, DomainError, NotFound, PermissionDenied, ValidationFailed
from shop.extensions import db
from shop.i18n import current_language
from shop.track import rules
from shop.track.defaults import DEFAULT_ITEMS
from shop.track.models import ChecklistItem, ChecklistTick

EVIDENCE_FOLDER = "private/track-evidence"
MAX_NOTE = 2000
MAX_LABEL = 200


# ---------------------------------------------------------------- the items


def ensure_checklist() -> None:
    """Write the default checklist into a database that has no item at all (the
    migration wrote it everywhere else). Safe to call on every read: one cheap query."""
    if db.session.scalar(select(ChecklistItem.id).limit(1)) is not None:
        return
    with transaction():
        positions: dict[str, int] = {}
        for stage, rule, label_th, label_en in DEFAULT_ITEMS:
            positions[stage] = positions.get(stage, -1) + 1
            db.session.add(ChecklistItem(stage=stage, rule=rule, label_th=label_th, label_en=label_en,
                                         position=positions[stage]))


def items(*, include_retired: bool = False) -> list[ChecklistItem]:
    """The checklist in stage order, then position."""
    ensure_checklist()
    stmt = select(ChecklistItem).order_by(ChecklistItem.position, ChecklistItem.id)
    if not include_retired:
        stmt = stmt.where(ChecklistItem.retired_at.is_(None))
    found = list(db.session.scalars(stmt))
    order = {stage: i for i, stage in enumerate(status.TRACK_STAGES)}
    return sorted(found, key=lambda item: (order.get(item.stage, 99), item.position, item.id))


# ---------------------------------------------------------------- reading a checklist


@dataclass
class ItemView:
    id: int
    key: str  # the rule key, or ``item-<id>`` for a manual item
    label: str
    done: bool
    auto: bool
    evidence: ChecklistTick | None = None  # the open tick of a manual item
    fix_url: str | None = None
    detail: str | None = None


@dataclass
class StageSection:
    stage: str
    label: str
    description: str
    state: str  # done | current | todo (against the enterprise's stage)
    items: list[ItemView] = field(default_factory=list)

    @property
    def done_count(self) -> int:
        return sum(1 for item in self.items if item.done)

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def left(self) -> list[ItemView]:
        return [item for item in self.items if not item.done]

    @property
    def complete(self) -> bool:
        return all(item.done for item in self.items)


def _fix_url(fix: rules.Fix | None, enterprise: Enterprise) -> str | None:
    if fix is None or fix.endpoint not in current_app.view_functions:
        return None
    if has_request_context():
        return url_for(fix.endpoint, enterprise_id=enterprise.id, **fix.values, _anchor=fix.anchor)
    # Outside a request (a command, a test): the path alone.
    path = current_app.url_map.bind("localhost").build(fix.endpoint, {"enterprise_id": enterprise.id, **fix.values})
    return f"{path}#{fix.anchor}" if fix.anchor else path


def _open_ticks(enterprise_ids: list[int]) -> dict[tuple[int, int], ChecklistTick]:
    if not enterprise_ids:
        return {}
    ticks = db.session.scalars(
        select(ChecklistTick).options(selectinload(ChecklistTick.ticked_by))
        .where(ChecklistTick.enterprise_id.in_(enterprise_ids), ChecklistTick.unticked_at.is_(None))
        .order_by(ChecklistTick.ticked_at, ChecklistTick.id)
    )
    return {(t.enterprise_id, t.item_id): t for t in ticks}


def _sections(enterprises: list[Enterprise], *, stages: set[str] | None = None,
              with_urls: bool = True) -> dict[int, list[StageSection]]:
    """Each enterprise's stage sections (only ``stages`` when given)."""
    all_items = [item for item in items() if stages is None or item.stage in stages]
    results = rules.evaluate(enterprises, {item.rule for item in all_items if item.rule})
    ticks = _open_ticks([e.id for e in enterprises])
    locale = current_language()
    out: dict[int, list[StageSection]] = {}
    for enterprise in enterprises:
        current = (status.TRACK_STAGES.index(enterprise.track_stage)
                   if enterprise.track_stage in status.TRACK_STAGES else 0)
        sections = []
        for index, stage in enumerate(status.TRACK_STAGES):
            if stages is not None and stage not in stages:
                continue
            section = StageSection(
                stage=stage, label=str(STAGE_LABELS[stage]), description=str(STAGE_DESCRIPTIONS[stage]),
                state="done" if index < current else "current" if index == current else "todo")
            for item in all_items:
                if item.stage != stage:
                    continue
                if item.rule:
                    result = results[item.rule][enterprise.id]
                    section.items.append(ItemView(
                        id=item.id, key=item.rule, label=item.t("label", locale), done=result.done, auto=True,
                        fix_url=_fix_url(result.fix, enterprise) if with_urls and not result.done else None,
                        detail=None if result.done else result.detail))
                else:
                    tick = ticks.get((enterprise.id, item.id))
                    section.items.append(ItemView(
                        id=item.id, key=f"item-{item.id}", label=item.t("label", locale), done=tick is not None,
                        auto=False, evidence=tick))
            sections.append(section)
        out[enterprise.id] = sections
    return out


def checklist(enterprise: Enterprise) -> list[StageSection]:
    """Every stage of the track with its items, for ``enterprise``."""
    return _sections([enterprise])[enterprise.id]


def progress_of(enterprises: list[Enterprise]) -> dict[int, tuple[int, int]]:
    """(items done, items) of each enterprise's current stage: one evaluation of the
    rules per stage, whatever the number of enterprises."""
    out: dict[int, tuple[int, int]] = {}
    for code in status.TRACK_STAGES:
        group = [e for e in enterprises if e.track_stage == code]
        if group:
            sections = _sections(group, stages={code}, with_urls=False)
            out.update({e.id: (sections[e.id][0].done_count, sections[e.id][0].total) for e in group})
    return {e.id: out.get(e.id, (0, 0)) for e in enterprises}


def progress(enterprise: Enterprise) -> tuple[int, int]:
    """(items done, items) of the enterprise's current stage."""
    return progress_of([enterprise])[enterprise.id]


def ready_to_move(enterprise: Enterprise) -> bool:
    done, total = progress(enterprise)
    return done == total


@dataclass
class TrackCard:
    """What the enterprise's dashboard shows: its stage's items, the next stage's,
    and anything still open from earlier stages."""

    current: StageSection | None
    next: StageSection | None
    earlier_left: list[ItemView]

    @property
    def progress(self) -> tuple[int, int]:
        return (self.current.done_count, self.current.total) if self.current else (0, 0)


def track_card(enterprise: Enterprise) -> TrackCard:
    sections = checklist(enterprise)
    current = next((s for s in sections if s.state == "current"), None)
    upcoming = next((s for s in sections if s.state == "todo"), None)
    earlier = [item for s in sections if s.state == "done" for item in s.left]
    return TrackCard(current=current, next=upcoming, earlier_left=earlier)


# ---------------------------------------------------------------- staff's overview


@dataclass
class OverviewRow:
    enterprise: Enterprise
    done: int
    total: int

    @property
    def ready(self) -> bool:
        return self.done == self.total


OVERVIEW_LIMIT = 500


def overview(stage: str | None = None, *, ready_only: bool = False) -> list[OverviewRow]:
    """Approved enterprises (of ``stage`` when given) with their current stage's
    progress, by stage then name; ``ready_only`` keeps those with every item done."""
    if stage is not None and stage not in status.TRACK_STAGES:
        message = _l("Choose one of the four stages.")
        raise ValidationFailed(message, fields={"stage": message})
    stmt = (select(Enterprise).where(Enterprise.status == status.ENTERPRISE_APPROVED)
            .order_by(Enterprise.name_th, Enterprise.id).limit(OVERVIEW_LIMIT))
    if stage is not None:
        stmt = stmt.where(Enterprise.track_stage == stage)
    enterprises = list(db.session.scalars(stmt))
    done = progress_of(enterprises)
    rows = [OverviewRow(e, *done[e.id]) for code in status.TRACK_STAGES for e in enterprises
            if e.track_stage == code]
    if ready_only:
        rows = [row for row in rows if row.ready]
    return rows


def stage_counts() -> dict[str, int]:
    counts = dict(db.session.execute(
        select(Enterprise.track_stage, func.count(Enterprise.id))
        .where(Enterprise.status == status.ENTERPRISE_APPROVED).group_by(Enterprise.track_stage)).all())
    return {code: int(counts.get(code, 0)) for code in status.TRACK_STAGES}


# ---------------------------------------------------------------- who may act


def may_tick(user, enterprise_id: int) -> bool:
    """Programme staff, or a mentor assigned to the enterprise."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(user.is_staff) or is_assigned_mentor(user, enterprise_id)


def may_view(user, enterprise_id: int) -> bool:
    """Its members, programme staff and its mentors."""
    return may_tick(user, enterprise_id) or enterprise_membership(user, enterprise_id) is not None


def viewable_enterprise(user, enterprise_id: int) -> Enterprise:
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None or not may_view(user, enterprise_id):
        raise NotFound()
    return enterprise


def _require_ticker(actor, enterprise_id: int) -> Enterprise:
    enterprise = db.session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise NotFound()
    if may_tick(actor, enterprise_id):
        return enterprise
    if enterprise_membership(actor, enterprise_id) is not None:
        raise PermissionDenied(_l("Only programme staff or the enterprise's mentor can tick this item."))
    raise NotFound()


def _manual_item(item_id: int) -> ChecklistItem:
    item = db.session.get(ChecklistItem, item_id)
    if item is None:
        raise NotFound()
    if item.rule is not None:
        raise Conflict(_l("This item is checked from the enterprise's own data: it ticks itself."))
    if item.retired_at is not None:
        raise Conflict(_l("This item is no longer on the checklist."))
    return item


def _clean_required(text: str | None, field_name: str, missing_message) -> str:
    value = (text or "").strip()
    if not value:
        raise ValidationFailed(missing_message, fields={field_name: missing_message})
    if len(value) > MAX_NOTE:
        message = _l("Use at most %(max)d characters.", max=MAX_NOTE)
        raise ValidationFailed(message, fields={field_name: message})
    return value


def _lock_enterprise(enterprise_id: int) -> None:
    """Serialise ticks of one enterprise (PostgreSQL row lock; SQLite writers are
    already serialised by BEGIN IMMEDIATE), so two people ticking at once add one."""
    db.session.execute(select(Enterprise.id).where(Enterprise.id == enterprise_id).with_for_update())


# ---------------------------------------------------------------- tick and untick


def tick(actor: User, enterprise_id: int, item_id: int, note: str | None,
         photo_bytes: bytes | None = None) -> ChecklistTick:
    """Mark a manual item done for the enterprise, with a note and optionally a photo
    as evidence. Refused (nothing written) for an automatic, retired or already
    ticked item, an empty note or a photo the image pipeline refuses."""
    _require_ticker(actor, enterprise_id)
    item = _manual_item(item_id)
    note = _clean_required(note, "note", _l("Write what was done: the note is the evidence."))
    stored = None
    if photo_bytes:
        try:
            stored = process_upload(photo_bytes, folder=EVIDENCE_FOLDER)
        except DomainError as exc:
            raise ValidationFailed(exc.message, fields={"photo": exc.message}) from None
    try:
        with transaction():
            _lock_enterprise(enterprise_id)
            if db.session.scalar(select(ChecklistTick.id).where(
                    ChecklistTick.enterprise_id == enterprise_id, ChecklistTick.item_id == item.id,
                    ChecklistTick.unticked_at.is_(None))) is not None:
                raise Conflict(_l("This item is already ticked."))
            row = ChecklistTick(enterprise_id=enterprise_id, item_id=item.id, note=note,
                                photo_key=stored.image_key if stored else None, ticked_by_id=actor.id,
                                ticked_at=utcnow())
            db.session.add(row)
    except BaseException:
        if stored is not None:
            delete_image(EVIDENCE_FOLDER, stored.image_key)
        raise
    return row


def untick(actor: User, enterprise_id: int, item_id: int, reason: str | None) -> ChecklistTick:
    """Mark a ticked manual item not done any more, saying why; the tick and its
    evidence are kept with who unticked it, when and why."""
    _require_ticker(actor, enterprise_id)
    item = db.session.get(ChecklistItem, item_id)
    if item is None:
        raise NotFound()
    reason = _clean_required(reason, "reason", _l("Write why the item is no longer done."))
    with transaction():
        row = db.session.scalar(select(ChecklistTick).where(
            ChecklistTick.enterprise_id == enterprise_id, ChecklistTick.item_id == item.id,
            ChecklistTick.unticked_at.is_(None)))
        if row is None:
            raise Conflict(_l("This item is not ticked."))
        now = utcnow()
        # Conditional, so two people unticking at once get one success and one refusal.
        result = db.session.execute(
            update(ChecklistTick).where(ChecklistTick.id == row.id, ChecklistTick.unticked_at.is_(None))
            .values(unticked_at=now, unticked_by_id=actor.id, untick_reason=reason)
            .execution_options(synchronize_session=False))
        if result.rowcount != 1:
            raise Conflict(_l("This item is not ticked."))
        db.session.refresh(row)
    return row


def tick_history(enterprise_id: int, limit: int = 50) -> list[ChecklistTick]:
    """The enterprise's ticks and unticks, newest first."""
    return list(db.session.scalars(
        select(ChecklistTick).options(selectinload(ChecklistTick.item), selectinload(ChecklistTick.ticked_by),
                                      selectinload(ChecklistTick.unticked_by))
        .where(ChecklistTick.enterprise_id == enterprise_id)
        .order_by(ChecklistTick.ticked_at.desc(), ChecklistTick.id.desc()).limit(limit)))


def evidence_response(user, enterprise_id: int, tick_id: int, size: str):
    """The evidence photo as a private response, for the enterprise's members, staff
    and its mentors."""
    viewable_enterprise(user, enterprise_id)
    row = db.session.get(ChecklistTick, tick_id)
    if row is None or row.enterprise_id != enterprise_id or not row.photo_key or size not in storage.IMAGE_SIZES:
        raise NotFound()
    response = storage.file_response(storage.image_file_key(EVIDENCE_FOLDER, row.photo_key, size), private=True)
    if response is None:
        raise NotFound()
    return response


# ---------------------------------------------------------------- editing the checklist


def _require_staff(actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_staff:
        raise PermissionDenied()


def _labels(label_th: str | None, label_en: str | None) -> tuple[str, str | None]:
    th = (label_th or "").strip()
    en = (label_en or "").strip()
    problems = {}
    if not th:
        problems["label_th"] = _l("Enter the item's name in Thai.")
    for name, value in (("label_th", th), ("label_en", en)):
        if len(value) > MAX_LABEL:
            problems[name] = _l("Use at most %(max)d characters.", max=MAX_LABEL)
    if problems:
        raise ValidationFailed(_l("Please check the fields marked below."), fields=problems)
    return th, en or None


def _item(item_id: int) -> ChecklistItem:
    item = db.session.get(ChecklistItem, item_id)
    if item is None:
        raise NotFound()
    return item


def add_item(actor, stage: str | None, label_th: str | None, label_en: str | None) -> ChecklistItem:
    """A new manual item at the end of ``stage``."""
    _require_staff(actor)
    if stage not in status.TRACK_STAGES:
        message = _l("Choose one of the four stages.")
        raise ValidationFailed(message, fields={"stage": message})
    th, en = _labels(label_th, label_en)
    ensure_checklist()
    with transaction():
        last = db.session.scalar(select(func.max(ChecklistItem.position)).where(ChecklistItem.stage == stage))
        item = ChecklistItem(stage=stage, rule=None, label_th=th, label_en=en,
                             position=(last + 1) if last is not None else 0)
        db.session.add(item)
    return item


def rename_item(actor, item_id: int, label_th: str | None, label_en: str | None) -> ChecklistItem:
    _require_staff(actor)
    item = _item(item_id)
    th, en = _labels(label_th, label_en)
    with transaction():
        item.label_th, item.label_en = th, en
    return item


MOVES = ("up", "down")


def move_item(actor, item_id: int, direction: str | None) -> ChecklistItem:
    """Swap the item with its neighbour in its stage."""
    _require_staff(actor)
    if direction not in MOVES:
        raise ValidationFailed(_l("Choose up or down."))
    item = _item(item_id)
    with transaction():
        siblings = list(db.session.scalars(
            select(ChecklistItem).where(ChecklistItem.stage == item.stage)
            .order_by(ChecklistItem.position, ChecklistItem.id)))
        index = next(i for i, s in enumerate(siblings) if s.id == item.id)
        other = index - 1 if direction == "up" else index + 1
        if 0 <= other < len(siblings):
            siblings[index], siblings[other] = siblings[other], siblings[index]
        for position, sibling in enumerate(siblings):
            sibling.position = position
    return item


def retire_item(actor, item_id: int) -> ChecklistItem:
    """Take the item off the checklist; its ticks stay as history."""
    _require_staff(actor)
    item = _item(item_id)
    if item.retired_at is not None:
        raise Conflict(_l("This item is already retired."))
    with transaction():
        item.retired_at = utcnow()
    return item


def restore_item(actor, item_id: int) -> ChecklistItem:
    _require_staff(actor)
    item = _item(item_id)
    if item.retired_at is None:
        raise Conflict(_l("This item is on the checklist."))
    with transaction():
        item.retired_at = None
    return item
