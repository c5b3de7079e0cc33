"""PDF receipts, and tax invoices for VAT-registered enterprises: one per fulfilment.

Each enterprise sells its own part of an order (its fulfilment), so each part gets its
own document, numbered in the enterprise's sequence when the order is paid
(``documents.assign_document_number``). A fulfilment whose number was taken as a tax
invoice (``INV…``) is printed as a full tax invoice (ใบกำกับภาษีเต็มรูป) with what the
Thai Revenue Code s.86/4 asks for:

* the words "ใบกำกับภาษี", prominently;
* the seller's name, address and 13-digit tax ID, and its branch (enterprises sell from
  their head office, "สำนักงานใหญ่");
* the buyer's name and address, and their tax ID and branch when the order carries
  them (business buyers);
* the document number and the date of issue (the payment date, Bangkok time);
* the description, quantity and value of the goods, and the VAT shown separately.

Prices on the marketplace include VAT, so the VAT is taken out of the total:
``vat = round(total × 7 / 107)`` in integer satang. A tax invoice is written in Thai, as
the Code requires; a buyer reading in English gets Thai with English beside it. Other
enterprises' documents are receipts (ใบเสร็จรับเงิน) in the reader's language that say
they are not tax invoices.

Which kind of document a fulfilment gets is fixed by its number, not by the
enterprise's current VAT registration, so a document prints the same way every time.

Thai needs a font with Thai glyphs and a shaping engine to place vowels and tone marks:
the Sarabun TTFs come from the ``fontpkg_sarabun`` package (installed with the app,
never downloaded at run time), and fpdf2 shapes text with HarfBuzz (``uharfbuzz``)
when it is installed. Thai has no spaces between words, and fpdf2 would break a long
Thai name anywhere, even between a consonant and its vowel; ``wrap_text`` breaks lines
at spaces, then at Thai word boundaries (the dictionary segmenter of ``shop.thai``), and
only as a last resort between characters, never inside a cluster.
"""

from __future__ import annotations

import re
import unicodedata
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import fontpkg_sarabun
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from fpdf import FPDF
from fpdf.enums import XPos, YPos
from fpdf.errors import FPDFException
from sqlalchemy import select

from shop.errors import Conflict, NotFound
from shop.extensions import db
from shop.geo import province_by_code
from shop.i18n import format_day
from shop.orders import status as st
from shop.orders.documents import is_tax_invoice
from shop.orders.models import Fulfilment, Order
from shop.thai import is_thai, segmenter

BANGKOK = ZoneInfo("Asia/Bangkok")
VAT_PERCENT = 7
FONT_FAMILY = "Sarabun"
FONT_FILES = {"": "Sarabun-Regular.ttf", "B": "Sarabun-Bold.ttf"}
# Bangkok's subdistricts and districts are แขวง and เขต; elsewhere ตำบล and อำเภอ.
BANGKOK_PROVINCE_CODE = "10"
# The legal heading of a tax invoice: always Thai, whatever language the reader uses.
TAX_INVOICE_HEADING = "ใบกำกับภาษี / ใบเสร็จรับเงิน"


class DocumentNotReady(Conflict):
    """The order is not paid (or this part has no document number yet)."""

    default_message = _l("A receipt is issued once the payment for this order has been confirmed.")


# ---------------------------------------------------------------------------------------
# Money on documents (integer satang only)


def vat_included(total_satang: int) -> int:
    """The VAT inside a VAT-inclusive amount: ``round(total × 7 / 107)``, halves up,
    in integer arithmetic (no floats)."""
    total = int(total_satang)
    if total < 0:
        raise ValueError("amount must not be negative")
    return (2 * total * VAT_PERCENT + 100 + VAT_PERCENT) // (2 * (100 + VAT_PERCENT))


def format_amount(satang: int) -> str:
    """``123450`` -> ``"1,234.50"``: two decimals always, as accounts are written."""
    sign = "-" if satang < 0 else ""
    whole, fraction = divmod(abs(int(satang)), 100)
    return f"{sign}{whole:,}.{fraction:02d}"


