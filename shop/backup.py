"""Backups of the shop's database and restoring them: ``flask db backup`` and
``flask db restore``.

SQLite goes through SQLite's online backup API (``sqlite3.Connection.backup``): it
copies a consistent snapshot while the app keeps running, and restoring writes the
whole file in one transaction. PostgreSQL goes through ``pg_dump`` (custom format);
restoring empties the database's schema and replays the dump in a single ``psql``
transaction, so a restore that fails changes nothing. The connection details come from
``SQLALCHEMY_DATABASE_URI``; the password reaches the tools through the environment,
never their command line.

Only the database is backed up: uploaded files (``UPLOAD_DIR``), the search index and
the configuration are not (see README.md, "Backups and restore").
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy import inspect, text
from sqlalchemy.engine import URL, Engine, make_url

from shop.dbtypes import utcnow
from shop.extensions import db

SQLITE_SUFFIX = ".sqlite3"
POSTGRES_SUFFIX = ".dump"
#: Seconds a SQLite restore waits for the app's transactions, and a PostgreSQL restore
#: for the locks it needs, before giving up.
BUSY_TIMEOUT_SECONDS = 15
#: Tables that say nothing about whether a database holds the shop's data.
_BOOKKEEPING_TABLES = frozenset({"alembic_version"})
#: libpq settings a URL may carry as query parameters, and their environment names.
_LIBPQ_QUERY_ENV = {
    "host": "PGHOST", "port": "PGPORT", "sslmode": "PGSSLMODE", "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY", "sslrootcert": "PGSSLROOTCERT", "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS", "application_name": "PGAPPNAME", "target_session_attrs": "PGTARGETSESSIONATTRS",
}


class BackupError(Exception):
    """A backup or restore that cannot go ahead; the message says why and what to do."""


@dataclass(frozen=True)
class Database:
    url: URL

    @property
    def kind(self) -> str:
        return self.url.get_backend_name()

    @property
    def name(self) -> str:
        if self.kind == "sqlite":
            return Path(self.url.database).stem
        return self.url.database or "postgres"

    @property
    def sqlite_path(self) -> Path:
        database = self.url.database
        if not database or database == ":memory:" or database.startswith("file:"):
            raise BackupError(f"Only a SQLite database in a file can be backed up or restored, not {database or ':memory:'!r}.")
        return Path(database).resolve()

    @property
    def suffix(self) -> str:
        return SQLITE_SUFFIX if self.kind == "sqlite" else POSTGRES_SUFFIX


def database(uri: str) -> Database:
    found = Database(make_url(uri))
    if found.kind not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {found.kind}.")
    return found


def default_backup_path(target: Database, folder: Path, now: datetime | None = None) -> Path:
    """``<folder>/<database name>-<UTC timestamp>.<ext>``."""
    stamp = (now or utcnow()).strftime("%Y%m%dT%H%M%SZ")
    return folder / f"{target.name}-{stamp}{target.suffix}"


# --- writing the backup file --------------------------------------------------------


def _backup_destination(path: Path | None, target: Database, default_folder: Path) -> Path:
    """The file to write: ``path`` itself, or a default name inside it when it is a
    folder (``default_folder`` when nothing was given). Never overwrites a file."""
    if path is None:
        path = default_backup_path(target, default_folder)
    elif path.is_dir():
        path = default_backup_path(target, path)
    if path.exists():
        raise BackupError(f"{path} already exists: choose another path or move the old file away.")
    in_the_way = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
    if in_the_way is not None:
        raise BackupError(f"Cannot write {path}: {in_the_way} is a file, not a folder.")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise BackupError(f"Cannot create the folder for {path}: {error.strerror or error}.") from error
    return path


@contextlib.contextmanager
def _private_partial_file(path: Path):
    """A new file beside ``path``, readable by its owner only (a backup holds every
    account and order), renamed to ``path`` when the block succeeds and deleted when
    it fails, so ``path`` never holds half a backup."""
    try:
        handle, partial = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".partial", dir=path.parent)
    except OSError as error:
        raise BackupError(f"Cannot write to {path.parent}: {error.strerror or error}.") from error
    os.close(handle)
    partial_path = Path(partial)
    try:
        yield partial_path
        os.replace(partial_path, path)
    finally:
        partial_path.unlink(missing_ok=True)


def backup_database(target: Database, path: Path | None, default_folder: Path) -> Path:
    """Write a backup of ``target`` and return its path."""
    destination = _backup_destination(path, target, default_folder)
    with _private_partial_file(destination) as partial:
        if target.kind == "sqlite":
            _sqlite_backup(target.sqlite_path, partial)
        else:
            _pg_dump(target, partial)
    return destination


def _sqlite_connect_existing(path: Path, *, read_only: bool = False) -> sqlite3.Connection:
    """Connect to a SQLite file that must exist (a plain connect would create it)."""
    mode = "ro" if read_only else "rw"
    try:
        return sqlite3.connect(f"{path.resolve().as_uri()}?mode={mode}", uri=True, timeout=BUSY_TIMEOUT_SECONDS)
    except sqlite3.Error as error:
        raise BackupError(f"Cannot open the SQLite database {path}: {error}.") from error


def _sqlite_backup(source_path: Path, destination: Path) -> None:
    if not source_path.is_file():
        raise BackupError(f"The SQLite database {source_path} does not exist.")
    source = _sqlite_connect_existing(source_path)
    try:
        copy = sqlite3.connect(destination)
        try:
            # All pages in one step: one consistent snapshot; under WAL the app's
            # writers carry on meanwhile.
            source.backup(copy)
            # One self-contained file, whatever journal the live database uses.
            copy.execute("PRAGMA journal_mode = DELETE")
            _sqlite_quick_check(copy, destination)
        finally:
            copy.close()
    except sqlite3.Error as error:
        raise BackupError(f"The SQLite backup failed: {error}.") from error
    finally:
        source.close()


def _sqlite_quick_check(connection: sqlite3.Connection, path: Path) -> None:
    try:
        result = connection.execute("PRAGMA quick_check").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise BackupError(f"{path} is not a SQLite database ({error}).") from error
    if result != "ok":
        raise BackupError(f"{path} is damaged: {result}.")


def _tool(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise BackupError(
            f"{name} was not found on PATH. PostgreSQL backups need the PostgreSQL client tools "
            f"(pg_dump, pg_restore, psql; on Debian the postgresql-client package), of the "
            f"server's major version or newer."
        )
    return found


def _libpq_environment(target: Database) -> dict[str, str]:
    """The environment that points libpq (pg_dump, pg_restore, psql) at the database:
    the password stays out of every command line."""
    url = target.url
    env = dict(os.environ)
    settings = {"PGHOST": url.host, "PGPORT": url.port, "PGUSER": url.username,
                "PGPASSWORD": url.password, "PGDATABASE": url.database}
    for key, value in url.query.items():
        if key in _LIBPQ_QUERY_ENV:
            settings[_LIBPQ_QUERY_ENV[key]] = value if isinstance(value, str) else value[0]
    env.update({key: str(value) for key, value in settings.items() if value not in (None, "")})
    return env


def _run(command: list[str], env: dict[str, str], what: str, **kwargs) -> subprocess.CompletedProcess:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False, **kwargs)  # noqa: S603
    if result.returncode != 0:
        detail = (result.stderr or result.stdout).strip() or f"exit status {result.returncode}"
        raise BackupError(f"{what} failed: {detail}")
    return result


def _pg_dump(target: Database, destination: Path) -> None:
    _run([_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--file={destination}"],
         _libpq_environment(target), "pg_dump")


# --- restoring ------------------------------------------------------------------------


def database_has_data(engine: Engine) -> bool:
    """Whether any of the database's tables (Alembic's aside) holds a row."""
    with engine.connect() as conn:
        names = [n for n in inspect(conn).get_table_names() if n not in _BOOKKEEPING_TABLES]
        preparer = engine.dialect.identifier_preparer
        # Table names come from the database itself, quoted by the dialect.
        return any(conn.scalar(text(f"SELECT EXISTS (SELECT 1 FROM {preparer.quote(name)})"))  # noqa: S608
                   for name in names)


def restore_database(target: Database, path: Path, engine: Engine, *, force: bool) -> None:
    """Replace the whole database with the backup at ``path``. Refuses when the
    database holds data unless ``force``; checks the file before touching anything."""
    if not path.is_file():
        raise BackupError(f"{path} is not a file.")
    if target.kind == "sqlite":
        _check_sqlite_backup(path)
    else:
        _check_pg_archive(target, path)
    if not force and database_has_data(engine):
        raise BackupError(
            f"The database {target.name} holds data: restoring would replace all of it. "
            "Take a backup of it first, then run again with --force."
        )
    engine.dispose()  # this process's own connections must not hold locks
    if target.kind == "sqlite":
        _sqlite_restore(path, target.sqlite_path)
    else:
        _pg_restore(target, path)


def _check_sqlite_backup(path: Path) -> None:
    connection = _sqlite_connect_existing(path, read_only=True)
    try:
        _sqlite_quick_check(connection, path)
    finally:
        connection.close()


def _sqlite_restore(backup_path: Path, database_path: Path) -> None:
    source = _sqlite_connect_existing(backup_path, read_only=True)
    try:
        try:
            database_path.parent.mkdir(parents=True, exist_ok=True)
            target = sqlite3.connect(database_path, timeout=BUSY_TIMEOUT_SECONDS)
        except (OSError, sqlite3.Error) as error:
            raise BackupError(f"Cannot open {database_path}: {error}.") from error
        try:
            # The backup API writes every page of the target in one transaction: it
            # is all replaced, or (on any error) left as it was.
            source.backup(target)
        except sqlite3.OperationalError as error:
            raise BackupError(f"Restoring into {database_path} failed ({error}): stop the app and try again.") from error
        finally:
            target.close()
    finally:
        source.close()


def _check_pg_archive(target: Database, path: Path) -> None:
    listing = subprocess.run(  # noqa: S603
        [_tool("pg_restore"), "--list", str(path)],
        env=_libpq_environment(target), capture_output=True, text=True, check=False,
    )
    if listing.returncode != 0:
        detail = listing.stderr.strip() or f"exit status {listing.returncode}"
        raise BackupError(f"{path} is not a pg_dump custom-format backup ({detail}).")


#: Run first, in the restore's transaction: empty the schema the dump is replayed
#: into (tables, views, sequences, types and functions, not those of extensions).
#: Objects in other schemas stay: if the backup has them too, the restore fails and
#: changes nothing.
_EMPTY_SCHEMA_SQL = """
DO $restore$
DECLARE item record;
BEGIN
  FOR item IN
    SELECT CASE c.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                          WHEN 'f' THEN 'FOREIGN TABLE' WHEN 'S' THEN 'SEQUENCE' ELSE 'TABLE' END AS kind,
           format('%I.%I', n.nspname, c.relname) AS name
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype = 'e')
    ORDER BY c.relkind = 'S', c.oid
  LOOP
    EXECUTE format('DROP %s IF EXISTS %s CASCADE', item.kind, item.name);
  END LOOP;
  FOR item IN
    SELECT format('%I.%I', n.nspname, t.typname) AS name
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname = current_schema() AND t.typtype IN ('e', 'd', 'r')
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = t.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP TYPE IF EXISTS %s CASCADE', item.name);
  END LOOP;
  FOR item IN
    SELECT CASE p.prokind WHEN 'a' THEN 'AGGREGATE' WHEN 'p' THEN 'PROCEDURE' ELSE 'FUNCTION' END AS kind,
           format('%I.%I(%s)', n.nspname, p.proname, pg_get_function_identity_arguments(p.oid)) AS name
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = current_schema()
      AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
  LOOP
    EXECUTE format('DROP %s IF EXISTS %s CASCADE', item.kind, item.name);
  END LOOP;
