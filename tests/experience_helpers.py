"""Test helpers for experiences: a host enterprise with an owner, a published
experience and a session some days ahead."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time, timedelta

from shop.experiences import services as svc
from shop.experiences.models import Experience, ExperienceSession
from shop.extensions import db
from tests.factories import MemberFactory

FORM = {
    "title_th": "เวิร์กช็อปคั่วกาแฟในโอ่ง", "title_en": "Jar-roasting workshop",
    "description_th": "คั่วกาแฟในโอ่งดินกับชาวบ้าน", "description_en": "Roast coffee in a clay jar.",
    "village": "บ้านแม่แจ๋ม", "subdistrict": "แจ้ซ้อน", "district": "เมืองปาน", "province_code": "52",
    "postcode": "52240", "latitude": "18.8146", "longitude": "99.4706", "duration_minutes": "180",
    "included_th": "กาแฟ 250 กรัม", "languages": ["th", "en"], "price": "650", "child_price": "350",
    "group_price": "550", "group_min_size": "6", "cancellation_policy": "flexible", "is_published": "y",
}


@dataclass
class Host:
    owner: object
    enterprise: object
    experience: Experience
    session: ExperienceSession


def make_host(*, seats: int = 10, days_ahead: int = 5) -> Host:
    member = MemberFactory(enterprise__name_en="Mae Jaem Coffee", enterprise__name_th="กาแฟแม่แจ๋ม")
    db.session.commit()
    experience = svc.create_experience(member.enterprise, dict(FORM))
    day = svc.local_now().date() + timedelta(days=days_ahead)
    session = svc.add_session(experience, day=day.isoformat(), start_time="09:00", seats=str(seats))
    return Host(owner=member.user, enterprise=member.enterprise, experience=experience, session=session)


def seats_left(session_id: int) -> int:
    return db.session.scalar(db.select(ExperienceSession.seats_left).where(ExperienceSession.id == session_id)
                             .execution_options(populate_existing=True))


def book(session_id: int, adults: int = 2, children: int = 0, *, email: str = "guest@example.test", **extra):
    return svc.book(session_id, adults=str(adults), children=str(children), buyer=None, email=email,
                    guest_name="สมหญิง ใจดี", phone="081-234-5678", **extra)


START = time(9, 0)