_THAI_DIGITS = ("ศูนย์", "หนึ่ง", "สอง", "สาม", "สี่", "ห้า", "หก", "เจ็ด", "แปด", "เก้า")
_THAI_PLACES = ("", "สิบ", "ร้อย", "พัน", "หมื่น", "แสน")


def _thai_below_million(number: int, *, after_higher: bool) -> str:
    digits = str(number)
    words = []
    for index, char in enumerate(digits):
        digit, place = int(char), len(digits) - 1 - index
        if digit == 0:
            continue
        if place == 1 and digit == 1:
            words.append("สิบ")
        elif place == 1 and digit == 2:
            words.append("ยี่สิบ")
        elif place == 0 and digit == 1 and (len(digits) > 1 or after_higher):
            words.append("เอ็ด")
        else:
            words.append(_THAI_DIGITS[digit] + _THAI_PLACES[place])
    return "".join(words)


def _thai_number(number: int, *, after_higher: bool = False) -> str:
    if number >= 1_000_000:
        millions, rest = divmod(number, 1_000_000)
        return _thai_number(millions, after_higher=after_higher) + "ล้าน" + (
            _thai_below_million(rest, after_higher=True) if rest else ""
        )
    return _thai_below_million(number, after_higher=after_higher)


def baht_text(satang: int) -> str:
    """An amount in Thai words, as receipts write it: ``100050`` ->
    ``"หนึ่งพันบาทห้าสิบสตางค์"``, ``100000`` -> ``"หนึ่งพันบาทถ้วน"``."""
    if satang < 0:
        raise ValueError("amount must not be negative")
    baht, rest = divmod(int(satang), 100)
    if baht == 0 and rest == 0:
        return "ศูนย์บาทถ้วน"
    text = _thai_number(baht) + "บาท" if baht else ""
    return text + (_thai_number(rest) + "สตางค์" if rest else "ถ้วน")


# ---------------------------------------------------------------------------------------
# Line breaking for Thai

# A line may not start with a combining mark, a following vowel or a repetition mark,
# nor end with a leading vowel (เ แ โ ใ ไ): those belong to their consonant.
_FOLLOWING = frozenset("ะาำๅๆฯ")
_LEADING = frozenset("เแโใไ")
_CHUNKS = re.compile(r"\S+\s*|\s+")


def _clusters(text: str) -> list[str]:
    """``text`` cut wherever a line may break between two characters."""
    clusters: list[str] = []
    for char in text:
        joins = clusters and (
            unicodedata.category(char) in ("Mn", "Mc", "Me")
            or char in _FOLLOWING
            or clusters[-1][-1] in _LEADING
        )
        if joins:
            clusters[-1] += char
        else:
            clusters.append(char)
    return clusters


def _thai_words(text: str) -> list[str]:
    """``text`` cut at Thai word boundaries (and its trailing space kept on the last
    piece); one piece when it cannot be cut."""
    stripped = text.rstrip()
    try:
        pieces = [piece for piece in segmenter()(stripped) if piece]
    except Exception:  # noqa: BLE001 - a missing segmenter only makes breaks coarser
        return [text]
    if "".join(pieces) != stripped or not pieces:
        return [text]
    pieces[-1] += text[len(stripped):]
    return pieces


_CHUNK, _WORD, _CLUSTER = 0, 1, 2


def wrap_text(text: str, width: float, measure: Callable[[str], float]) -> list[str]:
    """Lines of ``text`` no wider than ``width`` (as ``measure`` says), broken at
    spaces, then Thai word boundaries, then between clusters; ``\\n`` starts a line."""
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if measure(paragraph.rstrip()) <= width:  # most labels and amounts
            lines.append(paragraph.rstrip())
            continue
        line = ""
        queue: deque[tuple[str, int]] = deque((chunk, _CHUNK) for chunk in _CHUNKS.findall(paragraph))
        while queue:
            piece, level = queue.popleft()
            if measure((line + piece).rstrip()) <= width:
                line += piece
                continue
            if level == _CHUNK and is_thai(piece):
                words = _thai_words(piece)
                if len(words) > 1:
                    queue.extendleft((word, _WORD) for word in reversed(words))
                    continue
                level = _WORD
            if line.strip():
                # Start a new line with this piece rather than cutting it.
                lines.append(line.rstrip())
                line = ""
                queue.appendleft((piece, level))
                continue
            clusters = _clusters(piece) if level != _CLUSTER else [piece]
            if len(clusters) > 1:
                queue.extendleft((cluster, _CLUSTER) for cluster in reversed(clusters))
                continue
            line = piece  # one cluster wider than the line: nothing else to do
        lines.append(line.rstrip())
    return lines


