"""The cart (docs/product.md: Orders): guests keep theirs in the session, signed-in
users in ``cart_items``; a guest's cart is merged into the user's at sign-in.

Both kinds sit behind one small interface (``CartStore``) so every use case below
works the same for both: the view picks the store, the services never read
``request``, ``session`` or ``current_user``.

A cart line stores only the variant, the quantity and ``price_seen_satang`` (the unit
price the buyer saw when they added it or last accepted a change). Everything shown
is recomputed from the database on every read: today's price, stock, whether the item
is still on sale. A line whose price moved or whose stock ran short is *explained*
(old and new price, how many are left) and blocks checkout until the buyer accepts
the new price or changes the quantity; nothing is changed behind their back.

A cart may also hold *bookings*: seats on an experience session (adults, children and
the total the buyer saw), bought together with the products and paid once. The cart
stores them and adds them to its totals; the experiences area, above this one, prices
and checks them (``booking_lines``) and writes them into the order at checkout
(``place_bookings``), through the two hooks below. A booking whose price moved, whose
session filled up or can no longer be booked is explained and blocks checkout like a
product line.

Quantities are whole numbers from 1 up to the stock and ``ORDER_MAX_LINE_QUANTITY``.
Prices come from ``catalog.pricing`` (the one rule: verified retail buyers pay the
wholesale tier for the line's quantity, everyone else the retail price). A verified
buyer's line must also reach the variant's minimum order and be a whole number of
case packs: a change that breaks that is refused, and a line that breaks it (the terms
changed while it sat in the cart) is explained with the nearest quantity that fits.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass, field
from typing import Protocol

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, column, delete, func, select, table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from shop.accounts.models import User
from shop.cart import CART_SESSION_KEY
from shop.cart.models import CartBooking, CartItem
from shop.catalog import pricing
from shop.catalog.models import Enterprise, Product, Variant
from shop.catalog.pricing import PriceQuote, QuantityProblem, price_quote, quantity_problem, unit_price
from shop.catalog.services import is_product_visible
from shop.database import transaction
from shop.dbtypes import MAX_INT
from shop.errors import Conflict, NotFound, ValidationFailed
from shop.extensions import db
from shop.hooks import Hook
from shop.orders import shipping
from shop.thai import ascii_digits

#: Distinct items a cart may hold (a guest's cart lives in a size-limited cookie).
MAX_CART_LINES = 50
#: Experience sessions a cart may hold bookings on.
MAX_CART_BOOKINGS = 10
#: A guest cart's booking entries are keyed ``s<session id>`` beside the variant ids.
BOOKING_KEY_PREFIX = "s"
# Ids beyond a 32-bit integer cannot name a row; refusing them early keeps
# PostgreSQL from answering a forged id with an error.

# Why a line cannot be bought as it stands.
PROBLEM_UNAVAILABLE = "unavailable"  # no longer on sale
PROBLEM_SOLD_OUT = "sold_out"
PROBLEM_SHORT = "short"  # fewer left than the quantity in the cart
PROBLEM_WHOLESALE_QUANTITY = "wholesale_quantity"  # under the MOQ or not whole case packs
PROBLEM_SEATS_SHORT = "seats_short"  # a booking: fewer seats left than it asks for


@dataclass
class BookingLine:
    """A booking in the cart as the experiences area sees it now (``booking_lines``)."""

    session_id: int
    enterprise: Enterprise
    title: str
    when: str  # the session's day and time, in the buyer's language
    url: str  # the experience's page
    adults: int
    children: int
    #: (label, unit price, seats) for adults and children, as the order's lines will be.
    price_lines: list[tuple[str, int, int]]
    total_satang: int
    price_seen_satang: int
    seats_left: int
    #: None, ``PROBLEM_UNAVAILABLE`` (cancelled, started, unpublished) or ``PROBLEM_SEATS_SHORT``.
    problem: str | None = None
    #: The meeting point as an order address (``orders.addresses.ADDRESS_FIELDS`` but
    #: the name and phone): a cart of bookings only is "delivered" there.
    meeting_address: dict = field(default_factory=dict)
    photo_url: str | None = None  # a thumbnail of the experience, when it has photos

    @property
    def seats(self) -> int:
        return self.adults + self.children

    @property
    def price_changed(self) -> bool:
        return self.problem is None and self.total_satang != self.price_seen_satang

    @property
    def price_went_up(self) -> bool:
        return self.total_satang > self.price_seen_satang


#: ``handler(stored: list[StoredBooking], buyer, locale) -> list[BookingLine]``: today's
#: view of the cart's bookings, one line per stored booking whose session still exists
#: (a stored booking left out is dropped from the cart).
booking_lines = Hook("cart.booking_lines")
#: ``handler(order, lines: list[BookingLine], guest_name, phone, buyer)``: at checkout,
#: in the order's transaction, write each booking as its own fulfilment of ``order`` and
#: take the seats, or raise a ``DomainError`` (the whole order rolls back).
place_bookings = Hook("cart.place_bookings")


def view_bookings(stored: list[StoredBooking], *, buyer: User | None, locale: str) -> list[BookingLine]:
    if not stored:
        return []
    return [line for answer in booking_lines(stored, buyer, locale) for line in answer]


# ---------------------------------------------------------------- errors


class ItemNotFound(NotFound):
    code = "item_not_found"
    default_message = _l("We could not find that item. It may have been removed from sale.")


class NotInCart(NotFound):
    code = "not_in_cart"
    default_message = _l("That item is no longer in your cart.")


class NotOnSale(Conflict):
    code = "not_on_sale"
    default_message = _l("This item is not on sale right now.")


class NotEnoughStock(Conflict):
    code = "not_enough_stock"


class CartFull(ValidationFailed):
    code = "cart_full"


class WholesaleQuantityRefused(ValidationFailed):
    """A verified retail buyer's quantity under the MOQ or not a whole number of case
    packs; ``problem`` says which rule and the nearest quantity that fits."""

    code = "wholesale_quantity"

    def __init__(self, message, *, problem: QuantityProblem, variant_id: int, in_cart: bool = False,
                 fields: dict | None = None):
        super().__init__(message, fields=fields if fields is not None else {"quantity": message})
        self.problem = problem
        self.variant_id = variant_id
        self.in_cart = in_cart


# ---------------------------------------------------------------- stores


@dataclass(frozen=True)
class StoredLine:
    variant_id: int
    quantity: int
    price_seen_satang: int


@dataclass(frozen=True)
class StoredBooking:
    """Seats on one experience session: ``price_seen_satang`` is the booking's total
    the buyer saw when they put it in the cart (or last confirmed)."""

    session_id: int
    adults: int
    children: int
    price_seen_satang: int

    @property
    def seats(self) -> int:
        return self.adults + self.children


class CartStore(Protocol):
    """Where a cart's lines live; ``save`` makes the changes last (for the user's cart,
    within the use case's transaction, which commits them)."""

    is_guest: bool

    def lines(self) -> list[StoredLine]: ...

    def put(self, line: StoredLine) -> None: ...

    def delete(self, variant_ids: Iterable[int]) -> None: ...

    def bookings(self) -> list[StoredBooking]: ...

    def put_booking(self, booking: StoredBooking) -> None: ...

    def delete_bookings(self, session_ids: Iterable[int]) -> None: ...

    def save(self) -> None: ...


