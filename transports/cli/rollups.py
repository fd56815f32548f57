"""``convertr rollups``: the pair-reliability table, as text or JSON.

The same report ``GET /api/rollups`` serves, read straight from the local database
(``CONVERTR_HOME`` or ``CONVERTR_DATABASE_URL``).
"""

from __future__ import annotations

from typing import Any

import click

from . import output

COLUMNS = ("Pair", "Requests", "Success", "Errors", "Avg runtime", "P95 runtime", "Window")


@click.command()
@click.option("--window", default="14d", show_default=True, metavar="DAYS",
              help="Trailing window, in days (14 or 14d).")
@click.option("--view", type=click.Choice(["anonymous", "all"]), default="anonymous",
              show_default=True, help="Anonymous API requests only (the public table), "
                                      "or all traffic (CLI, jobs, registered clients).")
@click.option("--cohort", metavar="COHORT", help="Only this cohort (cohort_ + 16 hex).")
@click.option("--min-volume", type=click.IntRange(min=0), default=None, metavar="N",
              help="Leave out pairs with fewer requests [default: the public floor, 20].")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def rollups(window: str, view: str, cohort: str | None, min_volume: int | None,
            as_json: bool) -> None:
    """Show per-pair requests, success and error rates and runtimes.

    \b
    Examples:
      convertr rollups
      convertr rollups --window 30d --view all --json
      convertr rollups --cohort cohort_0123abcd4567ef89 --min-volume 0
    """
    from convertr_core import rollups as core

    report = core.rollups(
        window_days=core.parse_window(window), view=core.check_view(view),
        cohort=core.check_cohort(cohort),
        min_volume=core.public_min_volume() if min_volume is None else min_volume)
    data = report.to_dict()
    if as_json:
        output.print_json(data)
        return
    click.echo("\n".join(render_table(data)))


def render_table(data: dict[str, Any]) -> list[str]:
    """The seed's table as aligned text, with a one-line heading."""
    heading = (f"{data['title']} ({data['view']}, last {data['window_days']} days, "
               f"pairs with >= {data['min_volume']} requests)")
    if not data["pairs"]:
        return [heading, "no pair has enough requests in this window yet"]
    rows = [COLUMNS] + [(p["pair"], str(p["requests"]), p["success"], p["errors"],
                         p["avg_runtime"], p["p95_runtime"], p["window"])
                        for p in data["pairs"]]
    widths = [max(len(row[i]) for row in rows) for i in range(len(COLUMNS))]
    lines = [heading]
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [cell.rjust(width) for cell, width
                                             in zip(row[1:], widths[1:])]
        lines.append("  ".join(cells))
    return lines