# ---------------------------------------------------------------------------------------
# What a document says


@dataclass(frozen=True)
class Party:
    name: str
    address: tuple[str, ...]
    tax_id: str | None = None
    branch: str | None = None
    phone: str | None = None


@dataclass(frozen=True)
class DocumentLine:
    description: str
    sku: str
    quantity: int
    unit_price_satang: int
    amount_satang: int


@dataclass(frozen=True)
class ReceiptDocument:
    """Everything printed on one receipt or tax invoice, already in its languages."""

    is_tax_invoice: bool
    languages: tuple[str, ...]  # ("th",), ("en",) or ("th", "en") for an English reader's tax invoice
    document_no: str
    issued_on: date
    order_public_id: str
    seller: Party
    buyer: Party
    lines: tuple[DocumentLine, ...]
    shipping_name: str
    shipping_satang: int
    goods_satang: int
    total_satang: int
    vat_satang: int  # 0 on receipts
    cancelled_on: date | None = None
    refunded_satang: int = 0
    #: The buyer's purchase-order number, printed when they gave one.
    po_number: str | None = None

    @property
    def net_satang(self) -> int:
        """The value before VAT (the whole total on a receipt)."""
        return self.total_satang - self.vat_satang

    @property
    def filename(self) -> str:
        return f"{self.document_no}.pdf"


def _address_lines(line: str | None, subdistrict: str | None, district: str | None,
                   province_code: str | None, postcode: str | None, locale: str) -> tuple[str, ...]:
    province = province_by_code(province_code)
    bangkok = province_code == BANGKOK_PROVINCE_CODE

    def prefixed(value: str | None, prefix: str, written: tuple[str, ...]) -> str:
        value = (value or "").strip()
        if not value or value.startswith(written):  # already "ต.วาวี", "เขตวัฒนา" …
            return value
        return prefix + value

    if locale == "th":
        places = [
            prefixed(subdistrict, "แขวง" if bangkok else "ตำบล", ("ตำบล", "ต.", "แขวง")),
            prefixed(district, "เขต" if bangkok else "อำเภอ", ("อำเภอ", "อ.", "เขต", "กิ่งอำเภอ")),
            (province.name_th if bangkok else "จังหวัด" + province.name_th) if province else "",
        ]
    else:
        places = [(subdistrict or "").strip(), (district or "").strip(), province.name_en if province else ""]
    second = " ".join(part for part in places if part)
    if postcode:
        second = f"{second} {postcode}".strip()
    return tuple(part for part in ((line or "").strip(), second) if part)


def _local_date(moment) -> date | None:
    return moment.astimezone(BANGKOK).date() if moment is not None else None


def _seller(fulfilment: Fulfilment, languages: Sequence[str], tax_invoice: bool, labels: dict[str, str]) -> Party:
    # The issuer as it was when the number was given (``documents.issuer_details``).
    enterprise = SimpleNamespace(**fulfilment.issuer) if fulfilment.issuer else fulfilment.enterprise
    name = enterprise.name_th
    if "en" in languages and enterprise.name_en and enterprise.name_en != name:
        name = f"{name}\n{enterprise.name_en}" if languages[0] == "th" else enterprise.name_en
    # Community enterprises record where they are (village, subdistrict, district,
    # province); a street line and postcode are used when the model has them.
    line = " ".join(
        part for part in (getattr(enterprise, "address_line", None), enterprise.village) if part
    )
    address = _address_lines(line, enterprise.subdistrict, enterprise.district, enterprise.province_code,
                             getattr(enterprise, "postcode", None), languages[0])
    return Party(
        name=name,
        address=address,
        tax_id=enterprise.tax_id,
        # The marketplace's enterprises invoice from their head office.
        branch=labels["head_office"] if tax_invoice else None,
        phone=enterprise.contact_phone,
    )


