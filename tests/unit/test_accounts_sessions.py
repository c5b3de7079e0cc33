"""Signing in: the one sign-in function refuses a proxy."""

from __future__ import annotations

import pytest
from flask import session
from flask_login import current_user, login_user

from shop.accounts.models import User
from shop.accounts.views import _start_session
from tests.factories import UserFactory


def test_start_session_refuses_the_current_user_proxy(app):
    user = UserFactory()
    with app.test_request_context("/account/password", method="POST"):
        login_user(user)
        session["lang"] = "en"

        with pytest.raises(TypeError, match="current_user._get_current_object"):
            _start_session(current_user)

        # Refused before anything changed.
        assert session["_user_id"] == user.get_id()
        assert current_user.email == user.email

        _start_session(current_user._get_current_object())
        assert type(current_user._get_current_object()) is User
        assert session["lang"] == "en"
