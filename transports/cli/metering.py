"""``convertr metering``: maintenance of the metering rows (prune, recover, status)."""

from __future__ import annotations

import click

from . import output


@click.group()
def metering() -> None:
    """Maintain the per-conversion metering rows."""


@metering.command()
@click.option("--days", type=click.IntRange(min=1), default=None, metavar="N",
              help="Keep this many days [default: CONVERTR_METERING_RETENTION_DAYS or 30].")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def prune(days: int | None, as_json: bool) -> None:
    """Delete conversion rows older than the retention period."""
    from convertr_core import metering as core
    from convertr_core.schema import upgrade

    upgrade()
    kept = days if days is not None else core.retention_period_days()
    deleted = core.prune(retention_days=kept)
    if as_json:
        output.print_json({"deleted": deleted, "retention_days": kept})
        return
    click.echo(f"deleted {deleted} conversion row(s) older than {kept} days")


@metering.command()
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def recover(as_json: bool) -> None:
    """Close rows left running by crashed processes as abandoned."""
    from convertr_core import metering as core
    from convertr_core.schema import upgrade

    upgrade()
    closed = core.recover()
    if as_json:
        output.print_json({"abandoned": closed})
        return
    click.echo(f"closed {closed} abandoned conversion row(s)")