def _buyer(order: Order, languages: Sequence[str]) -> Party:
    name = order.buyer_company or order.recipient_name
    if order.buyer_company and order.recipient_name:
        name = f"{order.buyer_company}\n({order.recipient_name})"
    return Party(
        name=name,
        address=_address_lines(order.address_line, order.subdistrict, order.district, order.province_code,
                               order.postcode, languages[0]),
        tax_id=order.buyer_tax_id or None,
        branch=(order.buyer_branch or None) if order.buyer_tax_id else None,
        phone=order.phone,
    )


def _description(line, languages: Sequence[str]) -> str:
    primary = line.name(languages[0])
    if len(languages) > 1:
        other = line.name(languages[1])
        if other != primary:
            return f"{primary}\n{other}"
    return primary


def document_languages(tax_invoice: bool, locale: str) -> tuple[str, ...]:
    """Receipts speak the reader's language; tax invoices are Thai (English beside
    the Thai for an English reader)."""
    locale = locale if locale in ("th", "en") else "th"
    if tax_invoice:
        return ("th",) if locale == "th" else ("th", "en")
    return (locale,)


def build_document(fulfilment: Fulfilment, *, locale: str = "th") -> ReceiptDocument:
    """What the receipt or tax invoice of ``fulfilment`` says, in ``locale``.

    Raises ``DocumentNotReady`` (409) unless the order has been paid and the
    fulfilment has its document number.
    """
    if not has_document(fulfilment):
        raise DocumentNotReady()
    order = fulfilment.order
    tax_invoice = is_tax_invoice(fulfilment)
    languages = document_languages(tax_invoice, locale)
    labels = _labels(languages)
    lines = tuple(
        DocumentLine(
            description=_description(line, languages),
            sku=line.sku,
            quantity=line.quantity,
            unit_price_satang=line.unit_price_satang,
            amount_satang=line.line_total_satang,
        )
        for line in fulfilment.lines
    )
    goods = sum(line.amount_satang for line in lines)
    total = goods + fulfilment.shipping_satang
    cancelled = fulfilment.status == st.FULFILMENT_CANCELLED
    return ReceiptDocument(
        is_tax_invoice=tax_invoice,
        languages=languages,
        document_no=fulfilment.document_no,
        issued_on=_local_date(order.paid_at),
        order_public_id=order.public_id,
        seller=_seller(fulfilment, languages, tax_invoice, labels),
        buyer=_buyer(order, languages),
        lines=lines,
        shipping_name=fulfilment.shipping_name,
        shipping_satang=fulfilment.shipping_satang,
        goods_satang=goods,
        total_satang=total,
        vat_satang=vat_included(total) if tax_invoice else 0,
        cancelled_on=_local_date(fulfilment.cancelled_at or order.cancelled_at) if cancelled else None,
        refunded_satang=fulfilment.refunded_satang or 0,
        po_number=order.po_number or None,
    )


# ---------------------------------------------------------------------------------------
# Labels: translated with Flask-Babel; a bilingual document joins Thai and English.

_LABELS = {
    "receipt": _l("Receipt"),
    "tax_invoice_subtitle": _l("Tax invoice / Receipt"),
    "not_tax_invoice": _l("This receipt is not a tax invoice."),
    "vat_included_note": _l("Prices include VAT at %(rate)s%%.", rate=VAT_PERCENT),
    "document_no": _l("No."),
    "date": _l("Date"),
    "order": _l("Order no."),
    "po_number": _l("Purchase order"),
    "payment": _l("Paid by"),
    "payment_method": _l("PromptPay QR / bank transfer"),
    "seller": _l("Sold by"),
    "buyer": _l("Bill to"),
    "tax_id": _l("Tax ID"),
    "branch": _l("Branch"),
    "head_office": _l("Head office"),
    "phone": _l("Tel."),
    "col_no": _l("#"),
    "col_description": _l("Description"),
    "col_quantity": _l("Qty"),
    "col_unit_price": _l("Unit price"),
    "col_amount": _l("Amount"),
    "sku": _l("Item code"),
    "shipping": _l("Shipping fee"),
    "goods_total": _l("Goods"),
    "total": _l("Total amount"),
    "net_value": _l("Value before VAT"),
    "vat": _l("VAT %(rate)s%%", rate=VAT_PERCENT),
    "amounts_in_baht": _l("Amounts in baht"),
    "cancelled": _l("This part of the order was cancelled on %(date)s."),
    "refund_due": _l("Refund to the customer: %(amount)s baht"),
    "issued_by": _l("Issued through Chumchon Market on behalf of the seller named above."),
    "page": _l("Page %(page)s of %(pages)s"),
}


