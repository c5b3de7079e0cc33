"""Forms of the listing pages: product (with variant, tier and certification rows),
photos, stock, costs, status and CSV import.

Fields here only parse what was typed (a whole number, an amount of baht); the rules
(SKU unique, GTIN check digit, FDA number, no negative stock …) live in
``catalog.listings`` so the CSV import applies the same ones. ``to_input`` turns a
form into the service's dataclasses; ``apply_errors`` puts the service's errors back
next to the fields they name.

Rows repeat with fixed names (``variants-0-sku``); "add another option" is a submit
button that re-shows the form with one more empty row, so it works without
JavaScript.
"""

from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField, MultipleFileField
from wtforms import (
    BooleanField,
    Field,
    FieldList,
    FormField,
    HiddenField,
    SelectChoice,
    SelectField,
    StringField,
    SubmitField,
    TextAreaField,
)
from wtforms.widgets import TextInput

from shop.catalog import listings as services
from shop.catalog.certifications import KINDS
from shop.forms import BaseForm, SubForm
from shop.money import MoneyParseError, baht_to_satang, satang_to_input

_INT_RE = re.compile(r"^-?\d{1,12}$")


class WholeNumberField(StringField):
    """A whole number typed on a phone keypad; empty is None. Negative numbers are
    parsed (the services refuse them with a clearer message than "invalid")."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "numeric", "autocomplete": "off", **(kwargs.pop("render_kw", None) or {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist:
            return
        raw = (valuelist[0] or "").strip().replace(",", "").replace(" ", "")
        if raw == "":
            return
        if not _INT_RE.match(raw):
            raise ValueError(_l("Enter a whole number, e.g. 12."))
        self.data = int(raw)

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return "" if self.data is None else str(self.data)


class BahtField(StringField):
    """An amount in baht (``120`` or ``120.50``), kept as integer satang."""

    widget = TextInput()

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = {"inputmode": "decimal", "autocomplete": "off", **(kwargs.pop("render_kw", None) or {})}
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist:
            return
        raw = (valuelist[0] or "").strip()
        if raw == "":
            return
        if raw.startswith("-"):
            raise ValueError(_l("An amount cannot be negative."))
        try:
            self.data = baht_to_satang(raw)
        except MoneyParseError:
            raise ValueError(_l("Enter an amount in baht, e.g. 120 or 120.50.")) from None

    def _value(self):
        if self.raw_data:
            return self.raw_data[0]
        return satang_to_input(self.data)


def _int_or_none(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class TierForm(SubForm):
    min_quantity = WholeNumberField(_l("From quantity"))
    price = BahtField(_l("Unit price (baht)"))


class VariantForm(SubForm):
    id = HiddenField()
    name_th = StringField(_l("Option name (Thai)"), render_kw={"maxlength": 120})
    name_en = StringField(_l("Option name (English)"), render_kw={"maxlength": 120})
    sku = StringField(_l("SKU"), render_kw={"maxlength": 64, "autocapitalize": "characters", "spellcheck": "false"})
    gtin13 = StringField(_l("Barcode (GTIN-13)"), render_kw={"inputmode": "numeric", "maxlength": 17})
    weight_grams = WholeNumberField(_l("Weight (g)"))
    price = BahtField(_l("Price (baht)"))
    stock = WholeNumberField(_l("Stock"))
    low_stock_threshold = WholeNumberField(_l("Low-stock alert at"), default=5)
    moq = WholeNumberField(_l("Minimum wholesale order"), default=1)
    case_pack = WholeNumberField(_l("Case pack (units)"), default=1)
    lead_time_days = WholeNumberField(_l("Lead time (days)"))
    shelf_life_days = WholeNumberField(_l("Shelf life (days)"))
    is_active = BooleanField(_l("On sale"), default=True)
    tiers = FieldList(FormField(TierForm), min_entries=services.MAX_TIERS, max_entries=services.MAX_TIERS)

    def is_blank(self) -> bool:
        return not self.id.data and not any(
            (f.raw_data and (f.raw_data[0] or "").strip()) for f in (self.name_th, self.sku, self.price, self.stock)
        )


class CertificationForm(SubForm):
    kind = SelectField(_l("Certification"), validate_choice=False)
    number = StringField(_l("Number"), render_kw={"maxlength": 64})
    stars = WholeNumberField(_l("OTOP stars (1–5)"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = [SelectChoice("", _l("— none —"))] + [SelectChoice(k.code, k.label) for k in KINDS.values()]


FOOD_CHOICES = [SelectChoice("", _l("As its category says")), SelectChoice("yes", _l("Yes, it is food or drink")),
                SelectChoice("no", _l("No"))]


class ProductForm(BaseForm):
    name_th = StringField(_l("Product name (Thai)"), render_kw={"maxlength": 200})
    name_en = StringField(_l("Product name (English)"), render_kw={"maxlength": 200})
    summary_th = StringField(_l("One-line summary (Thai)"), render_kw={"maxlength": 300})
    summary_en = StringField(_l("One-line summary (English)"), render_kw={"maxlength": 300})
    description_th = TextAreaField(_l("Description (Thai)"), render_kw={"rows": 6, "maxlength": 10000})
    description_en = TextAreaField(_l("Description (English)"), render_kw={"rows": 6, "maxlength": 10000})
    category_id = SelectField(_l("Category"), coerce=_int_or_none, validate_choice=False)
    tags = StringField(_l("Tags"), render_kw={"maxlength": 1300})
    is_food = SelectField(_l("Is it food or drink?"), choices=FOOD_CHOICES, validate_choice=False)
    variants = FieldList(FormField(VariantForm), min_entries=1, max_entries=services.MAX_VARIANTS)
    certifications = FieldList(FormField(CertificationForm), min_entries=1,
                               max_entries=services.MAX_CERTIFICATIONS)
    add_variant = SubmitField(_l("Add another option"))
    add_certification = SubmitField(_l("Add another certification"))
    save = SubmitField(_l("Save"))

    def set_categories(self, categories, locale: str) -> None:
        self.category_id.choices = [SelectChoice("", _l("Choose a category"))] + [
            SelectChoice(str(c.id), c.t("name", locale)) for c in categories
        ]

    def validate_tags(self, field):
        try:
            services.parse_tags(field.data)
        except ValueError as exc:
            from wtforms.validators import ValidationError

            raise ValidationError(exc.args[0]) from None

    def wants_more_rows(self) -> bool:
        return bool(self.add_variant.data or self.add_certification.data)

    def add_rows(self) -> None:
        if self.add_variant.data and len(self.variants) < services.MAX_VARIANTS:
            self.variants.append_entry()
        if self.add_certification.data and len(self.certifications) < services.MAX_CERTIFICATIONS:
            self.certifications.append_entry()

    def fill_from(self, product, *, food_choice: bool | None) -> None:
        """Show a saved product (GET of the edit page), plus an empty row of each kind."""
        variants = []
        for v in product.variants:
            tiers = [{"min_quantity": t.min_quantity, "price": t.unit_price_satang} for t in v.wholesale_tiers]
            tiers += [{}] * (services.MAX_TIERS - len(tiers))
            variants.append({
                "id": str(v.id), "name_th": v.name_th, "name_en": v.name_en, "sku": v.sku, "gtin13": v.gtin13,
                "weight_grams": v.weight_grams, "price": v.price_satang, "stock": v.stock,
                "low_stock_threshold": v.low_stock_threshold, "moq": v.moq, "case_pack": v.case_pack,
                "lead_time_days": v.lead_time_days, "shelf_life_days": v.shelf_life_days,
                "is_active": v.is_active, "tiers": tiers[: services.MAX_TIERS],
            })
        certs = [{"kind": c.kind, "number": c.number, "stars": c.stars} for c in product.certifications]
        self.process(data={
            "name_th": product.name_th, "name_en": product.name_en,
            "summary_th": product.summary_th, "summary_en": product.summary_en,
            "description_th": product.description_th, "description_en": product.description_en,
            "category_id": product.category_id,
            "tags": ", ".join(t.tag for t in sorted(product.tags, key=lambda t: t.id)),
            "is_food": "" if food_choice is None else ("yes" if food_choice else "no"),
            "variants": variants or [{}],
            "certifications": certs + [{}],
        })

    def to_input(self) -> services.ProductInput:
        variants = []
        for entry in self.variants:
            row = entry.form
            if row.is_blank():
                continue
            variants.append(services.VariantInput(
                id=_int_or_none(row.id.data),
                name_th=(row.name_th.data or "").strip(),
                name_en=row.name_en.data,
                sku=(row.sku.data or "").strip(),
                gtin13=services.normalize_gtin(row.gtin13.data),
                weight_grams=row.weight_grams.data,
                price_satang=row.price.data,
                stock=row.stock.data,
                low_stock_threshold=row.low_stock_threshold.data,
                moq=row.moq.data,
                case_pack=row.case_pack.data,
                lead_time_days=row.lead_time_days.data,
                shelf_life_days=row.shelf_life_days.data,
                is_active=bool(row.is_active.data),
                tiers=[services.TierInput(t.form.min_quantity.data, t.form.price.data) for t in row.tiers],
                prefix=entry.name,
            ))
        certs = [
            services.CertificationInput(kind=e.form.kind.data, number=e.form.number.data, stars=e.form.stars.data,
                                        prefix=e.name)
            for e in self.certifications
            if e.form.kind.data
        ]
        return services.ProductInput(
            name_th=(self.name_th.data or "").strip(),
            name_en=self.name_en.data,
            summary_th=self.summary_th.data,
            summary_en=self.summary_en.data,
            description_th=self.description_th.data,
            description_en=self.description_en.data,
            category_id=self.category_id.data,
            tags=services.parse_tags(self.tags.data),
            is_food={"yes": True, "no": False}.get(self.is_food.data or ""),
            variants=variants,
            certifications=certs,
        )


def _leaf_fields(form) -> dict[str, Field]:
    found: dict[str, Field] = {}
    for field in form:
        if isinstance(field, FieldList):
            for entry in field:
                if isinstance(entry, FormField):
                    found.update(_leaf_fields(entry.form))
                else:
                    found[entry.name] = entry
        elif isinstance(field, FormField):
            found.update(_leaf_fields(field.form))
        else:
            found[field.name] = field
    return found


def apply_errors(form, errors: dict[str, object]) -> list[str]:
    """Attach service errors to the fields they name; return the ones that name none."""
    fields = _leaf_fields(form)
    unplaced = []
    for name, message in errors.items():
        field = fields.get(name)
        if field is None:
            unplaced.append(str(message))
            continue
        if not isinstance(field.errors, list):
            field.errors = list(field.errors)
        field.errors.append(message)
    return unplaced


def error_count(form) -> int:
    return sum(len(f.errors) for f in _leaf_fields(form).values())


class PhotoUploadForm(BaseForm):
    photos = MultipleFileField(_l("Add photos"), render_kw={"accept": "image/jpeg,image/png,image/webp"})
    upload = SubmitField(_l("Upload"))


class PhotoActionForm(BaseForm):
    """One button per photo action (up, down, cover, delete); the photo id is in the URL."""

    action = HiddenField()


class StatusForm(BaseForm):
    to_status = HiddenField()
    reason = TextAreaField(_l("Reason"), render_kw={"rows": 3, "maxlength": 2000})


class ReviewForm(BaseForm):
    decision = HiddenField()
    reason = TextAreaField(_l("Reason for the enterprise (required to send back or take down)"),
                           render_kw={"rows": 4, "maxlength": 2000})


class StockRowForm(SubForm):
    variant_id = HiddenField()
    seen = HiddenField()
    stock = WholeNumberField(_l("Stock"))


class StockForm(BaseForm):
    rows = FieldList(FormField(StockRowForm), max_entries=services.STOCK_PAGE_SIZE)
    save = SubmitField(_l("Save stock"))

    def fill_from(self, variants) -> None:
        self.process(data={"rows": [{"variant_id": str(v.id), "seen": str(v.stock), "stock": v.stock}
                                    for v in variants]})

    def to_changes(self) -> list[services.StockChange]:
        changes = []
        for entry in self.rows:
            row = entry.form
            variant_id, seen = _int_or_none(row.variant_id.data), _int_or_none(row.seen.data)
            if variant_id is None or seen is None or row.stock.data is None:
                continue
            changes.append(services.StockChange(variant_id, seen, row.stock.data, prefix=entry.name))
        return changes


class CostRowForm(SubForm):
    variant_id = HiddenField()
    materials = BahtField(_l("Materials"))
    packaging = BahtField(_l("Packaging"))
    labour = BahtField(_l("Labour"))
    overhead = BahtField(_l("Overhead"))


class CostForm(BaseForm):
    rows = FieldList(FormField(CostRowForm), max_entries=services.MAX_VARIANTS)
    save = SubmitField(_l("Save costs"))

    def fill_from(self, variants) -> None:
        self.process(data={"rows": [{
            "variant_id": str(v.id), "materials": v.cost_materials_satang, "packaging": v.cost_packaging_satang,
            "labour": v.cost_labour_satang, "overhead": v.cost_overhead_satang,
        } for v in variants]})

    def to_costs(self) -> list[services.CostInput]:
        costs = []
        for entry in self.rows:
            row = entry.form
            variant_id = _int_or_none(row.variant_id.data)
            if variant_id is None:
                continue
            costs.append(services.CostInput(variant_id, row.materials.data, row.packaging.data, row.labour.data,
                                            row.overhead.data, prefix=entry.name))
        return costs


class ImportUploadForm(BaseForm):
    file = FileField(_l("CSV file"), render_kw={"accept": ".csv,text/csv"})
    upload = SubmitField(_l("Check the file"))


class ImportConfirmForm(BaseForm):
    token = HiddenField()
    confirm = SubmitField(_l("Apply all rows"))


class FeedKeyForm(BaseForm):
    rotate = SubmitField(_l("Make new secret links"))
