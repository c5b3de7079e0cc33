import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
fileConfig(config.config_file_name)
logger = logging.getLogger('alembic.env')


def get_engine():
    return current_app.extensions['migrate'].db.engine


def get_engine_url():
    try:
        return get_engine().url.render_as_string(hide_password=False).replace(
            '%', '%%')
    except AttributeError:
        return str(get_engine().url).replace('%', '%%')


# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
config.set_main_option('sqlalchemy.url', get_engine_url())
target_db = current_app.extensions['migrate'].db

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def get_metadata():
    if hasattr(target_db, 'metadatas'):
        return target_db.metadatas[None]
    return target_db.metadata


def run_migrations_offline():
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url, target_metadata=get_metadata(), literal_binds=True,
        transaction_per_migration=True,
    )

    with context.begin_transaction():
        context.run_migrations()


def sqlite_foreign_keys(connection, enabled):
    """Switch SQLite's foreign key enforcement for this connection.

    SQLite ignores ``PRAGMA foreign_keys`` inside a transaction, so this talks to the
    driver connection directly, before SQLAlchemy begins one, and checks it held.
    """
    driver = connection.connection.driver_connection
    driver.execute(f"PRAGMA foreign_keys = {'ON' if enabled else 'OFF'}")
    if bool(driver.execute("PRAGMA foreign_keys").fetchone()[0]) != enabled:
        raise RuntimeError("could not change PRAGMA foreign_keys: a transaction is open")


def check_sqlite_foreign_keys(ctx, step, heads, run_args):
    """After each step, inside its transaction: refuse to commit a step that left a
    row pointing at a row or table that is gone (enforcement is off while migrating)."""
    rows = ctx.connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if rows:
        tables = sorted({f"{row[0]} -> {row[2]}" for row in rows})
        direction = 'upgrade to' if step.is_upgrade else 'downgrade from'
        raise RuntimeError(
            f"{direction} {step.up_revision_id} rolled back: {len(rows)} row(s) "
            f"would point at rows that are gone ({', '.join(tables)})"
        )


def run_migrations_online():
    """Run migrations in 'online' mode.

    Each revision runs in a transaction of its own (``transaction_per_migration``): a
    step that fails leaves the schema and the data as they were before it, and the
    steps before it stay done. PostgreSQL has transactional DDL. SQLite has it too
    here: shop/database.py stops pysqlite from committing on its own and issues the
    ``BEGIN`` itself, so DDL runs inside the transaction like any statement.

    On SQLite, batch mode changes a table by copying it into a new one, dropping the
    old and renaming. With foreign keys enforced, that DROP deletes (ON DELETE
    CASCADE) or refuses (no action) every row that points at the table, so migrations
    run with enforcement off, as SQLite's own ALTER TABLE procedure says, and
    ``PRAGMA foreign_key_check`` vets each step before it commits.
    """

    # this callback is used to prevent an auto-migration from being generated
    # when there are no changes to the schema
    # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, 'autogenerate', False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info('No changes in schema detected.')

    conf_args = dict(current_app.extensions['migrate'].configure_args)
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    connectable = get_engine()

    with connectable.connect() as connection:
        sqlite = connection.dialect.name == 'sqlite'
        if sqlite:
            sqlite_foreign_keys(connection, False)
            conf_args['transactional_ddl'] = True
            conf_args['on_version_apply'] = check_sqlite_foreign_keys
        try:
            context.configure(
                connection=connection,
                target_metadata=get_metadata(),
                transaction_per_migration=True,
                **conf_args
            )

            with context.begin_transaction():
                context.run_migrations()
        finally:
            if sqlite:
                # Each step committed or rolled back already; end what reading the
                # version table may have begun, and hand the pool its connection
                # back with enforcement on.
                connection.rollback()
                sqlite_foreign_keys(connection, True)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
