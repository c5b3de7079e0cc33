"""The demo's experiences (``catalog.demo.demo_catalogue_loaded``): Ban Mae Jaem's
jar-roasting workshop, Ban Chae Khon's rice-planting day, Tha Sawang's weaving class
and Ban Don Koi's indigo-dyeing morning, each with sessions over the coming weeks and
two drawn photos (the village and what guests make there), stored through the upload
pipeline like a host's own."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from shop.catalog.demo_artwork import render_demo_photo
from shop.catalog.images import process_upload
from shop.catalog.models import Enterprise
from shop.experiences.models import Experience, ExperiencePhoto, ExperienceSession
from shop.experiences.services import PHOTO_FOLDER, weekly_days
from shop.extensions import db
from shop.i18n import BANGKOK

EXPERIENCES = (
    {
        "enterprise": "ban-mae-jaem-coffee", "slug": "mae-jaem-jar-roasting-workshop",
        "title_th": "เวิร์กช็อปคั่วกาแฟในโอ่งดินกับชาวบ้านแม่แจ๋ม",
        "title_en": "Jar-roasting coffee workshop in Ban Mae Jaem",
        "description_th": "เดินชมสวนกาแฟใต้ร่มไม้ เก็บเชอร์รีกาแฟ แล้วคั่วเมล็ดในโอ่งดินบนเตาถ่านแบบที่ชาวบ้าน"
                          "ทำกันมา ชิมกาแฟที่คั่วเองและนำกลับบ้าน 250 กรัม",
        "description_en": "Walk the shade-grown coffee gardens, pick ripe cherries, then roast beans in a clay jar "
                          "over charcoal the way the village does. Taste your own roast and take 250 g home.",
        "village": "บ้านแม่แจ๋ม", "subdistrict": "แจ้ซ้อน", "district": "เมืองปาน", "province_code": "52",
        "postcode": "52240", "latitude": 18.8146, "longitude": 99.4706, "duration_minutes": 180,
        "included_th": "กาแฟและขนมพื้นบ้าน, กาแฟคั่วเอง 250 กรัม, ผ้ากันเปื้อน",
        "included_en": "Coffee and local snacks, 250 g of your own roast, an apron",
        "languages": "th,en,nod", "accessibility_th": "ทางเดินในสวนเป็นดินลาดชัน ไม่เหมาะกับรถเข็น",
        "accessibility_en": "The garden paths are steep earth, not suitable for wheelchairs.",
        "price_satang": 65000, "child_price_satang": 35000, "group_price_satang": 55000, "group_min_size": 6,
        "cancellation_policy": "flexible", "weekdays": {5, 6}, "start": time(9, 0), "seats": 12,
        "photos": (("coffee_beans", "coffee"), ("village", "village")),
    },
    {
        "enterprise": "ban-chae-khon-organic", "slug": "chae-khon-rice-planting-day",
        "title_th": "หนึ่งวันดำนากับชาวนาบ้านแจ้คอน", "title_en": "A rice-planting day in Ban Chae Khon",
        "description_th": "ลงนาดำข้าวอินทรีย์กับชาวนา เรียนเรื่องน้ำและดิน กินข้าวกลางวันที่หุงจากข้าวของกลุ่ม",
        "description_en": "Plant organic rice with the farmers, learn about water and soil, and share a lunch "
                          "cooked from the group's own rice.",
        "village": "บ้านแจ้คอน", "subdistrict": "ทุ่งผึ้ง", "district": "แจ้ห่ม", "province_code": "52",
        "postcode": "52120", "latitude": 18.7632, "longitude": 99.6264, "duration_minutes": 300,
        "included_th": "อาหารกลางวัน, หมวกงอบ, ข้าวกล้อง 1 กิโลกรัม", "included_en": "Lunch, a farmer's hat, 1 kg of brown rice",
        "languages": "th,nod", "accessibility_th": "ต้องเดินในนาโคลน", "accessibility_en": "You walk in muddy fields.",
        "price_satang": 90000, "child_price_satang": 45000, "group_price_satang": None, "group_min_size": None,
        "cancellation_policy": "moderate", "weekdays": {5}, "start": time(8, 30), "seats": 20,
        "photos": (("village", "village"), ("rice_bag", "rice")),
    },
    {
        "enterprise": "tha-sawang-silk", "slug": "tha-sawang-weaving-class",
        "title_th": "เรียนทอผ้าไหมกับช่างทอบ้านท่าสว่าง", "title_en": "A silk-weaving class in Ban Tha Sawang",
        "description_th": "ทอผ้าไหมผืนเล็กบนกี่พื้นเมืองกับช่างทอของกลุ่ม ชมการสาวไหมและย้อมสีธรรมชาติ",
        "description_en": "Weave a small piece of silk on a village loom with the group's weavers, and see silk "
                          "reeled and dyed with plants.",
        "village": "บ้านท่าสว่าง", "subdistrict": "ท่าสว่าง", "district": "เมืองสุรินทร์", "province_code": "32",
        "postcode": "32000", "latitude": 14.8706, "longitude": 103.4271, "duration_minutes": 150,
        "included_th": "ผ้าไหมที่ทอเอง, น้ำดื่มและขนม", "included_en": "The silk you weave, drinks and snacks",
        "languages": "th,en", "accessibility_th": "ทางเข้าเรือนทอเป็นทางเรียบ", "accessibility_en": "Level access to the weaving hall.",
        "price_satang": 80000, "child_price_satang": None, "group_price_satang": None, "group_min_size": None,
        "cancellation_policy": "strict", "weekdays": {2, 5}, "start": time(13, 30), "seats": 8,
        "photos": (("cloth", "textile"), ("village", "village")),
    },
    {
        "enterprise": "don-koi-indigo", "slug": "don-koi-indigo-dyeing-morning",
        "title_th": "ย้อมครามกับแม่ ๆ บ้านดอนกอย", "title_en": "An indigo-dyeing morning in Ban Don Koi",
        "description_th": "ชมหม้อครามที่ชาวบ้านเลี้ยงไว้ทุกวัน เรียนมัดลายแล้วย้อมผ้าพันคอฝ้ายของตัวเองซ้ำหลายรอบ "
                          "จนได้สีน้ำเงินเข้ม ปิดท้ายด้วยการชมกี่ทอผ้าใต้ถุนบ้าน",
        "description_en": "See the indigo vats the village feeds every day, learn to tie a pattern, and dip your own "
                          "cotton scarf again and again until it turns deep blue; then watch the looms under the "
                          "houses.",
        "village": "บ้านดอนกอย", "subdistrict": "พรรณา", "district": "พรรณานิคม", "province_code": "47",
        "postcode": "47130", "latitude": 17.3512, "longitude": 103.8478, "duration_minutes": 180,
        "included_th": "ผ้าพันคอฝ้ายที่ย้อมเอง, น้ำสมุนไพรและขนม", "included_en": "The cotton scarf you dye, herbal drinks and snacks",
        "languages": "th,en,isan", "accessibility_th": "ลานย้อมผ้าเป็นพื้นเรียบ มีที่นั่งพัก",
        "accessibility_en": "The dyeing yard is level, with places to sit.",
        "price_satang": 75000, "child_price_satang": 40000, "group_price_satang": 65000, "group_min_size": 8,
        "cancellation_policy": "flexible", "weekdays": {5}, "start": time(9, 30), "seats": 10,
        "photos": (("cloth", "textile"), ("village", "village")),
    },
)
WEEKS = 6


def add_to_demo(*, now: datetime, summary) -> None:
    today = now.astimezone(BANGKOK).date()
    for spec in EXPERIENCES:
        spec = dict(spec)
        enterprise = db.session.scalar(select(Enterprise).where(Enterprise.slug == spec.pop("enterprise")))
        if enterprise is None or db.session.scalar(select(Experience.id).where(Experience.slug == spec["slug"])):
            continue
        weekdays, start, seats = spec.pop("weekdays"), spec.pop("start"), spec.pop("seats")
        photos = spec.pop("photos")
        experience = Experience(enterprise_id=enterprise.id, is_published=True, created_at=now, updated_at=now,
                                **spec)
        db.session.add(experience)
        db.session.flush()
        for position, (motif, palette) in enumerate(photos):
            data = render_demo_photo(motif=motif, palette=palette, seed=experience.id * 10 + position,
                                     width=summary.photo_width or 1200)
            stored = process_upload(data, folder=PHOTO_FOLDER)
            db.session.add(ExperiencePhoto(experience_id=experience.id, image_key=stored.image_key,
                                           width=stored.width, height=stored.height, position=position))
        for day in weekly_days(today + timedelta(days=1), weekdays, WEEKS, set()):
            db.session.add(ExperienceSession(experience_id=experience.id, day=day, start_time=start,
                                             seats_total=seats, seats_left=seats))
    db.session.flush()