class SessionCart:
    """A guest's cart in the (signed) session: ``{"<variant id>": [quantity, price]}``,
    and its bookings as ``{"s<session id>": [adults, children, total seen]}`` in the
    same mapping (one session key: the cart survives sign-in as a whole).

    The session cookie is signed, so its content is ours; it is still read
    defensively (a line that does not parse is dropped) because it outlives deploys.
    """

    is_guest = True

    def __init__(self, session: MutableMapping):
        self._session = session

    def _data(self) -> dict[str, list[int]]:
        data = self._session.get(CART_SESSION_KEY)
        return data if isinstance(data, dict) else {}

    def lines(self) -> list[StoredLine]:
        return parse_session_cart(self._session.get(CART_SESSION_KEY))

    def put(self, line: StoredLine) -> None:
        data = dict(self._data())
        data[str(line.variant_id)] = [int(line.quantity), int(line.price_seen_satang)]
        self._session[CART_SESSION_KEY] = data

    def delete(self, variant_ids: Iterable[int]) -> None:
        data = dict(self._data())
        for variant_id in variant_ids:
            data.pop(str(variant_id), None)
        self._store(data)

    def _store(self, data: dict) -> None:
        if data:
            self._session[CART_SESSION_KEY] = data
        else:
            self._session.pop(CART_SESSION_KEY, None)

    def bookings(self) -> list[StoredBooking]:
        return parse_session_bookings(self._session.get(CART_SESSION_KEY))

    def put_booking(self, booking: StoredBooking) -> None:
        data = dict(self._data())
        data[f"{BOOKING_KEY_PREFIX}{booking.session_id}"] = [int(booking.adults), int(booking.children),
                                                             int(booking.price_seen_satang)]
        self._session[CART_SESSION_KEY] = data

    def delete_bookings(self, session_ids: Iterable[int]) -> None:
        data = dict(self._data())
        for session_id in session_ids:
            data.pop(f"{BOOKING_KEY_PREFIX}{session_id}", None)
        self._store(data)

    def save(self) -> None:
        # Assigning a new dict already marks a Flask session modified.
        if hasattr(self._session, "modified"):
            self._session.modified = True


