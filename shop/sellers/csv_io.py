"""Listings as CSV: export every listing of an enterprise, and import a CSV that
creates and updates listings, checked row by row and applied all at once or not at
all (docs/product.md: Catalogue, Dashboards).

One row is one variant (option). ``sku`` identifies it within the enterprise;
``product_slug`` groups rows into products. Import rules:

* an existing SKU updates that variant (and its product's columns);
* a new SKU with the slug of one of the enterprise's products adds an option to it;
* a new SKU with a new slug, or no slug, creates a draft product (rows sharing a new
  slug become one product with several options);
* the columns present are applied; a blank cell clears an optional value; a column
  left out of the file keeps what is saved. ``status`` is exported for reference and
  ignored on import (statuses change on the dashboard, with review);
* all rows of one product must carry the same product columns;
* wholesale tiers and certifications are kept as they are (edit them in the form).

The upload is checked and shown as a preview; the file is kept server-side under the
instance folder, named by a random token and bound to the user and enterprise, until
the seller confirms. Confirming checks everything again against the database as it
is then, and applies every row in one transaction, or refuses if any row has an
error.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from shop.accounts.models import User
from shop.catalog import listings as services
from shop.catalog import status
from shop.catalog.models import Category, Enterprise, Product, Variant
from shop.database import end_read
from shop.errors import NotFound, ValidationFailed
from shop.extensions import db
from shop.money import MoneyParseError, baht_to_satang, satang_to_input
from shop.spreadsheets import FORMULA_START, CsvText, csv_producer, write_csv
from shop.text import TextRefused, clean_text

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 5000
PENDING_MAX_AGE_SECONDS = 60 * 60
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_-]{20,64}$")

PRODUCT_COLUMNS = (
    "product_name_th", "product_name_en", "summary_th", "summary_en", "description_th", "description_en",
    "category_slug", "tags",
)
VARIANT_COLUMNS = (
    "variant_name_th", "variant_name_en", "gtin13", "weight_grams", "price_baht", "stock", "low_stock_threshold",
    "moq", "case_pack", "lead_time_days", "shelf_life_days", "on_sale",
)
COLUMNS = ("product_slug", "sku", "status", *PRODUCT_COLUMNS, *VARIANT_COLUMNS)
INT_COLUMNS = {
    "weight_grams": "weight_grams", "stock": "stock", "low_stock_threshold": "low_stock_threshold", "moq": "moq",
    "case_pack": "case_pack", "lead_time_days": "lead_time_days", "shelf_life_days": "shelf_life_days",
}
# Service field name -> CSV column, to put a service error on the right cell.
FIELD_TO_COLUMN = {
    "name_th": "variant_name_th", "name_en": "variant_name_en", "sku": "sku", "gtin13": "gtin13",
    "price": "price_baht", **{v: k for k, v in INT_COLUMNS.items()},
}
PRODUCT_FIELD_TO_COLUMN = {
    "name_th": "product_name_th", "name_en": "product_name_en", "summary_th": "summary_th",
    "summary_en": "summary_en", "description_th": "description_th", "description_en": "description_en",
    "category_id": "category_slug", "tags": "tags", "variants": "sku",
}
_TRUE = {"yes", "y", "true", "1", "on", "ใช่", "ขาย"}
_FALSE = {"no", "n", "false", "0", "off", "ไม่", "ไม่ใช่", "ไม่ขาย"}

COLUMN_HELP = {
    "product_slug": _l("The product's web address (letters, digits, dashes). Rows with the same slug are options "
                       "of one product. Leave empty to create a product from this row alone."),
    "sku": _l("Required. Your stock code for the option, unique in your enterprise. An existing SKU updates "
              "that option."),
    "status": _l("Exported for reference; ignored on import."),
    "product_name_th": _l("Product name in Thai (required for a new product)."),
    "product_name_en": _l("Product name in English."),
    "summary_th": _l("One-line summary in Thai."),
    "summary_en": _l("One-line summary in English."),
    "description_th": _l("Description in Thai."),
    "description_en": _l("Description in English."),
    "category_slug": _l("Category code, e.g. coffee (required for a new product)."),
    "tags": _l("Tags separated by commas."),
    "variant_name_th": _l("Option name in Thai, e.g. 250 กรัม (required)."),
    "variant_name_en": _l("Option name in English."),
    "gtin13": _l("13-digit barcode with a correct check digit (format the column as text in your spreadsheet)."),
    "weight_grams": _l("Weight in grams."),
    "price_baht": _l("Retail price in baht, e.g. 120 or 120.50 (required)."),
    "stock": _l("Units in stock (required, not negative)."),
    "low_stock_threshold": _l("Alert when stock falls to this number."),
    "moq": _l("Minimum wholesale order (units)."),
    "case_pack": _l("Units per case."),
    "lead_time_days": _l("Days to prepare a wholesale order."),
    "shelf_life_days": _l("Shelf life in days."),
    "on_sale": _l("yes or no (empty means yes)."),
}


# --------------------------------------------------------------------------- export




@csv_producer("A seller's listings export (/seller/<id>/listings/export.csv)")
def export_csv(enterprise: Enterprise) -> CsvText:
    """Every non-archived listing, one row per variant, UTF-8 with a BOM for Excel."""
    products = db.session.scalars(
        select(Product)
        .where(Product.enterprise_id == enterprise.id, Product.status != status.ARCHIVED)
        .options(selectinload(Product.variants), selectinload(Product.tags))
        .order_by(Product.id)
    )
    categories = {c.id: c.slug for c in db.session.scalars(select(Category))}
    rows = []
    for product in products:
        common = [
            product.name_th, product.name_en, product.summary_th, product.summary_en, product.description_th,
            product.description_en, categories.get(product.category_id, ""), ", ".join(t.tag for t in sorted(product.tags, key=lambda t: t.id)),
        ]
        for v in product.variants:
            rows.append([
                product.slug, v.sku, product.status, *common,
                v.name_th, v.name_en, v.gtin13 or "", v.weight_grams,
                satang_to_input(v.price_satang), v.stock, v.low_stock_threshold, v.moq, v.case_pack,
                "" if v.lead_time_days is None else v.lead_time_days,
                "" if v.shelf_life_days is None else v.shelf_life_days,
                "yes" if v.is_active else "no",
            ])
    return write_csv(COLUMNS, rows)


# ---------------------------------------------------------------------------- parse


@dataclass
class ImportRow:
    line: int
    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)  # column -> message
    action: str = ""  # "create", "add", "update"
    product_label: str = ""

    @property
    def sku(self) -> str:
        return self.values.get("sku", "")

    def error(self, column: str, message) -> None:
        self.errors.setdefault(column, str(message))


@dataclass
class ImportPreview:
    rows: list[ImportRow]
    columns: list[str]
    file_errors: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    token: str | None = None

    @property
    def error_count(self) -> int:
        return len(self.file_errors) + sum(1 for r in self.rows if r.errors)

    @property
    def ok(self) -> bool:
        return self.error_count == 0 and bool(self.rows)

    def counts(self) -> dict[str, int]:
        counts = {"create": 0, "add": 0, "update": 0}
        for row in self.rows:
            if row.action in counts:
                counts[row.action] += 1
        return counts


def _unguard(text: str) -> str:
    # Undo the apostrophe the export puts before formula-like text.
    if len(text) > 1 and text[0] == "'" and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def parse_csv(data: bytes) -> ImportPreview:
    """Read the file into rows (no database yet); file-level problems are reported."""
    preview = ImportPreview(rows=[], columns=[])
    if not data:
        preview.file_errors.append(str(_l("The file is empty.")))
        return preview
    if len(data) > MAX_IMPORT_BYTES:
        preview.file_errors.append(str(_l("The file is too large (at most %(mb)s MB).",
                                          mb=MAX_IMPORT_BYTES // (1024 * 1024))))
        return preview
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        preview.file_errors.append(str(_l("The file is not UTF-8 text. In your spreadsheet choose "
                                          "“CSV UTF-8” when saving.")))
        return preview
    if "\x00" in text:
        preview.file_errors.append(str(_l("This is not a CSV file.")))
        return preview
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = next(reader, None)
        if not header:
            preview.file_errors.append(str(_l("The file has no header row.")))
            return preview
        names = [h.strip().lower().lstrip("\ufeff") for h in header]
        if "sku" not in names:
            preview.file_errors.append(str(_l("The header row must include a “sku” column.")))
            return preview
        duplicates = sorted({n for n in names if n and names.count(n) > 1})
        if duplicates:
            preview.file_errors.append(str(_l("These columns appear twice: %(cols)s", cols=", ".join(duplicates))))
            return preview
        preview.columns = [n for n in names if n in COLUMNS]
        preview.ignored_columns = [n for n in names if n and n not in COLUMNS]
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            if len(preview.rows) >= MAX_IMPORT_ROWS:
                preview.file_errors.append(str(_l("The file has more than %(n)s rows. Split it into smaller files.",
                                                  n=MAX_IMPORT_ROWS)))
                return preview
            row = ImportRow(line=reader.line_num, values={})
            if len(record) > len(names):
                row.error("sku", _l("This row has more cells than the header."))
            for name, cell in zip(names, record, strict=False):
                if name in COLUMNS:
                    try:
                        # The free-text rule of the listing form; descriptions keep their lines.
                        text = clean_text(cell, multi_line=name.startswith("description_"))
                    except TextRefused as exc:
                        row.error(name, exc.message(name))
                        text = ""
                    row.values[name] = _unguard(text.strip())
            preview.rows.append(row)
    except csv.Error as exc:
        preview.file_errors.append(str(_l("Line %(n)s is not valid CSV: %(detail)s", n=reader.line_num,
                                          detail=str(exc))))
    if not preview.rows and not preview.file_errors:
        preview.file_errors.append(str(_l("The file has a header but no rows.")))
    return preview


# ---------------------------------------------------------------------- validation


@dataclass
class _Group:
    key: str
    product: Product | None
    slug: str | None  # for a new product with a chosen slug
    data: services.ProductInput | None
    rows: list[ImportRow] = field(default_factory=list)


def _parse_int(row: ImportRow, column: str) -> int | None:
    raw = row.values.get(column, "").replace(",", "").strip()
    if raw == "":
        return None
    if not re.fullmatch(r"-?\d{1,12}", raw):
        row.error(column, _l("Enter a whole number."))
        return None
    return int(raw)


def _parse_price(row: ImportRow, column: str) -> int | None:
    raw = row.values.get(column, "").strip()
    if raw == "":
        return None
    if raw.startswith("-"):
        row.error(column, _l("An amount cannot be negative."))
        return None
    try:
        return baht_to_satang(raw)
    except MoneyParseError:
        row.error(column, _l("Enter an amount in baht, e.g. 120 or 120.50."))
        return None


def _parse_bool(row: ImportRow, column: str) -> bool:
    raw = row.values.get(column, "").strip().lower()
    if raw == "" or raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    row.error(column, _l("Write yes or no."))
    return True


def _parse_gtin(row: ImportRow) -> str | None:
    raw = row.values.get("gtin13", "")
    if re.search(r"[eE]\+?\d", raw):
        row.error("gtin13", _l("The spreadsheet turned the barcode into a number (like 8.85E+12). Format the "
                               "column as text and type it again."))
        return None
    return services.normalize_gtin(raw)


def _apply_product_columns(data: services.ProductInput, row: ImportRow, columns: list[str],
                           categories: dict[str, int]) -> None:
    values = row.values
    for column, attr in (("product_name_th", "name_th"), ("product_name_en", "name_en"),
                         ("summary_th", "summary_th"), ("summary_en", "summary_en"),
                         ("description_th", "description_th"), ("description_en", "description_en")):
        if column in columns:
            setattr(data, attr, values.get(column) or ("" if attr == "name_th" else None))
    if "category_slug" in columns:
        slug = values.get("category_slug", "").strip().lower()
        data.category_id = categories.get(slug)
        if slug and data.category_id is None:
            row.error("category_slug", _l("No category has the code “%(slug)s”.", slug=slug))
    if "tags" in columns:
        try:
            data.tags = services.parse_tags(values.get("tags"))
        except ValueError as exc:
            row.error("tags", exc.args[0])


def _apply_variant_columns(variant: services.VariantInput, row: ImportRow, columns: list[str]) -> None:
    values = row.values
    if "variant_name_th" in columns:
        variant.name_th = values.get("variant_name_th", "")
    if "variant_name_en" in columns:
        variant.name_en = values.get("variant_name_en") or None
    if "gtin13" in columns:
        variant.gtin13 = _parse_gtin(row)
    if "price_baht" in columns:
        variant.price_satang = _parse_price(row, "price_baht")
    for column, attr in INT_COLUMNS.items():
        if column in columns:
            setattr(variant, attr, _parse_int(row, column))
    if "on_sale" in columns:
        variant.is_active = _parse_bool(row, "on_sale")


def _blank_input() -> services.ProductInput:
    return services.ProductInput(name_th="", name_en=None, summary_th=None, summary_en=None, description_th=None,
                                 description_en=None, category_id=None, tags=[], is_food=None, variants=[])


def _product_signature(row: ImportRow, columns: list[str]) -> tuple:
    return tuple(row.values.get(c, "") for c in PRODUCT_COLUMNS if c in columns)


def _plan(enterprise: Enterprise, preview: ImportPreview) -> list[_Group]:
    """Group rows into products and check every row against the database as it is."""
    columns = preview.columns
    rows = preview.rows
    categories = {c.slug: c.id for c in db.session.scalars(select(Category))}
    skus = [r.sku for r in rows if r.sku]
    existing_variants = {
        v.sku.lower(): v
        for v in db.session.scalars(
            select(Variant)
            .where(Variant.enterprise_id == enterprise.id, func.lower(Variant.sku).in_({s.lower() for s in skus}))
            .options(selectinload(Variant.product))
        )
    } if skus else {}
    slugs = {r.values.get("product_slug", "").strip() for r in rows} - {""}
    products_by_slug = {
        p.slug: p for p in db.session.scalars(select(Product).where(Product.slug.in_(slugs)))
    } if slugs else {}

    groups: dict[str, _Group] = {}
    first_line_of_sku: dict[str, int] = {}
    for row in rows:
        sku = row.sku
        slug = row.values.get("product_slug", "").strip()
        if not sku:
            row.error("sku", _l("Every row needs a SKU."))
            continue
        if sku.lower() in first_line_of_sku:
            row.error("sku", _l("This SKU is also on line %(n)s.", n=first_line_of_sku[sku.lower()]))
            continue
        first_line_of_sku[sku.lower()] = row.line
        variant = existing_variants.get(sku.lower())
        if variant is not None:
            product = variant.product
            if slug and slug != product.slug:
                row.error("product_slug", _l("This SKU belongs to the product “%(slug)s”.", slug=product.slug))
                continue
            key, row.action = f"id:{product.id}", "update"
        elif slug:
            product = products_by_slug.get(slug)
            if product is not None and product.enterprise_id != enterprise.id:
                row.error("product_slug", _l("Another enterprise uses this product address. Choose another."))
                continue
            if product is None and (len(slug) > 120 or not services.SLUG_RE.match(slug)):
                row.error("product_slug", _l("Use lower-case letters, digits and dashes only."))
                continue
            key = f"id:{product.id}" if product is not None else f"slug:{slug}"
            row.action = "add" if product is not None else "create"
        else:
            product, key, row.action = None, f"line:{row.line}", "create"
        if product is not None and product.status == status.ARCHIVED:
            row.error("product_slug", _l("This product is archived. Restore it from a copy instead."))
            continue
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Group(
                key=key, product=product, slug=slug if product is None and slug else None,
                data=services.input_from_product(product, prefix=f"p{product.id}-") if product else _blank_input(),
            )
        group.rows.append(row)

    for group in groups.values():
        _plan_group(enterprise, group, columns, categories)
    return list(groups.values())


def _plan_group(enterprise: Enterprise, group: _Group, columns: list[str], categories: dict[str, int]) -> None:
    data = group.data
    first = group.rows[0]
    signature = _product_signature(first, columns)
    for row in group.rows[1:]:
        if _product_signature(row, columns) != signature:
            row.error("product_slug", _l("The product columns differ from line %(n)s for the same product.",
                                         n=first.line))
    _apply_product_columns(data, first, columns, categories)
    by_sku = {v.sku.lower(): v for v in data.variants}
    row_of_prefix: dict[str, ImportRow] = {}
    for row in group.rows:
        variant = by_sku.get(row.sku.lower())
        if variant is None:
            variant = services.VariantInput(
                id=None, name_th="", name_en=None, sku=row.sku, gtin13=None, weight_grams=None,
                price_satang=None, stock=None,
            )
            data.variants.append(variant)
        variant.prefix = f"line{row.line}"
        row_of_prefix[variant.prefix] = row
        _apply_variant_columns(variant, row, columns)
        row.product_label = data.name_th or (group.product.name_th if group.product else "")
    if group.product is None and data.category_id is None and "category_slug" not in first.errors:
        first.error("category_slug", _l("A new product needs a category."))
    errors = services.validate_product(enterprise.id, data, group.product)
    for key, message in errors.items():
        prefix, _, name = key.partition("-")
        row = row_of_prefix.get(prefix)
        if row is not None:
            row.error(FIELD_TO_COLUMN.get(name, "sku"), message)
        elif key in PRODUCT_FIELD_TO_COLUMN:
            first.error(PRODUCT_FIELD_TO_COLUMN[key], message)
        else:
            # A saved option or certification of this product that the file did not
            # touch is already invalid; say so rather than fail later.
            first.error("sku", _l("Another option of this product needs fixing in the form first: %(msg)s",
                                  msg=str(message)))
    if group.slug and group.product is None:
        if db.session.scalar(select(Product.id).where(Product.slug == group.slug)) is not None:
            first.error("product_slug", _l("Another product already uses this address."))


def check_import(enterprise: Enterprise, data: bytes) -> ImportPreview:
    """Parse and check a CSV against the enterprise's listings; nothing is written."""
    preview = parse_csv(data)
    if not preview.file_errors:
        _plan(enterprise, preview)
        end_read()  # the checks only read; leave nothing pending
    return preview


