"""The API's common contract: the OpenAPI document, authentication, errors as JSON,
language, rate limits and the token's last-used time."""

from __future__ import annotations

from datetime import timedelta

import pytest
from openapi_spec_validator import OpenAPIV31SpecValidator

from shop.accounts import api_tokens
from shop.accounts.models import ApiToken
from shop.api.openapi import openapi_path
from shop.dbtypes import utcnow
from shop.extensions import db, limiter
from tests.api_helpers import bearer, token_for
from tests.factories import UserFactory


@pytest.fixture
def user(app):
    user = UserFactory(email="script@example.test")
    db.session.commit()
    return user


def _error(response, status: int, code: str | None = None) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    if code is not None:
        assert body["error"]["code"] == code
    return body["error"]


# --------------------------------------------------------------------- document


def test_the_document_is_valid_openapi_3_1(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.1")
    OpenAPIV31SpecValidator(doc).validate()


def test_every_api_route_is_in_the_document(app, client):
    doc = client.get("/api/v1/openapi.json").get_json()
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint == "api.openapi_json":
            continue
        path = openapi_path(rule.rule.removeprefix("/api/v1"))
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            if method.lower() not in doc["paths"].get(path, {}):
                missing.append(f"{method} {path}")
    assert not missing


def test_every_documented_operation_declares_its_errors(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            codes = set(operation["responses"])
            assert {"400", "401", "429"} <= codes, f"{method} {path}"
            if "{" in path:
                assert "404" in codes, f"{method} {path}"
            if "requestBody" in operation:
                assert {"413", "415", "422"} <= codes, f"{method} {path}"


# --------------------------------------------------------------------- auth


def test_a_token_authenticates_and_no_cookie_is_set(client, user):
    response = client.get("/api/v1/me", headers=bearer(user))
    assert response.status_code == 200
    assert response.get_json()["email"] == "script@example.test"
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer ", "Basic dXNlcjpwdw==", "Bearer cm_unknown",
                                    "Bearer " + "x" * 5000, "Token cm_abc"])
def test_missing_or_malformed_tokens_get_401_json(client, user, header):
    headers = {"Authorization": header} if header is not None else {}
    response = client.get("/api/v1/me", headers=headers)
    _error(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_is_refused(client, user):
    new = api_tokens.create_token(user, "old script")
    assert client.get("/api/v1/me", headers=bearer(new.secret)).status_code == 200
    api_tokens.revoke_token(user, new.token.id)
    _error(client.get("/api/v1/me", headers=bearer(new.secret)), 401, "invalid_token")


def test_a_closed_accounts_token_is_refused(client, user):
    secret = token_for(user)
    user.is_active_account = False
    db.session.commit()
    _error(client.get("/api/v1/me", headers=bearer(secret)), 401, "invalid_token")


def test_only_the_digest_is_stored(app, user):
    new = api_tokens.create_token(user, "cron")
    row = db.session.get(ApiToken, new.token.id)
    assert row.token_hash == api_tokens.digest(new.secret) and new.secret not in row.token_hash
    assert row.prefix == new.secret[:10] and len(new.secret) > 40


def test_last_used_is_recorded_at_most_once_a_minute(client, user):
    new = api_tokens.create_token(user, "cron")
    assert new.token.last_used_at is None
    client.get("/api/v1/me", headers=bearer(new.secret))
    first = db.session.get(ApiToken, new.token.id).last_used_at
    assert first is not None and utcnow() - first < timedelta(seconds=30)
    client.get("/api/v1/me", headers=bearer(new.secret))
    assert db.session.get(ApiToken, new.token.id).last_used_at == first
    token = db.session.get(ApiToken, new.token.id)
    token.last_used_at = utcnow() - timedelta(minutes=5)
    db.session.commit()
    client.get("/api/v1/me", headers=bearer(new.secret))
    assert db.session.get(ApiToken, new.token.id).last_used_at > first - timedelta(seconds=1)


# --------------------------------------------------------------------- errors


def test_unknown_paths_and_methods_answer_json(client, user):
    _error(client.get("/api/v1/no-such-thing"), 404, "not_found")
    response = client.delete("/api/v1/me", headers=bearer(user))
    _error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


def test_ids_beyond_the_database_range_are_404_not_500(client):
    for path in ("/api/v1/products/99999999999999999999", "/api/v1/products/0", "/api/v1/products/-1"):
        _error(client.get(path), 404)


def test_a_body_must_be_json(client, user):
    headers = bearer(user)
    _error(client.post("/api/v1/orders", data="lines=1", headers=headers,
                       content_type="application/x-www-form-urlencoded"), 415, "unsupported_media_type")
    _error(client.post("/api/v1/orders", data="{not json", headers=headers, content_type="application/json"),
           400, "invalid_json")
    _error(client.post("/api/v1/orders", data="[]", headers=headers, content_type="application/json"),
           422, "validation_failed")
    big = '{"buyer_note": "' + "x" * 300_000 + '"}'
    _error(client.post("/api/v1/orders", data=big, headers=headers, content_type="application/json"),
           413, "payload_too_large")


def test_validation_errors_name_each_field_in_the_clients_language(client, user):
    secret = token_for(user)
    body = {"lines": [{"variant_id": "2", "quantity": 10**9}], "surprise": 1}
    english = client.post("/api/v1/orders", json=body, headers=bearer(secret, lang="en"))
    fields = _error(english, 422, "validation_failed")["fields"]
    assert "surprise" in fields and "lines.0.quantity" in fields and "lines.0.variant_id" in fields
    assert fields["surprise"].startswith("This field is not part")
    thai = client.post("/api/v1/orders", json=body, headers=bearer(secret))
    assert _error(thai, 422)["fields"]["surprise"] == "ช่องนี้ไม่อยู่ในรูปแบบคำขอ กรุณาตรวจสอบการสะกด"


def test_the_language_parameter_is_not_remembered(client, user):
    headers = bearer(user)
    response = client.get("/api/v1/no-such-thing?lang=en", headers=headers)
    assert response.get_json()["error"]["message"] == "We could not find that page."
    assert "Set-Cookie" not in response.headers
    assert client.get("/api/v1/no-such-thing").get_json()["error"]["message"] == "ไม่พบหน้าที่คุณต้องการ"


# --------------------------------------------------------------------- rate limits


@pytest.fixture
def limited(request, app_config):
    app_config.update(RATELIMIT_ENABLED=True, API_RATE_LIMIT="3 per minute", API_ADDRESS_RATE_LIMIT="5 per minute")
    request.getfixturevalue("app")
    limiter.reset()  # the limiter (and its memory storage) is shared by every app in the process
    yield
    limiter.reset()


def test_each_token_has_its_own_limit_and_a_429_says_when_to_retry(limited, client, user):
    first, second = token_for(user, "one"), token_for(user, "two")
    for _ in range(3):
        assert client.get("/api/v1/me", headers=bearer(first)).status_code == 200
    response = client.get("/api/v1/me", headers=bearer(first, lang="en"))
    error = _error(response, 429, "rate_limited")
    assert "wait" in error["message"]
    assert int(response.headers["Retry-After"]) > 0
    assert client.get("/api/v1/me", headers=bearer(second)).status_code == 200


def test_inventing_tokens_does_not_escape_the_address_limit(limited, client, user):
    statuses = [client.get("/api/v1/me", headers=bearer(f"cm_invented{i}")).status_code for i in range(7)]
    assert statuses[:5] == [401] * 5 and statuses[5:] == [429, 429]