class UserCart:
    """A signed-in user's cart, stored in ``cart_items``; ``save`` flushes the rows into
    the use case's ``transaction()``, which commits them."""

    is_guest = False

    def __init__(self, user: User):
        self.user = user

    def _items(self) -> dict[int, CartItem]:
        items = db.session.scalars(select(CartItem).where(CartItem.user_id == self.user.id))
        return {item.variant_id: item for item in items}

    def lines(self) -> list[StoredLine]:
        return [
            StoredLine(item.variant_id, item.quantity, item.price_seen_satang)
            for item in sorted(self._items().values(), key=lambda i: (i.added_at, i.id))
        ]

    def put(self, line: StoredLine) -> None:
        item = self._items().get(line.variant_id)
        if item is None:
            db.session.add(CartItem(user_id=self.user.id, variant_id=line.variant_id,
                                    quantity=line.quantity, price_seen_satang=line.price_seen_satang))
        else:
            item.quantity = line.quantity
            item.price_seen_satang = line.price_seen_satang

    def delete(self, variant_ids: Iterable[int]) -> None:
        ids = list(variant_ids)
        if ids:
            db.session.execute(
                delete(CartItem)
                .where(CartItem.user_id == self.user.id, CartItem.variant_id.in_(ids))
                .execution_options(synchronize_session="fetch")
            )

    def _bookings(self) -> dict[int, CartBooking]:
        rows = db.session.scalars(select(CartBooking).where(CartBooking.user_id == self.user.id))
        return {row.session_id: row for row in rows}

    def bookings(self) -> list[StoredBooking]:
        return [StoredBooking(row.session_id, row.adults, row.children, row.price_seen_satang)
                for row in sorted(self._bookings().values(), key=lambda r: (r.added_at, r.id))]

    def put_booking(self, booking: StoredBooking) -> None:
        row = self._bookings().get(booking.session_id)
        if row is None:
            db.session.add(CartBooking(user_id=self.user.id, session_id=booking.session_id, adults=booking.adults,
                                       children=booking.children, price_seen_satang=booking.price_seen_satang))
        else:
            row.adults, row.children = booking.adults, booking.children
            row.price_seen_satang = booking.price_seen_satang

    def delete_bookings(self, session_ids: Iterable[int]) -> None:
        ids = list(session_ids)
        if ids:
            db.session.execute(
                delete(CartBooking)
                .where(CartBooking.user_id == self.user.id, CartBooking.session_id.in_(ids))
                .execution_options(synchronize_session="fetch")
            )

    def save(self) -> None:
        db.session.flush()


class LinesCart:
    """Lines given all at once (an order placed through the API): nothing is stored.

    It belongs to a signed-in buyer (``is_guest`` is False), so checkout neither
    remembers a guest order in the session nor touches the buyer's stored cart;
    ``put`` and ``delete`` change the lines in memory only and ``save`` does nothing.
    """

    is_guest = False

    def __init__(self, lines: Iterable[StoredLine] = ()):
        self._lines: dict[int, StoredLine] = {}
        for line in lines:
            self.put(line)

    def lines(self) -> list[StoredLine]:
        return list(self._lines.values())

    def put(self, line: StoredLine) -> None:
        self._lines[line.variant_id] = line

    def delete(self, variant_ids: Iterable[int]) -> None:
        for variant_id in list(variant_ids):
            self._lines.pop(variant_id, None)

    def bookings(self) -> list[StoredBooking]:
        return []

    def put_booking(self, booking: StoredBooking) -> None:
        raise Conflict(_l("Experiences are booked on their own page, not in this order."))

    def delete_bookings(self, session_ids: Iterable[int]) -> None:
        pass

    def save(self) -> None:
        pass


