"""``flask users …``: account administration from the shell."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from shop.accounts.services import create_staff_user
from shop.errors import DomainError

users_cli = AppGroup("users", help="Manage user accounts.")


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
