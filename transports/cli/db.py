"""``convertr db``: the database schema (Alembic migrations, run from code)."""

from __future__ import annotations

import click

from . import output


@click.group()
def db() -> None:
    """Manage the database schema."""


@db.command()
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def upgrade(as_json: bool) -> None:
    """Apply pending migrations (safe to run while servers are up)."""
    from convertr_core import schema
    from convertr_core.db import database_url
    from convertr_core.settings import get_settings

    before = schema.current_revision()
    after = schema.upgrade(force=True)
    url = _redacted(database_url(get_settings()))
    if as_json:
        output.print_json({"database": url, "from": before, "to": after})
        return
    if before == after:
        click.echo(f"database already at {after} ({url})")
    else:
        click.echo(f"upgraded {url} from {before or 'empty'} to {after}")


@db.command()
def current() -> None:
    """Print the revision the database is at, and the newest one known."""
    from convertr_core import schema

    click.echo(f"current: {schema.current_revision() or 'empty'}")
    click.echo(f"head:    {schema.head_revision()}")


def _redacted(url: str) -> str:
    """The URL without a password."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
