"""Account rules without the web: Thai tax IDs and branches, passwords, signed links,
and the registration / sign-in services."""

from __future__ import annotations

import itsdangerous.timed
import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from shop.accounts import services, sessions, throttle, tokens
from shop.accounts.models import LoginAttempt, RetailBuyer, User
from shop.accounts.passwords import hash_password, needs_rehash, verify_password
from shop.accounts.validation import (
    HEAD_OFFICE,
    branch_problem,
    check_email,
    normalize_branch,
    password_problem,
)
from shop.errors import ValidationFailed
from shop.extensions import db
from shop.notifications.models import OutboxJob, OutboxMessage
from shop.notifications.services import send_pending
from shop.thai import tax_id_problem, thai_tax_id_check_digit
from tests.factories import TEST_PASSWORD, UserFactory

GOOD_PASSWORD = "mango sticky rice season"


@pytest.fixture
def english(app):
    """Messages in English (Thai is the default) so tests can match them."""
    with force_locale("en"):
        yield


def test_messages_are_thai_by_default(app):
    assert str(tax_id_problem("1")) == "เลขประจำตัวผู้เสียภาษีต้องมี 13 หลัก"


@pytest.mark.parametrize("tax_id", ["0107544000108", "0-1075-44000-10-8", "0107 5440 0010 8", "3101500123459"])
def test_valid_tax_ids(tax_id):
    assert tax_id_problem(tax_id) is None


@pytest.mark.parametrize(
    ("tax_id", "reason"),
    [
        ("0107544000107", "not valid"),  # wrong check digit
        ("010754400010", "13 digits"),
        ("01075440001080", "13 digits"),
        ("01075440001O8", "13 digits"),  # letter O
        ("๐๑๐๗๕๔๔๐๐๐๑๐๘", "13 digits"),  # Thai digits are not accepted as is
        ("", "13 digits"),
    ],
)
def test_invalid_tax_ids(english, tax_id, reason):
    assert reason in str(tax_id_problem(tax_id))


def test_check_digit_matches_a_published_tax_id():
    # PTT Public Company Limited: 0107544000108.
    assert thai_tax_id_check_digit("010754400010") == 8


@pytest.mark.parametrize(("given", "stored"), [("", HEAD_OFFICE), ("00000", HEAD_OFFICE), ("Head office", HEAD_OFFICE),
                                             (HEAD_OFFICE, HEAD_OFFICE), ("00012", "00012"), (" 00012 ", "00012")])
def test_branches(given, stored):
    assert branch_problem(given) is None
    assert normalize_branch(given) == stored


@pytest.mark.parametrize("branch", ["12", "123456", "สาขา 1", "abcde"])
def test_bad_branches(app, branch):
    assert branch_problem(branch) is not None


@pytest.mark.parametrize(
    ("password", "ok"),
    [
        ("short", False),
        ("x" * 129, False),
        ("1234567890", False),
        ("aaaaaaaaaaaa", False),
        ("somchai.j", False),
        (GOOD_PASSWORD, True),
    ],
)
def test_password_rules(app, password, ok):
    assert (password_problem(password, email="somchai.j@example.test") is None) is ok


def test_password_equal_to_the_mailbox_name_is_refused(english):
    assert "e-mail" in str(password_problem("somchai.jaidee", email="Somchai.Jaidee@example.test"))


def test_check_email_normalises(app):
    assert check_email("  Malee@Example.COM ") == "malee@example.com"
    with pytest.raises(ValidationFailed):
        check_email("malee@")


def test_argon2id_hash_and_rehash(app):
    hashed = hash_password(GOOD_PASSWORD)
    assert hashed.startswith("$argon2id$")
    assert verify_password(hashed, GOOD_PASSWORD)
    assert not verify_password(hashed, "wrong")
    assert not verify_password("not a hash", GOOD_PASSWORD)
    assert not needs_rehash(hashed)
    app.config["ARGON2_TIME_COST"] = 2
    assert needs_rehash(hashed)


