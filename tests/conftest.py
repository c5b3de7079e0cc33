"""Shared pytest fixtures in the flaskr shape: ``app``, ``client``, ``runner``, ``auth``.

The database is real: a SQLite file by default, PostgreSQL when ``TEST_DATABASE_URL``
is set. The schema is created once per run; after each test every table is emptied.
"""

from __future__ import annotations

import os

import pytest
from flask import g, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import text

from shop import create_app
from shop.extensions import db

# The fake Stripe HTTP client and its ``fake_stripe`` fixture, for every test module.
pytest_plugins = ["tests.stripe_fake"]


def _database_url(tmp_root) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        url = url.replace("postgresql://", "postgresql+psycopg://", 1) if url.startswith("postgresql://") else url
        return _worker_database(url)
    return f"sqlite:///{tmp_root / 'test.sqlite3'}"


def _worker_database(url: str) -> str:
    """Under pytest-xdist each worker gets its own PostgreSQL database (``<name>_gw0``
    …), created on first use next to the one ``TEST_DATABASE_URL`` names; SQLite files
    are per worker already (``tmp_path_factory`` is)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not url.startswith("postgresql"):
        return url
    from sqlalchemy import create_engine

    base, _, name = url.rpartition("/")
    worker_name = f"{name}_{worker}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": worker_name}).scalar()
            if not exists:
                conn.execute(text(f'CREATE DATABASE "{worker_name}"'))
    finally:
        admin.dispose()
    return f"{base}/{worker_name}"


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = _database_url(tmp_path_factory.mktemp("db"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.create_all()
    return url


def _empty_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app_config(database_url, tmp_path) -> dict:
    """Overrides for ``create_app``; a test may change it before asking for ``app``."""
    return {
        "SQLALCHEMY_DATABASE_URI": database_url,
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "SEARCH_INDEX_DIR": str(tmp_path / "search-index"),
        "MAIL_FILE_DIR": str(tmp_path / "mail"),
    }


class FreshContextClient(FlaskClient):
    """Each request starts with an empty ``g``, as in production.

    The ``app`` fixture keeps one app context pushed for the whole test (so tests can
    use the session), and Flask reuses it for every request: without this, ``g`` (the
    user Flask-Login caches, Flask-Babel's locale, Flask-WTF's token) would leak from
    one request to the next.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            for name in list(vars(g)):
                delattr(g, name)
        return super().open(*args, **kwargs)


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    app.test_client_class = FreshContextClient
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email: str = "shopper@example.test", password: str = "a-long-enough-passphrase", **extra):
        return self._client.post("/account/login", data={"email": email, "password": password, **extra})

    def logout(self):
        return self._client.post("/account/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)
