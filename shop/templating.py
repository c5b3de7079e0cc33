"""Template filters and globals: money, localized fields, images, language links."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlencode

from flask import Flask, request

from shop import storage
from shop.geo import province_by_code
from shop.i18n import current_language
from shop.money import format_baht


def baht(satang: int | None) -> str:
    return format_baht(satang, current_language())


def localized(obj, field: str) -> str:
    """``{{ product|loc('name') }}``: the field in the current language, else Thai."""
    return obj.t(field, current_language())


def photo_url(photo, size: str = "card") -> str:
    folder = "enterprises" if photo.__tablename__ == "enterprise_photos" else "products"
    return storage.image_url(folder, photo.image_key, size)


def photo_srcset(photo) -> str:
    folder = "enterprises" if photo.__tablename__ == "enterprise_photos" else "products"
    return ", ".join(
        f"{storage.image_url(folder, photo.image_key, size)} {width}w" for size, width in storage.IMAGE_SIZES.items()
    )


def province_name(code: str | None) -> str:
    province = province_by_code(code)
    return province.name(current_language()) if province else ""


def url_with_lang(lang: str) -> str:
    """The current page's URL with ``lang`` set (other query parameters kept)."""
    args = request.args.to_dict(flat=False)
    args["lang"] = [lang]
    return f"{request.path}?{urlencode(args, doseq=True)}"


def url_with_args(**changes) -> str:
    """The current URL with some query parameters replaced (None removes one)."""
    try:
        key = (request.path, request.query_string, tuple(sorted(changes.items())))
        hash(key)
    except TypeError:  # a value that cannot be a key: build it afresh
        return _url_with_args(request.path, request.args, changes)
    return _url_with_args_memo(key)


@lru_cache(maxsize=4096)
def _url_with_args_memo(key: tuple) -> str:
    # The URL depends only on the path, the query string and the changes: a results
    # page builds one per facet option, and the same pages are asked for again.
    return _url_with_args(key[0], request.args, dict(key[2]))


def _url_with_args(path: str, current, changes: dict) -> str:
    args = current.to_dict(flat=False)
    args.pop("lang", None)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [str(value)]
    query = urlencode(args, doseq=True)
    return f"{path}?{query}" if query else path


def init_templating(app: Flask) -> None:
    app.jinja_env.filters["baht"] = baht
    app.jinja_env.filters["loc"] = localized
    app.jinja_env.filters["photo_url"] = photo_url
    app.jinja_env.filters["photo_srcset"] = photo_srcset
    app.jinja_env.filters["province_name"] = province_name
    app.jinja_env.globals.update(
        current_language=current_language,
        url_with_lang=url_with_lang,
        url_with_args=url_with_args,
    )
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
