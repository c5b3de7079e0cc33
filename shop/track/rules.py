"""The automatic checklist items: what the shop's own data proves (docs/product.md:
Expansion track, Checklists).

Each rule answers for many enterprises at once (``evaluate(enterprises)``) with a few
grouped queries, so a page of enterprises costs the same as one, and an enterprise
with a thousand products costs a handful of aggregate queries, not one per product.
Nothing is stored: the answer is computed when read, so it changes the moment the
data does (a barcode saved, an order paid).

"Options on sale" are the active variants of the enterprise's live products. A rule
about them is not done while the enterprise has nothing on sale: there is nothing to
prove it with.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import and_, case, distinct, exists, func, not_, or_, select

from shop.catalog import certifications as certs
from shop.catalog import status
from shop.catalog.listing_models import ProductListingSettings
from shop.catalog.models import (
    Category,
    Certification,
    Enterprise,
    EnterprisePhoto,
    Product,
    ProductPhoto,
    Variant,
    WholesaleTier,
)
from shop.catalog.retail_ready import retail_ready_clause
from shop.experiences.models import Experience, ExperienceSession
from shop.extensions import db
from shop.orders.models import Fulfilment, Order
from shop.quotes.models import QuoteRequest
from shop.sellers.models import EnterpriseFeedKey
from shop.track import channels


@dataclass(frozen=True)
class Fix:
    """Where the enterprise fixes an item: an endpoint and its values."""

    endpoint: str
    values: dict = field(default_factory=dict)
    anchor: str | None = None


@dataclass(frozen=True)
class RuleResult:
    done: bool
    detail: str | None = None  # what is still missing, in the reader's language
    fix: Fix | None = None


def _live_variant():
    return and_(Product.status == status.LIVE, Variant.is_active.is_(True))


def _unit_cost():
    return (func.coalesce(Variant.cost_materials_satang, 0) + func.coalesce(Variant.cost_packaging_satang, 0)
            + func.coalesce(Variant.cost_labour_satang, 0) + func.coalesce(Variant.cost_overhead_satang, 0))


def _has_cost():
    return or_(Variant.cost_materials_satang.is_not(None), Variant.cost_packaging_satang.is_not(None),
               Variant.cost_labour_satang.is_not(None), Variant.cost_overhead_satang.is_not(None))


def _flag(condition):
    return func.sum(case((condition, 1), else_=0))


@dataclass
class _VariantFacts:
    live: int = 0
    uncosted: int = 0
    below_cost: int = 0
    no_gtin: int = 0
    no_spec: int = 0
    first_no_gtin: int | None = None
    first_no_spec: int | None = None


def _variant_facts(ids: list[int]) -> dict[int, _VariantFacts]:
    facts = {eid: _VariantFacts() for eid in ids}
    no_gtin = or_(Variant.gtin13.is_(None), func.length(Variant.gtin13) != 13)
    no_spec = or_(Variant.weight_grams.is_(None), Variant.weight_grams <= 0, Variant.shelf_life_days.is_(None),
                  Variant.shelf_life_days <= 0, Variant.case_pack.is_(None), Variant.case_pack < 2)
    rows = db.session.execute(
        select(Variant.enterprise_id, func.count(Variant.id), _flag(not_(_has_cost())),
               _flag(and_(_has_cost(), Variant.price_satang <= _unit_cost())), _flag(no_gtin), _flag(no_spec),
               func.min(case((no_gtin, Variant.product_id))), func.min(case((no_spec, Variant.product_id))))
        .join(Product, Product.id == Variant.product_id)
        .where(Variant.enterprise_id.in_(ids), _live_variant())
        .group_by(Variant.enterprise_id)
    ).all()
    for eid, live, uncosted, below, gtin, spec, first_gtin, first_spec in rows:
        facts[eid] = _VariantFacts(int(live), int(uncosted or 0), int(below or 0), int(gtin or 0), int(spec or 0),
                                   first_gtin, first_spec)
    # Wholesale prices at or under the unit cost count as prices below cost too.
    tiers = db.session.execute(
        select(Variant.enterprise_id, func.count(WholesaleTier.id))
        .join(Variant, Variant.id == WholesaleTier.variant_id)
        .join(Product, Product.id == Variant.product_id)
        .where(Variant.enterprise_id.in_(ids), _live_variant(), _has_cost(),
               WholesaleTier.unit_price_satang <= _unit_cost())
        .group_by(Variant.enterprise_id)
    ).all()
    for eid, count in tiers:
        facts[eid].below_cost += int(count)
    return facts


def _nothing_on_sale() -> RuleResult:
    return RuleResult(False, str(_l("Put a product on sale first.")), Fix("sellers.listings"))


def _product_fix(product_id: int | None, anchor: str = "retail-ready") -> Fix:
    """The product's edit page, at its list of what it lacks (each linking to its field)."""
    if product_id is None:
        return Fix("sellers.listings")
    return Fix("sellers.listing_edit", {"product_id": product_id}, anchor)


