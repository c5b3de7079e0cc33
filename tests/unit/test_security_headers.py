"""Security headers, safe redirects, cookie flags, and the production start-up checks."""

from __future__ import annotations

import pytest

from config import DEV_SECRET_KEY
from shop import create_app
from shop.security import is_safe_local_path


def test_security_headers_on_pages(client):
    response = client.get("/account/login")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert "object-src 'none'" in csp and "form-action 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"


def test_security_headers_on_errors(client):
    response = client.get("/account/verify/not-a-token")
    assert response.status_code == 400
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/account/login").headers
    secure = client.get("/account/login", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize("target", ["/", "/cart", "/products/kafe?lang=en&x=1", "/account/#top", "/search?q=%E0%B8%81"])
def test_safe_local_paths(target):
    assert is_safe_local_path(target)


@pytest.mark.parametrize(
    "target",
    [None, "", "https://evil.example/", "http://localhost/", "//evil.example", "///evil.example", "/\\evil.example",
     "\\\\evil.example", "javascript:alert(1)", "evil.example/x", "/\tevil", "/x\r\nLocation: https://evil.example",
     "http:/evil.example", " /leading-space"],
)
def test_unsafe_paths(target):
    assert not is_safe_local_path(target)


def test_session_cookie_is_http_only_and_same_site_lax(client):
    response = client.get("/account/login?lang=en")  # choosing a language writes the session
    cookie = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("chumchon_session="))
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_remember_cookie_settings(app):
    assert app.config["REMEMBER_COOKIE_HTTPONLY"] is True
    assert app.config["REMEMBER_COOKIE_SAMESITE"] == "Lax"
    assert app.config["REMEMBER_COOKIE_DURATION"] <= 60 * 60 * 24 * 30


@pytest.fixture
def production_env(monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'production.sqlite3'}")
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path / "instance"))
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    return monkeypatch


def test_production_refuses_to_start_with_the_development_secret_key(production_env):
    production_env.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")
    production_env.setenv("SECRET_KEY", DEV_SECRET_KEY)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


@pytest.mark.parametrize("key", [
    "x", "secret", "changeme", "testing-secret-key", "CHANGE-ME", "a" * 31, "short but not that short!",
    "x" * 64, "abababababababababababababababababab", "ไทย" * 3,
])
def test_production_refuses_weak_secret_keys(production_env, key):
    production_env.setenv("SECRET_KEY", key)
    with pytest.raises(RuntimeError, match="Refusing to start in production: SECRET_KEY") as refused:
        create_app("production")
    assert "token_urlsafe" in str(refused.value)


@pytest.mark.parametrize("key", [
    "a-real-production-secret-of-decent-length",
    "kR8v2Qp-7xYzN3wLmB5tJ0cHdF9gSa1E",  # exactly 32 bytes
    "รหัสลับยาวพอสำหรับการผลิต12",  # Thai: 3 bytes a letter
])
def test_production_accepts_a_long_random_secret_key(production_env, key):
    production_env.setenv("SECRET_KEY", key)
    assert create_app("production").config["SECRET_KEY"] == key


def test_production_cookies_are_secure(production_env, tmp_path):
    production_env.setenv("SECRET_KEY", "a-real-production-secret-of-decent-length")
    production_app = create_app("production")

    assert production_app.config["SECRET_KEY"] == "a-real-production-secret-of-decent-length"
    assert production_app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'production.sqlite3'}"
    assert production_app.config["SESSION_COOKIE_SECURE"] is True
    assert production_app.config["REMEMBER_COOKIE_SECURE"] is True
    assert production_app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert production_app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert production_app.config["WTF_CSRF_ENABLED"] is True
    assert not production_app.debug and not production_app.testing

    with production_app.test_request_context("/"):
        from flask import session

        session["lang"] = "en"
        response = production_app.response_class()
        production_app.session_interface.save_session(production_app, session, response)
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
