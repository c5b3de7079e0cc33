"""Accounts: sign-up, e-mail verification, sign-in, password reset, roles (§2)."""

from flask import Blueprint

bp = Blueprint("accounts", __name__)

from shop.accounts import views  # noqa: E402,F401
