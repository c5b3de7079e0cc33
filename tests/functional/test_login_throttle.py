"""Sign-in throttling that nobody can turn against the owner (OWASP's authentication,
credential-stuffing and device-cookie advice): growing delays per account and client,
a cap per account for unknown clients only, device cookies, e-mailed unlock links,
and client addresses read through ``TRUSTED_PROXIES`` hops of ``X-Forwarded-For``.

Time passes by moving the stored failures (and unlock links) into the past, as the
clock would; the rules read nothing else.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from datetime import timedelta

import pytest
from flask import request, request_started
from itsdangerous import TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, select, update

from shop import create_app
from shop.accounts import devices, services, tokens
from shop.accounts.models import LoginAttempt, LoginUnlock
from shop.dbtypes import utcnow
from shop.extensions import db
from shop.notifications.models import OutboxMessage
from tests.factories import TEST_PASSWORD, UserFactory

WRONG = "not the password at all"
OWNER_ADDRESS = "203.0.113.10"
ATTACKER_ADDRESS = "198.51.100.66"
PROXY_ADDRESS = "10.0.0.1"


@pytest.fixture
def owner(app):
    return UserFactory(email="owner@example.test", display_name="Malee", locale="en")


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def attempt_sign_in(client, email: str, password: str, address: str, **headers):
    return client.post("/account/login", data={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": address}, headers=headers)


def time_passes(seconds: float) -> None:
    """Move every stored failure and unlock link ``seconds`` into the past."""
    for attempt in db.session.scalars(select(LoginAttempt)):
        attempt.attempted_at -= timedelta(seconds=seconds)
    for unlock in db.session.scalars(select(LoginUnlock)):
        unlock.created_at -= timedelta(seconds=seconds)
    db.session.commit()


def fail(client, email: str, address: str, times: int, *, wait: bool = True) -> Counter:
    """``times`` wrong passwords; a patient attacker waits out each 429."""
    statuses: Counter = Counter()
    failures = 0
    while failures < times:
        response = attempt_sign_in(client, email, WRONG, address)
        statuses[response.status_code] += 1
        if response.status_code == 400:
            failures += 1
        elif response.status_code == 429 and wait:
            time_passes(int(response.headers["Retry-After"]))
        else:
            break
    return statuses


def known_browser(make_client, user, address: str = OWNER_ADDRESS):
    """A browser that has signed in to ``user`` before (and signed out again)."""
    browser = make_client()
    assert attempt_sign_in(browser, user.email, TEST_PASSWORD, address).status_code == 302
    browser.post("/account/logout")
    assert browser.get_cookie("chumchon_device", path="/account/") is not None
    return browser


def signed_in(client) -> bool:
    return client.get("/account/").status_code == 200


def unknown_failures(email: str) -> int:
    return services.failed_login_count(email=email, known_device=False)


def unlock_mails(user) -> list[OutboxMessage]:
    return list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "login_unlock", OutboxMessage.to_address == user.email)
        .order_by(OutboxMessage.id)
    ))


def unlock_path(message: OutboxMessage) -> str:
    match = re.search(r"http://localhost(/account/unlock/\S+)", message.body_text)
    assert match, message.body_text
    return match.group(1)


def lock_for_unknown_clients(client, email: str, addresses: int = 20) -> None:
    """Credential stuffing: one wrong password from each of many addresses."""
    for n in range(addresses):
        assert attempt_sign_in(client, email, WRONG, f"192.0.2.{n + 1}").status_code == 400


# ---------------------------------------------------------------- the owner is not locked out


@pytest.mark.parametrize("failures", [5, 10, 50])
def test_an_attackers_failures_from_another_address_do_not_stop_the_owner(make_client, owner, failures):
    # Given an attacker who tries wrong passwords from their own address, waiting out every delay
    attacker = make_client()
    statuses = fail(attacker, owner.email, ATTACKER_ADDRESS, failures)
    assert statuses[400] == failures
    # (and who is held up by growing delays past the first five)
    assert (statuses[429] > 0) == (failures > 5)

    # When the owner signs in from their own address, on a browser never used before
    # and on the one they always use
    fresh = make_client()
    response = attempt_sign_in(fresh, owner.email, TEST_PASSWORD, OWNER_ADDRESS)

    # Then both get in at once: one address never reaches the per-account limit
    assert response.status_code == 302
    assert signed_in(fresh)
    assert unknown_failures(owner.email) < 20


def test_the_owners_known_device_gets_in_after_fifty_failures_from_many_addresses(make_client, owner):
    # Given the owner's usual browser, and fifty wrong passwords from fifty addresses
    usual = known_browser(make_client, owner)
    attacker = make_client()
    statuses = Counter(attempt_sign_in(attacker, owner.email, WRONG, f"192.0.2.{n + 1}").status_code for n in range(50))

    # Then the account closed to unknown clients after twenty of them
    assert statuses == Counter({400: 20, 429: 30})
    assert unknown_failures(owner.email) == 20

    # And the owner's usual browser still signs in, from their own address or another
    assert attempt_sign_in(usual, owner.email, TEST_PASSWORD, OWNER_ADDRESS).status_code == 302
    assert signed_in(usual)


def test_many_users_behind_one_proxy_are_not_locked_by_one_bad_actor(make_client):
    # Given a proxy that the app does not know about (everyone arrives from its address),
    # five users who signed in through it before, and three who never did
    regulars = [UserFactory(email=f"regular{n}@example.test") for n in range(5)]
    newcomers = [UserFactory(email=f"newcomer{n}@example.test") for n in range(3)]
    browsers = {user.id: known_browser(make_client, user, PROXY_ADDRESS) for user in regulars}

    # When one person behind it guesses at every regular's account and at 40 made-up ones
    bad_actor = make_client()
    for user in regulars:
        fail(bad_actor, user.email, PROXY_ADDRESS, 12)
    for n in range(40):
        assert attempt_sign_in(bad_actor, f"guess{n}@example.test", WRONG, PROXY_ADDRESS).status_code == 400

    # Then every regular still signs in on their own browser, at once
    for user in regulars:
        assert attempt_sign_in(browsers[user.id], user.email, TEST_PASSWORD, PROXY_ADDRESS).status_code == 302
    # And the newcomers, whose accounts were not guessed at, sign in on new browsers
    for user in newcomers:
        assert attempt_sign_in(make_client(), user.email, TEST_PASSWORD, PROXY_ADDRESS).status_code == 302
    # And no account is closed: one address cannot reach the per-account limit
    assert all(unknown_failures(user.email) < 20 for user in regulars)


# ---------------------------------------------------------------- growing delays per client


def test_delays_per_account_and_address_grow_and_answer_429_with_retry_after(make_client, owner, monkeypatch):
    client = make_client()
    # Given five free failures
    for _ in range(5):
        assert attempt_sign_in(client, owner.email, WRONG, ATTACKER_ADDRESS).status_code == 400

    real_verify = services.verify_password

    def must_not_be_called(*args):
        raise AssertionError("the password was checked while throttled")

    # Then each next try waits twice as long as the one before, counted from the last failure
    for delay in (2, 4, 8, 16, 32):
        monkeypatch.setattr(services, "verify_password", must_not_be_called)
        refused = attempt_sign_in(client, owner.email, TEST_PASSWORD, ATTACKER_ADDRESS)
        assert refused.status_code == 429
        retry_after = int(refused.headers["Retry-After"])
        assert delay - 1 <= retry_after <= delay
        wait = "a second" if retry_after == 1 else f"{retry_after} seconds"
        assert f"Too many sign-in attempts. Try again in {wait}." in page_text(refused)
        assert "E-mail me an unlock link" in page_text(refused)
        monkeypatch.setattr(services, "verify_password", real_verify)
        time_passes(delay - 1)
        assert attempt_sign_in(client, owner.email, WRONG, ATTACKER_ADDRESS).status_code == 429  # not yet
        time_passes(1)
        assert attempt_sign_in(client, owner.email, WRONG, ATTACKER_ADDRESS).status_code == 400

    # And the delay stops growing at LOGIN_PAIR_MAX_DELAY (15 minutes): 2 s * 2**9 would be more
    db.session.add_all(LoginAttempt(email=owner.email, ip_address=ATTACKER_ADDRESS, attempted_at=utcnow())
                       for _ in range(4))
    db.session.commit()
    refused = attempt_sign_in(client, owner.email, WRONG, ATTACKER_ADDRESS)
    assert 899 <= int(refused.headers["Retry-After"]) <= 900
    assert "Try again in 15 minutes." in page_text(refused)


def test_a_known_device_has_its_own_delays(make_client, owner):
    # Given the owner's browser, and failures typed on it
    usual = known_browser(make_client, owner)
    for _ in range(5):
        assert attempt_sign_in(usual, owner.email, WRONG, OWNER_ADDRESS).status_code == 400

    # Then the device waits like any client (a stolen device cookie buys no free guesses)
    assert attempt_sign_in(usual, owner.email, TEST_PASSWORD, "198.51.100.200").status_code == 429
    assert services.failed_login_count(email=owner.email, known_device=True) == 5
    # And its failures are neither an unknown client's at that address, nor count towards the account's cap
    assert unknown_failures(owner.email) == 0
    assert attempt_sign_in(make_client(), owner.email, TEST_PASSWORD, OWNER_ADDRESS).status_code == 302


# ---------------------------------------------------------------- the per-account cap


def test_the_account_cap_locks_unknown_clients_but_not_a_known_device(make_client, owner, monkeypatch):
    # Given the owner's usual browser, then one wrong password from each of twenty addresses
    usual = known_browser(make_client, owner)
    lock_for_unknown_clients(make_client(), owner.email)

    # When a browser the account does not know tries the right password
    def must_not_be_called(*args):
        raise AssertionError("the password was checked while the account is closed")

    real_verify = services.verify_password
    monkeypatch.setattr(services, "verify_password", must_not_be_called)
    fresh = make_client()
    response = attempt_sign_in(fresh, owner.email, TEST_PASSWORD, OWNER_ADDRESS)

    # Then it is refused, told why and how long, and offered the unlock link
    assert response.status_code == 429
    assert 890 <= int(response.headers["Retry-After"]) <= 900
    text = page_text(response)
    assert "from devices we do not know" in text and "Try again in 15 minutes." in text
    assert "E-mail me an unlock link" in text
    assert not signed_in(fresh)

    # But the owner's usual browser signs in
    monkeypatch.setattr(services, "verify_password", real_verify)
    assert attempt_sign_in(usual, owner.email, TEST_PASSWORD, OWNER_ADDRESS).status_code == 302
    assert signed_in(usual)

    # And once the failures leave the window, unknown clients may try again
    time_passes(15 * 60)
    assert attempt_sign_in(fresh, owner.email, TEST_PASSWORD, OWNER_ADDRESS).status_code == 302


def test_the_account_cap_answers_in_thai(make_client, owner):
    lock_for_unknown_clients(make_client(), owner.email)
    response = attempt_sign_in(make_client(lang="th"), owner.email, TEST_PASSWORD, OWNER_ADDRESS)
    assert response.status_code == 429
    assert "จากอุปกรณ์ที่เราไม่รู้จัก" in page_text(response)
    assert "ส่งลิงก์ปลดล็อกทางอีเมลให้ฉัน" in page_text(response)


def test_an_unknown_email_is_locked_like_a_real_one(make_client):
    lock_for_unknown_clients(make_client(), "nobody@example.test")
    response = attempt_sign_in(make_client(), "nobody@example.test", WRONG, OWNER_ADDRESS)
    assert response.status_code == 429
    assert "from devices we do not know" in page_text(response)
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


@pytest.mark.parametrize("cookie", ["garbage", "other-key", "tampered", "expired"])
def test_a_forged_device_cookie_does_not_help(make_client, owner, app, cookie):
    # Given the owner's real device cookie, and the account closed to unknown clients
    usual = known_browser(make_client, owner)
    real = usual.get_cookie("chumchon_device", path="/account/").value
    payload = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=devices.SALT).loads(real)
    lock_for_unknown_clients(make_client(), owner.email)

    # When an attacker presents a cookie that is not one we signed, or no longer valid
    if cookie == "garbage":
        value = "not-a-cookie"
    elif cookie == "other-key":
        value = URLSafeTimedSerializer("another-secret", salt=devices.SALT).dumps(payload)
    elif cookie == "tampered":
        value = real[:-3] + ("AAA" if not real.endswith("AAA") else "BBB")
    else:
        old = int(utcnow().timestamp()) - app.config["DEVICE_COOKIE_MAX_AGE"] - 60
        value = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=devices.SALT).dumps(
            {"d": payload["d"], "a": [[owner.id, old]]})
    attacker = make_client()
    attacker.set_cookie("chumchon_device", value, path="/account/")

    # Then it is an unknown client like any other
    response = attempt_sign_in(attacker, owner.email, TEST_PASSWORD, ATTACKER_ADDRESS)
    assert response.status_code == 429
    assert "from devices we do not know" in page_text(response)


def test_a_device_cookie_for_another_account_does_not_help(make_client, owner):
    # Given an attacker's browser that signed in to the attacker's own account
    mallory = UserFactory(email="mallory@example.test")
    attacker = known_browser(make_client, mallory, ATTACKER_ADDRESS)
    lock_for_unknown_clients(make_client(), owner.email)

    # Then the cookie does not open the owner's account
    response = attempt_sign_in(attacker, owner.email, TEST_PASSWORD, ATTACKER_ADDRESS)
    assert response.status_code == 429
    # Nor may its failures on the owner's account dodge the cap as a known device's would
    assert services.failed_login_count(email=owner.email, known_device=True) == 0


def test_the_device_cookie_is_signed_http_only_lax_and_remembers_several_accounts(make_client, app):
    first, second = UserFactory(email="first@example.test"), UserFactory(email="second@example.test")
    browser = make_client()
    response = attempt_sign_in(browser, first.email, TEST_PASSWORD, OWNER_ADDRESS)
    header = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("chumchon_device="))
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Path=/account/" in header
    assert "Secure" not in header  # tests run on plain http, as development does
    assert "Max-Age=15552000" in header  # 180 days
    first_value = browser.get_cookie("chumchon_device", path="/account/").value
    browser.post("/account/logout")
    attempt_sign_in(browser, second.email, TEST_PASSWORD, OWNER_ADDRESS)

    value = browser.get_cookie("chumchon_device", path="/account/").value
    payload = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=devices.SALT).loads(value)
    assert sorted(uid for uid, _issued in payload["a"]) == sorted([first.id, second.id])
    first_payload = URLSafeTimedSerializer(app.config["SECRET_KEY"], salt=devices.SALT).loads(first_value)
    assert payload["d"] == first_payload["d"]  # the same device, now known to both


@pytest.fixture
def secure_sessions(app_config):
    app_config.update(SESSION_COOKIE_SECURE=True)


def test_the_device_cookie_is_secure_when_sessions_are(secure_sessions, app):
    user = UserFactory(email="secure@example.test")
    response = app.test_client().post("/account/login", data={"email": user.email, "password": TEST_PASSWORD},
                                      base_url="https://localhost")
    header = next(value for value in response.headers.getlist("Set-Cookie") if value.startswith("chumchon_device="))
    assert "Secure" in header


# ---------------------------------------------------------------- unlock links


def test_the_unlock_email_link_lets_a_browser_through_once(make_client, owner):
    # Given an account closed to unknown clients by many addresses
    lock_for_unknown_clients(make_client(), owner.email)

    # Then its owner has been sent one unlock link, and more failures send no more
    mails = unlock_mails(owner)
    assert len(mails) == 1
    assert "Sign-in to your Chumchon Market account is paused on new devices" in mails[0].subject
    assert "works once, for 60 minutes" in mails[0].body_text
    # (the oldest failure leaves the window, a new one closes the account again: no second mail)
    db.session.delete(db.session.scalars(select(LoginAttempt).order_by(LoginAttempt.id)).first())
    db.session.commit()
    assert attempt_sign_in(make_client(), owner.email, WRONG, "192.0.2.99").status_code == 400
    make_client().post("/account/unlock", data={"email": owner.email}, environ_base={"REMOTE_ADDR": "192.0.2.98"})
    assert len(unlock_mails(owner)) == 1

    # When the owner opens it on a new browser: the page only asks (mail scanners follow links)
    phone = make_client()
    path = unlock_path(mails[0])
    page = phone.get(path)
    assert page.status_code == 200
    assert "Let this browser sign in" in page_text(page) and owner.email in page_text(page)
    assert attempt_sign_in(phone, owner.email, TEST_PASSWORD, OWNER_ADDRESS).status_code == 429

    # And presses the button
    response = phone.post(path)
    assert response.status_code == 302 and response.headers["Location"] == "/account/login"
    assert phone.get_cookie("chumchon_device", path="/account/") is not None

    # Then that browser signs in (with the password) while the account stays closed to others
    assert attempt_sign_in(phone, owner.email, WRONG, OWNER_ADDRESS).status_code == 400
    assert attempt_sign_in(phone, owner.email, TEST_PASSWORD, OWNER_ADDRESS).status_code == 302
    assert signed_in(phone)
    assert attempt_sign_in(make_client(), owner.email, TEST_PASSWORD, OWNER_ADDRESS).status_code == 429

    # And the link works once: another browser (or the same one again) is refused
    other = make_client()
    for browser in (other, phone):
        again = browser.post(path)
        assert again.status_code == 400
        assert "This link is not valid" in page_text(again)
        assert "Send me a new link" in page_text(again)
    assert other.get(path).status_code == 400
    assert other.get_cookie("chumchon_device", path="/account/") is None


def test_the_owner_can_ask_for_an_unlock_link_once_per_window(make_client, owner):
    lock_for_unknown_clients(make_client(), owner.email)
    # The automatic one went out a window ago (say it was lost), the account is still closed
    db.session.execute(update(LoginUnlock).values(created_at=utcnow() - timedelta(minutes=16)))
    db.session.commit()

    response = make_client().post("/account/unlock", data={"email": owner.email.upper()},
                                  environ_base={"REMOTE_ADDR": OWNER_ADDRESS})
    assert response.status_code == 200
    assert "we have sent it an unlock link" in page_text(response)
    assert len(unlock_mails(owner)) == 2
    make_client().post("/account/unlock", data={"email": owner.email})
    assert len(unlock_mails(owner)) == 2  # one per window

    # And the new link works
    browser = make_client()
    assert browser.post(unlock_path(unlock_mails(owner)[1])).status_code == 302
    assert attempt_sign_in(browser, owner.email, TEST_PASSWORD, OWNER_ADDRESS).status_code == 302


def test_an_address_held_up_by_a_neighbour_can_ask_for_an_unlock_link(make_client, owner):
    # Given a bad actor behind the owner's proxy, who has guessed at the owner's account
    fail(make_client(), owner.email, PROXY_ADDRESS, 8)
    newcomer = make_client()
    assert attempt_sign_in(newcomer, owner.email, TEST_PASSWORD, PROXY_ADDRESS).status_code == 429

    # When the owner on a new browser there asks for an unlock link, they get one
    newcomer.post("/account/unlock", data={"email": owner.email}, environ_base={"REMOTE_ADDR": PROXY_ADDRESS})
    [mail] = unlock_mails(owner)

    # And it lets that browser past the delay the neighbour caused
    assert newcomer.post(unlock_path(mail)).status_code == 302
    assert attempt_sign_in(newcomer, owner.email, TEST_PASSWORD, PROXY_ADDRESS).status_code == 302


def test_unlock_requests_send_nothing_when_nothing_is_locked_or_nobody_is_there(make_client, owner):
    UserFactory(email="closed@example.test", is_active_account=False)
    client = make_client()
    lock_for_unknown_clients(client, "closed@example.test")
    lock_for_unknown_clients(client, "nobody@example.test")
    pages = [client.post("/account/unlock", data={"email": email}, environ_base={"REMOTE_ADDR": OWNER_ADDRESS})
             for email in (owner.email, "nobody@example.test", "closed@example.test")]

    assert [page.status_code for page in pages] == [200, 200, 200]
    assert len({page_text(page).replace(email, "") for page, email in
                zip(pages, (owner.email, "nobody@example.test", "closed@example.test"), strict=True)}) == 1
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_unlock_request_with_a_bad_address_is_refused(make_client):
    response = make_client().post("/account/unlock", data={"email": "not an address"})
    assert response.status_code == 422
    assert db.session.scalar(select(func.count(LoginUnlock.id))) == 0


@pytest.mark.parametrize("mangle", ["truncate", "other_kind", "expired"])
def test_a_bad_unlock_link_is_refused_without_a_cookie(make_client, owner, app, mangle):
    lock_for_unknown_clients(make_client(), owner.email)
    path = unlock_path(unlock_mails(owner)[0])
    if mangle == "truncate":
        path = path[:-4]
    elif mangle == "other_kind":
        path = "/account/unlock/" + tokens.make_reset_token(owner)
    else:
        class SignedAnHourAgo(TimestampSigner):
            def get_timestamp(self) -> int:
                return int(time.time()) - app.config["LOGIN_UNLOCK_MAX_AGE"] - 60

        unlock = db.session.scalars(select(LoginUnlock)).one()
        path = "/account/unlock/" + URLSafeTimedSerializer(
            app.config["SECRET_KEY"], salt=tokens.UNLOCK_SALT, signer=SignedAnHourAgo
        ).dumps({"uid": owner.id, "email": owner.email, "lid": unlock.id, "n": unlock.nonce})
    browser = make_client()
    response = browser.post(path)
    assert response.status_code == 400
    assert ("This link has expired." if mangle == "expired" else "This link is not valid") in page_text(response)
    assert browser.get_cookie("chumchon_device", path="/account/") is None
    assert db.session.scalars(select(LoginUnlock.used_at)).one() is None


@pytest.fixture
def csrf_on(app_config):
    app_config.update(WTF_CSRF_ENABLED=True)


def test_the_unlock_button_needs_the_forms_csrf_token(csrf_on, make_client, owner):
    for n in range(20):  # straight to the service: the sign-in form would want its own token
        with pytest.raises(services.InvalidCredentials):
            services.authenticate(email=owner.email, password=WRONG, ip_address=f"192.0.2.{n + 1}")
    path = unlock_path(unlock_mails(owner)[0])
    browser = make_client()

    refused = browser.post(path)
    assert refused.status_code == 400
    assert browser.get_cookie("chumchon_device", path="/account/") is None

    page = browser.get(path).get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert browser.post(path, data={"csrf_token": csrf}).status_code == 302
    assert browser.get_cookie("chumchon_device", path="/account/") is not None


# ---------------------------------------------------------------- proxies


def _seen_by_the_app(app, client, **headers) -> tuple[str, str]:
    seen = {}

    def capture(sender, **extra):
        seen["addr"], seen["scheme"] = request.remote_addr, request.scheme

    with request_started.connected_to(capture, app):
        client.get("/account/login", headers=headers, environ_base={"REMOTE_ADDR": PROXY_ADDRESS})
    return seen["addr"], seen["scheme"]


def test_by_default_forwarded_headers_are_not_believed(app, client):
    assert app.config["TRUSTED_PROXIES"] == 0
    assert _seen_by_the_app(app, client, **{"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}) == \
        (PROXY_ADDRESS, "http")


def test_a_forged_forwarded_for_does_not_escape_the_throttle(make_client, owner):
    client = make_client()
    statuses = [attempt_sign_in(client, owner.email, WRONG, ATTACKER_ADDRESS, **{"X-Forwarded-For": f"192.0.2.{n}"}).status_code
                for n in range(7)]
    assert statuses == [400] * 5 + [429] * 2
    assert services.failed_login_count(ip_address=ATTACKER_ADDRESS) == 5


@pytest.fixture
def behind_one_proxy(app_config):
    app_config.update(TRUSTED_PROXIES=1)


def test_with_one_trusted_proxy_its_forwarded_address_is_the_client(behind_one_proxy, app, client):
    assert _seen_by_the_app(app, client, **{"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}) == \
        ("203.0.113.9", "https")
    # What the client itself put in front of the proxy's entry is ignored
    assert _seen_by_the_app(app, client, **{"X-Forwarded-For": "1.2.3.4, 203.0.113.9"})[0] == "203.0.113.9"


def test_behind_a_trusted_proxy_each_client_is_throttled_on_its_own(behind_one_proxy, make_client, owner):
    attacker = make_client()
    statuses = [attempt_sign_in(attacker, owner.email, WRONG, PROXY_ADDRESS, **{"X-Forwarded-For": ATTACKER_ADDRESS})
                .status_code for _ in range(6)]
    assert statuses == [400] * 5 + [429]
    assert services.failed_login_count(ip_address=ATTACKER_ADDRESS) == 5

    fresh = make_client()
    response = attempt_sign_in(fresh, owner.email, TEST_PASSWORD, PROXY_ADDRESS, **{"X-Forwarded-For": OWNER_ADDRESS})
    assert response.status_code == 302


@pytest.fixture
def limited_behind_one_proxy(app_config):
    app_config.update(TRUSTED_PROXIES=1, RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute",
                      LOGIN_PAIR_FREE_FAILURES=100)


def test_flask_limiter_keys_on_the_forwarded_client(limited_behind_one_proxy, make_client):
    client = make_client()

    def post(address: str) -> int:
        return attempt_sign_in(client, "a@example.test", WRONG, PROXY_ADDRESS, **{"X-Forwarded-For": address}).status_code

    assert [post("192.0.2.201") for _ in range(4)] == [400, 400, 400, 429]
    assert post("192.0.2.202") == 400  # another client behind the same proxy


@pytest.fixture
def limited(app_config):
    app_config.update(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute", LOGIN_PAIR_FREE_FAILURES=100)


def test_flask_limiter_ignores_a_forged_forwarded_for_by_default(limited, make_client):
    client = make_client()
    statuses = [attempt_sign_in(client, "a@example.test", WRONG, "192.0.2.203", **{"X-Forwarded-For": f"192.0.2.{n}"})
                .status_code for n in range(4)]
    assert statuses == [400, 400, 400, 429]


@pytest.mark.parametrize("hops", [-1, "1"])
def test_trusted_proxies_must_be_a_number_of_hops(app_config, hops):
    app_config.update(TRUSTED_PROXIES=hops)
    with pytest.raises(RuntimeError, match="TRUSTED_PROXIES"):
        create_app(app_config)


# ---------------------------------------------------------------- housekeeping and races


def test_the_sweeper_prunes_old_failures_and_unlock_links(app, runner, owner):
    from shop.orders.cli import register_cli

    if "orders" not in app.cli.commands:
        register_cli(app)
    now = utcnow()
    db.session.add_all([
        LoginAttempt(email=owner.email, ip_address="192.0.2.1", attempted_at=now - timedelta(minutes=16)),
        LoginAttempt(email=owner.email, ip_address="192.0.2.1", attempted_at=now - timedelta(minutes=5)),
        LoginUnlock(user_id=owner.id, nonce="old", created_at=now - timedelta(minutes=61)),
        LoginUnlock(user_id=owner.id, nonce="new", created_at=now - timedelta(minutes=30)),
    ])
    db.session.commit()

    result = runner.invoke(args=["orders", "sweep"])

    assert result.exit_code == 0, result.output
    assert "pruned 1 old sign-in failures and 1 old unlock links" in result.output
    assert db.session.scalar(select(func.count(LoginAttempt.id))) == 1
    assert db.session.scalars(select(LoginUnlock.nonce)).all() == ["new"]


def test_parallel_tries_from_one_client_still_meet_the_delays(app, owner):
    # The test's own session must not hold a transaction (on SQLite, the write lock).
    email = owner.email
    db.session.remove()
    outcomes: Counter = Counter()
    lock = threading.Lock()
    start = threading.Barrier(12)

    def attempt() -> None:
        with app.app_context():
            start.wait()
            try:
                services.authenticate(email=email, password=WRONG, ip_address=ATTACKER_ADDRESS)
                outcome = "signed_in"
            except services.TooManyAttempts:
                outcome = "throttled"
            except services.InvalidCredentials:
                outcome = "failed"
            except Exception as exc:  # noqa: BLE001 - the assertion shows it
                outcome = f"{type(exc).__name__}: {exc}"
            finally:
                db.session.remove()
        with lock:
            outcomes[outcome] += 1

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)

    assert outcomes == Counter(failed=5, throttled=7)
    assert services.failed_login_count(email=email) == 5