def _labels(languages: Sequence[str]) -> dict[str, str]:
    by_language = []
    for language in languages:
        with force_locale(language):
            by_language.append({key: str(value) for key, value in _LABELS.items()})
    if len(by_language) == 1:
        return by_language[0]
    joined = {}
    for key in _LABELS:
        texts = [labels[key] for labels in by_language]
        joined[key] = texts[0] if len(set(texts)) == 1 else " / ".join(texts)
    return joined


def format_document_date(day: date, languages: Sequence[str]) -> str:
    """Thai dates use the Buddhist era (5 มีนาคม 2569); English ones the Gregorian
    (``shop.i18n.format_day``, the one date style)."""
    return format_day(day, "long", locale=languages[0])


# ---------------------------------------------------------------------------------------
# The PDF

@lru_cache(maxsize=1)
def text_shaping_available() -> bool:
    """True when HarfBuzz can shape Thai (``uharfbuzz`` installed)."""
    try:
        import uharfbuzz  # noqa: F401
    except ImportError:
        return False
    return True


PAGE_MARGIN = 15.0
LINE_HEIGHT = 5.2
BODY_SIZE = 10
SMALL_SIZE = 8.5
GREY = (90, 90, 90)


_SARA_AM = re.compile("([\u0E48-\u0E4B]*)\u0E33")
_SPLIT_SARA_AM = re.compile("\u0E4D([\u0E48-\u0E4B]*)\u0E32")


def split_sara_am(text: str) -> str:
    """``"น้ำ"`` -> ``"น" NIKHAHIT MAI THO SARA-AA``: the glyph order a shaper draws."""
    return _SARA_AM.sub("\u0E4D\\1\u0E32", text)


def join_sara_am(text: str) -> str:
    """The inverse of ``split_sara_am``, for text extracted from a document."""
    return _SPLIT_SARA_AM.sub("\\1\u0E33", text)


class _ReceiptPDF(FPDF):
    def __init__(self, doc: ReceiptDocument, labels: dict[str, str]):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.doc = doc
        self.labels = labels
        self.set_margins(PAGE_MARGIN, PAGE_MARGIN, PAGE_MARGIN)
        self.set_auto_page_break(True, margin=PAGE_MARGIN + 8)
        folder = fontpkg_sarabun.ROOT / "files"
        for style, filename in FONT_FILES.items():
            self.add_font(FONT_FAMILY, style, str(folder / filename))
        if text_shaping_available():
            try:
                self.set_text_shaping(True)
            except FPDFException:  # pragma: no cover - uharfbuzz broken: marks still print unshaped
                pass
        self.alias_nb_pages("{nb}")
        self._widths: dict[tuple, float] = {}

    def normalize_text(self, text: str) -> str:
        # HarfBuzz splits SARA AM into NIKHAHIT + SARA AA (NIKHAHIT moved before any
        # tone mark) to stack the marks, and fpdf2 then gives the second glyph no
        # Unicode mapping: copied or extracted text shows a stray control character.
        # Handing over the split form ourselves draws the same glyphs, each mapped to
        # its own character.
        if self.text_shaping:
            text = split_sara_am(text)
        return super().normalize_text(text)

    def footer(self) -> None:
        self.set_y(-PAGE_MARGIN - 4)
        self.set_font(FONT_FAMILY, "", SMALL_SIZE - 0.5)
        self.set_text_color(*GREY)
        left = f"{self.doc.document_no} · {self.labels['order']} {self.doc.order_public_id}"
        self.cell(self.epw / 2, 4, left)
        # "{nb}" is replaced with the page count when the document is closed.
        page = self.labels["page"].replace("%(page)s", str(self.page_no())).replace("%(pages)s", "{nb}")
        self.cell(self.epw / 2, 4, page, align="R")
        self.set_text_color(0, 0, 0)

    # -- helpers ---------------------------------------------------------------------

    def measure(self, text: str) -> float:
        # Wrapping measures the same prefixes again and again; shaping each is costly.
        key = (self.font_family, self.font_style, self.font_size_pt, text)
        width = self._widths.get(key)
        if width is None:
            width = self._widths[key] = self.get_string_width(text)
        return width

    def block(self, x: float, width: float, text: str, *, size: float = BODY_SIZE, style: str = "",
              align: str = "L", height: float | None = None) -> None:
        """Write ``text`` wrapped to ``width`` from the current y at ``x``."""
        self.set_font(FONT_FAMILY, style, size)
        height = height or size * 0.52
        for line in wrap_text(text, width, self.measure):
            self.set_x(x)
            self.cell(width, height, line, align=align, new_x=XPos.LMARGIN, new_y=YPos.NEXT)