def test_production_hash_parameters_meet_owasp():
    from config import Config

    assert Config.ARGON2_MEMORY_COST_KIB >= 19 * 1024
    assert Config.ARGON2_TIME_COST >= 2


# ---------------------------------------------------------------- signed links


def test_verify_token_round_trip(app):
    user = UserFactory()
    claim = tokens.read_verify_token(tokens.make_verify_token(user))
    assert (claim.user_id, claim.email) == (user.id, user.email)


def test_tokens_do_not_cross_purposes(app):
    user = UserFactory()
    with pytest.raises(tokens.InvalidLink):
        tokens.read_reset_token(tokens.make_verify_token(user))
    with pytest.raises(tokens.InvalidLink):
        tokens.read_verify_token(tokens.make_reset_token(user))


def test_token_signed_with_another_key_is_refused(app):
    user = UserFactory()
    token = tokens.make_verify_token(user)
    app.config["SECRET_KEY"] = "another-secret"
    with pytest.raises(tokens.InvalidLink):
        tokens.read_verify_token(token)


def test_reset_token_is_voided_by_a_password_change(app):
    user = UserFactory()
    token = tokens.make_reset_token(user)
    assert services.user_for_reset_token(token) == user
    user.password_hash = hash_password(GOOD_PASSWORD)
    db.session.commit()
    with pytest.raises(tokens.InvalidLink):
        services.user_for_reset_token(token)


def test_expired_tokens(app, monkeypatch):
    user = UserFactory()
    token = tokens.make_verify_token(user)
    app.config["EMAIL_VERIFY_MAX_AGE"] = 60
    signer = itsdangerous.timed.TimestampSigner
    real_time = signer.get_timestamp
    monkeypatch.setattr(signer, "get_timestamp", lambda self: real_time(self) + 61)  # a minute later
    with pytest.raises(tokens.ExpiredLink):
        tokens.read_verify_token(token)


# ---------------------------------------------------------------- services


def test_register_user_writes_user_buyer_and_job_together(app):
    email = services.register_user(
        display_name="Kanya", email=" Kanya@Example.test ", password=GOOD_PASSWORD, locale="th",
        business=services.BusinessDetails(company_name=" Kanya Hotel ", tax_id="0107544000108", branch="",
                                          business_type="hotel"),
    )
    assert email == "kanya@example.test"
    user = db.session.scalar(select(User))
    assert user.retail_buyer.company_name == "Kanya Hotel"
    assert user.retail_buyer.status == RetailBuyer.PENDING
    [job] = db.session.scalars(select(OutboxJob)).all()
    assert (job.kind, job.payload) == ("account_registration",
                                       {"email": email, "new_user_id": user.id, "business": True})
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0

    assert send_pending().jobs_done == 1
    [mail] = db.session.scalars(select(OutboxMessage)).all()
    assert (mail.kind, mail.to_address) == ("verify_email", email)


def test_register_user_with_a_taken_email_in_any_case_writes_only_a_job(app, monkeypatch):
    owner = UserFactory(email="kanya@example.test")
    hashed = []
    monkeypatch.setattr(services, "hash_password", lambda password: hashed.append(password) or "discarded")

    email = services.register_user(display_name="K", email="KANYA@example.test", password=GOOD_PASSWORD, locale="en")

    assert email == "kanya@example.test"
    assert hashed == [GOOD_PASSWORD]  # as slow as a new account, and thrown away
    assert db.session.scalar(select(func.count(User.id))) == 1
    db.session.refresh(owner)
    assert owner.password_hash != "discarded" and owner.display_name != "K"
    [job] = db.session.scalars(select(OutboxJob)).all()
    assert (job.kind, job.payload) == ("account_registration",
                                       {"email": email, "new_user_id": None, "business": False})
    send_pending()
    [mail] = db.session.scalars(select(OutboxMessage)).all()
    assert (mail.kind, mail.to_address) == ("account_exists", email)


