"""``flask demo load`` and ``flask demo generate``.

``demo load`` fills an empty database with the curated catalogue of ``demo_data``
(docs/product.md: Demo catalogue): enterprises, products, photos drawn by
``demo_artwork.render_demo_photo`` and sent through the real upload pipeline, and demo
accounts. It runs in one transaction; if anything fails, the photos already written are
deleted again.

``demo generate`` adds a reproducible synthetic catalogue of N products for benchmarks.
It writes with SQLAlchemy Core ``insert()`` in batches (executemany), explicit ids
and no ORM objects per row, so 100,000 products load in a couple of minutes. Those
inserts bypass the ORM session events that keep the search index in step, so run
``flask search reindex`` afterwards.

Both refuse to run where ``DEMO_DATA_ALLOWED`` is false (production).
"""

from __future__ import annotations

import contextlib
import math
import os
import random
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, insert, select, text

from shop.accounts.models import RetailBuyer, User
from shop.accounts.passwords import hash_password
from shop.catalog import demo_data, status
from shop.catalog.certifications import FDA, validate_certification
from shop.catalog.demo_artwork import render_demo_photo
from shop.catalog.images import StoredImage, delete_image, process_upload
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
from shop.database import transaction
from shop.dbtypes import utcnow
from shop.extensions import db
from shop.geo import all_provinces, province_by_code
from shop.hooks import Hook

demo_cli = AppGroup("demo", help="Demo and benchmark catalogues.")

#: ``(now=, summary=)``, in ``demo load``'s transaction once the catalogue is written:
#: orders add shipping options and a few weeks of past orders (counted in ``summary``),
#: the ledger books the paid ones (``shop/hooks.py``; both sit above the catalogue).
demo_catalogue_loaded = Hook("catalog.demo_catalogue_loaded")

#: Tea photos look better green than coffee-brown, although both share a category.
_MOTIF_PALETTES = {"tea": "tea", "vegetables": "produce", "honey": "snacks", "lime": "seasoning"}


def _refuse_unless_allowed() -> None:
    if not current_app.config["DEMO_DATA_ALLOWED"]:
        raise click.ClickException(
            "Demo data is disabled in this configuration (DEMO_DATA_ALLOWED is false, as in production)."
        )


def catalogue_has_data() -> bool:
    return db.session.scalar(select(func.count()).select_from(Enterprise)) > 0


# --- Small pure helpers ---------------------------------------------------------------


def gtin13(first_twelve: str) -> str:
    """Append the GTIN-13 check digit (weights 1,3,1,3… over the first twelve digits)."""
    if len(first_twelve) != 12 or not first_twelve.isdigit():
        raise ValueError(f"a GTIN-13 needs twelve digits before the check digit, not {first_twelve!r}")
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(first_twelve))
    return first_twelve + str((10 - total % 10) % 10)


def _whole_baht(satang: int) -> int:
    return satang // 100 * 100


