"""``/sitemap.xml``, its child sitemaps under ``/sitemaps/`` and ``/robots.txt``
(docs/product.md: Sharing and search engines; the documents are built in
``catalog.sitemaps``).

Each answer may be kept by any cache for ``SITEMAP_MAX_AGE`` seconds and carries an
``ETag`` (a hash of the document) and a ``Last-Modified`` (the newest change that can
alter it); ``If-None-Match`` and ``If-Modified-Since`` get a 304 when nothing changed.
"""

from __future__ import annotations

from flask import Response, abort, current_app, request

from shop.catalog import bp, sitemaps

XML = "application/xml; charset=utf-8"


def _cacheable(body: str, mimetype: str, sitemap: sitemaps.Sitemap | None = None) -> Response:
    response = Response(body, mimetype=mimetype)
    response.headers["Cache-Control"] = f"public, max-age={int(current_app.config['SITEMAP_MAX_AGE'])}"
    if sitemap is not None and sitemap.last_modified is not None:
        response.last_modified = sitemap.last_modified
    response.add_etag()
    return response.make_conditional(request)


def _sitemap_response(sitemap: sitemaps.Sitemap | None) -> Response:
    if sitemap is None:
        abort(404)
    return _cacheable(sitemap.xml, XML, sitemap)


@bp.get("/sitemap.xml")
def sitemap_index():
    return _sitemap_response(sitemaps.sitemap_index())


@bp.get("/sitemaps/<any(pages, categories, enterprises):name>.xml")
def sitemap_child(name: str):
    return _sitemap_response(sitemaps.child_sitemap(name))


@bp.get("/sitemaps/products-<int:number>.xml")
def sitemap_products(number: int):
    return _sitemap_response(sitemaps.products_sitemap(number))


@bp.get("/robots.txt")
def robots():
    return _cacheable(sitemaps.robots_txt(), "text/plain")
