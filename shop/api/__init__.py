"""The JSON API under ``/api/v1`` (docs/product.md: Contracts), described by the OpenAPI
3.1 document at ``/api/v1/openapi.json``.

It calls the same services as the pages and applies the same role and object checks.
Requests authenticate with a personal API token (``Authorization: Bearer cm_…``);
the catalogue is readable without one. Every answer is JSON, errors included
(``{"error": {"code", "message", "fields"}}``), in the language the client asks for
with ``Accept-Language`` (Thai by default).

The blueprint lives in ``blueprint.py`` and ``app.init_app`` registers it with the
endpoint modules, so importing ``shop.api.models`` (or any other module of this
package) does not pull in the endpoints and their imports.
"""
