"""Quick order: many items into the cart at once, typed as ``SKU quantity`` lines or
uploaded as a CSV file (docs/product.md: Wholesale, "Quick order").

Reading (pure functions, no database): ``parse_text`` and ``parse_csv`` turn the
input into numbered ``Entry`` rows (the line of the text, or the row of the file).
Thai digits count as digits, spaces around and between the two values do not
matter, blank lines are skipped; a value may be separated from the next by spaces,
a tab, a comma or a semicolon. A CSV may start with a ``sku,quantity`` header (any
order of those two columns, ``qty`` and ``จำนวน`` also name the quantity), may
start with a byte-order mark as Excel writes it, and may use commas, semicolons or
tabs.

Naming an item: an SKU is unique within one enterprise only, so the reference on a
line is read as

* ``enterprise-slug/SKU``: that enterprise's SKU (when the part before the first
  ``/`` is not an enterprise's slug, the whole reference is an SKU: SKUs may hold
  ``/``);
* a 13-digit GTIN barcode: the option with that barcode (when no option on sale
  has it, it is tried as an SKU);
* otherwise an SKU, in any letter case.

An SKU that names options on sale at several enterprises is *ambiguous*: the line
is refused with the ``enterprise-slug/SKU`` references (and the barcode, where the
option has one) that would pick each.

Checking (``check_entries``): every line is checked before anything is added, and
one refused line refuses the whole order; lines naming the same option are summed
(with what is in the cart already) and checked once. The use case ``quick_order``
adds all the lines through ``cart.services.add_to_cart`` (so prices come from
``catalog.pricing``) in one ``transaction()``, or nothing.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from shop.accounts.models import User
from shop.cart import services as cart_services
from shop.cart.services import CartStore, StoredLine
from shop.catalog import pricing
from shop.catalog.models import Enterprise, Product, Variant
from shop.catalog.retail_ready import retail_ready
from shop.catalog.services import is_product_visible
from shop.database import transaction
from shop.errors import DomainError, ValidationFailed
from shop.extensions import db
from shop.text import TextRefused, clean_text
from shop.thai import ascii_digits

#: The largest CSV file read, and the longest text (Thai is 3 bytes a character).
MAX_FILE_BYTES = 256 * 1024
MAX_TEXT_CHARS = 64 * 1024
#: Lines (or rows) with an item on them, per quick order.
MAX_ENTRIES = 200

SOURCE_TEXT = "text"
SOURCE_FILE = "file"

_SEPARATORS = re.compile(r"[\s,;]+")
_GTIN = re.compile(r"^[0-9]{13}$")
_SKU_HEADERS = {"sku", "รหัสสินค้า", "รหัส"}
_QUANTITY_HEADERS = {"quantity", "qty", "จำนวน"}
#: Choices listed for an ambiguous SKU.
_MAX_CHOICES = 5


@dataclass(frozen=True)
class Entry:
    """One line of the text (or row of the file) that names an item."""

    number: int
    reference: str
    quantity: str


@dataclass
class LineProblem:
    """Why the lines ``numbers`` (all naming ``reference``'s option) are refused;
    ``suggestion`` is the quantity to write instead, where one fits."""

    numbers: tuple[int, ...]
    reference: str
    message: str
    suggestion: int | None = None


@dataclass
class CheckedLine:
    """An option to add, with the quantity asked for and the lines that asked."""

    variant: Variant
    quantity: int
    numbers: tuple[int, ...]
    reference: str


@dataclass
class QuickOrderCheck:
    entries: list[Entry]
    source: str = SOURCE_TEXT
    lines: list[CheckedLine] = field(default_factory=list)
    problems: list[LineProblem] = field(default_factory=list)
    #: What is wrong with the input as a whole (an unreadable file, too many lines …).
    form_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.entries) and not self.problems and not self.form_errors

    @property
    def has_suggestions(self) -> bool:
        return any(problem.suggestion for problem in self.problems)

    def suggested_text(self) -> str:
        """The input as ``SKU quantity`` lines with every suggested quantity applied
        (lines summed for one option become one line, at the first one's place)."""
        suggested = {}
        for problem in self.problems:
            if problem.suggestion:
                suggested.update({number: problem for number in problem.numbers})
        written, out = set(), []
        for entry in self.entries:
            problem = suggested.get(entry.number)
            if problem is None:
                out.append(f"{entry.reference} {entry.quantity}")
            elif id(problem) not in written:
                written.add(id(problem))
                out.append(f"{entry.reference} {problem.suggestion}")
        return "\n".join(out)


class QuickOrderRefused(ValidationFailed):
    """Nothing was added: ``check`` holds the refused lines."""

    code = "quick_order_refused"

    def __init__(self, check: QuickOrderCheck):
        if check.form_errors:
            message = check.form_errors[0]
        else:
            message = _l("Nothing was added to your cart. Correct the lines below and try again.")
        super().__init__(message)
        self.check = check


# ---------------------------------------------------------------- reading the input


def _entry_limit_error() -> str:
    return str(_l("A quick order holds at most %(max)d lines. Split it into several orders.", max=MAX_ENTRIES))


def parse_text(text: str | None) -> QuickOrderCheck:
    """``SKU quantity`` lines typed in the form."""
    check = QuickOrderCheck(entries=[], source=SOURCE_TEXT)
    text = (text or "").replace("\ufeff", "")
    if len(text) > MAX_TEXT_CHARS:
        check.form_errors.append(str(_l("The list is too long. Split it into several orders.")))
        return check
    for number, raw in enumerate(text.splitlines(), start=1):
        parts = [part for part in _SEPARATORS.split(ascii_digits(raw)) if part]
        if not parts:
            continue
        if len(check.entries) >= MAX_ENTRIES:
            check.form_errors.append(_entry_limit_error())
            return check
        if len(parts) == 1:
            check.entries.append(Entry(number, parts[0], ""))
        elif len(parts) == 2:
            check.entries.append(Entry(number, parts[0], parts[1]))
        else:
            # Kept whole, so the line is refused as typed.
            check.entries.append(Entry(number, parts[0], " ".join(parts[1:])))
    if not check.entries and not check.form_errors:
        check.form_errors.append(str(_l("Type at least one line: the SKU, a space and the quantity.")))
    return check


def _decode(data: bytes) -> tuple[str | None, str | None]:
    if not data:
        return None, str(_l("The file is empty."))
    if len(data) > MAX_FILE_BYTES:
        return None, str(_l("The file is too large (at most %(kb)d KB).", kb=MAX_FILE_BYTES // 1024))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return None, str(_l("The file is not UTF-8 text. In your spreadsheet choose “CSV UTF-8” when saving."))
    if "\x00" in text:
        return None, str(_l("This is not a CSV file."))
    return text, None


def parse_csv(data: bytes) -> QuickOrderCheck:
    """An uploaded CSV: an optional ``sku,quantity`` header, then one item a row."""
    check = QuickOrderCheck(entries=[], source=SOURCE_FILE)
    text, problem = _decode(data)
    if problem:
        check.form_errors.append(problem)
        return check
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    sku_at, quantity_at = 0, 1
    try:
        for record in reader:
            try:
                # The free-text rule, as for the typed lines.
                cells = [ascii_digits(clean_text(cell)) for cell in record]
            except TextRefused as exc:
                check.form_errors.append(str(_l("Row %(n)d: %(reason)s", n=reader.line_num, reason=exc.message())))
                return check
            if not any(cells):
                continue
            names = [cell.lower() for cell in cells]
            if not check.entries and (_SKU_HEADERS & set(names) or _QUANTITY_HEADERS & set(names)):
                sku_at = next((i for i, n in enumerate(names) if n in _SKU_HEADERS), 0)
                quantity_at = next((i for i, n in enumerate(names) if n in _QUANTITY_HEADERS),
                                   1 if sku_at == 0 else 0)
                continue
            if len(check.entries) >= MAX_ENTRIES:
                check.form_errors.append(_entry_limit_error())
                return check
            reference = cells[sku_at] if sku_at < len(cells) else ""
            quantity = cells[quantity_at] if quantity_at < len(cells) else ""
            check.entries.append(Entry(reader.line_num, reference, quantity))
    except csv.Error as exc:
        check.form_errors.append(str(_l("Line %(n)s is not valid CSV: %(detail)s", n=reader.line_num,
                                        detail=str(exc))))
        return check
    if not check.entries:
        check.form_errors.append(str(_l("The file has no rows with an SKU and a quantity.")))
    return check


# ---------------------------------------------------------------- naming the item


@dataclass
class _Resolution:
    variant: Variant | None = None
    #: Options the reference could mean (ambiguous when more than one).
    choices: list[Variant] = field(default_factory=list)
    #: Options it names that are not on sale.
    off_sale: Variant | None = None


def _load(condition) -> list[Variant]:
    return list(db.session.scalars(
        select(Variant).where(condition)
        .options(joinedload(Variant.product).joinedload(Product.enterprise),
                 selectinload(Variant.wholesale_tiers))
        .order_by(Variant.id)
    ).unique())


def resolve_references(references: Iterable[str]) -> dict[str, _Resolution]:
    """Which option each reference names (see the module docstring), in three queries."""
    references = sorted(set(r for r in references if r))
    if not references:
        return {}
    skus, slugs, gtins = set(), set(), set()
    for reference in references:
        skus.add(reference.lower())
        if "/" in reference:
            slug, _, sku = reference.partition("/")
            slugs.add(slug.lower())
            skus.add(sku.lower())
        if _GTIN.match(reference):
            gtins.add(reference)
    enterprises = {e.slug.lower(): e for e in db.session.scalars(
        select(Enterprise).where(func.lower(Enterprise.slug).in_(sorted(slugs))))} if slugs else {}
    by_sku: dict[str, list[Variant]] = {}
    for variant in _load(func.lower(Variant.sku).in_(sorted(skus))):
        by_sku.setdefault(variant.sku.lower(), []).append(variant)
    by_gtin: dict[str, list[Variant]] = {}
    if gtins:
        for variant in _load(Variant.gtin13.in_(sorted(gtins))):
            by_gtin.setdefault(variant.gtin13, []).append(variant)

    def decide(candidates: list[Variant]) -> _Resolution:
        visible = [v for v in candidates if is_product_visible(v.product)]
        buyable = [v for v in visible if v.is_active]
        if len(buyable) == 1:
            return _Resolution(variant=buyable[0])
        if len(buyable) > 1:
            return _Resolution(choices=buyable)
        if candidates:
            return _Resolution(off_sale=(visible or candidates)[0])
        return _Resolution()

    answers = {}
    for reference in references:
        if "/" in reference:
            slug, _, sku = reference.partition("/")
            enterprise = enterprises.get(slug.lower())
            if enterprise is not None:
                answers[reference] = decide([v for v in by_sku.get(sku.lower(), [])
                                             if v.enterprise_id == enterprise.id])
                continue
        answer = _Resolution()
        if _GTIN.match(reference):
            answer = decide(by_gtin.get(reference, []))
        if answer.variant is None and not answer.choices:
            by_code = decide(by_sku.get(reference.lower(), []))
            if by_code.variant is not None or by_code.choices or answer.off_sale is None:
                answer = by_code
        answers[reference] = answer
    return answers


def _choice_text(variant: Variant, locale: str) -> str:
    text = f"{variant.product.enterprise.slug}/{variant.sku}"
    name = variant.product.enterprise.t("name", locale)
    if variant.gtin13:
        return str(_l("%(reference)s (%(enterprise)s, barcode %(gtin)s)", reference=text, enterprise=name,
                      gtin=variant.gtin13))
    return str(_l("%(reference)s (%(enterprise)s)", reference=text, enterprise=name))


# ---------------------------------------------------------------- checking


def _quantity(entry: Entry) -> tuple[int | None, str | None]:
    if not entry.quantity:
        return None, str(_l("Write the quantity after the SKU, e.g. %(example)s.",
                            example=f"{entry.reference} 12"))
    if " " in entry.quantity:
        return None, str(_l("Write one SKU and one quantity on each line."))
    try:
        return cart_services.parse_quantity(entry.quantity), None
    except DomainError as exc:
        return None, str(exc.message)


def check_entries(check: QuickOrderCheck, *, cart: CartStore, buyer: User | None, locale: str) -> QuickOrderCheck:
    """Fill ``check.lines`` and ``check.problems``: every entry is looked at, none added."""
    if check.form_errors:
        return check
    answers = resolve_references(entry.reference for entry in check.entries)
    wholesale = pricing.buys_wholesale(buyer)
    in_cart = {line.variant_id: line.quantity for line in cart.lines()}
    limit = cart_services.max_line_quantity()

    # Each entry alone: the item it names and its quantity.
    grouped: dict[int, list[tuple[Entry, int]]] = {}
    order: list[int] = []
    refused_variants: set[int] = set()
    for entry in check.entries:
        answer = answers.get(entry.reference, _Resolution())
        quantity, quantity_problem = _quantity(entry)
        if answer.choices:
            choices = ", ".join(_choice_text(v, locale) for v in answer.choices[:_MAX_CHOICES])
            check.problems.append(LineProblem((entry.number,), entry.reference, str(_l(
                "Several enterprises use the SKU %(sku)s. Write the one you mean as enterprise/SKU or give "
                "its barcode: %(choices)s.", sku=entry.reference, choices=choices))))
            continue
        variant = answer.variant or answer.off_sale
        if variant is None:
            check.problems.append(LineProblem((entry.number,), entry.reference, str(_l(
                "We found no item with the SKU or barcode %(sku)s.", sku=entry.reference))))
            continue
        if quantity_problem:
            check.problems.append(LineProblem((entry.number,), entry.reference, quantity_problem))
            refused_variants.add(variant.id)
        if variant.id not in grouped:
            order.append(variant.id)
        grouped.setdefault(variant.id, []).append((entry, quantity or 0))

    # Each item once, with its lines summed and what the cart holds.
    for variant_id in order:
        rows = grouped[variant_id]
        numbers = tuple(entry.number for entry, _ in rows)
        reference = rows[0][0].reference
        variant = _variant_of(answers, reference)
        name = cart_services.display_name(variant, locale)

        def refuse(message, suggestion: int | None = None):
            check.problems.append(LineProblem(numbers, reference, str(message), suggestion))  # noqa: B023

        if not cart_services.is_on_sale(variant):
            refuse(_l("%(name)s is not on sale.", name=name))
            continue
        if wholesale and not retail_ready(variant.product):
            refuse(_l("%(name)s is not in the wholesale catalogue, so it cannot be ordered at wholesale terms.",
                      name=name))
            continue
        if variant_id in refused_variants:
            continue
        asked = sum(quantity for _, quantity in rows)
        held = in_cart.get(variant_id, 0)
        total = asked + held
        if total > limit:
            if held:
                refuse(_l("You can buy at most %(max)d of one item in one order, and %(in_cart)d are already "
                          "in your cart.", max=limit, in_cart=held), _fit(variant, limit, held, buyer))
            else:
                refuse(_l("You can buy at most %(max)d of one item in one order.", max=limit),
                       _fit(variant, limit, held, buyer))
            continue
        available = max(0, int(variant.stock))
        if total > available:
            if held and available > 0:
                message = _l("Only %(count)d of %(name)s left, and %(in_cart)d are already in your cart.",
                             count=available, name=name, in_cart=held)
            else:
                message = cart_services.stock_message(variant, available, locale)
            refuse(message, _fit(variant, total, held, buyer))
            continue
        problem = pricing.quantity_problem(variant, total, buyer, limit=cart_services.quantity_limit(variant))
        if problem is not None:
            message = cart_services.wholesale_quantity_message(variant, problem, locale)
            if held:
                message = f"{message} {_l('%(count)d are already in your cart.', count=held)}"
            suggestion = problem.suggestion - held if problem.suggestion and problem.suggestion > held else None
            refuse(message, suggestion)
            continue
        check.lines.append(CheckedLine(variant, asked, numbers, reference))

    new_items = {line.variant.id for line in check.lines} - set(in_cart)
    if not check.problems and len(in_cart) + len(new_items) > cart_services.MAX_CART_LINES:
        check.form_errors.append(str(_l(
            "Your cart holds at most %(max)d different items. Check out or remove some first.",
            max=cart_services.MAX_CART_LINES)))
    check.problems.sort(key=lambda p: p.numbers[0])
    return check


def _variant_of(answers: dict[str, _Resolution], reference: str) -> Variant:
    answer = answers[reference]
    return answer.variant or answer.off_sale


def _fit(variant: Variant, total: int, held: int, buyer: User | None) -> int | None:
    """The quantity to write on the line so that it, with ``held`` in the cart, can be
    bought: the stock and the per-line limit, and for a wholesale buyer the minimum
    order and the case pack (the nearest valid quantity)."""
    limit = cart_services.quantity_limit(variant)
    best = min(total, limit)
    if pricing.buys_wholesale(buyer):
        best = pricing.nearest_valid_quantity(variant, best, limit)
        if best is None:
            return None
    return best - held if best > held else None


# ---------------------------------------------------------------- the use case


@dataclass(frozen=True)
class QuickOrderResult:
    lines: list[CheckedLine]

    @property
    def item_count(self) -> int:
        return len(self.lines)

    @property
    def unit_count(self) -> int:
        return sum(line.quantity for line in self.lines)


def quick_order(cart: CartStore, check: QuickOrderCheck, *, buyer: User | None = None,
                locale: str = "th") -> QuickOrderResult:
    """Add every line of ``check`` (from ``parse_text`` or ``parse_csv``) to the cart,
    or none: ``QuickOrderRefused`` (422) carries the refused lines."""
    before = cart.lines() if cart.is_guest else None
    try:
        with transaction():
            check_entries(check, cart=cart, buyer=buyer, locale=locale)
            if not check.ok:
                raise QuickOrderRefused(check)
            for line in check.lines:
                try:
                    cart_services.add_to_cart(cart, line.variant.id, line.quantity, buyer=buyer, locale=locale)
                except DomainError as exc:  # the stock or the item changed a moment ago
                    check.problems.append(LineProblem(line.numbers, line.reference, str(exc.message)))
                    raise QuickOrderRefused(check) from None
    except DomainError:
        if before is not None:
            _restore(cart, before)
        raise
    return QuickOrderResult(check.lines)


def _restore(cart: CartStore, lines: list[StoredLine]) -> None:
    """Put a guest's session cart back as it was (a stored cart is rolled back)."""
    cart.delete([line.variant_id for line in cart.lines()])
    for line in lines:
        cart.put(line)
    cart.save()
