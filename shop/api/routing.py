"""How an API endpoint is declared, parsed and answered.

An endpoint is a function decorated with ``operation(...)``: the decorator registers
its URL on the blueprint and records what the OpenAPI document says about it (its
query, body and response models, its errors, whether it needs a token), so the
document and the code cannot drift apart. Request models are pydantic models: a
body is validated strictly (``"5"`` is not a number, unknown fields are refused), a
query string leniently (query values are text), and every problem comes back as a
422 naming each field, in the client's language.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, jsonify, request
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, ValidationError
from werkzeug.routing import BaseConverter

from shop.api import auth
from shop.api.blueprint import bp
from shop.catalog.access import require_membership
from shop.dbtypes import MAX_INT
from shop.errors import DomainError, ValidationFailed
from shop.extensions import limiter
from shop.page_cache import cached_page

MAX_ID = MAX_INT

AUTH_REQUIRED = "required"
AUTH_OPTIONAL = "optional"


class IdConverter(BaseConverter):
    """``<id:name>``: a database id, 1 to 2³¹−1, matched by the pattern itself, so
    ``0``, ``007`` or ``99999999999`` simply match no route (404) and never reach the
    database as an overflowing integer."""

    regex = (
        r"(?:[1-9][0-9]{0,8}|1[0-9]{9}|20[0-9]{8}|21[0-3][0-9]{7}|214[0-6][0-9]{6}|2147[0-3][0-9]{5}"
        r"|21474[0-7][0-9]{4}|214748[0-2][0-9]{3}|2147483[0-5][0-9]{2}|21474836[0-3][0-9]|214748364[0-7])"
    )
    weight = 50

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(int(value))


class UnsupportedMediaType(DomainError):
    status_code = 415
    code = "unsupported_media_type"
    default_message = _l("Send the request body as JSON, with Content-Type: application/json.")


class PayloadTooLarge(DomainError):
    status_code = 413
    code = "payload_too_large"
    default_message = _l("The request body is too large.")


class BadJson(DomainError):
    status_code = 400
    code = "invalid_json"
    default_message = _l("The request body is not valid JSON.")


@dataclass
class HeaderParameter:
    name: str
    description: str
    schema: dict


@dataclass
class Operation:
    method: str
    rule: str
    endpoint: str
    summary: str
    tag: str
    auth: str
    status: int
    response: type[BaseModel] | None
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    errors: tuple[int, ...]
    description: str = ""
    headers: tuple[HeaderParameter, ...] = ()
    response_description: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    #: OpenAPI links of the success response: name -> (operationId, {parameter: runtime expression}).
    links: dict[str, tuple[str, dict[str, str]]] = field(default_factory=dict)


#: Every operation declared, in declaration order; the OpenAPI document is built from it.
OPERATIONS: list[Operation] = []


def operation(method: str, rule: str, *, summary: str, tag: str, response: type[BaseModel] | None = None,
              status: int = 200, body: type[BaseModel] | None = None, query: type[BaseModel] | None = None,
              auth_mode: str = AUTH_REQUIRED, errors: tuple[int, ...] = (), description: str = "",
              headers: tuple[HeaderParameter, ...] = (), response_description: str = "",
              rate_limits: tuple[Callable[[], str], ...] = (),
              links: Mapping[str, tuple[str, Mapping[str, str]]] | None = None,
              cached: bool | Callable[[], Hashable | None] = False) -> Callable:
    """Declare an endpoint: ``fn(**path_args, query=…, body=…)`` returns a response
    model (answered with ``status``), a ``(model, status)`` pair, or a ``Response``.

    ``errors`` lists the statuses the endpoint itself can answer beyond the ones every
    endpoint can (400, 401, 429; 404 with a path parameter; 413/415/422 with a body;
    422 with a query).

    ``rate_limits`` are limits of this endpoint on top of the API-wide ones, per token
    (each a callable returning a limit string such as ``"30 per minute"``); they are
    checked before authentication, like the API-wide ones.
    ``links`` are the OpenAPI links of the success response, so a generated client can
    follow from it to other operations: ``{"name": ("operationId", {"parameter":
    "$response.body#/id"})}``.
    ``cached``: a public GET whose answers to clients without a token the page cache
    keeps until the catalogue changes (docs/caching.md); a callable instead of True
    names what else the answers depend on (``cached_page``'s ``key``: search's index).
    """
    def decorate(fn: Callable) -> Callable:
        op = Operation(method=method.upper(), rule=rule, endpoint=fn.__name__, summary=summary, tag=tag,
                       auth=auth_mode, status=status, response=response, body=body, query=query,
                       errors=tuple(errors), description=description, headers=tuple(headers),
                       response_description=response_description,
                       links={name: (target, dict(params)) for name, (target, params) in (links or {}).items()})
        OPERATIONS.append(op)

        @wraps(fn)
        def view(**path_args):
            if op.auth == AUTH_REQUIRED:
                auth.require_user()
            else:
                auth.authenticate_request()
            if "enterprise_id" in path_args and op.method != "GET" and op.auth == AUTH_REQUIRED:
                # A seller write: who may act comes before what was sent (a mentor
                # of the enterprise gets 403, anyone else not a member 404).
                require_membership(g.api_user, path_args["enterprise_id"])
            kwargs = dict(path_args)
            refuse_unknown_query(op.query)
            if op.query is not None:
                kwargs["query"] = parse_query(op.query)
            if op.body is not None:
                kwargs["body"] = parse_body(op.body)
            return answer(fn(**kwargs), op.status)

        registered = cached_page(view, vary=("Accept-Language",), key=cached if callable(cached) else None) \
            if cached else view
        for limit in rate_limits:
            registered = limiter.limit(limit, key_func=auth.rate_limit_key, override_defaults=False)(registered)
        bp.add_url_rule(rule, endpoint=fn.__name__, view_func=registered, methods=[op.method])
        registered.operation = op  # type: ignore[attr-defined]
        return registered

    return decorate


def answer(result, status: int) -> Response:
    if isinstance(result, Response):
        return result
    headers: Mapping[str, str] = {}
    if isinstance(result, tuple):
        result, status, *rest = result
        headers = rest[0] if rest else {}
    if result is None:
        response = current_app.response_class(status=204 if status == 200 else status)
    else:
        payload = result.model_dump(mode="json") if isinstance(result, BaseModel) else result
        response = jsonify(payload)
        response.status_code = status
    response.headers.update(headers)
    return response


# ------------------------------------------------------------------------ parsing


def parse_body(model: type[BaseModel]) -> BaseModel:
    limit = current_app.config["API_MAX_BODY_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge()
    raw = request.get_data(cache=True)
    if len(raw) > limit:
        raise PayloadTooLarge()
    if not raw:
        data = {}  # no body at all: as an empty object (fine where every field is optional)
    elif request.mimetype != "application/json":
        raise UnsupportedMediaType()
    else:
        try:
            data = json.loads(raw, parse_constant=_refuse_constant)
        except (ValueError, RecursionError):
            raise BadJson() from None
    try:
        return model.model_validate_json(json.dumps(_whole_numbers(data)))
    except ValidationError as exc:
        raise validation_failed(exc) from None


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _whole_numbers(value):
    """``30.0`` is the integer 30 in JSON Schema's eyes (and some JSON encoders write
    whole numbers so): pass it as one. ``2.5``, ``"2"`` and ``true`` stay what they are
    and are refused where a whole number is expected."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**63:
        return int(value)
    if isinstance(value, list):
        return [_whole_numbers(item) for item in value]
    if isinstance(value, dict):
        return {key: _whole_numbers(item) for key, item in value.items()}
    return value


