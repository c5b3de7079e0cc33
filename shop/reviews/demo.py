"""Demo reviews: the demo shopper's words on most items of their delivered past
orders (``orders/demo.py``), in Thai and some in English, and the enterprises'
replies to some of them, so the demo storefront shows ratings.

Written straight through the models in ``flask demo load``'s transaction, with the
product aggregates added up from the rows. A fixed seed keeps them the same on every
machine.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from shop.catalog.models import EnterpriseMember, Product
from shop.extensions import db
from shop.orders import status as st
from shop.orders.models import Fulfilment, Order, OrderLine
from shop.reviews import ratings
from shop.reviews.models import VISIBLE, Review

# (rating, title, text): what buyers write, most of it happy, some of it not.
_WORDS: list[tuple[int, str | None, str | None]] = [
    (5, "ของดีมาก จะสั่งอีกแน่นอน", "ห่อมาอย่างดี ส่งไวกว่าที่คิด รสชาติดีมากค่ะ ซื้อไปฝากคุณแม่ ท่านชอบมาก"),
    (5, "คุ้มค่า สมราคา", "สั่งครั้งที่สองแล้ว คุณภาพเหมือนเดิม ดีใจที่ได้อุดหนุนของชุมชนโดยตรง"),
    (5, None, "กลิ่นหอมมาก เปิดถุงแล้วหอมไปทั้งห้อง แนะนำเลยครับ"),
    (4, "ดี แต่ส่งช้านิดหน่อย", "สินค้าดีตามรูป แต่ใช้เวลาส่งสามวัน โดยรวมพอใจครับ"),
    (4, "ถูกใจ", "บรรจุภัณฑ์สวย เหมาะเป็นของฝาก ขนาดเล็กกว่าที่คิดนิดนึง"),
    (5, "ของฝากที่ดีที่สุด", "เพื่อนที่ทำงานชมกันทุกคน มีเรื่องราวของชุมชนแนบมาด้วย น่ารักมาก"),
    (3, "พอใช้ได้", "รสชาติโอเค แต่ส่วนตัวชอบแบบเข้มกว่านี้ อาจลองตัวเลือกอื่นครั้งหน้า"),
    (4, None, "ได้ของครบ ห่อกันกระแทกดี ขอบคุณที่เขียนการ์ดขอบคุณมาด้วยค่ะ"),
    (5, "Lovely, will buy again", "Well packed and arrived in two days. You can taste that it is made with care."),
    (4, "Good value", "Nice quality for the price. The parcel took a little longer than the estimate."),
    (5, None, "Bought it as a gift for colleagues abroad; everyone asked where it came from."),
    (2, "ไม่ค่อยตรงปก", "สีจริงอ่อนกว่าในรูปพอสมควร ทางร้านตอบแชทเร็ว แต่ยังไม่ค่อยประทับใจ"),
    (5, "Excellent", None),
    (4, None, None),
]

_REPLIES_TH = [
    "ขอบคุณมากนะคะ ทางกลุ่มดีใจที่ชอบ แล้วพบกันใหม่ค่ะ",
    "ขอบคุณสำหรับรีวิวครับ รอบหน้าจะรีบจัดส่งให้ไวขึ้นครับ",
    "ขอบพระคุณที่อุดหนุนวิสาหกิจชุมชนของเรานะคะ",
]
_REPLY_EN = "Thank you for your kind words. The whole group was happy to read them!"


def load_demo_reviews(*, now: datetime, share: float = 0.7) -> int:
    """Review about ``share`` of the delivered lines of the demo's past orders; returns
    how many reviews were written."""
    rng = random.Random(20250107)  # noqa: S311 - fixed seed: stable demo data
    lines = list(db.session.scalars(
        select(OrderLine).join(Fulfilment, Fulfilment.id == OrderLine.fulfilment_id)
        .join(Order, Order.id == OrderLine.order_id)
        .where(Fulfilment.status == st.FULFILMENT_DELIVERED, Order.user_id.is_not(None),
               OrderLine.product_id.is_not(None))
        .options(selectinload(OrderLine.fulfilment), selectinload(OrderLine.order))
        .order_by(OrderLine.id)
    ))
    reviewed = set(db.session.scalars(select(Review.order_line_id)))
    members = {}
    for member in db.session.scalars(select(EnterpriseMember).order_by(EnterpriseMember.id)):
        members.setdefault(member.enterprise_id, member.user_id)
    products: set[int] = set()
    made = 0
    for line in lines:
        if line.id in reviewed or rng.random() > share:
            continue
        rating, title, body = rng.choice(_WORDS)
        delivered = line.fulfilment.delivered_at or line.order.created_at
        written = min(delivered + timedelta(days=rng.randint(1, 6), hours=rng.randint(0, 12)), now)
        review = Review(
            order_line_id=line.id, user_id=line.order.user_id, product_id=line.product_id,
            enterprise_id=line.fulfilment.enterprise_id, rating=rating, title=title, body=body,
            status=VISIBLE, created_at=written, updated_at=written,
        )
        replier = members.get(line.fulfilment.enterprise_id)
        if replier is not None and rng.random() < 0.4:
            review.reply_body = _REPLY_EN if title and title.isascii() else rng.choice(_REPLIES_TH)
            review.reply_at = min(written + timedelta(hours=rng.randint(2, 30)), now)
            review.reply_by_id = replier
        db.session.add(review)
        products.add(line.product_id)
        made += 1
    db.session.flush()
    for product_id in sorted(products):
        total, count = ratings.recomputed(product_id)
        old_total, old_count = _current(product_id)
        ratings.adjust(product_id, total - old_total, count - old_count)
    return made


def _current(product_id: int) -> tuple[int, int]:
    product = db.session.get(Product, product_id)
    return product.rating_sum, product.rating_count


def add_to_demo(*, now: datetime, summary) -> None:
    """``catalog.demo.demo_catalogue_loaded``: reviews of the past orders' items."""
    load_demo_reviews(now=now)
    db.session.flush()