END
$restore$;
"""


def _pg_restore(target: Database, path: Path) -> None:
    """``pg_restore`` turns the archive into SQL; ``psql`` runs the emptying of the
    schema and that SQL as one transaction, stopping at the first error."""
    env = _libpq_environment(target)
    restore_tool, psql = _tool("pg_restore"), _tool("psql")
    with tempfile.TemporaryFile() as errors:
        script = subprocess.Popen(  # noqa: S603
            [restore_tool, "--no-owner", "--no-privileges", "--file=-", str(path)],
            stdout=subprocess.PIPE, stderr=errors, env=env,
        )
        try:
            result = subprocess.run(  # noqa: S603
                [psql, "--no-psqlrc", "--quiet", "--set=ON_ERROR_STOP=1", "--single-transaction",
                 f"--command=SET lock_timeout = '{BUSY_TIMEOUT_SECONDS}s'",
                 f"--command={_EMPTY_SCHEMA_SQL}", "--file=-"],
                stdin=script.stdout, capture_output=True, text=True, env=env, check=False,
            )
        finally:
            script.stdout.close()
            script.wait()
        errors.seek(0)
        restore_errors = errors.read().decode(errors="replace").strip()
    if result.returncode != 0:
        detail = result.stderr.strip() or restore_errors or f"exit status {result.returncode}"
        raise BackupError(f"The restore failed and was rolled back; the database is unchanged. {detail}")
    if script.returncode != 0:
        raise BackupError(f"pg_restore failed: {restore_errors or script.returncode}")


def restored_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        if "alembic_version" not in inspect(conn).get_table_names():
            return None
        return conn.scalar(text("SELECT version_num FROM alembic_version"))


# --- commands -----------------------------------------------------------------------


def _engine() -> Engine:
    return db.engine


def _migration_head() -> str | None:
    from alembic.script import ScriptDirectory

    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_current_head()


@click.command("backup")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@with_appcontext
def backup_command(path: Path | None) -> None:
    """Back up the database to PATH (a file, or a folder to put it in).

    Default: instance/backups/<database>-<UTC timestamp>.sqlite3 (SQLite, through the
    online backup API: safe while the app runs) or .dump (PostgreSQL, pg_dump custom
    format). Uploaded files and the search index are not included.
    """
    try:
        target = database(current_app.config["SQLALCHEMY_DATABASE_URI"])
        written = backup_database(target, path, Path(current_app.instance_path) / "backups")
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Backed up {target.kind} database {target.name} to {written} ({written.stat().st_size:,} bytes).")


@click.command("restore")
@click.argument("path", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Replace a database that holds data.")
@with_appcontext
def restore_command(path: Path, force: bool) -> None:
    """Replace the database with the backup at PATH.

    Refuses when the database holds data, unless --force. Stop the app (and its
    workers) first. Afterwards: `flask db upgrade` if the backup is older than the
    code, and `flask search reindex`.
    """
    engine = _engine()
    try:
        target = database(current_app.config["SQLALCHEMY_DATABASE_URI"])
        restore_database(target, path, engine, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Restored {target.kind} database {target.name} from {path}.")
    if _renew_search_log_epoch(engine):
        click.echo("The search change log has a new epoch: every host's search index rebuilds itself.")
    revision, head = restored_revision(engine), _migration_head()
    if revision != head:
        click.echo(f"Its schema is at revision {revision or 'none'}, the code's at {head}: run `flask db upgrade`.")
    click.echo("Rebuild the search index with `flask search reindex`; uploaded files are not in the backup.")


def _renew_search_log_epoch(engine: Engine) -> bool:
    """A restored database's search log starts again from the backup's ids, below what
    the hosts' indexes applied: a new epoch makes every index rebuild
    (``shop/search/indexer.py``). False when the backup predates the log's table."""
    with engine.begin() as conn:
        if not inspect(conn).has_table("search_log_state"):
            return False
        updated = conn.execute(text("UPDATE search_log_state SET epoch = :epoch WHERE id = 1"),
                               {"epoch": secrets.token_hex(16)}).rowcount
        if not updated:
            conn.execute(text("INSERT INTO search_log_state (id, pruned_through, epoch) VALUES (1, 0, :epoch)"),
                         {"epoch": secrets.token_hex(16)})
    return True


def register_cli(app: Flask) -> None:
    """Put the commands in Flask-Migrate's ``db`` group, beside ``upgrade`` and
    ``downgrade``: a backup is what to take before either."""
    group = app.cli.commands[app.extensions["migrate"].migrate.command]
    group.add_command(backup_command)
    group.add_command(restore_command)
