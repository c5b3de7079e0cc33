"""Order again: a signed-in buyer's past order back into the cart (docs/product.md:
Wholesale, "Order again").

Only the buyer's own orders (anyone else's, staff included, and guests' orders are
404: a guest has no stored cart to fill and orders again through the products'
pages). Each option of the order is added through ``cart.services.add_to_cart`` at
today's price for the new quantity (``catalog.pricing``, never the price paid
then), on top of what the cart already holds, and the buyer is told what differs:

* the price now, with the price paid then, where they differ;
* an option no longer on sale (or removed) is skipped;
* fewer in stock than ordered: the quantity is lowered to what is left;
* for a verified retail buyer, a quantity under today's minimum order or not in
  whole case packs becomes the nearest valid quantity (``pricing.quantity_problem``),
  and an option whose minimum order is more than the stock left is skipped;
* an option that no longer fits in a full cart is skipped.

Everything is added in one ``transaction()``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l

from shop.accounts.models import User
from shop.cart import services as cart_services
from shop.cart.services import CartStore
from shop.catalog import pricing
from shop.database import transaction
from shop.errors import DomainError, NotFound
from shop.money import format_baht
from shop.orders.access import load_order_for_buyer
from shop.orders.models import Order

#: What happened to one line of the old order.
ADDED = "added"
SKIPPED = "skipped"


@dataclass
class ReorderLine:
    name: str
    ordered: int
    added: int = 0
    #: Why the line is not as it was, each already in the buyer's language.
    notes: list[str] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        return ADDED if self.added else SKIPPED


@dataclass
class ReorderResult:
    order: Order
    lines: list[ReorderLine]

    @property
    def added_lines(self) -> list[ReorderLine]:
        return [line for line in self.lines if line.added]

    @property
    def changed_lines(self) -> list[ReorderLine]:
        return [line for line in self.lines if line.notes]


def own_order(public_id: str, user: User | None) -> Order:
    """The order ``public_id`` when ``user`` placed it; NotFound for anything else."""
    if user is None or not getattr(user, "is_authenticated", False):
        raise NotFound()
    order = load_order_for_buyer(public_id, user, None)
    if order.user_id != user.id:
        raise NotFound()
    return order


def order_again(cart: CartStore, order: Order, *, buyer: User, locale: str = "th") -> ReorderResult:
    """Put ``order``'s lines into the buyer's cart at today's prices (see the module
    docstring); returns what was added and what changed, line by line."""
    wanted: dict[int | None, list] = {}
    for line in order.lines:
        key = line.variant_id if line.variant_id is not None else -line.id
        wanted.setdefault(key, [line, 0])[1] += line.quantity
    results = []
    with transaction():
        variants = cart_services.load_variants(k for k in wanted if k and k > 0)
        for key, (old, quantity) in wanted.items():
            variant = variants.get(key)
            name = cart_services.display_name(variant, locale) if variant is not None else old.name(locale)
            result = ReorderLine(name=name, ordered=quantity)
            results.append(result)
            if variant is None or not cart_services.is_on_sale(variant):
                result.notes.append(str(_l("No longer on sale: skipped.")))
                continue
            _add(cart, variant, quantity, old.unit_price_satang, result, buyer=buyer, locale=locale)
    return ReorderResult(order=order, lines=results)


def _add(cart: CartStore, variant, ordered: int, old_price: int, result: ReorderLine, *, buyer: User,
         locale: str) -> None:
    held = {line.variant_id: line.quantity for line in cart.lines()}
    in_cart = held.get(variant.id, 0)
    if variant.id not in held and len(held) >= cart_services.MAX_CART_LINES:
        result.notes.append(str(_l("Your cart is full: skipped.")))
        return
    limit = cart_services.quantity_limit(variant)
    target = in_cart + ordered
    lowered = target > limit
    if lowered:
        target = limit
    problem = pricing.quantity_problem(variant, target, buyer, limit=limit)
    adjusted = problem is not None
    if adjusted:
        if problem.suggestion is None:
            result.notes.append(str(_l("Too few are left for the minimum order of %(moq)d: skipped.",
                                       moq=problem.moq)))
            return
        target = problem.suggestion
    if target <= in_cart:
        if limit <= 0:
            result.notes.append(str(_l("Sold out: skipped.")))
        else:
            result.notes.append(str(_l("Only %(count)d in stock, and your cart already holds %(in_cart)d: "
                                       "skipped.", count=limit, in_cart=in_cart)))
        return
    added = target - in_cart
    try:
        cart_services.add_to_cart(cart, variant.id, added, buyer=buyer, locale=locale)
    except DomainError as exc:
        result.notes.append(str(exc.message))
        return
    result.added = added
    if lowered:
        result.notes.append(str(_l("Only %(count)d in stock: quantity lowered to %(quantity)d.",
                                   count=max(0, int(variant.stock)), quantity=added)))
    elif adjusted:
        if problem.rule == pricing.RULE_MOQ:
            result.notes.append(str(_l("Quantity changed to %(quantity)d for the minimum order of %(moq)d.",
                                       quantity=added, moq=problem.moq)))
        else:
            result.notes.append(str(_l("Quantity changed to %(quantity)d to make whole packs of %(pack)d.",
                                       quantity=added, pack=problem.case_pack)))
    price = pricing.unit_price(variant, target, buyer)
    if price != old_price:
        result.notes.append(str(_l("Price now %(new)s (was %(old)s).", new=format_baht(price, locale=locale),
                                   old=format_baht(old_price, locale=locale))))
