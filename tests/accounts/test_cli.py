"""``convertr clients``: the installed command, as an operator runs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from convertr_core import accounts
from tests.accounts.conftest import FORM

CONVERTR = Path(sys.executable).with_name("convertr")


def cli(*args: str):
    """Run the ``clients`` group in-process (the root group would reset logging)."""
    from click.testing import CliRunner

    from convertr_cli.clients import clients
    return CliRunner().invoke(clients, list(args))


def installed(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(CONVERTR), "clients", *args], capture_output=True, text=True,
                          env=dict(os.environ), timeout=120)


def test_list_show_grant_and_revoke(settings):
    done = accounts.register_client(settings, FORM, "acme-mobile-production")
    listed = installed("list")  # the console script, once
    assert listed.returncode == 0 and "dev@acme.example" in listed.stdout
    assert json.loads(cli("list", "--json").stdout)[0]["balance_minutes"] == 10

    granted = cli("grant", "DEV@acme.example", "25", "--note", "support ticket 42")
    assert granted.exit_code == 0, granted.output
    assert "balance 35 minute(s)" in granted.stdout
    shown = json.loads(cli("show", "dev@acme.example", "--json").stdout)
    assert (shown["balance_minutes"], shown["live_tokens"]) == (35, 1)
    assert shown["ledger"][0]["note"] == "support ticket 42"
    assert "acme-mobile-production" not in cli("show", "dev@acme.example").stdout

    revoked = cli("revoke-tokens", "dev@acme.example")
    assert revoked.exit_code == 0 and "revoked 1 token(s)" in revoked.stdout
    assert accounts.live_token_count(settings, done.client.id) == 0


def test_operator_mistakes_are_one_line_errors():
    missing = installed("show", "nobody@acme.example")
    assert missing.returncode == 12
    assert missing.stderr.strip() == (
        "error: no API client with email 'nobody@acme.example' [not_found]")
    assert cli("grant", "nobody@acme.example", "0").exit_code == 2  # click: 1 or more
    assert "no API clients yet" in cli("list").stdout
