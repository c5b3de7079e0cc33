"""Thai numbers and Thai writing as people type them: Thai digits, phone numbers, the
13-digit tax / national ID, and the dictionary word segmenter.

Every area that reads a phone number, a postcode, a quantity or an ID (accounts,
sellers, cart, orders, payments) and every area that cuts Thai into words (search,
the receipts' line breaking) uses these, so the same typing is read the same way
everywhere. The language-independent rule for free text is ``shop.text``.

People type numbers with Thai digits (๐–๙), spaces, dashes, dots, slashes and
brackets, and phone numbers with ``+66``: ``ascii_digits`` and ``SEPARATORS`` make
those tolerable; each ``*_problem`` function returns a user-facing reason or None,
each ``normalize_*`` the form we store.

PyThaiNLP would create ``~/pythainlp-data`` and may try to download corpora. Before it
is imported, ``PYTHAINLP_DATA`` defaults to a folder under the instance directory and
``PYTHAINLP_OFFLINE`` to 1: segmentation only needs the word list bundled in the wheel.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from pathlib import Path

from flask_babel import lazy_gettext as _l


def _default_data_dir() -> str:
    instance = os.environ.get("INSTANCE_DIR") or str(Path(__file__).resolve().parents[1] / "instance")
    return str(Path(instance) / "pythainlp-data")


# Must happen before anything imports pythainlp.
os.environ.setdefault("PYTHAINLP_DATA", _default_data_dir())
os.environ.setdefault("PYTHAINLP_OFFLINE", "1")

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")
#: What people put between the digits of a number: spaces, dashes, dots, slashes, brackets.
SEPARATORS = re.compile(r"[\s\-./()]+")
#: One Thai character (letters, vowels, tone marks, digits, signs).
THAI_CHARACTER = re.compile(r"[\u0E01-\u0E5B]")


# --- digits -----------------------------------------------------------------------


def ascii_digits(value: str | None) -> str:
    """Thai digits turned into ASCII ones, surrounding spaces removed."""
    return (value or "").translate(_THAI_DIGITS).strip()


def is_thai(text: str) -> bool:
    """Whether ``text`` has a Thai character in it."""
    return bool(THAI_CHARACTER.search(text))


# --- dictionary order --------------------------------------------------------------


def thai_sorted(items, key: Callable = str) -> list:
    """``items`` in Thai dictionary order of ``key(item)`` (PyThaiNLP's ``collate``:
    a leading vowel sorts after its consonant, so เชียงใหม่ files under ช, not after
    every consonant as code points would put it; tone marks count last). Latin text
    sorts as usual. Ties keep their order."""
    from pythainlp.util import collate

    names = [key(item) for item in items]
    rank = {name: position for position, name in enumerate(collate(set(names)))}
    return [item for _, item in sorted(zip(names, items, strict=True), key=lambda pair: rank[pair[0]])]


# --- phone numbers ----------------------------------------------------------------


def normalize_thai_phone(value: str | None) -> str:
    """Digits only, with ``+66``/``66`` turned into the leading ``0``."""
    text = SEPARATORS.sub("", ascii_digits(value))
    if text.startswith("+66"):
        text = "0" + text[3:]
    elif text.startswith("66") and len(text) in (11, 12):
        text = "0" + text[2:]
    return text


def thai_phone_problem(value: str | None):
    """Why ``value`` is not a Thai phone number (9 or 10 digits from 0), or None."""
    phone = normalize_thai_phone(value)
    if not (phone.isascii() and phone.isdigit() and phone.startswith("0") and 9 <= len(phone) <= 10):
        return _l("Enter a Thai phone number of 9 or 10 digits starting with 0, e.g. 081 234 5678.")
    return None


def looks_like_phone(value: str) -> bool:
    """A phone number of any country as typed (kept as typed): 9 to 12 ASCII digits,
    with spaces, ``+``, ``-`` and brackets between them and nothing else."""
    digits = "".join(ch for ch in value if ch.isdigit())
    allowed = set("0123456789 +-()")
    return set(value) <= allowed and 9 <= len(digits) <= 12


# --- tax and national ID ----------------------------------------------------------


def thai_tax_id_check_digit(first_twelve: str) -> int:
    """The 13th digit of a Thai tax / national ID: weights 13..2, then (11 - sum mod 11) mod 10."""
    total = sum(int(digit) * (13 - position) for position, digit in enumerate(first_twelve))
    return (11 - total % 11) % 10


def thai_id_is_valid(digits: str) -> bool:
    """13 ASCII digits whose last digit is the Thai ID check digit."""
    return (
        len(digits) == 13 and digits.isascii() and digits.isdigit()
        and thai_tax_id_check_digit(digits[:12]) == int(digits[12])
    )


def normalize_tax_id(value: str | None) -> str:
    """Digits only: people type tax IDs with spaces or dashes (0-1055-61234-56-7).
    Thai digits are not read as digits here: a tax ID is copied from a document
    printed with ASCII ones."""
    return "".join(ch for ch in (value or "") if ch not in " -")


def tax_id_problem(value: str | None):
    """Why a Thai tax ID is not valid, or None."""
    tax_id = normalize_tax_id(value)
    if len(tax_id) != 13 or not tax_id.isascii() or not tax_id.isdigit():
        return _l("A tax ID has 13 digits.")
    if not thai_id_is_valid(tax_id):
        return _l("This tax ID is not valid: check the digits again.")
    return None


# --- word segmentation ------------------------------------------------------------

_segmenter: Callable[[str], list[str]] | None = None
_segmenter_name = ""
_segmenter_lock = threading.Lock()


def _load_segmenter() -> tuple[Callable[[str], list[str]], str]:
    try:
        import nlpo3
        import pythainlp.corpus as corpus_pkg

        words_file = Path(corpus_pkg.__file__).parent / "words_th.txt"
        nlpo3.load_dict(str(words_file), "chumchon_th")

        def segment_nlpo3(text: str) -> list[str]:
            return nlpo3.segment(text, "chumchon_th")

        return segment_nlpo3, "nlpo3"
    except ImportError:
        from pythainlp.tokenize import word_tokenize

        def segment_newmm(text: str) -> list[str]:
            return word_tokenize(text, engine="newmm", keep_whitespace=False)

        return segment_newmm, "newmm"


def segmenter() -> Callable[[str], list[str]]:
    """The Thai word segmenter (nlpO3, the Rust implementation of PyThaiNLP's ``newmm``,
    with PyThaiNLP's own word list; ``newmm`` itself when nlpO3 is not installed),
    loaded once per process (its dictionary takes ~0.1 s)."""
    global _segmenter, _segmenter_name
    if _segmenter is None:
        with _segmenter_lock:
            if _segmenter is None:
                fn, name = _load_segmenter()
                fn("กาแฟ")  # builds the dictionary trie now, not inside a request
                _segmenter_name = name
                _segmenter = fn
    return _segmenter


def segmenter_name() -> str:
    segmenter()
    return _segmenter_name
