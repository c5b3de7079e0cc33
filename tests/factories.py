"""factory-boy factories bound to the app's session."""

from __future__ import annotations

import secrets

import factory
from factory.alchemy import SQLAlchemyModelFactory

from shop.accounts.models import RetailBuyer, User
from shop.catalog import status
from shop.catalog.models import (
    Category,
    Certification,
    Enterprise,
    EnterpriseMember,
    EnterprisePhoto,
    Product,
    ProductPhoto,
    ProductTag,
    Variant,
    WholesaleTier,
)
from shop.dbtypes import utcnow
from shop.extensions import db

TEST_PASSWORD = "a-long-enough-passphrase"


class BaseFactory(SQLAlchemyModelFactory):
    class Meta:
        abstract = True
        sqlalchemy_session_factory = lambda: db.session  # noqa: E731
        sqlalchemy_session_persistence = "commit"


class UserFactory(BaseFactory):
    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    display_name = factory.Sequence(lambda n: f"User {n}")
    email_verified_at = factory.LazyFunction(utcnow)
    locale = "th"

    @factory.lazy_attribute
    def password_hash(self):
        from shop.accounts.passwords import hash_password

        return hash_password(TEST_PASSWORD)


class RetailBuyerFactory(BaseFactory):
    class Meta:
        model = RetailBuyer

    user = factory.SubFactory(UserFactory)
    company_name = factory.Sequence(lambda n: f"Buyer Co {n}")
    tax_id = "0105561234567"
    status = RetailBuyer.VERIFIED


class EnterpriseFactory(BaseFactory):
    class Meta:
        model = Enterprise

    slug = factory.Sequence(lambda n: f"enterprise-{n}")
    registration_no = factory.Sequence(lambda n: f"5-50-01-01/1-{n:04d}")
    name_th = factory.Sequence(lambda n: f"วิสาหกิจชุมชนทดสอบ {n}")
    name_en = factory.Sequence(lambda n: f"Test Community Enterprise {n}")
    story_th = "เรื่องราวของชุมชน"
    story_en = "The community's story"
    village = "บ้านทดสอบ"
    province_code = "50"
    status = status.ENTERPRISE_APPROVED
    approved_at = factory.LazyFunction(utcnow)


class MemberFactory(BaseFactory):
    class Meta:
        model = EnterpriseMember

    enterprise = factory.SubFactory(EnterpriseFactory)
    user = factory.SubFactory(UserFactory)
    role = status.MEMBER_OWNER


class CategoryFactory(BaseFactory):
    class Meta:
        model = Category

    slug = factory.Sequence(lambda n: f"category-{n}")
    name_th = factory.Sequence(lambda n: f"หมวด {n}")
    name_en = factory.Sequence(lambda n: f"Category {n}")


class ProductFactory(BaseFactory):
    class Meta:
        model = Product

    enterprise = factory.SubFactory(EnterpriseFactory)
    category = factory.SubFactory(CategoryFactory)
    slug = factory.Sequence(lambda n: f"product-{n}")
    name_th = factory.Sequence(lambda n: f"สินค้า {n}")
    name_en = factory.Sequence(lambda n: f"Product {n}")
    description_th = "รายละเอียดสินค้า"
    description_en = "Product details"
    status = status.LIVE
    published_at = factory.LazyFunction(utcnow)
    min_price_satang = 12000


class VariantFactory(BaseFactory):
    class Meta:
        model = Variant

    product = factory.SubFactory(ProductFactory)
    enterprise_id = factory.SelfAttribute("product.enterprise_id")
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name_th = "250 กรัม"
    name_en = "250 g"
    weight_grams = 250
    price_satang = 12000
    stock = 20


class WholesaleTierFactory(BaseFactory):
    class Meta:
        model = WholesaleTier

    variant = factory.SubFactory(VariantFactory)
    min_quantity = 50
    unit_price_satang = 10500


class TagFactory(BaseFactory):
    class Meta:
        model = ProductTag

    product = factory.SubFactory(ProductFactory)
    tag = "coffee"


class CertificationFactory(BaseFactory):
    class Meta:
        model = Certification

    enterprise = factory.SubFactory(EnterpriseFactory)
    kind = "fda"
    number = "5010112345678"


def add_product_photo(product, position: int = 0, **values) -> ProductPhoto:
    """A photo row for ``product`` (no image file: pages only need its key), committed."""
    photo = ProductPhoto(product=product, image_key=secrets.token_hex(16), position=position, width=800,
                         height=600, **values)
    db.session.add(photo)
    db.session.commit()
    return photo


def add_enterprise_photo(enterprise, position: int = 0) -> EnterprisePhoto:
    """A photo row for ``enterprise``, committed."""
    photo = EnterprisePhoto(enterprise=enterprise, image_key=secrets.token_hex(16), position=position,
                            width=1200, height=800)
    db.session.add(photo)
    db.session.commit()
    return photo


class InDays(int):
    """A date ``n`` days from Bangkok's today, counted when the request is sent
    (``with_dates``): a date written in a ``parametrize`` list is made at collection,
    which may be the day before the test runs (Bangkok's midnight is 17:00 UTC)."""


def with_dates(values: dict, day) -> dict:
    """``values`` with every ``InDays`` turned into ``day(n)``, the test's own date."""
    return {k: day(v) if isinstance(v, InDays) else v for k, v in values.items()}