def parse_session_cart(raw) -> list[StoredLine]:
    """The lines of a guest cart as stored in the session; malformed entries dropped."""
    if not isinstance(raw, dict):
        return []
    lines = []
    for key, value in raw.items():
        try:
            variant_id = int(key)
            quantity, price_seen = (int(v) for v in value)
        except (TypeError, ValueError):
            continue
        if 0 < variant_id <= MAX_INT and quantity >= 1 and price_seen >= 0:
            lines.append(StoredLine(variant_id, quantity, price_seen))
    return lines[:MAX_CART_LINES]


def parse_session_bookings(raw) -> list[StoredBooking]:
    """The bookings of a guest cart as stored in the session; malformed entries dropped."""
    if not isinstance(raw, dict):
        return []
    found = []
    for key, value in raw.items():
        if not (isinstance(key, str) and key.startswith(BOOKING_KEY_PREFIX)):
            continue
        try:
            session_id = int(key[len(BOOKING_KEY_PREFIX):])
            adults, children, seen = (int(v) for v in value)
        except (TypeError, ValueError):
            continue
        if 0 < session_id <= MAX_INT and adults >= 0 and children >= 0 and adults + children >= 1 and seen >= 0:
            found.append(StoredBooking(session_id, adults, children, seen))
    return found[:MAX_CART_BOOKINGS]


# ---------------------------------------------------------------- input


def max_line_quantity() -> int:
    return int(current_app.config["ORDER_MAX_LINE_QUANTITY"])


def parse_quantity(value) -> int:
    """A quantity from a form: a whole number from 1 to ``ORDER_MAX_LINE_QUANTITY``."""
    text = ascii_digits(str(value) if value is not None else "")
    limit = max_line_quantity()
    digits = text[1:] if text[:1] in "+-" else text
    if not text:
        message = _l("Enter how many you want.")
    elif not (digits.isascii() and digits.isdigit()):
        message = _l("Enter the quantity as a whole number, e.g. 2.")
    elif text.startswith("-") or not digits.lstrip("0"):
        message = _l("The quantity must be at least 1.")
    # Compare the length first: int() of a very long digit string is slow (and refused).
    elif len(digits.lstrip("0")) > len(str(limit)) or int(digits.lstrip("0")) > limit:
        message = _l("You can buy at most %(max)d of one item in one order.", max=limit)
    else:
        return int(digits.lstrip("0"))
    raise ValidationFailed(message, fields={"quantity": message})


def parse_variant_id(value) -> int:
    """A variant id from a form, or ItemNotFound for anything that cannot be one."""
    text = str(value or "").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 10:
        raise ItemNotFound()
    number = int(text)
    if not 0 < number <= MAX_INT:
        raise ItemNotFound()
    return number


# ---------------------------------------------------------------- prices and availability


def is_on_sale(variant: Variant) -> bool:
    return bool(variant.is_active and is_product_visible(variant.product))


def load_variants(variant_ids: Iterable[int], *, refresh: bool = False) -> dict[int, Variant]:
    """Variants with their product and enterprise, in one query.

    ``refresh`` re-reads rows already in the session (checkout wants the committed
    price and stock, not what an earlier read in the same request saw).
    """
    ids = sorted(set(variant_ids))
    if not ids:
        return {}
    statement = _variants_statement(refresh)
    return {v.id: v for v in db.session.scalars(statement, {"variant_ids": ids}).unique()}


@functools.cache
def _variants_statement(refresh: bool):
    """``load_variants``'s query, built once (at the first call, the models all
    mapped): every cart and checkout read passes only its ids."""
    statement = (
        select(Variant)
        .where(Variant.id.in_(bindparam("variant_ids", expanding=True)))
        .options(joinedload(Variant.product).joinedload(Product.enterprise))
    )
    return statement.execution_options(populate_existing=True) if refresh else statement


def stock_message(variant: Variant, available: int, locale: str):
    """Why only ``available`` of the variant can be bought (sold out, or how many are left)."""
    name = display_name(variant, locale)
    if available <= 0:
        return _l("%(name)s is sold out.", name=name)
    return _l("Only %(count)d of %(name)s left.", count=available, name=name)


def display_name(variant: Variant, locale: str = "th") -> str:
    product_name = variant.product.t("name", locale)
    variant_name = variant.t("name", locale)
    return f"{product_name} ({variant_name})" if variant_name else product_name


def quantity_limit(variant: Variant) -> int:
    """The most of ``variant`` one line may hold now: its stock, at most the shop's limit."""
    return min(max(0, int(variant.stock)), max_line_quantity())


