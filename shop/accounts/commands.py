"""``flask users …``: account administration from the shell."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup

from shop.accounts import api_tokens
from shop.accounts.models import User
from shop.accounts.services import create_staff_user, get_user_by_email
from shop.dbtypes import MAX_INT
from shop.errors import DomainError

users_cli = AppGroup("users", help="Manage user accounts.")



def _user(email: str) -> User:
    user = get_user_by_email(email)
    if user is None:
        raise click.ClickException(f"no account with the e-mail address {email!r}")
    return user


def _when(moment: datetime | None, empty: str) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else empty


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--name", default="Programme staff", show_default=True)
@click.password_option(help="Asked for when not given.")
def create_admin(email: str, name: str, password: str) -> None:
    """Create a programme-staff (admin) account, or promote an existing one."""
    try:
        user, created = create_staff_user(email=email, password=password, display_name=name)
    except DomainError as exc:
        raise click.ClickException(str(exc.message)) from exc
    click.echo(f"{'created' if created else 'promoted'} staff account {user.email}")


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="command line", show_default=True, help="Tells the token apart in lists.")
def create_token(email: str, name: str) -> None:
    """Create a personal API token for EMAIL and print it (shown this once only)."""
    user = _user(email)
    if not user.is_active:
        raise click.ClickException(f"the account {user.email} is deactivated: its tokens would not work")
    try:
        new = api_tokens.create_token(user, name)
    except DomainError as exc:
        raise click.ClickException(str(exc.message)) from exc
    click.echo(new.secret)
    click.echo(f"token {new.token.id} {new.token.name!r} for {user.email}: this is the only time it is shown,"
               " so keep it now (only its SHA-256 digest is stored).", err=True)


@users_cli.command("tokens")
@click.argument("email")
def list_tokens(email: str) -> None:
    """List the personal API tokens of EMAIL, newest first (revoked ones too)."""
    user = _user(email)
    tokens = api_tokens.list_tokens(user)
    if not tokens:
        click.echo(f"{user.email} has no API tokens")
        return
    rows = [("id", "name", "prefix", "created", "last used", "revoked")]
    rows += [
        (str(t.id), t.name, t.prefix + "…", _when(t.created_at, "-"), _when(t.last_used_at, "never"),
         _when(t.revoked_at, "-"))
        for t in tokens
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    for row in rows:
        click.echo("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip())


@users_cli.command("revoke-token")
@click.argument("email")
@click.argument("token_id", type=click.IntRange(1, MAX_INT))
def revoke_token(email: str, token_id: int) -> None:
    """Revoke the API token TOKEN_ID of EMAIL (see ``flask users tokens EMAIL``)."""
    user = _user(email)
    try:
        token = api_tokens.revoke_token(user, token_id)
    except DomainError as exc:
        raise click.ClickException(f"{user.email} has no API token {token_id}") from exc
    click.echo(f"revoked token {token.id} {token.name!r} ({token.prefix}…) of {user.email}")
