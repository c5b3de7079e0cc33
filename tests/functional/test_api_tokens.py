"""Personal API tokens (docs/product.md: Contracts) through account settings and
``flask users``: created and shown once, stored as a digest only, working against the
API until revoked, with their last use recorded, and refused for anyone else's
account."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select, text

from shop.accounts import api_tokens
from shop.accounts.models import ApiToken, User
from shop.dbtypes import utcnow
from shop.extensions import db
from tests.api_helpers import bearer
from tests.factories import UserFactory

SECRET_PATTERN = re.compile(r'id="token-secret"[^>]*>(cm_[A-Za-z0-9_-]+)</textarea>')
CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@pytest.fixture
def client(make_client):
    """A client that reads the site in English, so messages can be matched."""
    return make_client()


@pytest.fixture
def user(app):
    return UserFactory(email="malee@example.test", display_name="Malee")


@pytest.fixture
def other(app):
    return UserFactory(email="somchai@example.test", display_name="Somchai")


@pytest.fixture
def member(client, user, sign_in):
    """``client`` signed in as ``user``."""
    sign_in(user)
    return client


def page_text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def token_count() -> int:
    return db.session.scalar(select(func.count()).select_from(ApiToken))


def create(client, name: str = "stock spreadsheet", **extra):
    return client.post("/account/tokens", data={"name": name, **extra})


def shown_secret(response) -> str:
    match = SECRET_PATTERN.search(response.get_data(as_text=True))
    assert match, "the new token's secret is not on the page"
    return match.group(1)


def me(client, secret: str):
    return client.get("/api/v1/me", headers=bearer(secret, lang="en"))


# ---------------------------------------------------------------- the page


@pytest.mark.parametrize(("method", "path"), [
    ("GET", "/account/tokens"),
    ("POST", "/account/tokens"),
    ("POST", "/account/tokens/1/revoke"),
])
def test_the_token_pages_need_a_signed_in_user(client, user, method, path):
    token = api_tokens.create_token(user, "laptop").token
    response = client.open(path.replace("/1/", f"/{token.id}/"), method=method, data={"name": "x"})
    assert response.status_code == 302
    assert "/account/login" in response.headers["Location"]
    db.session.expire_all()
    assert token_count() == 1
    assert db.session.get(ApiToken, token.id).revoked_at is None


def test_account_settings_link_to_the_token_page(member):
    page = page_text(member.get("/account/"))
    assert 'href="/account/tokens"' in page
    assert "API tokens" in page


def test_the_empty_page_explains_how_to_use_a_token(member):
    response = member.get("/account/tokens")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    page = page_text(response)
    assert "Authorization: Bearer cm_…" in page
    assert 'href="/api/v1/openapi.json"' in page
    assert "You have no API tokens yet." in page


def test_the_page_is_in_thai_by_default(make_client, user, sign_in):
    client = make_client(lang=None)
    sign_in(user, client=client)
    page = page_text(client.get("/account/tokens"))
    assert "<html lang=\"th\"" in page
    assert "โทเคน API" in page
    assert "สร้างโทเคน" in page
    response = create(client, "")
    assert response.status_code == 422
    assert "กรุณาตั้งชื่อโทเคน" in page_text(response)


def test_a_new_token_is_shown_once_in_the_answer_and_never_again(member):
    response = create(member, "  stock   spreadsheet ")
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    secret = shown_secret(response)
    page = page_text(response)
    assert "Copy it now: it will not be shown again." in page
    assert "Your new token “stock spreadsheet”" in page
    assert len(secret) == 46

    token = db.session.scalars(select(ApiToken)).one()
    assert token.name == "stock spreadsheet"
    assert token.prefix == secret[: api_tokens.PREFIX_SHOWN]

    # Nowhere else: not in the session, a cookie, or the list shown afterwards.
    with member.session_transaction() as session:
        assert secret not in repr(dict(session))
    assert all(secret not in cookie for cookie in response.headers.getlist("Set-Cookie"))
    later = member.get("/account/tokens")
    later_page = later.get_data(as_text=True)
    assert secret not in later_page
    assert 'id="token-secret"' not in later_page
    assert f"{token.prefix}…" in later_page
    assert "never" in page_text(later)
    assert "Active" in page_text(later)


def test_only_the_digest_of_the_secret_is_stored(member):
    secret = shown_secret(create(member))
    rows = db.session.execute(text("SELECT * FROM api_tokens")).all()
    assert len(rows) == 1
    for value in rows[0]:
        assert secret not in str(value)
    token = db.session.scalars(select(ApiToken)).one()
    assert token.token_hash == api_tokens.digest(secret)
    assert len(token.prefix) == api_tokens.PREFIX_SHOWN < len(secret)


def test_the_created_token_works_then_revoking_it_locks_the_api_out(member, user):
    secret = shown_secret(create(member, "shop till"))
    response = me(member, secret)
    assert response.status_code == 200
    assert response.get_json()["email"] == user.email
    assert response.get_json()["token_name"] == "shop till"

    token_id = db.session.scalars(select(ApiToken.id)).one()
    response = member.post(f"/account/tokens/{token_id}/revoke")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/account/tokens")
    page = page_text(member.get("/account/tokens"))
    assert "The token “shop till” is revoked" in page
    assert "Revoked" in page
    assert f'action="/account/tokens/{token_id}/revoke"' not in page

    response = me(member, secret)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_token"
    assert "WWW-Authenticate" in response.headers


def test_revoking_twice_changes_nothing(member):
    shown_secret(create(member))
    token = db.session.scalars(select(ApiToken)).one()
    member.post(f"/account/tokens/{token.id}/revoke")
    db.session.expire_all()
    first = db.session.get(ApiToken, token.id).revoked_at
    assert first is not None
    assert member.post(f"/account/tokens/{token.id}/revoke").status_code == 302
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at == first


def test_the_last_use_is_shown_and_written_at_most_once_a_minute(member):
    secret = shown_secret(create(member))
    token_id = db.session.scalars(select(ApiToken.id)).one()
    assert "never" in page_text(member.get("/account/tokens"))

    assert me(member, secret).status_code == 200
    db.session.expire_all()
    first_use = db.session.get(ApiToken, token_id).last_used_at
    assert first_use is not None
    page = page_text(member.get("/account/tokens"))
    assert "never" not in page
    assert "Last used" in page

    assert me(member, secret).status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, token_id).last_used_at == first_use

    # Once the resolution has passed, the next use is written again.
    earlier = first_use - api_tokens.LAST_USED_RESOLUTION - timedelta(seconds=1)
    db.session.get(ApiToken, token_id).last_used_at = earlier
    db.session.commit()
    assert me(member, secret).status_code == 200
    db.session.expire_all()
    assert db.session.get(ApiToken, token_id).last_used_at > earlier + api_tokens.LAST_USED_RESOLUTION


def test_a_deactivated_accounts_token_is_refused(member, user):
    secret = shown_secret(create(member))
    assert me(member, secret).status_code == 200
    user.is_active_account = False
    db.session.commit()
    response = me(member, secret)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_token"


def test_the_api_without_a_token_or_with_a_made_up_one_answers_401(member):
    assert member.get("/api/v1/me").status_code == 401
    response = me(member, "cm_" + "x" * 43)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "invalid_token"


# ---------------------------------------------------------------- another user's tokens


def test_another_users_tokens_are_not_listed_and_cannot_be_revoked(member, other):
    theirs = api_tokens.create_token(other, "their warehouse robot")
    page = member.get("/account/tokens").get_data(as_text=True)
    assert "their warehouse robot" not in page
    assert theirs.token.prefix not in page

    response = member.post(f"/account/tokens/{theirs.token.id}/revoke")
    assert response.status_code == 404
    db.session.expire_all()
    assert db.session.get(ApiToken, theirs.token.id).revoked_at is None
    assert me(member, theirs.secret).status_code == 200


@pytest.mark.parametrize("token_id", ["999999", "2147483647", "2147483648", "99999999999999999999999"])
def test_revoking_an_unknown_token_is_404(member, token_id):
    shown_secret(create(member))
    assert member.post(f"/account/tokens/{token_id}/revoke").status_code == 404
    assert db.session.scalars(select(ApiToken)).one().revoked_at is None


@pytest.mark.parametrize("token_id", ["abc", "-1", "1.5"])
def test_a_token_id_that_is_not_a_number_is_404(member, token_id):
    assert member.post(f"/account/tokens/{token_id}/revoke").status_code == 404


def test_revoking_needs_a_post(member):
    shown_secret(create(member))
    token_id = db.session.scalars(select(ApiToken.id)).one()
    assert member.get(f"/account/tokens/{token_id}/revoke").status_code == 405
    assert db.session.get(ApiToken, token_id).revoked_at is None


# ---------------------------------------------------------------- bad input


@pytest.mark.parametrize(("name", "message"), [
    ("", "Give the token a name, such as the program that will use it."),
    ("   \t ", "Give the token a name, such as the program that will use it."),
    ("x" * 81, "Use at most 80 characters."),
])
def test_a_bad_name_is_shown_again_with_the_reason(member, name, message):
    response = create(member, name)
    assert response.status_code == 422
    assert response.headers["Cache-Control"] == "no-store"
    page = page_text(response)
    assert message in page
    assert 'aria-invalid="true"' in page
    assert 'id="token-secret"' not in page
    assert token_count() == 0


def test_a_missing_name_field_is_refused(member):
    response = member.post("/account/tokens", data={})
    assert response.status_code == 422
    assert token_count() == 0


def test_the_longest_name_is_accepted(member):
    assert create(member, "ก" * 80).status_code == 201
    assert db.session.scalars(select(ApiToken.name)).one() == "ก" * 80


def test_too_many_active_tokens_are_refused_until_one_is_revoked(member, user):
    for number in range(api_tokens.MAX_ACTIVE_TOKENS):
        api_tokens.create_token(user, f"robot {number}")
    page = page_text(member.get("/account/tokens"))
    assert "You have 20 tokens already. Revoke one you no longer use first." in page

    response = create(member, "one too many")
    assert response.status_code == 422
    assert "You have 20 tokens already. Revoke one you no longer use first." in page_text(response)
    assert 'id="token-secret"' not in response.get_data(as_text=True)
    assert token_count() == api_tokens.MAX_ACTIVE_TOKENS

    oldest = db.session.scalars(select(ApiToken).order_by(ApiToken.id)).first()
    member.post(f"/account/tokens/{oldest.id}/revoke")
    assert create(member, "one too many").status_code == 201
    assert token_count() == api_tokens.MAX_ACTIVE_TOKENS + 1


# ---------------------------------------------------------------- CSRF


@pytest.fixture
def csrf_client(app_config, request):
    app_config["WTF_CSRF_ENABLED"] = True  # before the app is built
    return request.getfixturevalue("make_client")


def csrf_token(client, path: str = "/account/login") -> str:
    return CSRF_PATTERN.search(client.get(path).get_data(as_text=True)).group(1)


def test_creating_and_revoking_need_the_csrf_token(csrf_client, user, sign_in):
    client = csrf_client()
    sign_in(user, client=client, csrf_token=csrf_token(client))

    assert create(client).status_code == 400
    assert create(client, csrf_token="forged").status_code == 400
    assert token_count() == 0

    response = create(client, csrf_token=csrf_token(client, "/account/tokens"))
    assert response.status_code == 201
    shown_secret(response)
    token_id = db.session.scalars(select(ApiToken.id)).one()

    assert client.post(f"/account/tokens/{token_id}/revoke").status_code == 400
    assert db.session.get(ApiToken, token_id).revoked_at is None
    page = client.get("/account/tokens").get_data(as_text=True)
    revoke_token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    response = client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": revoke_token})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ApiToken, token_id).revoked_at is not None


# ---------------------------------------------------------------- flask users …


def cli_tokens(email: str) -> list[ApiToken]:
    db.session.expire_all()
    return list(db.session.scalars(
        select(ApiToken).join(ApiToken.user).where(User.email == email)
        .order_by(ApiToken.id)
    ))


def test_cli_creates_a_token_and_prints_it_once(runner, user):
    db.session.commit()
    result = runner.invoke(args=["users", "token", "MALEE@example.test", "--name", "nightly stock sync"])
    assert result.exit_code == 0, result.output
    secret = result.stdout.strip()
    assert secret.startswith("cm_") and len(secret) == 46
    assert "only time it is shown" in result.stderr
    (token,) = cli_tokens(user.email)
    assert token.name == "nightly stock sync"
    assert token.token_hash == api_tokens.digest(secret)
    assert api_tokens.authenticate(secret).id == token.id


def test_cli_token_has_a_default_name(runner, user):
    result = runner.invoke(args=["users", "token", user.email])
    assert result.exit_code == 0, result.output
    assert cli_tokens(user.email)[0].name == "command line"


@pytest.mark.parametrize("command", [
    ["users", "token", "nobody@example.test"],
    ["users", "tokens", "nobody@example.test"],
    ["users", "revoke-token", "nobody@example.test", "1"],
])
def test_cli_with_an_unknown_email_fails(runner, user, command):
    result = runner.invoke(args=command)
    assert result.exit_code == 1
    assert "no account with the e-mail address 'nobody@example.test'" in result.output
    assert token_count() == 0


def test_cli_refuses_a_bad_name_and_a_deactivated_account(runner, user):
    result = runner.invoke(args=["users", "token", user.email, "--name", "x" * 81])
    assert result.exit_code == 1
    assert "80" in result.output
    user.is_active_account = False
    db.session.commit()
    result = runner.invoke(args=["users", "token", user.email])
    assert result.exit_code == 1
    assert "deactivated" in result.output
    assert token_count() == 0


def test_cli_lists_tokens_with_their_use_and_revocation(runner, user, other):
    assert "has no API tokens" in runner.invoke(args=["users", "tokens", user.email]).output
    old = api_tokens.create_token(user, "old laptop")
    new = api_tokens.create_token(user, "shop till")
    api_tokens.create_token(other, "their robot")
    new.token.last_used_at = utcnow()
    db.session.commit()
    api_tokens.revoke_token(user, old.token.id)

    result = runner.invoke(args=["users", "tokens", user.email])
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert lines[0].split() == ["id", "name", "prefix", "created", "last", "used", "revoked"]
    assert len(lines) == 3
    assert lines[1].startswith(str(new.token.id)) and "shop till" in lines[1]
    assert f"{new.token.prefix}…" in lines[1] and "never" not in lines[1]
    assert lines[2].startswith(str(old.token.id)) and "old laptop" in lines[2]
    assert "never" in lines[2] and lines[2].endswith("UTC")
    assert "their robot" not in result.output
    assert new.secret not in result.output


def test_cli_revokes_only_the_users_own_token(runner, user, other):
    mine = api_tokens.create_token(user, "laptop")
    theirs = api_tokens.create_token(other, "their robot")
    mine_id, theirs_id = mine.token.id, theirs.token.id

    result = runner.invoke(args=["users", "revoke-token", user.email, str(theirs_id)])
    assert result.exit_code == 1
    assert f"has no API token {theirs_id}" in result.output

    result = runner.invoke(args=["users", "revoke-token", user.email, str(mine_id)])
    assert result.exit_code == 0, result.output
    assert "revoked token" in result.output
    db.session.expire_all()
    assert db.session.get(ApiToken, mine_id).revoked_at is not None
    assert db.session.get(ApiToken, theirs_id).revoked_at is None
    assert api_tokens.authenticate(mine.secret) is None
    assert api_tokens.authenticate(theirs.secret) is not None


@pytest.mark.parametrize("token_id", ["0", "-3", "abc", "99999999999999999999"])
def test_cli_revoke_refuses_a_token_id_that_cannot_exist(runner, user, token_id):
    result = runner.invoke(args=["users", "revoke-token", user.email, token_id])
    assert result.exit_code == 2
