"""Programmes and partner organisations (docs/product.md: Programmes): staff keep the
list of partners (companies acting as "Big Brother", government offices,
associations), the programmes they run and which enterprises each programme coaches.

Every use case takes the acting user (staff only), checks every field before writing
anything and writes in one transaction. A programme's slug is made from its English
name (else the Thai one, else ``programme``) when it is created and kept afterwards,
so links to it stay; two programmes may not share one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from shop.catalog.models import Enterprise, EnterpriseProgramme, PartnerOrganisation, Programme
from shop.database import transaction
from shop.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from shop.extensions import db
from shop.text import slugify

KIND_LABELS = {
    "company": _l("Company"),
    "government": _l("Government office"),
    "association": _l("Association"),
    "other": _l("Other"),
}
assert tuple(KIND_LABELS) == PartnerOrganisation.KINDS

MAX_NAME = 200
MAX_REGION = 200
MAX_DESCRIPTION = 5000


def _require_staff(actor) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.is_staff:
        raise PermissionDenied()


def kind_label(code: str) -> str:
    return str(KIND_LABELS.get(code, code))


def _text(value: str | None) -> str:
    return (value or "").strip()


def _check_lengths(problems: dict, values: dict[str, str], limits: dict[str, int]) -> None:
    for name, limit in limits.items():
        if len(values[name]) > limit:
            problems.setdefault(name, _l("Use at most %(max)d characters.", max=limit))


def parse_date(value: str | None, field_name: str) -> date | None:
    """``YYYY-MM-DD`` or nothing; anything else is refused with the format."""
    text = _text(value)
    if not text:
        return None
    try:
        if len(text) != 10:
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        message = _l("Enter the date as YYYY-MM-DD, e.g. 2026-03-15.")
        raise ValidationFailed(message, fields={field_name: message}) from None


# ---------------------------------------------------------------- partners


def partners() -> list[PartnerOrganisation]:
    return list(db.session.scalars(select(PartnerOrganisation).order_by(PartnerOrganisation.name_th,
                                                                       PartnerOrganisation.id)))


def get_partner(partner_id: int) -> PartnerOrganisation:
    partner = db.session.get(PartnerOrganisation, partner_id)
    if partner is None:
        raise NotFound()
    return partner


@dataclass(frozen=True)
class PartnerDetails:
    name_th: str = ""
    name_en: str = ""
    kind: str = "company"


def _check_partner(details: PartnerDetails) -> PartnerDetails:
    values = {"name_th": _text(details.name_th), "name_en": _text(details.name_en), "kind": _text(details.kind)}
    problems: dict = {}
    if not values["name_th"]:
        problems["name_th"] = _l("Enter the organisation's name in Thai.")
    _check_lengths(problems, values, {"name_th": MAX_NAME, "name_en": MAX_NAME})
    if values["kind"] not in PartnerOrganisation.KINDS:
        problems["kind"] = _l("Choose what kind of organisation it is.")
    if problems:
        raise ValidationFailed(_l("Please check the fields marked below."), fields=problems)
    return PartnerDetails(**values)


def save_partner(actor, partner_id: int | None, details: PartnerDetails) -> PartnerOrganisation:
    """Create a partner organisation (``partner_id`` None) or change one."""
    _require_staff(actor)
    partner = get_partner(partner_id) if partner_id is not None else None
    details = _check_partner(details)
    with transaction():
        if partner is None:
            partner = PartnerOrganisation()
            db.session.add(partner)
        partner.name_th = details.name_th
        partner.name_en = details.name_en or None
        partner.kind = details.kind
    return partner


# ---------------------------------------------------------------- programmes


def programmes() -> list[Programme]:
    return list(db.session.scalars(
        select(Programme).options(selectinload(Programme.partner), selectinload(Programme.enterprises))
        .order_by(Programme.name_th, Programme.id)))


def get_programme(programme_id: int) -> Programme:
    programme = db.session.get(Programme, programme_id)
    if programme is None:
        raise NotFound()
    return programme


@dataclass(frozen=True)
class ProgrammeDetails:
    name_th: str = ""
    name_en: str = ""
    partner_id: str = ""
    region_th: str = ""
    region_en: str = ""
    started_on: str = ""
    description_th: str = ""
    description_en: str = ""


@dataclass(frozen=True)
class _CleanProgramme:
    name_th: str
    name_en: str | None
    partner_id: int | None
    region_th: str | None
    region_en: str | None
    started_on: date | None
    description_th: str | None
    description_en: str | None


def _check_programme(details: ProgrammeDetails) -> _CleanProgramme:
    values = {name: _text(getattr(details, name)) for name in ProgrammeDetails.__dataclass_fields__}
    problems: dict = {}
    if not values["name_th"]:
        problems["name_th"] = _l("Enter the programme's name in Thai.")
    _check_lengths(problems, values, {"name_th": MAX_NAME, "name_en": MAX_NAME, "region_th": MAX_REGION,
                                      "region_en": MAX_REGION, "description_th": MAX_DESCRIPTION,
                                      "description_en": MAX_DESCRIPTION})
    partner_id = None
    if values["partner_id"]:
        try:
            partner_id = int(values["partner_id"])
        except ValueError:
            partner_id = -1
        if db.session.get(PartnerOrganisation, partner_id) is None:
            problems["partner_id"] = _l("Choose a partner organisation from the list.")
    started_on = None
    try:
        started_on = parse_date(values["started_on"], "started_on")
    except ValidationFailed as exc:
        problems.update(exc.fields)
    if problems:
        raise ValidationFailed(_l("Please check the fields marked below."), fields=problems)
    return _CleanProgramme(
        name_th=values["name_th"], name_en=values["name_en"] or None, partner_id=partner_id,
        region_th=values["region_th"] or None, region_en=values["region_en"] or None, started_on=started_on,
        description_th=values["description_th"] or None, description_en=values["description_en"] or None)


def _slug_for(clean: _CleanProgramme) -> str:
    return slugify(clean.name_en) or slugify(clean.name_th) or "programme"


def _name_taken() -> ValidationFailed:
    message = _l("A programme with this name already exists. Give this one another name.")
    return ValidationFailed(message, fields={"name_en": message, "name_th": message})


def save_programme(actor, programme_id: int | None, details: ProgrammeDetails) -> Programme:
    """Create a programme (``programme_id`` None) or change one."""
    _require_staff(actor)
    programme = get_programme(programme_id) if programme_id is not None else None
    clean = _check_programme(details)
    if programme is None:
        slug = _slug_for(clean)
        if slug == "programme":
            # A Thai-only name: number it so it stays unique without an English name.
            n = 1
            while db.session.scalar(select(Programme.id).where(Programme.slug == f"programme-{n}")) is not None:
                n += 1
            slug = f"programme-{n}"
        elif db.session.scalar(select(Programme.id).where(Programme.slug == slug)) is not None:
            raise _name_taken()
    try:
        with transaction():
            if programme is None:
                programme = Programme(slug=slug)
                db.session.add(programme)
            for name in _CleanProgramme.__dataclass_fields__:
                setattr(programme, name, getattr(clean, name))
    except IntegrityError:
        raise _name_taken() from None
    return programme


def add_enterprise(actor, programme_id: int, enterprise_id: str | int | None, joined_on: str | None) -> Programme:
    """Put an enterprise in the programme from ``joined_on`` (YYYY-MM-DD, optional)."""
    _require_staff(actor)
    programme = get_programme(programme_id)
    problems: dict = {}
    enterprise = None
    try:
        enterprise = db.session.get(Enterprise, int(enterprise_id)) if enterprise_id not in (None, "") else None
    except (TypeError, ValueError):
        enterprise = None
    if enterprise is None:
        problems["enterprise_id"] = _l("Choose an enterprise from the list.")
    day = None
    try:
        day = parse_date(joined_on, "joined_on")
    except ValidationFailed as exc:
        problems.update(exc.fields)
    if problems:
        raise ValidationFailed(_l("Please check the fields marked below."), fields=problems)
    if db.session.get(EnterpriseProgramme, (enterprise.id, programme.id)) is not None:
        message = _l("This enterprise is already in the programme.")
        raise Conflict(message, fields={"enterprise_id": message})
    try:
        with transaction():
            db.session.add(EnterpriseProgramme(enterprise_id=enterprise.id, programme_id=programme.id,
                                               joined_on=day))
    except IntegrityError:
        message = _l("This enterprise is already in the programme.")
        raise Conflict(message, fields={"enterprise_id": message}) from None
    return programme


def remove_enterprise(actor, programme_id: int, enterprise_id: int) -> None:
    _require_staff(actor)
    programme = get_programme(programme_id)
    link = db.session.get(EnterpriseProgramme, (enterprise_id, programme.id))
    if link is None:
        raise NotFound()
    with transaction():
        db.session.delete(link)


@dataclass(frozen=True)
class Membership:
    programme: Programme
    enterprise: Enterprise
    joined_on: date | None


def members_of(programme: Programme) -> list[Membership]:
    rows = db.session.execute(
        select(Enterprise, EnterpriseProgramme.joined_on)
        .join(EnterpriseProgramme, EnterpriseProgramme.enterprise_id == Enterprise.id)
        .where(EnterpriseProgramme.programme_id == programme.id)
        .order_by(Enterprise.name_th, Enterprise.id)).all()
    return [Membership(programme, enterprise, joined) for enterprise, joined in rows]


def programmes_of(enterprise: Enterprise) -> list[Membership]:
    """The programmes the enterprise belongs to, oldest membership first."""
    rows = db.session.execute(
        select(Programme, EnterpriseProgramme.joined_on)
        .join(EnterpriseProgramme, EnterpriseProgramme.programme_id == Programme.id)
        .options(selectinload(Programme.partner))
        .where(EnterpriseProgramme.enterprise_id == enterprise.id)
        .order_by(EnterpriseProgramme.joined_on, Programme.name_th, Programme.id)).all()
    return [Membership(programme, enterprise, joined) for programme, joined in rows]


def enterprise_choices() -> list[Enterprise]:
    """Enterprises staff may add to a programme (all but refused applications)."""
    return list(db.session.scalars(
        select(Enterprise).where(Enterprise.status != "rejected").order_by(Enterprise.name_th, Enterprise.id)))