# -------------------------------------------------------------- pending uploads


def _pending_dir() -> Path:
    path = Path(current_app.instance_path) / "csv-imports"
    path.mkdir(parents=True, exist_ok=True)
    return path


def _sweep(directory: Path) -> None:
    cutoff = time.time() - PENDING_MAX_AGE_SECONDS
    for entry in directory.glob("*.json"):
        try:
            if entry.stat().st_mtime < cutoff:
                entry.unlink()
        except FileNotFoundError:
            pass


def store_pending(enterprise: Enterprise, actor: User, data: bytes) -> str:
    """Keep a checked upload until it is confirmed; returns its random token."""
    directory = _pending_dir()
    _sweep(directory)
    token = secrets.token_urlsafe(24)
    payload = {"enterprise_id": enterprise.id, "user_id": actor.id, "created": time.time(),
               "csv": data.decode("utf-8-sig")}
    target = directory / f"{token}.json"
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(payload, handle)
    return token


def _load_pending(enterprise: Enterprise, actor: User, token: str | None) -> tuple[Path, bytes]:
    expired = ValidationFailed(_l("This import has expired or was already applied. Upload the file again."))
    if not token or not _TOKEN_RE.match(token):
        raise expired
    path = _pending_dir() / f"{token}.json"
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        raise expired from None
    if payload.get("enterprise_id") != enterprise.id or payload.get("user_id") != actor.id:
        raise NotFound()
    if time.time() - float(payload.get("created", 0)) > PENDING_MAX_AGE_SECONDS:
        path.unlink(missing_ok=True)
        raise expired
    return path, payload["csv"].encode("utf-8")


@dataclass
class ImportResult:
    created: int
    added: int
    updated: int


def apply_import(enterprise: Enterprise, actor: User, token: str | None) -> ImportResult:
    """Apply a previewed upload: every row in one transaction, or none.

    Raises ValidationFailed (with the fresh preview in ``exc.preview``) when any row
    has an error now.
    """
    services.require_member(actor, enterprise.id)
    path, data = _load_pending(enterprise, actor, token)
    preview = parse_csv(data)
    # The rows are checked in the transaction that writes them: what was checked is
    # what is written.
    with services.listing_transaction():
        groups = [] if preview.file_errors else _plan(enterprise, preview)
        if preview.error_count:
            preview.token = token
            exc = ValidationFailed(_l("Nothing was imported: %(n)s rows have errors. Fix them and upload again.",
                                      n=preview.error_count))
            exc.preview = preview
            raise exc
        for group in groups:
            if group.product is None:
                services.add_product(enterprise, group.data, slug=group.slug)
            else:
                services.change_product(group.product, group.data)
    path.unlink(missing_ok=True)
    counts = preview.counts()
    return ImportResult(created=counts["create"], added=counts["add"], updated=counts["update"])
