"""The demo's mentor (``flask demo load``, through ``catalog.demo.demo_catalogue_loaded``,
after the track's programmes): ``mentor@demo.test`` works for the Lampang cement
company, the "Big Brother" of the Creative Industry Villages programme, and coaches the
programme's three Lampang villages; one visit to Ban Mae Jaem is on record, with the
next steps agreed."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from shop import roles
from shop.accounts.models import User
from shop.catalog.models import Enterprise, Mentor, MentorAssignment, PartnerOrganisation, Programme
from shop.extensions import db
from shop.mentoring.models import KIND_VISIT, CoachingNote, NextStep
from shop.track.demo import PARTNERS

MENTOR_EMAIL = "mentor@demo.test"
PARTNER = "scg-lampang"
PROGRAMME = "civ-lampang"
VILLAGES = ("ban-mae-jaem-coffee", "ban-chae-khon-organic", "ban-paen-tai-lime")
VISIT = {
    "enterprise": "ban-mae-jaem-coffee",
    "days_ago": 6,
    "topics": "ต้นทุน, บรรจุภัณฑ์, การขายให้ร้านค้า",
    "body": ("เยี่ยมโรงคั่วโอ่ง คุณภาพการคั่วสม่ำเสมอดีมาก ลูกค้าร้านกาแฟในเมืองลำปางสนใจสั่งเป็นลัง\n\n"
             "แนะนำให้ทำใบต้นทุนให้ครบทุกขนาด และใส่บาร์โค้ดให้เมล็ดกาแฟดิบ เพื่อให้ขายผ่านแคตตาล็อกขายส่งได้ครบ"),
    "steps": [("ใส่บาร์โค้ด GTIN ให้เมล็ดกาแฟดิบ", 14), ("ทำใบต้นทุนถุง 1 กิโลกรัมให้ครบ", 21),
              ("ถ่ายรูปขั้นตอนการคั่วในโอ่งสำหรับหน้าร้าน", 30)],
}


def add_to_demo(*, now: datetime, summary) -> None:
    """``catalog.demo.demo_catalogue_loaded``: the mentor's organisation, assignments and
    one visit record."""
    mentor = db.session.scalar(select(User).where(User.email == MENTOR_EMAIL))
    if mentor is None:
        return
    partner = db.session.scalar(select(PartnerOrganisation).where(PartnerOrganisation.name_th == PARTNERS[PARTNER][0]))
    programme = db.session.scalar(select(Programme).where(Programme.slug == PROGRAMME))
    staff = db.session.scalar(select(User).where(User.email == "admin@demo.test"))
    mentor.is_mentor = True
    db.session.add(Mentor(user_id=mentor.id, partner_id=partner.id if partner else None))
    enterprises = {e.slug: e for e in db.session.scalars(select(Enterprise).where(Enterprise.slug.in_(VILLAGES)))}
    for slug in VILLAGES:
        enterprise = enterprises.get(slug)
        if enterprise is not None:
            db.session.add(MentorAssignment(mentor_id=mentor.id, enterprise_id=enterprise.id,
                                            programme_id=programme.id if programme else None,
                                            assigned_by_id=staff.id if staff else None))
    visited = enterprises.get(VISIT["enterprise"])
    if visited is not None:
        day = (now - timedelta(days=VISIT["days_ago"])).date()
        note = CoachingNote(enterprise_id=visited.id, author_id=mentor.id, author_role=roles.MENTOR, kind=KIND_VISIT,
                            visited_on=day, topics=VISIT["topics"], body=VISIT["body"],
                            created_at=now - timedelta(days=VISIT["days_ago"]),
                            updated_at=now - timedelta(days=VISIT["days_ago"]))
        db.session.add(note)
        db.session.flush()
        for text, due_in in VISIT["steps"]:
            db.session.add(NextStep(note_id=note.id, enterprise_id=visited.id, text=text,
                                    due_on=day + timedelta(days=due_in)))
    db.session.flush()
