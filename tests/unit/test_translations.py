"""Thai is the default language and must be complete: every string the code and
templates mark for translation has a Thai translation, and the placeholders match."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


def _source_messages() -> dict[str, str]:
    with open(ROOT / "babel.cfg", encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: dict[str, str] = {}
    keywords = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        # A plural message is one catalogue entry keyed by its singular form.
        msgid = message[0] if isinstance(message, tuple) else message
        if msgid:
            found.setdefault(msgid, f"{filename}:{lineno}")
    return found


@pytest.fixture(scope="module")
def thai_catalog():
    with open(ROOT / "translations/th/LC_MESSAGES/messages.po", "rb") as handle:
        return read_po(handle, locale="th")


def test_every_marked_string_has_a_thai_translation(thai_catalog):
    missing = []
    for msgid, where in _source_messages().items():
        entry = thai_catalog.get(msgid)
        texts = entry.string if entry is not None else None
        texts = texts if isinstance(texts, tuple) else (texts,)
        if not all(texts) or (entry is not None and entry.fuzzy):
            missing.append(f"{where}: {msgid!r}")
    assert not missing, "untranslated into Thai:\n" + "\n".join(sorted(missing)[:60])


def test_thai_translations_keep_the_placeholders(thai_catalog):
    wrong = []
    for entry in thai_catalog:
        if not entry.id or not entry.string:
            continue
        ids = entry.id if isinstance(entry.id, tuple) else (entry.id,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        expected = {m for m in PLACEHOLDER.findall(ids[0])}
        for text in strings:
            if text and {m for m in PLACEHOLDER.findall(text)} != expected:
                wrong.append(f"{ids[0]!r} -> {text!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong[:40])
