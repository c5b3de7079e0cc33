"""Shared pytest fixtures in the flaskr shape: ``app``, ``client``, ``runner``, ``auth``,
and ``sign_in`` for every test that needs a signed-in user.

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
from tests.factories import TEST_PASSWORD

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
    """Delete every row, children first, and start ids from 1 again.

    On PostgreSQL a DELETE of the few rows a test writes takes about a tenth of the
    time of ``TRUNCATE … RESTART IDENTITY`` over every table (which pays a fixed cost
    per table), and this runs after every test; the sequences are reset in one query.
    """
    for table in reversed(db.metadata.sorted_tables):
        db.session.execute(table.delete())
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("SELECT setval(c.oid, 1, false) FROM pg_class c "
                                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                                "WHERE c.relkind = 'S' AND n.nspname = current_schema()"))
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


# Building an app takes about a tenth of a second (Werkzeug compiles every URL rule),
# and nearly every test needs one: a worker builds the app for the default test
# configuration once and gives each test that configuration afresh (its config, its
# own folders, a new search handle, empty caches). A test that changes ``app_config``,
# or is marked ``fresh_app`` (it adds routes, say), gets an app of its own.
_PER_TEST_FOLDERS = ("UPLOAD_DIR", "SEARCH_INDEX_DIR", "MAIL_FILE_DIR")
_shared: dict[str, object] = {}


def _default_config(app_config: dict, database_url: str) -> bool:
    return set(app_config) == {"SQLALCHEMY_DATABASE_URI", *_PER_TEST_FOLDERS} and \
        app_config["SQLALCHEMY_DATABASE_URI"] == database_url


def _shared_app(app_config: dict):
    from shop.extensions import limiter
    from shop.search import install_state

    app = _shared.get("app")
    if app is None:
        app = create_app(app_config)
        _shared["app"], _shared["config"] = app, dict(app.config)
    else:
        app.config.clear()
        app.config.update(_shared["config"])
        app.config.update({name: app_config[name] for name in _PER_TEST_FOLDERS})
        for name in ("chumchon_fragments", "chumchon_local_values", "chumchon_pages", "chumchon_storage", "stripe_http_client"):
            app.extensions.pop(name, None)
        with app.app_context():
            install_state(app)
    limiter.enabled = app.config["RATELIMIT_ENABLED"]  # the limiter is shared by every app
    return app


@pytest.fixture
def app(request, app_config, database_url):
    shared = _default_config(app_config, database_url) and request.node.get_closest_marker("fresh_app") is None
    app = _shared_app(app_config) if shared else create_app(app_config)
    app.test_client_class = FreshContextClient
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        db.session.remove()
        if not shared:
            db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_client(app):
    """A new client reading the site in ``lang`` (remembered as ``?lang=`` would)."""

    def make(lang: str | None = "en") -> FlaskClient:
        new_client = app.test_client()
        if lang:
            with new_client.session_transaction() as session:
                session["lang"] = lang
        return new_client

    return make


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def post_login(client: FlaskClient, email: str, password: str = TEST_PASSWORD, **form):
    """Post the login form; the response, whatever it is."""
    return client.post("/account/login", data={"email": email, "password": password, **form})


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email: str = "shopper@example.test", password: str = TEST_PASSWORD, **extra):
        return post_login(self._client, email, password, **extra)

    def logout(self):
        return self._client.post("/account/logout")


@pytest.fixture
def auth(client) -> AuthActions:
    return AuthActions(client)


@pytest.fixture
def sign_in(client):
    """Sign a user in through the login form, and return the client.

    ``sign_in(user)`` signs in on the test's ``client``; ``sign_in(user, client=other)``
    on another one (``client=app.test_client()`` for a new one); ``sign_in("a@b.test",
    password="…")`` by e-mail. Other keyword arguments are posted with the form
    (``csrf_token=…``). The test fails unless the form accepts the sign-in.
    """

    def sign_in_on(user_or_email, *, client: FlaskClient = client, password: str = TEST_PASSWORD, **form):
        email = user_or_email if isinstance(user_or_email, str) else user_or_email.email
        if has_app_context():
            g.pop("_login_user", None)  # the test's app context outlives requests
        response = post_login(client, email, password, **form)
        assert response.status_code == 302, response.get_data(as_text=True)[:500]
        return client

    return sign_in_on