class _Table:
    """Rows of wrapped cells between horizontal rules; the heading row (grey) is drawn
    again at the top of every page the table runs onto."""

    padding = 1.5

    def __init__(self, pdf: _ReceiptPDF, widths: Sequence[float], aligns: Sequence[str], headings: Sequence[str]):
        self.pdf = pdf
        self.widths = widths
        self.aligns = aligns
        self.headings = headings

    def _lines(self, cells: Sequence[str]) -> list[list[str]]:
        return [wrap_text(text, width - 2 * self.padding, self.pdf.measure) if text else []
                for text, width in zip(cells, self.widths, strict=True)]

    def _draw(self, lines: list[list[str]], height: float, fill: bool) -> None:
        pdf = self.pdf
        top = pdf.get_y()
        if fill:
            pdf.set_fill_color(238, 238, 238)
            pdf.rect(PAGE_MARGIN, top, pdf.epw, height, style="F")
        x = PAGE_MARGIN
        for cell_lines, width, align in zip(lines, self.widths, self.aligns, strict=True):
            for index, line in enumerate(cell_lines):
                pdf.set_xy(x + self.padding, top + self.padding + index * LINE_HEIGHT)
                pdf.cell(width - 2 * self.padding, LINE_HEIGHT, line, align=align)
            x += width
        pdf.set_draw_color(190, 190, 190)
        pdf.line(PAGE_MARGIN, top + height, PAGE_MARGIN + pdf.epw, top + height)
        pdf.set_xy(PAGE_MARGIN, top + height)

    def _height(self, lines: list[list[str]]) -> float:
        return max(1, *(len(cell) for cell in lines)) * LINE_HEIGHT + 2 * self.padding

    def heading(self) -> None:
        self.pdf.set_font(FONT_FAMILY, "B", SMALL_SIZE + 0.5)
        lines = self._lines(self.headings)
        self._draw(lines, self._height(lines), fill=True)
        self.pdf.set_font(FONT_FAMILY, "", BODY_SIZE)

    def row(self, cells: Sequence[str]) -> None:
        self.pdf.set_font(FONT_FAMILY, "", BODY_SIZE)
        lines = self._lines(cells)
        height = self._height(lines)
        if self.pdf.will_page_break(height):
            self.pdf.add_page()
            self.heading()
        self._draw(lines, height, fill=False)


def _money_rows(doc: ReceiptDocument, labels: dict[str, str]) -> list[tuple[str, str, bool]]:
    rows = [(labels["goods_total"], format_amount(doc.goods_satang), False),
            (labels["shipping"], format_amount(doc.shipping_satang), False)]
    if doc.is_tax_invoice:
        rows += [(labels["net_value"], format_amount(doc.net_satang), False),
                 (labels["vat"], format_amount(doc.vat_satang), False),
                 (labels["total"], format_amount(doc.total_satang), True)]
    else:
        rows.append((labels["total"], format_amount(doc.total_satang), True))
    return rows


def _party_lines(party: Party, labels: dict[str, str]) -> list[str]:
    lines = list(party.address)
    if party.phone:
        lines.append(f"{labels['phone']} {party.phone}")
    if party.tax_id:
        tax = f"{labels['tax_id']} {party.tax_id}"
        if party.branch:
            tax += f"  {labels['branch']}: {party.branch}"
        lines.append(tax)
    return lines


