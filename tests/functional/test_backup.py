"""``flask db backup`` and ``flask db restore`` on a database of their own (SQLite, or
PostgreSQL through pg_dump and pg_restore when ``TEST_DATABASE_URL`` is set)."""

from __future__ import annotations

import os
import re
import stat

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, insert, select, text, update

from shop import create_app
from shop.extensions import db
from tests.db_helpers import fill_empty_tables, row_counts, scratch_database

ON_POSTGRES = bool(os.environ.get("TEST_DATABASE_URL"))


def make_app(url, tmp_path):
    return create_app({
        "SQLALCHEMY_DATABASE_URI": url,
        "SEARCH_INDEX_DIR": str(tmp_path / "ix"),
        "UPLOAD_DIR": str(tmp_path / "uploads"),
        "DEMO_DATA_ALLOWED": True,
    })


@pytest.fixture
def shop_app(tmp_path, monkeypatch):
    """An app on a database of its own, migrated to the newest revision; its instance
    folder (where backups go by default) is under ``tmp_path``."""
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path / "instance"))
    with scratch_database(tmp_path, "backup") as url:
        app = make_app(url, tmp_path)
        with app.app_context():
            upgrade()
            yield app
            db.session.remove()
            db.engine.dispose()


def invoke(app, *args):
    db.session.remove()  # the command must not wait on this session's locks
    return app.test_cli_runner().invoke(args=["db", *args])


def fill() -> None:
    with db.engine.begin() as conn:
        fill_empty_tables(conn, db.metadata)


def orders() -> list[tuple]:
    """Every order as the buyer and the sellers know it: number, status, totals, and
    each fulfilment's receipt number, status and total."""
    tables = db.metadata.tables
    o, f = tables["orders"], tables["fulfilments"]
    with db.engine.connect() as conn:
        rows = conn.execute(
            select(o.c.public_id, o.c.status, o.c.total_satang, o.c.paid_at,
                   f.c.document_no, f.c.status, f.c.total_satang)
            .join(f, f.c.order_id == o.c.id).order_by(o.c.id, f.c.id)
        ).all()
    return [tuple(row) for row in rows]


def assert_clean_failure(result, message: str) -> None:
    assert result.exit_code != 0
    assert isinstance(result.exception, SystemExit), result.exception  # no traceback
    assert "Traceback" not in result.output
    assert message in result.output


@pytest.mark.slow
def test_a_restore_brings_back_the_same_orders(shop_app, tmp_path):
    from shop.catalog.demo import load_demo_catalogue

    load_demo_catalogue(photo_width=96)
    db.session.remove()
    before = orders()
    assert len({row[0] for row in before}) >= 30
    assert {row[1] for row in before} >= {"paid", "cancelled", "pending_payment"}
    counts = row_counts(db.session.connection())
    db.session.remove()
    path = tmp_path / "kept" / "shop-backup"

    result = invoke(shop_app, "backup", str(path))

    assert result.exit_code == 0, result.output
    assert str(path) in result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600  # every account and order is in it
    assert list(path.parent.iterdir()) == [path]  # nothing half-written left beside it

    tables = db.metadata.tables
    with db.engine.begin() as conn:
        conn.execute(update(tables["orders"]).values(status="cancelled", total_satang=1))
        conn.execute(tables["orders"].delete().where(tables["orders"].c.id > 10))
    changed = orders()

    refused = invoke(shop_app, "restore", str(path))
    assert_clean_failure(refused, "--force")
    assert orders() == changed

    result = invoke(shop_app, "restore", "--force", str(path))

    assert result.exit_code == 0, result.output
    assert orders() == before
    with db.engine.begin() as conn:
        assert row_counts(conn) == counts
        # Ids continue after the restored rows (PostgreSQL sequences come back too).
        conn.execute(insert(tables["categories"]).values(
            slug="after-restore", name_th="หลังกู้คืน", name_en="After restore", position=99, is_food=False))
        assert conn.scalar(select(func.count()).select_from(tables["categories"])) == counts["categories"] + 1