def wholesale_quantity_message(variant: Variant, problem: QuantityProblem, locale: str):
    """Which wholesale rule a quantity breaks, with the numbers and the nearest fit."""
    name = display_name(variant, locale)
    if problem.rule == pricing.RULE_MOQ and problem.case_pack > 1:
        rule = _l("The minimum order of %(name)s is %(moq)d, in packs of %(pack)d.",
                  name=name, moq=problem.moq, pack=problem.case_pack)
    elif problem.rule == pricing.RULE_MOQ:
        rule = _l("The minimum order of %(name)s is %(moq)d.", name=name, moq=problem.moq)
    else:
        rule = _l("%(name)s comes in packs of %(pack)d: order a multiple of %(pack)d.",
                  name=name, pack=problem.case_pack)
    if problem.suggestion is None:
        fix = _l("Too few are left for the minimum order.")
    else:
        fix = _l("The nearest quantity you can order is %(count)d.", count=problem.suggestion)
    return f"{rule} {fix}"


def check_wholesale_quantity(variant: Variant, quantity: int, buyer: User | None, *, locale: str,
                             in_cart: bool = False, field: str = "quantity") -> None:
    """Refuse (422) a wholesale buyer's quantity under the MOQ or not in whole case packs."""
    problem = quantity_problem(variant, quantity, buyer, limit=quantity_limit(variant))
    if problem is not None:
        message = wholesale_quantity_message(variant, problem, locale)
        raise WholesaleQuantityRefused(message, problem=problem, variant_id=variant.id, in_cart=in_cart,
                                       fields={field: message})


# ---------------------------------------------------------------- reading the cart


@dataclass
class CartLine:
    """One line as the buyer should see it now."""

    variant: Variant
    quantity: int
    price_seen_satang: int
    unit_price_satang: int
    on_sale: bool
    #: How the price was reached (tier, saving, next tier); None where not worked out.
    quote: PriceQuote | None = None
    #: The wholesale rule the quantity breaks, for a verified retail buyer.
    quantity_problem: QuantityProblem | None = None

    @property
    def variant_id(self) -> int:
        return self.variant.id

    @property
    def product(self) -> Product:
        return self.variant.product

    @property
    def enterprise(self) -> Enterprise:
        return self.variant.product.enterprise

    @property
    def available(self) -> int:
        return max(0, int(self.variant.stock))

    @property
    def price_changed(self) -> bool:
        return self.on_sale and self.unit_price_satang != self.price_seen_satang

    @property
    def price_went_up(self) -> bool:
        return self.price_changed and self.unit_price_satang > self.price_seen_satang

    @property
    def problem(self) -> str | None:
        if not self.on_sale:
            return PROBLEM_UNAVAILABLE
        if self.available <= 0:
            return PROBLEM_SOLD_OUT
        if self.available < self.quantity:
            return PROBLEM_SHORT
        if self.quantity_problem is not None:
            return PROBLEM_WHOLESALE_QUANTITY
        return None

    def wholesale_quantity_message(self, locale: str):
        """Why the quantity breaks the wholesale terms (only with ``quantity_problem``)."""
        if self.quantity_problem is None:
            return ""
        return wholesale_quantity_message(self.variant, self.quantity_problem, locale)

    @property
    def saving_satang(self) -> int:
        """What this line saves against the retail price (wholesale buyers only)."""
        return max(0, self.quote.saving_satang) if self.quote is not None else 0

    @property
    def next_tier_units(self) -> int:
        """How many more reach the next cheaper tier, when that many can be bought."""
        quote = self.quote
        if quote is None or quote.next_tier_quantity is None or self.problem is not None:
            return 0
        if quote.next_tier_quantity > quantity_limit(self.variant):
            return 0
        return quote.units_to_next_tier

    @property
    def line_total_satang(self) -> int:
        return self.unit_price_satang * self.quantity

    @property
    def weight_grams(self) -> int:
        return int(self.variant.weight_grams or 0) * self.quantity


@dataclass
class CartGroup:
    """One enterprise's part of the cart: it becomes one fulfilment."""

    enterprise: Enterprise
    lines: list[CartLine]
    quotes: list[shipping.ShippingQuote] = field(default_factory=list)
    chosen: shipping.ShippingQuote | None = None

    @property
    def buyable_lines(self) -> list[CartLine]:
        return [line for line in self.lines if line.on_sale]

    @property
    def subtotal_satang(self) -> int:
        return sum(line.line_total_satang for line in self.buyable_lines)

    @property
    def weight_grams(self) -> int:
        return sum(line.weight_grams for line in self.buyable_lines)

    @property
    def shipping_satang(self) -> int:
        return self.chosen.fee_satang if (self.chosen and self.buyable_lines) else 0

    @property
    def total_satang(self) -> int:
        return self.subtotal_satang + self.shipping_satang