def standard_tiers(price: int) -> list[tuple[int, int]]:
    """The usual ladder: 1–49 at retail, 50–199 about 12 % off, 200+ about 20 % off."""
    return [(1, price), (50, _whole_baht(price * 88 // 100)), (200, _whole_baht(price * 80 // 100))]


# --- demo load ------------------------------------------------------------------------


@dataclass
class LoadSummary:
    enterprises: int = 0
    products: int = 0
    live_products: int = 0
    variants: int = 0
    photos: int = 0
    users_created: int = 0
    users_kept: list[str] = field(default_factory=list)
    shipping_options: int = 0
    orders: int = 0
    seconds: float = 0.0
    #: The width the demo's photos are drawn at (the areas adding to the demo use it too).
    photo_width: int = 0


@dataclass(frozen=True)
class _PhotoJob:
    key: tuple
    folder: str
    motif: str
    palette: str
    badge: str
    seed: int
    tint: tuple[int, int, int] | None = None


def _photo_jobs() -> list[_PhotoJob]:
    """Every photo of the demo catalogue, in a fixed order with fixed seeds."""
    jobs: list[_PhotoJob] = []
    categories = {c["slug"]: c for c in demo_data.CATEGORIES}
    for index, spec in enumerate(demo_data.ENTERPRISES):
        jobs.append(_PhotoJob(("enterprise", spec["slug"]), "enterprises", "village", spec["palette"], "", 1000 + index))
        products = spec["products"] + spec.get("hidden_products", [])
        for position, product in enumerate(products):
            seed = index * 100 + position
            palette = _MOTIF_PALETTES.get(product["motif"], categories[product["category"]]["palette"])
            jobs.append(_PhotoJob(("product", product["slug"], 0), "products", product["motif"], palette,
                                  product.get("badge", ""), seed, product.get("tint")))
            if product.get("photo2"):
                motif, caption_th, _caption_en = product["photo2"]
                second_palette = "village" if motif == "village" else _MOTIF_PALETTES.get(motif, palette)
                jobs.append(_PhotoJob(("product", product["slug"], 1), "products", motif, second_palette, "",
                                      seed + 50_000, product.get("tint")))
    return jobs


class _PhotoStudio:
    """Renders the demo photos and stores them through ``process_upload``, a few at a
    time (Pillow releases the GIL while it resizes and encodes). It remembers every
    stored image so a failed load can remove them again."""

    def __init__(self, width: int, workers: int) -> None:
        self.width = width
        self.workers = max(1, workers)
        self.stored: dict[tuple, tuple[str, StoredImage]] = {}

    def _shoot(self, app, job: _PhotoJob) -> StoredImage:
        with app.app_context():
            data = render_demo_photo(motif=job.motif, palette=job.palette, badge=job.badge, seed=job.seed,
                                     width=self.width, tint=job.tint)
            return process_upload(data, folder=job.folder)

    def shoot_all(self, jobs: list[_PhotoJob]) -> dict[tuple, StoredImage]:
        app = current_app._get_current_object()
        failure: BaseException | None = None
        with ThreadPoolExecutor(max_workers=self.workers) as pool:
            futures = {pool.submit(self._shoot, app, job): job for job in jobs}
            for future in as_completed(futures):
                job = futures[future]
                try:
                    self.stored[job.key] = (job.folder, future.result())
                except BaseException as exc:  # noqa: BLE001 - keep collecting, then clean up and re-raise
                    failure = failure or exc
                    for other in futures:
                        other.cancel()
        if failure is not None:
            self.discard_all()
            raise failure
        return {key: image for key, (_folder, image) in self.stored.items()}

    def discard_all(self) -> None:
        for folder, image in self.stored.values():
            delete_image(folder, image.image_key)
        self.stored.clear()

    @contextlib.contextmanager
    def discarding_on_failure(self) -> Iterator[None]:
        """Remove every stored photo again if the block fails."""
        try:
            yield
        except BaseException:
            self.discard_all()
            raise


def load_demo_catalogue(*, photo_width: int | None = None) -> LoadSummary:
    """Write the curated demo catalogue in one transaction. The caller checks that the
    catalogue is empty first."""
    started = time.perf_counter()
    summary = LoadSummary()
    width = int(photo_width or current_app.config["DEMO_PHOTO_WIDTH"])
    summary.photo_width = width
    workers = int(current_app.config["DEMO_PHOTO_WORKERS"] or min(4, os.cpu_count() or 1))
    studio = _PhotoStudio(width, workers)
    rng = random.Random(20240615)  # noqa: S311 - fixed seed: stable screenshots and tests
    now = utcnow()
    # One transaction; the photo files are no part of it, so a failure deletes them
    # once the transaction has rolled back (the inner block exits first).
    with studio.discarding_on_failure(), transaction():
        # argon2 is slow on purpose: hash the shared demo password once.
        password_hash = hash_password(demo_data.DEMO_PASSWORD)
        photos = studio.shoot_all(_photo_jobs())
        _load_users(password_hash, now, summary)
        categories = _load_categories()
        for index, spec in enumerate(demo_data.ENTERPRISES):
            _load_enterprise(spec, index, categories, password_hash, photos, rng, now, summary)
        db.session.flush()
        # Shipping options and a few weeks of past orders, for the order pages and
        # the enterprise dashboards, and their sales and fees in the ledgers.
        demo_catalogue_loaded(now=now, summary=summary)
    summary.photos = len(photos)
    summary.seconds = time.perf_counter() - started
    return summary


def _get_or_create_user(email: str, display_name: str, password_hash: str, now: datetime,
                        summary: LoadSummary, **flags: Any) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is not None:
        summary.users_kept.append(email)  # an existing account keeps its own password
        return user
    user = User(email=email, display_name=display_name, password_hash=password_hash, email_verified_at=now,
                locale="th", **flags)
    db.session.add(user)
    summary.users_created += 1
    return user


def _load_users(password_hash: str, now: datetime, summary: LoadSummary) -> dict[str, User]:
    users: dict[str, User] = {}
    for spec in demo_data.DEMO_USERS:
        flags = {key: spec[key] for key in ("is_staff", "is_mentor") if key in spec}
        user = _get_or_create_user(spec["email"], spec["display_name"], password_hash, now, summary, **flags)
        buyer_spec = spec.get("retail_buyer")
        if buyer_spec and user.retail_buyer is None:
            # Applied six weeks ago, verified two days later.
            applied = now - timedelta(days=42)
            if user.id is None:
                user.created_at = user.email_verified_at = applied - timedelta(minutes=20)
            user.retail_buyer = RetailBuyer(status=RetailBuyer.VERIFIED, created_at=applied, updated_at=applied,
                                            verified_at=applied + timedelta(days=2), **buyer_spec)
        users[spec["email"]] = user
    db.session.flush()
    buyer = users["buyer@demo.test"].retail_buyer
    if buyer is not None and buyer.verified_by_id is None:
        buyer.verified_by_id = users["admin@demo.test"].id
    return users


def _load_categories() -> dict[str, Category]:
    existing = {c.slug: c for c in db.session.scalars(select(Category))}
    categories: dict[str, Category] = {}
    for position, spec in enumerate(demo_data.CATEGORIES):
        category = existing.get(spec["slug"])
        if category is None:
            category = Category(slug=spec["slug"], name_th=spec["name_th"], name_en=spec["name_en"],
                                description_th=spec["description_th"], description_en=spec["description_en"],
                                is_food=spec["is_food"], position=position)
            db.session.add(category)
        categories[spec["slug"]] = category
    return categories


def _certification(kind: str, number: str | None, stars: int | None, **owner: Any) -> Certification:
    cleaned, stars = validate_certification(kind, number, stars)  # the demo data must pass our own checks
    return Certification(kind=kind, number=cleaned, stars=stars, **owner)


def _load_enterprise(spec: dict[str, Any], index: int, categories: dict[str, Category], password_hash: str,
                     photos: dict[tuple, StoredImage], rng: random.Random, now: datetime,
                     summary: LoadSummary) -> None:
    owner_email, owner_name = spec["owner"]
    owner = _get_or_create_user(owner_email, owner_name, password_hash, now, summary)
    province = province_by_code(spec["province_code"])
    if province is None:
        raise ValueError(f"unknown province code {spec['province_code']!r} for {spec['slug']}")
    enterprise = Enterprise(
        slug=spec["slug"], registration_no=spec["registration_no"], name_th=spec["name_th"], name_en=spec["name_en"],
        tagline_th=spec["tagline_th"], tagline_en=spec["tagline_en"], story_th=spec["story_th"],
        story_en=spec["story_en"], village=spec["village"], subdistrict=spec["subdistrict"],
        district=spec["district"], province_code=spec["province_code"], latitude=spec["latitude"],
        longitude=spec["longitude"], contact_phone=spec["contact_phone"], contact_email=spec["contact_email"],
        line_id=spec["line_id"], promptpay_id=spec["promptpay_id"], vat_registered=spec["vat_registered"],
        tax_id=spec["tax_id"], track_stage=spec["track_stage"], status=status.ENTERPRISE_APPROVED,
        approved_at=now - timedelta(days=200 - index * 7), is_featured=spec["is_featured"],
    )
    # The dates tell one story: the owner signed up, applied (the enterprise row) and
    # was approved a few days later.
    enterprise.created_at = enterprise.updated_at = enterprise.approved_at - timedelta(days=4, hours=3)
    if owner.id is None:
        owner.created_at = owner.email_verified_at = enterprise.created_at - timedelta(hours=1)
    enterprise.members.append(EnterpriseMember(user=owner, role=status.MEMBER_OWNER,
                                               created_at=enterprise.created_at))
    db.session.add(enterprise)
    db.session.flush()  # variants carry the enterprise id themselves (SKUs are unique per enterprise)
    summary.enterprises += 1

    cover = photos[("enterprise", spec["slug"])]
    enterprise.photos.append(EnterprisePhoto(image_key=cover.image_key, position=0, width=cover.width,
                                             height=cover.height, alt_th=f"หมู่บ้านของ{spec['name_th']}",
                                             alt_en=f"The village of {spec['name_en']}"))
    for kind, number, stars in spec["certifications"]:
        db.session.add(_certification(kind, number, stars, enterprise=enterprise))

    gtin_counter = iter(range(1, 100_000))
    products = [(p, status.LIVE) for p in spec["products"]]
    products += [(p, p["status"]) for p in spec.get("hidden_products", [])]
    for product_spec, product_status in products:
        _load_product(product_spec, product_status, enterprise, spec, categories, photos, rng, now, gtin_counter,
                      summary=summary)


def _load_product(spec: dict[str, Any], product_status: str, enterprise: Enterprise, enterprise_spec: dict[str, Any],
                  categories: dict[str, Category], photos: dict[tuple, StoredImage], rng: random.Random,
                  now: datetime, gtin_counter: Iterator[int], *, summary: LoadSummary) -> None:
    is_live = product_status == status.LIVE
    published_at = now - timedelta(days=rng.randint(3, 240), hours=rng.randint(0, 23)) if is_live else None
    product = Product(
        enterprise=enterprise, category=categories[spec["category"]], slug=spec["slug"], name_th=spec["name_th"],
        name_en=spec["name_en"], summary_th=spec["summary_th"], summary_en=spec["summary_en"],
        description_th=spec["description_th"], description_en=spec["description_en"], status=product_status,
        published_at=published_at, is_featured=bool(spec.get("featured")) and is_live,
        sales_count=spec.get("sales", 0) if is_live else 0,
    )
    if published_at is not None:
        product.created_at = published_at - timedelta(days=2)
    db.session.add(product)
    summary.products += 1
    summary.live_products += int(is_live)

    seen_tags: set[str] = set()
    for tag in spec["tags"]:
        tag = tag.strip().lower()
        if tag and tag not in seen_tags:
            seen_tags.add(tag)
            product.tags.append(ProductTag(tag=tag))

    for position, variant_spec in enumerate(spec["variants"]):
        product.variants.append(_variant(variant_spec, position, enterprise, enterprise_spec, gtin_counter))
        summary.variants += 1
    product.refresh_min_price()

    if spec.get("fda"):
        db.session.add(_certification(FDA, spec["fda"], None, enterprise=enterprise, product=product))

    photo = photos[("product", spec["slug"], 0)]
    product.photos.append(ProductPhoto(image_key=photo.image_key, position=0, width=photo.width, height=photo.height,
                                       alt_th=spec["name_th"], alt_en=spec["name_en"]))
    if spec.get("photo2"):
        _motif, caption_th, caption_en = spec["photo2"]
        second = photos[("product", spec["slug"], 1)]
        product.photos.append(ProductPhoto(image_key=second.image_key, position=1, width=second.width,
                                           height=second.height, alt_th=caption_th, alt_en=caption_en))


def _variant(spec: dict[str, Any], position: int, enterprise: Enterprise, enterprise_spec: dict[str, Any],
             gtin_counter: Iterator[int]) -> Variant:
    costs = spec.get("costs") or (None, None, None, None)
    variant = Variant(
        enterprise_id=enterprise.id, sku=spec["sku"], name_th=spec["name_th"], name_en=spec["name_en"],
        weight_grams=spec["grams"], price_satang=spec["price"], stock=spec["stock"], position=position, is_active=True,
        moq=spec.get("moq", 1), case_pack=spec.get("case_pack", 1), lead_time_days=spec.get("lead"),
        shelf_life_days=spec.get("shelf"), cost_materials_satang=costs[0], cost_packaging_satang=costs[1],
        cost_labour_satang=costs[2], cost_overhead_satang=costs[3],
    )
    if spec.get("gtin"):
        variant.gtin13 = gtin13(f"885{enterprise_spec['company_code']:04d}{next(gtin_counter):05d}")
    tiers = spec.get("tiers")
    if tiers is True:
        tiers = standard_tiers(spec["price"])
    for min_quantity, unit_price in tiers or ():
        variant.wholesale_tiers.append(WholesaleTier(min_quantity=min_quantity, unit_price_satang=unit_price))
    return variant


def demo_accounts() -> list[tuple[str, str]]:
    """(e-mail, role) of every demo account, for the command's closing message."""
    accounts = [("admin@demo.test", "programme staff (admin)"), ("shopper@demo.test", "shopper"),
                ("buyer@demo.test", "verified retail buyer"), ("mentor@demo.test", "mentor")]
    accounts += [(spec["owner"][0], f"owner of {spec['slug']}") for spec in demo_data.ENTERPRISES]
    return accounts


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Do nothing (and succeed) when the catalogue already has data.")
def load_command(if_empty: bool) -> None:
    """Load the curated demo catalogue into an empty database."""
    _refuse_unless_allowed()
    if catalogue_has_data():
        if if_empty:
            click.echo("The catalogue already has enterprises: demo data not loaded.")
            return
        raise click.ClickException(
            "The catalogue already has enterprises. `flask demo load` only fills an empty database; "
            "use --if-empty to skip quietly."
        )
    summary = load_demo_catalogue()
    click.echo(
        f"Loaded {summary.enterprises} enterprises, {summary.products} products ({summary.live_products} live), "
        f"{summary.variants} variants, {summary.photos} photos and {summary.orders} past orders "
        f"in {summary.seconds:.1f} s."
    )
    click.echo(f"Demo accounts (password: {demo_data.DEMO_PASSWORD}):")
    for email, role in demo_accounts():
        kept = "  (existing account, password unchanged)" if email in summary.users_kept else ""
        click.echo(f"  {email:<26} {role}{kept}")


# --- demo generate --------------------------------------------------------------------

_GEN_STAGES = status.TRACK_STAGES


@dataclass
class GenerateSummary:
    enterprises: int = 0
    products: int = 0
    variants: int = 0
    tiers: int = 0
    tags: int = 0
    certifications: int = 0
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return self.enterprises + self.products + self.variants + self.tiers + self.tags + self.certifications


def _ensure_categories() -> dict[str, int]:
    categories = _load_categories()
    db.session.flush()
    return {slug: category.id for slug, category in categories.items()}


def _next_id(model) -> int:
    return (db.session.scalar(select(func.max(model.id))) or 0) + 1


class _Batcher:
    """Collects rows per table and writes each table in executemany batches."""

    def __init__(self, batch_size: int, order: tuple) -> None:
        self.batch_size = batch_size
        self.order = order  # parents before children, for the foreign keys
        self.pending: dict[Any, list[dict[str, Any]]] = {table: [] for table in order}

    def add(self, table, row: dict[str, Any]) -> None:
        rows = self.pending[table]
        rows.append(row)
        if len(rows) >= self.batch_size:
            self.flush_all()

    def flush_table(self, table) -> None:
        rows = self.pending.get(table)
        if rows:
            db.session.execute(insert(table), rows)
            self.pending[table] = []

    def flush_all(self) -> None:
        for table in self.order:
            self.flush_table(table)


def generate_catalogue(count: int, *, seed: int = 42, batch_size: int = 5000,
                       progress: Any = None) -> GenerateSummary:
    """Insert ``count`` synthetic products (with enterprises, variants, tiers, tags) in
    one transaction. The same ``seed`` gives the same names and prices every time."""
    started = time.perf_counter()
    rng = random.Random(seed)  # noqa: S311 - reproducible benchmark data, not secrets
    summary = GenerateSummary()
    now = utcnow().replace(microsecond=0)
    with transaction():
        category_ids = _ensure_categories()
        ids = {model: _next_id(model) for model in (Enterprise, Product, Variant, WholesaleTier, ProductTag,
                                                      Certification)}
        provinces = all_provinces()
        families = demo_data.GEN_FAMILIES
        enterprises_needed = max(1, math.ceil(count / 50))
        per_enterprise = math.ceil(count / enterprises_needed)
        batcher = _Batcher(batch_size, (Enterprise.__table__, Certification.__table__, Product.__table__,
                                        Variant.__table__, WholesaleTier.__table__, ProductTag.__table__))

        enterprise_rows: list[tuple[int, dict[str, Any], tuple[str, str], Any]] = []
        for _ in range(enterprises_needed):
            enterprise_id = ids[Enterprise]
            ids[Enterprise] += 1
            family = families[rng.randrange(len(families))]
            village = demo_data.GEN_VILLAGES[rng.randrange(len(demo_data.GEN_VILLAGES))]
            province = provinces[rng.randrange(len(provinces))]
            craft_th, craft_en = family["craft"]
            approved = now - timedelta(days=rng.randint(30, 900))
            batcher.add(Enterprise.__table__, {
                "id": enterprise_id, "slug": f"gen-ent-{enterprise_id}",
                "registration_no": f"GEN-{province.code}-{enterprise_id:08d}",
                "name_th": f"วิสาหกิจชุมชน{craft_th}บ้าน{village[0]}",
                "name_en": f"Ban {village[1]} {craft_en} Community Enterprise",
                "tagline_th": f"{craft_th}จากบ้าน{village[0]} จังหวัด{province.name_th}",
                "tagline_en": f"{craft_en} from Ban {village[1]}, {province.name_en}",
                "story_th": f"กลุ่มชาวบ้าน{village[0]} จังหวัด{province.name_th} รวมตัวกันผลิต{craft_th}ตามภูมิปัญญาท้องถิ่น",
                "story_en": f"Villagers of Ban {village[1]}, {province.name_en}, making {craft_en.lower()} "
                            f"products with local know-how.",
                "village": f"บ้าน{village[0]}", "subdistrict": None, "district": None,
                "province_code": province.code, "latitude": None, "longitude": None,
                "contact_phone": f"08{rng.randint(10_000_000, 99_999_999)}", "contact_email": None, "line_id": None,
                "promptpay_id": None, "vat_registered": False, "tax_id": None,
                "track_stage": _GEN_STAGES[rng.randrange(len(_GEN_STAGES))],
                "status": status.ENTERPRISE_APPROVED, "status_reason": None, "approved_at": approved,
                "platform_fee_bps": None, "is_featured": False, "created_at": approved, "updated_at": approved,
            })
            if rng.random() < 0.5:
                kind = ("otop", "organic", "gap", "mpc")[rng.randrange(4)]
                batcher.add(Certification.__table__, {
                    "id": ids[Certification], "enterprise_id": enterprise_id, "product_id": None, "kind": kind,
                    "number": f"มผช. {rng.randint(1, 1500)}/{rng.randint(2550, 2567)}" if kind == "mpc" else None,
                    "stars": rng.randint(3, 5) if kind == "otop" else None, "valid_until": None,
                })
                ids[Certification] += 1
                summary.certifications += 1
            enterprise_rows.append((enterprise_id, family, village, province))
            summary.enterprises += 1
        batcher.flush_all()

        for n in range(count):
            enterprise_id, home_family, village, province = enterprise_rows[min(n // per_enterprise,
                                                                                 len(enterprise_rows) - 1)]
            # Most of an enterprise's products come from its own craft, a few from others.
            family = home_family if rng.random() < 0.85 else families[rng.randrange(len(families))]
            _generate_product(batcher, ids, family, category_ids, enterprise_id, village, province, rng, now, summary)
            if progress is not None and (n + 1) % 10_000 == 0:
                progress(n + 1, time.perf_counter() - started)
        batcher.flush_all()
        _resync_sequences()
    summary.seconds = time.perf_counter() - started
    return summary


def _pick(rng: random.Random, items):
    return items[rng.randrange(len(items))]


def _generate_product(batcher: _Batcher, ids: dict, family: dict[str, Any], category_ids: dict[str, int],
                      enterprise_id: int, village: tuple[str, str], province, rng: random.Random, now: datetime,
                      summary: GenerateSummary) -> None:
    product_id = ids[Product]
    ids[Product] += 1
    noun_th, noun_en = _pick(rng, family["nouns"])
    adjective_th, adjective_en = _pick(rng, family["adjectives"] + demo_data.GEN_ADJECTIVES)
    if rng.random() < 0.5:
        place_th, place_en = f"บ้าน{village[0]}", f"Ban {village[1]}"
    else:
        place_th, place_en = province.name_th, province.name_en
    name_th = f"{noun_th} {adjective_th} {place_th}"
    name_en = f"{adjective_en.capitalize()} {noun_en} from {place_en}"

    context_th = {"village": village[0], "province": province.name_th, "noun": noun_th, "adjective": adjective_th}
    context_en = {"village": village[1], "province": province.name_en, "noun": noun_en, "adjective": adjective_en.capitalize()}
    picks = rng.sample(range(len(demo_data.GEN_DESCRIPTIONS_TH)), 3)
    description_th = " ".join(demo_data.GEN_DESCRIPTIONS_TH[i].format(**context_th) for i in picks)
    description_en = " ".join(demo_data.GEN_DESCRIPTIONS_EN[i].format(**context_en) for i in picks)

    roll = rng.random()
    product_status = status.LIVE if roll < 0.95 else (status.DRAFT if roll < 0.98 else status.PAUSED)
    published_at = (now - timedelta(seconds=rng.randint(0, 730 * 86_400))
                    if product_status != status.DRAFT else None)
    created_at = published_at or now - timedelta(days=rng.randint(0, 60))

    low, high = family["price"]
    base_price = _whole_baht(rng.randint(low, high))
    option_count = min(len(family["options"]), 1 + int(rng.random() * 3))
    options = family["options"][:option_count]
    has_tiers = rng.random() < 0.3
    prices: list[int] = []
    variant_rows: list[dict[str, Any]] = []
    tier_rows: list[dict[str, Any]] = []
    for position, (option_th, option_en, grams, multiplier) in enumerate(options):
        variant_id = ids[Variant]
        ids[Variant] += 1
        price = max(1_00, _whole_baht(base_price * multiplier // 100))
        prices.append(price)
        gtin = gtin13(f"885{variant_id:09d}") if rng.random() < 0.3 and variant_id < 10**9 else None
        variant_rows.append({
            "id": variant_id, "product_id": product_id, "enterprise_id": enterprise_id,
            "sku": f"G{product_id}-{position + 1}", "name_th": option_th, "name_en": option_en, "gtin13": gtin,
            "weight_grams": grams, "price_satang": price, "stock": rng.choice((0, 5, 12, 20, 40, 80, 150, 300)),
            "low_stock_threshold": 5, "position": position, "is_active": True,
            "moq": 1, "case_pack": 1, "lead_time_days": None, "shelf_life_days": None,
            "cost_materials_satang": None, "cost_packaging_satang": None, "cost_labour_satang": None,
            "cost_overhead_satang": None, "created_at": created_at, "updated_at": created_at,
        })
        summary.variants += 1
        if has_tiers:
            for min_quantity, unit_price in standard_tiers(price):
                tier_rows.append({"id": ids[WholesaleTier], "variant_id": variant_id,
                                  "min_quantity": min_quantity, "unit_price_satang": unit_price})
                ids[WholesaleTier] += 1
                summary.tiers += 1

    tags: list[str] = []
    for tag_th, tag_en in [(noun_th, noun_en)] + rng.sample(family["tags"], min(2, len(family["tags"]))):
        for tag in (tag_th, tag_en.lower()):
            if tag not in tags and len(tag) <= 60:
                tags.append(tag)
    # The product goes first: a full batch flushes every table, parents before children.
    batcher.add(Product.__table__, {
        "id": product_id, "enterprise_id": enterprise_id, "category_id": category_ids[family["category"]],
        "slug": f"gen-{product_id}", "name_th": name_th[:200], "name_en": name_en[:200],
        "summary_th": f"{noun_th} {adjective_th} จาก{place_th}"[:300],
        "summary_en": f"{adjective_en.capitalize()} {noun_en} from {place_en}."[:300],
        "description_th": description_th, "description_en": description_en,
        "status": product_status, "status_reason": None, "published_at": published_at, "is_featured": False,
        "min_price_satang": min(prices), "sales_count": min(5000, int(rng.paretovariate(1.3)) - 1),
        "rating_sum": 0, "rating_count": 0, "created_at": created_at, "updated_at": created_at,
    })
    summary.products += 1
    for row in variant_rows:
        batcher.add(Variant.__table__, row)
    for row in tier_rows:
        batcher.add(WholesaleTier.__table__, row)
    for tag in tags:
        batcher.add(ProductTag.__table__, {"id": ids[ProductTag], "product_id": product_id, "tag": tag})
        ids[ProductTag] += 1
        summary.tags += 1


def _resync_sequences() -> None:
    """PostgreSQL: explicit ids leave the id sequences behind; move them past the rows."""
    if db.engine.dialect.name != "postgresql":
        return
    for model in (Enterprise, Product, Variant, WholesaleTier, ProductTag, Certification):
        table = model.__tablename__
        db.session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 - table names are ours
            f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
        ))


@demo_cli.command("generate")
@click.option("--products", "count", type=click.IntRange(1, 5_000_000), required=True,
              help="How many products to create.")
@click.option("--seed", type=int, default=42, show_default=True, help="Same seed, same catalogue.")
@click.option("--batch", "batch_size", type=click.IntRange(100, 100_000), default=5000, show_default=True,
              help="Rows per INSERT batch.")
def generate_command(count: int, seed: int, batch_size: int) -> None:
    """Add a synthetic catalogue of N products for benchmarks."""
    _refuse_unless_allowed()

    def progress(done: int, seconds: float) -> None:
        click.echo(f"  {done:,} products… ({done / seconds:,.0f} products/s)")

    summary = generate_catalogue(count, seed=seed, batch_size=batch_size, progress=progress)
    click.echo(
        f"Generated {summary.products:,} products, {summary.variants:,} variants, {summary.tiers:,} wholesale tiers, "
        f"{summary.tags:,} tags and {summary.enterprises:,} enterprises ({summary.rows:,} rows) "
        f"in {summary.seconds:.1f} s: {summary.rows / max(summary.seconds, 1e-9):,.0f} rows/s, "
        f"{summary.products / max(summary.seconds, 1e-9):,.0f} products/s."
    )
    click.echo("Bulk inserts bypass search indexing: run `flask search reindex` next.")
