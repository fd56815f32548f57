"""``convertr serve``: its help and the gunicorn command it executes (not gunicorn)."""

from __future__ import annotations

import sys

from convertr_cli.serve import gunicorn_argv
from tests.cli.conftest import RunCli

BASE = [sys.executable, "-m", "gunicorn", "--config", "python:convertr_http.gunicorn_conf"]
APP = "convertr_http.app:get_app()"


def test_defaults_come_from_the_committed_config() -> None:
    assert gunicorn_argv() == [*BASE, APP]


def test_overrides_are_passed_before_the_app() -> None:
    assert gunicorn_argv("0.0.0.0:9000", 4, reload=True) == [
        *BASE, "--bind", "0.0.0.0:9000", "--workers", "4", "--reload", APP]


def test_help_names_every_option(run_cli: RunCli) -> None:
    result = run_cli("serve", "--help")
    assert result.returncode == 0
    for option in ("--bind HOST:PORT", "--workers N", "--reload"):
        assert option in result.stdout.decode()


def test_zero_workers_is_a_usage_error(run_cli: RunCli) -> None:
    result = run_cli("serve", "--workers", "0")
    assert result.returncode == 2
    assert b"--workers" in result.stderr