@dataclass
class CartView:
    groups: list[CartGroup]
    #: Items dropped because they no longer exist at all.
    removed_count: int = 0
    bookings: list[BookingLine] = field(default_factory=list)

    @property
    def lines(self) -> list[CartLine]:
        return [line for group in self.groups for line in group.lines]

    @property
    def is_empty(self) -> bool:
        return not self.lines and not self.bookings

    @property
    def bookings_only(self) -> bool:
        """Only bookings: nothing to deliver, so checkout asks for no address."""
        return bool(self.bookings) and not self.lines

    @property
    def item_count(self) -> int:
        return sum(line.quantity for line in self.lines) + len(self.bookings)

    @property
    def bookings_satang(self) -> int:
        return sum(booking.total_satang for booking in self.bookings if booking.problem != PROBLEM_UNAVAILABLE)

    @property
    def subtotal_satang(self) -> int:
        return sum(group.subtotal_satang for group in self.groups) + self.bookings_satang

    @property
    def shipping_satang(self) -> int:
        return sum(group.shipping_satang for group in self.groups)

    @property
    def total_satang(self) -> int:
        return self.subtotal_satang + self.shipping_satang

    @property
    def problem_lines(self) -> list[CartLine]:
        return [line for line in self.lines if line.problem]

    @property
    def changed_price_lines(self) -> list[CartLine]:
        return [line for line in self.lines if line.price_changed]

    @property
    def problem_bookings(self) -> list[BookingLine]:
        return [booking for booking in self.bookings if booking.problem]

    @property
    def changed_price_bookings(self) -> list[BookingLine]:
        return [booking for booking in self.bookings if booking.price_changed]

    @property
    def can_check_out(self) -> bool:
        return (not self.is_empty and not self.problem_lines and not self.changed_price_lines
                and not self.problem_bookings and not self.changed_price_bookings)


def build_view(stored: list[StoredLine], variants: dict[int, Variant], *, buyer: User | None, locale: str,
               shipping_choices: dict[int, str] | None = None) -> CartView:
    """Group stored lines by enterprise with today's prices, stock and shipping."""
    groups: dict[int, CartGroup] = {}
    removed = 0
    for line in stored:
        variant = variants.get(line.variant_id)
        if variant is None:
            removed += 1
            continue
        quote = price_quote(variant, line.quantity, buyer)
        cart_line = CartLine(
            variant=variant, quantity=line.quantity, price_seen_satang=line.price_seen_satang,
            unit_price_satang=quote.unit_price_satang, on_sale=is_on_sale(variant), quote=quote,
            quantity_problem=quantity_problem(variant, line.quantity, buyer, limit=quantity_limit(variant)),
        )
        enterprise = variant.product.enterprise
        groups.setdefault(enterprise.id, CartGroup(enterprise=enterprise, lines=[])).lines.append(cart_line)
    for group in groups.values():
        if not group.buyable_lines:
            continue
        group.quotes = shipping.quotes_for(
            group.enterprise.id, subtotal_satang=group.subtotal_satang, weight_grams=group.weight_grams, locale=locale
        )
        key = (shipping_choices or {}).get(group.enterprise.id)
        group.chosen = shipping.choose(group.quotes, key) or group.quotes[0]
    return CartView(groups=list(groups.values()), removed_count=removed)


def view_cart(cart: CartStore, *, buyer: User | None = None, locale: str = "th",
              shipping_choices: dict[int, str] | None = None) -> CartView:
    """The cart as it stands now. Lines whose item no longer exists are dropped (and
    counted in ``removed_count`` so the page can say so)."""
    stored = cart.lines()
    variants = load_variants(line.variant_id for line in stored)
    view = build_view(stored, variants, buyer=buyer, locale=locale, shipping_choices=shipping_choices)
    stored_bookings = cart.bookings()
    view.bookings = view_bookings(stored_bookings, buyer=buyer, locale=locale)
    found = {booking.session_id for booking in view.bookings}
    gone = [booking.session_id for booking in stored_bookings if booking.session_id not in found]
    view.removed_count += len(gone)
    if view.removed_count:
        with transaction():
            cart.delete(line.variant_id for line in stored if line.variant_id not in variants)
            cart.delete_bookings(gone)
            cart.save()
    return view


