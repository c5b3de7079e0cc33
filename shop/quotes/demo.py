"""The demo's request for quote (``catalog.demo.demo_catalogue_loaded``): the verified
demo buyer has asked Ban Mae Jaem Coffee for a quote on its medium roast, waiting for
the enterprise's answer. Loading again adds nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from shop.accounts.models import User
from shop.catalog.models import Product
from shop.extensions import db
from shop.quotes.machines import QUOTES
from shop.quotes.models import REQUESTED, QuoteRequest
from shop.quotes.services import BANGKOK
from shop.roles import BUYER
from shop.statemachine import StatusChangeLog

DEMO_BUYER = "buyer@demo.test"
DEMO_PRODUCT = "mae-jaem-jar-roasted-coffee-medium"


def add_to_demo(*, now: datetime, summary) -> None:
    buyer = db.session.scalar(select(User).where(User.email == DEMO_BUYER))
    product = db.session.scalar(select(Product).where(Product.slug == DEMO_PRODUCT))
    if buyer is None or product is None or not product.active_variants:
        return
    if db.session.scalar(select(QuoteRequest.id).where(QuoteRequest.buyer_id == buyer.id)) is not None:
        return
    variant = product.active_variants[0]
    req = QuoteRequest(
        buyer_id=buyer.id, enterprise_id=product.enterprise_id, variant_id=variant.id, status=REQUESTED,
        quantity=max(60, variant.moq) // max(1, variant.case_pack) * max(1, variant.case_pack),
        target_unit_satang=int(variant.price_satang) * 8 // 10,
        delivery_date=(now.astimezone(BANGKOK) + timedelta(days=21)).date(),
        message="สำหรับร้านกาแฟสามสาขา อยากได้ถุงพิมพ์โลโก้ร้าน สั่งประจำทุกเดือน",
        created_at=now, updated_at=now,
    )
    db.session.add(req)
    db.session.flush()
    db.session.add(StatusChangeLog(machine=QUOTES.name, row_id=req.id, from_status=None, to_status=REQUESTED,
                                   actor_id=buyer.id, actor_role=BUYER, created_at=now))
    db.session.flush()