def _story_photos(enterprises: list[Enterprise], _ctx) -> dict[int, RuleResult]:
    ids = [e.id for e in enterprises]
    photos = dict(db.session.execute(
        select(EnterprisePhoto.enterprise_id, func.count(EnterprisePhoto.id))
        .where(EnterprisePhoto.enterprise_id.in_(ids)).group_by(EnterprisePhoto.enterprise_id)
    ).all())
    answers = {}
    for e in enterprises:
        story = bool((e.story_th or "").strip() or (e.story_en or "").strip())
        has_photos = bool(photos.get(e.id))
        missing = [text for ok, text in ((story, _l("your story")), (has_photos, _l("a photo"))) if not ok]
        detail = str(_l("Still missing: %(what)s.", what=", ".join(str(m) for m in missing))) if missing else None
        answers[e.id] = RuleResult(story and has_photos, detail,
                                   Fix("sellers.profile", anchor=None if not story else "photos"))
    return answers


def _cost_sheets(enterprises, ctx) -> dict[int, RuleResult]:
    return _variant_rule(enterprises, ctx, "uncosted", lambda n: ngettext(
        "%(num)d option on sale has no cost sheet.", "%(num)d options on sale have no cost sheet.", n),
        lambda _f: Fix("sellers.costs"))


def _prices_above_cost(enterprises, ctx) -> dict[int, RuleResult]:
    answers = {}
    for e in enterprises:
        f = ctx.variant_facts[e.id]
        if not f.live:
            answers[e.id] = _nothing_on_sale()
        elif f.uncosted:
            answers[e.id] = RuleResult(False, str(_l("Enter the cost sheets first, to compare prices with costs.")),
                                       Fix("sellers.costs"))
        else:
            detail = ngettext("%(num)d price is not above the unit cost.", "%(num)d prices are not above the unit cost.",
                              f.below_cost) if f.below_cost else None
            answers[e.id] = RuleResult(f.below_cost == 0, detail, Fix("sellers.costs"))
    return answers


def _promptpay(enterprises, _ctx) -> dict[int, RuleResult]:
    return {e.id: RuleResult(bool((e.promptpay_id or "").strip()), None, Fix("sellers.profile"))
            for e in enterprises}


def _standards_numbers(enterprises, _ctx) -> dict[int, RuleResult]:
    ids = [e.id for e in enterprises]
    food_choice = (select(ProductListingSettings.is_food)
                   .where(ProductListingSettings.product_id == Product.id).scalar_subquery())
    category_food = select(Category.is_food).where(Category.id == Product.category_id).scalar_subquery()
    is_food = func.coalesce(food_choice, category_food, True)
    numbered = and_(Certification.number.is_not(None), Certification.number != "")
    has_fda = exists(select(Certification.id).where(
        Certification.product_id == Product.id, Certification.kind == certs.FDA, numbered))
    has_mpc = exists(select(Certification.id).where(
        Certification.kind == certs.COMMUNITY_STANDARD, numbered,
        or_(Certification.product_id == Product.id,
            and_(Certification.product_id.is_(None), Certification.enterprise_id == Product.enterprise_id))))
    lacking = and_(is_food.is_(True), not_(has_fda), not_(has_mpc))
    rows = db.session.execute(
        select(Product.enterprise_id, func.count(Product.id), _flag(lacking), func.min(case((lacking, Product.id))))
        .where(Product.enterprise_id.in_(ids), Product.status == status.LIVE)
        .group_by(Product.enterprise_id)
    ).all()
    facts = {eid: (int(live), int(missing or 0), first) for eid, live, missing, first in rows}
    answers = {}
    for e in enterprises:
        live, missing, first = facts.get(e.id, (0, 0, None))
        if not live:
            answers[e.id] = _nothing_on_sale()
            continue
        detail = ngettext("%(num)d food product has neither an FDA nor a community product standard number.",
                          "%(num)d food products have neither an FDA nor a community product standard number.",
                          missing) if missing else None
        answers[e.id] = RuleResult(missing == 0, detail, _product_fix(first, "lst-certifications"))
    return answers


