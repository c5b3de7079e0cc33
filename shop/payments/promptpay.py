"""PromptPay QR codes (docs/product.md: Payment): the EMVCo payload, the QR drawn as SVG, and who
the buyer pays.

The payload is the Thai QR Payment "credit transfer" form of the EMVCo
merchant-presented QR (each field is tag, two-digit length, value)::

    00 02 01                      payload format
    01 02 11 | 12                 static (no amount) | one payment with an amount
    29 37 ( 00 16 A000000677010111   PromptPay's application id
            01 13 0066812345678      a mobile number: 0066 + 9 digits, or
            02 13 0105560000000 )    a 13-digit national or tax id
    58 02 TH                      country
    53 03 764                     currency: baht
    54 nn 1234.50                 amount, when there is one
    63 04 CCCC                    CRC16-CCITT (poly 0x1021, init 0xFFFF) of everything
                                  before it, "6304" included, upper-case hex

The fields come in the order of the widely used reference implementation (dtinth's
``promptpay-qr``, which the PyPI ``promptpay`` package follows), so tests can compare
whole strings against published payloads that banking apps read.

The QR is drawn by the ``qrcode`` package as an SVG path (no Pillow: only
``catalog/images.py`` imports it, see docs/architecture.md), inlined in the order page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import qrcode
import qrcode.image.svg
from flask import current_app
from markupsafe import Markup

from shop.catalog.models import Enterprise
from shop.orders.models import Order

PROMPTPAY_AID = "A000000677010111"
KIND_PHONE = "phone"
KIND_TAX_ID = "tax_id"

_TAG_FORMAT = "00"
_TAG_POI_METHOD = "01"
_TAG_MERCHANT_PROMPTPAY = "29"
_TAG_COUNTRY = "58"
_TAG_CURRENCY = "53"
_TAG_AMOUNT = "54"
_TAG_CRC = "63"
_SUB_AID = "00"
_SUB_PHONE = "01"
_SUB_TAX_ID = "02"
_POI_STATIC = "11"
_POI_ONE_PAYMENT = "12"
_CURRENCY_THB = "764"
# The amount field holds at most 13 characters ("9999999999.99").
_MAX_AMOUNT_SATANG = 9_999_999_999_99

_SEPARATORS = re.compile(r"[\s\-().]")


class InvalidPromptPayId(ValueError):
    """Not a Thai mobile number nor a 13-digit national/tax id."""


def normalize_promptpay_id(value: str) -> tuple[str, str]:
    """``(kind, digits)`` for a PromptPay ID as people write it.

    Mobile numbers come back as the 10 local digits ("0812345678"), whether written
    "081-234-5678", "+66 81 234 5678" or "66812345678"; ids as their 13 digits.
    Raises ``InvalidPromptPayId`` for anything else.
    """
    raw = _SEPARATORS.sub("", value or "")
    if raw.startswith("+"):
        raw = raw[1:]
        if not raw.startswith("66"):
            raise InvalidPromptPayId(value)
    if not (raw.isascii() and raw.isdigit()):
        raise InvalidPromptPayId(value)
    if len(raw) == 13:
        return KIND_TAX_ID, raw
    if len(raw) == 11 and raw.startswith("66") and raw[2] != "0":
        raw = "0" + raw[2:]
    if len(raw) == 10 and raw.startswith("0") and raw[1] != "0":
        return KIND_PHONE, raw
    raise InvalidPromptPayId(value)


def tlv(tag: str, value: str) -> str:
    """One EMVCo data object: tag, two-digit length, value."""
    if len(tag) != 2 or not 0 < len(value) <= 99:
        raise ValueError(f"bad EMVCo field {tag}={value!r}")
    return f"{tag}{len(value):02d}{value}"


def crc16_ccitt(data: bytes, crc: int = 0xFFFF) -> int:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF, no reflection, no final xor),
    the checksum EMVCo QR codes end with. ``crc16_ccitt(b"123456789") == 0x29B1``."""
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else (crc << 1)
            crc &= 0xFFFF
    return crc


def format_amount(amount_satang: int) -> str:
    """Satang as the payload writes baht: always two decimals, no grouping."""
    return f"{amount_satang // 100}.{amount_satang % 100:02d}"


def build_payload(promptpay_id: str, amount_satang: int | None = None) -> str:
    """The text a PromptPay QR encodes; with an amount the buyer's app fills it in.

    ``amount_satang`` None makes a static QR (the payer types the amount).
    """
    kind, digits = normalize_promptpay_id(promptpay_id)
    if kind == KIND_PHONE:
        target = tlv(_SUB_PHONE, "0066" + digits[1:])
    else:
        target = tlv(_SUB_TAX_ID, digits)
    if amount_satang is not None:
        if isinstance(amount_satang, bool) or not isinstance(amount_satang, int):
            raise TypeError("amount_satang must be an int (satang)")
        if not 0 < amount_satang <= _MAX_AMOUNT_SATANG:
            raise ValueError(f"amount out of range: {amount_satang}")
    fields = [
        tlv(_TAG_FORMAT, "01"),
        tlv(_TAG_POI_METHOD, _POI_STATIC if amount_satang is None else _POI_ONE_PAYMENT),
        tlv(_TAG_MERCHANT_PROMPTPAY, tlv(_SUB_AID, PROMPTPAY_AID) + target),
        tlv(_TAG_COUNTRY, "TH"),
        tlv(_TAG_CURRENCY, _CURRENCY_THB),
    ]
    if amount_satang is not None:
        fields.append(tlv(_TAG_AMOUNT, format_amount(amount_satang)))
    body = "".join(fields) + _TAG_CRC + "04"
    return body + f"{crc16_ccitt(body.encode('ascii')):04X}"


