import pytest
from flask import g

from tests.factories import TEST_PASSWORD, UserFactory


def test_healthz_reports_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True


PUBLIC = {"REMOTE_ADDR": "203.0.113.7"}


def test_healthz_shows_only_the_status_to_the_public(client):
    response = client.get("/healthz", environ_base=PUBLIC)
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("address", ["127.0.0.1", "::1"])
def test_healthz_shows_the_details_to_the_machine_itself(client, address):
    body = client.get("/healthz", environ_base={"REMOTE_ADDR": address}).get_json()
    assert body["database"]["ok"] is True and "dialect" in body["database"]


def test_healthz_shows_the_details_to_signed_in_staff_only(app, client):
    member = UserFactory()
    staff = UserFactory(is_staff=True)
    for user, sees in ((member, False), (staff, True)):
        g.pop("_login_user", None)
        client.post("/account/logout")
        assert client.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD}).status_code == 302
        g.pop("_login_user", None)
        body = client.get("/healthz", environ_base=PUBLIC).get_json()
        assert ("database" in body) is sees, user


def test_healthz_degraded_is_a_503_for_every_audience(app, client, monkeypatch):
    checks = app.extensions.setdefault("chumchon_health", {})
    monkeypatch.setitem(checks, "broken", lambda: {"ok": False, "error": "OperationalError"})
    public = client.get("/healthz", environ_base=PUBLIC)
    assert public.status_code == 503
    assert public.get_json() == {"status": "degraded"}
    local = client.get("/healthz")
    assert local.status_code == 503
    assert local.get_json()["broken"] == {"ok": False, "error": "OperationalError"}


def test_favicon_ico_is_served(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype == "image/vnd.microsoft.icon"
    assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO header
    assert "max-age=86400" in response.headers["Cache-Control"]