def render_pdf(doc: ReceiptDocument) -> bytes:
    """The document as PDF bytes (A4, Sarabun, Thai shaped by HarfBuzz)."""
    labels = _labels(doc.languages)
    pdf = _ReceiptPDF(doc, labels)
    pdf.set_title(f"{labels['tax_invoice_subtitle'] if doc.is_tax_invoice else labels['receipt']} {doc.document_no}")
    pdf.set_author(doc.seller.name.split("\n")[0])
    pdf.set_creator("Chumchon Market")
    pdf.set_lang("th" if doc.languages[0] == "th" else "en")
    pdf.add_page()
    left = PAGE_MARGIN
    bilingual = len(doc.languages) > 1
    right_width = 92.0 if bilingual else 78.0
    left_width = pdf.epw - right_width - 6
    right_x = pdf.w - PAGE_MARGIN - right_width
    top = pdf.get_y()

    # Right column: the heading, then number, date, order and payment.
    pdf.set_y(top)
    if doc.is_tax_invoice:
        # The words "ใบกำกับภาษี" prominently (s.86/4 (1)).
        pdf.block(right_x, right_width, TAX_INVOICE_HEADING, size=17, style="B", align="R", height=8)
        if doc.languages != ("th",):
            pdf.block(right_x, right_width, "Tax invoice / Receipt", size=BODY_SIZE, align="R")
    else:
        pdf.block(right_x, right_width, labels["receipt"], size=18, style="B", align="R", height=8)
        pdf.block(right_x, right_width, labels["not_tax_invoice"], size=BODY_SIZE, style="B", align="R")
    pdf.ln(2)
    info = [
        (labels["document_no"], doc.document_no),
        (labels["date"], format_document_date(doc.issued_on, doc.languages)),
        (labels["order"], doc.order_public_id),
        *([(labels["po_number"], doc.po_number)] if doc.po_number else []),
        (labels["payment"], labels["payment_method"]),
    ]
    label_width = 42.0 if bilingual else 30.0
    for label, value in info:
        y = pdf.get_y()
        pdf.block(right_x, label_width, label, size=SMALL_SIZE + 0.5, style="B")
        label_bottom = pdf.get_y()
        pdf.set_y(y)
        pdf.block(right_x + label_width, right_width - label_width, value, size=BODY_SIZE, align="R")
        pdf.set_y(max(label_bottom, pdf.get_y()))
    right_bottom = pdf.get_y()

    # Left column: the seller.
    pdf.set_y(top)
    pdf.block(left, left_width, labels["seller"], size=SMALL_SIZE, style="B")
    pdf.block(left, left_width, doc.seller.name, size=13, style="B", height=6.2)
    pdf.block(left, left_width, "\n".join(_party_lines(doc.seller, labels)), size=BODY_SIZE)
    pdf.set_y(max(pdf.get_y(), right_bottom) + 4)

    # The buyer.
    y = pdf.get_y()
    pdf.set_draw_color(200, 200, 200)
    pdf.line(left, y, pdf.w - PAGE_MARGIN, y)
    pdf.ln(2)
    pdf.block(left, pdf.epw, labels["buyer"], size=SMALL_SIZE, style="B")
    pdf.block(left, pdf.epw, doc.buyer.name, size=11, style="B", height=5.8)
    pdf.block(left, pdf.epw, "\n".join(_party_lines(doc.buyer, labels)), size=BODY_SIZE)
    pdf.ln(4)

    # The lines: a table drawn row by row (fpdf2's own table re-breaks every cell
    # twice and costs seconds for a long order), its heading repeated on each page.
    widths = (12.0, pdf.epw - 12.0 - 16.0 - 27.0 - 29.0, 16.0, 27.0, 29.0)
    aligns = ("C", "L", "R", "R", "R")
    headings = [labels["col_no"], labels["col_description"], labels["col_quantity"], labels["col_unit_price"],
                labels["col_amount"]]
    rows = [
        [str(number), f"{line.description}\n{labels['sku']} {line.sku}", f"{line.quantity:,}",
         format_amount(line.unit_price_satang), format_amount(line.amount_satang)]
        for number, line in enumerate(doc.lines, start=1)
    ]
    rows.append(["", f"{labels['shipping']}: {doc.shipping_name}", "", "", format_amount(doc.shipping_satang)])
    table = _Table(pdf, widths, aligns, [text.replace(" / ", "\n") for text in headings])
    table.heading()
    for row in rows:
        table.row(row)

    # The totals, kept together on one page.
    money = _money_rows(doc, labels)
    needed = len(money) * 6.5 + 30
    if pdf.will_page_break(needed):
        pdf.add_page()
    pdf.ln(3)
    totals_width = 130.0 if bilingual else 95.0
    totals_x = pdf.w - PAGE_MARGIN - totals_width
    pdf.block(totals_x, totals_width, labels["amounts_in_baht"], size=SMALL_SIZE, align="R")
    for label, amount, strong in money:
        y = pdf.get_y()
        if strong:
            pdf.set_draw_color(0, 0, 0)
            pdf.line(totals_x, y + 0.5, pdf.w - PAGE_MARGIN, y + 0.5)
            pdf.set_y(y + 1.5)
            y = pdf.get_y()
        size = 12 if strong else BODY_SIZE
        pdf.block(totals_x, totals_width - 32, label, size=size, style="B" if strong else "", align="R",
                  height=6.2 if strong else 5.4)
        bottom = pdf.get_y()
        pdf.set_y(y)
        pdf.block(totals_x + totals_width - 32, 32, amount, size=size, style="B" if strong else "", align="R",
                  height=6.2 if strong else 5.4)
        pdf.set_y(max(bottom, pdf.get_y()))
    if "th" in doc.languages:
        pdf.block(totals_x, totals_width, f"({baht_text(doc.total_satang)})", size=BODY_SIZE, align="R")
    pdf.ln(4)

    # Notes.
    notes = []
    if doc.is_tax_invoice:
        notes.append(labels["vat_included_note"])
    if doc.cancelled_on is not None:
        notes.append(labels["cancelled"].replace("%(date)s", format_document_date(doc.cancelled_on, doc.languages)))
    if doc.refunded_satang:
        notes.append(labels["refund_due"].replace("%(amount)s", format_amount(doc.refunded_satang)))
    notes.append(labels["issued_by"])
    pdf.set_text_color(*GREY)
    pdf.block(left, pdf.epw, "\n".join(notes), size=SMALL_SIZE + 0.5)
    pdf.set_text_color(0, 0, 0)
    return bytes(pdf.output())


