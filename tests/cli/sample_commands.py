"""Commands that fail on purpose, to test the root group's error translation.

They use ``convertr_cli.output`` exactly the way other packages' commands do.
"""

from __future__ import annotations

import click

from convertr_cli import output
from convertr_core import NotFound


@click.command()
def boom() -> None:
    """Fail with a bug (not a ConvertrError)."""
    raise RuntimeError("secret internals")


@click.command()
def interrupt() -> None:
    """Behave as if Ctrl-C was pressed."""
    raise KeyboardInterrupt


@click.command()
def missing() -> None:
    """Fail with a user-facing error and a hint."""
    raise output.add_hint(NotFound("client 42 does not exist"), "list them with 'clients list'")


@click.command()
def report() -> None:
    """Print JSON through the shared printer."""
    from datetime import datetime, timezone
    from pathlib import Path

    output.print_json({"path": Path("/tmp/x"), "when": datetime(2026, 1, 2, tzinfo=timezone.utc),
                       "tags": {"b", "a"}, "label": "café"})
