"""The demo catalogue's programmes and partner organisations (docs/product.md: Demo
catalogue, Programmes), added by ``flask demo load`` through
``catalog.demo.demo_catalogue_loaded``.

Kept true to the public reports the product describes: the Creative Industry Villages
programme in Lampang (the Ministry of Industry's Lampang provincial office, with the
Lampang cement company as "Big Brother") coaching Ban Mae Jaem, Ban Chae Khon and Ban
Paen Tai, and extending to Nakhon Si Thammarat; EEC Connect (the Eastern Economic
Corridor Office with the industrial estates) for communities around the estates in
Rayong; the Community Partnership Association in Rayong for eastern groups; and the
Sufficiency Economy Development Zones that provincial community development offices
run, Phetchabun first. The other demo enterprises join by province; four are in no
programme, as many enterprises are.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select

from shop.accounts.models import User
from shop.catalog.models import Enterprise, EnterpriseProgramme, PartnerOrganisation, Programme
from shop.extensions import db
from shop.track.models import ChecklistItem, ChecklistTick
from shop.track.services import ensure_checklist

PARTNERS = {
    "dip-lampang": ("สำนักงานอุตสาหกรรมจังหวัดลำปาง กระทรวงอุตสาหกรรม",
                    "Lampang Provincial Industry Office, Ministry of Industry", "government"),
    "scg-lampang": ("บริษัท ปูนซิเมนต์ไทย (ลำปาง) จำกัด (พี่เลี้ยง)",
                    "SCG Cement (Lampang) Co., Ltd. (\"Big Brother\")", "company"),
    "eeco": ("สำนักงานคณะกรรมการนโยบายเขตพัฒนาพิเศษภาคตะวันออก (สกพอ.)",
             "Eastern Economic Corridor Office (EECO)", "government"),
    "industrial-estates": ("นิคมอุตสาหกรรมในเขตพัฒนาพิเศษภาคตะวันออก",
                           "Industrial estates of the Eastern Economic Corridor", "company"),
    "community-partnership": ("สมาคมเพื่อนชุมชน", "Community Partnership Association", "association"),
    "cdd-phetchabun": ("สำนักงานพัฒนาชุมชนจังหวัดเพชรบูรณ์ กรมการพัฒนาชุมชน",
                       "Phetchabun Provincial Community Development Office", "government"),
}

# slug, Thai name, English name, lead partner, Thai region, English region, start, Thai and
# English descriptions, [(enterprise slug, joined)].
PROGRAMMES = [
    ("civ-lampang", "โครงการหมู่บ้านอุตสาหกรรมสร้างสรรค์ (CIV) ลำปาง", "Creative Industry Villages (CIV) Lampang",
     "dip-lampang", "ลำปาง ขยายสู่นครศรีธรรมราชและสระบุรี", "Lampang, extending to Nakhon Si Thammarat and Saraburi",
     date(2023, 6, 1),
     "สำนักงานอุตสาหกรรมจังหวัดลำปางร่วมกับบริษัท ปูนซิเมนต์ไทย (ลำปาง) ในฐานะพี่เลี้ยง "
     "ให้คำปรึกษาด้านการเงิน การตลาด การขาย กฎหมาย การออกแบบ และการตลาดออนไลน์ "
     "และเชื่อมหมู่บ้านกับศูนย์เรียนรู้เหมืองฟื้นฟูซึ่งเป็นแหล่งท่องเที่ยว",
     "The Lampang provincial industry office, with the Lampang cement company as \"Big Brother\", coaches "
     "the villages in finance, marketing, sales, law, design and online marketing, and links them to the "
     "rehabilitated-quarry learning centre, a tourist site.",
     [("ban-mae-jaem-coffee", date(2023, 6, 1)), ("ban-chae-khon-organic", date(2023, 6, 1)),
      ("ban-paen-tai-lime", date(2023, 6, 1)), ("lampang-chicken-bowl-ceramics", date(2024, 11, 15)),
      ("karaket-goat-milk-soap", date(2025, 3, 1))]),
    ("eec-connect", "EEC Connect", "EEC Connect", "eeco", "ระยอง ชลบุรี ฉะเชิงเทรา",
     "Rayong, Chonburi and Chachoengsao", date(2024, 1, 15),
     "กิจกรรมนำร่องกับชุมชนรอบนิคมอุตสาหกรรม: ชุมชนคาร์บอนต่ำ เกษตรปลอดภัย การขยายช่องทางตลาด "
     "และการวางแผนการเงินครัวเรือน แต่ละกิจกรรมมีตัวชี้วัดความสำเร็จชัดเจน",
     "Pilot activities with the communities around the industrial estates: low-carbon communities, safe "
     "agriculture, market-channel expansion and household financial planning, each with clear measures.",
     [("paknam-krasae-shrimp-paste", date(2024, 2, 1))]),
    ("community-partnership-rayong", "สมาคมเพื่อนชุมชน ระยอง", "Community Partnership Association, Rayong",
     "community-partnership", "ระยองและภาคตะวันออก", "Rayong and the east", date(2011, 1, 1),
     "พัฒนาวิสาหกิจชุมชนสี่ขั้น: พื้นฐาน (ต้นทุน การตลาดเบื้องต้น) ก้าวหน้า (มาตรฐาน เช่น อย.) "
     "เครือข่าย (ช่องทางออนไลน์และออฟไลน์) และขยายผล (โชว์ แชร์ ท่องเที่ยว) "
     "และอบรมสมาชิกให้ขายผ่าน Facebook LINE เว็บไซต์ และ TikTok",
     "Develops community enterprises in four stages: foundation (costing, basic marketing), advancing "
     "(standards such as FDA numbers), networking (online and offline channels) and expansion (show, share, "
     "tourism), and trains members to sell on Facebook, LINE, websites and TikTok.",
     [("paknam-krasae-shrimp-paste", date(2019, 5, 1)), ("chaman-orchard-fruit", date(2021, 8, 1))]),
    ("sedz-phetchabun", "เขตพัฒนาเศรษฐกิจพอเพียง (SEDZ) เพชรบูรณ์", "Sufficiency Economy Development Zones (SEDZ), Phetchabun",
     "cdd-phetchabun", "เพชรบูรณ์ และพื้นที่ของสำนักงานพัฒนาชุมชนจังหวัดอื่น",
     "Phetchabun, and the zones of other provincial community development offices", date(2024, 10, 1),
     "สำนักงานพัฒนาชุมชนจังหวัดชวนครัวเรือนและที่ดินเข้าสู่การผลิตตามหลักเศรษฐกิจพอเพียง "
     "เริ่มที่เพชรบูรณ์และขยายไปยังจังหวัดอื่น",
     "Provincial community development offices enrol households and land into sufficiency-economy "
     "production, Phetchabun first and other provinces after.",
     [("don-koi-indigo", date(2024, 12, 1)), ("lampam-sangyod-rice", date(2025, 1, 10)),
      ("tha-sawang-silk", date(2025, 1, 10)), ("pho-si-herbal", date(2025, 2, 1)),
      ("nan-wild-honey", date(2025, 2, 1))]),
]

# Evidence staff recorded for the manual items of enterprises already at expansion:
# (enterprise slug, English label of the item, note, days ago).
TICKS = [
    ("don-koi-indigo", "A fair or showcase attended",
     "ออกบูธงาน OTOP City ที่เมืองทองธานี ขายผ้าครามได้ต่อเนื่องทั้ง 9 วัน", 120),
    ("chaman-orchard-fruit", "A fair or showcase attended",
     "ร่วมงานมหกรรมผลไม้จันทบุรี จัดแสดงทุเรียนทอดสุญญากาศ", 90),
]


def _by_slug(model, slugs) -> dict:
    return {row.slug: row for row in db.session.scalars(select(model).where(model.slug.in_(list(slugs))))}


def add_to_demo(*, now: datetime, summary) -> None:
    """``catalog.demo.demo_catalogue_loaded``: the programmes, their partners and
    members, and a few ticked items with their notes."""
    partners = {}
    for key, (name_th, name_en, kind) in PARTNERS.items():
        partners[key] = PartnerOrganisation(name_th=name_th, name_en=name_en, kind=kind)
        db.session.add(partners[key])
    db.session.flush()
    wanted = {slug for *_rest, members in PROGRAMMES for slug, _day in members}
    enterprises = _by_slug(Enterprise, wanted | {slug for slug, *_rest in TICKS})
    for slug, name_th, name_en, partner, region_th, region_en, started, desc_th, desc_en, members in PROGRAMMES:
        programme = Programme(slug=slug, name_th=name_th, name_en=name_en, partner_id=partners[partner].id,
                              region_th=region_th, region_en=region_en, started_on=started,
                              description_th=desc_th, description_en=desc_en)
        db.session.add(programme)
        db.session.flush()
        for enterprise_slug, joined in members:
            enterprise = enterprises.get(enterprise_slug)
            if enterprise is not None:
                db.session.add(EnterpriseProgramme(enterprise_id=enterprise.id, programme_id=programme.id,
                                                   joined_on=joined))
    ensure_checklist()
    manual = {item.label_en: item for item in db.session.scalars(
        select(ChecklistItem).where(ChecklistItem.rule.is_(None)))}
    staff = db.session.scalar(select(User).where(User.email == "admin@demo.test"))
    for enterprise_slug, label, note, days in TICKS:
        enterprise, item = enterprises.get(enterprise_slug), manual.get(label)
        if enterprise is not None and item is not None:
            db.session.add(ChecklistTick(enterprise_id=enterprise.id, item_id=item.id, note=note,
                                         ticked_by_id=staff.id if staff else None,
                                         ticked_at=now - timedelta(days=days)))
    db.session.flush()
