"""Recovery of rows left running, retention pruning, and migrations under contention."""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ProcessPoolExecutor
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import text

import convertr_image.plugin
from convertr_core import Settings, convert, metering, schema
from convertr_core.db import get_engine
from convertr_core.metering import _process_start
from convertr_core.models import utcnow
from convertr_core.testing import make_registry
from convertr_cli.main import cli
from tests.metering.conftest import png_bytes
from tests.metering.helpers import add_row, all_rows


def _status(settings) -> dict[str, tuple[str, str | None]]:
    return {row.id: (row.status, row.error_code) for row in all_rows(settings)}


@pytest.fixture
def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


@pytest.fixture
def live_process():
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(120)"])
    yield proc
    proc.kill()
    proc.wait()


def test_recovery_closes_only_rows_whose_owner_is_gone(settings, dead_pid, live_process):
    now = utcnow()
    running = dict(status="running", finished_at=None, runtime_ms=None, bytes_out=None,
                   started_at=now - timedelta(minutes=2))
    crashed = add_row(settings, owner_pid=dead_pid, **running)
    reused = add_row(settings, owner_start="1", **running)  # our pid, another process's
    alive = add_row(settings, owner_pid=live_process.pid,
                    owner_start=_process_start(live_process.pid), **running)
    remote = add_row(settings, owner_host="elsewhere", owner_pid=1, **running)
    stale = add_row(settings, owner_host="elsewhere", owner_pid=1,
                    **{**running, "started_at": now - timedelta(hours=2)})
    done = add_row(settings, owner_pid=dead_pid)

    assert metering.recover(settings) == 3
    status = _status(settings)
    assert status[crashed.id] == status[reused.id] == status[stale.id] == (
        "abandoned", "abandoned")
    assert status[alive.id] == status[remote.id] == ("running", None)
    assert status[done.id] == ("succeeded", None)
    assert metering.recover(settings) == 0


def test_recovery_runs_when_a_process_starts_metering(settings, dead_pid, tmp_path):
    crashed = add_row(settings, owner_pid=dead_pid, status="running", finished_at=None)
    old = add_row(settings, started_at=utcnow() - timedelta(days=31))
    source = tmp_path / "in.png"
    source.write_bytes(png_bytes())
    convert(source, tmp_path / "out.jpg",
            registry=make_registry(convertr_image.plugin, metering))
    status = _status(settings)
    assert status[crashed.id] == ("abandoned", "abandoned")
    assert old.id not in status and len(status) == 2   # pruned; the new row is there


def test_metering_recover_command(settings, dead_pid):
    crashed = add_row(settings, owner_pid=dead_pid, status="running", finished_at=None)
    result = CliRunner().invoke(cli, ["metering", "recover"])
    assert result.exit_code == 0 and "closed 1 abandoned" in result.output
    assert _status(settings)[crashed.id][0] == "abandoned"


def test_prune_keeps_the_retention_period(settings, monkeypatch):
    now = utcnow()
    old = add_row(settings, started_at=now - timedelta(days=30, minutes=1))
    edge = add_row(settings, started_at=now - timedelta(days=29, hours=23))
    assert metering.prune(settings) == 1
    assert set(_status(settings)) == {edge.id}
    assert old.id not in _status(settings)
    monkeypatch.setenv("CONVERTR_METERING_RETENTION_DAYS", "7")
    add_row(settings, started_at=now - timedelta(days=8))
    result = CliRunner().invoke(cli, ["metering", "prune", "--json"])
    assert result.exit_code == 0
    assert '"deleted": 2' in result.output and '"retention_days": 7' in result.output
    assert _status(settings) == {}


def _upgrade_in_new_process(home: str) -> str | None:
    return schema.upgrade(Settings(home=Path(home)))


def test_many_processes_migrating_at_once_agree(tmp_path):
    home = str(tmp_path / "fresh")
    with ProcessPoolExecutor(4) as pool:
        revisions = set(pool.map(_upgrade_in_new_process, [home] * 8))
    assert revisions == {schema.head_revision()}
    settings = Settings(home=Path(home))
    with get_engine(settings).connect() as connection:
        versions = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    assert [v[0] for v in versions] == [schema.head_revision()]


def test_migrations_on_postgresql(postgres_url, monkeypatch):
    monkeypatch.setenv("CONVERTR_DATABASE_URL", postgres_url)
    settings = Settings.from_env()
    with ProcessPoolExecutor(4) as pool:
        revisions = set(pool.map(_upgrade_pg, [postgres_url] * 4))
    assert revisions == {schema.head_revision()}
    row = add_row(settings)
    assert [r.id for r in all_rows(settings)] == [row.id]


def _upgrade_pg(url: str) -> str | None:
    return schema.upgrade(Settings(database_url=url))
