"""Thailand's provinces (and, for addresses, districts and postcodes) from ``geothai``.

Provinces are reference data, not rows we edit: enterprises store the two-digit
province code of the Thai standard (TIS 1099), and pages look names and slugs up here.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import geothai

from shop.text import slugify
from shop.thai import thai_sorted


@dataclass(frozen=True)
class Province:
    code: str
    name_th: str
    name_en: str
    slug: str

    def name(self, locale: str) -> str:
        return self.name_th if locale == "th" else self.name_en


@lru_cache(maxsize=1)
def all_provinces() -> tuple[Province, ...]:
    provinces = (
        Province(code=p.code, name_th=p.name_th, name_en=p.name_en, slug=slugify(p.name_en))
        for p in geothai.provinces()
    )
    return tuple(sorted(provinces, key=lambda p: p.name_en))


@lru_cache(maxsize=1)
def _by_code() -> dict[str, Province]:
    return {p.code: p for p in all_provinces()}


@lru_cache(maxsize=1)
def _by_slug() -> dict[str, Province]:
    return {p.slug: p for p in all_provinces()}


def province_by_code(code: str | None) -> Province | None:
    return _by_code().get(code or "")


def province_by_slug(slug: str) -> Province | None:
    return _by_slug().get(slug)


def province_choices(locale: str) -> list[tuple[str, str]]:
    """``(code, name)`` pairs for a select box, sorted by the name in that language
    (Thai names in Thai dictionary order)."""
    return list(_choices(locale))


@lru_cache(maxsize=4)
def _choices(locale: str) -> tuple[tuple[str, str], ...]:
    return tuple(thai_sorted([(p.code, p.name(locale)) for p in all_provinces()], key=lambda c: c[1]))


def sort_by_province_name(items, locale: str, province=lambda item: item.province) -> list:
    """``items`` ordered by their province's name in ``locale``, the Thai way in Thai."""
    return thai_sorted(list(items), key=lambda item: province(item).name(locale))
