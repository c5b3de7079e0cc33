"""Catalogue: enterprises and their members, categories, products, variants, photos,
wholesale tiers and certifications (docs/product.md: Catalogue, with the Wholesale and
Expansion track fields in place); the programmes that run the expansion track, their
partner organisations, and the mentors assigned to enterprises (docs/product.md:
Programmes and mentors).

Money columns are integer satang. A variant carries its own wholesale terms (MOQ, case
pack, lead time, price tiers) and unit costs so the wholesale, track and costing
features extend these tables rather than rework them.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from shop.accounts.models import User
from shop.catalog import status
from shop.dbtypes import TimestampMixin, UTCDateTime
from shop.extensions import db
from shop.geo import Province, province_by_code


class LocalizedMixin:
    """``obj.t("name", locale)`` picks ``name_th`` / ``name_en``, falling back to Thai."""

    def t(self, field: str, locale: str = "th") -> str:
        value = getattr(self, f"{field}_{locale}", None) if locale in ("th", "en") else None
        return value or getattr(self, f"{field}_th") or ""


class Enterprise(LocalizedMixin, TimestampMixin, db.Model):
    __tablename__ = "enterprises"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(120), unique=True)
    registration_no: Mapped[str] = mapped_column(String(32), unique=True)  # community-enterprise register
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    tagline_th: Mapped[str | None] = mapped_column(String(300))
    tagline_en: Mapped[str | None] = mapped_column(String(300))
    story_th: Mapped[str | None] = mapped_column(Text)
    story_en: Mapped[str | None] = mapped_column(Text)
    village: Mapped[str | None] = mapped_column(String(120))
    subdistrict: Mapped[str | None] = mapped_column(String(120))
    district: Mapped[str | None] = mapped_column(String(120))
    province_code: Mapped[str] = mapped_column(String(2), index=True)
    latitude: Mapped[float | None] = mapped_column(Float)  # a map point, not money
    longitude: Mapped[float | None] = mapped_column(Float)
    contact_phone: Mapped[str | None] = mapped_column(String(32))
    contact_email: Mapped[str | None] = mapped_column(String(254))
    line_id: Mapped[str | None] = mapped_column(String(64))
    promptpay_id: Mapped[str | None] = mapped_column(String(13))
    vat_registered: Mapped[bool] = mapped_column(Boolean, default=False)
    tax_id: Mapped[str | None] = mapped_column(String(13))
    track_stage: Mapped[str] = mapped_column(String(16), default=status.STAGE_FOUNDATION)
    status: Mapped[str] = mapped_column(String(16), default=status.ENTERPRISE_PENDING, index=True)
    status_reason: Mapped[str | None] = mapped_column(Text)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Platform fee override in basis points; None uses PLATFORM_FEE_BPS.
    platform_fee_bps: Mapped[int | None] = mapped_column(Integer)
    # Stripe Connect account (acct_…) that receives this enterprise's share by
    # transfer; None means payouts go in staff-recorded batches (docs/product.md:
    # Ledger and payouts).
    stripe_account_id: Mapped[str | None] = mapped_column(String(64))
    is_featured: Mapped[bool] = mapped_column(Boolean, default=False)

    members: Mapped[list[EnterpriseMember]] = relationship(back_populates="enterprise", cascade="all, delete-orphan")
    products: Mapped[list[Product]] = relationship(back_populates="enterprise")
    photos: Mapped[list[EnterprisePhoto]] = relationship(
        back_populates="enterprise", order_by="(EnterprisePhoto.position, EnterprisePhoto.id)", cascade="all, delete-orphan"
    )
    certifications: Mapped[list[Certification]] = relationship(
        back_populates="enterprise",
        primaryjoin="and_(Certification.enterprise_id == Enterprise.id, Certification.product_id.is_(None))",
        viewonly=True,
    )

    @property
    def province(self) -> Province | None:
        return province_by_code(self.province_code)

    @property
    def is_approved(self) -> bool:
        return self.status == status.ENTERPRISE_APPROVED

    def __repr__(self) -> str:
        return f"<Enterprise {self.slug}>"


class EnterpriseMember(TimestampMixin, db.Model):
    __tablename__ = "enterprise_members"
    __table_args__ = (UniqueConstraint("enterprise_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16), default=status.MEMBER_STAFF)

    enterprise: Mapped[Enterprise] = relationship(back_populates="members")
    user: Mapped[User] = relationship(back_populates="memberships")


class EnterprisePhoto(db.Model):
    __tablename__ = "enterprise_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    image_key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int] = mapped_column(Integer, default=0)
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    alt_th: Mapped[str | None] = mapped_column(String(200))
    alt_en: Mapped[str | None] = mapped_column(String(200))

    enterprise: Mapped[Enterprise] = relationship(back_populates="photos")


class Category(LocalizedMixin, db.Model):
    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name_th: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    description_th: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id", ondelete="SET NULL"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_food: Mapped[bool] = mapped_column(Boolean, default=True)  # food needs a Thai FDA number to be retail-ready

    parent: Mapped[Category | None] = relationship(remote_side="Category.id")
    products: Mapped[list[Product]] = relationship(back_populates="category")


class Product(LocalizedMixin, TimestampMixin, db.Model):
    __tablename__ = "products"
    __table_args__ = (
        Index("ix_products_status_created", "status", "created_at"),
        Index("ix_products_category_status", "category_id", "status"),
        Index("ix_products_enterprise_status", "enterprise_id", "status"),
        # Storefront listings: each walks one of these in order and stops after a page,
        # so a page costs the same at 100 products as at 100,000. ``id`` breaks ties
        # (many products share a price) and keeps pagination stable.
        Index("ix_products_status_published", "status", "published_at", "id"),
        Index("ix_products_status_featured_published", "status", "is_featured", "published_at", "id"),
        Index("ix_products_status_category_published", "status", "category_id", "published_at", "id"),
        Index("ix_products_status_category_price", "status", "category_id", "min_price_satang", "id"),
        Index("ix_products_status_category_sales", "status", "category_id", "sales_count", "id"),
        Index("ix_products_enterprise_status_published", "enterprise_id", "status", "published_at", "id"),
        # Sitemaps: one file is the live products of an id range (catalog/sitemaps.py).
        Index("ix_products_status_id", "status", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id"))
    slug: Mapped[str] = mapped_column(String(160), unique=True)
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    summary_th: Mapped[str | None] = mapped_column(String(300))
    summary_en: Mapped[str | None] = mapped_column(String(300))
    description_th: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=status.DRAFT)
    status_reason: Mapped[str | None] = mapped_column(Text)  # why staff sent it back
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    is_featured: Mapped[bool] = mapped_column(Boolean, default=False)
    # Denormalised for storefront sorting and search ranking; kept by the order services.
    min_price_satang: Mapped[int] = mapped_column(Integer, default=0)
    sales_count: Mapped[int] = mapped_column(Integer, default=0)
    rating_sum: Mapped[int] = mapped_column(Integer, default=0)
    rating_count: Mapped[int] = mapped_column(Integer, default=0)

    enterprise: Mapped[Enterprise] = relationship(back_populates="products")
    category: Mapped[Category] = relationship(back_populates="products")
    variants: Mapped[list[Variant]] = relationship(
        back_populates="product", order_by="(Variant.position, Variant.id)", cascade="all, delete-orphan"
    )
    photos: Mapped[list[ProductPhoto]] = relationship(
        back_populates="product", order_by="(ProductPhoto.position, ProductPhoto.id)", cascade="all, delete-orphan"
    )
    tags: Mapped[list[ProductTag]] = relationship(back_populates="product", cascade="all, delete-orphan")
    certifications: Mapped[list[Certification]] = relationship(
        back_populates="product", cascade="all, delete-orphan"
    )

    @property
    def is_live(self) -> bool:
        return self.status == status.LIVE

    @property
    def cover_photo(self) -> ProductPhoto | None:
        return self.photos[0] if self.photos else None

    @property
    def active_variants(self) -> list[Variant]:
        return [v for v in self.variants if v.is_active]

    @property
    def in_stock(self) -> bool:
        return any(v.stock > 0 for v in self.active_variants)

    @property
    def has_wholesale(self) -> bool:
        return any(v.wholesale_tiers for v in self.active_variants)

    @property
    def rating_average(self) -> float | None:
        return self.rating_sum / self.rating_count if self.rating_count else None

    def refresh_min_price(self) -> None:
        prices = [v.price_satang for v in self.active_variants]
        self.min_price_satang = min(prices) if prices else 0

    def __repr__(self) -> str:
        return f"<Product {self.slug}>"


class ProductTag(db.Model):
    __tablename__ = "product_tags"
    __table_args__ = (UniqueConstraint("product_id", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    tag: Mapped[str] = mapped_column(String(60), index=True)

    product: Mapped[Product] = relationship(back_populates="tags")


class ProductPhoto(db.Model):
    """One uploaded photo; its responsive sizes are files named after ``image_key``."""

    __tablename__ = "product_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    image_key: Mapped[str] = mapped_column(String(64), unique=True)
    position: Mapped[int] = mapped_column(Integer, default=0)  # 0 is the cover
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    alt_th: Mapped[str | None] = mapped_column(String(200))
    alt_en: Mapped[str | None] = mapped_column(String(200))

    product: Mapped[Product] = relationship(back_populates="photos")


class Variant(LocalizedMixin, TimestampMixin, db.Model):
    """A sellable unit (250 g whole bean, 1 kg ground …) with its price and stock."""

    __tablename__ = "variants"
    __table_args__ = (
        UniqueConstraint("enterprise_id", "sku"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("price_satang >= 0", name="price_not_negative"),
        CheckConstraint("moq >= 1", name="moq_positive"),
        CheckConstraint("case_pack >= 1", name="case_pack_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    # Denormalised from the product so SKUs can be unique per enterprise.
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"))
    sku: Mapped[str] = mapped_column(String(64))
    name_th: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str | None] = mapped_column(String(120))
    gtin13: Mapped[str | None] = mapped_column(String(13), index=True)
    weight_grams: Mapped[int] = mapped_column(Integer, default=0)
    price_satang: Mapped[int] = mapped_column(Integer)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    low_stock_threshold: Mapped[int] = mapped_column(Integer, default=5)
    position: Mapped[int] = mapped_column(Integer, default=0)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Wholesale terms and retail-readiness facts (docs/product.md: Wholesale,
    # Expansion track).
    moq: Mapped[int] = mapped_column(Integer, default=1)
    case_pack: Mapped[int] = mapped_column(Integer, default=1)
    lead_time_days: Mapped[int | None] = mapped_column(Integer)
    shelf_life_days: Mapped[int | None] = mapped_column(Integer)
    # Unit costs for costing (docs/product.md: Expansion track), satang per unit.
    cost_materials_satang: Mapped[int | None] = mapped_column(Integer)
    cost_packaging_satang: Mapped[int | None] = mapped_column(Integer)
    cost_labour_satang: Mapped[int | None] = mapped_column(Integer)
    cost_overhead_satang: Mapped[int | None] = mapped_column(Integer)

    product: Mapped[Product] = relationship(back_populates="variants")
    wholesale_tiers: Mapped[list[WholesaleTier]] = relationship(
        back_populates="variant", order_by="(WholesaleTier.min_quantity, WholesaleTier.id)", cascade="all, delete-orphan"
    )

    @property
    def unit_cost_satang(self) -> int | None:
        parts = (self.cost_materials_satang, self.cost_packaging_satang, self.cost_labour_satang,
                 self.cost_overhead_satang)
        if all(p is None for p in parts):
            return None
        return sum(p or 0 for p in parts)

    @property
    def is_low_stock(self) -> bool:
        return self.stock <= self.low_stock_threshold

    def __repr__(self) -> str:
        return f"<Variant {self.sku}>"


class WholesaleTier(db.Model):
    """From ``min_quantity`` units up, each unit costs ``unit_price_satang``."""

    __tablename__ = "wholesale_tiers"
    __table_args__ = (
        UniqueConstraint("variant_id", "min_quantity"),
        CheckConstraint("min_quantity >= 1", name="min_quantity_positive"),
        CheckConstraint("unit_price_satang >= 0", name="unit_price_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    variant_id: Mapped[int] = mapped_column(ForeignKey("variants.id", ondelete="CASCADE"), index=True)
    min_quantity: Mapped[int] = mapped_column(Integer)
    unit_price_satang: Mapped[int] = mapped_column(Integer)

    variant: Mapped[Variant] = relationship(back_populates="wholesale_tiers")


class Certification(db.Model):
    """A badge with a number that can be checked for form (see ``catalog.certifications``).

    With ``product_id`` it belongs to one product (a Thai FDA number); without, to the
    whole enterprise (GAP for its farm, a community product standard).
    """

    __tablename__ = "certifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int | None] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    number: Mapped[str | None] = mapped_column(String(64))
    stars: Mapped[int | None] = mapped_column(Integer)  # OTOP 1–5
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    enterprise: Mapped[Enterprise] = relationship(back_populates="certifications", foreign_keys=[enterprise_id])
    product: Mapped[Product | None] = relationship(back_populates="certifications")


# ---------------------------------------------------------------- programmes and mentors


class PartnerOrganisation(LocalizedMixin, TimestampMixin, db.Model):
    """A partner that coaches enterprises: a company acting as "Big Brother", a
    government office, an association. Mentors belong to one."""

    __tablename__ = "partner_organisations"

    KINDS = ("company", "government", "association", "other")

    id: Mapped[int] = mapped_column(primary_key=True)
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16), default="company")


class Programme(LocalizedMixin, TimestampMixin, db.Model):
    """A programme that runs the market-channel expansion track for its enterprises (an
    enterprise may be in several)."""

    __tablename__ = "programmes"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name_th: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner_organisations.id", ondelete="SET NULL"))
    region_th: Mapped[str | None] = mapped_column(String(200))
    region_en: Mapped[str | None] = mapped_column(String(200))
    started_on: Mapped[date | None] = mapped_column(Date())
    description_th: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)

    partner: Mapped[PartnerOrganisation | None] = relationship()
    enterprises: Mapped[list[Enterprise]] = relationship(
        secondary="enterprise_programmes", order_by="Enterprise.name_th", viewonly=True)


class EnterpriseProgramme(db.Model):
    """An enterprise's place in a programme."""

    __tablename__ = "enterprise_programmes"

    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True,
                                              index=True)
    joined_on: Mapped[date | None] = mapped_column(Date())


class Mentor(db.Model):
    """A mentor's partner organisation (the user has ``is_mentor``)."""

    __tablename__ = "mentors"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    partner_id: Mapped[int | None] = mapped_column(ForeignKey("partner_organisations.id", ondelete="SET NULL"),
                                                   index=True)

    user: Mapped[User] = relationship()
    partner: Mapped[PartnerOrganisation | None] = relationship()


class MentorAssignment(TimestampMixin, db.Model):
    """A mentor coaches an enterprise: read access to its seller pages and API, and
    coaching notes (``shop.track``). Staff assign and end them."""

    __tablename__ = "mentor_assignments"
    __table_args__ = (UniqueConstraint("mentor_id", "enterprise_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    enterprise_id: Mapped[int] = mapped_column(ForeignKey("enterprises.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id", ondelete="SET NULL"))
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    mentor: Mapped[User] = relationship(foreign_keys=[mentor_id])
    enterprise: Mapped[Enterprise] = relationship()
    programme: Mapped[Programme | None] = relationship()
