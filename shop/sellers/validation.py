"""Checks and normal forms for an enterprise's identifiers, shared by the forms, the
services and the API: community-enterprise registration number, PromptPay ID and
LINE ID. Phone numbers and tax IDs follow the shop-wide rules of ``shop.thai``; the
URL slug is ``shop.text.slugify``.

Each ``*_problem`` function returns a user-facing reason or None; each ``normalize_*``
returns the form we store. People type these numbers in many ways (spaces, dashes,
Thai digits, ``+66``), so the checks are tolerant of the typing and strict about the
digits.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from shop.thai import SEPARATORS, ascii_digits, normalize_thai_phone, thai_id_is_valid

# The register's number: type-province-district-subdistrict/group-sequence,
# e.g. 1-12-34-56/7-8901 (12 digits). Older registrations vary a little in length.
REGISTRATION_DIGITS = 12
REGISTRATION_MIN_DIGITS = 8
REGISTRATION_MAX_DIGITS = 16
_REGISTRATION_CHARS = re.compile(r"^[0-9\-/ ]+$")

_LINE_ID = re.compile(r"^@?[a-z0-9._\-]{3,40}$")


# --- registration number ----------------------------------------------------------


def normalize_registration_no(value: str | None) -> str:
    """``112345678901`` or ``1 12 34 56/7 8901`` -> ``1-12-34-56/7-8901``.

    A 12-digit number is always stored in the register's layout, so the same
    registration typed two ways is recognised as a duplicate. Other lengths are kept
    as typed, with runs of spaces made single dashes.
    """
    text = ascii_digits(value)
    digits = re.sub(r"\D", "", text)
    if len(digits) == REGISTRATION_DIGITS:
        d = digits
        return f"{d[0]}-{d[1:3]}-{d[3:5]}-{d[5:7]}/{d[7]}-{d[8:]}"
    return re.sub(r"\s+", "-", text)


def registration_no_problem(value: str | None):
    text = ascii_digits(value)
    if not text:
        return _l("Enter the registration number from your community-enterprise certificate.")
    if not _REGISTRATION_CHARS.match(text):
        return _l("A registration number has only digits, dashes and a slash, e.g. 1-12-34-56/7-8901.")
    digits = re.sub(r"\D", "", text)
    if not REGISTRATION_MIN_DIGITS <= len(digits) <= REGISTRATION_MAX_DIGITS:
        return _l("This registration number is too short or too long. It looks like 1-12-34-56/7-8901.")
    return None


# --- PromptPay --------------------------------------------------------------------


def normalize_promptpay_id(value: str | None) -> str:
    text = SEPARATORS.sub("", ascii_digits(value))
    if text.startswith("+66") or (text.startswith("66") and len(text) == 11):
        return normalize_thai_phone(text)
    return text


def promptpay_problem(value: str | None):
    """A PromptPay ID is a mobile number (10 digits from 0) or a 13-digit national or
    tax ID with a valid check digit."""
    pid = normalize_promptpay_id(value)
    if not (pid.isascii() and pid.isdigit()):
        return _l("A PromptPay ID has only digits: a mobile number or a 13-digit ID number.")
    if len(pid) == 10:
        if not pid.startswith("0"):
            return _l("A PromptPay mobile number has 10 digits and starts with 0.")
        return None
    if len(pid) == 13:
        if not thai_id_is_valid(pid):
            return _l("This PromptPay ID number is not valid: check the 13 digits again.")
        return None
    return _l("A PromptPay ID is a 10-digit mobile number or a 13-digit ID number.")


# --- LINE ID ----------------------------------------------------------------------


def normalize_line_id(value: str | None) -> str:
    return (value or "").strip().lower()


def line_id_problem(value: str | None):
    if not _LINE_ID.match(normalize_line_id(value)):
        return _l("A LINE ID has 3 to 40 letters, digits, dots, dashes or underscores (an official account starts with @).")
    return None
