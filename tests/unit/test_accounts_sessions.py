"""Server-side sign-ins (shop/accounts/sessions.py): what a cookie id must be to be
accepted, expiry and its upkeep, and the one sign-in function refusing a proxy."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from flask import session
from flask_login import current_user, login_user
from sqlalchemy import func, select

from shop.accounts import sessions
from shop.accounts.models import User, UserSession
from shop.accounts.views import _start_session
from shop.dbtypes import utcnow
from shop.errors import NotFound
from shop.extensions import db
from tests.factories import UserFactory

FIREFOX_ANDROID = "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0"


def sign_in_count() -> int:
    return db.session.scalar(select(func.count(UserSession.id)))


def test_a_sign_in_stores_only_the_digest_of_its_secret(app):
    user = UserFactory()
    row = sessions.open_session(user, remember=True, user_agent=FIREFOX_ANDROID)

    row_id, _, secret = user.get_id().partition(":")
    assert int(row_id) == row.id and len(secret) >= 43
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = db.session.execute(select(UserSession.__table__)).one()
    assert secret not in " ".join(str(value) for value in stored)
    assert (row.remember, row.device_label) == (True, "Firefox · Android")
    assert sessions.load_user(user.get_id()) is user


def test_each_sign_in_is_its_own_row(app):
    user = UserFactory()
    first = sessions.open_session(user).cookie_id
    second = sessions.open_session(user).cookie_id
    assert first != second
    assert sign_in_count() == 2

    sessions.close_session(first)

    assert sessions.load_user(first) is None
    assert sessions.load_user(second) is user


def test_a_user_without_a_sign_in_has_no_cookie_id(app):
    with pytest.raises(RuntimeError, match="no sign-in"):
        UserFactory().get_id()


@pytest.mark.parametrize("cookie_id", [
    None, "", "abc", "1", "1:", ":secret", "x:y", "-1:secret", "1:" + "a" * 80, f"{2**31}:secret", "9" * 40 + ":s",
])
def test_malformed_cookie_ids_are_refused(app, cookie_id):
    sessions.open_session(UserFactory())
    assert sessions.load_user(cookie_id) is None


def test_a_tampered_secret_is_refused(app):
    user = UserFactory()
    cookie_id = sessions.open_session(user).cookie_id
    other_id = sessions.open_session(UserFactory()).cookie_id
    row_id, _, secret = cookie_id.partition(":")
    flipped = secret[:-1] + ("A" if secret[-1] != "A" else "B")

    assert sessions.load_user(f"{row_id}:{flipped}") is None
    assert sessions.load_user(f"{other_id.partition(':')[0]}:{secret}") is None  # this secret, another row
    sessions.close_session(f"{row_id}:{flipped}")  # a wrong secret signs nobody out
    assert sessions.load_user(cookie_id) is user


def test_a_closed_account_is_refused(app):
    user = UserFactory()
    cookie_id = sessions.open_session(user).cookie_id
    user.is_active_account = False
    db.session.commit()
    assert sessions.load_user(cookie_id) is None


def test_expiry_follows_remember_me_and_the_idle_limit(app):
    user = UserFactory()
    remembered = sessions.open_session(user, remember=True)
    plain = sessions.open_session(user)

    remember_for = timedelta(seconds=app.config["REMEMBER_COOKIE_DURATION"])
    idle_for = timedelta(seconds=app.config["SESSION_IDLE_LIFETIME"])
    assert remembered.expires_at == remembered.created_at + remember_for
    assert plain.expires_at == plain.created_at + idle_for
    assert idle_for < timedelta(seconds=app.config["PERMANENT_SESSION_LIFETIME"])


def test_expired_sign_ins_are_refused_and_pruned(app):
    user = UserFactory()
    expired = sessions.open_session(user, remember=True)
    live = sessions.open_session(user)
    expired_id = expired.cookie_id
    expired.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    assert sessions.load_user(expired_id) is None
    assert [row.id for row in sessions.live_sessions(user)] == [live.id]
    assert sessions.prune_expired() == 1
    assert db.session.scalars(select(UserSession.id)).all() == [live.id]
    assert sessions.load_user(live.cookie_id) is user


def test_the_sweep_command_prunes_expired_sign_ins(app, runner):
    from shop.orders.cli import register_cli

    if "orders" not in app.cli.commands:
        register_cli(app)
    row = sessions.open_session(UserFactory())
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    result = runner.invoke(args=["orders", "sweep"])

    assert result.exit_code == 0, result.output
    assert "pruned 1 expired sign-ins" in result.output
    assert sign_in_count() == 0


def _age(row: UserSession, *, created: timedelta, seen: timedelta) -> None:
    now = utcnow()
    row.created_at, row.last_seen_at = now - created, now - seen
    db.session.commit()


def test_use_is_recorded_at_most_once_a_minute_and_slides_the_idle_expiry(app):
    user = UserFactory()
    row = sessions.open_session(user)
    cookie_id = row.cookie_id
    sessions.load_user(cookie_id)
    assert row.touch_due is None  # just made

    _age(row, created=timedelta(hours=3), seen=timedelta(minutes=5))
    sessions.load_user(cookie_id)
    due = row.touch_due
    assert due is not None
    before = utcnow()
    sessions.touch(due)

    db.session.refresh(row)
    assert row.last_seen_at >= before
    assert row.expires_at == row.last_seen_at + timedelta(seconds=app.config["SESSION_IDLE_LIFETIME"])
    sessions.load_user(cookie_id)
    assert row.touch_due is None


def test_the_idle_expiry_never_passes_the_lifetime_cap(app):
    user = UserFactory()
    row = sessions.open_session(user)
    cap = timedelta(seconds=app.config["PERMANENT_SESSION_LIFETIME"])
    _age(row, created=cap - timedelta(hours=1), seen=timedelta(minutes=2))
    sessions.load_user(row.cookie_id)
    sessions.touch(row.touch_due)

    db.session.refresh(row)
    assert row.expires_at == row.created_at + cap


def test_a_remembered_sign_in_keeps_its_expiry_when_used(app):
    user = UserFactory()
    row = sessions.open_session(user, remember=True)
    expires_at = row.expires_at
    row.last_seen_at = utcnow() - timedelta(minutes=2)
    db.session.commit()
    sessions.load_user(row.cookie_id)
    sessions.touch(row.touch_due)

    db.session.refresh(row)
    assert row.expires_at == expires_at
    assert utcnow() - row.last_seen_at < timedelta(minutes=1)


def test_signing_out_one_device_is_for_the_owner_only(app):
    owner, stranger = UserFactory(), UserFactory()
    row = sessions.open_session(owner)
    row_id, cookie_id = row.id, row.cookie_id

    for user, wanted in ((stranger, row_id), (owner, row_id + 100), (owner, 2**31), (owner, 0)):
        with pytest.raises(NotFound):
            sessions.sign_out_device(user, wanted)
    assert sessions.load_user(cookie_id) is owner

    sessions.sign_out_device(owner, row_id)
    assert sessions.load_user(cookie_id) is None


@pytest.mark.parametrize("user_agent, label", [
    (FIREFOX_ANDROID, "Firefox · Android"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.5 Mobile/15E148 Safari/604.1", "Safari · iPhone"),
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 "
     "Safari/537.36 Edg/126.0.0.0", "Edge · Windows"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/126.0.0.0 Safari/537.36", "Chrome · macOS"),
    ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 "
     "Safari/537.36", "Chrome · Linux"),
    ("curl/8.5.0", None),
    (None, None),
])
def test_device_labels(user_agent, label):
    assert sessions.device_label(user_agent) == label


# ---------------------------------------------------------------- the one sign-in function


def test_start_session_refuses_the_current_user_proxy(app):
    user = UserFactory()
    with app.test_request_context("/account/password", method="POST"):
        sessions.open_session(user)
        login_user(user)
        session["lang"] = "en"

        with pytest.raises(TypeError, match="current_user._get_current_object"):
            _start_session(current_user)
        with pytest.raises(TypeError, match="not LocalProxy"):
            sessions.open_session(current_user)

        # Refused before anything changed: the session and the sign-ins are as they were.
        assert session["_user_id"] == user.get_id()
        assert sign_in_count() == 1
        assert current_user.email == user.email

        before = session["_user_id"]
        _start_session(current_user._get_current_object())
        assert sign_in_count() == 1  # a new one, in place of the browser's previous sign-in
        assert session["_user_id"] != before and sessions.load_user(before) is None
        assert type(current_user._get_current_object()) is User
        assert session["lang"] == "en"


def test_users_are_equal_by_row_whatever_the_sign_in(app):
    user = UserFactory()
    sessions.open_session(user)
    assert user == db.session.get(User, user.id)
    assert user != UserFactory()