def parse_payload(payload: str) -> dict[str, str]:
    """The top-level fields of a payload, ``{tag: value}`` (for tests and checks)."""
    fields: dict[str, str] = {}
    cursor = 0
    while cursor < len(payload):
        tag, length = payload[cursor:cursor + 2], int(payload[cursor + 2:cursor + 4])
        fields[tag] = payload[cursor + 4:cursor + 4 + length]
        cursor += 4 + length
    return fields


def payload_crc_ok(payload: str) -> bool:
    if len(payload) < 8 or payload[-8:-4] != _TAG_CRC + "04":
        return False
    return f"{crc16_ccitt(payload[:-4].encode('ascii')):04X}" == payload[-4:]


def qr_svg(payload: str, *, title: str = "") -> Markup:
    """The QR as an inline ``<svg>`` element that scales to its container.

    Error correction M survives a phone screen's glare and a slightly blurred camera;
    the 4-module quiet zone is what scanners need around the code.
    """
    code = qrcode.QRCode(
        error_correction=qrcode.constants.ERROR_CORRECT_M,
        border=4,
        image_factory=qrcode.image.svg.SvgPathFillImage,  # white quiet zone, even on a dark page
    )
    code.add_data(payload)
    code.make(fit=True)
    svg = code.make_image().to_string(encoding="unicode")
    # Inline SVG: no XML declaration; fixed millimetre sizes replaced by CSS sizing.
    svg = re.sub(r"^<\?xml[^>]*\?>\s*", "", svg)
    svg = re.sub(r'\s(width|height)="[^"]*"', "", svg, count=2)
    label = Markup.escape(title)
    svg = svg.replace(
        "<svg ", f'<svg class="promptpay-qr" role="img" aria-label="{label}" shape-rendering="crispEdges" ', 1
    )
    return Markup(svg)  # noqa: S704 - made here from digits and the escaped title


def mask_promptpay_id(promptpay_id: str) -> str:
    """The ID as Thai banking apps show a payee's: only the last digits visible.

    ``0812345678`` → ``xxx-xxx-5678``; ``0105560000000`` → ``x-xxxx-xxxxx-00-0``.
    """
    try:
        kind, digits = normalize_promptpay_id(promptpay_id)
    except InvalidPromptPayId:
        return "x" * len(promptpay_id or "")
    if kind == KIND_PHONE:
        return f"xxx-xxx-{digits[6:]}"
    return f"x-xxxx-xxxxx-{digits[10:12]}-{digits[12]}"


def format_promptpay_id(promptpay_id: str) -> str:
    """Grouped as written on Thai cards and documents (for the payee's own pages)."""
    kind, digits = normalize_promptpay_id(promptpay_id)
    if kind == KIND_PHONE:
        return f"{digits[:3]}-{digits[3:6]}-{digits[6:]}"
    return f"{digits[0]}-{digits[1:5]}-{digits[5:10]}-{digits[10:12]}-{digits[12]}"


@dataclass(frozen=True)
class Payee:
    """Who an order's money goes to and how the buyer can send it."""

    promptpay_id: str
    name: str
    enterprise: Enterprise | None = None  # None: the platform collects
    bank_account: str | None = None

    @property
    def enterprise_id(self) -> int | None:
        return self.enterprise.id if self.enterprise is not None else None

    @property
    def masked_id(self) -> str:
        return mask_promptpay_id(self.promptpay_id)


def enterprise_payee(enterprise: Enterprise | None, locale: str = "th") -> Payee | None:
    """The enterprise as payee when it has a usable PromptPay ID, else None."""
    if enterprise is None or not enterprise.promptpay_id:
        return None
    try:
        _kind, digits = normalize_promptpay_id(enterprise.promptpay_id)
    except InvalidPromptPayId:
        # A malformed stored ID must never receive money: the platform collects instead.
        return None
    return Payee(promptpay_id=digits, name=enterprise.t("name", locale), enterprise=enterprise)


def platform_payee() -> Payee:
    config = current_app.config
    _kind, digits = normalize_promptpay_id(config["PLATFORM_PROMPTPAY_ID"])
    return Payee(promptpay_id=digits, name=config["PLATFORM_PAYEE_NAME"],
                 bank_account=config["PLATFORM_BANK_ACCOUNT"] or None)


def payee_for(order: Order, locale: str | None = None) -> Payee:
    """The platform, except an order from a single enterprise that has its own
    PromptPay ID: then the buyer pays the enterprise directly.

    An order split across enterprises is one payment, so it always goes to the platform,
    which pays each enterprise its share.
    """
    enterprise_ids = {f.enterprise_id for f in order.fulfilments}
    if len(enterprise_ids) == 1:
        payee = enterprise_payee(order.fulfilments[0].enterprise, locale or order.locale or "th")
        if payee is not None:
            return payee
    return platform_payee()


def order_payload(order: Order) -> str:
    """The payload of the QR for paying ``order`` in full."""
    return build_payload(payee_for(order).promptpay_id, order.total_satang)
