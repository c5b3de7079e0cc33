"""Certification kinds shown as badges, and form checks for their numbers.

The checks catch typing mistakes; they do not prove a certificate is genuine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from shop.geo import province_by_code

FDA = "fda"  # Thai FDA (อย.) food serial number
COMMUNITY_STANDARD = "mpc"  # community product standard (มผช.)
OTOP = "otop"
ORGANIC = "organic"
GAP = "gap"
LOW_CARBON = "low_carbon"


@dataclass(frozen=True)
class CertificationKind:
    code: str
    label: object  # lazy string
    short: object
    needs_number: bool


KINDS: dict[str, CertificationKind] = {
    k.code: k
    for k in (
        CertificationKind(FDA, _l("Thai FDA registered"), _l("FDA"), True),
        CertificationKind(COMMUNITY_STANDARD, _l("Community product standard"), _l("Community std."), True),
        CertificationKind(OTOP, _l("OTOP star product"), _l("OTOP"), False),
        CertificationKind(ORGANIC, _l("Organic"), _l("Organic"), False),
        CertificationKind(GAP, _l("Good Agricultural Practice (GAP)"), _l("GAP"), False),
        CertificationKind(LOW_CARBON, _l("Low-carbon community product"), _l("Low carbon"), False),
    )
}

_FDA_RE = re.compile(r"^(\d{2})-?(\d)-?(\d{5})-?(\d)-?(\d{4})$")
_MPC_RE = re.compile(r"^(?:มผช\.?\s*)?(\d{1,4})\s*/\s*(\d{4})$")


def normalize_fda_number(text: str) -> str | None:
    """A Thai FDA food serial number as 13 digits, or None when its form is wrong.

    The number reads XX-X-XXXXX-X-XXXX; its first two digits are the province code of
    the place of manufacture, which must be a real province.
    """
    match = _FDA_RE.match((text or "").strip().replace(" ", ""))
    if not match:
        return None
    digits = "".join(match.groups())
    if province_by_code(digits[:2]) is None:
        return None
    return digits


def format_fda_number(digits: str) -> str:
    return f"{digits[:2]}-{digits[2]}-{digits[3:8]}-{digits[8]}-{digits[9:]}" if len(digits) == 13 else digits


def normalize_community_standard_number(text: str) -> str | None:
    """``มผช. 156/2559`` (standard number / Buddhist-era year) in a canonical form."""
    match = _MPC_RE.match((text or "").strip())
    if not match:
        return None
    number, year = match.groups()
    if not 2500 <= int(year) <= 2700:
        return None
    return f"มผช. {int(number)}/{year}"


def validate_certification(kind: str, number: str | None, stars: int | None) -> tuple[str | None, int | None]:
    """Return the cleaned ``(number, stars)`` or raise ValueError with a user message."""
    if kind not in KINDS:
        raise ValueError(_l("Unknown certification."))
    number = (number or "").strip() or None
    if kind == FDA:
        cleaned = normalize_fda_number(number or "")
        if cleaned is None:
            raise ValueError(_l("A Thai FDA number has 13 digits (XX-X-XXXXX-X-XXXX) starting with a province code."))
        return cleaned, None
    if kind == COMMUNITY_STANDARD:
        cleaned = normalize_community_standard_number(number or "")
        if cleaned is None:
            raise ValueError(_l("Write the community product standard as number/year, e.g. มผช. 156/2559."))
        return cleaned, None
    if kind == OTOP:
        if stars is None or not 1 <= int(stars) <= 5:
            raise ValueError(_l("OTOP products have 1 to 5 stars."))
        return number, int(stars)
    if number is not None and len(number) > 64:
        raise ValueError(_l("The certificate number is too long."))
    return number, None


def gtin13_is_valid(code: str | None) -> bool:
    """GTIN-13 (EAN-13) with its check digit: weights 1,3,1,3… over the first 12 digits."""
    if not code or len(code) != 13 or not code.isdigit():
        return False
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(code[:12]))
    return (10 - total % 10) % 10 == int(code[12])