def parse_query(model: type[BaseModel]) -> BaseModel:
    names = set(model.model_fields)
    values = {name: request.args.get(name) for name in names if name in request.args}
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise validation_failed(exc) from None


#: Accepted on every endpoint without being a parameter of any.
GLOBAL_QUERY_PARAMETERS = frozenset({"lang"})


def refuse_unknown_query(model: type[BaseModel] | None) -> None:
    """A parameter the endpoint does not take is refused, not silently ignored: a
    misspelt filter must not quietly return everything."""
    known = set(model.model_fields) if model is not None else set()
    unknown = [name for name in request.args if name not in known and name not in GLOBAL_QUERY_PARAMETERS]
    if unknown:
        message = _l("This parameter is not recognised here. Check its spelling.")
        raise ValidationFailed(_l("Some fields need attention."), fields={name: message for name in unknown})


_MESSAGES = {
    "missing": _l("This field is required."),
    "extra_forbidden": _l("This field is not part of the request. Check its spelling."),
    "int_type": _l("Give a whole number."),
    "int_parsing": _l("Give a whole number."),
    "int_from_float": _l("Give a whole number."),
    "string_type": _l("Give a text value."),
    "bool_type": _l("Give true or false."),
    "bool_parsing": _l("Give true or false."),
    "list_type": _l("Give a list."),
    "model_type": _l("Give an object."),
    "model_attributes_type": _l("Give an object."),
    "dict_type": _l("Give an object."),
    "string_pattern_mismatch": _l("This value is not in the expected format."),
}