def test_registration_job_for_an_account_already_verified_sends_nothing(app):
    services.register_user(display_name="K", email="k@example.test", password=GOOD_PASSWORD, locale="en")
    user = db.session.scalar(select(User))
    user.email_verified_at = user.created_at
    db.session.commit()
    assert send_pending().jobs_done == 1
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_reset_and_resend_jobs_for_unknown_addresses_send_nothing(app):
    services.request_password_reset("Nobody@Example.test")
    services.resend_verification_to("nobody@example.test")
    assert [job.payload for job in db.session.scalars(select(OutboxJob).order_by(OutboxJob.id))] == [
        {"email": "nobody@example.test"}, {"email": "nobody@example.test"}]
    report = send_pending()
    assert (report.jobs_done, report.jobs_failed, report.sent) == (2, 0, 0)
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_register_user_refuses_bad_business_details_before_writing(app):
    with pytest.raises(ValidationFailed) as caught:
        services.register_user(
            display_name="K", email="k@example.test", password=GOOD_PASSWORD, locale="en",
            business=services.BusinessDetails(company_name="", tax_id="1", branch="x", business_type="bar"),
        )
    assert set(caught.value.fields) == {"company_name", "tax_id", "branch", "business_type"}
    assert db.session.scalar(select(func.count(User.id))) == 0


def test_authenticate_records_failures_and_throttles_that_client(app):
    app.config["LOGIN_PAIR_FREE_FAILURES"] = 2
    user = UserFactory()
    for _ in range(2):
        with pytest.raises(services.InvalidCredentials):
            services.authenticate(email=user.email, password="nope", ip_address="10.1.1.1")
    assert services.failed_login_count(email=user.email) == 2
    assert services.failed_login_count(ip_address="10.1.1.1") == 2
    assert services.failed_login_count(email=user.email, known_device=True) == 0
    with pytest.raises(services.TooManyAttempts) as caught:
        services.authenticate(email=user.email, password=TEST_PASSWORD, ip_address="10.1.1.1")
    assert 0 < caught.value.retry_after_seconds <= app.config["LOGIN_PAIR_BASE_DELAY"]
    assert caught.value.status_code == 429
    assert services.login_retry_after(user.email, "10.1.1.1") == caught.value.retry_after_seconds
    # Another address is another client: its first try is checked, and passes.
    assert services.login_retry_after(user.email, "10.1.1.2") is None
    assert services.authenticate(email=user.email, password=TEST_PASSWORD, ip_address="10.1.1.2") == user


def test_client_delay_doubles_from_the_free_failures_up_to_the_cap(app):
    app.config.update(LOGIN_PAIR_FREE_FAILURES=5, LOGIN_PAIR_BASE_DELAY=2, LOGIN_PAIR_MAX_DELAY=900)
    assert [throttle.client_delay(n) for n in range(4, 16)] == [0, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900]
    assert throttle.client_delay(10_000) == 900


def test_authenticate_success_clears_failures(app):
    user = UserFactory()
    with pytest.raises(services.InvalidCredentials):
        services.authenticate(email=user.email, password="nope", ip_address="10.1.1.1")
    assert services.authenticate(email=user.email.upper(), password=TEST_PASSWORD, ip_address="10.1.1.1") == user
    assert db.session.scalar(select(func.count(LoginAttempt.id))) == 0
    assert user.last_login_at is not None


def test_sign_out_everywhere_ends_every_sign_in_of_the_user_only(app):
    user, other = UserFactory(), UserFactory()
    cookie_ids = [sessions.open_session(user).cookie_id for _ in range(2)]
    others = sessions.open_session(other).cookie_id
    assert all(sessions.load_user(cookie_id) is user for cookie_id in cookie_ids)

    services.sign_out_everywhere(user)

    assert [sessions.load_user(cookie_id) for cookie_id in cookie_ids] == [None, None]
    assert sessions.load_user(others) is other


def test_public_url_works_outside_a_request(app):
    assert services.public_url("accounts.verify_email", token="abc") == "http://localhost/account/verify/abc"
