"""The schema comes from Alembic migrations: upgrading an empty database must give
exactly the tables the models describe, and downgrading must undo it, on a database
full of data too, one transaction per revision."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text, update
from sqlalchemy.exc import DBAPIError

from shop import create_app
from shop.extensions import db
from tests.db_helpers import fill_empty_tables, row_counts, schema_and_rows, scratch_database

PAYMENTS = "ebcc88956a87"  # payments, refunds, ledger; adds enterprises.stripe_account_id
ORDERS = "98134ffb2a20"  # the revision before it


@pytest.fixture
def empty_database_url(tmp_path):
    with scratch_database(tmp_path, "mig") as url:
        yield url


def migrations_app(url, tmp_path):
    return create_app({
        "SQLALCHEMY_DATABASE_URI": url,
        "SEARCH_INDEX_DIR": str(tmp_path / "ix"),
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "DEMO_DATA_ALLOWED": True,
    })


def differences_from_models() -> list:
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return compare_metadata(context, db.metadata)


def current_revision() -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def fill_every_table() -> None:
    """A row in every table the demo leaves empty (payments, refunds, payouts, API
    tokens…), and a Stripe account on one enterprise: the column a downgrade drops."""
    with db.engine.begin() as conn:
        fill_empty_tables(conn, db.metadata)
        conn.execute(update(db.metadata.tables["enterprises"]).values(stripe_account_id="acct_demo")
                     .where(db.metadata.tables["enterprises"].c.id == 1))


def counts() -> dict[str, int]:
    """Rows in each table of the shop (not Alembic's own)."""
    with db.engine.connect() as conn:
        return {name: rows for name, rows in row_counts(conn).items() if name != "alembic_version"}


def test_migrations_build_the_schema_the_models_describe(empty_database_url, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": empty_database_url, "SEARCH_INDEX_DIR": str(tmp_path / "ix")})
    with app.app_context():
        upgrade()
        differences = differences_from_models()
        assert differences == [], f"models and migrations differ: {differences}"

        downgrade(revision="base")
        remaining = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert remaining == set()
        db.engine.dispose()


def test_there_is_a_single_migration_head():
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}"


@pytest.mark.slow
def test_downgrade_to_base_and_upgrade_again_with_the_demo_data_loaded(empty_database_url, tmp_path):
    from shop.catalog.demo import load_demo_catalogue

    app = migrations_app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade()
        load_demo_catalogue(photo_width=96)
        fill_every_table()
        db.session.remove()
        before = counts()
        assert before["orders"] >= 30 and before["payments"] >= 1
        assert [name for name, rows in before.items() if not rows] == []

        # One revision at a time: each drops only its own tables; every other table
        # keeps every row (no cascade from a table rebuilt on SQLite).
        while current_revision() is not None:
            revision = current_revision()
            downgrade(revision="-1")
            after = counts()
            assert current_revision() != revision
            assert set(after) <= set(before)
            assert {name: before[name] for name in after} == after, f"rows lost going down from {revision}"
        assert counts() == {}

        upgrade()
        assert differences_from_models() == []
        fill_every_table()
        assert all(counts().values())
        if db.engine.dialect.name == "sqlite":
            # Migrations switch foreign keys off on their connection: the pool must
            # not hand it back to the app that way.
            with db.engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        db.engine.dispose()


def test_rebuilding_a_table_on_sqlite_deletes_no_rows_that_point_at_it(empty_database_url, tmp_path):
    """Dropping enterprises.stripe_account_id rebuilds ``enterprises`` on SQLite (copy,
    drop, rename). With foreign keys enforced, that DROP would silently delete every
    product, member and variant (ON DELETE CASCADE) when no order holds them back."""
    app = migrations_app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade()
        fill_every_table()
        with db.engine.begin() as conn:
            conn.execute(text("DELETE FROM orders"))
        before = counts()

        downgrade(revision=ORDERS)

        after = counts()
        for table in ("products", "variants", "enterprise_members", "shipping_options", "enterprises"):
            assert after[table] == before[table] == 1, table
        upgrade()
        assert differences_from_models() == []
        db.engine.dispose()


def test_a_downgrade_that_fails_midway_leaves_that_revision_as_it_was(empty_database_url, tmp_path, capsys):
    """Each revision runs in its own transaction: when the payments downgrade fails
    after it has already dropped a column and several tables, all of it comes back,
    and the revision above it (API tokens) stays downgraded."""
    app = migrations_app(empty_database_url, tmp_path)
    with app.app_context():
        upgrade()
        fill_every_table()
        downgrade(revision=PAYMENTS)
        with db.engine.connect() as conn:
            expected = schema_and_rows(conn)
        upgrade()
        # A table the migrations know nothing about, pointing at a payment: PostgreSQL
        # refuses to drop ``payments`` under it, SQLite's foreign key check refuses to
        # commit the step that did.
        with db.engine.begin() as conn:
            conn.execute(text("CREATE TABLE local_notes (id INTEGER PRIMARY KEY, "
                              "payment_id INTEGER REFERENCES payments (id))"))
            conn.execute(text("INSERT INTO local_notes (id, payment_id) SELECT 1, min(id) FROM payments"))

        with pytest.raises((SystemExit, DBAPIError)) as failure:
            downgrade(revision="base")
        # Flask-Migrate logs the message and exits 1; PostgreSQL's error propagates.
        assert "local_notes" in str(failure.value) + capsys.readouterr().err

        assert current_revision() == PAYMENTS
        with db.engine.connect() as conn:
            now = schema_and_rows(conn)
        assert now.pop("local_notes")["rows"] == [(1, 1)]
        # Going down past the sign-in sessions revision gives every user a new random
        # ``session_token`` (the old per-user token the cookies named): only its value differs.
        for snapshot in (now, expected):
            users = snapshot["users"]
            token = [c[0] for c in users["columns"]].index("session_token")
            users["rows"] = [row[:token] + row[token + 1:] for row in users["rows"]]
        assert now == expected
        assert expected["enterprises"]["rows"][0][-1] == "acct_demo"

        with db.engine.begin() as conn:
            conn.execute(text("DROP TABLE local_notes"))
        downgrade(revision="base")
        assert counts() == {}
        db.engine.dispose()
