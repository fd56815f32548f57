"""``convertr clients``: operators list API clients, grant minutes and revoke tokens."""

from __future__ import annotations

from typing import Any

import click

from . import output


def _settings() -> Any:
    from convertr_core import get_settings
    return get_settings()


def _client_json(client: Any, balance: int) -> dict[str, Any]:
    return {"id": client.id, "name": client.name, "email": client.email,
            "cohort": client.cohort, "balance_minutes": balance,
            "created_at": client.created_at}


@click.group()
def clients() -> None:
    """Manage registered API clients and their conversion minutes."""


@clients.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print the clients as JSON.")
def list_clients(as_json: bool) -> None:
    """List every API client with its balance."""
    from convertr_core import accounts, billing

    settings = _settings()
    balances = billing.balances(settings)
    rows = [_client_json(c, balances.get(c.id, 0)) for c in accounts.list_clients(settings)]
    if as_json:
        output.print_json(rows)
        return
    if not rows:
        click.echo("no API clients yet")
        return
    click.echo(f"{'ID':>5}  {'BALANCE':>8}  {'EMAIL':<32}  {'COHORT':<23}  NAME")
    for row in rows:
        click.echo(f"{row['id']:>5}  {row['balance_minutes']:>8}  {row['email']:<32}  "
                   f"{row['cohort'] or '-':<23}  {row['name']}")


@clients.command()
@click.argument("email")
@click.option("--json", "as_json", is_flag=True, help="Print the client as JSON.")
def show(email: str, as_json: bool) -> None:
    """Show one client: balance, live tokens and recent ledger entries."""
    from convertr_core import accounts, billing

    settings = _settings()
    client = accounts.require_client(settings, email)
    data = _client_json(client, billing.balance_of(settings, client.id))
    data["live_tokens"] = accounts.live_token_count(settings, client.id)
    data["ledger"] = [{"at": e.created_at, "kind": e.kind, "minutes": e.minutes,
                       "conversion_id": e.conversion_id, "note": e.note}
                      for e in billing.entries(settings, client.id)]
    if as_json:
        output.print_json(data)
        return
    for key in ("id", "name", "email", "cohort", "balance_minutes", "live_tokens"):
        click.echo(f"{key + ':':<17}{data[key] if data[key] is not None else '-'}")
    click.echo("recent ledger entries (newest first):")
    for entry in data["ledger"]:
        click.echo(f"  {entry['at']:%Y-%m-%d %H:%M:%S}  {entry['kind']:<6} "
                   f"{entry['minutes']:>+6}  {entry['note'] or ''}")


@clients.command()
@click.argument("email")
@click.argument("minutes", type=click.IntRange(min=1))
@click.option("--note", default=None, help="Why (kept in the ledger).")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def grant(email: str, minutes: int, note: str | None, as_json: bool) -> None:
    """Add MINUTES conversion minutes to the client's balance."""
    from convertr_core import accounts, billing

    settings = _settings()
    client = accounts.require_client(settings, email)
    balance = billing.grant(settings, client.id, minutes, note=note)
    if as_json:
        output.print_json({"email": client.email, "granted_minutes": minutes,
                           "balance_minutes": balance})
        return
    click.echo(f"granted {minutes} minute(s) to {client.email}; balance {balance} minute(s)")


@clients.command("revoke-tokens")
@click.argument("email")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def revoke_tokens(email: str, as_json: bool) -> None:
    """Revoke every token of a client (it must create a new one with its password)."""
    from convertr_core import accounts

    revoked = accounts.revoke_all_tokens(_settings(), email)
    if as_json:
        output.print_json({"email": email.strip(), "revoked_tokens": revoked})
        return
    click.echo(f"revoked {revoked} token(s) of {email.strip()}")
