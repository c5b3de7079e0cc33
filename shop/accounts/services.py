"""Account use cases. Each owns its transaction and takes the acting user explicitly."""

from __future__ import annotations

from sqlalchemy import select

from shop.accounts.models import User
from shop.extensions import db


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def get_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def load_user_from_session_id(session_id: str) -> User | None:
    """Flask-Login's loader: the cookie holds ``"<id>:<session_token>"``."""
    user_id, _, token = (session_id or "").partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_token != token or not user.is_active:
        return None
    return user


def create_staff_user(*, email: str, password: str, display_name: str) -> tuple[User, bool]:
    """Create a verified programme-staff account, or make an existing user staff."""
    from shop.accounts.passwords import hash_password
    from shop.accounts.validation import check_email, check_password
    from shop.dbtypes import utcnow

    email = check_email(email)
    user = get_user_by_email(email)
    if user is not None:
        user.is_staff = True
        db.session.commit()
        return user, False
    check_password(password, email=email)
    user = User(email=email, password_hash=hash_password(password), display_name=display_name,
                is_staff=True, email_verified_at=utcnow())
    db.session.add(user)
    db.session.commit()
    return user, True