def _message(err: dict) -> str:
    kind, ctx = err["type"], err.get("ctx") or {}
    if kind in ("too_short", "too_long") and isinstance(err.get("input"), str):
        # A text type with a validator (``schemas.Text``) inside an optional field
        # reports its length limits as a collection's.
        kind = "string_" + kind
    if kind in ("greater_than_equal", "greater_than"):
        limit = ctx.get("ge", ctx.get("gt"))
        return str(_l("Give at least %(min)s.", min=limit if kind == "greater_than_equal" else f"> {limit}"))
    if kind in ("less_than_equal", "less_than"):
        limit = ctx.get("le", ctx.get("lt"))
        return str(_l("Give at most %(max)s.", max=limit if kind == "less_than_equal" else f"< {limit}"))
    if kind == "string_too_short":
        if ctx.get("min_length", 1) <= 1:
            return str(_l("This field cannot be empty."))
        return str(_l("Use at least %(min)d characters.", min=ctx["min_length"]))
    if kind == "string_too_long":
        return str(_l("Use at most %(max)d characters.", max=ctx["max_length"]))
    if kind == "too_short":
        return str(_l("Give at least %(min)d items.", min=ctx.get("min_length", 1)))
    if kind == "too_long":
        return str(_l("Give at most %(max)d items.", max=ctx.get("max_length", 0)))
    if kind in ("literal_error", "enum"):
        return str(_l("Choose one of: %(choices)s.", choices=ctx.get("expected", "")))
    if kind == "value_error" and isinstance(ctx.get("error"), ApiValueError):
        return str(ctx["error"].message)
    message = _MESSAGES.get(kind)
    return str(message) if message is not None else str(_l("This value is not valid."))


class ApiValueError(ValueError):
    """Raised by a model validator with a translated message for one field."""

    def __init__(self, message):
        self.message = message
        super().__init__(str(message))


def field_name(loc: tuple) -> str:
    return ".".join(str(part) for part in loc) or "body"


def validation_failed(exc: ValidationError) -> ValidationFailed:
    fields: dict[str, str] = {}
    for err in exc.errors():
        fields.setdefault(field_name(err["loc"]), _message(err))
    return ValidationFailed(_l("Some fields need attention."), fields=fields)


# ------------------------------------------------------------------------ the app


def install(app: Flask, bp: Blueprint) -> None:
    app.url_map.converters["id"] = IdConverter

