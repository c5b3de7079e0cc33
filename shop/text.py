"""Text as people type it: the one rule for the free text the shop accepts.

Every text field of the HTML forms (``shop.forms.BaseForm``) and of the API's
request models (``shop.api.schemas.Text``) goes through ``clean_text``, as do the
services that read a reason or a reference straight from a request:

* the text is put in Unicode NFC, so the same words are stored the same way however
  the keyboard composed them (Thai tone marks and vowels in canonical order);
* characters that are never part of written text are refused, not silently
  removed, so the writer sees what was wrong and nothing half-cleaned is stored:
  the C0 controls other than tab, line feed and carriage return (NUL is also a
  500 on PostgreSQL, which cannot store it), DEL, the C1 controls, lone surrogates
  (not encodable as UTF-8), and the bidirectional embeddings, overrides and isolates
  U+202A–U+202E and U+2066–U+2069, which make a packing slip or a CSV show text
  in another order than it was written;
* a one-line field turns tabs and line breaks into spaces (browsers already strip
  them from ``<input>``; a pasted address keeps its words); a multi-line field keeps
  them, with ``\\r\\n`` and a lone ``\\r`` stored as ``\\n``.

Thai, emoji, the zero-width space (a Thai word-break hint), the zero-width
(non-)joiner and the left-to-right / right-to-left marks are text and are kept.

``drop_controls`` is the forgiving form of the same rule for text that is not
stored (a search box) or that was stored before the rule (a feed): the refused
characters are removed.

``slugify`` makes the one kind of URL slug the shop uses (enterprises, products,
provinces); ``like_pattern`` the one kind of ``LIKE`` search.
"""

from __future__ import annotations

import re
import unicodedata

from flask_babel import lazy_gettext as _l

from shop.errors import ValidationFailed

#: Characters refused in any free text (see the module docstring for why).
REFUSED = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Tabs and line breaks, which a one-line field turns into spaces.
_ONE_LINE_SPACES = re.compile("[\t\n\r\u2028\u2029]")


class TextRefused(ValueError):
    """A character the rule refuses; ``message(label)`` says so in the user's language."""

    def __init__(self, char: str):
        self.char = char
        self.code = f"U+{ord(char):04X}"
        super().__init__(f"refused character {self.code}")

    @property
    def bidi(self) -> bool:
        return bool(_BIDI.match(self.char))

    def message(self, label=None):
        """The reason, naming the field when ``label`` is given."""
        if self.bidi:
            if label:
                return _l("“%(field)s” contains a character that changes the direction of the text (%(code)s) "
                          "and can disguise what is written. Delete it and try again.",
                          field=label, code=self.code)
            return _l("This text contains a character that changes the direction of the text (%(code)s) and "
                      "can disguise what is written. Delete it and try again.", code=self.code)
        if label:
            return _l("“%(field)s” contains an invisible control character (%(code)s) that cannot be saved. "
                      "Delete it and try again.", field=label, code=self.code)
        return _l("This text contains an invisible control character (%(code)s) that cannot be saved. "
                  "Delete it and try again.", code=self.code)


def clean_text(value: str, *, multi_line: bool = False) -> str:
    """``value`` under the rule: NFC, refused characters raise ``TextRefused``,
    line breaks kept (``multi_line``, as ``\\n``) or turned into spaces."""
    text = unicodedata.normalize("NFC", value)
    found = REFUSED.search(text)
    if found:
        raise TextRefused(found.group())
    if multi_line:
        return text.replace("\r\n", "\n").replace("\r", "\n")
    return _ONE_LINE_SPACES.sub(" ", text)


def clean_optional(value: str | None, *, multi_line: bool = False) -> str | None:
    return None if value is None else clean_text(value, multi_line=multi_line)


def drop_controls(value: str | None, replacement: str = "") -> str:
    """``value`` in NFC with every refused character replaced by ``replacement``."""
    text = REFUSED.sub(replacement, value or "")
    return unicodedata.normalize("NFC", text)



def checked_text(value: str | None, *, field: str, multi_line: bool = False) -> str:
    """For a service reading text straight from a request: ``clean_text``, or
    ``ValidationFailed`` naming ``field`` (a 422 / a message next to the field)."""
    try:
        return clean_text(value or "", multi_line=multi_line)
    except TextRefused as exc:
        message = exc.message()
        raise ValidationFailed(message, fields={field: message}) from None


def slugify(text: str | None) -> str:
    """ASCII letters and digits joined by dashes, at most 80 characters:
    accents are dropped (``Café`` -> ``cafe``) and everything else that is not a
    letter or digit becomes one dash. Empty when nothing Latin is left (a Thai-only
    name), in which case the caller falls back to another source."""
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:80].strip("-")


def like_pattern(words: str | None) -> str | None:
    """``%words%`` for a ``LIKE`` / ``ILIKE`` search box, or None when nothing is left.

    The refused characters are dropped (a NUL in a query parameter is a 500 on
    PostgreSQL), and so are ``%`` and ``_``: typed, they would match anything."""
    cleaned = drop_controls(words, " ").replace("%", "").replace("_", "").strip()
    return f"%{cleaned}%" if cleaned else None