# ---------------------------------------------------------------------------------------
# Entry points for the views


@dataclass(frozen=True)
class RenderedDocument:
    filename: str
    data: bytes
    is_tax_invoice: bool


def receipt_pdf(fulfilment: Fulfilment, *, locale: str = "th") -> RenderedDocument:
    """The receipt or tax invoice of ``fulfilment`` as a PDF (raises ``DocumentNotReady``
    while the order is unpaid)."""
    doc = build_document(fulfilment, locale=locale)
    return RenderedDocument(filename=doc.filename, data=render_pdf(doc), is_tax_invoice=doc.is_tax_invoice)


def order_fulfilment(order: Order, fulfilment_id: int) -> Fulfilment:
    """``fulfilment_id`` if it belongs to ``order``, else ``NotFound``."""
    for fulfilment in order.fulfilments:
        if fulfilment.id == fulfilment_id:
            return fulfilment
    raise NotFound()


def enterprise_fulfilment(enterprise_id: int, fulfilment_id: int) -> Fulfilment:
    """``fulfilment_id`` if it is ``enterprise_id``'s part of an order, else ``NotFound``
    (another enterprise's id answers exactly like one that does not exist)."""
    fulfilment = db.session.scalar(
        select(Fulfilment).where(Fulfilment.id == fulfilment_id, Fulfilment.enterprise_id == enterprise_id)
    )
    if fulfilment is None:
        raise NotFound()
    return fulfilment


def has_document(fulfilment: Fulfilment) -> bool:
    """True once ``fulfilment`` has a receipt or tax invoice to download."""
    order = fulfilment.order
    return bool(order.paid_at is not None and order.status != st.ORDER_PENDING_PAYMENT and fulfilment.document_no)