def test_backup_goes_to_the_instance_folder_by_default(shop_app, tmp_path):
    fill()

    result = invoke(shop_app, "backup")

    assert result.exit_code == 0, result.output
    written = list((tmp_path / "instance" / "backups").iterdir())
    assert len(written) == 1
    name = db.engine.url.database.rsplit("/", 1)[-1].removesuffix(".sqlite3")
    suffix = "dump" if ON_POSTGRES else "sqlite3"
    assert re.fullmatch(rf"{re.escape(name)}-\d{{8}}T\d{{6}}Z\.{suffix}", written[0].name)
    assert str(written[0]) in result.output


def test_restore_into_an_empty_database_needs_no_force(shop_app, tmp_path):
    fill()
    counts = row_counts(db.session.connection())
    db.session.remove()
    path = tmp_path / "backup.bin"
    assert invoke(shop_app, "backup", str(path)).exit_code == 0

    with scratch_database(tmp_path, "restored") as url:
        other = make_app(url, tmp_path)
        with other.app_context():
            result = invoke(other, "restore", str(path))
            assert result.exit_code == 0, result.output
            assert "flask search reindex" in result.output
            assert "flask db upgrade" not in result.output  # the backup is at the newest revision
            with db.engine.connect() as conn:
                assert row_counts(conn) == counts
            db.engine.dispose()


def test_bad_paths_get_a_clear_error(shop_app, tmp_path):
    fill()
    a_file = tmp_path / "notes.txt"
    a_file.write_text("not a backup")

    assert_clean_failure(invoke(shop_app, "backup", str(a_file / "backup.bin")), "is a file, not a folder")
    assert_clean_failure(invoke(shop_app, "backup", str(a_file)), "already exists")
    assert a_file.read_text() == "not a backup"
    assert_clean_failure(invoke(shop_app, "restore", str(tmp_path / "missing.dump")), "does not exist")
    assert_clean_failure(invoke(shop_app, "restore", str(tmp_path)), "is a directory")

    before = row_counts(db.session.connection())
    db.session.remove()
    not_a_backup = invoke(shop_app, "restore", "--force", str(a_file))
    assert_clean_failure(not_a_backup, "notes.txt")
    assert "backup" in not_a_backup.output or "database" in not_a_backup.output
    assert row_counts(db.session.connection()) == before


def test_postgresql_backups_without_pg_dump_say_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # no pg_dump anywhere
    monkeypatch.setenv("INSTANCE_DIR", str(tmp_path / "instance"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://shop:secret@db.invalid/shop"})
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["db", "backup", str(tmp_path / "b.dump")])

    assert_clean_failure(result, "pg_dump was not found")
    assert "postgresql-client" in result.output
    assert list(tmp_path.iterdir()) == [tmp_path / "instance"]  # no file left behind


@pytest.mark.skipif(not ON_POSTGRES, reason="pg_restore runs on PostgreSQL only")
def test_a_postgresql_restore_that_fails_changes_nothing(shop_app, tmp_path):
    """The schema is emptied and the dump replayed in one transaction: when the replay
    fails (here the backup has a table in another schema that the database still
    has), the tables dropped first come back with every row."""
    fill()
    with db.engine.begin() as conn:
        conn.execute(text("CREATE SCHEMA reports"))
        conn.execute(text("CREATE TABLE reports.daily (id integer PRIMARY KEY)"))
    path = tmp_path / "backup.dump"
    assert invoke(shop_app, "backup", str(path)).exit_code == 0
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM orders"))
    before = row_counts(db.session.connection())
    db.session.remove()

    result = invoke(shop_app, "restore", "--force", str(path))

    assert_clean_failure(result, "rolled back")
    assert "reports" in result.output
    assert row_counts(db.session.connection()) == before
    assert before["orders"] == 0 and before["enterprises"] == 1