def item_count(cart: CartStore) -> int:
    """Units in the cart, for the header (no prices, no stock: one cheap read)."""
    if isinstance(cart, UserCart):
        units = select(func.coalesce(func.sum(CartItem.quantity), 0)).where(CartItem.user_id == cart.user.id)
        bookings = select(func.count(CartBooking.id)).where(CartBooking.user_id == cart.user.id)
        return int(db.session.scalar(select(units.scalar_subquery() + bookings.scalar_subquery())) or 0)
    return sum(line.quantity for line in cart.lines()) + len(cart.bookings())


# ---------------------------------------------------------------- changing the cart


def _on_sale_variant(variant_id: int) -> Variant:
    variant = load_variants([variant_id], refresh=True).get(variant_id)
    # A draft, an archived listing or a suspended enterprise's product is "not found",
    # as on the storefront; a live product whose option was withdrawn is explained.
    if variant is None or not is_product_visible(variant.product):
        raise ItemNotFound()
    if not variant.is_active:
        raise NotOnSale()
    return variant


def _check_stock(variant: Variant, quantity: int, *, locale: str, in_cart: int = 0) -> None:
    available = max(0, int(variant.stock))
    if quantity <= available:
        return
    message = stock_message(variant, available, locale)
    if in_cart and available > 0:
        message = _l("Only %(count)d of %(name)s left, and %(in_cart)d are already in your cart.",
                     count=available, name=display_name(variant, locale), in_cart=in_cart)
    raise NotEnoughStock(message, fields={"quantity": message})


def add_to_cart(cart: CartStore, variant_id, quantity, *, buyer: User | None = None, locale: str = "th") -> CartLine:
    """Add ``quantity`` units (on top of any already in the cart); returns the line.

    Refused, with the cart unchanged: a quantity that is not 1…max, an item not on sale,
    more than the stock left, a cart already holding ``MAX_CART_LINES`` items.
    """
    with transaction():
        variant_id = parse_variant_id(variant_id)
        quantity = parse_quantity(quantity)
        variant = _on_sale_variant(variant_id)
        existing = {line.variant_id: line for line in cart.lines()}
        in_cart = existing[variant_id].quantity if variant_id in existing else 0
        total = in_cart + quantity
        limit = max_line_quantity()
        if total > limit:
            message = _l("You can buy at most %(max)d of one item in one order.", max=limit)
            raise ValidationFailed(message, fields={"quantity": message})
        _check_stock(variant, total, locale=locale, in_cart=in_cart)
        check_wholesale_quantity(variant, total, buyer, locale=locale, in_cart=variant_id in existing)
        if variant_id not in existing and len(existing) >= MAX_CART_LINES:
            raise CartFull(_l("Your cart holds at most %(max)d different items. Check out or remove some first.",
                              max=MAX_CART_LINES))
        # The buyer is looking at today's price on the product page as they add.
        price = unit_price(variant, total, buyer)
        cart.put(StoredLine(variant_id, total, price))
        _save(cart)
    return CartLine(variant=variant, quantity=total, price_seen_satang=price, unit_price_satang=price, on_sale=True)


def set_quantity(cart: CartStore, variant_id, quantity, *, buyer: User | None = None, locale: str = "th") -> None:
    """Change a line's quantity (1…stock; for a verified retail buyer, at least the MOQ
    and in whole case packs). A price change not yet confirmed stays to be explained;
    otherwise the buyer now sees the price for the new quantity (its wholesale tier),
    which is not a change to explain."""
    with transaction():
        variant_id = parse_variant_id(variant_id)
        quantity = parse_quantity(quantity)
        existing = {line.variant_id: line for line in cart.lines()}
        if variant_id not in existing:
            raise NotInCart()
        variant = load_variants([variant_id], refresh=True).get(variant_id)
        if variant is None:
            # The item is gone for good: its line goes (and stays gone), then the
            # refusal below, after the commit.
            cart.delete([variant_id])
            _save(cart)
        else:
            if not is_on_sale(variant):
                raise NotOnSale(_l("%(name)s is no longer on sale. Remove it from your cart.",
                                   name=display_name(variant, locale)))
            _check_stock(variant, quantity, locale=locale)
            check_wholesale_quantity(variant, quantity, buyer, locale=locale, in_cart=True)
            line = existing[variant_id]
            seen = line.price_seen_satang
            if seen == unit_price(variant, line.quantity, buyer):
                seen = unit_price(variant, quantity, buyer)
            cart.put(StoredLine(variant_id, quantity, seen))
            _save(cart)
    if variant is None:
        raise NotInCart()