def _variant_rule(enterprises, ctx, missing: str, detail, fix) -> dict[int, RuleResult]:
    """Done when no option on sale lacks something: ``missing`` names the count in
    ``VariantFacts``, ``detail(n)`` says it and ``fix(facts)`` is where to mend it."""
    answers = {}
    for e in enterprises:
        f = ctx.variant_facts[e.id]
        if not f.live:
            answers[e.id] = _nothing_on_sale()
            continue
        count = getattr(f, missing)
        answers[e.id] = RuleResult(count == 0, detail(count) if count else None, fix(f))
    return answers


def _gtin13(enterprises, ctx) -> dict[int, RuleResult]:
    return _variant_rule(enterprises, ctx, "no_gtin", lambda n: ngettext(
        "%(num)d option on sale has no GTIN-13 barcode.", "%(num)d options on sale have no GTIN-13 barcode.", n),
        lambda f: _product_fix(f.first_no_gtin))


def _packaging_spec(enterprises, ctx) -> dict[int, RuleResult]:
    return _variant_rule(enterprises, ctx, "no_spec", lambda n: ngettext(
        "%(num)d option on sale lacks its weight, shelf life or case pack.",
        "%(num)d options on sale lack their weight, shelf life or case pack.", n),
        lambda f: _product_fix(f.first_no_spec))


def _retail_ready(enterprises, _ctx) -> dict[int, RuleResult]:
    ids = [e.id for e in enterprises]
    ready = set(db.session.scalars(
        select(distinct(Product.enterprise_id))
        .where(Product.enterprise_id.in_(ids), Product.status == status.LIVE, retail_ready_clause())
    ))
    return {e.id: RuleResult(e.id in ready, None, Fix("sellers.listings")) for e in enterprises}


def _sold(ids: list[int], *conditions) -> set[int]:
    return set(db.session.scalars(
        select(distinct(Fulfilment.enterprise_id)).join(Order, Order.id == Fulfilment.order_id)
        .where(Fulfilment.enterprise_id.in_(ids), channels.is_sale(), *conditions)
    ))


def _online_sale(enterprises, _ctx) -> dict[int, RuleResult]:
    sold = _sold([e.id for e in enterprises])
    return {e.id: RuleResult(e.id in sold, None, Fix("sellers.listings")) for e in enterprises}


def _channel_feeds(enterprises, _ctx) -> dict[int, RuleResult]:
    ids = [e.id for e in enterprises]
    keyed = set(db.session.scalars(
        select(EnterpriseFeedKey.enterprise_id).where(EnterpriseFeedKey.enterprise_id.in_(ids))))
    with_items = set(db.session.scalars(
        select(distinct(Product.enterprise_id))
        .where(Product.enterprise_id.in_(ids), Product.status == status.LIVE,
               exists(select(ProductPhoto.id).where(ProductPhoto.product_id == Product.id)))
    ))
    answers = {}
    for e in enterprises:
        done = e.is_approved and e.id in keyed and e.id in with_items
        detail = None
        if not done:
            detail = str(_l("Create your feed links and add them to Facebook, Google or TikTok.")
                         if e.id not in keyed else _l("Your feeds are empty: put a product with a photo on sale."))
        answers[e.id] = RuleResult(done, detail, Fix("sellers.feeds_page"))
    return answers


def _retail_order(enterprises, _ctx) -> dict[int, RuleResult]:
    sold = _sold([e.id for e in enterprises], channels.is_retail_channel())
    return {e.id: RuleResult(e.id in sold, None, Fix("sellers.listings")) for e in enterprises}


