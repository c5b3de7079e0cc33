"""The free-text rule (``shop.text``), and that every form and every API request
model applies it."""

from __future__ import annotations

import importlib
import pkgutil
import types
import typing
import unicodedata

import pytest
import wtforms
from pydantic import BaseModel
from werkzeug.datastructures import MultiDict

import shop
from shop.api.schemas import TEXT_RULES, QueryModel, RequestModel
from shop.errors import ValidationFailed
from shop.forms import BaseForm, SubForm, applies_text_rule
from shop.geo import all_provinces
from shop.text import TextRefused, checked_text, clean_text, drop_controls, like_pattern, slugify


def test_text_is_stored_in_nfc():
    decomposed = "Cafe\u0301 ก\u0e48\u0e38"  # e + combining acute; tone mark typed before the vowel
    cleaned = clean_text(decomposed)
    assert cleaned == unicodedata.normalize("NFC", decomposed)
    assert cleaned.startswith("Café") and cleaned.endswith("ก\u0e38\u0e48")


def test_thai_emoji_and_joiners_are_kept():
    text = "น้ำพริก\u200bเผา 👩\u200d🌾 \u200eABC"
    assert clean_text(text) == text


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x08", "\x0b", "\x1b", "\x7f", "\x85", "\x9f", "\u202a",
                                  "\u202d", "\u202e", "\u2066", "\u2069", "\ud800"])
def test_controls_and_direction_overrides_are_refused(char):
    with pytest.raises(TextRefused) as refused:
        clean_text(f"ok{char}ok", multi_line=True)
    assert refused.value.code == f"U+{ord(char):04X}"


def test_one_line_text_gets_spaces_for_breaks_and_multi_line_keeps_them():
    assert clean_text("99/1\tซอย 5\r\nวัฒนา\u2028x") == "99/1 ซอย 5  วัฒนา x"
    assert clean_text("a\r\nb\rc\n\td", multi_line=True) == "a\nb\nc\n\td"


def test_message_names_the_field_in_the_users_language(app):
    with app.test_request_context("/?lang=en"):
        from flask_babel import force_locale

        with force_locale("en"):
            message = str(TextRefused("\u202e").message("Recipient's name"))
            assert message.startswith("“Recipient's name” contains a character that changes the direction")
            assert "U+202E" in message
        with force_locale("th"):
            assert str(TextRefused("\x00").message("ชื่อ")).startswith("ช่อง “ชื่อ” มีอักขระควบคุม")


def test_checked_text_names_the_field_for_services(app):
    with app.test_request_context():
        with pytest.raises(ValidationFailed) as refused:
            checked_text("late\x07", field="reason")
    assert set(refused.value.fields) == {"reason"}
    with app.test_request_context():
        assert checked_text("ส่งช้า\r\nขออภัย", field="reason") == "ส่งช้า  ขออภัย"


def test_drop_controls_removes_what_clean_text_refuses():
    assert drop_controls("กาแฟ\x00\u202ecoffee\t") == "กาแฟcoffee\t"
    assert drop_controls("a\x07b", " ") == "a b"


def test_drop_controls_puts_text_in_nfc_and_reads_none_as_empty():
    assert drop_controls("Cafe\u0301") == "Café"
    assert drop_controls(None) == ""


def test_like_pattern_drops_controls_and_wildcards():
    assert like_pattern(" coffee ") == "%coffee%"
    assert like_pattern("50%_off\x00") == "%50off%"
    assert like_pattern("%_") is None and like_pattern(None) is None


# ---------------------------------------------------------------- slugs


@pytest.mark.parametrize("name, slug", [
    ("Ban Mae Jaem Coffee!", "ban-mae-jaem-coffee"),  # an enterprise
    ("Jar-roasted Coffee 250 g", "jar-roasted-coffee-250-g"),  # a product
    ("Phra Nakhon Si Ayutthaya", "phra-nakhon-si-ayutthaya"),  # a province
    ("Café Crème!", "cafe-creme"),  # accents dropped, not the letters they sit on
    ("Ｃｏｆｆｅｅ", "coffee"),  # full-width Latin
    ("กาแฟ", ""),  # nothing Latin left: the caller picks another source
    ("  --  ", ""),
    ("", ""),
    (None, ""),
])
def test_slugify(name, slug):
    assert slugify(name) == slug


def test_slugify_keeps_80_characters_and_no_dash_at_the_end():
    assert slugify("a" * 100) == "a" * 80
    assert slugify("a" * 79 + " b") == "a" * 79


def test_province_slugs_are_the_english_names(app):
    slugs = {p.code: p.slug for p in all_provinces()}
    assert slugs["10"] == "bangkok" and slugs["50"] == "chiang-mai"
    assert len(set(slugs.values())) == len(slugs) == 77


# ---------------------------------------------------------------- applied everywhere


def _import_every_module() -> None:
    for module in pkgutil.walk_packages(shop.__path__, "shop."):
        importlib.import_module(module.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_form_applies_the_rule():
    _import_every_module()
    forms = {cls for cls in _subclasses(wtforms.Form) if cls.__module__.startswith("shop.")}
    assert len(forms) > 30
    outside = sorted(f"{cls.__module__}.{cls.__qualname__}" for cls in forms if not issubclass(cls, BaseForm | SubForm))
    assert outside == [], "derive these from shop.forms.BaseForm (or SubForm for rows)"


def test_every_text_field_of_every_form_refuses_a_nul(app):
    _import_every_module()
    checked = 0
    with app.test_request_context(method="POST"):
        for cls in _subclasses(wtforms.Form):
            if not cls.__module__.startswith("shop.") or cls in (BaseForm, SubForm):
                continue
            try:
                form = cls(formdata=MultiDict()) if issubclass(cls, SubForm) else cls(formdata=MultiDict(),
                                                                                      meta={"csrf": False})
            except TypeError:
                continue  # a form that needs arguments of its own
            for field in form:
                if not applies_text_rule(field):
                    continue
                form_data = MultiDict({field.name: "x\x00"})
                fresh = cls(formdata=form_data) if issubclass(cls, SubForm) else cls(formdata=form_data,
                                                                                     meta={"csrf": False})
                bound = fresh[field.short_name]
                if bound.data is None or isinstance(bound.data, int):
                    continue  # a number field: "x" is refused by its own parsing
                assert bound.text_refused is not None, f"{cls.__qualname__}.{field.short_name}"
                checked += 1
    assert checked > 50


def _str_without_rule(annotation, metadata=()) -> bool:
    """Whether ``annotation`` holds a ``str`` that no text rule validates."""
    if any(getattr(item, "func", None) in TEXT_RULES for item in metadata):
        return False
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(annotation)
        return _str_without_rule(base, (*metadata, *extra))
    if annotation is str:
        return True
    if origin is typing.Literal or (isinstance(annotation, type) and issubclass(annotation, BaseModel)):
        return False  # fixed values; nested models are checked on their own
    if origin in (typing.Union, types.UnionType):
        return any(_str_without_rule(arg, metadata) for arg in typing.get_args(annotation))
    return any(_str_without_rule(arg) for arg in typing.get_args(annotation))


def test_every_text_in_the_api_requests_applies_the_rule():
    _import_every_module()
    models = [cls for base in (RequestModel, QueryModel) for cls in _subclasses(base)]
    assert len(models) > 15
    missing = sorted(
        f"{cls.__name__}.{name}" for cls in models for name, info in cls.model_fields.items()
        if _str_without_rule(info.annotation, info.metadata)
    )
    assert missing == [], "use shop.api.schemas.Text, MultilineText or SearchText"
