"""The OpenAPI 3.1 document at ``/api/v1/openapi.json``, built from the declared
operations (``routing.OPERATIONS``) and their pydantic models."""

from __future__ import annotations

import re
from functools import cache

from flask import current_app, jsonify
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from shop.api import routing
from shop.api.blueprint import API_PREFIX, bp
from shop.api.schemas import ErrorResponse

API_VERSION = "1.0.0"

_ERROR_TEXT = {
    400: "The request was not understood (bad JSON, an unknown language, a bad header).",
    401: "No API token, or one that is unknown, revoked or belongs to a closed account.",
    403: "The token's account may not do this.",
    404: "No such object, or not one this account may see.",
    409: "The request conflicts with the object's current state (sold out, already shipped, …).",
    413: "The request body is too large.",
    415: "The request body is not JSON.",
    422: "A field is missing or not valid; `fields` names each one.",
    429: "Too many requests for this token or address; `Retry-After` says when to try again.",
    503: "The service cannot answer right now (too busy to take an order, or the search index is "
         "being rebuilt); nothing was written. Try again.",
}

_RULE_PART = re.compile(r"<(?:(?P<converter>[a-z]+)(?:\([^)]*\))?:)?(?P<name>\w+)>")


def openapi_path(rule: str) -> str:
    return _RULE_PART.sub(lambda m: "{" + m.group("name") + "}", API_PREFIX + rule)


def _path_parameters(rule: str) -> list[dict]:
    params = []
    for m in _RULE_PART.finditer(rule):
        if m.group("converter") == "id":
            schema = {"type": "integer", "minimum": 1, "maximum": routing.MAX_ID}
        else:
            schema = {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[^/]+$"}
        params.append({"name": m.group("name"), "in": "path", "required": True, "schema": schema})
    return params


def _query_parameters(model: type[BaseModel]) -> list[dict]:
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    required = set(schema.get("required", ()))
    params = []
    for name, prop in schema.get("properties", {}).items():
        prop = dict(prop)
        description = prop.pop("description", None)
        prop.pop("title", None)
        param = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if description:
            param["description"] = description
        params.append(param)
    return params


def _statuses(op: routing.Operation) -> list[int]:
    codes = {400, 429, *op.errors}
    if op.auth == routing.AUTH_REQUIRED or op.auth == routing.AUTH_OPTIONAL:
        codes.add(401)
    if "<" in op.rule:
        codes.add(404)
    if op.body is not None:
        codes.update({413, 415, 422})
    codes.add(422)  # an unknown query parameter, at least
    return sorted(codes)


@cache
def _build(server_url: str) -> dict:
    ops = list(routing.OPERATIONS)
    inputs = {(op.body, "validation") for op in ops if op.body is not None}
    outputs = {(op.response, "serialization") for op in ops if op.response is not None}
    outputs.add((ErrorResponse, "serialization"))
    key_map, defs = models_json_schema(
        sorted(inputs | outputs, key=lambda item: (item[0].__name__, item[1])),
        ref_template="#/components/schemas/{model}",
    )
    known = {op.endpoint for op in ops}
    for op in ops:
        for name, (target, _params) in op.links.items():
            if target not in known:
                raise ValueError(f"{op.endpoint}: link {name} names no operation {target!r}")
    paths: dict[str, dict] = {}
    for op in ops:
        item: dict = {
            "operationId": op.endpoint,
            "summary": op.summary,
            "tags": [op.tag],
            "parameters": _path_parameters(op.rule)
            + (_query_parameters(op.query) if op.query is not None else [])
            + [{"name": h.name, "in": "header", "required": False, "description": h.description,
                "schema": h.schema} for h in op.headers],
            "responses": {},
        }
        if op.description:
            item["description"] = op.description
        if op.auth == routing.AUTH_REQUIRED:
            item["security"] = [{"bearerAuth": []}]
        else:
            item["security"] = [{}, {"bearerAuth": []}]
        if op.body is not None:
            # A body whose fields are all optional may be left out altogether.
            item["requestBody"] = {"required": bool(op.body.model_json_schema().get("required")), "content": {
                "application/json": {"schema": key_map[(op.body, "validation")]}}}
        success: dict = {"description": op.response_description or "Success."}
        if op.response is not None:
            success["content"] = {"application/json": {"schema": key_map[(op.response, "serialization")]}}
        headers = {}
        if op.status == 201:
            headers["Location"] = {"description": "The URL of what was created.", "required": True,
                                   "schema": {"type": "string"}}
        if any(h.name == "Idempotency-Key" for h in op.headers):
            headers["Idempotent-Replayed"] = {
                "description": "`true` when the answer is the order created earlier under the same key.",
                "schema": {"type": "string", "enum": ["true"]}}
        if headers:
            success["headers"] = headers
        if op.links:
            success["links"] = {name: {"operationId": target, "parameters": params}
                                for name, (target, params) in op.links.items()}
        item["responses"][str(op.status)] = success
        for code in _statuses(op):
            item["responses"][str(code)] = {"$ref": f"#/components/responses/Error{code}"}
        paths.setdefault(openapi_path(op.rule), {})[op.method.lower()] = item

    error_ref = key_map[(ErrorResponse, "serialization")]
    responses = {}
    for code, text in _ERROR_TEXT.items():
        response = {"description": text, "content": {"application/json": {"schema": error_ref}}}
        if code == 429:
            response["headers"] = {"Retry-After": {
                "description": "Seconds until a request may succeed.", "schema": {"type": "integer"}}}
        responses[f"Error{code}"] = response
    tags = sorted({op.tag for op in ops})
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Chumchon Market API",
            "version": API_VERSION,
            "description": (
                "Buy from Thai community enterprises, and manage an enterprise's listings and orders.\n\n"
                "Authenticate with a personal API token from your account settings: "
                "`Authorization: Bearer cm_…`. The catalogue is readable without one. "
                "Amounts are integers in satang (1/100 baht). Lists are paginated with `page` and "
                "`per_page` and keep a stable order. Errors are `{\"error\": {\"code\", \"message\", "
                "\"fields\"}}`. Messages follow `Accept-Language` (`th` or `en`; Thai by default)."
            ),
        },
        "servers": [{"url": server_url}],
        "tags": [{"name": tag} for tag in tags],
        "paths": paths,
        "components": {
            "schemas": defs.get("$defs", {}),
            "responses": responses,
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer",
                "description": "A personal API token (`cm_…`), created in account settings or with "
                               "`flask users token EMAIL`.",
            }},
        },
    }


def document(server_url: str = "/") -> dict:
    return _build(server_url)


@bp.get("/openapi.json")
def openapi_json():
    response = jsonify(document(current_app.config["API_SERVER_URL"]))
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