def remove_booking(cart: CartStore, session_id) -> bool:
    """Take a booking out of the cart; True if it was there."""
    try:
        session_id = parse_variant_id(session_id)
    except ItemNotFound:
        return False
    with transaction():
        present = any(booking.session_id == session_id for booking in cart.bookings())
        if present:
            cart.delete_bookings([session_id])
            _save(cart)
    return present


def remove_from_cart(cart: CartStore, variant_id) -> bool:
    """Remove a line; True if it was there (removing twice is not an error)."""
    try:
        variant_id = parse_variant_id(variant_id)
    except ItemNotFound:
        return False
    with transaction():
        present = any(line.variant_id == variant_id for line in cart.lines())
        if present:
            cart.delete([variant_id])
            _save(cart)
    return present


def accept_current_prices(cart: CartStore, *, buyer: User | None = None, locale: str = "th") -> int:
    """The buyer confirms today's prices (of products and bookings); returns how many
    lines changed."""
    with transaction():
        stored = cart.lines()
        variants = load_variants((line.variant_id for line in stored), refresh=True)
        changed = 0
        for line in stored:
            variant = variants.get(line.variant_id)
            if variant is None:
                continue
            price = unit_price(variant, line.quantity, buyer)
            if price != line.price_seen_satang:
                cart.put(StoredLine(line.variant_id, line.quantity, price))
                changed += 1
        for booking in view_bookings(cart.bookings(), buyer=buyer, locale=locale):
            if booking.price_changed:
                cart.put_booking(StoredBooking(booking.session_id, booking.adults, booking.children,
                                               booking.total_satang))
                changed += 1
        if changed:
            _save(cart)
    return changed


def _save(cart: CartStore) -> None:
    """``cart.save()`` inside the use case's transaction (which rolls back when this raises)."""
    try:
        cart.save()
    except IntegrityError:
        # Two requests of the same user added the same item at once: the other one won.
        raise Conflict(_l("Your cart changed in another window. Please try again.")) from None


def merge_guest_cart(user: User, raw_guest_cart) -> int:
    """Fold a guest's session cart into the user's stored cart at sign-in; returns the
    number of items merged.

    An item in both keeps the larger quantity rather than the sum: the same bag of
    coffee put in the cart on the phone and again on the laptop is one bag wanted, not
    two. The price the guest saw wins (it is the most recent one this buyer saw).
    Checks of stock and price happen when the cart is shown, as for any cart.
    """
    guest_lines = parse_session_cart(raw_guest_cart)
    guest_bookings = parse_session_bookings(raw_guest_cart)
    if not guest_lines and not guest_bookings:
        return 0
    try:
        with transaction():
            store = UserCart(user)
            mine = {line.variant_id: line for line in store.lines()}
            existing_ids = set(db.session.scalars(
                select(Variant.id).where(Variant.id.in_([line.variant_id for line in guest_lines]))
            ))
            merged = 0
            limit = max_line_quantity()
            for line in guest_lines:
                if line.variant_id not in existing_ids:
                    continue
                if line.variant_id not in mine and len(mine) >= MAX_CART_LINES:
                    break
                current = mine.get(line.variant_id)
                quantity = min(limit, max(line.quantity, current.quantity if current else 0))
                merged_line = StoredLine(line.variant_id, quantity, line.price_seen_satang)
                store.put(merged_line)
                mine[line.variant_id] = merged_line
                merged += 1
            merged += _merge_bookings(store, guest_bookings)
    except IntegrityError:
        return 0  # another sign-in of this user merged at the same moment; nothing of this one stays
    return merged


def _merge_bookings(store: UserCart, guest_bookings: list[StoredBooking]) -> int:
    """The guest's bookings into the user's cart: the guest's seats for a session win
    (the most recent choice); sessions that no longer exist are left out."""
    if not guest_bookings:
        return 0
    sessions = table("experience_sessions", column("id"))  # the experiences area's table, by name
    existing = set(db.session.scalars(select(sessions.c.id).where(
        sessions.c.id.in_([b.session_id for b in guest_bookings]))))
    mine = set(store._bookings())  # the sessions the user's cart already books
    merged = 0
    for booking in guest_bookings:
        if booking.session_id not in existing:
            continue
        if booking.session_id not in mine and len(mine) >= MAX_CART_BOOKINGS:
            break
        store.put_booking(booking)
        mine.add(booking.session_id)
        merged += 1
    return merged
