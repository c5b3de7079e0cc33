"""Accounts through the web: register, verify, sign in and out, throttling, reset,
settings, session rotation, CSRF and bad input (docs/product.md: Roles)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from argon2 import PasswordHasher
from sqlalchemy import event, func, select

from shop.accounts import services, sessions, tokens
from shop.accounts.models import LoginAttempt, RetailBuyer, User, UserSession
from shop.accounts.passwords import verify_password
from shop.accounts.validation import HEAD_OFFICE
from shop.dbtypes import utcnow
from shop.extensions import db
from shop.notifications import services as outbox_services
from shop.notifications.models import OutboxJob, OutboxMessage
from shop.notifications.services import send_pending
from tests.factories import TEST_PASSWORD, RetailBuyerFactory, UserFactory

NEW_PASSWORD = "river lanterns at dusk"
VALID_TAX_ID = "0107544000108"  # check digit 8 is right


@pytest.fixture
def client(make_client):
    """A client that reads the site in English, so messages can be matched."""
    return make_client()


@pytest.fixture
def user(app):
    return UserFactory(email="shopper@example.test", display_name="Somchai")


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def outbox(kind: str) -> list[OutboxMessage]:
    """The messages of this kind once the sender has run (it runs the jobs first)."""
    send_pending()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)))


def jobs(kind: str) -> list[OutboxJob]:
    return list(db.session.scalars(select(OutboxJob).where(OutboxJob.kind == kind).order_by(OutboxJob.id)))


def account_columns(user: User) -> dict:
    db.session.refresh(user)
    return {column.key: getattr(user, column.key) for column in User.__table__.columns}


def sql_statements(client, *args, **kwargs) -> tuple[object, list[str]]:
    """The response, and the SQL statements the request ran (without their values)."""
    db.session.commit()
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(re.sub(r"\s+", " ", statement).strip())

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.post(*args, **kwargs)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    return response, statements


@pytest.fixture
def no_mail_in_the_request(monkeypatch):
    """Makes any token or e-mail made during a request fail the test; ``undo()`` it
    before running the sender."""

    def must_not_be_called(*args, **kwargs):
        raise AssertionError("mail work done in the request")

    for module, name in [(tokens, "make_verify_token"), (tokens, "make_reset_token"), (services, "queue_email"),
                         (outbox_services, "render_template")]:
        monkeypatch.setattr(module, name, must_not_be_called)
    return monkeypatch


def link_path(message: OutboxMessage, kind: str) -> str:
    match = re.search(rf"http://localhost(/account/{kind}/\S+)", message.body_text)
    assert match, message.body_text
    return match.group(1)


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def signed_in(client) -> bool:
    return client.get("/account/").status_code == 200


def register_data(**changes) -> dict:
    data = {
        "display_name": "Malee",
        "email": "malee@example.test",
        "password": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
        "lang": "en",
        "accept_terms": "y",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def business_data(**changes) -> dict:
    data = register_data(company_name="Baan Rai Café Co., Ltd.", tax_id=VALID_TAX_ID, branch="", business_type="cafe")
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# ---------------------------------------------------------------- registration


def test_register_creates_account_and_mails_the_link_then_the_user_verifies_and_signs_in(client):
    response = client.post("/account/register", data=register_data(email=" Malee@Example.TEST "))

    assert response.status_code == 200
    assert "Check your e-mail" in page_text(response)
    assert "We have sent a message to malee@example.test." in page_text(response)
    with client.session_transaction() as session:
        assert "_user_id" not in session  # nobody is signed in before the address is confirmed
    assert client.get_cookie("chumchon_remember") is None
    assert not signed_in(client)
    user = db.session.scalar(select(User))
    assert user.email == "malee@example.test"
    assert user.locale == "en"
    assert not user.email_verified
    assert user.password_hash.startswith("$argon2id$")
    assert verify_password(user.password_hash, NEW_PASSWORD)
    [mail] = outbox("verify_email")
    assert mail.to_address == "malee@example.test"
    assert mail.subject == "Confirm your e-mail address for Chumchon Market"

    confirmed = client.get(link_path(mail, "verify"))
    assert confirmed.status_code == 302
    assert confirmed.headers["Location"] == "/account/login"
    signed = client.post("/account/login", data={"email": "malee@example.test", "password": NEW_PASSWORD})
    assert signed.status_code == 302
    page = client.get("/account/")
    assert page.status_code == 200
    assert "malee@example.test" in page_text(page)
    assert "Send a new confirmation link" not in page_text(page)  # the address is confirmed
    db.session.refresh(user)
    assert user.email_verified


def test_register_in_thai_writes_the_mail_in_thai(make_client):
    client = make_client(lang=None)
    response = client.post("/account/register", data=register_data(lang="th"))
    assert response.status_code == 200
    assert "ตรวจสอบอีเมลของคุณ" in page_text(response)
    [mail] = outbox("verify_email")
    assert "ยืนยัน" in mail.subject


def test_register_keeps_a_local_next_for_the_sign_in(client):
    response = client.post("/account/register", data=register_data(next="/cart?step=2"))
    assert response.status_code == 200
    assert 'href="/account/login?next=/cart?step%3D2"' in response.get_data(as_text=True)
    signed = client.post("/account/login", data={"email": "malee@example.test", "password": NEW_PASSWORD,
                                                 "next": "/cart?step=2"})
    assert signed.headers["Location"] == "/cart?step=2"


def test_register_business_creates_pending_buyer(client):
    response = client.post("/account/register/business", data=business_data(tax_id="0-1075-44000-10-8"))

    assert response.status_code == 200
    assert "Our staff will check your business details." in page_text(response)
    assert not signed_in(client)
    buyer = db.session.scalar(select(RetailBuyer))
    assert buyer.status == RetailBuyer.PENDING
    assert buyer.tax_id == VALID_TAX_ID
    assert buyer.branch == HEAD_OFFICE
    assert buyer.business_type == "cafe"
    assert buyer.user.email == "malee@example.test"
    assert len(outbox("verify_email")) == 1
    client.post("/account/login", data={"email": "malee@example.test", "password": NEW_PASSWORD})
    page = page_text(client.get("/account/"))
    assert "Waiting for our staff to check your details." in page
    assert "Head office" in page


def test_register_business_with_branch_number(client):
    client.post("/account/register/business", data=business_data(branch="00012"))
    assert db.session.scalar(select(RetailBuyer.branch)) == "00012"


@pytest.mark.parametrize(
    ("url", "data", "status", "message"),
    [
        ("/account/register", register_data(password="short", confirm="short"), 422, "Use at least 10 characters."),
        ("/account/register", register_data(password="1234567890", confirm="1234567890"), 422,
         "This password is too easy to guess."),
        ("/account/register", register_data(confirm="something else entirely"), 422,
         "The two passwords are not the same."),
        ("/account/register", register_data(lang="xx"), 422, "Choose th (ไทย) or en (English)."),
        ("/account/register", register_data(email="not-an-address"), 422, "Enter a valid e-mail address."),
        ("/account/register", register_data(display_name="  "), 422, "Enter your name."),
        ("/account/register", register_data(accept_terms=None), 422, "Please accept the terms of use to continue."),
        ("/account/register", register_data(next="https://evil.example/"), 400,
         "That return address is not on this site."),
        ("/account/register", register_data(next="//evil.example/x"), 400, "That return address is not on this site."),
        ("/account/register/business", business_data(tax_id="0107544000107"), 422,
         "This tax ID is not valid: check the digits again."),
        ("/account/register/business", business_data(tax_id="12345"), 422, "A tax ID has 13 digits."),
        ("/account/register/business", business_data(branch="12"), 422,
         "Leave the branch empty for the head office, or enter the 5-digit branch number."),
        ("/account/register/business", business_data(business_type="casino"), 422, "Choose the kind of business."),
        ("/account/register/business", business_data(company_name=""), 422, "Enter the company name."),
    ],
)
def test_register_bad_input_is_refused_with_a_message_and_nothing_written(client, user, url, data, status, message):
    users_before = count(User)

    response = client.post(url, data=data)

    assert response.status_code == status
    assert message in page_text(response)
    assert count(User) == users_before
    assert count(RetailBuyer) == 0
    assert count(OutboxMessage) == 0
    assert count(OutboxJob) == 0
    assert not signed_in(client)


# ---------------------------------------------------------------- registration with a taken address


@pytest.mark.parametrize(("url", "data"), [("/account/register", register_data),
                                           ("/account/register/business", business_data)])
def test_register_answers_a_taken_address_exactly_like_a_new_one(csrf_client, user, no_mail_in_the_request, url, data):
    hashed = []
    real_hash = services.hash_password
    no_mail_in_the_request.setattr(services, "hash_password", lambda password: hashed.append(password) or real_hash(password))
    answers = {}
    for email in ("malee@example.test", " SHOPPER@Example.test "):
        client = csrf_client()
        page = client.get(url).get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        jobs_before = count(OutboxJob)
        answers[email.strip().lower()] = client.post(url, data=data(email=email, csrf_token=token))
        # The same work: one hash, one registration job, no mail made in the request.
        assert count(OutboxJob) == jobs_before + 1
        assert jobs("account_registration")[-1].payload["email"] == email.strip().lower()
        assert count(OutboxMessage) == 0
        assert not signed_in(client)
    assert len(hashed) == 2

    new, taken = answers["malee@example.test"], answers["shopper@example.test"]
    assert new.status_code == taken.status_code == 200
    assert "Location" not in new.headers and "Location" not in taken.headers
    assert new.headers.getlist("Set-Cookie") == taken.headers.getlist("Set-Cookie") == []
    strip = lambda response, email: page_text(response).replace(email, "X")  # noqa: E731
    assert strip(new, "malee@example.test") == strip(taken, "shopper@example.test")
    assert "We have sent a message to X." in strip(new, "malee@example.test")

    no_mail_in_the_request.undo()
    assert [mail.to_address for mail in outbox("verify_email")] == ["malee@example.test"]
    [notice] = outbox("account_exists")
    assert notice.to_address == "shopper@example.test"


@pytest.mark.parametrize(("url", "data"), [("/account/register", register_data),
                                           ("/account/register/business", business_data)])
def test_register_with_a_taken_address_changes_nothing_and_tells_the_owner(client, url, data):
    owner = UserFactory(email="shopper@example.test", display_name="Somchai", locale="th", email_verified_at=None)
    before = account_columns(owner)

    response = client.post(url, data=data(email="Shopper@example.test", display_name="Intruder", lang="en"))

    assert response.status_code == 200
    assert count(User) == 1
    assert count(RetailBuyer) == 0
    assert outbox("verify_email") == []
    assert account_columns(owner) == before
    assert verify_password(owner.password_hash, TEST_PASSWORD)
    assert client.post("/account/login", data={"email": owner.email, "password": NEW_PASSWORD}).status_code == 400
    [notice] = outbox("account_exists")
    assert notice.to_address == "shopper@example.test"
    assert "พยายามเปิดบัญชี" in notice.subject  # in the owner's language, not the form's
    assert "Somchai" in notice.body_text and "Intruder" not in notice.body_text
    assert "http://localhost/account/login" in notice.body_text
    assert "http://localhost/account/reset" in notice.body_text
    assert ("http://localhost/account/register/business" in notice.body_text) is url.endswith("/business")
    assert account_columns(owner) == before


def test_register_notice_in_english_for_an_english_owner(client):
    UserFactory(email="shopper@example.test", locale="en")
    client.post("/account/register", data=register_data(email="shopper@example.test", lang="th"))
    [notice] = outbox("account_exists")
    assert notice.subject == "Someone tried to open a Chumchon Market account with your address"
    assert "If it was not you, you can ignore this e-mail." in notice.body_text


def test_repeated_sign_ups_with_a_taken_address_send_one_notice_an_hour(client, user):
    for name in ("First", "Second"):
        assert client.post("/account/register", data=register_data(email=user.email, display_name=name)).status_code == 200
    assert [mail.to_address for mail in outbox("account_exists")] == [user.email]
    assert len(jobs("account_registration")) == 2 and all(job.done_at for job in jobs("account_registration"))

    notice = outbox("account_exists")[0]
    notice.created_at = utcnow() - services.ACCOUNT_EXISTS_NOTICE_INTERVAL - timedelta(seconds=1)
    db.session.commit()
    client.post("/account/register", data=register_data(email=user.email))
    assert len(outbox("account_exists")) == 2


def test_register_a_closed_account_address_mails_nobody(client):
    UserFactory(email="closed@example.test", is_active_account=False)
    response = client.post("/account/register", data=register_data(email="closed@example.test"))
    assert response.status_code == 200
    assert count(User) == 1
    assert outbox("account_exists") == [] and outbox("verify_email") == []


def test_register_racing_another_sign_up_for_the_same_address(client, user, monkeypatch):
    # The other sign-up commits between our look-up and our insert.
    monkeypatch.setattr(services, "get_user_by_email",
                        lambda email, real=services.get_user_by_email: None if email == user.email else real(email))
    response = client.post("/account/register", data=register_data(email=user.email))
    monkeypatch.undo()

    assert response.status_code == 200
    assert "We have sent a message to shopper@example.test." in page_text(response)
    assert count(User) == 1
    assert [job.payload["new_user_id"] for job in jobs("account_registration")] == [None]
    assert [mail.to_address for mail in outbox("account_exists")] == [user.email]


def test_register_page_drops_an_off_site_next(client):
    response = client.get("/account/register?next=https://evil.example/")
    assert response.status_code == 200
    assert 'name="next" type="hidden" value=""' in response.get_data(as_text=True)
    assert "That return address is not on this site." in page_text(response)


def test_signed_in_user_applies_for_a_business_account(client, user, auth):
    auth.login()
    response = client.post("/account/register/business", data={
        "company_name": "Somchai Mart", "tax_id": VALID_TAX_ID, "branch": "00001", "business_type": "shop"})
    assert response.status_code == 302
    buyer = db.session.scalar(select(RetailBuyer))
    assert (buyer.user_id, buyer.status, buyer.branch) == (user.id, RetailBuyer.PENDING, "00001")
    again = client.get("/account/register/business")
    assert again.status_code == 302


def test_signed_in_user_business_application_bad_tax_id(client, user, auth):
    auth.login()
    response = client.post("/account/register/business", data={
        "company_name": "Somchai Mart", "tax_id": "1111111111111", "branch": "", "business_type": "shop"})
    assert response.status_code == 422
    assert count(RetailBuyer) == 0


# ---------------------------------------------------------------- CSRF


@pytest.fixture
def csrf_client(app_config, request):
    app_config["WTF_CSRF_ENABLED"] = True  # before the app is built
    return request.getfixturevalue("make_client")


@pytest.mark.parametrize("token", ["forged-token", None])
def test_register_with_forged_or_missing_csrf_token_is_refused(csrf_client, token):
    client = csrf_client()
    data = register_data()
    if token:
        data["csrf_token"] = token
    response = client.post("/account/register", data=data)
    assert response.status_code == 400
    assert "Your form expired or was sent from another site. Please try again." in page_text(response)
    assert count(User) == 0
    assert count(OutboxMessage) == 0


def test_register_with_the_real_csrf_token_works(csrf_client):
    client = csrf_client()
    page = client.get("/account/register").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/account/register", data=register_data(csrf_token=token))
    assert response.status_code == 200
    assert count(User) == 1


def test_logout_needs_the_csrf_token(csrf_client, user):
    client = csrf_client()
    page = client.get("/account/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    client.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD, "csrf_token": token})
    assert signed_in(client)

    assert client.post("/account/logout").status_code == 400
    assert signed_in(client)

    page = client.get("/account/").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/account/logout", data={"csrf_token": token}).status_code == 302
    assert not signed_in(client)


# ---------------------------------------------------------------- e-mail verification


def test_verification_link_confirms_the_address_once_and_is_idempotent(client):
    client.post("/account/register", data=register_data())
    path = link_path(outbox("verify_email")[0], "verify")

    first = client.get(path)
    assert first.status_code == 302
    user = db.session.scalar(select(User))
    verified_at = user.email_verified_at
    assert verified_at is not None

    second = client.get(path)
    assert second.status_code == 302
    db.session.refresh(user)
    assert user.email_verified_at == verified_at


def test_verification_write_takes_the_sqlite_write_lock(client):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("BEGIN IMMEDIATE is SQLite's; PostgreSQL locks the row it updates")
    client.post("/account/register", data=register_data())
    path = link_path(outbox("verify_email")[0], "verify")
    # Signed in, the page reads the user again after the write.
    client.post("/account/login", data={"email": "malee@example.test", "password": NEW_PASSWORD})
    db.session.commit()
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement.split()[0] + (" IMMEDIATE" if "IMMEDIATE" in statement else ""))

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        assert client.get(path).status_code == 302
    finally:
        event.remove(db.engine, "before_cursor_execute", record)

    # A GET begins deferred transactions; the one that writes must take the lock at
    # BEGIN, or it could fail to upgrade under contention ("database is locked").
    first_update = statements.index("UPDATE")
    last_begin = [statement for statement in statements[:first_update] if statement.startswith("BEGIN")][-1]
    assert last_begin == "BEGIN IMMEDIATE"
    assert "BEGIN" in statements[first_update:]  # reads after it stay deferred


def test_verification_link_works_for_a_guest(client, make_client):
    client.post("/account/register", data=register_data())
    path = link_path(outbox("verify_email")[0], "verify")
    other = make_client()
    response = other.get(path)
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login"
    assert db.session.scalar(select(User)).email_verified


def test_tampered_verification_link_is_refused_with_a_resend_button(client):
    client.post("/account/register", data=register_data())
    path = link_path(outbox("verify_email")[0], "verify")

    response = client.get(path[:-3] + ("abc" if not path.endswith("abc") else "xyz"))

    assert response.status_code == 400
    text = page_text(response)
    assert "This link is not valid." in text
    assert 'action="/account/verify/resend"' in text
    assert not db.session.scalar(select(User)).email_verified


@pytest.fixture
def links_expired(app_config):
    # Every signature is older than -1 seconds: each link has expired when followed.
    app_config.update(EMAIL_VERIFY_MAX_AGE=-1, PASSWORD_RESET_MAX_AGE=-1)


def test_expired_verification_link_is_refused(links_expired, client):
    client.post("/account/register", data=register_data())
    path = link_path(outbox("verify_email")[0], "verify")

    response = client.get(path)

    assert response.status_code == 400
    assert "This link has expired." in page_text(response)
    assert not db.session.scalar(select(User)).email_verified


def test_verification_link_for_an_old_address_is_refused(client):
    client.post("/account/register", data=register_data())
    path = link_path(outbox("verify_email")[0], "verify")
    user = db.session.scalar(select(User))
    user.email = "new-address@example.test"
    db.session.commit()

    assert client.get(path).status_code == 400
    db.session.refresh(user)
    assert not user.email_verified


def test_resend_verification_for_signed_in_user(client):
    client.post("/account/register", data=register_data())
    client.post("/account/login", data={"email": "malee@example.test", "password": NEW_PASSWORD})
    response = client.post("/account/verify/resend")
    assert response.status_code == 302
    assert len(outbox("verify_email")) == 2

    client.get(link_path(outbox("verify_email")[1], "verify"))
    client.post("/account/verify/resend")
    assert len(outbox("verify_email")) == 2  # nothing to confirm any more


def test_resend_verification_for_guest_says_the_same_for_unknown_addresses(make_client):
    UserFactory(email="waiting@example.test", email_verified_at=None)
    client = make_client()
    known = client.post("/account/verify/resend", data={"email": "waiting@example.test"}, follow_redirects=True)
    unknown = client.post("/account/verify/resend", data={"email": "nobody@example.test"}, follow_redirects=True)
    message = "If that address has an account waiting for confirmation, we have sent it a new link."
    assert message in page_text(known) and message in page_text(unknown)
    assert [m.to_address for m in outbox("verify_email")] == ["waiting@example.test"]


def test_resend_verification_for_guest_does_the_same_work_for_any_address(make_client, no_mail_in_the_request):
    UserFactory(email="waiting@example.test", email_verified_at=None)
    UserFactory(email="done@example.test")
    answers, statements = {}, {}
    for email in ("waiting@example.test", "nobody@example.test", "done@example.test"):
        answers[email], statements[email] = sql_statements(make_client(), "/account/verify/resend", data={"email": email})
    assert statements["waiting@example.test"] == statements["nobody@example.test"] == statements["done@example.test"]
    assert {response.status_code for response in answers.values()} == {302}
    assert [job.payload for job in jobs("verification_resend_request")] == [
        {"email": "waiting@example.test"}, {"email": "nobody@example.test"}, {"email": "done@example.test"}]
    assert count(OutboxMessage) == 0

    no_mail_in_the_request.undo()
    [mail] = outbox("verify_email")
    assert mail.to_address == "waiting@example.test"
    assert make_client().get(link_path(mail, "verify")).status_code == 302
    assert db.session.scalar(select(User).where(User.email == "waiting@example.test")).email_verified


def test_resend_verification_for_guest_needs_an_address(client):
    response = client.post("/account/verify/resend", data={"email": ""})
    assert response.status_code == 422
    assert "Enter your e-mail address." in page_text(response)


# ---------------------------------------------------------------- sign in


def test_login_signs_in_records_the_time_and_starts_a_fresh_session(client, user):
    with client.session_transaction() as session:
        session["left_over"] = "from before"

    response = client.post("/account/login", data={"email": "Shopper@Example.test", "password": TEST_PASSWORD})

    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    db.session.refresh(user)
    assert user.last_login_at is not None
    with client.session_transaction() as session:
        assert "left_over" not in session
        assert session["lang"] == "en"
        row_id, _, secret = session["_user_id"].partition(":")
    [sign_in] = db.session.scalars(select(UserSession)).all()
    assert (sign_in.id, sign_in.user_id, sign_in.token_hash) == (int(row_id), user.id, sessions.digest(secret))
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # development and tests run on plain http


@pytest.mark.parametrize("target", ["/products/kafe?x=1", "/account/", "/cart"])
def test_login_follows_a_local_next(client, user, target):
    response = client.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD, "next": target})
    assert response.headers["Location"] == target


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)", "http:/x"]
)
def test_login_with_an_off_site_next_is_refused_without_signing_in(client, user, target):
    response = client.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD, "next": target})

    assert response.status_code == 400
    assert "That return address is not on this site." in page_text(response)
    assert not signed_in(client)
    assert count(LoginAttempt) == 0
    db.session.refresh(user)
    assert user.last_login_at is None


def test_login_page_drops_an_off_site_next_and_says_so(client):
    response = client.get("/account/login?next=https://evil.example/")
    assert response.status_code == 200
    assert 'name="next" type="hidden" value=""' in response.get_data(as_text=True)
    assert "next=https" not in re.search(r'<form class="account-form".*?</form>', response.get_data(as_text=True), re.S).group(0)
    assert "That return address is not on this site." in page_text(response)


def test_login_page_keeps_a_local_next(client):
    response = client.get("/account/login?next=/cart")
    assert 'name="next" type="hidden" value="/cart"' in response.get_data(as_text=True)


def test_wrong_password_and_unknown_email_get_the_same_answer(client, user, monkeypatch):
    burned = []
    monkeypatch.setattr(services, "burn_equal_time", lambda password: burned.append(password))

    wrong = client.post("/account/login", data={"email": user.email, "password": "not the password at all"})
    unknown = client.post("/account/login", data={"email": "nobody@example.test", "password": "not the password"})

    assert wrong.status_code == unknown.status_code == 400
    message = "The e-mail address or password is not right."
    assert message in page_text(wrong) and message in page_text(unknown)
    assert burned == ["not the password"]  # the unknown address still pays for a hash check
    assert count(LoginAttempt) == 2
    assert not signed_in(client)


def test_login_with_empty_fields_is_refused(client):
    response = client.post("/account/login", data={"email": "", "password": ""})
    assert response.status_code == 422
    assert "Enter your e-mail address." in page_text(response)
    assert count(LoginAttempt) == 0


def test_inactive_account_cannot_sign_in(client):
    UserFactory(email="closed@example.test", is_active_account=False)
    response = client.post("/account/login", data={"email": "closed@example.test", "password": TEST_PASSWORD})
    assert response.status_code == 403
    assert "This account has been closed." in page_text(response)
    assert not signed_in(client)


def test_login_upgrades_an_old_hash(client):
    old_hash = PasswordHasher(time_cost=3, memory_cost=2048, parallelism=1).hash(TEST_PASSWORD)
    user = UserFactory(email="old@example.test", password_hash=old_hash)

    assert client.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD}).status_code == 302

    db.session.refresh(user)
    assert user.password_hash != old_hash
    assert "m=1024,t=1,p=1" in user.password_hash
    assert verify_password(user.password_hash, TEST_PASSWORD)


def test_remember_me_sets_a_long_lived_http_only_cookie(make_client, user):
    client = make_client()
    client.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD, "remember": "y"})
    remember = client.get_cookie("chumchon_remember")
    assert remember is not None and remember.http_only
    assert remember.same_site == "Lax"

    client.delete_cookie("chumchon_session")
    assert signed_in(client)  # restored from the remember-me cookie


# ---------------------------------------------------------------- throttling
# The rules in full, with devices, unlock links and proxies: tests/functional/test_login_throttle.py.


@pytest.fixture
def throttled(app_config):
    # Three free failures per client, then a 15-minute wait.
    app_config.update(LOGIN_PAIR_FREE_FAILURES=3, LOGIN_PAIR_BASE_DELAY=15 * 60, LOGIN_PAIR_MAX_DELAY=15 * 60,
                      LOGIN_FAILURE_WINDOW=15 * 60)


def test_too_many_failures_from_one_client_answer_429_without_checking_the_password(
    throttled, client, make_client, user, monkeypatch
):
    for _ in range(3):
        assert client.post("/account/login", data={"email": user.email, "password": "wrong guess!"}).status_code == 400

    real_verify = services.verify_password

    def must_not_be_called(*args):
        raise AssertionError("the password was checked while throttled")

    monkeypatch.setattr(services, "verify_password", must_not_be_called)
    response = client.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD})

    assert response.status_code == 429
    assert "Too many sign-in attempts. Try again in 15 minutes." in page_text(response)
    assert 890 <= int(response.headers["Retry-After"]) <= 900
    assert not signed_in(client)
    assert count(LoginAttempt) == 3  # throttled tries do not extend the block

    # The owner at another address is not held up by them.
    monkeypatch.setattr(services, "verify_password", real_verify)
    elsewhere = make_client()
    response = elsewhere.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD},
                              environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert response.status_code == 302
    assert signed_in(elsewhere)


def test_throttle_also_holds_for_unknown_emails(throttled, client):
    for _ in range(3):
        client.post("/account/login", data={"email": "ghost@example.test", "password": "wrong guess!"})
    response = client.post("/account/login", data={"email": "ghost@example.test", "password": "wrong guess!"})
    assert response.status_code == 429


def test_throttle_lifts_as_failures_leave_the_window(throttled, client, user):
    old = utcnow() - timedelta(minutes=14)
    db.session.add_all(LoginAttempt(email=user.email, ip_address="127.0.0.1", attempted_at=old) for _ in range(3))
    db.session.commit()
    response = client.post("/account/login", data={"email": user.email, "password": "wrong guess!"})
    assert response.status_code == 429
    assert "Try again in a minute." in page_text(response)

    for attempt in db.session.scalars(select(LoginAttempt)):
        attempt.attempted_at = utcnow() - timedelta(minutes=16)
    db.session.commit()
    response = client.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_old_failures_are_pruned_by_the_sweeper(throttled, client, user):
    db.session.add(LoginAttempt(email="x@example.test", ip_address="10.0.0.9",
                                attempted_at=utcnow() - timedelta(hours=2)))
    db.session.commit()
    client.post("/account/login", data={"email": user.email, "password": "wrong guess!"})

    assert services.prune_login_records() == (1, 0)

    assert db.session.scalars(select(LoginAttempt.email)).all() == [user.email]


def test_successful_login_clears_this_clients_failures_only(throttled, client, user):
    for _ in range(2):
        client.post("/account/login", data={"email": user.email, "password": "wrong guess!"})
        client.post("/account/login", data={"email": user.email, "password": "wrong guess!"},
                    environ_base={"REMOTE_ADDR": "198.51.100.4"})
    assert client.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD}).status_code == 302
    assert services.failed_login_count(email=user.email, ip_address="127.0.0.1") == 0
    assert services.failed_login_count(email=user.email, ip_address="198.51.100.4") == 2  # still someone else's
    client.post("/account/logout")
    for _ in range(2):
        assert client.post("/account/login", data={"email": user.email, "password": "wrong guess!"}).status_code == 400


def test_failures_from_one_address_on_other_accounts_do_not_lock_this_one(throttled, client, user):
    """The old rule locked every account from an address after 20 failures; everyone
    behind one proxy shares an address."""
    for n in range(30):
        assert client.post("/account/login",
                           data={"email": f"guess{n}@example.test", "password": "wrong guess!"}).status_code == 400

    response = client.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302


def test_throttle_message_in_thai(throttled, make_client, user):
    client = make_client(lang="th")
    for _ in range(3):
        client.post("/account/login", data={"email": user.email, "password": "wrong guess!"})
    response = client.post("/account/login", data={"email": user.email, "password": "wrong guess!"})
    assert response.status_code == 429
    assert "ลองเข้าสู่ระบบหลายครั้งเกินไป กรุณาลองใหม่ในอีก 15 นาที" in page_text(response)


@pytest.fixture
def rate_limited(app_config):
    app_config.update(RATELIMIT_ENABLED=True, LOGIN_PAIR_FREE_FAILURES=1000, LOGIN_ACCOUNT_MAX_FAILURES=1000,
                      LOGIN_RATE_LIMIT="20 per minute")


def test_flask_limiter_backstop_per_address(rate_limited, client):
    statuses = [
        client.post("/account/login", data={"email": "a@example.test", "password": "wrong guess!"},
                    environ_base={"REMOTE_ADDR": "192.0.2.20"}).status_code
        for _ in range(21)
    ]
    assert statuses[:20] == [400] * 20
    assert statuses[20] == 429
    assert client.get("/account/login", environ_base={"REMOTE_ADDR": "192.0.2.20"}).status_code == 200  # only POST


# ---------------------------------------------------------------- sign out and session rotation


def test_logout_is_post_only_and_clears_the_session(client, user, auth):
    auth.login()
    assert client.get("/account/logout").status_code == 405
    assert signed_in(client)

    response = client.post("/account/logout")
    assert response.status_code == 302
    assert not signed_in(client)
    with client.session_transaction() as session:
        assert set(session) <= {"lang", "_flashes", "_remember", "_fresh"}
        assert session.get("lang") == "en"


def test_changing_the_password_signs_out_other_clients_but_not_this_one(make_client, user):
    here, elsewhere, remembered = make_client(), make_client(), make_client()
    for browser in (here, elsewhere):
        browser.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD})
    remembered.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD, "remember": "y"})
    remembered.delete_cookie("chumchon_session")
    assert all(signed_in(browser) for browser in (here, elsewhere, remembered))

    response = here.post("/account/password", data={
        "password-current_password": TEST_PASSWORD, "password-new_password": NEW_PASSWORD,
        "password-confirm": NEW_PASSWORD})

    assert response.status_code == 302
    assert signed_in(here)
    assert not signed_in(elsewhere)
    assert not signed_in(remembered)
    db.session.refresh(user)
    assert verify_password(user.password_hash, NEW_PASSWORD)


def test_change_password_needs_the_current_password(client, user, auth):
    auth.login()
    sign_ins_before = db.session.scalars(select(UserSession.id)).all()
    response = client.post("/account/password", data={
        "password-current_password": "not my password", "password-new_password": NEW_PASSWORD,
        "password-confirm": NEW_PASSWORD})
    assert response.status_code == 422
    assert "Your current password is not right." in page_text(response)
    db.session.refresh(user)
    assert verify_password(user.password_hash, TEST_PASSWORD)
    assert db.session.scalars(select(UserSession.id)).all() == sign_ins_before
    assert signed_in(client)


def test_change_password_refuses_a_weak_one(client, user, auth):
    auth.login()
    response = client.post("/account/password", data={
        "password-current_password": TEST_PASSWORD, "password-new_password": "qwertyuiop",
        "password-confirm": "qwertyuiop"})
    assert response.status_code == 422
    assert "This password is too easy to guess." in page_text(response)
    db.session.refresh(user)
    assert verify_password(user.password_hash, TEST_PASSWORD)


def test_sign_out_everywhere(make_client, user):
    here, elsewhere = make_client(), make_client()
    for browser in (here, elsewhere):
        browser.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD})

    response = here.post("/account/sign-out-everywhere")

    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login"
    assert not signed_in(here)
    assert not signed_in(elsewhere)


# ---------------------------------------------------------------- sign-ins kept on the server

SESSION_COOKIE, REMEMBER_COOKIE = "chumchon_session", "chumchon_remember"


def cookie_value(client, name: str) -> str:
    cookie = client.get_cookie(name)
    assert cookie is not None, name
    return cookie.value


def replay(make_client, **cookies):
    """A browser that has only the given cookies, copied from another."""
    browser = make_client(lang=None)
    for name, value in cookies.items():
        browser.set_cookie(name, value)
    return browser


def sign_ins_of(user) -> list[UserSession]:
    return list(db.session.scalars(select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)))


def test_a_copied_session_or_remember_cookie_is_anonymous_after_sign_out(make_client, user):
    browser = make_client()
    browser.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD, "remember": "y"})
    copied_session = cookie_value(browser, SESSION_COOKIE)
    copied_remember = cookie_value(browser, REMEMBER_COOKIE)
    # Before the sign-out either copy is as good as the browser itself.
    assert replay(make_client, **{SESSION_COOKIE: copied_session}).get("/account/").status_code == 200
    assert replay(make_client, **{REMEMBER_COOKIE: copied_remember}).get("/account/").status_code == 200

    assert browser.post("/account/logout").status_code == 302
    assert sign_ins_of(user) == []

    for cookies in ({SESSION_COOKIE: copied_session}, {REMEMBER_COOKIE: copied_remember},
                    {SESSION_COOKIE: copied_session, REMEMBER_COOKIE: copied_remember}):
        response = replay(make_client, **cookies).get("/account/")
        assert response.status_code == 302, cookies
        assert response.headers["Location"].startswith("/account/login?next=")


def test_signing_out_with_only_the_remember_cookie_ends_that_sign_in(make_client, user):
    browser = make_client()
    browser.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD, "remember": "y"})
    copied_remember = cookie_value(browser, REMEMBER_COOKIE)
    browser.delete_cookie(SESSION_COOKIE)  # the browser was closed and opened again

    browser.post("/account/logout")

    assert sign_ins_of(user) == []
    assert replay(make_client, **{REMEMBER_COOKIE: copied_remember}).get("/account/").status_code == 302


def test_signing_in_again_ends_the_browsers_previous_sign_in(make_client, user):
    browser = make_client()
    browser.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD, "remember": "y"})
    copied_remember = cookie_value(browser, REMEMBER_COOKIE)
    other = UserFactory()

    browser.post("/account/login", data={"email": other.email, "password": TEST_PASSWORD})

    assert sign_ins_of(user) == []
    assert len(sign_ins_of(other)) == 1
    assert browser.get_cookie(REMEMBER_COOKIE) is None
    assert replay(make_client, **{REMEMBER_COOKIE: copied_remember}).get("/account/").status_code == 302


def test_signing_out_on_one_device_leaves_the_others_signed_in(make_client, user):
    phone, laptop = make_client(), make_client()
    for browser in (phone, laptop):
        browser.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD, "remember": "y"})
    assert len(sign_ins_of(user)) == 2

    phone.post("/account/logout")

    assert not signed_in(phone)
    assert signed_in(laptop)
    laptop.delete_cookie(SESSION_COOKIE)
    assert signed_in(laptop)  # its remember-me cookie too
    assert len(sign_ins_of(user)) == 1


def test_changing_the_password_ends_every_other_sign_in_and_renews_this_one(make_client, user):
    here, elsewhere = make_client(), make_client()
    here.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD, "remember": "y"})
    elsewhere.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD})
    old_here = {SESSION_COOKIE: cookie_value(here, SESSION_COOKIE), REMEMBER_COOKIE: cookie_value(here, REMEMBER_COOKIE)}

    here.post("/account/password", data={
        "password-current_password": TEST_PASSWORD, "password-new_password": NEW_PASSWORD,
        "password-confirm": NEW_PASSWORD})

    [renewed] = sign_ins_of(user)
    assert renewed.remember  # "remember me" carries over to the new sign-in
    assert signed_in(here) and not signed_in(elsewhere)
    here.delete_cookie(SESSION_COOKIE)
    assert signed_in(here)  # the new remember-me cookie
    assert replay(make_client, **old_here).get("/account/").status_code == 302


def test_an_expired_sign_in_sends_the_browser_to_sign_in(client, user, auth):
    auth.login()
    [sign_in] = sign_ins_of(user)
    sign_in.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()

    response = client.get("/account/")

    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login")


def test_using_the_site_records_when_a_sign_in_was_last_seen(client, user, auth):
    auth.login()
    [sign_in] = sign_ins_of(user)
    sign_in.last_seen_at = utcnow() - timedelta(minutes=10)
    db.session.commit()
    before = utcnow()

    assert client.get("/account/").status_code == 200

    db.session.refresh(sign_in)
    assert sign_in.last_seen_at >= before
    assert sign_in.expires_at > before + timedelta(hours=1)


def test_the_account_page_lists_the_devices_and_signs_out_another(make_client, user):
    here, phone = make_client(), make_client()
    here.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD},
              headers={"User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"})
    phone.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD},
               headers={"User-Agent": "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) "
                                      "Chrome/126.0.0.0 Mobile Safari/537.36"})
    mine, phones = sign_ins_of(user)

    page = page_text(here.get("/account/"))
    assert "Firefox · Linux" in page and "Chrome · Android" in page
    assert "This device" in page
    assert f"/account/devices/{phones.id}/sign-out" in page
    assert f"/account/devices/{mine.id}/sign-out" not in page  # this one signs out from the menu

    response = here.post(f"/account/devices/{phones.id}/sign-out")

    assert response.status_code == 302
    assert "That device is signed out." in page_text(here.get("/account/"))
    assert not signed_in(phone)
    assert signed_in(here)


def test_a_device_of_another_account_cannot_be_signed_out(make_client, user):
    mine, theirs = make_client(), make_client()
    mine.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD})
    stranger = UserFactory()
    theirs.post("/account/login", data={"email": stranger.email, "password": TEST_PASSWORD})
    [their_sign_in] = sign_ins_of(stranger)

    assert mine.post(f"/account/devices/{their_sign_in.id}/sign-out").status_code == 404
    assert mine.post(f"/account/devices/{2**40}/sign-out").status_code == 404
    assert signed_in(theirs)


def test_signing_out_this_device_from_the_list_signs_out(client, user, auth):
    auth.login()
    [sign_in] = sign_ins_of(user)

    response = client.post(f"/account/devices/{sign_in.id}/sign-out")

    assert response.status_code == 302
    assert not signed_in(client)
    assert sign_ins_of(user) == []


# ---------------------------------------------------------------- password reset


def test_reset_request_answers_the_same_for_known_and_unknown_addresses(client, user):
    known = client.post("/account/reset", data={"email": user.email})
    unknown = client.post("/account/reset", data={"email": "nobody@example.test"})

    assert known.status_code == unknown.status_code == 200
    strip = lambda response: page_text(response).replace(user.email, "X").replace("nobody@example.test", "X")
    assert strip(known) == strip(unknown)
    [mail] = outbox("password_reset")
    assert mail.to_address == user.email
    assert "60 นาที" in mail.body_text  # in the account's language (Thai)


def test_reset_request_does_the_same_work_for_known_and_unknown_addresses(make_client, user, no_mail_in_the_request):
    UserFactory(email="closed@example.test", is_active_account=False)
    answers, statements = {}, {}
    for email in (user.email, "nobody@example.test", "closed@example.test"):
        answers[email], statements[email] = sql_statements(make_client(), "/account/reset", data={"email": email})

    # Not one statement differs: no account look-up, token or mail in the request.
    assert statements[user.email] == statements["nobody@example.test"] == statements["closed@example.test"]
    assert any(statement.startswith("INSERT INTO outbox_jobs") for statement in statements[user.email])
    assert not any("users" in statement for statement in statements[user.email])
    assert {response.status_code for response in answers.values()} == {200}
    assert [job.payload for job in jobs("password_reset_request")] == [
        {"email": user.email}, {"email": "nobody@example.test"}, {"email": "closed@example.test"}]
    assert count(OutboxMessage) == 0

    no_mail_in_the_request.undo()
    [mail] = outbox("password_reset")
    assert mail.to_address == user.email
    assert all(job.done_at is not None for job in jobs("password_reset_request"))
    assert send_pending().sent == 0  # each job ran once


def test_reset_request_normalises_the_address(client, user):
    client.post("/account/reset", data={"email": " SHOPPER@Example.test "})
    assert [job.payload["email"] for job in jobs("password_reset_request")] == [user.email]
    assert [mail.to_address for mail in outbox("password_reset")] == [user.email]


def test_reset_request_with_a_bad_address(client):
    response = client.post("/account/reset", data={"email": "nope"})
    assert response.status_code == 422
    assert "Enter a valid e-mail address." in page_text(response)
    assert count(OutboxMessage) == 0
    assert count(OutboxJob) == 0


def test_reset_link_sets_the_password_signs_in_and_signs_out_other_sessions(client, make_client, user):
    other_device = make_client()
    other_device.post("/account/login", data={"email": user.email, "password": TEST_PASSWORD})
    client.post("/account/reset", data={"email": user.email})
    path = link_path(outbox("password_reset")[0], "reset")

    assert client.get(path).status_code == 200
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    assert response.status_code == 302
    assert signed_in(client)
    assert not signed_in(other_device)
    assert len(db.session.scalars(select(UserSession)).all()) == 1  # this browser's new sign-in
    db.session.refresh(user)
    assert verify_password(user.password_hash, NEW_PASSWORD)


def test_reset_link_works_only_once(client, user):
    client.post("/account/reset", data={"email": user.email})
    path = link_path(outbox("password_reset")[0], "reset")
    client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})

    again_get = client.get(path)
    again_post = client.post(path, data={"password": "another fine passphrase", "confirm": "another fine passphrase"})

    assert again_get.status_code == again_post.status_code == 400
    assert "This link is not valid." in page_text(again_post)
    db.session.refresh(user)
    assert verify_password(user.password_hash, NEW_PASSWORD)


def test_reset_link_refuses_a_weak_password(client, user):
    client.post("/account/reset", data={"email": user.email})
    path = link_path(outbox("password_reset")[0], "reset")
    response = client.post(path, data={"password": "short", "confirm": "short"})
    assert response.status_code == 422
    assert "Use at least 10 characters." in page_text(response)
    db.session.refresh(user)
    assert verify_password(user.password_hash, TEST_PASSWORD)
    assert client.get(path).status_code == 200  # the link still works


def test_expired_reset_link_is_refused(links_expired, client, user):
    client.post("/account/reset", data={"email": user.email})
    path = link_path(outbox("password_reset")[0], "reset")
    response = client.post(path, data={"password": NEW_PASSWORD, "confirm": NEW_PASSWORD})
    assert response.status_code == 400
    assert "This link has expired." in page_text(response)
    db.session.refresh(user)
    assert verify_password(user.password_hash, TEST_PASSWORD)


def test_verification_token_is_no_reset_token(client):
    client.post("/account/register", data=register_data())
    verify_path = link_path(outbox("verify_email")[0], "verify")
    token = verify_path.rsplit("/", 1)[1]
    assert client.get(f"/account/reset/{token}").status_code == 400


# ---------------------------------------------------------------- account page


def test_account_page_sends_guests_to_sign_in_with_next(client):
    response = client.get("/account/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/login?next=%2Faccount%2F"


def test_update_profile_saves_and_switches_the_language(client, user, auth):
    auth.login()
    response = client.post("/account/profile", data={
        "profile-display_name": "Somchai J.", "profile-phone": "081 234 5678", "profile-locale": "th"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.display_name, user.phone, user.locale) == ("Somchai J.", "081 234 5678", "th")
    with client.session_transaction() as session:
        assert session["lang"] == "th"
    assert '<html lang="th">' in client.get("/account/").get_data(as_text=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"profile-display_name": "", "profile-phone": "", "profile-locale": "en"}, "Enter your name."),
        ({"profile-display_name": "S", "profile-phone": "call me", "profile-locale": "en"},
         "Enter a phone number of 9 or 10 digits"),
        ({"profile-display_name": "S", "profile-phone": "", "profile-locale": "fr"}, "Choose th (ไทย) or en (English)."),
    ],
)
def test_update_profile_bad_input(client, user, auth, data, message):
    auth.login()
    response = client.post("/account/profile", data=data)
    assert response.status_code == 422
    assert message in page_text(response)
    db.session.refresh(user)
    assert user.display_name == "Somchai"


def test_account_page_shows_business_status(client, auth):
    RetailBuyerFactory(user=UserFactory(email="shopper@example.test"), company_name="Kad Mart",
                       status=RetailBuyer.VERIFIED, branch="00003")
    auth.login()
    text = page_text(client.get("/account/"))
    assert "Kad Mart" in text
    assert "Verified: you see wholesale prices." in text
    assert "Branch 00003" in text


def test_account_menu_for_guests_and_users(client, user, auth):
    guest = client.get("/account/login").get_data(as_text=True)
    assert 'class="account-menu"' in guest and 'href="/account/register"' in guest
    auth.login()
    page = client.get("/account/").get_data(as_text=True)
    assert "Somchai" in page and 'action="/account/logout"' in page
    assert "Back office" not in page  # not staff, and no back office yet


def test_account_menu_links_staff_to_the_back_office(app, client):
    if "admin.index" not in app.view_functions:
        app.add_url_rule("/admin/", "admin.index", lambda: "back office")
    UserFactory(email="staff@example.test", is_staff=True)
    client.post("/account/login", data={"email": "staff@example.test", "password": TEST_PASSWORD})
    page = client.get("/account/").get_data(as_text=True)
    menu = re.search(r'<nav class="account-menu".*?</nav>', page, re.S).group(0)
    assert "Back office" in menu and 'href="/admin/"' in menu


def test_unknown_lang_parameter_is_ignored(client):
    client.get("/account/login?lang=en")
    response = client.get("/account/login?lang=xx")
    assert response.status_code == 200
    assert "Sign in" in page_text(response)  # still in the language chosen before
    with client.session_transaction() as session:
        assert session["lang"] == "en"


# ---------------------------------------------------------------- commands


def test_create_admin_command(runner):
    result = runner.invoke(args=["users", "create-admin", "Admin@Example.test", "--name", "Nok",
                                 "--password", NEW_PASSWORD])
    assert result.exit_code == 0, result.output
    assert "created staff account admin@example.test" in result.output
    admin = db.session.scalar(select(User).where(User.email == "admin@example.test"))
    assert admin.is_staff and admin.email_verified and admin.display_name == "Nok"
    assert verify_password(admin.password_hash, NEW_PASSWORD)


def test_create_admin_promotes_an_existing_user(runner, user):
    result = runner.invoke(args=["users", "create-admin", user.email, "--password", "ignored but long"])
    assert result.exit_code == 0, result.output
    assert "promoted" in result.output
    db.session.refresh(user)
    assert user.is_staff


def test_create_admin_refuses_a_weak_password(runner):
    result = runner.invoke(args=["users", "create-admin", "admin@example.test", "--password", "short"])
    assert result.exit_code != 0
    assert "ใช้อย่างน้อย 10 ตัวอักษร" in result.output  # commands speak the default language
    assert count(User) == 0