def _quote_answered(enterprises, _ctx) -> dict[int, RuleResult]:
    ids = [e.id for e in enterprises]
    answered = set(db.session.scalars(
        select(distinct(QuoteRequest.enterprise_id))
        .where(QuoteRequest.enterprise_id.in_(ids), QuoteRequest.quoted_at.is_not(None))
    ))
    return {e.id: RuleResult(e.id in answered, None, Fix("quotes.seller_list", {"show": "to_answer"}))
            for e in enterprises}


def _repeat_retail_buyers(enterprises, _ctx) -> dict[int, RuleResult]:
    ids = [e.id for e in enterprises]
    pairs = (
        select(Fulfilment.enterprise_id.label("eid"), Order.user_id.label("uid"))
        .join(Order, Order.id == Fulfilment.order_id)
        .where(Fulfilment.enterprise_id.in_(ids), Order.user_id.is_not(None), channels.is_sale(),
               channels.is_retail_channel())
        .group_by(Fulfilment.enterprise_id, Order.user_id)
        .having(func.count(distinct(Order.id)) >= 2)
        .subquery()
    )
    repeat = set(db.session.scalars(select(distinct(pairs.c.eid))))
    return {e.id: RuleResult(e.id in repeat) for e in enterprises}


def _experience_offered(enterprises, _ctx) -> dict[int, RuleResult]:
    """A published experience with at least one session (past or to come) that was not
    cancelled: the enterprise opens its village to visitors."""
    ids = [e.id for e in enterprises]
    offering = set(db.session.scalars(
        select(distinct(Experience.enterprise_id)).join(ExperienceSession, ExperienceSession.experience_id == Experience.id)
        .where(Experience.enterprise_id.in_(ids), Experience.is_published.is_(True),
               ExperienceSession.cancelled_at.is_(None))
    ))
    answers = {}
    for e in enterprises:
        detail = None if e.id in offering else str(
            _l("Publish a workshop or village visit with at least one session."))
        answers[e.id] = RuleResult(e.id in offering, detail, Fix("experiences.seller_list"))
    return answers


#: rule key -> (label for staff choosing a rule, evaluator).
RULES: dict[str, tuple[object, Callable]] = {
    "story_photos": (_l("Story and photos"), _story_photos),
    "cost_sheets": (_l("Cost sheets"), _cost_sheets),
    "prices_above_cost": (_l("Prices above cost"), _prices_above_cost),
    "promptpay": (_l("PromptPay ID"), _promptpay),
    "standards_numbers": (_l("FDA or community product standard numbers"), _standards_numbers),
    "gtin13": (_l("GTIN-13 barcodes"), _gtin13),
    "packaging_spec": (_l("Weight, shelf life and case pack"), _packaging_spec),
    "retail_ready": (_l("A retail-ready product"), _retail_ready),
    "online_sale": (_l("A first online sale"), _online_sale),
    "channel_feeds": (_l("Channel feeds in use"), _channel_feeds),
    "retail_order": (_l("A first retail-buyer order"), _retail_order),
    "quote_answered": (_l("A first quote answered"), _quote_answered),
    "repeat_retail_buyers": (_l("Repeat retail buyers"), _repeat_retail_buyers),
    "experience_offered": (_l("A community visit or experience offered"), _experience_offered),
}

_NEEDS_VARIANT_FACTS = {"cost_sheets", "prices_above_cost", "gtin13", "packaging_spec"}


@dataclass
class _Context:
    variant_facts: dict[int, _VariantFacts]


def evaluate(enterprises: Iterable[Enterprise], rules: Iterable[str]) -> dict[str, dict[int, RuleResult]]:
    """``{rule: {enterprise id: RuleResult}}`` for the rules asked (unknown keys are
    not done: a rule removed from the code leaves its item unprovable, never ticked)."""
    enterprises = list(enterprises)
    rules = list(dict.fromkeys(rules))
    ids = [e.id for e in enterprises]
    ctx = _Context(variant_facts=_variant_facts(ids) if ids and _NEEDS_VARIANT_FACTS & set(rules) else {})
    answers: dict[str, dict[int, RuleResult]] = {}
    for rule in rules:
        entry = RULES.get(rule)
        if entry is None or not ids:
            answers[rule] = {eid: RuleResult(False) for eid in ids}
        else:
            answers[rule] = entry[1](enterprises, ctx)
    return answers
